"""`mlsim workshop serve --play`: learners play in browser tabs, from the join page to the board.

The browser test drives Debian's headless Chromium (tests/browser.py): ten tabs at once, each joining, playing
its game to the debrief with keys; one tab is reloaded mid-game and must continue where it was. What a tab
shows is a terminal drawn on a canvas, so progress is read where the game keeps it: each learner's save file in
the server's play folder (appended after every choice), and the board's own API.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import aiohttp

from tests.board.conftest import checked, health, wait_for

N_TABS = 10


def _saves(play: Path, token: str) -> list[Path]:
    return sorted((play / token / "saves").glob("*.jsonl"))


def _log(path: Path) -> tuple[list[str], bool]:
    """The choices saved so far and whether the game ended (its result is the log's last line)."""
    choices, finished = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if "choice" in row:
            choices.append(row["choice"])
        finished = finished or "result" in row
    return choices, finished


def _game_pids(play: Path) -> list[int]:
    """Processes running a game of this server's play folder (their command line names the folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environ = (entry / "environ").read_bytes()
            except OSError:
                continue
            if f"MLSIM_HOME={play}".encode() in environ:
                found.append(int(entry.name))
    return found


def test_ten_browser_tabs_play_to_the_debrief_and_a_reloaded_tab_continues(tmp_path, servers):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from tests.browser import chromium

    server = servers(tmp_path / "board.sqlite3", tmp_path / "server.log", "--play")
    play = tmp_path / "board.play"
    names = [f"Learner {chr(65 + i)}" for i in range(N_TABS)]
    with chromium(1100, 700) as driver:
        tabs: dict[str, tuple[str, str]] = {}  # name -> (window handle, session token)
        for i, name in enumerate(names):
            if i:
                driver.switch_to.new_window("tab")
            driver.get(f"{server.base}/join?code=BIRDS7")
            driver.find_element(By.NAME, "name").send_keys(name)
            driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            _until(lambda: "/play/" in driver.current_url, f"{name}'s game page")
            tabs[name] = (driver.current_window_handle, driver.current_url.rsplit("/play/", 1)[1])
        assert len({token for _, token in tabs.values()}) == N_TABS

        def key(name: str, *keys: str) -> None:
            driver.switch_to.window(tabs[name][0])
            _until(lambda: driver.execute_script("return document.body.classList.contains('-first-byte')"),
                   f"{name}'s game on screen")
            area = driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
            for k in keys:
                area.send_keys(k)

        def state(name: str) -> tuple[list[Path], list[str], bool]:
            saves = _saves(play, tabs[name][1])
            return (saves, *_log(saves[-1])) if saves else (saves, [], False)

        reloaded, before_reload = names[0], None
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            playing = [n for n in names if not state(n)[2]]
            if not playing:
                break
            for name in playing:
                # "a" answers a decision (and does nothing elsewhere); Enter starts the project, closes a
                # verdict or an event, and plays the highlighted action: enough to reach the end of any game.
                key(name, "a", Keys.ENTER)
            _, choices, finished = state(reloaded)
            if before_reload is None and len(choices) >= 3 and not finished:
                before_reload = choices
                driver.switch_to.window(tabs[reloaded][0])
                driver.refresh()
                _until(lambda: driver.execute_script(
                    "return document.body.classList.contains('-first-byte')"), "the reloaded tab's game")
            time.sleep(0.3)
        assert all(state(n)[2] for n in names), {n: state(n)[1:] for n in names}

    assert before_reload is not None
    saves, choices, _ = state(reloaded)
    assert len(saves) == 1 and choices[:len(before_reload)] == before_reload  # the same game, continued

    async def board() -> list[dict]:
        async with aiohttp.ClientSession() as session:
            async def listed():
                async with session.get(f"{server.base}/api/leaderboard") as resp:
                    entries = (await resp.json())["entries"]
                return entries if len(entries) >= N_TABS else None

            return await wait_for(listed, timeout=60, what="the ten results on the board")

    entries = asyncio.run(board())
    assert sorted(e["name"] for e in entries) == sorted(names)
    _until(lambda: _game_pids(play) == [], "every game to end with its tab")
    server.stop()
    assert "Traceback" not in server.output()


def _until(predicate, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def _join(session, base: str, name: str) -> str:
    async with session.post(f"{base}/api/play", json={"code": "BIRDS7", "name": name, "case": "bird-detection"}) as resp:
        assert resp.status == 201, await resp.text()
        return (await resp.json())["play"]


async def _screen(ws, want: int = 2000) -> int:
    """Read the game's output until `want` bytes came (its first frame), the count."""
    got = 0
    while got < want:
        message = await asyncio.wait_for(ws.receive(), 60)
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
            break
        got += len(message.data or b"")
    return got


async def test_past_the_cap_a_tab_waits_and_gets_a_seat_when_one_frees(tmp_path, servers, session):
    server = servers(tmp_path / "board.sqlite3", tmp_path / "server.log", "--play", "--play-sessions", "1")
    first, second = await _join(session, server.base, "Ada"), await _join(session, server.base, "Bo")
    ws_base = server.base.replace("http://", "ws://")
    async with session.ws_connect(f"{ws_base}{first}/ws") as ws:
        assert await _screen(ws) >= 2000
        async with session.get(f"{server.base}{second}") as resp:
            assert resp.status == 503 and "Waiting for a free seat" in await resp.text()
            assert resp.headers["Retry-After"]
        assert (await health(session, server.base))["play"] == {"sessions": 2, "playing": 1, "cap": 1}
    async def seated():
        async with session.get(f"{server.base}{second}") as resp:
            return resp.status == 200
    await wait_for(seated, what="a seat for the second learner")


async def test_an_idle_game_is_saved_and_closed_and_the_server_stopping_ends_every_game(tmp_path, servers, session):
    server = servers(tmp_path / "board.sqlite3", tmp_path / "server.log", "--play", "--idle-minutes", "0.05")
    play = tmp_path / "board.play"
    ws_base = server.base.replace("http://", "ws://")
    idle = await _join(session, server.base, "Ada")
    async with session.ws_connect(f"{ws_base}{idle}/ws") as ws:
        await _screen(ws)
        await ws.send_str(json.dumps(["stdin", "\r"]))  # the briefing -> the game (its save file is written)
        token = idle.rsplit("/", 1)[1]
        await wait_for(checked(lambda: _saves(play, token)), what="the game's save file")
        started = time.monotonic()
        while not ws.closed and time.monotonic() - started < 30:
            await ws.receive()
        assert ws.closed and 2 <= time.monotonic() - started < 30  # closed for idleness (3 s), not at once
    await wait_for(checked(lambda: not _game_pids(play / token)), what="the idle game to end")
    assert _saves(play, token)  # kept: a reload continues it

    busy = [await _join(session, server.base, name) for name in ("Bo", "Cy")]
    sockets = [await session.ws_connect(f"{ws_base}{path}/ws") for path in busy]
    for ws in sockets:
        await _screen(ws)
    assert len(_game_pids(play)) == 2
    server.stop()
    assert _game_pids(play) == []
    for ws in sockets:
        await ws.close()


def test_the_join_page_refuses_a_wrong_code_and_a_taken_name_with_a_sentence(tmp_path, servers):
    async def run():
        server = servers(tmp_path / "board.sqlite3", tmp_path / "server.log", "--play", "--names", "refuse")
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{server.base}/join?code=BIRDS7") as resp:
                page = await resp.text()
                assert resp.status == 200 and 'name="name"' in page and "bird-detection" in page
            async with session.post(f"{server.base}/api/play",
                                    json={"code": "WRONG1", "name": "Ada", "case": "bird-detection"}) as resp:
                assert resp.status == 403 and "join code" in (await resp.json())["error"]
            await _join(session, server.base, "Ada")
            async with aiohttp.ClientSession() as other:  # another browser: another learner
                async with other.post(f"{server.base}/api/play",
                                      json={"code": "BIRDS7", "name": "Ada", "case": "bird-detection"}) as resp:
                    assert resp.status == 409 and "taken" in (await resp.json())["error"]
            async with session.get(f"{server.base}/play/not-a-game") as resp:
                assert resp.status == 404 and "Join again" in await resp.text()
            async with session.get(f"{server.base}/") as resp:
                assert "/join?code=BIRDS7" in await resp.text()

    asyncio.run(run())



async def test_a_killed_server_leaves_no_game_or_replay_process_behind(tmp_path, servers, session):
    """SIGKILL gives the server no chance to stop its games: each must notice on its own and end."""
    server = servers(tmp_path / "board.sqlite3", tmp_path / "server.log", "--play")
    play = tmp_path / "board.play"
    ws_base = server.base.replace("http://", "ws://")
    sockets = [await session.ws_connect(f"{ws_base}{await _join(session, server.base, name)}/ws")
               for name in ("Ada", "Bo")]
    for ws in sockets:
        await _screen(ws)
    games = _game_pids(play)
    assert len(games) == 2
    workers = _children_running(server.proc.pid, "sim.board.worker")
    server.proc.kill()
    server.proc.wait(timeout=10)
    await wait_for(checked(lambda: not _game_pids(play)), timeout=20, what="the games to end after the server died")
    await wait_for(checked(lambda: not any(_running(pid) for pid in workers)), timeout=20,
                   what="the re-play workers to end after the server died")
    for ws in sockets:
        await ws.close()


def _children_running(parent: int, module: str) -> list[int]:
    """Processes whose parent is `parent` and whose command line runs `module`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent and module.encode() in cmdline:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Whether `pid` is alive (a zombie, dead but not yet reaped by its new parent, counts as ended)."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def test_the_game_page_asks_nothing_of_another_site_and_serves_its_own_font(tmp_path, servers, session):
    """A room may have no internet, and a learner's browser should not tell a third party they are playing."""
    import re

    server = servers(tmp_path / "board.sqlite3", tmp_path / "server.log", "--play")
    play = await _join(session, server.base, "Ada")
    async with session.get(f"{server.base}{play}") as resp:
        assert resp.status == 200
        page = await resp.text()
    fetched = re.findall(r'(?:href|src)="([^"]+)"|url\(["\']?([^"\')]+)', page)
    urls = [href or url for href, url in fetched]
    assert urls and not [u for u in urls if re.match(r"(https?:)?//", u)], urls
    fonts = [u for u in urls if u.endswith(".ttf")]
    assert fonts
    for url in urls:
        if "{{" not in url:
            async with session.get(f"{server.base}{url}") as resp:
                assert resp.status == 200, url


async def test_with_every_room_served_a_tab_plays_in_the_room_it_joined(tmp_path, servers, session):
    from tests.board.test_hosted import _add_room

    db = str(tmp_path / "board.sqlite3")
    (code_a, _), (code_b, _) = _add_room(db), _add_room(db)
    server = servers(db, tmp_path / "server.log", "--all-rooms", "--play", own_room=False)
    async with session.post(f"{server.base}/api/play", json={"code": code_b, "name": "Ada", "case": "bird-detection"}) as resp:
        assert resp.status == 201, await resp.text()
        play = (await resp.json())["play"]
    async with session.ws_connect(f"{server.base.replace('http://', 'ws://')}{play}/ws") as ws:
        assert await _screen(ws) >= 2000
        games = _game_pids(tmp_path / "board.play")
        assert len(games) == 1
        argv = Path(f"/proc/{games[0]}/cmdline").read_bytes().split(b"\0")
        assert f"{server.base}/?code={code_b}".replace("localhost", "127.0.0.1").encode() in argv  # its result goes to room B
