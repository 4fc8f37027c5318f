"""Two paths lined up by situation (sim.game.paths.line_up): every choice once, in order, sharing the most rows."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import given
from hypothesis import strategies as st

from sim.game.paths import line_up

KEYS = st.lists(st.sampled_from(["decision a", "decision b", "bigger_network", "train_longer", "error_analysis",
                                 "carve_train_dev"]), max_size=14)


def _shared_weight(rows, mine, theirs) -> int:
    return sum(1000 if mine[i].startswith("decision ") else 1
               for i, j in rows if i is not None and j is not None and mine[i] == theirs[j])


def _best_weight(mine, theirs) -> int:
    """The weight of the best line-up, by plain recursion (the reference)."""
    @lru_cache(maxsize=None)
    def best(i: int, j: int) -> int:
        if i == len(mine) or j == len(theirs):
            return 0
        out = max(best(i + 1, j), best(i, j + 1))
        if mine[i] == theirs[j]:
            out = max(out, (1000 if mine[i].startswith("decision ") else 1) + best(i + 1, j + 1))
        return out
    return best(0, 0)


@given(KEYS, KEYS)
def test_every_choice_once_in_order_and_as_many_shared_rows_as_can_be(mine, theirs):
    rows = line_up(mine, theirs)
    assert [i for i, _ in rows if i is not None] == list(range(len(mine)))
    assert [j for _, j in rows if j is not None] == list(range(len(theirs)))
    assert _shared_weight(rows, mine, theirs) == _best_weight(tuple(mine), tuple(theirs))


def test_a_choice_both_made_shares_a_row_even_after_the_paths_part():
    # A learner's path and the expert's from a newcomer's game: the greedy diff paired carve_train_dev with the
    # expert's train_on_subset while the expert's own carve_train_dev sat a row above.
    mine = ["decision citizens", "faster_hardware", "train_longer", "carve_train_dev", "data_augmentation",
            "bigger_network", "ship"]
    theirs = ["decision citizens", "faster_hardware", "bigger_network", "carve_train_dev", "error_analysis",
              "data_augmentation", "evaluate_test", "train_longer", "train_on_subset", "ship"]
    rows = line_up(mine, theirs)
    assert (3, 3) in rows and (4, 5) in rows and (6, 9) in rows


def test_decisions_are_the_anchors():
    # Sharing the decision's row beats sharing two actions across it.
    mine = ["bigger_network", "train_longer", "decision a"]
    theirs = ["decision a", "bigger_network", "train_longer"]
    assert (2, 0) in line_up(mine, theirs)
