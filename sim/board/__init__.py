"""Leaderboards: the local SQLite board, the workshop server that re-plays every result, and its client."""
