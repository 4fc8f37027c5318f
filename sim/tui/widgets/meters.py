"""The budget bar (weeks used of the budget) and one meter per satisficing metric against its threshold."""

from __future__ import annotations

from textual.content import Content

from textual.widget import Widget

from sim import fmt
from sim.game.game import Meter
from sim.tui.widgets.styled import BAD, BAR, BAR_BAD, BAR_EMPTY, BAR_OK, BOLD, Styled


def _bar(fraction: float, width: int, style: str) -> Styled:
    filled = max(0, min(width, round(width * fraction)))
    return Styled().append("█" * filled, style).append("░" * (width - filled), BAR_EMPTY)


class Meters(Widget):
    DEFAULT_CSS = "Meters { height: auto; }"

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.week = 0.0
        self.budget = 1.0
        self.meters: list[Meter] = []

    def show(self, week: float, budget: float, meters: list[Meter]) -> None:
        self.week, self.budget, self.meters = week, budget, list(meters)
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return 1 + len(self.meters)

    def readings(self) -> list[str]:
        """The budget's reading, then each meter's value against its threshold, with the digits it needs."""
        return [f"{fmt.weeks(self.week)}/{fmt.weeks(self.budget)}"] + [fmt.meter(m.value, m.limit, m.bound, held=m.ok) for m in self.meters]

    def render(self) -> Content:
        width = self.size.width or 40
        readings = self.readings()
        reading_w = max(len(r) for r in readings)
        label_w = min(24, max(12, width - reading_w - 14))
        bar_w = max(width - label_w - reading_w - 1, 4)
        text = Styled()
        over = self.week > self.budget
        text.append(f"{'Budget (weeks)':<{label_w}}", style=BOLD)
        text.append_text(_bar(self.week / self.budget, bar_w, BAR_BAD if over else BAR))
        text.append(f" {readings[0]:>{reading_w}}", style=BAD if over else None)
        for meter, reading in zip(self.meters, readings[1:]):
            broken = not meter.ok  # the reading stays legible in red: the number is what the player needs
            text.append("\n")
            text.append(f"{meter.label[:label_w - 1]:<{label_w}}", style=BOLD)
            # A maximum fills as the value nears it; a minimum fills as the value stays above it.
            fraction = meter.value / meter.limit if meter.is_max else meter.limit / max(meter.value, 1e-12)
            text.append_text(_bar(fraction, bar_w, BAR_BAD if broken else BAR_OK))
            text.append(f" {reading:>{reading_w}}", style=BAD if broken else None)
        return text.content()
