"""Driving the app by key presses only: settle modals, pick actions by moving the highlight."""

from __future__ import annotations

from sim.tui.screens.home import HomeScreen
from sim.tui.screens.modals import DecisionModal, ErrorAnalysisModal, EventModal
from sim.tui.widgets.actions import ActionMenu


async def settle(pilot) -> None:
    """Let the workers finish (the home list, the expert's path, a save) and the screen catch up.

    The home list starts a moment after the first frame, so wait for it by its flag (a guard, not a timing)."""
    for _ in range(500):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        if not isinstance(screen, HomeScreen) or (screen.loaded and screen.record_loaded):
            return
        await pilot.pause(0.02)
    raise AssertionError("the home screen never listed the cases or read the record")


async def answer_pending(pilot, answers: dict[str, str]) -> None:
    """Press through events and decisions (answering with the letters given per decision id, else 'a')."""
    for _ in range(20):
        await settle(pilot)
        screen = pilot.app.screen
        if isinstance(screen, EventModal | ErrorAnalysisModal):
            await pilot.press("enter")
        elif isinstance(screen, DecisionModal):
            if not screen.answered:
                await pilot.press(answers.get(screen.decision.id, "a"))
            else:
                await pilot.press("enter")
        else:
            return
    raise AssertionError(f"modals kept coming: {pilot.app.screen!r}")


async def choose_action(pilot, action: str) -> None:
    menu = pilot.app.screen.query_one(ActionMenu)
    ids = [menu.get_option_at_index(i).id for i in range(menu.option_count)]
    assert action in ids, f"{action} not in the menu"
    for _ in range(menu.option_count):
        if menu.highlighted_option is not None and menu.highlighted_option.id == action:
            break
        await pilot.press("down")
    assert menu.highlighted_option.id == action
    await pilot.press("enter")
    await pilot.pause()


async def play(pilot, action: str, answers: dict[str, str] | None = None) -> None:
    """Play an action as the palette does (no walk through the menu: for tests about what follows), then
    settle what it opens."""
    from sim.tui.screens.project import ProjectScreen

    assert isinstance(pilot.app.screen, ProjectScreen), pilot.app.screen
    pilot.app.screen.play(action)
    await answer_pending(pilot, answers or {})


async def open_case(pilot, file_name: str) -> None:
    """From the home screen: highlight the case whose file is `file_name`, open it, and pass the briefing."""
    menu = pilot.app.screen.query_one("#cases")
    ids = [menu.get_option_at_index(i).id or "" for i in range(menu.option_count)]
    assert any(i.endswith(file_name) for i in ids), ids
    for _ in range(menu.option_count):
        if (menu.highlighted_option.id or "").endswith(file_name):
            break
        await pilot.press("down")
    await pilot.press("enter")  # the case -> briefing
    await pilot.pause()
    await pilot.press("enter")  # briefing -> project
