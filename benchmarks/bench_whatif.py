"""What-if speed: the whole-game what-if of an expert bird-detection game, batched and one game at a time.

whatif_game_ms: sim.game.whatif.what_if over every turn × every alternative (median of REPEATS, after one
warm-up that pays the imports and the caches). whatif_loop_ms: the same alternatives, each played as its own
game (the prefix re-played, the alternative, then the expert to the end), in the same run.
Targets on a 2-core machine: whatif_game_ms ≤ 500; whatif_loop_ms / whatif_game_ms ≥ 10.
"""

from __future__ import annotations

import statistics
import time

SEED = 7
REPEATS = 3


def _game_ms(case, digest, choices) -> tuple[float, object]:
    from sim.game.whatif import what_if

    start = time.perf_counter()
    result = what_if(case, digest, SEED, choices)
    return (time.perf_counter() - start) * 1000, result


def _loop_ms(case, digest, choices, whatif) -> float:
    from sim.game import Game, play_policy

    start = time.perf_counter()
    for turn in whatif.turns:
        prefix = choices[: turn.index - 1]
        for alternative in turn.alternatives:
            game = Game(case, digest, SEED)
            for choice in prefix:
                game.choose(choice)
            game.choose(alternative.choice)
            play_policy(game, "expert")
    return (time.perf_counter() - start) * 1000


def measure() -> dict[str, float]:
    from sim.game import Game, play_policy
    from sim.scenario import load

    case, digest = load("bird-detection")
    expert = play_policy(Game(case, digest, SEED), "expert")
    _game_ms(case, digest, expert.choices)  # warm-up
    runs = [_game_ms(case, digest, expert.choices) for _ in range(REPEATS)]
    game_ms = statistics.median(ms for ms, _ in runs)
    loop_ms = _loop_ms(case, digest, expert.choices, runs[0][1])
    return {"whatif_game_ms": game_ms, "whatif_loop_ms": loop_ms, "whatif_loop_ratio": loop_ms / game_ms}


if __name__ == "__main__":
    print(measure())
