"""`mlsim lint`: is a case winnable, does following the rules pay, is every decision and event reached?"""

from __future__ import annotations

import argparse

from sim import fmt

from sim.commands.output import EXIT_INVALID, complete_case, emit_json, fail_problems

EXAMPLES = """\
  mlsim lint my-case
  mlsim lint bird-detection --runs 10000
  mlsim lint my-case.yaml --json
"""
MAX_RUNS = 1_000_000
PROGRESS_RUNS = 5_000  # from here on lint takes seconds: show how far it has got (on a terminal only)


def _runs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= MAX_RUNS:
        raise argparse.ArgumentTypeError(f"{text} is out of range (1 to {MAX_RUNS:,})")
    return value


def _states(text: str) -> int:
    return 0 if text.strip() == "0" else _runs(text)


def add_arguments(p) -> None:
    p.add_argument("case", metavar="CASE",
                   help="a case id (see `mlsim scenarios`) or a path to a case file").completer = complete_case
    p.add_argument("--runs", type=_runs, default=1000, help="seeds per policy (default 1000)")
    p.add_argument("--coherence-states", type=_states, default=None, metavar="N",
                   help="seeds per policy the coherence check draws a state from (default 1000: 3,000 states, "
                        "and 3000 when a figure is within noise of its bar; 0 skips the check)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args) -> int:
    from sim.game.lint import CHUNK, COHERENCE_STATES, POLICIES, lint
    from sim.scenario import CaseError, find_case, load_case_file

    try:
        path = find_case(args.case)
        case, _ = load_case_file(path)
    except CaseError as err:
        return fail_problems(err.problems)
    from sim.progress import Progress

    chosen = args.coherence_states is not None  # a number the user chose is kept; the default may grow near a bar
    states = args.coherence_states if chosen else COHERENCE_STATES
    steps = -(-args.runs // CHUNK) * len(POLICIES) + bool(states)  # a policy's chunk, then coherence
    with Progress(f"lint {case.id}, {fmt.count(args.runs)} seeds", steps, "steps") as progress:
        report = lint(case, args.runs, progress=progress, coherence_states=states or None,
                      where=_where_in(path), extend_near_a_bar=not chosen)
    if args.json:
        emit_json(report.as_json())
    else:
        print_report(report)
    return 0 if report.ok else EXIT_INVALID


def _where_in(path):
    """'file:line:col: ' of a path of keys in the case file (advice names the line to change)."""
    from sim.scenario.yamlpos import place, read_yaml

    positions = read_yaml(path.read_text(encoding="utf-8"), str(path)).positions

    def where(keys: tuple) -> str:
        line, col = place(positions, keys)
        return f"{path}:{line}:{col}: "
    return where


def print_report(report) -> None:
    data = report.as_json()
    print(f"{report.case.title} ({report.case.id}): {report.runs:,} seeds per policy")
    print(f"\n{'policy':<10} {'valid ship':>10}   {'score p10 / median / p90':>26}   {'real-world error p10 / median / p90':>36}")
    for name, p in data["policies"].items():
        s, r = p["score"], p["real_world_error"]
        print(f"{name:<10} {share(p['win_rate']):>10}   {_three(s, fmt.count):>26}   {_three(r, fmt.error):>36}")
    print(f"\nThe expert beats the random player on {share(report.expert_beats_random)} of seeds "
          f"and the anti-rule player on {share(report.expert_beats_anti)}.")
    print(f"Expert's typical path ({fmt.share(report.expert_path_share)} of seeds): {' → '.join(_runs_of(report.expert_path))}")
    if report.never_aligned:
        print(f"Actions the coach never calls aligned here (never help): {', '.join(report.never_aligned)}")
    print("Decisions never reached: " + (", ".join(report.unreached_decisions) or "none"))
    print("Events never reached: " + (", ".join(report.unreached_events) or "none"))
    if report.case.teaches:
        expert, random = report.cited("expert"), report.cited("random")
        print(f"\n{'rule the case teaches':<32} {'cited: expert':>13} {'random':>8}")
        for rule in report.case.teaches:
            print(f"{rule:<32} {share(expert[rule].value):>13} {share(random[rule].value):>8}")
    (ed, ee), (rd, re_) = report.reach("expert"), report.reach("random")
    if ed or ee:
        print(f"\n{'reached in':<32} {'expert':>13} {'random':>8}")
        for kind, mine, theirs in (("decision", ed, rd), ("event", ee, re_)):
            for key, rate in mine.items():
                print(f"{kind + ' ' + key:<32} {share(rate.value):>13} {share(theirs[key].value):>8}")
    if report.coherence is not None:
        c = report.coherence
        print(f"\nCoherence ({fmt.count(c.states)} states of {fmt.count(c.drawn)} drawn): "
              "does what the coach calls aligned work in the model?")
        for name, f in c.figures.items():
            value = share(f.value) if name != "ceiling_breaches" else fmt.count(f.hits)
            bound = share(f.target[1]) if name != "ceiling_breaches" else fmt.number(f.target[1])
            print(f"  {name:<21} {value:>6}  (95% interval {share(f.low)} to {share(f.high)}, target {f.target[0]} "
                  f"{bound}){'' if f.ok else '  MISSES'}")
    if data.get("options"):
        print("\nEach answer, then the expert finishes: real-world error (median over seeds)")
        for decision, options in data["options"].items():
            cells = [f"{o} ({v['verdict']}) {_median(v)}" for o, v in options.items()]
            print(f"  {decision:<20} " + "   ".join(cells))
    for note in report.notes:
        print(f"lint: note: {note}")
    if report.ok:
        print("\nlint: ok — the case is winnable, following the rules pays, and every part is reached.")
    else:
        print()
        for reason in report.reasons:
            print(f"lint: {reason}")


def _runs_of(choices: list[str]) -> list[str]:
    """Repeated choices shown once with a count: "train_longer ×3"."""
    out: list[str] = []
    for choice in choices:
        if out and out[-1].split(" ×")[0] == choice:
            head, _, count = out[-1].partition(" ×")
            out[-1] = f"{head} ×{int(count or 1) + 1}"
        else:
            out.append(choice)
    return out


def _median(option: dict) -> str:
    value = option["real_world_error"]["median"]
    return "unusable" if value is not None and value >= 100 else "-" if value is None else fmt.error(value)


def _three(d: dict, show) -> str:
    return " / ".join("-" if d[k] is None else show(d[k]) for k in ("p10", "median", "p90"))


def share(x: float) -> str:
    """A share of seeds to one decimal ("94.6%"): lint's bar is 95%, and a whole percent could round across it."""
    return fmt.percent(100 * x, 1)
