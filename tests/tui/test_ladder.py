"""The ladder widget: what its rows say (the numbers a learner subtracts must add up)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from sim.tui.widgets.ladder import LadderWidget


class _One(App):
    def compose(self) -> ComposeResult:
        yield LadderWidget(animate=False)


LADDER = {"human": 1.0, "train": 1.81, "train_dev": None, "dev": 4.2, "test": None, "real_world": None}


async def _text(gaps: dict) -> str:
    app = _One()
    async with app.run_test(size=(80, 24)) as pilot:
        widget = app.query_one(LadderWidget)
        widget.show(LADDER, gaps, ["avoidable_bias"])
        await pilot.pause()
        return widget.render().plain


async def test_bias_read_against_another_figure_than_the_bottom_rung_names_that_figure():
    # The team took a weaker proxy (1.00%) than the best human level measured (0.50%): the coach's bias is
    # train - 0.50 = 1.31, which train - rung (0.81) would contradict without the base on the row.
    text = await _text({"avoidable_bias": 1.31, "variance": None, "data_mismatch": None, "dev_overfitting": None})
    assert "bias vs 0.50%" in text and "+1.31" in text


async def test_bias_against_the_bottom_rung_keeps_its_plain_name():
    text = await _text({"avoidable_bias": 0.81, "variance": None, "data_mismatch": None, "dev_overfitting": None})
    assert "avoidable bias" in text and "bias vs" not in text
