"""A minimal Textual app (header, an OptionList of 30 two-line options, footer) to measure Textual's own floor.

bench_tui runs it in the same pseudo-terminal harness as mlsim, so the difference is what mlsim itself costs.
It uses mlsim's driver, so that it too exits when the benchmark dies and its terminal closes (an idle thread).
"""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Label, OptionList
from textual.widgets.option_list import Option


class FloorApp(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Enter to start")
        yield OptionList(*[Option(f"option {i}\n  a one-line description", id=f"o{i}") for i in range(30)])
        yield Footer()


if __name__ == "__main__":
    from sim.tui.driver import HangupAwareDriver

    FloorApp(driver_class=HangupAwareDriver).run()
