"""The projector page of a workshop: one case per page in large type, paged to fit the screen, advancing by itself.

The HTML is a shell; /static/board.js fills it from /api/leaderboard (with its ETag) and sets every name
with textContent, and the page's Content-Security-Policy allows no inline script at all, so a name is
always shown as text and never run. Numbers arrive already rounded by the game's formatter (sim.fmt).
Keys: → / Page Down / Space next page, ← / Page Up previous, P pauses the auto-advance.
"""

from __future__ import annotations

import json
from html import escape

REFRESH_S = 3  # the board polls this often (a 304 when nothing changed)

_CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; overflow: hidden; background: #111; color: #eee;
  font-family: system-ui, "DejaVu Sans", sans-serif; }
body { display: flex; flex-direction: column; padding: 2vh 3vw; }
header { flex: none; }
h1 { margin: 0; font-size: 5vh; line-height: 1.15; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.join { font-size: 2.4vh; color: #9cf; margin-top: .6vh; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.status { font-size: 2.2vh; color: #aaa; margin-top: .4vh; min-height: 2.8vh; white-space: nowrap; }
.frozen { color: #fc6; }
main { flex: 1; min-height: 0; margin-top: 1.5vh; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 3vh; }
th, td { height: 4.6vh; padding: 0 1vw; text-align: right; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; line-height: 4.6vh; }
th { border-bottom: .3vh solid #666; color: #bbb; font-weight: 600; font-size: 2.4vh; }
tr:nth-child(even) td { background: #1b1b1b; }
td.name, th.name { text-align: left; width: 36%; }
td.rank, th.rank { width: 7%; }
td.practice { color: #888; font-size: 2.2vh; }
p.empty { font-size: 3.5vh; color: #aaa; }
"""

_JS = r"""
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('config').textContent);
  var COLS = [['rank', '#'], ['name', 'Name'], ['total', 'Total'], ['strategy', 'Strategy'],
              ['outcome', 'Outcome'], ['real_world_error', 'Real world %'], ['weeks', 'Weeks']];
  var data = {entries: [], frozen_at: null}, etag = null, pages = [], current = 0, paused = false;
  var lastTurn = Date.now();

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;  // always text: a name never becomes markup
    return node;
  }

  function cell(entry, key) {
    if (key === 'rank') return entry.practice ? 'practice' : String(entry.rank);
    if (entry.shown && key in entry.shown) return entry.shown[key];
    return String(entry[key]);
  }

  function header(table) {
    var row = table.insertRow();
    COLS.forEach(function (col) { row.appendChild(el('th', col[0] === 'name' || col[0] === 'rank' ? col[0] : '', col[1])); });
  }

  function rowsThatFit() {
    // Measure a real header and row in the space the table gets; what fits is one page.
    var main = document.getElementById('board');
    var probe = el('table');
    header(probe);
    probe.insertRow().insertCell().textContent = 'x';
    probe.style.visibility = 'hidden';
    main.replaceChildren(probe);
    var rowHeight = probe.rows[1].getBoundingClientRect().height || 1;
    var available = main.getBoundingClientRect().height - probe.rows[0].getBoundingClientRect().height;
    return Math.max(1, Math.floor(available / rowHeight));
  }

  function layout() {
    var byCase = {};
    data.entries.forEach(function (e) { (byCase[e.case] = byCase[e.case] || []).push(e); });
    var per = rowsThatFit();
    var old = pages[current];
    pages = [];
    Object.keys(byCase).sort().forEach(function (c) {
      var rows = byCase[c], count = Math.max(1, Math.ceil(rows.length / per));
      for (var i = 0; i < count; i++) pages.push({case: c, rows: rows.slice(i * per, (i + 1) * per), index: i, of: count});
    });
    current = 0;
    if (old) pages.forEach(function (p, i) { if (p.case === old.case && p.index === old.index) current = i; });
    render();
  }

  function render() {
    var main = document.getElementById('board');
    var page = pages[current];
    document.getElementById('frozen').textContent = data.frozen_at
      ? 'Board frozen at ' + data.frozen_at + ': results are still collected and shown after the reveal.' : '';
    if (!page) {
      document.getElementById('title').textContent = config.title;
      document.getElementById('page').textContent = '';
      main.replaceChildren(el('p', 'empty', 'No results yet.'));
      return;
    }
    document.getElementById('title').textContent = page.case;
    document.getElementById('page').textContent = 'page ' + (current + 1) + ' of ' + pages.length +
      (page.of > 1 ? ' (' + page.case + ' ' + (page.index + 1) + '/' + page.of + ')' : '') +
      (paused ? ' \u00b7 paused (P)' : '') + ' \u00b7 \u2190 \u2192 to move';
    var table = el('table');
    header(table);
    page.rows.forEach(function (entry) {
      var row = table.insertRow();
      row.dataset.entry = entry.id;
      COLS.forEach(function (col) {
        var td = row.insertCell();
        td.textContent = cell(entry, col[0]);
        if (col[0] === 'name' || col[0] === 'rank') td.className = col[0];
        if (col[0] === 'rank' && entry.practice) td.className = 'rank practice';
      });
    });
    main.replaceChildren(table);
  }

  function turn(step) {
    if (!pages.length) return;
    current = (current + step + pages.length) % pages.length;
    lastTurn = Date.now();
    render();
  }

  async function refresh() {
    try {
      var headers = etag ? {'If-None-Match': etag} : {};
      var resp = await fetch('/api/leaderboard' + config.query, {headers: headers, cache: 'no-store'});
      if (resp.status === 304 || !resp.ok) return;
      etag = resp.headers.get('ETag');
      data = await resp.json();
      layout();
    } catch (err) { /* the server may be restarting; the next tick tries again */ }
  }

  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'ArrowRight' || ev.key === 'PageDown' || ev.key === ' ') { turn(1); ev.preventDefault(); }
    else if (ev.key === 'ArrowLeft' || ev.key === 'PageUp') { turn(-1); ev.preventDefault(); }
    else if (ev.key === 'p' || ev.key === 'P') { paused = !paused; lastTurn = Date.now(); render(); }
  });
  window.addEventListener('resize', layout);
  setInterval(function () {
    if (!paused && config.advance_s > 0 && pages.length > 1 && Date.now() - lastTurn >= config.advance_s * 1000) turn(1);
  }, 250);
  setInterval(refresh, config.refresh_s * 1000);
  refresh();
})();
"""

_FAVICON = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
<rect width="64" height="64" rx="12" fill="#1d3557"/>
<rect x="12" y="38" width="10" height="16" fill="#9cf"/><rect x="27" y="26" width="10" height="28" fill="#9cf"/>
<rect x="42" y="12" width="10" height="42" fill="#fc6"/></svg>
"""

ASSETS = {
    "board.css": ("text/css", _CSS),
    "board.js": ("application/javascript", _JS),
    "favicon.svg": ("image/svg+xml", _FAVICON),
    "favicon.ico": ("image/svg+xml", _FAVICON),  # browsers ask for this path; an SVG is what they get
}


def render_page(join_url: str, case: str | None, advance_s: int, refresh_s: int = REFRESH_S,
                play: bool = False, code: str | None = None) -> str:
    """`code`: the room's join code, when the server holds several rooms (the board's data is asked for with it)."""
    from urllib.parse import urlencode

    title = f"mlsim workshop — {case}" if case else "mlsim workshop"
    query = urlencode({key: value for key, value in (("code", code), ("case", case)) if value})
    config = {"query": f"?{query}" if query else "", "advance_s": advance_s, "refresh_s": refresh_s, "title": title}
    # JSON inside <script type="application/json"> is data, never run; "<" escaped so it cannot close the tag.
    config_json = json.dumps(config).replace("<", "\\u003c")
    base, _, query = join_url.partition("?")
    # A line of its own: the room must read the whole address from the back row (one line cut it at 1280 px).
    browser = (f'\n<div class="join">Or in a browser, nothing to install: <code>{escape(base.rstrip("/"))}/join?'
               f'{escape(query)}</code></div>') if play else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/board.css">
<script type="application/json" id="config">{config_json}</script>
<script src="/static/board.js" defer></script>
</head>
<body>
<header>
<h1 id="title">{escape(title)}</h1>
<div class="join">Join: <code>mlsim play CASE --workshop '{escape(join_url)}' --name YOUR_NAME</code></div>{browser}
<div class="status"><span id="page"></span> <span class="frozen" id="frozen"></span></div>
</header>
<main id="board"><p class="empty">Loading the board…</p></main>
</body></html>
"""
