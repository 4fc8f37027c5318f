"""The expert's run on each ticket's seed, played when the ticket is issued and kept in the Store.

Re-playing a submitted game costs a worker two games: the learner's, and the expert's on the same seed (the
outcome score's yardstick, and the path that tells a bot's game from a learner's). The expert's game needs
nothing from the learner, and a learner plays for at least `--min-play-seconds` before sending, so the
server plays it in the background as soon as it issues a ticket, many seeds in one batch, and keeps it in
the Store (every server process then finds it). At submission the kept run travels with the record to the
worker, which re-plays only the learner's game; a seed whose run is not kept yet (a ticket from before a
restart, a submission faster than the batch) is played by the worker as before, so nothing depends on it.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Awaitable, Callable

from sim.board.store import ExpertRun

LINGER_S = 0.2  # tickets come in waves at a session's start: wait this long to play their seeds in one batch
MAX_BATCH = 256
MAX_REMEMBERED = 20_000  # runs this process keeps in memory besides the Store (a few hundred bytes each)
MAX_WAITING = 10_000


class Yardsticks:
    """Plays the expert for new tickets' seeds in the background and finds kept runs for submissions."""

    def __init__(self, play: Callable[[list[list]], Awaitable[list[dict]]],
                 load: Callable[[int, list[tuple[str, int]]], Awaitable[dict]],
                 save: Callable[[int, list[tuple[str, int, ExpertRun]]], Awaitable[None]],
                 model: int, say: Callable[[str], None]):
        self.play, self.load, self.save, self.model, self.say = play, load, save, model, say
        self.waiting: OrderedDict[tuple[str, str, int], None] = OrderedDict()
        self.known: OrderedDict[tuple[str, int], ExpertRun] = OrderedDict()
        self.wake = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.played = 0
        self.failed_batches = 0

    def start(self) -> None:
        self.task = asyncio.ensure_future(self._loop())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)

    def want(self, case_id: str, case_hash: str, seed: int) -> None:
        """A ticket was issued on this seed: play the expert on it soon (once, however many tickets share it)."""
        if (case_hash, seed) in self.known or len(self.waiting) >= MAX_WAITING:
            return
        self.waiting[(case_id, case_hash, seed)] = None
        self.wake.set()

    async def find(self, case_hash: str, seed: int) -> ExpertRun | None:
        """The kept run for this seed: this process's memory, else the Store (another process may have played it)."""
        run = self.known.get((case_hash, seed))
        if run is None:
            run = (await self.load(self.model, [(case_hash, seed)])).get((case_hash, seed))
            if run is not None:
                self._remember(case_hash, seed, run)
        return run

    def health(self) -> dict:
        return {"waiting": len(self.waiting), "played": self.played, "failed_batches": self.failed_batches}

    def _remember(self, case_hash: str, seed: int, run: ExpertRun) -> None:
        self.known[(case_hash, seed)] = run
        if len(self.known) > MAX_REMEMBERED:
            self.known.popitem(last=False)

    async def _loop(self) -> None:
        while True:
            await self.wake.wait()
            await asyncio.sleep(LINGER_S)
            batch = [self.waiting.popitem(last=False)[0] for _ in range(min(MAX_BATCH, len(self.waiting)))]
            if not self.waiting:
                self.wake.clear()
            if batch:
                await self._play(batch)

    async def _play(self, batch: list[tuple[str, str, int]]) -> None:
        try:
            kept = await self.load(self.model, [(h, s) for _, h, s in batch])
            for (h, s), run in kept.items():
                self._remember(h, s, run)
            todo = [[c, h, s] for c, h, s in batch if (h, s) not in kept]
            if not todo:
                return
            outcomes = await self.play(todo)
            rows = []
            for (case_id, case_hash, seed), outcome in zip(todo, outcomes):
                if "error" in outcome:
                    continue
                run = ExpertRun(float(outcome["real_world"]), tuple(outcome["path"]))
                rows.append((case_hash, seed, run))
                self._remember(case_hash, seed, run)
            self.played += len(rows)
            await self.save(self.model, rows)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # noqa: BLE001 - a worker died, the store is locked: re-play plays them instead
            self.failed_batches += 1
            if self.failed_batches == 1 or self.failed_batches % 100 == 0:
                self.say(f"The expert could not be played ahead for {len(batch)} new ticket(s) ({err or type(err).__name__}); "
                         "their results are re-played in full instead, nothing is lost.")
