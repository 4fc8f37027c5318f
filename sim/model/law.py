"""The error law: from hidden truth and knobs to every rung of the error ladder, vectorised."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.knobs import Knobs
from sim.model.truth import Truth

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


def _uniform(values: np.ndarray) -> np.ndarray | float:
    """A per-row parameter the case does not vary, as a scalar (numpy's fast paths take scalar exponents)."""
    if len(values) and values.min() == values.max():
        return float(values[0])
    return values


def effective_data(t: Truth, k: Knobs) -> np.ndarray:
    data = k.n_target + k.n_other
    data += k.n_syn * k.syn_variety
    if k.transfer.any():  # most batches use neither; skip the passes over the rows
        data += k.transfer * t.transfer_data / (1.0 + k.n_target / t.transfer_half)
    if k.multitask.any():
        data += k.multitask * t.multitask_data
    return data


def sampling_sd(error: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Standard deviation, in points, of an error rate (0..100, already clipped) measured on n examples."""
    sd = np.subtract(100.0, error)
    sd *= error
    sd /= np.maximum(n, 1.0)
    return np.sqrt(sd, out=sd)


def ladder(t: Truth, k: Knobs, turn: np.ndarray, test_reads: np.ndarray | None = None) -> Ladder:
    """Every rung; dev noise is the draw for `turn`, test noise the draw for the `test_reads`-th look at test.

    Written with in-place operations: at a batch of 100,000 each temporary is 800 KB, and allocating
    (and page-faulting) fewer of them is most of the speed.
    """
    test_reads = np.zeros(len(turn), dtype=np.int64) if test_reads is None else test_reads
    data = effective_data(t, k)
    safe_data = np.maximum(data, 1.0)
    # capacity C = 2**level, so C**x = exp2(x * level): cheaper than a power with array exponents.
    bias = np.multiply(t.a, k.level)
    np.negative(bias, out=bias)
    np.exp2(bias, out=bias)
    bias *= t.A
    bias *= k.arch
    under = np.log(k.effort)  # effort**-0.76 as exp(-0.76 log effort): SIMD exp/log beat a general power
    under *= -UNDERTRAINING_EXPONENT
    np.exp(under, out=under)
    under *= t.S
    under *= k.opt
    bias += under
    bias *= 1.0 + REG_BIAS_COST * k.reg
    bias += RANDOM_NOISE_COST * k.train_noise_random
    # Share of the train-to-dev errors still unfixed: 1 - sum of each category's fixed part.
    fixed = np.ones(len(data))
    for j in range(t.cat_share.shape[1]):
        if k.cat_residual[:, j].min() < 1.0:  # a category nobody fixed yet changes nothing
            fixed -= t.cat_share[:, j] * (1.0 - k.cat_residual[:, j])
    variance = np.multiply(k.level, CAPACITY_VARIANCE_EXPONENT)
    np.exp2(variance, out=variance)
    variance /= safe_data
    variance /= 1.0 + k.aug
    np.log(variance, out=variance)
    variance *= t.b
    np.exp(variance, out=variance)
    variance *= t.V
    variance *= k.arch
    variance *= fixed
    variance /= 1.0 + k.reg
    if t.e2e_floor.any():
        variance += np.where(k.e2e > 0.5, t.e2e_floor * (t.e2e_threshold / safe_data) ** t.b, t.e2e_floor)
    coverage = k.n_syn * k.syn_variety
    coverage += k.n_target
    coverage /= safe_data
    np.minimum(coverage, 1.0, out=coverage)
    mismatch = np.subtract(1.0, coverage)
    np.power(mismatch, _uniform(t.gamma), out=mismatch)
    mismatch *= t.mismatch_scale
    mismatch *= fixed
    mismatch += SYSTEMATIC_NOISE_COST * k.train_noise_systematic

    floor_target = t.bayes + t.bayes_gap
    train = np.add(t.bayes, bias)
    np.minimum(train, 100.0, out=train)  # bias >= 0, so train >= Bayes already
    train_dev = np.add(train, variance)
    np.minimum(train_dev, 100.0, out=train_dev)
    dev_true = train_dev + t.bayes_gap
    dev_true += mismatch
    np.clip(dev_true, floor_target, 100.0, out=dev_true)

    overfit = np.multiply(k.rounds, 1000.0)
    overfit /= np.maximum(k.n_dev, 1.0)
    np.sqrt(overfit, out=overfit)
    overfit *= t.k_overfit
    dev = sampling_sd(dev_true, k.n_dev)
    dev *= t.draws.dev(turn)
    dev += dev_true
    dev += k.dev_noise
    dev -= overfit
    test = sampling_sd(dev_true, k.n_test)
    test *= t.draws.test(test_reads)
    test += dev_true
    test += k.test_noise
    real = np.abs(t.draws.real())
    real *= t.real_noise
    real += dev_true
    real += k.metric_gap
    real += k.devset_gap
    real += t.world_shift
    for rung in (dev, test, real):
        np.maximum(rung, floor_target, out=rung)
        np.minimum(rung, 100.0, out=rung)
    return Ladder(
        train=train, train_dev=train_dev, dev_true=dev_true, dev=dev, test=test, real=real,
        bias=bias, variance=variance, mismatch=mismatch, overfit=overfit, effective_data=data, coverage=coverage,
    )


@dataclass(frozen=True)
class Costs:
    """The satisficing metrics and the length of one training run."""

    run_weeks: np.ndarray
    inference_s: np.ndarray
    memory_mb: np.ndarray


def run_weeks(t: Truth, k: Knobs) -> np.ndarray:
    """Weeks one training run takes: grows with data, capacity and effort; faster hardware and subsets cut it."""
    data = k.n_target + k.n_other + k.n_syn + k.multitask * t.multitask_data
    run = t.run_weeks0 * (data / t.D0) * (2.0**k.level / t.C0) * k.effort / k.speed
    return np.where(k.subset > 0.5, run / SUBSET_SPEEDUP, run)


def costs(t: Truth, k: Knobs) -> Costs:
    scale = 2.0**k.level / t.C0
    inference = t.inference_s0 * scale**INFERENCE_EXPONENT
    inference = np.where(k.multitask > 0.5, inference * MULTITASK_INFERENCE, inference)
    return Costs(run_weeks=run_weeks(t, k), inference_s=inference, memory_mb=t.memory_mb0 * scale)
