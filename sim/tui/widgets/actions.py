"""The actions menu: one line per action (its id and cost in weeks) grouped by family, and what the highlighted
one does (ActionDetail, below the menu).

Nothing is played by accident. Keys: arrows move, Enter plays. Mouse: a click selects an action and shows its
description; a second click on it (or Enter) plays it. (An Enter typed at a verdict that was closing never
reaches this menu: the app drops keys pressed before the screen on top was shown, see sim/tui/app.py.)
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sim import fmt
from sim.game import ActionInfo
from sim.model.actions import FAMILIES
from sim.tui.widgets.styled import BAD, BOLD, HEADING, MUTED, Styled

FAMILY_TITLES = {
    "bias": "Avoidable bias", "variance": "Variance", "mismatch": "Data mismatch",
    "dev_overfitting": "Dev overfitting", "measure": "Measure", "aim": "Aim (metric, dev/test)",
    "other_tasks": "Other tasks", "iteration_speed": "Iteration speed", "finish": "Finish",
}
OVER = "over"  # marks an action that costs more weeks than are left


def cost(action: ActionInfo) -> str:
    return f"{fmt.weeks(action.weeks)} wk"


class ActionMenu(OptionList):
    """Option ids are the action ids; `actions` and `weeks_left` are what `show` was last given."""

    @dataclass
    class Armed(Message):
        """A first click selected `action`: the next click on it plays it."""

        action: str

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.actions: dict[str, ActionInfo] = {}
        self.weeks_left = 0.0
        self._clicked: str | None = None  # the action a first click selected: a second click on it plays it

    def show(self, actions: list[ActionInfo], weeks_left: float) -> None:
        highlighted = self.highlighted_option.id if self.highlighted_option is not None else None
        self.actions, self.weeks_left, self._clicked = {a.id: a for a in actions}, weeks_left, None
        self.clear_options()
        options: list[Option | None] = []
        width = max((len(a.name) for a in actions), default=0) + 2
        costs = max((len(cost(a)) + (len(OVER) + 1 if a.weeks > weeks_left else 0) for a in actions), default=0)
        room = self.size.width - 2  # the scrollbar's column
        if room > 0:  # a case's own long names are cut with an ellipsis, never the cost (it wraps otherwise)
            width = max(min(width, room - costs), 8)
        for family in FAMILIES:
            group = [a for a in actions if a.family == family]
            if not group:
                continue
            options.append(Option(Styled().append(FAMILY_TITLES.get(family, family), HEADING).content(), disabled=True))
            for a in group:
                name = a.name if len(a.name) < width else a.name[:width - 2] + "…"
                label = Styled().append(f"{name:<{width}}", BOLD).append(cost(a))
                if a.weeks > weeks_left:
                    label.append(f" {OVER}")
                options.append(Option(label.content(), id=a.id))
        self.add_options(options)
        target = highlighted if highlighted in self.actions else None
        if target is not None:
            self.highlighted = self.get_option_index(target)
        else:
            self.action_first()

    async def _on_click(self, event: events.Click) -> None:
        event.prevent_default()  # not OptionList's own click, which selects (plays) at once
        index = event.style.meta.get("option")
        if index is None or self.get_option_at_index(index).disabled:
            return
        option_id = self.get_option_at_index(index).id
        if self._clicked == option_id and self.highlighted == index:
            self.action_select()
        else:
            self.highlighted = index
            self._clicked = option_id
            self.post_message(self.Armed(option_id))

    @property
    def armed(self) -> str | None:
        """The action a click selected (a second click plays it), if the highlight is still on it."""
        option = self.highlighted_option
        return self._clicked if option is not None and option.id == self._clicked else None

    def on_key(self, event: events.Key) -> None:
        self._clicked = None  # a key in between: the next click selects again


class ActionDetail(Static):
    """What the highlighted action costs against the weeks left (after a click: how to play it), then what it
    does. A fixed height, so following the highlight repaints three lines and never lays the screen out again
    (that doubled the cost of an arrow key)."""

    DEFAULT_CSS = "ActionDetail { height: 4; padding: 0 1; }"  # its top border and three lines

    def describe(self, action: ActionInfo | None, weeks_left: float, armed: bool = False) -> None:
        if action is None:
            self.update("", layout=False)
            return
        text = Styled()
        if armed:
            text.append(f"Click again to play: {cost(action)}", BOLD)
        else:
            text.append(f"{cost(action)} of {fmt.weeks(weeks_left)} left", MUTED)
        if action.weeks > weeks_left:
            text.append(": past the budget", BAD)
        text.append(f"\n{action.summary}")
        if action.label:  # the case's own word: say the id a choices file or `mlsim play --choices` uses
            text.append(f" ({action.id})", MUTED)
        self.update(text.content(), layout=False)
