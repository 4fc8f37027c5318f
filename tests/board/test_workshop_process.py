"""The real `mlsim workshop serve` process: killed (SIGKILL) mid-burst, restarted, and every outbox delivers."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import aiohttp
import pytest

from sim.board.client import aflush_outbox, asubmit_or_queue

START_TIMEOUT_S = 60


def _start_server(db, port: int, log) -> tuple[subprocess.Popen, str]:
    """Start `mlsim workshop serve`; output goes to a file (its re-play workers may outlive a killed server)."""
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "sim", "workshop", "serve", "--host", "127.0.0.1", "--port",
                                 str(port), "--code", "BIRDS7", "--db", str(db), "--rate", "0", "--workers", "2"],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and proc.poll() is None:
        for line in log.read_text().splitlines():
            if line.startswith("Join URL: "):
                return proc, line.split(" ", 2)[2].strip()
        time.sleep(0.05)
    proc.kill()
    proc.wait(timeout=10)
    raise AssertionError(f"the server did not start: {log.read_text()}")


async def _count_entries(base: str, session) -> list[str]:
    async with session.get(f"{base}/api/leaderboard") as resp:
        return [e["result_id"] for e in (await resp.json())["entries"]]


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and select on pipes are POSIX")
async def test_sigkill_mid_burst_then_restart_delivers_every_outbox_once(honest_results, tmp_path):
    db = tmp_path / "workshop.sqlite3"
    proc, url = _start_server(db, 0, tmp_path / "first.log")
    restarted = None
    try:
        port = int(url.split(":")[2].split("/")[0])
        base = url.split("/?")[0]
        outboxes = [tmp_path / "clients" / str(i) / "outbox" for i in range(len(honest_results))]
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                         timeout=aiohttp.ClientTimeout(total=60)) as session:
            tasks = [asyncio.create_task(asubmit_or_queue(url, f"learner {i}", r, outbox=box, session=session))
                     for i, (r, box) in enumerate(zip(honest_results, outboxes))]
            deadline = time.monotonic() + 60
            while sum(t.done() for t in tasks) < 30 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            first = await asyncio.gather(*tasks)
            sent_before = sum(o.sent for o in first)
            waiting = sum(any(box.glob("*.json")) for box in outboxes)
            assert sent_before >= 30 and waiting > 0, (sent_before, waiting)
            assert sent_before + waiting == len(honest_results)  # each result was either stored or kept

            restarted, url_again = _start_server(db, port, tmp_path / "second.log")
            assert url_again == url  # same port and code: the URLs in the outboxes still work
            flushed = await asyncio.gather(*(aflush_outbox(box, session) for box in outboxes))
            assert all(o.sent for outcomes in flushed for o in outcomes), [o.message for f in flushed for o in f
                                                                           if not o.sent][:3]
            stored = await _count_entries(base, session)
        assert sorted(stored) == sorted(r["id"] for r in honest_results)  # nothing lost, nothing twice
        assert not any(any(box.glob("*.json")) for box in outboxes)
        assert not any((box / "rejected").exists() for box in outboxes)
    finally:
        for p in (proc, restarted):
            if p is not None and p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(timeout=10)
