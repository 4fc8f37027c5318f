"""Calibration: solve the law's coefficients so the first model shows the case's stated start numbers.

It evaluates the law's own shapes (sim.model.law) at the first model's knobs and divides, so the law is
written once: whatever the law adds (label noise, a pipeline's cost) is taken off before solving.
"""

from __future__ import annotations

import numpy as np

from sim.model import law
from sim.model.knobs import Knobs
from sim.model.params import TRUTH_PARAMS
from sim.model.seeds import SeedDraws
from sim.model.truth import Truth


class CalibrationError(ValueError):
    """The case's start numbers cannot be what its first model shows (the message says which and why)."""


def calibrate(params: dict[str, np.ndarray], cat_share: np.ndarray, knobs0: Knobs, draws: SeedDraws,
              lenient: bool = False) -> Truth:
    """Coefficients so the first model shows params' start gaps. `lenient`: a gap smaller than what the law's
    fixed terms already cost is taken as those terms alone (the coach's forecast fits noisy readings)."""
    check = _clip if lenient else _check
    p = {name: np.asarray(params[name], dtype=np.float64) for name in TRUTH_PARAMS}
    batch = len(knobs0.level)
    one = np.ones(batch)
    unit = Truth(
        bayes=p["bayes"], bayes_gap=p["bayes_gap"], A=one, S=one, V=one, M=one, a=p["a"], b=p["b"],
        gamma=p["gamma"], mismatch_half=p["mismatch_half"], k_overfit=p["k_overfit"], world_shift=p["world_shift"], real_noise=p["real_noise"],
        transfer_data=p["transfer_data"], transfer_half=p["transfer_half"], multitask_data=p["multitask_data"],
        e2e_floor=p["e2e_floor"], e2e_threshold=p["e2e_threshold"], run_weeks0=p["run_weeks"],
        inference_s0=p["inference_s"], memory_mb0=p["memory_mb"], C0=2.0**knobs0.level,
        D0=np.maximum(law.training_examples(knobs0), 1.0), cat_share=np.asarray(cat_share, dtype=np.float64),
        draws=draws,
    )
    # Bias: (A cap + S under) (1 + cost reg) + extra = start_bias, split by effort_share.
    core = (p["start_bias"] - law.bias_extra(unit, knobs0)) / (1.0 + law.REG_BIAS_COST * knobs0.reg)
    core = check(core, "truth.start_bias", "the random label noise and a pipeline's cost (e2e_floor) alone are more bias "
           "than start_bias")
    A = (1.0 - p["effort_share"]) * core / law.capacity_shape(unit, knobs0)
    S = p["effort_share"] * core / law.undertraining_shape(knobs0)
    # Variance: V shape + end-to-end term = start_variance (every category unfixed at the start).
    data = law.effective_data(unit, knobs0)
    rest = p["start_variance"] - law.end_to_end_term(unit, knobs0, data)
    rest = check(rest, "truth.start_variance", "learning end to end with this little data alone is more variance than "
           "start_variance")
    V = rest / law.variance_shape(unit, knobs0, data)
    # Mismatch: M shape + systematic label noise = start_mismatch.
    rest = p["start_mismatch"] - law.mismatch_extra(knobs0)
    rest = check(rest, "truth.start_mismatch", "the systematic label noise alone costs more mismatch than start_mismatch")
    shape = law.mismatch_shape(unit, knobs0)
    if not lenient and np.any((law.target_share(knobs0) >= 1.0) & (rest > 1e-12)):
        raise CalibrationError("truth.start_mismatch: all the training data is target data, so there is no data "
                               "mismatch to start with; set start_mismatch to 0")
    M = rest / np.maximum(shape, 1e-12)
    return unit.replace(A=A, S=S, V=V, M=M)


def _check(value: np.ndarray, where: str, why: str) -> np.ndarray:
    if np.any(value < -1e-12):
        raise CalibrationError(f"{where}: {why}; raise it, or lower what it must contain")
    return value


def _clip(value: np.ndarray, where: str, why: str) -> np.ndarray:
    return np.maximum(value, 0.0)
