"""Lint's check of a case's decisions: does the option the case calls aligned lead to the better project?

At each decision the expert reaches, the game forks once per option, the expert finishes each fork, and the
noise-free real-world errors are compared seed by seed (the coherence check's yardstick, for answers instead of
actions). An aligned option the model makes clearly worse than another, or a misaligned one clearly better than
every aligned one, is a case that teaches the wrong lesson: lint names the option and its YAML line.
"""

from __future__ import annotations


import numpy as np

from sim import fmt
from sim.coach.situation import Situation
from sim.game.coherence import UNUSABLE
from sim.game.engine import MAX_TURNS, Engine, Moves
from sim.game.runner import expert_policy, policy_picks, run_batch
from sim.game.turn import take_turn
from sim.model import Noise, ladder
from sim.model.law import dev_floor
from sim.scenario.schema import Case

SEEDS = 200  # seeds per decision: a median over them is steady to a few hundredths of a point
FLOOR_GAP = 0.05  # points above the dev set's Bayes floor: an answer that leaves less has left nothing to teach
FLOOR_BEFORE = 0.5  # ... when the project had at least this much to remove before it
CLEAR = 0.1  # points of real-world error: below this, two options are as good as each other
MOST = 0.5  # an option is clearly worse when it is worse on more than this share of seeds, by CLEAR at the median


def _left_above_floor(engine: Engine) -> np.ndarray:
    """Noise-free dev error above the dev set's Bayes floor of what the next training run would make."""
    plan, t = engine.plan, engine.truth
    return ladder(t, plan, plan, Noise.zero(engine.batch), exact=True).dev_true - dev_floor(t, plan)


def option_outcomes(case: Case, seeds: int = SEEDS,
                    first_seed: int = 0) -> tuple[list[list[np.ndarray]], list[list[np.ndarray]]]:
    """(errors, at_floor), each [d][o] over the seeds whose expert reached decision d: the real-world error when it
    is answered o, and whether answering o took the project to its Bayes floor at once (less than FLOOR_GAP left
    where at least FLOOR_BEFORE was)."""
    per = [[[] for _ in d.options] for d in case.decisions]
    at_floor = [[[] for _ in d.options] for d in case.decisions]
    if not case.decisions:
        return [], []
    engine = Engine(case, np.arange(first_seed, first_seed + seeds, dtype=np.int64))
    done_with = np.zeros((engine.batch, len(case.decisions)), dtype=bool)
    for _ in range(MAX_TURNS + 2):
        live = ~engine.done
        if not live.any():
            break
        for d, decision in enumerate(case.decisions):
            rows = np.flatnonzero(live & (engine.pending == d) & ~done_with[:, d])
            if not rows.size:
                continue
            done_with[rows, d] = True
            here = engine.take(rows)
            before = _left_above_floor(here)
            for o in range(len(decision.options)):
                forks = here.take(np.arange(here.batch))
                n = forks.batch
                take_turn(forks, Moves(np.full(n, -1), np.full(n, o), np.full(n, -1), np.ones(n)), None, judge=False)
                at_floor[d][o].append((before >= FLOOR_BEFORE) & (_left_above_floor(forks) < FLOOR_GAP))
                finished = run_batch(case, forks, "expert", record_path=False, judge=False)
                per[d][o].append(np.where(finished.valid, finished.real_true, UNUSABLE))
        s = Situation(engine.visible(), case)
        picks = policy_picks(expert_policy, engine, case, s)
        take_turn(engine, Moves(picks.action, picks.option, picks.category, picks.variety), s, judge=False)
    def joined(table):
        return [[np.concatenate(o) if o else np.zeros(0) for o in d] for d in table]
    return joined(per), joined(at_floor)


def floor_reasons(case: Case, floors: list[list[np.ndarray]], where) -> list[str]:
    """A sentence per option whose effects take the project to its Bayes floor at once on most seeds that reach it:
    after it the ladder has nothing left for the learner to diagnose."""
    out = []
    for d, decision in enumerate(case.decisions):
        for o, option in enumerate(decision.options):
            hits = floors[d][o]
            if hits.size and hits.mean() > MOST:
                out.append(f"{where(('decisions', d, 'options', o, 'effects'))}decision '{decision.id}': option "
                           f"'{option.id}' takes dev error to its Bayes floor at once on "
                           f"{fmt.percent(100 * hits.mean(), 0)} of seeds (less than {fmt.error(FLOOR_GAP)} points "
                           "above it): nothing is left for the learner to diagnose; make its effects smaller")
    return out


def event_floor_reasons(case: Case, where, seeds: int = 100, first_seed: int = 0) -> list[str]:
    """A sentence per event whose effects, applied to the case's start, take dev error to its Bayes floor on most
    seeds (its `truth` changes move the users' world and are the real world's business, not the ladder's)."""
    out = []
    moving = [(e, event) for e, event in enumerate(case.events)
              if event.effects.set or event.effects.add or event.effects.scale]
    if not moving:
        return out
    start = Engine(case, np.arange(first_seed, first_seed + seeds, dtype=np.int64))
    before = _left_above_floor(start)
    for e, event in moving:
        fork = start.take(np.arange(start.batch))
        fork.apply_effects(event.effects, np.arange(fork.batch), world=True)
        hits = (before >= FLOOR_BEFORE) & (_left_above_floor(fork) < FLOOR_GAP)
        if hits.mean() > MOST:
            out.append(f"{where(('events', e, 'effects'))}event '{event.id}' takes dev error to its Bayes floor on "
                       f"{fmt.percent(100 * hits.mean(), 0)} of seeds when it meets the case's start (less than "
                       f"{fmt.error(FLOOR_GAP)} points above it): nothing is left for the learner to diagnose; make "
                       "its effects smaller")
    return out


def option_reasons(case: Case, outcomes: list[list[np.ndarray]], where) -> list[str]:
    """A sentence per option whose verdict the model contradicts; `where(path)` gives its 'file:line:col: '."""
    out = []
    for d, decision in enumerate(case.decisions):
        results = outcomes[d] if d < len(outcomes) else []
        if not results or not len(results[0]):
            continue
        aligned = [o for o, opt in enumerate(decision.options) if opt.verdict == "aligned"]
        others = [o for o, opt in enumerate(decision.options) if opt.verdict != "aligned"]
        if not aligned or not others:
            continue
        best_other = np.min([results[o] for o in others], axis=0)
        best_aligned = np.min([results[o] for o in aligned], axis=0)
        for o in aligned:
            worse = results[o] - best_other
            if np.median(worse) > CLEAR and np.mean(worse > CLEAR) > MOST:
                rival = decision.options[others[int(np.argmin([np.median(results[k]) for k in others]))]]
                out.append(f"{where(('decisions', d, 'options', o))}decision '{decision.id}': option "
                           f"'{decision.options[o].id}' is aligned, but the project ends worse after it than after "
                           f"'{rival.id}' ({decision.options[o].verdict} vs {rival.verdict}) on "
                           f"{fmt.percent(100 * np.mean(worse > CLEAR), 0)} of seeds, by {fmt.error(np.median(worse))} "
                           "points at the median; its effects (or the other's) say the opposite of its verdict")
        for o in others:
            if decision.options[o].verdict != "misaligned":
                continue
            better = best_aligned - results[o]
            if np.median(better) > CLEAR and np.mean(better > CLEAR) > MOST:
                out.append(f"{where(('decisions', d, 'options', o))}decision '{decision.id}': option "
                           f"'{decision.options[o].id}' is misaligned, but the project ends better after it than "
                           f"after any aligned option on {fmt.percent(100 * np.mean(better > CLEAR), 0)} of seeds, by "
                           f"{fmt.error(np.median(better))} points at the median; give it effects that cost what the "
                           "rule says it costs, or change its verdict")
    return out
