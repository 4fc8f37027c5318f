"""The projector page in headless Chromium at 1280x720 and 1920x1080: every row of a page on screen, no scrolling,
every entry on some page, the game's rounding, and no script run from a name."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from tests.board.conftest import START_TIMEOUT_S  # noqa: F401 - the server fixture's timeout applies here too
from tests.browser import chromium

ROOM_SEED = 31
PER_CASE = 40
HOSTILE = ["<script>window.pwned=1</script>", '<img src=x onerror="window.pwned=2">', '"><svg onload=window.pwned=3>',
           "Z\u0334\u0321\u034d\u0359a\u0336l\u0337g\u0338o\u0335 \u0334\u0321\u034d\u0359" * 3, "\u202eevil right-to-left",
           "W" * 40, "=HYPERLINK(\"http://x\")", "javascript:alert(1)", "\u0410da", "Ada", "\U0001f389 Party \U0001f389"]


def _names(case_index: int) -> list[str]:
    names = [f"{HOSTILE[i % len(HOSTILE)]} {case_index}.{i}" if i < len(HOSTILE) else f"Learner {case_index}.{i}"
             for i in range(PER_CASE)]
    return names


async def _fill(base: str) -> dict[str, int]:
    from sim.game import Game, play_policy
    from sim.scenario import list_cases, load_case_file

    counts = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        for k, ref in enumerate(list_cases()):
            case, digest = load_case_file(ref.path)
            games = [json.loads(json.dumps(play_policy(Game(case, digest, ROOM_SEED), "random").result()))]
            for i, name in enumerate(_names(k)):
                async with session.post(f"{base}/api/tickets", json={"code": "BIRDS7", "name": name,
                                                                     "case": case.id}) as resp:
                    ticket = await resp.json()
                    assert resp.status == 201, ticket
                async with session.post(f"{base}/api/results", json={"code": "BIRDS7", "name": ticket["name"],
                                                                     "ticket": ticket["ticket"],
                                                                     "result": games[0]}) as resp:
                    assert resp.status == 201, await resp.text()
            counts[case.id] = PER_CASE
        async with session.get(f"{base}/favicon.ico") as resp:
            assert resp.status == 200 and resp.content_type == "image/svg+xml"
    return counts


@pytest.fixture(scope="module")
def board_server(tmp_path_factory):
    from tests.board.conftest import start_server

    tmp = tmp_path_factory.mktemp("projector")
    server = start_server(tmp / "w.sqlite3", tmp / "server.log", "--room-seed", str(ROOM_SEED), "--page-seconds", "0",
                          "--play")  # the header then shows both ways to join
    try:
        counts = asyncio.run(_fill(server.base))
        yield server, counts
    finally:
        server.stop()


PAGE_STATE = """
const rows = [...document.querySelectorAll('#board tr')].slice(1);
const doc = document.documentElement;
return {
  title: document.getElementById('title').textContent,
  page: document.getElementById('page').textContent,
  names: rows.map(r => r.cells[1].textContent),
  weeks: rows.map(r => r.cells[6].textContent),
  ids: rows.map(r => r.dataset.entry),
  offscreen: rows.filter(r => { const b = r.getBoundingClientRect(); return b.bottom > innerHeight + 0.5 ||
                                 b.right > innerWidth + 0.5 || b.top < 0; }).length,
  scrolls: doc.scrollHeight > innerHeight || doc.scrollWidth > innerWidth,
  joins: [...document.querySelectorAll('.join')].map(e => [e.textContent, e.scrollWidth > e.clientWidth + 1]),
  pwned: window.pwned === undefined ? null : window.pwned,
  injected: document.querySelectorAll('#board img, #board svg, #board script, body > script:not([src]):not([type])').length,
};
"""


@pytest.mark.parametrize("width, height", [(1280, 720), (1920, 1080)])
def test_the_projector_page_fits_the_screen_pages_through_every_entry_and_runs_no_name(board_server, width, height,
                                                                                     tmp_path):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    server, counts = board_server
    with chromium(width, height) as browser:
        browser.get(server.base + "/")
        WebDriverWait(browser, 20).until(lambda b: b.execute_script(PAGE_STATE)["names"])
        first = browser.execute_script(PAGE_STATE)
        pages = int(first["page"].split(" of ")[1].split()[0])
        assert len(first["joins"]) == 2 and not any(cut for _, cut in first["joins"]), first["joins"]  # whole, read
        assert pages >= len(counts)  # one case per page at least
        seen: dict[str, list[str]] = {}
        lengths: list[int] = []
        body = browser.find_element("tag name", "body")
        for n in range(pages):
            state = browser.execute_script(PAGE_STATE)
            assert state["offscreen"] == 0 and not state["scrolls"], (n, state["page"])
            lengths.append(len(state["names"]))
            assert state["pwned"] is None and state["injected"] == 0
            seen.setdefault(state["title"], []).extend(state["ids"])
            assert all(w and len(w.partition(".")[2]) <= 1 for w in state["weeks"])  # the game's rounding: 43.1, 52
            browser.save_screenshot(str(tmp_path / f"projector-{width}x{height}-{n + 1}.png"))
            body.send_keys(Keys.ARROW_RIGHT)
            WebDriverWait(browser, 5).until(lambda b, before=state["page"]: pages == 1 or
                                            b.execute_script(PAGE_STATE)["page"] != before)
        assert browser.execute_script(PAGE_STATE)["page"] == first["page"]  # round the whole board and back
        assert browser.title.startswith("mlsim workshop")
    assert max(lengths) >= 12  # large type, yet a useful page: a dozen rows or more
    assert {case: len(ids) for case, ids in seen.items()} == counts  # every entry on some page...
    assert all(len(set(ids)) == len(ids) for ids in seen.values())  # ...and on one only


def test_the_page_advances_by_itself_and_shows_names_as_typed(board_server):
    from selenium.webdriver.support.ui import WebDriverWait

    server, _ = board_server
    with chromium(1280, 720) as browser:
        browser.get(server.base + "/?advance=1")
        WebDriverWait(browser, 20).until(lambda b: b.execute_script(PAGE_STATE)["names"])
        before = browser.execute_script(PAGE_STATE)["page"]
        WebDriverWait(browser, 10).until(lambda b: b.execute_script(PAGE_STATE)["page"] != before)
        names = browser.execute_script(PAGE_STATE)["names"]
        browser.get(server.base + "/?case=bird-detection&advance=0")
        WebDriverWait(browser, 20).until(lambda b: b.execute_script(PAGE_STATE)["names"])
        shown = browser.execute_script(PAGE_STATE)
    assert names and shown["title"] == "bird-detection"
    assert any(n.startswith("<script>window.pwned=1</script>") for n in shown["names"])  # text, not markup
    assert shown["pwned"] is None
