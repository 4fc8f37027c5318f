"""A small text plot of train and dev error over the turns, from the ladders the Game recorded."""

from __future__ import annotations

from textual.content import Content

from textual.widget import Widget

from sim import fmt
from sim.tui.widgets.styled import BOLD, DEV, MUTED, TRAIN, Styled


class TrendPlot(Widget):
    DEFAULT_CSS = "TrendPlot { height: 1fr; min-height: 4; }"

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.train: list[float | None] = []
        self.dev: list[float | None] = []

    def show(self, train: list[float | None], dev: list[float | None]) -> None:
        self.train, self.dev = list(train), list(dev)
        self.refresh()

    def render(self) -> Content:
        rows = max(self.size.height - 2, 2)
        label_w = 7
        cols = max(self.size.width - label_w - 1, 4)
        points = [v for v in self.train + self.dev if v is not None]
        text = Styled()
        text.append("error % over turns  ", style=BOLD)
        text.append("t", style=TRAIN)
        text.append(" train  ")
        text.append("d", style=DEV)
        text.append(" dev\n")
        if not points:
            text.append("(no training run yet)", style=MUTED)
            return text.content()
        low, high = min(points), max(points)
        span = (high - low) or 1.0
        # Keep the newest turns when there are more turns than columns.
        step = 2
        n = min(len(self.train), cols // step)
        train, dev = self.train[-n:], self.dev[-n:]
        grid = [[" "] * (n * step) for _ in range(rows)]
        styles = [[""] * (n * step) for _ in range(rows)]
        for series, mark, style in ((train, "t", TRAIN), (dev, "d", DEV)):
            for x, v in enumerate(series):
                if v is None:
                    continue
                y = rows - 1 - round((v - low) / span * (rows - 1))
                grid[y][x * step] = mark if grid[y][x * step] == " " else "*"
                styles[y][x * step] = style
        for y in range(rows):
            if y == 0:
                label = f"{fmt.error(high):>5} "
            elif y == rows - 1:
                label = f"{fmt.error(low):>5} "
            else:
                label = ""
            text.append(label.ljust(label_w - 1), style=MUTED)
            text.append("│", style=MUTED)
            for x, ch in enumerate(grid[y]):
                text.append(ch, style=styles[y][x] or None)
            if y < rows - 1:
                text.append("\n")
        return text.content()
