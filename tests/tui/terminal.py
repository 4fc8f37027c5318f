"""Run the real `mlsim` in a pseudo-terminal: send keys, read what it draws, wait on conditions (not on time).

Nothing is left running. The child leads a process group of its own, and every way out of a Terminal kills
that whole group: `close()` (also on leaving a `with` block, on an exception, a KeyboardInterrupt or a
guard timeout), an atexit hook for whatever is still open when the interpreter ends, and, for the ways out
that run no Python at all (SIGKILL of the test runner), the app itself exits when its terminal closes
(sim/tui/driver.py; tests/tui/test_hangup.py checks it).
"""

from __future__ import annotations

import atexit
import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUARD_S = 30.0  # only a guard against a hung child; no assertion depends on how fast anything is

_open: set["Terminal"] = set()  # every Terminal not closed yet, for the atexit hook


class Terminal:
    def __init__(self, args: list[str], env: dict, cols: int = 80, rows: int = 24, program: list[str] | None = None):
        """Run `python -m sim ARGS` (or `program`, a whole argv, e.g. a reference app for the benchmarks)."""
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**env, "TERM": "xterm-256color", "PYTHONPATH": str(ROOT)}
        try:
            self.proc = subprocess.Popen(program or [sys.executable, "-m", "sim", *args], stdin=slave, stdout=slave,
                                         stderr=slave, env=env, cwd=ROOT, start_new_session=True)
        except BaseException:
            os.close(self.master)
            raise
        finally:
            os.close(slave)
        _open.add(self)
        self._master_open = True
        self.output = bytearray()
        self.arrivals: list[tuple[float, int]] = []  # (perf_counter when a chunk arrived, output length after it)
        self._grew = threading.Condition()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def __enter__(self) -> "Terminal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                chunk = b""
            now = time.perf_counter()
            with self._grew:
                if chunk:
                    self.output += chunk
                    self.arrivals.append((now, len(self.output)))
                self._grew.notify_all()
            if not chunk:
                return

    def text(self, since: int = 0) -> str:
        """Everything drawn so far, or drawn after output position `since` (see `mark`)."""
        return self.output[since:].decode("utf-8", "ignore")

    def mark(self) -> int:
        """The output position now: `text(since=mark)` is what was drawn after it."""
        with self._grew:
            return len(self.output)

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def first_output_after(self, length: int) -> float:
        """Block until the output grows past `length`; the perf_counter time at which those bytes arrived.

        The reader thread stamps each chunk as it reads it, so the time does not depend on how often we look.
        """
        with self._grew:
            if not self._grew.wait_for(lambda: len(self.output) > length or self.proc.poll() is not None, GUARD_S):
                raise AssertionError("gave up waiting for output")
            for stamp, end in self.arrivals:
                if end > length:
                    return stamp
        raise AssertionError(f"mlsim exited ({self.proc.returncode}) before drawing")

    def wait_for(self, condition, what: str) -> float:
        """Wait (woken by each chunk of output) until condition() holds; the arrival time of the last chunk read."""
        deadline = time.monotonic() + GUARD_S
        with self._grew:
            while not condition():
                if self.proc.poll() is not None:
                    raise AssertionError(f"mlsim exited ({self.proc.returncode}) while waiting for {what}:\n"
                                         f"{self.text()[-2000:]}")
                if time.monotonic() > deadline:
                    raise AssertionError(f"gave up waiting for {what}")
                self._grew.wait(0.05)
            return self.arrivals[-1][0] if self.arrivals else time.perf_counter()

    def press(self, key: str, until, what: str) -> None:
        """Send `key` once and wait until `until(drawn)` holds, `drawn` being the text drawn since the key.

        Once only: a key is not idempotent (Enter plays an action). Wait for the screen that takes the key
        before pressing it (`wait_for`, or the `until` of the previous press), by text that only that screen
        draws: a modal's repaints re-send the screen under it, and the app drops keys pressed before the
        screen on top was shown.
        """
        start = self.mark()
        self.send(key)
        self.wait_for(lambda: until(self.text(since=start)), what)

    def hang_up(self) -> None:
        """Close our end of the terminal without a signal, as a parent cut short does."""
        if self._master_open:
            self._master_open = False
            os.close(self.master)

    def close(self) -> None:
        """Kill the child's whole process group (whether or not the child is still alive), then reap it."""
        _open.discard(self)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass  # the group is gone already
        self.proc.wait()
        self.hang_up()


@atexit.register
def _close_all() -> None:
    for term in list(_open):
        term.close()
