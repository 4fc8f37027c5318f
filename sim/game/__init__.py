"""One playthrough and many: the turn engine, choices, result records, replay and policies in play."""

from sim.game.choices import ChoiceError, parse_choice, parse_script
from sim.game.engine import Engine, Moves
from sim.game.game import EXPERT_READS_EXACTLY, ActionInfo, Game, Turn, play_policy, result_id
from sim.game.runner import BatchRun, expert_real_world, run_batch, totals

__all__ = [
    "ChoiceError", "parse_choice", "parse_script", "Engine", "Moves", "ActionInfo", "Game", "Turn", "play_policy",
    "EXPERT_READS_EXACTLY", "result_id", "BatchRun", "expert_real_world", "run_batch", "totals",
]
