"""The room's debrief as a self-contained page (HTML, plots as inline SVG drawn by matplotlib) or as Markdown.

The HTML has no script at all and fetches nothing: styles and plots are inline, so a trainer can mail the
file to the room and it opens anywhere (and /room serves the same page under a CSP that allows no script).
Every name is escaped; every number goes through sim.fmt.
"""

from __future__ import annotations

import io
import re
import statistics
from html import escape
from typing import Sequence

from sim import fmt
from sim.board.debrief import CaseDebrief

BINS = 12
RULES_SHOWN = 12

_CSS = """
body { margin: 2em auto; max-width: 64em; padding: 0 1em; font-family: system-ui, "DejaVu Sans", sans-serif;
  color: #111; background: #fff; line-height: 1.4; }
h1 { font-size: 1.8em; margin-bottom: .2em; } h2 { margin-top: 2em; border-bottom: 2px solid #ccc; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: .6em 0 1.2em; } th, td { padding: .2em .7em; text-align: left; }
th { border-bottom: 2px solid #999; } tr:nth-child(even) td { background: #f3f3f3; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; height: .8em; background: #c0392b; vertical-align: middle; }
figure { margin: .5em 0; } figure svg { max-width: 100%; height: auto; }
.same { color: #777; }
"""


def histogram_svg(totals: Sequence[int], case: str) -> str:
    """The spread of the room's totals as an SVG element (matplotlib, no fonts or links from outside)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    matplotlib.rcParams["svg.hashsalt"] = case  # the same board draws the same file
    fig = Figure(figsize=(7, 2.6), dpi=100)
    ax = fig.add_subplot()
    ax.hist(list(totals), bins=[float(e) - 0.5 for e in bin_edges(totals)], color="#2e86c1", edgecolor="white")
    ax.set_xlabel("total score")
    ax.set_ylabel("learners")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg[svg.index("<svg"):], flags=re.S)  # RDF names only
    return svg.replace("<svg ", f'<svg role="img" aria-label="histogram of total scores, {escape(case)}" ', 1)


def _spread(d: CaseDebrief) -> str:
    lo, hi, mid = min(d.totals), max(d.totals), statistics.median(d.totals)  # an even room's median is a mean
    return (f"{fmt.count(d.entries)} learners; total from {fmt.count(lo)} to {fmt.count(hi)}, "
            f"median {fmt.number(mid)}; real-world error from {fmt.percent(min(d.real_world))} "
            f"to {fmt.percent(max(d.real_world))}.")


def _departure_text(d: CaseDebrief) -> str:
    dep = d.departure
    if dep is None:
        return "Every learner followed the expert's path to its end."
    where = f"turn {dep.turn}" + (f" (decision {dep.decision})" if dep.decision else "")
    expert = ", ".join(c for c, _ in dep.expert)
    return (f"Most learners who left the expert's path left it at {where}: {fmt.count(dep.learners)} of "
            f"{fmt.count(dep.of)}, where the expert chose {expert}.")


def _instead(d: CaseDebrief) -> list[tuple[str, str, str]]:
    dep = d.departure
    if dep is None:
        return []
    return [(c, fmt.count(n), fmt.share(n / dep.learners)) for c, n in dep.instead]


def _rules(d: CaseDebrief) -> list[tuple[str, str, str, float]]:
    return [(r.rule, fmt.count(r.broke), fmt.share(r.share), r.share) for r in d.rules[:RULES_SHOWN]]


def _path_title(label: str, entry) -> str:
    return f"{label}: {entry.name} ({fmt.count(entry.total)} points, {fmt.percent(entry.real_world_error)})"


def render_html(debriefs: Sequence[CaseDebrief], title: str = "The room's debrief", frozen_at: str | None = None) -> str:
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>mlsim: {escape(title)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{escape(title)}</h1>"]
    note = f"Board frozen at {escape(frozen_at)}. " if frozen_at else ""
    parts.append(f'<p class="meta">{note}Ranked entries only (practice and hidden entries are left out).</p>')
    if not debriefs:
        parts.append("<p>No results on this board yet.</p>")
    for d in debriefs:
        case = escape(d.case)
        parts.append(f'<section class="case" id="case-{case}"><h2>{case}</h2><p>{escape(_spread(d))}</p>')
        parts.append(f'<figure class="histogram">{histogram_svg(d.totals, d.case)}</figure>')
        parts.append("<h3>Rules the room broke</h3>")
        parts.append('<table class="rules"><tr><th>rule</th><th>learners who broke it</th><th>share</th><th></th></tr>')
        for rule, broke, share, x in _rules(d):
            parts.append(f'<tr><td>{escape(rule)}</td><td class="n">{broke}</td><td class="n">{share}</td>'
                         f'<td><span class="bar" style="width:{round(x * 12, 2)}em"></span></td></tr>')
        parts.append("</table>")
        parts.append(f"<h3>Where the room left the expert's path</h3><p>{escape(_departure_text(d))}</p>")
        instead = _instead(d)
        if instead:
            parts.append('<table class="instead"><tr><th>what they chose instead</th><th>learners</th><th>share</th></tr>')
            parts += [f'<tr><td>{escape(c)}</td><td class="n">{n}</td><td class="n">{s}</td></tr>' for c, n, s in instead]
            parts.append("</table>")
        parts.append("<h3>The best path and a typical one</h3>")
        parts.append(f'<table class="paths"><tr><th>#</th><th>{escape(_path_title("best", d.best))}</th>'
                     f'<th>{escape(_path_title("typical (the median)", d.typical))}</th></tr>')
        for k, row in enumerate(d.paths, 1):
            same = ' class="same"' if row.best == row.typical else ""
            parts.append(f'<tr{same}><td class="n">{k}</td><td>{escape(row.best or "")}</td>'
                         f'<td>{escape(row.typical or "")}</td></tr>')
        parts.append("</table></section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _md(text: str) -> str:
    """A table cell: pipes escaped, no line breaks."""
    return (text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("&", "&amp;")
            .replace("<", "&lt;").replace(">", "&gt;"))


def render_markdown(debriefs: Sequence[CaseDebrief], title: str = "The room's debrief",
                    frozen_at: str | None = None) -> str:
    lines = [f"# {title}", ""]
    if frozen_at:
        lines += [f"Board frozen at {frozen_at}.", ""]
    if not debriefs:
        lines.append("No results on this board yet.")
    for d in debriefs:
        lines += [f"## {d.case}", "", _spread(d), "", "Total scores:", "", "| total from | to | learners |",
                  "|---:|---:|---:|"]
        lines += [f"| {fmt.count(lo)} | {fmt.count(hi)} | {fmt.count(n)} |" for lo, hi, n in _bins(d.totals)]
        lines += ["", "### Rules the room broke", "", "| rule | learners who broke it | share |", "|---|---:|---:|"]
        lines += [f"| {_md(rule)} | {broke} | {share} |" for rule, broke, share, _ in _rules(d)]
        lines += ["", "### Where the room left the expert's path", "", _departure_text(d), ""]
        instead = _instead(d)
        if instead:
            lines += ["| what they chose instead | learners | share |", "|---|---:|---:|"]
            lines += [f"| {_md(c)} | {n} | {s} |" for c, n, s in instead]
            lines.append("")
        lines += ["### The best path and a typical one", "",
                  f"| # | {_md(_path_title('best', d.best))} | {_md(_path_title('typical (the median)', d.typical))} |",
                  "|---:|---|---|"]
        lines += [f"| {k} | {_md(r.best or '')} | {_md(r.typical or '')} |" for k, r in enumerate(d.paths, 1)]
        lines.append("")
    return "\n".join(lines) + "\n"


def bin_edges(totals: Sequence[int]) -> list[int]:
    """At most BINS bins of whole points each, from the lowest total; bin k holds edges[k] to edges[k+1] - 1."""
    lo, hi = min(totals), max(totals)
    width = max(1, -(-(hi - lo + 1) // BINS))
    return list(range(lo, hi + width + 1, width))[: -(-(hi - lo + 1) // width) + 1]


def _bins(totals: Sequence[int]) -> list[tuple[int, int, int]]:
    """The histogram's bins as rows (the bins the plot draws)."""
    edges = bin_edges(totals)
    return [(a, b - 1, sum(a <= t < b for t in totals)) for a, b in zip(edges[:-1], edges[1:])]
