"""The terminal driver: Textual's Linux driver, plus a clean exit when the terminal goes away without a SIGHUP.

A pseudo-terminal whose other end is closed (a test harness or a benchmark cut short, an ssh session dropped
when the game is not the session leader) sends no signal to a process it is not the controlling terminal of.
Textual's input thread then reads end-of-file forever: each read returns nothing, the selector says the
terminal is readable again at once, and the process spins at full CPU with nobody to see it. Its output thread
dies on the first write (EIO) and the next frames block on its full queue.

Here a watcher thread blocks in poll() on the terminal with no events asked for (poll always reports a
hang-up or an error) and on a pipe that wakes it when the app leaves application mode. On a hang-up it drops
all further output, stops the input loop and asks the app to exit with HANGUP_EXIT. The game itself needs no
rescue: it is saved after every choice.
"""

from __future__ import annotations

import os
import select
import threading

from textual.drivers.linux_driver import LinuxDriver

HANGUP_EXIT = 129  # 128 + SIGHUP, what a shell reports for a process the hang-up signal ended
GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL


class HangupAwareDriver(LinuxDriver):
    """LinuxDriver that notices a closed terminal (EOF or EIO on its input) and ends the app."""

    hung_up = False
    _watcher: threading.Thread | None = None
    _wake: tuple[int, int] | None = None

    def start_application_mode(self) -> None:
        super().start_application_mode()
        self._wake = os.pipe()
        self._watcher = threading.Thread(target=self._watch, args=(self._wake[0],), daemon=True,
                                         name="mlsim-hangup")
        self._watcher.start()

    def _watch(self, wake_fd: int) -> None:
        poller = select.poll()
        poller.register(self.fileno, 0)  # no events asked for: only a hang-up, an error or a closed fd wake us
        poller.register(wake_fd, select.POLLIN)
        while True:
            try:
                ready = dict(poller.poll())
            except InterruptedError:
                continue
            if wake_fd in ready:
                return  # leaving application mode (quit, suspend): nothing to watch any more
            if ready.get(self.fileno, 0) & GONE:
                self._hang_up()
                return

    def _hang_up(self) -> None:
        self.hung_up = True
        self.exit_event.set()  # the input loop stops instead of reading end-of-file in a busy loop
        # Not call_from_thread: it would wait for the exit, which waits for this thread (stop_application_mode).
        try:
            self._loop.call_soon_threadsafe(self._app.exit, None, HANGUP_EXIT)
        except RuntimeError:  # the loop is closed: the app is gone already
            pass

    def write(self, data: str) -> None:
        if not self.hung_up:  # the output thread died on the first write to the closed terminal
            super().write(data)

    def flush(self) -> None:
        if not self.hung_up:
            super().flush()

    def stop_application_mode(self) -> None:
        if self._wake is not None:
            read_end, write_end = self._wake
            os.write(write_end, b"x")
            if self._watcher is not None and self._watcher is not threading.current_thread():
                self._watcher.join()
            os.close(read_end)
            os.close(write_end)
            self._wake, self._watcher = None, None
        super().stop_application_mode()

    def close(self) -> None:
        if not self.hung_up:  # stopping the dead output thread would wait on its full queue forever
            super().close()
