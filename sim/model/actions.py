"""What each action id does to the knobs, applied in place to the rows that chose it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from sim.model.knobs import Knobs

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
    retrains: bool  # a training run follows (costs run weeks, remeasures train/dev)
    summary: str
    effect: Effect


def _fix_categories(k: Knobs, idx: np.ndarray, p: Params, amounts: ActionAmounts, strength: np.ndarray) -> None:
    """Remove part of the targeted error category for rows that named one."""
    cat = p.category[idx]
    named = cat >= 0
    if not np.any(named) or amounts.category_fix.size == 0:
        return
    rows, cats = idx[named], cat[named]
    k.cat_residual[rows, cats] *= 1.0 - amounts.category_fix[cats] * strength[named]


def _no_change(k: Knobs, idx: np.ndarray, p: Params, a: ActionAmounts) -> None:
    """Measurement and finishing actions change what is seen, not the project."""


def _bigger_network(k, idx, p, a):
    k.level[idx] += 1.0


def _smaller_network(k, idx, p, a):
    k.level[idx] = np.maximum(k.level[idx] - 1.0, 0.0)


def _train_longer(k, idx, p, a):
    k.effort[idx] *= 2.0


def _better_optimizer(k, idx, p, a):
    k.opt[idx] *= 0.6


def _architecture_search(k, idx, p, a):
    k.arch[idx] *= 0.8
    k.rounds[idx] += 5.0  # a search is many tuning rounds against the dev set


def _reduce_regularization(k, idx, p, a):
    k.reg[idx] = np.maximum(k.reg[idx] - 1.0, 0.0)


def _collect_more_data(k, idx, p, a):
    # More of the same mix: every source grows alike, so coverage (and mismatch) stays.
    grow = 1.0 + a.collect_factor
    k.n_target[idx] *= grow
    k.n_other[idx] *= grow
    k.n_syn[idx] *= grow


def _add_regularization(k, idx, p, a):
    k.reg[idx] += 1.0


def _data_augmentation(k, idx, p, a):
    k.aug[idx] += 1.0
    _fix_categories(k, idx, p, a, np.ones(len(idx)))


def _early_stopping(k, idx, p, a):
    # Moves two links at once: less training (more bias) and less overfitting.
    k.effort[idx] *= 0.7
    k.reg[idx] += 0.5


def _collect_target_data(k, idx, p, a):
    k.n_target[idx] += a.target_amount
    _fix_categories(k, idx, p, a, np.ones(len(idx)))


def _synthesize_data(k, idx, p, a):
    variety = np.clip(p.variety[idx], 0.0, 1.0)
    added = a.synthetic_amount
    total = k.n_syn[idx] + added
    k.syn_variety[idx] = np.where(total > 0, (k.n_syn[idx] * k.syn_variety[idx] + added * variety) / np.maximum(total, 1.0), 0.0)
    k.n_syn[idx] = total
    _fix_categories(k, idx, p, a, variety)


def _bigger_dev_set(k, idx, p, a):
    k.n_dev[idx] *= a.dev_factor


def _carve_train_dev(k, idx, p, a):
    k.train_dev[idx] = 1.0


def _change_metric(k, idx, p, a):
    k.metric_gap[idx] = 0.0


def _change_dev_test(k, idx, p, a):
    k.devset_gap[idx] = 0.0
    k.rounds[idx] = 0.0


def _clean_dev_test_labels(k, idx, p, a):
    k.dev_noise[idx] *= 0.1
    k.test_noise[idx] *= 0.1


def _clean_dev_labels(k, idx, p, a):
    k.dev_noise[idx] *= 0.1


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
    k.speed[idx] *= 4.0


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
    ("bigger_dev_set", "dev_overfitting", False, "Collect a bigger dev set.", _bigger_dev_set),
    ("measure_human_level", "measure", False, "Measure human-level error.", _no_change),
    ("carve_train_dev", "measure", False, "Hold out a train-dev set from the training data.", _carve_train_dev),
    ("evaluate_test", "measure", False, "Evaluate on the test set (each look is counted).", _no_change),
    ("change_metric", "aim", True, "Change the evaluation metric.", _change_metric),
    ("change_dev_test", "aim", False, "Change the dev/test sets to reflect the users' data.", _change_dev_test),
    ("clean_dev_test_labels", "aim", False, "Fix mislabelled examples in dev and test alike.", _clean_dev_test_labels),
    ("clean_dev_labels", "aim", False, "Fix mislabelled examples in the dev set only.", _clean_dev_labels),
    ("clean_train_labels", "aim", True, "Fix mislabelled training examples.", _clean_train_labels),
    ("transfer_learning", "other_tasks", True, "Start from weights pretrained on a related task.", _transfer_learning),
    ("multi_task_learning", "other_tasks", True, "Learn several tasks in one network.", _multi_task_learning),
    ("end_to_end", "other_tasks", True, "Learn the whole mapping end to end.", _end_to_end),
    ("pipeline", "other_tasks", True, "Use a pipeline with hand-designed components.", _pipeline),
    ("train_on_subset", "iteration_speed", False, "Run experiments on a subset of the data.", _train_on_subset),
    ("faster_hardware", "iteration_speed", False, "Get faster hardware for training.", _faster_hardware),
    ("ship", "finish", False, "Ship the model to users.", _no_change),
)

ACTIONS: dict[str, ActionDef] = {row[0]: ActionDef(*row) for row in _TABLE}
ACTION_IDS: tuple[str, ...] = tuple(ACTIONS)
ACTION_INDEX: dict[str, int] = {aid: i for i, aid in enumerate(ACTION_IDS)}
# Training actions count as one tuning round against the dev set (architecture search: more).
RETRAINS = np.array([ACTIONS[a].retrains for a in ACTION_IDS])
