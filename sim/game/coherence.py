"""The coherence check: does what the coach calls aligned work in the model? (docs/design.md, "Coherence")

The yardstick is the value of an action when the game is then played well: gain = noise-free real-world
error of (state -> the expert finishes) minus that of (state + action -> the expert finishes). States are
drawn from the paths of the expert, random and anti-rule players (one per seed and player); at each state
every affordable action is tried with each of its parameter values, all forks played in one batch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.coach.judge import ALIGNED, MISALIGNED, VERDICTS, Choice, judge_in
from sim.coach.situation import Situation
from sim.game.engine import Engine, Moves
from sim.game.runner import ANSWER, OPTIONS, expert_policy, policy_named, policy_picks, run_batch
from sim.game.turn import take_turn
from sim.model import ACTION_IDS, ACTION_INDEX, ACTIONS, Params, apply_actions
from sim.model.law import category_parts, ladder
from sim.model.seeds import TAPE_TURNS
from sim.scenario.schema import Case

POLICIES = ("expert", "random", "anti-rule")
TARGETS = {"best_is_aligned": (">=", 0.95), "aligned_that_hurt": ("<=", 0.02), "misaligned_that_win": ("<=", 0.02),
           "ceiling_breaches": ("==", 0)}
VARIETIES = (0.1, 1.0)  # what the menu calls low and high
CHUNK_ROWS = 100_000  # forks per batch: memory stays bounded whatever the number of states
CEILING_TOLERANCE = 1e-9
UNUSABLE = 100.0  # the error the users live with when the project ships nothing they can use


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion (95% by default); (0, 1) with no observations."""
    if n == 0:
        return 0.0, 1.0
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Figure:
    name: str
    hits: int
    n: int
    low: float
    high: float
    target: tuple[str, float]
    example: dict | None  # one offending state, when the figure misses

    @property
    def value(self) -> float:
        return self.hits / self.n if self.n else (0.0 if self.name != "best_is_aligned" else 1.0)

    @property
    def ok(self) -> bool:
        op, bound = self.target
        if op == "==":
            return self.hits == bound
        # Lint fails when the interval's bound crosses the target.
        return self.low >= bound if op == ">=" else self.high <= bound

    def as_json(self) -> dict:
        out = {"value": round(self.value, 4), "count": self.hits, "of": self.n,
               "interval": [round(self.low, 4), round(self.high, 4)], "target": f"{self.target[0]} {self.target[1]:g}",
               "ok": self.ok}
        if self.example is not None and not self.ok:
            out["example"] = self.example
        return out


@dataclass
class CoherenceReport:
    case: str
    states: int  # counted states
    drawn: int
    figures: dict[str, Figure] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.figures.values())

    def as_json(self) -> dict:
        return {"states": self.states, "drawn": self.drawn, "ok": self.ok,
                **{name: f.as_json() for name, f in self.figures.items()}}


def path_text(case: Case, codes: np.ndarray) -> list[str]:
    """A path of action and answer codes as the choices a player types (-1 slots skipped)."""
    out = []
    for code in codes:
        if code < 0:
            continue
        if code >= ANSWER:
            d, o = divmod(int(code) - ANSWER, OPTIONS)
            out.append(f"answer {case.decisions[d].options[o].id}")
        else:
            out.append(ACTION_IDS[int(code)])
    return out


def states_along(case: Case, seeds: np.ndarray, policy: str) -> tuple[Engine, np.ndarray]:
    """Each seed's game under `policy`, stopped at one turn drawn uniformly from its path: (engine, paths)."""
    full = run_batch(case, seeds, policy)
    lengths = (full.path >= 0).sum(axis=1)
    engine = Engine(case, seeds)
    # The turn to stop at: from each seed's own policy draws (the last slot, which no game reaches).
    u = engine.truth.draws.policy[:, TAPE_TURNS - 1, 3].astype(np.float64)
    stop = np.minimum((u * lengths).astype(np.int64), np.maximum(lengths - 1, 0))
    player = policy_named(policy, case, engine)
    path = np.full_like(full.path, -1)
    for _ in range(full.path.shape[1] + 1):
        frozen = engine.turn >= stop
        if (engine.done | frozen).all():
            break
        s = Situation(engine.visible(), case)
        picks = policy_picks(player, engine, case, s)
        slot = engine.turn.copy()
        moves = Moves(np.where(frozen, -1, picks.action), np.where(frozen, -1, picks.option), picks.category,
                      picks.variety)
        turn = take_turn(engine, moves, s)
        code = np.where(turn.answering, ANSWER + turn.decision * OPTIONS + turn.option, turn.action)
        moved = turn.verdict >= 0
        path[moved, np.minimum(slot[moved], path.shape[1] - 1)] = code[moved]
    return engine, path


def _candidates(case: Case) -> list[tuple[str, int, float]]:
    """Every (action, category, variety) the case offers: each category an action can be aimed at, both varieties."""
    out = []
    for action in case.actions:
        cats = [-1] + [k for k, c in enumerate(case.categories) if action in c.fixed_by]
        varieties = VARIETIES if action == "synthesize_data" else (1.0,)
        out += [(action, k, v) for k in cats for v in varieties]
    return out


def coherence(case: Case, seeds_per_policy: int = 1000, first_seed: int = 0) -> CoherenceReport:
    import time

    started = time.perf_counter()
    seeds = np.arange(first_seed, first_seed + seeds_per_policy, dtype=np.int64)
    candidates = _candidates(case)
    rows: list[dict] = []  # one per counted (state, candidate)
    drawn = counted = 0
    breaches, checks, breach_example = 0, 0, None
    for policy in POLICIES:
        engine, paths = states_along(case, seeds, policy)
        drawn += engine.batch
        vis = engine.visible()
        s = Situation(vis, case)
        keep = np.flatnonzero(~engine.done & (engine.pending < 0) & ~s.unknown)
        if not keep.size:
            continue
        counted += keep.size
        states = engine.take(keep)
        vis = states.visible()
        s = Situation(vis, case)
        sd = states.dev_sd()
        b = states.batch
        hit, n_checks, example = _ceiling_breaches(case, states, candidates)
        breaches, checks = breaches + hit, checks + n_checks
        if example is not None and breach_example is None:
            row = example.pop("row")
            breach_example = {"case": case.id, "seed": int(states.seeds[row]), "policy": policy,
                              "path": path_text(case, paths[keep[row]]), **example}
        # Which candidates each state can afford, and the coach's verdict on each.
        table = []
        for action, category, variety in candidates:
            ok = s.affordable(action) if action != "ship" else np.ones(b, dtype=bool)
            if not ok.any():
                continue
            judged = judge_in(s, action, Choice(action, np.full(b, category), np.full(b, variety)))
            table.append((action, category, variety, ok, judged.codes, judged.clause))
        gains = _gains(case, states, table)
        for j, (action, category, variety, ok, verdict, clause) in enumerate(table):
            for i in np.flatnonzero(ok):
                rows.append({"state": (policy, int(i)), "seed": int(states.seeds[i]), "action": action,
                             "category": category, "variety": variety, "verdict": int(verdict[i]),
                             "clause": int(clause[i]),
                             "gain": float(gains[j][i]), "sd": float(sd[i]),
                             "path": paths[keep[i]]})
    report = CoherenceReport(case.id, counted, drawn)
    report.figures = _figures(case, rows, breaches, checks, breach_example)
    report.seconds = time.perf_counter() - started
    return report


def _gains(case: Case, states: Engine, table: list) -> list[np.ndarray]:
    """gain[j][i]: real-world error of (state i -> expert) minus that of (state i + candidate j -> expert)."""
    b = states.batch
    index = [np.arange(b)]  # the baseline: the expert plays from each state
    first = [None]
    for action, category, variety, ok, *_ in table:
        index.append(np.flatnonzero(ok))
        first.append((action, category, variety))
    finals = [np.full(len(ix), np.nan) for ix in index]
    # Lay the forks out in chunks of at most CHUNK_ROWS rows.
    flat = [(g, r) for g, ix in enumerate(index) for r in range(len(ix))]
    for start in range(0, len(flat), CHUNK_ROWS):
        part = flat[start:start + CHUNK_ROWS]
        groups = np.array([g for g, _ in part])
        rows = np.array([index[g][r] for g, r in part])
        forks = states.take(rows)
        picks = policy_picks(expert_policy, forks, case, None)
        action, category, variety = picks.action.copy(), picks.category.copy(), picks.variety.copy()
        for g in np.unique(groups):
            if first[g] is None:
                continue
            sel = groups == g
            a, k, v = first[g]
            action[sel], category[sel], variety[sel] = ACTION_INDEX[a], k, v
        take_turn(forks, Moves(action, np.full(len(rows), -1), category, variety), None, judge=False)
        finished = run_batch(case, forks, "expert", record_path=False, judge=False)
        # A project that ends past its budget or a threshold gives the users nothing: the worst error there is.
        outcome = np.where(finished.valid, finished.real_true, UNUSABLE)
        for local, (g, r) in enumerate(part):
            finals[g][r] = outcome[local]
    base = finals[0]
    gains = []
    for g in range(1, len(index)):
        gain = np.full(b, np.nan)
        gain[index[g]] = base[index[g]] - finals[g]
        gains.append(gain)
    return gains


def _ceiling_breaches(case: Case, states: Engine, candidates) -> tuple[int, int, dict | None]:
    """At states with an error analysis: category fixes whose immediate noise-free gain exceeds the model's own
    remaining part for that category. The fix is compared with retraining the same plan without it."""
    if not case.categories:
        return 0, 0, None
    analysed = np.flatnonzero(states.ea_done)
    if not analysed.size:
        return 0, 0, None
    sub = states.take(analysed)
    plan, truth, z = sub.plan, sub.truth, sub.noise()
    base = ladder(truth, plan, plan, z)
    without, parts = base.real_true, category_parts(truth, plan, base)
    hits, checks, example = 0, 0, None
    for action, category, variety in candidates:
        if category < 0:
            continue
        checks += sub.batch
        fixed = plan.copy()
        b = sub.batch
        apply_actions(fixed, np.full(b, ACTION_INDEX[action]), Params(np.full(b, category), np.full(b, variety)),
                      sub.amounts)
        gain = without - ladder(truth, fixed, fixed, z).real_true
        over = gain > parts[:, category] + CEILING_TOLERANCE
        hits += int(over.sum())
        if over.any() and example is None:
            i = int(np.flatnonzero(over)[0])
            example = {"row": int(analysed[i]), "action": f"{action} category={case.categories[category].id}",
                       "gain": round(float(gain[i]), 4), "ceiling": round(float(parts[i, category]), 4)}
    return hits, checks, example


def _figures(case: Case, rows: list[dict], breaches: int, checks: int, breach_example: dict | None) -> dict[str, Figure]:
    by_state: dict[tuple, list[dict]] = {}
    for r in rows:
        by_state.setdefault(r["state"], []).append(r)
    best_hits = best_n = hurt = aligned_n = win = misaligned_n = 0
    examples: dict[str, dict] = {}

    def note(name: str, r: dict) -> None:
        if name not in examples:
            label = r["action"] + (f" category={case.categories[r['category']].id}" if r["category"] >= 0 else "")
            label += f" variety={r['variety']:g}" if r["action"] == "synthesize_data" else ""
            examples[name] = {"case": case.id, "seed": r["seed"], "policy": r["state"][0],
                              "path": path_text(case, r["path"]), "action": label,
                              "verdict": VERDICTS[r["verdict"]], "gain": round(r["gain"], 4), "sd": round(r["sd"], 4)}

    for state_rows in by_state.values():
        best = max(r["gain"] for r in state_rows)
        aligned = [r for r in state_rows if r["verdict"] == ALIGNED]
        best_n += 1
        if any(r["gain"] >= best - r["sd"] for r in aligned):
            best_hits += 1
        else:
            note("best_is_aligned", max(state_rows, key=lambda r: r["gain"]))
        top_aligned = max((r["gain"] for r in aligned), default=0.0)
        for r in aligned:
            aligned_n += 1
            if r["gain"] < -r["sd"]:
                hurt += 1
                note("aligned_that_hurt", r)
        for r in state_rows:
            if r["verdict"] == MISALIGNED:
                misaligned_n += 1
                if r["gain"] > top_aligned + r["sd"]:
                    win += 1
                    note("misaligned_that_win", r)
    figures = {}
    for name, hits, n in (("best_is_aligned", best_hits, best_n), ("aligned_that_hurt", hurt, aligned_n),
                          ("misaligned_that_win", win, misaligned_n)):
        low, high = wilson(hits, n)
        figures[name] = Figure(name, hits, n, low, high, TARGETS[name], examples.get(name))
    low, high = wilson(breaches, checks)
    figures["ceiling_breaches"] = Figure("ceiling_breaches", breaches, checks, low, high, TARGETS["ceiling_breaches"],
                                         breach_example)
    return figures
