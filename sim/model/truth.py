"""The hidden truth of each playthrough: constants of the error law, drawn once per seed."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from sim.model.knobs import Knobs
from sim.model.seeds import SeedDraws

# Parameters a scenario provides (each an array over the batch).
TRUTH_PARAMS = (
    "bayes",  # Bayes error on the training distribution, percent
    "bayes_gap",  # extra Bayes error on the target distribution
    "start_bias",  # avoidable bias of the first model, percent
    "start_variance",  # variance of the first model, percent
    "effort_share",  # share of the starting bias due to under-training (0..1)
    "a",  # capacity exponent of the bias term
    "b",  # data exponent of the variance term
    "mismatch_scale",  # data mismatch when no training data looks like the target
    "gamma",  # how fast mismatch falls as coverage grows
    "k_overfit",  # dev overfitting per sqrt(tuning round / thousand dev examples)
    "world_shift",  # real-world points the dev set cannot see
    "real_noise",  # standard deviation of the real-world reading, points
    "transfer_data",  # effective examples pretrained weights are worth with no target data
    "transfer_half",  # target examples at which the transfer benefit halves
    "multitask_data",  # effective examples the related tasks contribute
    "e2e_floor",  # error a pipeline's hand-designed parts cost; end-to-end pays this at the threshold
    "e2e_threshold",  # effective examples above which end-to-end beats the pipeline
    "run_weeks",  # weeks one training run takes with the starting data, size and hardware
    "inference_s",  # inference time of the starting model, seconds
    "memory_mb",  # memory of the starting model, MB
)


@dataclass(frozen=True)
class Truth:
    bayes: np.ndarray
    bayes_gap: np.ndarray
    A: np.ndarray  # capacity-limited bias coefficient
    S: np.ndarray  # under-training coefficient
    V: np.ndarray  # variance coefficient
    a: np.ndarray
    b: np.ndarray
    mismatch_scale: np.ndarray
    gamma: np.ndarray
    k_overfit: np.ndarray
    world_shift: np.ndarray
    real_noise: np.ndarray
    transfer_data: np.ndarray
    transfer_half: np.ndarray
    multitask_data: np.ndarray
    e2e_floor: np.ndarray
    e2e_threshold: np.ndarray
    run_weeks0: np.ndarray
    inference_s0: np.ndarray
    memory_mb0: np.ndarray
    C0: np.ndarray  # starting capacity (reference for time and memory)
    D0: np.ndarray  # starting training examples (reference for run time)
    cat_share: np.ndarray  # (B, K) share of between-train-and-dev errors per category
    draws: SeedDraws  # every random number of each row, from its seed's own Generator

    def take(self, idx: np.ndarray) -> "Truth":
        return Truth(**{f.name: getattr(self, f.name)[idx] if f.name != "draws" else self.draws.take(idx)
                        for f in fields(self)})


def calibrate(params: dict[str, np.ndarray], cat_share: np.ndarray, knobs0: Knobs, draws: SeedDraws) -> Truth:
    """Solve the law's coefficients so the first model shows the scenario's starting gaps."""
    p = {name: np.asarray(params[name], dtype=np.float64) for name in TRUTH_PARAMS}
    c0 = 2.0 ** knobs0.level
    d0 = knobs0.n_target + knobs0.n_other + knobs0.n_syn * knobs0.syn_variety
    reg_bias = 1.0 + 0.3 * knobs0.reg
    bias_at_start = p["start_bias"] / reg_bias
    S = p["effort_share"] * bias_at_start * knobs0.effort**0.76 / knobs0.opt
    A = (1.0 - p["effort_share"]) * bias_at_start * c0 ** p["a"] / knobs0.arch
    safe_d0 = np.maximum(d0, 1.0)  # the law floors data at one example; calibrate the same way
    V = p["start_variance"] * (1.0 + knobs0.reg) / ((c0**0.74 / (safe_d0 * (1.0 + knobs0.aug))) ** p["b"]) / knobs0.arch
    return Truth(
        bayes=p["bayes"], bayes_gap=p["bayes_gap"], A=A, S=S, V=V, a=p["a"], b=p["b"],
        mismatch_scale=p["mismatch_scale"], gamma=p["gamma"], k_overfit=p["k_overfit"],
        world_shift=p["world_shift"], real_noise=p["real_noise"],
        transfer_data=p["transfer_data"], transfer_half=p["transfer_half"],
        multitask_data=p["multitask_data"], e2e_floor=p["e2e_floor"], e2e_threshold=p["e2e_threshold"],
        run_weeks0=p["run_weeks"], inference_s0=p["inference_s"], memory_mb0=p["memory_mb"],
        C0=c0, D0=safe_d0, cat_share=np.asarray(cat_share, dtype=np.float64),
        draws=draws,
    )
