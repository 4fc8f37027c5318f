"""The actions menu: grouped by family, each with its cost in weeks and a one-line description."""

from __future__ import annotations

from sim.tui.widgets.styled import Styled
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from sim.game import ActionInfo
from sim.model.actions import FAMILIES

FAMILY_TITLES = {
    "bias": "Avoidable bias", "variance": "Variance", "mismatch": "Data mismatch",
    "dev_overfitting": "Dev overfitting", "measure": "Measure", "aim": "Aim (metric, dev/test)",
    "other_tasks": "Other tasks", "iteration_speed": "Iteration speed", "finish": "Finish",
}

class ActionMenu(OptionList):
    """Arrow keys or the mouse to move, Enter or a click to act; option ids are the action ids."""

    def show(self, actions: list[ActionInfo], weeks_left: float) -> None:
        highlighted = self.highlighted_option.id if self.highlighted_option is not None else None
        self.clear_options()
        options: list[Option | None] = []
        for family in FAMILIES:
            group = [a for a in actions if a.family == family]
            if not group:
                continue
            options.append(Option(Styled().append(FAMILY_TITLES.get(family, family), "bold $accent").content(), disabled=True))
            for a in group:
                label = Styled()
                label.append(f"{a.id}", style="bold")
                over = a.weeks > weeks_left
                label.append(f"  {a.weeks:.1f} wk", style="bold $error" if over else "$text-muted")
                label.append(f"\n  {a.summary}", style="dim")
                options.append(Option(label.content(), id=a.id))
        self.add_options(options)
        ids = [a.id for a in actions]
        target = highlighted if highlighted in ids else None
        if target is not None:
            self.highlighted = self.get_option_index(target)
        else:
            self.action_first()
