"""One learner's game in a browser tab of a workshop (`mlsim workshop serve --play`), run by the server per tab.

    python -P -m sim.tui.browser CASE NAME WORKSHOP_URL SEED

The server gives each learner a data folder of their own (MLSIM_HOME) with the ticket it issued in it, and
starts this under Textual's web driver whenever the learner's tab connects. The first time it opens the case
on the ticket's seed; after that (a reloaded or reopened tab, a session closed while idle) it continues the
newest game saved in that folder at its last choice, or shows its debrief when it was finished.
"""

from __future__ import annotations

import sys

from sim.tui.app import MlsimApp


class BrowserGame(MlsimApp):
    def __init__(self, saved, **kwargs) -> None:
        super().__init__(**kwargs)
        self._saved = saved

    def on_mount(self) -> None:
        # Textual runs MlsimApp.on_mount as well, after this one (it calls every class's handler, subclass first):
        # continue once it has opened the case's briefing.
        if self._saved is not None:
            self.call_later(self.continue_game, self._saved)


def latest_save():
    """The newest game saved in this data folder that has a choice in it (finished or not), or None."""
    from sim.game.replay import read_log
    from sim.game.saves import saves_folder
    from sim.scenario import CaseError

    folder = saves_folder()
    if not folder.is_dir():
        return None
    for path in sorted(folder.glob("*.jsonl"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            saved = read_log(path)
        except (CaseError, OSError, UnicodeDecodeError):
            continue
        if "case" in saved.header and saved.choices and saved.resumable:
            return saved
    return None


def end_with_server(poll_s: float = 0.5) -> None:
    """End this game when the server that started it is gone, however it went (SIGKILL leaves no time to stop
    its games; Textual's web driver only stops reading when its input closes). Every choice is saved as it is
    made, so nothing is lost; os._exit, because the screen it would draw on is gone with the server."""
    import os
    import threading
    import time

    server = os.getppid()

    def watch() -> None:
        while os.getppid() == server:
            time.sleep(poll_s)
        os._exit(0)

    threading.Thread(target=watch, name="end-with-server", daemon=True).start()


def main(argv: list[str]) -> int:
    from sim.scenario import find_case

    case, name, workshop, seed = argv
    end_with_server()
    app = BrowserGame(latest_save(), case_path=str(find_case(case)), seed=int(seed), name=name, workshop=workshop)
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
