"""Playing in the browser from the join page (`mlsim workshop serve --play`): a game process per learner.

The learner opens /join, types a name and picks a case; the server issues their ticket itself (the same
call as POST /api/tickets) and keeps it in a data folder of the learner's own, then sends the tab to
/play/TOKEN. That page is textual-serve's terminal; its websocket starts `python -m sim.tui.browser` with
Textual's web driver in that folder (textual-serve's AppService), and the game sends its result to this
server like any `mlsim play --workshop` does. The token in the URL (and a cookie, for a reopened tab) is the
learner's session: a reloaded tab starts a new process that continues the saved game at its last choice
(the game saves every choice), so nothing is lost when a tab, a process or the server goes away. A second
tab on the same session takes it over. Sessions with no key pressed for `idle_s` are closed (the game is
saved; reloading continues it); at most `cap` processes run at once and the others see a waiting page
that retries; every process is stopped when the server stops.
"""

from __future__ import annotations

import asyncio
import functools
import html
import json
import secrets
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from aiohttp import WSMsgType, web

from sim.tui.serve import game_page_template, textual_serve_dir

SESSION_MB = 120  # what one game process may take (measured ~70 MB after 10 moves, benchmarks: browser_session_mb)
IDLE_S = 20 * 60
COOKIE = "mlsim_play"  # the learner's game in this browser (a reopened tab finds it)
WHO = "mlsim_learner"  # this browser's learner key: the same name from another browser is another learner
RETRY_S = 5


def default_cap() -> int:
    """Game processes this machine can hold at once: the memory available now over SESSION_MB (at least 2)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            info = {line.split(":")[0]: int(line.split()[1]) for line in f if line.strip()}
        available_mb = info.get("MemAvailable", info.get("MemFree", 0)) // 1024
    except (OSError, ValueError, IndexError):
        available_mb = 4096
    return max(2, available_mb // SESSION_MB)


@dataclass
class Learner:
    token: str
    name: str
    case: str
    seed: int
    folder: Path
    who: str = ""
    code: str = ""  # the room's join code (the game sends its result there)
    last_key: float = field(default_factory=time.monotonic)
    socket: web.WebSocketResponse | None = None
    service: object | None = None  # textual_serve AppService while a tab is connected


class BrowserPlay:
    """The learners' game sessions of one server process."""

    def __init__(self, folder: Path, cap: int | None = None, idle_s: float = IDLE_S,
                 say: Callable[[str], None] = print):
        self.folder, self.cap, self.idle_s, self.say = Path(folder), cap or default_cap(), idle_s, say
        self.learners: dict[str, Learner] = {}
        self.server_url = ""  # how a game process reaches this server, http://host:port (set when it listens)
        self.default_code = ""  # the room's code when the server serves one (sessions saved before codes were kept)
        self.watchdog: asyncio.Task | None = None

    # ---- life --------------------------------------------------------------------------------------
    def routes(self) -> list:
        return [web.get("/join", self.get_join), web.get("/join.js", self.get_join_js),
                web.post("/api/play", self.post_play), web.get("/play/{token}", self.get_play),
                web.get("/play/{token}/ws", self.get_socket),
                web.static("/play-static", textual_serve_dir() / "static")]

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._load()
        self.watchdog = asyncio.ensure_future(self._close_idle())

    async def stop(self) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
            await asyncio.gather(self.watchdog, return_exceptions=True)
        await asyncio.gather(*(self._close(learner, "the workshop server stopped") for learner in self.live()),
                             return_exceptions=True)

    def live(self) -> list[Learner]:
        return [learner for learner in self.learners.values() if learner.service is not None]

    def health(self) -> dict:
        return {"sessions": len(self.learners), "playing": len(self.live()), "cap": self.cap}

    def _load(self) -> None:
        """Sessions from before a restart (each folder keeps its learner.json): their tabs reconnect."""
        for path in self.folder.glob("*/learner.json"):
            try:
                kept = json.loads(path.read_text(encoding="utf-8"))
                self.learners[kept["token"]] = Learner(kept["token"], kept["name"], kept["case"], int(kept["seed"]),
                                                       path.parent, kept.get("who", ""), kept.get("code", ""))
            except (OSError, ValueError, KeyError, TypeError):
                continue

    # ---- pages ---------------------------------------------------------------------------------------
    async def get_join(self, request: web.Request) -> web.Response:
        from sim.scenario import list_cases

        cases = await asyncio.get_running_loop().run_in_executor(None, list_cases)
        mine = self.learners.get(request.cookies.get(COOKIE, ""))
        again = (f'<p class="again">Your game of {html.escape(mine.case)} as {html.escape(mine.name)}: '
                 f'<a href="/play/{mine.token}">continue it</a>.</p>') if mine else ""
        options = "".join(f'<option value="{html.escape(c.id)}">{html.escape(c.id)}</option>' for c in cases)
        code = html.escape(request.query.get("code", ""))
        return _page("Join the workshop", f"""
<h1>Play in this browser</h1>{again}
<form id="join" data-code="{code}">
<label>Your name on the board <input name="name" maxlength="40" required autofocus></label>
<label>Case <select name="case">{options}</select></label>
<button type="submit">Play</button>
<p id="said" role="alert"></p>
</form>
<p class="note">Nothing to install: the game runs on the workshop's server and your result goes straight to the
board. Reloading this tab later continues your game where you left it.</p>
<script src="/join.js"></script>""")

    async def get_join_js(self, request: web.Request) -> web.Response:
        return web.Response(text=JOIN_JS, content_type="application/javascript")

    async def post_play(self, request: web.Request) -> web.Response:
        from sim.board.server import WORKSHOP, _body, _client, _room_for_code, issue_ticket

        workshop = request.app[WORKSHOP]
        body = await _body(request, '{"code", "name", "case"}')
        room = await _room_for_code(workshop, body)
        asked = str(body.get("name") or "").strip()
        who = request.cookies.get(WHO, "")
        who = who if 16 <= len(who) <= 64 and who.isascii() else secrets.token_urlsafe(16)
        ticket, _ = await issue_ticket(workshop, room, asked, body.get("case"), who, _client(request))
        learner = next((lr for lr in self.learners.values() if lr.who == who and lr.name == asked
                        and lr.case == ticket["case"] and lr.seed == ticket["seed"] and lr.code in ("", room.code)),
                       None)
        if learner is None:  # else the same learner asked again (a closed tab): the same game
            learner = self._new_learner(asked, ticket, who, room.code)
        response = web.json_response({"play": f"/play/{learner.token}", "name": ticket["name"],
                                      "seed": ticket["seed"]}, status=201)
        for cookie, value in ((COOKIE, learner.token), (WHO, who)):
            response.set_cookie(cookie, value, max_age=30 * 24 * 3600, httponly=True, samesite="Strict")
        return response

    def _new_learner(self, asked: str, ticket: dict, who: str, code: str) -> Learner:
        from sim.board.client import remember_ticket

        token = secrets.token_urlsafe(16)
        folder = self.folder / token
        (folder / "tickets").mkdir(parents=True, exist_ok=True)
        learner = Learner(token, asked, ticket["case"], int(ticket["seed"]), folder, who, code)
        remember_ticket(self.game_url(learner), asked, ticket, folder / "tickets")
        (folder / "learner.json").write_text(json.dumps({"token": token, "name": asked, "case": learner.case,
                                                         "seed": learner.seed, "who": who, "code": code}),
                                             encoding="utf-8")
        self.learners[token] = learner
        return learner

    async def get_play(self, request: web.Request) -> web.Response:
        learner = self.learners.get(request.match_info["token"])
        if learner is None:
            return _page("No such game", '<h1>No game here</h1><p>This link is not a game of this workshop (or the '
                                         'trainer started a new board). <a href="/join">Join again</a>.</p>', 404)
        if learner.service is None and len(self.live()) >= self.cap:
            return self._waiting(learner)
        ws = f"{'wss' if request.secure else 'ws'}://{request.host}/play/{learner.token}/ws"
        text = _game_template().render(font_size=16, app_websocket_url=ws, config={"static": {"url": "/play-static/"}},
                               application={"name": f"mlsim: {learner.name} on {learner.case}"}, ping_url="")
        return web.Response(text=text, content_type="text/html", headers={"Cache-Control": "no-store"})

    def _waiting(self, learner: Learner) -> web.Response:
        from sim import fmt

        return _page("Waiting for a seat", f"""
<meta http-equiv="refresh" content="{RETRY_S}">
<h1>Waiting for a free seat</h1>
<p>{fmt.count(len(self.live()))} learners are playing, as many as this server holds at once. This page tries
again every {fmt.seconds(RETRY_S)}; your game ({html.escape(learner.case)}) starts as soon as a seat frees up.</p>""",
                     503, {"Retry-After": str(RETRY_S)})

    # ---- the game over a websocket ---------------------------------------------------------------------
    async def get_socket(self, request: web.Request) -> web.WebSocketResponse:
        from textual_serve.app_service import AppService
        from textual_serve.download_manager import DownloadManager

        learner = self.learners.get(request.match_info["token"])
        socket = web.WebSocketResponse(heartbeat=15)
        await socket.prepare(request)
        if learner is None:
            await socket.close(message=b"no such game")
            return socket
        if learner.service is not None:  # another tab (or the same one reloaded): it takes the game over
            await self._close(learner, "the game was opened in another tab")
        elif len(self.live()) >= self.cap:
            await socket.close(message=b"the server is full; reload to wait for a seat")
            return socket
        width, height = _int(request.query.get("width"), 80), _int(request.query.get("height"), 24)
        service = AppService(self._command(learner), write_bytes=socket.send_bytes, write_str=socket.send_str,
                             close=socket.close, download_manager=DownloadManager())
        learner.service, learner.socket, learner.last_key = service, socket, time.monotonic()
        try:
            await service.start(width, height)
            await self._pump(socket, service, learner)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if learner.service is service:
                learner.service = learner.socket = None
            await service.stop()
        return socket

    def game_url(self, learner: Learner) -> str:
        """The workshop URL a learner's game sends its result to: this server, the learner's room."""
        return f"{self.server_url}/?code={learner.code or self.default_code}"

    def _command(self, learner: Learner) -> str:
        game = " ".join(shlex.quote(a) for a in (learner.case, learner.name, self.game_url(learner),
                                                  str(learner.seed)))
        # One malloc arena and no BLAS threads: a game is one thread's work on small arrays, and each extra
        # arena or BLAS buffer is memory that thirty sessions on the host's machine pay thirty times.
        return (f"MLSIM_HOME={shlex.quote(str(learner.folder))} MALLOC_ARENA_MAX=1 OPENBLAS_NUM_THREADS=1 "
                f"exec {shlex.quote(sys.executable)} -P -m sim.tui.browser {game}")

    @staticmethod
    async def _pump(socket: web.WebSocketResponse, service, learner: Learner) -> None:
        """The browser's keys, size and focus to the game (textual-serve's protocol); every key resets idleness."""
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                kind, data = json.loads(message.data)
            except (ValueError, TypeError):
                continue
            if kind == "stdin" and isinstance(data, str):
                learner.last_key = time.monotonic()
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await service.set_terminal_size(_int(data.get("width"), 80), _int(data.get("height"), 24))
            elif kind == "ping":
                await socket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def _close(self, learner: Learner, why: str) -> None:
        service, socket = learner.service, learner.socket
        learner.service = learner.socket = None
        if service is not None:
            await service.stop()  # the game quits; it saved its last choice already
        if socket is not None and not socket.closed:
            await socket.close(message=why.encode()[:120])

    async def _close_idle(self) -> None:
        while True:
            await asyncio.sleep(min(30.0, max(0.2, self.idle_s / 4)))
            now = time.monotonic()
            for learner in self.live():
                if now - learner.last_key > self.idle_s:
                    await self._close(learner, "closed after a while without a key; reload to continue")


def _int(value, default: int) -> int:
    try:
        return max(10, min(int(value), 1000))
    except (TypeError, ValueError):
        return default


@functools.cache
def _game_template():
    from jinja2 import Template

    return Template(game_page_template())


PAGE_CSS = """body{font-family:system-ui,sans-serif;background:#0c181f;color:#eee;max-width:40rem;margin:3rem auto;
padding:0 1rem}label{display:block;margin:1rem 0}input,select,button{font-size:1.1rem;padding:.4rem;margin-left:.5rem}
button{background:#5e0ba7;color:#fff;border:0;padding:.6rem 1.6rem}a{color:#9cf}.note{color:#9ab}#said{color:#f99}"""


def _page(title: str, body: str, status: int = 200, headers: dict | None = None) -> web.Response:
    text = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width"><style>{PAGE_CSS}</style></head>'
            f'<body>{body}</body></html>')
    return web.Response(text=text, content_type="text/html", status=status,
                        headers={"Cache-Control": "no-store", **(headers or {})})


JOIN_JS = """
const form = document.getElementById("join");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const said = document.getElementById("said");
  said.textContent = "";
  const code = form.dataset.code || new URLSearchParams(location.search).get("code") || "";
  const body = {code, name: form.elements.name.value, case: form.elements.case.value};
  try {
    const resp = await fetch("/api/play", {method: "POST", headers: {"Content-Type": "application/json"},
                                           body: JSON.stringify(body)});
    const answer = await resp.json();
    if (resp.ok) { location.href = answer.play; } else { said.textContent = answer.error; }
  } catch (err) {
    said.textContent = "The workshop server cannot be reached; try again in a moment.";
  }
});
"""
