"""Run the real `mlsim` in a pseudo-terminal: send keys, read what it draws, wait on conditions (not on time)."""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUARD_S = 30.0  # only a guard against a hung child; no assertion depends on how fast anything is


class Terminal:
    def __init__(self, args: list[str], env: dict, cols: int = 80, rows: int = 24, program: list[str] | None = None):
        """Run `python -m sim ARGS` (or `program`, a whole argv, e.g. a reference app for the benchmarks)."""
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**env, "TERM": "xterm-256color", "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(program or [sys.executable, "-m", "sim", *args], stdin=slave, stdout=slave, stderr=slave,
                                     env=env, cwd=ROOT, start_new_session=True)
        os.close(slave)
        self.output = bytearray()
        self.arrivals: list[tuple[float, int]] = []  # (perf_counter when a chunk arrived, output length after it)
        self._grew = threading.Condition()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            now = time.perf_counter()
            with self._grew:
                self.output += chunk
                self.arrivals.append((now, len(self.output)))
                self._grew.notify_all()

    def text(self) -> str:
        return self.output.decode("utf-8", "ignore")

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

    def press_until(self, key: str, condition, what: str, tries: int = 6) -> None:
        """Press a key and wait for its effect; press again if the screen was not ready for it yet."""
        for _ in range(tries):
            self.send(key)
            deadline = time.monotonic() + GUARD_S / tries
            while time.monotonic() < deadline:
                if condition():
                    return
                time.sleep(0.05)
        raise AssertionError(f"gave up waiting for {what}")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        os.close(self.master)
