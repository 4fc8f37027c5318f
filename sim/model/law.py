"""The error law: from hidden truth, the trained model and the data sets to every rung of the ladder.

Written once: the engine, the calibration (sim.model.truth) and the scalar reference in the tests all
follow these functions; docs/design.md states the law term by term with the reasons for its numbers.

Dev error above the Bayes floor has owners: avoidable bias, variance, data mismatch (plus the Bayes gap
between the training and the target distribution). Variance and mismatch are split across the case's
error categories (shares of the errors between train and dev); fixing a category removes only its part.
A measurement belongs to (model, data set): its sampling noise comes in as a fixed standard normal per
pair (sim.model.noise), and the dev set's selection bias grows with the tuning rounds spent on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from sim.model.knobs import Knobs
from sim.model.truth import Truth

UNDERTRAINING_EXPONENT = 0.76  # effort**-0.76: the published fit of loss against training steps
CONVERGED_EFFORT = 4.0  # trained this much longer than the first model, a network has converged: no under-training
CAPACITY_VARIANCE_EXPONENT = 0.74  # a bigger network needs more data: variance grows as (C**0.74 / D)**b
REG_BIAS_COST = 0.06  # each unit of regularisation raises bias by 6%: "a little", as the course says
REG_VARIANCE_CUT = 0.8  # variance / (1 + 0.8 reg): one unit of L2 or dropout takes off about 44%
RANDOM_NOISE_COST = 0.02  # train points per percent of random label noise: deep networks shrug it off
SYSTEMATIC_NOISE_COST = 0.5  # dev points per percent of systematic label noise: the network learns the mistake
SUBSET_SPEEDUP = 3.0
INFERENCE_EXPONENT = 0.8
MULTITASK_INFERENCE = 1.1
MAX_ROUNDS = 400


def _expected_maxima(n: int) -> np.ndarray:
    """E[max of r standard normals] for r = 0..n (Blom's approximation; 0 for r <= 1)."""
    inv = NormalDist().inv_cdf
    return np.array([0.0, 0.0] + [inv((r - 0.375) / (r + 0.25)) for r in range(2, n + 1)])


SELECTION = _expected_maxima(MAX_ROUNDS)  # how far the best of r tuning rounds sits below its true error, in sd
_AFTER_ROUNDS = SELECTION[np.minimum(np.arange(MAX_ROUNDS + 1) + 1, MAX_ROUNDS)]  # after r rounds: the best of r + 1


def selection(rounds: np.ndarray) -> np.ndarray:
    """Selection bias of the best of `rounds` models read on one dev set, in dev-set standard deviations.

    Each training run is a tuning round against the dev set; the first model (0 rounds) carries none.
    """
    r = np.asarray(rounds).astype(np.int64)  # whole rounds, at least 0
    return _AFTER_ROUNDS[np.minimum(r, MAX_ROUNDS, out=r)]


@dataclass(frozen=True)
class Noise:
    """Standard normals of the current (model, set) pairs, per row."""

    train: np.ndarray
    train_dev: np.ndarray
    dev: np.ndarray
    test: np.ndarray
    real: np.ndarray

    def take(self, idx) -> "Noise":
        return Noise(self.train[idx], self.train_dev[idx], self.dev[idx], self.test[idx], self.real[idx])

    @staticmethod
    def zero(batch: int) -> "Noise":
        z = np.zeros(batch)
        return Noise(z, z, z, z, z)


@dataclass(frozen=True)
class Ladder:
    """Every rung and the terms behind it, arrays over the batch."""

    train: np.ndarray  # measured, on the training set
    train_dev: np.ndarray  # measured, on the train-dev set (whether or not it is carved)
    dev: np.ndarray  # measured on the dev set (label noise, selection bias, sampling noise)
    test: np.ndarray  # measured on the test set
    real: np.ndarray  # on the users' data, with its reading noise
    real_true: np.ndarray  # on the users' data, noise-free (the coherence yardstick)
    target_true: np.ndarray  # the model's true error on the target distribution (before aim gaps)
    dev_true: np.ndarray  # the model's true error on the dev set's distribution
    bias: np.ndarray
    variance: np.ndarray
    mismatch: np.ndarray
    overfit: np.ndarray  # how far measured dev sits below its truth from selection on the dev set
    variance_law: np.ndarray  # variance before the categories' fixes (what their shares split)
    mismatch_law: np.ndarray  # mismatch before the categories' fixes
    dev_seen: np.ndarray  # dev error of the model under the current aim, before sampling, labels and selection
    effective_data: np.ndarray


def category_parts(t: Truth, model: Knobs, lad: Ladder) -> np.ndarray:
    """(B, K) each category's remaining part of variance + mismatch on the target, in points: what fixing it
    can gain at most (the ceiling error analysis prints)."""
    return t.cat_share * model.cat_residual * (lad.variance_law + lad.mismatch_law)[:, None]


def training_examples(k: Knobs) -> np.ndarray:
    return k.n_target + k.n_other + k.n_syn


def effective_data(t: Truth, k: Knobs, like: np.ndarray | None = None) -> np.ndarray:
    """Examples the variance term sees: real data, synthetic data by the share of real variety it covers,
    pretrained weights (worth most when target data is scarce) and related tasks. `like`: target_like(k),
    when the caller has it."""
    data = (target_like(k) if like is None else like) + k.n_other
    if _some(k.transfer):  # most batches use neither; skip the passes over the rows
        data += k.transfer * t.transfer_data / (1.0 + k.n_target / t.transfer_half)
    if _some(k.multitask):
        data += k.multitask * t.multitask_data
    return data


def target_like(k: Knobs) -> np.ndarray:
    """Training examples that look like the target: target examples, and synthetic ones by their variety."""
    out = k.n_syn * k.syn_variety
    out += k.n_target
    return out


def target_share(k: Knobs, examples: np.ndarray | None = None) -> np.ndarray:
    """Share of the training mix drawn from the target distribution (a train-dev set has the same).
    `examples`: training_examples(k) raised to at least one, when the caller has it."""
    if examples is None:
        examples = np.maximum(training_examples(k), 1.0)
    out = np.divide(k.n_target, examples)
    return np.minimum(out, 1.0, out=out)


def unfixed(t: Truth, k: Knobs) -> np.ndarray | float:
    """Share of the errors between train and dev still unfixed: 1 - each category's fixed part (the float 1.0
    while no row has fixed a category, so the ladder skips two passes)."""
    if not k.cat_residual.size or k.cat_residual.min() >= 1.0:  # nobody fixed a category yet
        return 1.0
    fixed = np.subtract(1.0, k.cat_residual)
    left = np.einsum("ij,ij->i", t.cat_share, fixed)  # each row's fixed part, without a (B, K) temporary
    return np.subtract(1.0, left, out=left)


def _some(values: np.ndarray) -> bool:
    """Whether any row holds a non-zero value of a knob that is never negative (max is a cheaper pass than any)."""
    return len(values) > 0 and values.max() > 0.0


# ---- the shapes: each gap is coefficient x shape (+ terms with no coefficient) ----------------------------
def capacity_shape(t: Truth, k: Knobs) -> np.ndarray:
    """C**-a with C = 2**level, times the architecture's quality."""
    out = np.multiply(t.a, k.level)
    np.negative(out, out=out)
    np.exp2(out, out=out)
    out *= k.arch
    return out


_CONVERGED = CONVERGED_EFFORT ** -UNDERTRAINING_EXPONENT


def undertraining_shape(k: Knobs) -> np.ndarray:
    """(effort**-0.76 - 4**-0.76) / (1 - 4**-0.76), at least 0: 1 for the first model's training, 0 once training
    has converged; times the optimiser's quality. (effort**-0.76 as exp(-0.76 log effort): SIMD exp/log beat a
    general power.)"""
    out = np.log(k.effort)
    out *= -UNDERTRAINING_EXPONENT
    np.exp(out, out=out)
    out -= _CONVERGED
    np.maximum(out, 0.0, out=out)
    out *= k.opt
    out *= 1.0 / (1.0 - _CONVERGED)
    return out


def bias_extra(t: Truth, k: Knobs) -> np.ndarray:
    """Bias no capacity or training removes: random label noise, and a pipeline's hand-designed parts (they
    limit what the system can fit even on its training data)."""
    out = RANDOM_NOISE_COST * k.train_noise_random
    if np.any(t.e2e_floor):
        out += np.where(k.e2e > 0.5, 0.0, t.e2e_floor)
    return out


def bias(t: Truth, k: Knobs) -> np.ndarray:
    out = capacity_shape(t, k)
    out *= t.A
    under = undertraining_shape(k)
    under *= t.S
    out += under
    if _some(k.reg):
        out *= 1.0 + REG_BIAS_COST * k.reg
    if _some(k.train_noise_random) or np.any(t.e2e_floor):
        out += bias_extra(t, k)
    return out


def variance_shape(t: Truth, k: Knobs, data: np.ndarray) -> np.ndarray:
    """arch * (C**0.74 / (D (1 + aug)))**b / (1 + 0.8 reg)."""
    out = np.multiply(k.level, CAPACITY_VARIANCE_EXPONENT)
    np.exp2(out, out=out)
    out /= np.maximum(data, 1.0)
    if _some(k.aug):
        out /= 1.0 + k.aug
    np.log(out, out=out)
    out *= t.b
    np.exp(out, out=out)
    out *= k.arch
    if _some(k.reg):
        out /= 1.0 + REG_VARIANCE_CUT * k.reg
    return out


def end_to_end_term(t: Truth, k: Knobs, data: np.ndarray) -> np.ndarray:
    """Variance of learning the whole mapping end to end: e2e_floor at the threshold of data, more below it and
    less above (a pipeline pays e2e_floor as bias instead, see bias_extra)."""
    if not np.any(t.e2e_floor):
        return np.zeros(len(data))
    ratio = t.e2e_threshold / np.maximum(data, 1.0)
    return np.where(k.e2e > 0.5, t.e2e_floor * ratio ** t.b, 0.0)


def mismatch_shape(t: Truth, k: Knobs, like: np.ndarray | None = None) -> np.ndarray:
    """(1 + T / mismatch_half)**-gamma, T the target-like training examples: a learning curve on data like the
    target. Data from other distributions leaves it alone. `like`: target_like(k), when the caller has it."""
    out = np.divide(target_like(k) if like is None else like, t.mismatch_half)  # a new array: the rest in place
    out += 1.0
    np.log(out, out=out)
    out *= -t.gamma
    return np.exp(out, out=out)


def mismatch_extra(k: Knobs) -> np.ndarray:
    return SYSTEMATIC_NOISE_COST * k.train_noise_systematic


def sampling_sd(error: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Standard deviation, in points, of an error rate measured on n examples (every error the law makes lies
    in 0..100: each term is at least 0, and each rung is capped)."""
    sd = np.subtract(100.0, error)
    sd *= error
    sd /= n  # every set has at least one example (the training mix: see _ladder)
    return np.sqrt(sd, out=sd)


def train_dev_size(k: Knobs) -> np.ndarray:
    return np.where(k.n_train_dev > 0, k.n_train_dev, k.n_dev)


def metric_shortfall(model: Knobs, plan: Knobs) -> np.ndarray:
    """What the current metric sees that the model's metric did not: shown on every rung."""
    return np.maximum(model.metric_gap - plan.metric_gap, 0.0) + np.maximum(plan.metric_ref - model.metric_ref, 0.0)


def devset_shortfall(model: Knobs, plan: Knobs) -> np.ndarray:
    """What the current dev/test sets hold that the model was not tuned for: shown on dev and test."""
    return np.maximum(model.devset_gap - plan.devset_gap, 0.0) + np.maximum(plan.devset_ref - model.devset_ref, 0.0)


def aim_loss(model: Knobs, metric_world: np.ndarray, devset_world: np.ndarray) -> np.ndarray:
    """Real-world points the model loses to its aim: the flaws of the metric and sets it was trained under, and
    every change in the users' world that aim did not reflect."""
    return (model.metric_gap + np.maximum(metric_world - model.metric_ref, 0.0)
            + model.devset_gap + np.maximum(devset_world - model.devset_ref, 0.0))


def ladder(t: Truth, model: Knobs, plan: Knobs, z: Noise, world: tuple[np.ndarray, np.ndarray] | None = None,
           exact: bool = False) -> Ladder:
    """Every rung of the trained `model`, measured on the data sets and under the aim of `plan`.

    `world`: (metric_world, devset_world) the real world is judged in (default: as it is now).
    `exact`: readings as they would be on endless, correctly labelled sets (no sampling noise, no label noise,
    no selection optimism): what each rung really is, under the current aim.
    """
    # Written for few passes over the batch (in place where an array is ours, a shared truth value as a float):
    # this runs for every row of every fork lint and the coherence check try.
    t = t.shared
    g = terms(t, model)
    b, variance, mismatch = g.bias, g.variance, g.mismatch
    examples = training_examples(model)
    np.maximum(examples, 1.0, out=examples)  # at least one, for the shares and the train reading
    p_train = target_share(model, examples)
    floor_train = _floor(t, p_train)
    other_true, beyond, target_true = _true_errors(t, g)
    mix_true = _capped(np.multiply(p_train, beyond) + other_true)
    dev_true = _capped(np.multiply(plan.dev_target, beyond) + other_true)
    test_true = _capped(np.multiply(plan.test_target, beyond) + other_true)

    # The aim's terms are zero until an event or an aim action moves one: skip them until then.
    metric_aimed, devset_aimed = _aims(model, plan, "metric"), _aims(model, plan, "devset")
    metric_short = metric_shortfall(model, plan) if metric_aimed else 0.0
    shown = metric_short + devset_shortfall(model, plan) if devset_aimed else metric_short
    train_seen = _capped(_plus(floor_train + b, metric_short))
    td_seen = _plus(mix_true, metric_short)
    dev_seen = _plus(dev_true, shown)
    test_seen = _plus(test_true, shown)

    train = _read(train_seen, examples, z.train)
    train_dev = _read(td_seen, train_dev_size(plan), z.train_dev)
    dev_sd = sampling_sd(dev_seen, plan.n_dev)
    overfit = selection(plan.rounds)
    overfit *= dev_sd
    overfit *= t.k_overfit
    dev = dev_sd * z.dev
    dev += dev_seen
    test = _read(test_seen, plan.n_test, z.test)
    if not exact:
        dev += plan.dev_noise
        dev -= overfit
        test += plan.test_noise
    users = _users_error(t, model, plan, target_true.copy(), world, metric_aimed or devset_aimed)
    real = np.abs(z.real)
    real *= t.real_noise
    real += users
    np.minimum(real, 100.0, out=real)
    # Each reading between its set's Bayes floor and 100% (maximum then minimum: np.clip with an array bound
    # is slower than the two passes).
    for reading, floor in ((train, floor_train), (train_dev, floor_train), (dev, dev_floor(t, plan)),
                           (test, _floor(t, plan.test_target))):
        np.maximum(reading, floor, out=reading)
        np.minimum(reading, 100.0, out=reading)
    return Ladder(
        train=train, train_dev=train_dev, dev=dev, test=test, real=real, real_true=users,
        target_true=target_true, dev_true=dev_true, bias=b, variance=variance, mismatch=mismatch, overfit=overfit,
        variance_law=g.variance_law, mismatch_law=g.mismatch_law, dev_seen=dev_seen, effective_data=g.effective_data,
    )


@dataclass(frozen=True)
class Terms:
    """The owners of a trained model's error above the Bayes floor, before any set measures it."""

    bias: np.ndarray
    variance: np.ndarray
    mismatch: np.ndarray
    variance_law: np.ndarray  # variance before the categories' fixes
    mismatch_law: np.ndarray  # mismatch before the categories' fixes
    effective_data: np.ndarray


def terms(t: Truth, model: Knobs) -> Terms:
    """Bias, variance and data mismatch of `model` (the ladder's first part; `t` as the ladder uses it: shared)."""
    like = target_like(model)  # shared by the variance's data and the mismatch's learning curve
    data = effective_data(t, model, like)
    left = unfixed(t, model)
    b = bias(t, model)
    var_law = variance_shape(t, model, data)
    var_law *= t.V
    mis_law = mismatch_shape(t, model, like)
    mis_law *= t.M
    variance = var_law * left if isinstance(left, np.ndarray) else var_law
    if np.any(t.e2e_floor):
        variance = variance + end_to_end_term(t, model, data)  # not in place: variance may be var_law itself
    mismatch = mis_law * left if isinstance(left, np.ndarray) else mis_law
    if _some(model.train_noise_systematic):
        mismatch = mismatch + mismatch_extra(model)
    return Terms(b, variance, mismatch, var_law, mis_law, data)


def _true_errors(t: Truth, g: Terms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(other_true, beyond, target_true): the true error on held-out examples of the training mix's other
    sources, what a target example costs beyond one of those, and the true error on the target distribution.
    (Dev overfitting is a reading's optimism, in the ladder: the tuned model is as good as it is.)"""
    beyond = g.mismatch + t.bayes_gap
    other_true = g.bias + g.variance
    other_true += t.bayes
    return other_true, beyond, _capped(other_true + beyond)


def _users_error(t: Truth, model: Knobs, plan: Knobs, target_true: np.ndarray,
                 world: tuple[np.ndarray, np.ndarray] | None, aimed: bool) -> np.ndarray:
    """The noise-free real-world error, in place on `target_true`: plus what the model loses to its aim in the
    users' world, plus the world's own shift."""
    metric_world, devset_world = world if world is not None else (plan.metric_world, plan.devset_world)
    if aimed or _nonzero(metric_world) or _nonzero(devset_world):
        target_true += aim_loss(model, metric_world, devset_world)
    target_true += t.world_shift
    return np.minimum(target_true, 100.0, out=target_true)


def real_true(t: Truth, model: Knobs, plan: Knobs, world: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """ladder(t, model, plan, ...).real_true, without measuring any set (what forecasts compare)."""
    t = t.shared
    _, _, target_true = _true_errors(t, terms(t, model))
    return _users_error(t, model, plan, target_true, world, _aims(model, plan, "metric") or _aims(model, plan, "devset"))


def dev_floor(t: Truth, plan: Knobs) -> np.ndarray:
    """The lowest error the dev set can read: Bayes error on its target share (dev_target is a share, at most 1)."""
    return _floor(t, plan.dev_target)


def _floor(t: Truth, target: np.ndarray) -> np.ndarray:
    """Bayes error of a set whose share `target` comes from the target distribution."""
    out = np.multiply(target, t.bayes_gap)
    out += t.bayes
    return out


def _aims(model: Knobs, plan: Knobs, which: str) -> bool:
    """Whether the metric's or the dev/test sets' gap or reference is non-zero in any row, for the model or plan."""
    return any(_nonzero(getattr(knobs, f"{which}_{part}")) for knobs in (model, plan) for part in ("gap", "ref"))


def _nonzero(values: np.ndarray) -> bool:
    """Whether any row is non-zero (min and max are cheaper passes than any)."""
    return len(values) > 0 and (values.max() != 0.0 or values.min() != 0.0)


def _plus(error: np.ndarray, shortfall: np.ndarray | float) -> np.ndarray:
    """A rung seen under an aim the model was not trained for (capped); the same array when the aim is its own."""
    if isinstance(shortfall, float):  # the aims' terms were skipped: zero in every row
        return error
    return _capped(error + shortfall)


def _capped(error: np.ndarray) -> np.ndarray:
    """An error rate of our own making, capped at 100% in place."""
    return np.minimum(error, 100.0, out=error)


def _read(seen: np.ndarray, n: np.ndarray, z: np.ndarray) -> np.ndarray:
    """What a set of n examples reads for a model whose error on it is `seen`, with its fixed noise z."""
    out = sampling_sd(seen, n)
    out *= z
    out += seen
    return out


@dataclass(frozen=True)
class Costs:
    """The satisficing metrics and the length of one training run."""

    run_weeks: np.ndarray
    inference_s: np.ndarray
    memory_mb: np.ndarray


def run_weeks(t: Truth, k: Knobs) -> np.ndarray:
    """Weeks one training run takes: grows with data, capacity and effort; faster hardware and subsets cut it."""
    data = training_examples(k)
    if k.multitask.any():
        data = data + k.multitask * t.multitask_data
    run = t.run_weeks0 * (data / t.D0) * (2.0**k.level / t.C0) * k.effort / k.speed
    return np.where(k.subset > 0.5, run / SUBSET_SPEEDUP, run)


def costs(t: Truth, k: Knobs) -> Costs:
    inference, memory = serving_costs(t, k)
    return Costs(run_weeks=run_weeks(t, k), inference_s=inference, memory_mb=memory)


def serving_costs(t: Truth, k: Knobs) -> tuple[np.ndarray, np.ndarray]:
    """(inference seconds, memory MB) of a model: they grow with its size (and a multi-task head's work)."""
    scale = 2.0**k.level / t.C0
    inference = t.inference_s0 * scale**INFERENCE_EXPONENT
    inference = np.where(k.multitask > 0.5, inference * MULTITASK_INFERENCE, inference)
    return inference, t.memory_mb0 * scale
