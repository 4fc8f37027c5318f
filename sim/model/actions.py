"""What each action id does to the knobs, applied in place to the rows that chose it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from sim.model.knobs import Knobs
from sim.model.law import CONVERGED_EFFORT

FAMILIES = (
    "bias", "variance", "mismatch", "dev_overfitting", "measure", "aim", "other_tasks", "iteration_speed", "finish",
)


@dataclass(frozen=True)
class ActionAmounts:
    """Case-level sizes of the data actions (scalars) and how much a category fix removes."""

    collect_factor: float = 1.0  # collect_more_data multiplies the training data by 1 + this
    target_amount: float = 0.0  # examples one collect_target_data adds
    synthetic_amount: float = 0.0  # examples one synthesize_data adds
    dev_factor: float = 4.0  # bigger_dev_set multiplies the dev set by this
    category_fix: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,) share removed per fix
    metric_effect: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (A, M) added per use of an action


@dataclass(frozen=True)
class Params:
    """Per-row action parameters: target error category (-1 none) and synthetic variety."""

    category: np.ndarray
    variety: np.ndarray

    @staticmethod
    def none(batch: int) -> "Params":
        return Params(category=np.full(batch, -1, dtype=np.int64), variety=np.ones(batch))


Effect = Callable[[Knobs, np.ndarray, Params, ActionAmounts], None]


@dataclass(frozen=True)
class ActionDef:
    id: str
    family: str
    retrains: bool  # a training run follows (costs run weeks, makes a new model)
    summary: str
    effect: Effect
    new_sets: tuple[str, ...] = ()  # data sets it replaces ("dev", "test", "train_dev"): measured afresh at once


def fix_categories(k: Knobs, idx: np.ndarray, p: Params, amounts: ActionAmounts, by_variety: bool) -> np.ndarray:
    """Remove part of the named error category for rows that named one; return the rows that named none.

    Any fix aimed at a category (the case lists which may be) acts on that category alone (its part of
    variance and mismatch), so what it can gain is exactly the category's remaining part: the ceiling error
    analysis shows. Synthetic data (by_variety) removes it in proportion to the variety it covers.
    """
    cat = p.category[idx]
    named = cat >= 0
    if np.any(named) and amounts.category_fix.size:
        rows, cats = idx[named], cat[named]
        strength = np.clip(p.variety[rows], 0.0, 1.0) if by_variety else 1.0
        k.cat_residual[rows, cats] *= 1.0 - amounts.category_fix[cats] * strength
    return idx[~named]


def _no_change(k: Knobs, idx: np.ndarray, p: Params, a: ActionAmounts) -> None:
    """Measurement and finishing actions change what is seen, not the project."""


def _bigger_network(k, idx, p, a):
    k.level[idx] += 1.0


def _smaller_network(k, idx, p, a):
    k.level[idx] = np.maximum(k.level[idx] - 1.0, 0.0)


def _train_longer(k, idx, p, a):
    effort = k.effort[idx]  # past convergence a longer run buys nothing (and a case may start past it)
    k.effort[idx] = np.where(effort >= CONVERGED_EFFORT, effort, np.minimum(effort * 2.0, CONVERGED_EFFORT))


def _better_optimizer(k, idx, p, a):
    k.opt[idx] = np.minimum(k.opt[idx], BETTER_OPTIMIZER)  # Adam once: a second switch finds nothing better


def _architecture_search(k, idx, p, a):
    k.arch[idx] = np.maximum(k.arch[idx] * 0.8, BEST_ARCHITECTURE)  # a few searches find what there is to find
    k.rounds[idx] += ARCHITECTURE_SEARCH_ROUNDS - 1.0  # the run itself counts one


def _reduce_regularization(k, idx, p, a):
    k.reg[idx] = np.maximum(k.reg[idx] - 1.0, 0.0)


def _collect_more_data(k, idx, p, a):
    # More of the data the team trains on: its plentiful source grows, so variance falls and data mismatch
    # (a learning curve on target-like data) stays, unless the plentiful source is the target itself.
    grow = 1.0 + a.collect_factor
    other = k.n_other[idx] > k.n_target[idx]
    k.n_other[idx] = np.where(other, k.n_other[idx] * grow, k.n_other[idx])
    k.n_target[idx] = np.where(other, k.n_target[idx], k.n_target[idx] * grow)


def _add_regularization(k, idx, p, a):
    k.reg[idx] += 1.0


def _data_augmentation(k, idx, p, a):
    k.aug[idx] += 1.0


def _early_stopping(k, idx, p, a):
    # Moves two links at once: less training (more bias) and less overfitting.
    k.effort[idx] *= 0.7
    k.reg[idx] += 0.5


def _collect_target_data(k, idx, p, a):
    k.n_target[idx] += a.target_amount


def _synthesize_data(k, idx, p, a):
    # Synthetic data that imitates no named category adds coverage of the target by its variety.
    v = np.clip(p.variety[idx], 0.0, 1.0)
    added = a.synthetic_amount
    total = k.n_syn[idx] + added
    k.syn_variety[idx] = np.where(total > 0, (k.n_syn[idx] * k.syn_variety[idx] + added * v)
                                  / np.maximum(total, 1.0), 0.0)
    k.n_syn[idx] = total


def _bigger_dev_set(k, idx, p, a):
    k.n_dev[idx] *= a.dev_factor


def _carve_train_dev(k, idx, p, a):
    k.train_dev[idx] = 1.0


def _change_metric(k, idx, p, a):
    # The team's metric now says what users need: its own flaw goes, and it reflects the world as it is.
    k.metric_gap[idx] = 0.0
    k.metric_ref[idx] = k.metric_world[idx]


def _change_dev_test(k, idx, p, a):
    # New dev and test sets from the users' data as it is now; nothing has been tuned on them yet.
    k.devset_gap[idx] = 0.0
    k.devset_ref[idx] = k.devset_world[idx]
    k.dev_target[idx] = 1.0
    k.test_target[idx] = 1.0
    k.rounds[idx] = 0.0


def _clean_dev_test_labels(k, idx, p, a):
    k.dev_noise[idx] = 0.0
    k.test_noise[idx] = 0.0


def _clean_dev_labels(k, idx, p, a):
    k.dev_noise[idx] = 0.0


def _clean_train_labels(k, idx, p, a):
    k.train_noise_random[idx] = 0.0
    k.train_noise_systematic[idx] = 0.0


def _transfer_learning(k, idx, p, a):
    k.transfer[idx] = 1.0


def _multi_task_learning(k, idx, p, a):
    k.multitask[idx] = 1.0


def _end_to_end(k, idx, p, a):
    k.e2e[idx] = 1.0


def _pipeline(k, idx, p, a):
    k.e2e[idx] = 0.0


def _train_on_subset(k, idx, p, a):
    k.subset[idx] = 1.0


def _faster_hardware(k, idx, p, a):
    k.speed[idx] = np.maximum(k.speed[idx], FASTER_HARDWARE)  # the fastest the team can get; a second order adds none


BEST_ARCHITECTURE = 0.6  # architecture searches stop finding better ones at 60% of the first one's coefficients
BETTER_OPTIMIZER = 0.6  # a better optimiser leaves 60% of the under-training part
FASTER_HARDWARE = 4.0  # training runs on the new hardware are four times as fast
ARCHITECTURE_SEARCH_ROUNDS = 5.0  # a search is many tuning rounds against the dev set

_TABLE = (
    ("bigger_network", "bias", True, "Train a larger network (more layers or units).", _bigger_network),
    ("train_longer", "bias", True, "Train for longer.", _train_longer),
    ("better_optimizer", "bias", True, "Switch to a better optimisation algorithm (momentum, Adam).", _better_optimizer),
    ("architecture_search", "bias", True, "Search architectures and hyper-parameters.", _architecture_search),
    ("reduce_regularization", "bias", True, "Lower regularisation.", _reduce_regularization),
    ("collect_more_data", "variance", True, "Collect more data of the kind you train on.", _collect_more_data),
    ("add_regularization", "variance", True, "Add regularisation (L2, dropout).", _add_regularization),
    ("data_augmentation", "variance", True, "Augment the training data.", _data_augmentation),
    ("smaller_network", "variance", True, "Train a smaller network.", _smaller_network),
    ("early_stopping", "variance", True, "Stop training early (moves bias and variance at once).", _early_stopping),
    ("collect_target_data", "mismatch", True, "Collect data like the dev/test data.", _collect_target_data),
    ("synthesize_data", "mismatch", True, "Synthesise training data like the dev/test data.", _synthesize_data),
    ("error_analysis", "measure", False, "Read ~100 misclassified dev examples and count them by category.", _no_change),
    ("bigger_dev_set", "dev_overfitting", False, "Collect a bigger dev set.", _bigger_dev_set, ("dev",)),
    ("measure_human_level", "measure", False, "Measure human-level error.", _no_change),
    ("carve_train_dev", "measure", False, "Hold out a train-dev set from the training data.", _carve_train_dev, ("train_dev",)),
    ("evaluate_test", "measure", False, "Evaluate on the test set (each look is counted).", _no_change),
    ("change_metric", "aim", True, "Change the evaluation metric and retrain the model to it.", _change_metric),
    ("change_dev_test", "aim", False, "Replace the dev/test sets with users' data as it is now (the next run aims at it).", _change_dev_test, ("dev", "test")),
    ("clean_dev_test_labels", "aim", False, "Fix mislabelled examples in dev and test alike.", _clean_dev_test_labels),
    ("clean_dev_labels", "aim", False, "Fix mislabelled examples in the dev set only.", _clean_dev_labels),
    ("clean_train_labels", "aim", True, "Fix mislabelled training examples.", _clean_train_labels),
    ("transfer_learning", "other_tasks", True, "Start from weights pretrained on a related task.", _transfer_learning),
    ("multi_task_learning", "other_tasks", True, "Learn several tasks in one network.", _multi_task_learning),
    ("end_to_end", "other_tasks", True, "Learn the whole mapping end to end.", _end_to_end),
    ("pipeline", "other_tasks", True, "Use a pipeline with hand-designed components.", _pipeline),
    ("train_on_subset", "iteration_speed", False, "Run experiments on a subset of the data (a third as long; "
     "shipping then takes one run on all of it).", _train_on_subset),
    ("faster_hardware", "iteration_speed", False, "Get faster hardware for training.", _faster_hardware),
    ("ship", "finish", False, "Ship the model to users.", _no_change),
)

ACTIONS: dict[str, ActionDef] = {row[0]: ActionDef(*row) for row in _TABLE}
ACTION_IDS: tuple[str, ...] = tuple(ACTIONS)
ACTION_INDEX: dict[str, int] = {aid: i for i, aid in enumerate(ACTION_IDS)}
# Every training run is one tuning round against the dev set (architecture search: more).
RETRAINS = np.array([ACTIONS[a].retrains for a in ACTION_IDS])
