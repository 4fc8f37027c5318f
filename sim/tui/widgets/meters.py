"""The budget bar (weeks used of the budget) and one meter per satisficing metric against its threshold."""

from __future__ import annotations

from textual.content import Content

from sim.game.game import Meter
from sim.tui.widgets.styled import Styled
from textual.widget import Widget


def _bar(fraction: float, width: int, style: str) -> Styled:
    filled = max(0, min(width, round(width * fraction)))
    return Styled().append("█" * filled, style).append("░" * (width - filled), "dim")


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

    def render(self) -> Content:
        width = self.size.width or 40
        label_w = min(24, max(12, width - 22))
        bar_w = max(width - label_w - 12, 4)
        text = Styled()
        over = self.week > self.budget
        text.append(f"{'Budget (weeks)':<{label_w}}", style="bold")
        text.append_text(_bar(self.week / self.budget, bar_w, "bold $error" if over else "$primary"))
        text.append(f" {self.week:>5.1f}/{self.budget:g}", style="bold $error" if over else "")
        for meter in self.meters:
            broken = not meter.ok
            text.append("\n")
            text.append(f"{meter.label[:label_w - 1]:<{label_w}}", style="bold")
            text.append_text(_bar(meter.value / meter.limit, bar_w, "bold $error" if broken else "$success"))
            text.append(f" {meter.value:>5.1f}≤{meter.limit:g}", style="bold $error" if broken else "")
        return text.content()
