"""The error ladder: rungs with their values (`?` and the revealing action when unmeasured) and the named gaps."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from sim import fmt
from sim.tui.widgets.styled import BAD, BAR, BAR_HUMAN, BOLD, HEADING, MUTED, MUTED_ITALIC, Styled

# Top to bottom: the rung, its label, what reveals it; then the gap between it and the rung below.
RUNGS = (
    ("real_world", "real world", "ship"),
    ("test", "test", "evaluate_test"),
    ("dev", "dev", "a training run"),
    ("train_dev", "train-dev", "carve_train_dev"),
    ("train", "train", "a training run"),
    ("human", "human-level", "measure_human_level"),
)
GAPS = ("deployment_gap", "dev_overfitting", "data_mismatch", "variance", "avoidable_bias")
GAP_LABELS = {"deployment_gap": "deployment gap", "dev_overfitting": "dev overfitting",
              "data_mismatch": "data mismatch", "variance": "variance", "avoidable_bias": "avoidable bias"}
LABEL_W, VALUE_W = 11, 7  # "human-level"; " 12.34%" (the space keeps it off the longest label)
FRAMES = 8  # animation frames when the ladder moves (about a quarter of a second)


class LadderWidget(Widget):
    """Shows a ladder given as numbers from the Game and the coach; it only draws them."""

    DEFAULT_CSS = "LadderWidget { height: auto; text-wrap: nowrap; text-overflow: ellipsis; }"
    frame = reactive(FRAMES, layout=False)

    def __init__(self, *, animate: bool = True, id: str | None = None, proxy: str = "human-level") -> None:
        super().__init__(id=id)
        self.animate_moves = animate
        self.proxy = proxy  # the bottom rung's name: a human level, the best system, a Bayes estimate
        self.values: dict[str, float | None] = {}
        self.before: dict[str, float | None] = {}
        self.gaps: dict[str, float | None] = {}
        self.problems: list[str] = []
        self._timer = None

    def show(self, ladder: dict[str, float | None], gaps: dict[str, float | None], problems: list[str]) -> None:
        moved = self.values and ladder != self.values
        self.before, self.values = dict(self.values), dict(ladder)
        self.gaps, self.problems = dict(gaps), list(problems)
        if moved and self.animate_moves and self.app.animation_level != "none":
            self.frame = 0
            if self._timer is None:
                self._timer = self.set_interval(1 / 30, self._tick)
        else:
            self.frame = FRAMES
            self.refresh()

    def _tick(self) -> None:
        self.frame = min(self.frame + 1, FRAMES)
        if self.frame >= FRAMES and self._timer is not None:
            self._timer.stop()
            self._timer = None

    def watch_frame(self) -> None:
        self.refresh()

    def _shown(self, rung: str) -> float | None:
        """The value drawn this frame: eased from the previous value while the ladder moves."""
        new, old = self.values.get(rung), self.before.get(rung)
        if new is None or old is None or self.frame >= FRAMES:
            return new
        t = self.frame / FRAMES
        return old + (new - old) * (1 - (1 - t) ** 3)

    def _gap_name(self, gap: str) -> str:
        """The gap's label; avoidable bias names its base when the coach reads it against another figure than the
        bottom rung (the best human level measured, when the team took a weaker proxy): train - rung then differs."""
        train, human, bias = self.values.get("train"), self.values.get("human"), self.gaps.get(gap)
        if gap == "avoidable_bias" and None not in (train, human, bias):
            base = train - bias
            if abs(base - human) > 0.005:
                return f"bias vs {fmt.percent(base)}"
        return GAP_LABELS[gap]

    def render(self) -> Content:
        width = max(self.size.width, 30)
        shown = {rung: self._shown(rung) for rung, _, _ in RUNGS}
        top = max([v for v in shown.values() if v is not None] or [1.0]) or 1.0
        bar_room = max(width - LABEL_W - VALUE_W - 3, 4)
        text = Styled()
        moving = self.frame < FRAMES
        for i, (rung, label, reveal) in enumerate(RUNGS):
            value = shown[rung]
            text.append(f"{(self.proxy if rung == 'human' else label):<{LABEL_W}}", style=BOLD)
            if value is None:
                text.append(f"{'?':>{VALUE_W}} ", style=MUTED)
                text.append(f"via {reveal}", style=MUTED_ITALIC)
            else:
                text.append(f"{fmt.percent(value):>{VALUE_W}}  ", style=HEADING if moving else BOLD)
                bar = max(1, round(bar_room * value / top))
                text.append("█" * bar, style=BAR if rung != "human" else BAR_HUMAN)
            text.append("\n")
            if i < len(GAPS):
                gap = GAPS[i]
                size = self.gaps.get(gap)
                name = self._gap_name(gap)
                problem = gap in self.problems
                style = BAD if problem else MUTED
                text.append("   ↕ ", style=style)
                text.append(f"{name:<16}", style=style)
                text.append(f"{'?' if size is None else fmt.signed(size):>6}", style=style)
                if problem:
                    text.append(" ◀ largest" if self.problems and self.problems[0] == gap else " ◀ problem", style=BAD)
                text.append("\n")
        return text.content()
