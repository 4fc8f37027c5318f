"""The projector page of a workshop: the join URL and one ranked table per case, refreshing itself.

Everything a learner typed is escaped here (server-side) and set with textContent in the browser,
so a name is always shown as text, never run as markup.
"""

from __future__ import annotations

from html import escape

from sim.board.store import Entry

REFRESH_MS = 3000
TOP = 30  # rows per case on the projector; the CSV has them all

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; background: #111; color: #eee; }
h1 { margin: 0 0 .3rem 0; } .join { font-size: 1.6rem; color: #9cf; } .frozen { color: #fc6; }
section { margin-top: 1.5rem; } table { border-collapse: collapse; min-width: 60%; font-size: 1.2rem; }
th, td { padding: .25rem .8rem; text-align: right; } th { border-bottom: 1px solid #666; }
td.name { text-align: left; max-width: 24ch; overflow: hidden; white-space: nowrap; }
"""

_COLUMNS = (("rank", "#"), ("name", "Name"), ("total", "Total"), ("strategy", "Strategy"), ("outcome", "Outcome"),
            ("real_world_error", "Real-world error %"), ("weeks", "Weeks"))

_SCRIPT = """
const COLS = %(cols)s;
async function refresh() {
  try {
    const resp = await fetch('/api/leaderboard' + %(query)s, {cache: 'no-store'});
    if (!resp.ok) return;
    const data = await resp.json();
    const board = document.getElementById('board');
    const byCase = {};
    for (const e of data.entries) (byCase[e.case] = byCase[e.case] || []).push(e);
    board.replaceChildren();
    for (const c of Object.keys(byCase).sort()) {
      const section = document.createElement('section');
      const h = document.createElement('h2'); h.textContent = c; section.appendChild(h);
      const table = document.createElement('table');
      const head = table.insertRow();
      for (const [k, label] of COLS) { const th = document.createElement('th'); th.textContent = label; head.appendChild(th); }
      for (const e of byCase[c].slice(0, %(top)d)) {
        const row = table.insertRow();
        for (const [k] of COLS) { const td = row.insertCell(); td.textContent = e[k]; if (k === 'name') td.className = 'name'; }
      }
      section.appendChild(table); board.appendChild(section);
    }
    if (!data.entries.length) { const p = document.createElement('p'); p.textContent = 'No results yet.'; board.appendChild(p); }
    document.getElementById('frozen').textContent = data.frozen_at
      ? 'Board frozen at ' + data.frozen_at + ' (results are still collected and shown after the reveal)' : '';
  } catch (err) { /* the server may be restarting; try again at the next tick */ }
}
setInterval(refresh, %(refresh)d);
"""


def _table(entries: list[Entry]) -> str:
    head = "".join(f"<th>{escape(label)}</th>" for _, label in _COLUMNS)
    rows = []
    for e in entries[:TOP]:
        data = e.as_json()
        cells = "".join(f'<td class="name">{escape(str(data[k]))}</td>' if k == "name" else f"<td>{escape(str(data[k]))}</td>"
                        for k, _ in _COLUMNS)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def render_board(entries: list[Entry], join_url: str, frozen_at: str | None, case: str | None) -> str:
    import json

    by_case: dict[str, list[Entry]] = {}
    for e in entries:
        by_case.setdefault(e.case, []).append(e)
    sections = "".join(f"<section><h2>{escape(c)}</h2>{_table(rows)}</section>" for c, rows in sorted(by_case.items()))
    if not sections:
        sections = "<p>No results yet.</p>"
    frozen = (f"Board frozen at {escape(frozen_at)} (results are still collected and shown after the reveal)"
              if frozen_at else "")
    from urllib.parse import quote

    query = json.dumps(f"?case={quote(case, safe='')}" if case else "")
    script = _SCRIPT % {"cols": json.dumps(_COLUMNS), "query": query.replace("<", "\\u003c"), "top": TOP,
                        "refresh": REFRESH_MS}
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mlsim workshop</title><style>{_STYLE}</style></head>
<body>
<h1>mlsim workshop{escape(' — ' + case) if case else ''}</h1>
<div class="join">Join: <code>mlsim play CASE --workshop '{escape(join_url)}' --name YOUR_NAME</code></div>
<div class="frozen" id="frozen">{frozen}</div>
<div id="board">{sections}</div>
<script>{script}</script>
</body></html>
"""
