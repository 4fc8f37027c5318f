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
    def __init__(self, args: list[str], env: dict, cols: int = 80, rows: int = 24):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**env, "TERM": "xterm-256color", "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, "-m", "sim", *args], stdin=slave, stdout=slave, stderr=slave,
                                     env=env, cwd=ROOT, start_new_session=True)
        os.close(slave)
        self.output = bytearray()
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
            self.output += chunk

    def text(self) -> str:
        return self.output.decode("utf-8", "ignore")

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait_for(self, condition, what: str) -> None:
        deadline = time.monotonic() + GUARD_S
        while not condition():
            if self.proc.poll() is not None:
                raise AssertionError(f"mlsim exited ({self.proc.returncode}) while waiting for {what}:\n{self.text()[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting for {what}")
            time.sleep(0.05)

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
