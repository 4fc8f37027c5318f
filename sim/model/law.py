"""The error law: from hidden truth and knobs to every rung of the error ladder, vectorised."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.knobs import Knobs
from sim.model.truth import STREAM_DEV, STREAM_REAL, STREAM_TEST, Truth

UNDERTRAINING_EXPONENT = 0.76
CAPACITY_VARIANCE_EXPONENT = 0.74
REG_BIAS_COST = 0.3  # each unit of regularisation raises the bias term by this share
RANDOM_NOISE_COST = 0.02  # points of train error per percent of random label noise
SYSTEMATIC_NOISE_COST = 0.5  # points of dev error per percent of systematic label noise
SUBSET_SPEEDUP = 3.0
INFERENCE_EXPONENT = 0.8
MULTITASK_INFERENCE = 1.1


@dataclass(frozen=True)
class Ladder:
    """Every rung and the terms behind it, arrays over the batch."""

    train: np.ndarray
    train_dev: np.ndarray
    dev_true: np.ndarray
    dev: np.ndarray  # measured on the dev set (label noise, overfitting, sampling)
    test: np.ndarray  # measured on the test set
    real: np.ndarray  # on the users' data
    bias: np.ndarray
    variance: np.ndarray
    mismatch: np.ndarray
    overfit: np.ndarray
    effective_data: np.ndarray
    coverage: np.ndarray


def effective_data(t: Truth, k: Knobs) -> np.ndarray:
    transfer = k.transfer * t.transfer_data / (1.0 + k.n_target / t.transfer_half)
    return k.n_target + k.n_other + k.n_syn * k.syn_variety + transfer + k.multitask * t.multitask_data


def sampling_sd(error: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Standard deviation, in points, of an error rate (0..100, already clipped) measured on n examples."""
    return np.sqrt(error * (100.0 - error) / np.maximum(n, 1.0))


def ladder(t: Truth, k: Knobs, turn: np.ndarray, test_turn: np.ndarray | None = None) -> Ladder:
    """Every rung; dev noise is read at `turn`, test and real-world noise at `test_turn` (default: the same)."""
    capacity = 2.0**k.level
    data = effective_data(t, k)
    bias = k.arch * t.A * capacity ** (-t.a)
    bias += k.opt * t.S * k.effort ** (-UNDERTRAINING_EXPONENT)
    bias *= 1.0 + REG_BIAS_COST * k.reg
    bias += RANDOM_NOISE_COST * k.train_noise_random
    safe_data = np.maximum(data, 1.0)
    end_to_end = np.where(k.e2e > 0.5, t.e2e_floor * (t.e2e_threshold / safe_data) ** t.b, t.e2e_floor)
    # Share of the train-to-dev errors still unfixed: 1 - sum of each category's fixed part.
    fixed = np.ones(len(data))
    for j in range(t.cat_share.shape[1]):
        fixed -= t.cat_share[:, j] * (1.0 - k.cat_residual[:, j])
    variance = k.arch * t.V * (capacity**CAPACITY_VARIANCE_EXPONENT / (data * (1.0 + k.aug))) ** t.b
    variance *= fixed / (1.0 + k.reg)
    variance += end_to_end
    coverage = np.minimum((k.n_target + k.n_syn * k.syn_variety) / safe_data, 1.0)
    mismatch = t.mismatch_scale * (1.0 - coverage) ** t.gamma * fixed
    mismatch += SYSTEMATIC_NOISE_COST * k.train_noise_systematic

    floor_target = t.bayes + t.bayes_gap
    train = np.minimum(np.maximum(t.bayes + bias, t.bayes), 100.0)
    train_dev = np.minimum(train + variance, 100.0)
    dev_true = np.minimum(np.maximum(train_dev + t.bayes_gap + mismatch, floor_target), 100.0)

    test_turn = turn if test_turn is None else test_turn
    overfit = t.k_overfit * np.sqrt(k.rounds * 1000.0 / np.maximum(k.n_dev, 1.0))
    dev = dev_true + k.dev_noise - overfit + sampling_sd(dev_true, k.n_dev) * t.draw(STREAM_DEV, turn)
    test = dev_true + k.test_noise + sampling_sd(dev_true, k.n_test) * t.draw(STREAM_TEST, test_turn)
    real = dev_true + k.metric_gap + k.devset_gap + t.world_shift + t.real_noise * np.abs(t.draw(STREAM_REAL, test_turn))
    return Ladder(
        train=train,
        train_dev=train_dev,
        dev_true=dev_true,
        dev=np.minimum(np.maximum(dev, floor_target), 100.0),
        test=np.minimum(np.maximum(test, floor_target), 100.0),
        real=np.minimum(np.maximum(real, floor_target), 100.0),
        bias=bias,
        variance=variance,
        mismatch=mismatch,
        overfit=overfit,
        effective_data=data,
        coverage=coverage,
    )


@dataclass(frozen=True)
class Costs:
    """The satisficing metrics and the length of one training run."""

    run_weeks: np.ndarray
    inference_s: np.ndarray
    memory_mb: np.ndarray


def costs(t: Truth, k: Knobs) -> Costs:
    capacity = 2.0**k.level
    data = k.n_target + k.n_other + k.n_syn + k.multitask * t.multitask_data
    run = t.run_weeks0 * (data / t.D0) * (capacity / t.C0) * k.effort / k.speed
    run = np.where(k.subset > 0.5, run / SUBSET_SPEEDUP, run)
    inference = t.inference_s0 * (capacity / t.C0) ** INFERENCE_EXPONENT
    inference = np.where(k.multitask > 0.5, inference * MULTITASK_INFERENCE, inference)
    return Costs(run_weeks=run, inference_s=inference, memory_mb=t.memory_mb0 * capacity / t.C0)
