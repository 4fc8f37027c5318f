"""The room's debrief: `mlsim workshop report` (HTML opened in headless Chromium, Markdown) and /room on the server."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import pytest

from sim import fmt
from sim.board.verify import verify
from sim.cli import main
from tests.board.conftest import CASE, played
from tests.browser import chromium

N_ENTRIES = 100


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    """A workshop board file with 100 ranked bird-detection entries (re-played when stored, as the server does)."""
    from sim.board.sqlite_store import SQLiteStore
    from sim.board.verify import verify

    path = tmp_path_factory.mktemp("room") / "workshop.sqlite3"
    store = SQLiteStore(path)
    results = [played(100 + i, i) for i in range(N_ENTRIES)]
    try:
        for i, result in enumerate(results):
            store.add(verify(result), f"Learner <b>{i}</b>")
    finally:
        store.close()
    return path, results


def _report(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(["workshop", "report", *args])
    except SystemExit as exit_:  # argparse's usage errors
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def _expected_breaks(results) -> Counter:
    return Counter(rule for r in results for rule in {t["rule"] for t in r["turns"] if t["verdict"] == "misaligned"})


PAGE = """
const rows = sel => [...document.querySelectorAll(sel + ' tr')].slice(1).map(r => [...r.cells].map(c => c.textContent));
return {
  bars: document.querySelectorAll('figure.histogram svg [id^="patch_"] path').length,
  svgs: document.querySelectorAll('figure.histogram svg').length,
  rules: rows('table.rules'), instead: rows('table.instead'), paths: rows('table.paths'),
  heads: [...document.querySelectorAll('table.paths th')].map(c => c.textContent),
  scripts: document.querySelectorAll('script').length,
  requests: performance.getEntriesByType('resource').map(e => e.name),
  tags: document.querySelectorAll('b').length,
  width: document.documentElement.scrollWidth, inner: innerWidth,
};
"""


def test_the_html_report_of_100_entries_opens_in_chromium_with_its_plot_and_tables(board, capsys, tmp_path):
    path, results = board
    html = tmp_path / "debrief.html"
    code, out, err = _report(capsys, "--db", str(path), "--html", str(html))
    assert code == 0, err
    assert f"{N_ENTRIES} entries" in out
    text = html.read_text(encoding="utf-8")
    assert "<script" not in text and "http://" not in text.replace("http://www.w3.org/", "")
    with chromium(1280, 900) as browser:
        browser.get(html.as_uri())
        page = browser.execute_script(PAGE)
        browser.save_screenshot(str(tmp_path / "debrief.png"))
        console = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert console == []
    assert page["requests"] == [] and page["scripts"] == 0
    assert page["svgs"] == 1 and page["bars"] >= 2  # the histogram, drawn as SVG patches
    assert page["tags"] == 0  # a name is text, never markup
    assert page["width"] <= page["inner"]
    expected = _expected_breaks(results)
    shown = {rule: int(broke) for rule, broke, _share, _bar in page["rules"]}
    assert {r: n for r, n in shown.items() if n} == dict(expected)  # the share who broke each rule, per learner
    top_rule, top_n = expected.most_common(1)[0]
    assert page["rules"][0][0] in {r for r, n in expected.items() if n == top_n}
    assert page["rules"][0][2] == f"{round(100 * top_n / N_ENTRIES)}%"
    assert page["instead"] and all(int(n) > 0 for _, n, _ in page["instead"])
    assert page["paths"] and page["heads"][1].startswith("best: Learner <b>")
    best_total = max(r["score"]["total"] for r in results)
    assert f"({best_total} points" in page["heads"][1]
    best = results[int(page["heads"][1].split("<b>")[1].split("</b>")[0])]  # the learner the column names
    assert best["score"]["total"] == best_total
    assert [row[1] for row in page["paths"] if row[1]] == best["choices"]  # their path, whole and in order


def test_the_markdown_report_has_the_same_tables(board, capsys, tmp_path):
    path, results = board
    md = tmp_path / "debrief.md"
    code, _, err = _report(capsys, "--db", str(path), "--md", str(md))
    assert code == 0, err
    text = md.read_text(encoding="utf-8")
    assert f"## {CASE}" in text and "| rule | learners who broke it | share |" in text
    for rule, n in _expected_breaks(results).items():
        assert f"| {rule} | {n} |" in text
    section = text.split("Total scores:")[1].split("### Rules")[0]
    histogram = [line for line in section.splitlines() if line.startswith("| ") and "total" not in line]
    assert sum(int(line.split("|")[3]) for line in histogram) == N_ENTRIES  # every learner in one bin
    assert "Learner &lt;b&gt;" in text and "<b>" not in text
    totals = sorted(verify(r).total for r in results)  # 100 totals: the median is a mean of two
    median = (totals[49] + totals[50]) / 2
    assert f"median {fmt.number(median)};" in text


@pytest.mark.parametrize("args, code, says", [
    (["--db", "/no/such/board.sqlite3", "--md", "x.md"], 1, "/no/such/board.sqlite3"),
    (["--md", "x.md", "--html", "x.html"], 2, "not allowed with"),
    ([], 2, "required"),
])
def test_bad_report_arguments_are_one_sentence(capsys, tmp_path, monkeypatch, args, code, says):
    monkeypatch.chdir(tmp_path)
    got, _, err = _report(capsys, *args)
    assert got == code and says in err and "Traceback" not in err


async def test_room_opens_with_a_signed_link_or_publicly_after_a_freeze_when_the_trainer_says_so(tmp_path, session):
    from tests.board.conftest import workshop_server

    async with workshop_server(tmp_path) as workshop:
        for i in range(6):
            ticket = await workshop.ticket(session, f"Learner {i}")
            status, answer = await workshop.submit(session, ticket, played(ticket["seed"], i))
            assert status == 201, answer

        async def room(url: str) -> tuple[int, str, dict]:
            async with session.get(url) as resp:
                return resp.status, await resp.text(), dict(resp.headers)

        status, body, _ = await room(f"{workshop.base}/room")
        assert status == 403 and "room-link" in json.loads(body)["error"]
        status, _, _ = await room(f"{workshop.base}/room?expires=99999999999&sig=forged")
        assert status == 403
        status, link = await workshop.post(session, "/api/admin/room-link", {}, workshop.admin)
        assert status == 200 and "sig=" in link["url"] and workshop.token not in link["url"]
        status, page, headers = await room(link["url"])
        assert status == 200 and f'id="case-{CASE}"' in page and "<script" not in page
        assert "script-src" not in headers["Content-Security-Policy"]  # none allowed: default-src 'none'
        assert page.count("<tr") > 6 and "<svg" in page

        def in_chromium(url: str) -> tuple[dict, list]:  # in a thread: the server answers on this loop meanwhile
            with chromium(1280, 720) as browser:
                browser.get(url)
                return browser.execute_script(PAGE), browser.get_log("browser")

        shown, console = await asyncio.to_thread(in_chromium, link["url"])
        assert console == []  # no CSP violation: inline styles and SVG are allowed, nothing else is needed
        assert shown["svgs"] == 1 and shown["bars"] >= 1 and shown["rules"]
        assert [r for r in shown["requests"] if not r.endswith("/favicon.ico")] == []  # the browser asks for that
        status, _, _ = await room(link["url"].replace("expires=", "expires=1"))
        assert status == 403

        status, _ = await workshop.post(session, "/api/admin/room-public", {"public": True})  # no token
        assert status == 403
        status, answer = await workshop.post(session, "/api/admin/room-public", {"public": True}, workshop.admin)
        assert status == 200 and answer == {"public": True, "open_now": False}
        assert (await room(f"{workshop.base}/room"))[0] == 403  # public only once frozen
        status, _ = await workshop.post(session, "/api/admin/freeze", {"at": "now"}, workshop.admin)
        assert status == 200
        late = await workshop.ticket(session, "Late learner")
        assert (await workshop.submit(session, late, played(late["seed"], 9)))[0] == 201
        status, page, _ = await room(f"{workshop.base}/room")
        assert status == 200 and "6 learners" in page and "Board frozen at" in page  # the freeze holds here too
        status, _ = await workshop.post(session, "/api/admin/room-public", {"public": "yes"}, workshop.admin)
        assert status == 400
        await workshop.post(session, "/api/admin/room-public", {"public": False}, workshop.admin)
        assert (await room(f"{workshop.base}/room"))[0] == 403


def test_where_the_room_left_the_expert_s_path_and_what_it_chose_instead(bird):
    from sim.board.debrief import case_debrief, choice_kind
    from sim.board.store import Entry
    from sim.game import Game, play_policy

    case, digest = bird
    experts = {seed: play_policy(Game(case, digest, seed), "expert").choices for seed in (1, 2, 3, 4, 5)}
    turn = next(k for k in range(1, 40) if all(len(c) > k + 1 and not c[k].startswith("answer")
                                                for c in experts.values()))  # an action on every seed

    def pair(i: int, seed: int, choices: list[str], total: int, broke: bool):
        record = {"case": case.id, "case_hash": digest, "seed": seed, "choices": choices,
                  "turns": [{"rule": "variance", "verdict": "misaligned" if broke else "aligned"}]}
        return Entry(str(i), i + 1, f"L{i}", case.id, total, 0, 0, 1.0, 10.0, "2026-01-01T00:00:00Z", str(i)), record

    ranked = [pair(0, 1, experts[1], 90, False), pair(1, 2, experts[2], 80, False),
              pair(2, 3, experts[3][:turn] + ["ship"], 10, True), pair(3, 4, experts[4][:turn] + ["ship"], 5, True),
              pair(4, 5, experts[5][:turn] + ["evaluate_test", "ship"], 0, True)]
    d = case_debrief(case, digest, ranked)
    dep = d.departure
    assert (dep.turn, dep.learners, dep.of, dep.stayed) == (turn + 1, 3, 5, 2)
    assert dict(dep.instead) == {"ship": 2, "evaluate_test": 1}
    assert {c for c, _ in dep.expert} == {choice_kind(experts[s][turn]) for s in (3, 4, 5)}
    assert [(r.rule, r.broke, r.share) for r in d.rules] == [("variance", 3, 0.6)]
    assert d.best.name == "L0" and d.typical.name == "L2"  # the median of five totals
    assert [r.best for r in d.paths if r.best] == experts[1]
