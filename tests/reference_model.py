"""A scalar, plain-Python reference of one model step: slow and obviously correct, for agreement tests.

It restates the error law and the action effects from DESIGN.md without numpy, so a mistake in the
vectorised code (a wrong mask, a broadcast across rows) shows up as a disagreement.
"""

from __future__ import annotations

import math


def effective_data(t: dict, k: dict) -> float:
    transfer = k["transfer"] * t["transfer_data"] / (1.0 + k["n_target"] / t["transfer_half"])
    return k["n_target"] + k["n_other"] + k["n_syn"] * k["syn_variety"] + transfer + k["multitask"] * t["multitask_data"]


def sampling_sd(error: float, n: float) -> float:
    e = min(max(error / 100.0, 0.0), 1.0)
    return 100.0 * math.sqrt(e * (1.0 - e) / max(n, 1.0))


def clip(x: float, low: float, high: float) -> float:
    return min(max(x, low), high)


def ladder(t: dict, k: dict, z_dev: float, z_test: float, z_real: float) -> dict:
    capacity = 2.0 ** k["level"]
    data = effective_data(t, k)
    bias = (k["arch"] * t["A"] * capacity ** (-t["a"]) + k["opt"] * t["S"] * k["effort"] ** (-0.76)) * (1 + 0.3 * k["reg"])
    bias += 0.02 * k["train_noise_random"]
    if k["e2e"] > 0.5:
        end_to_end = t["e2e_floor"] * (t["e2e_threshold"] / max(data, 1.0)) ** t["b"]
    else:
        end_to_end = t["e2e_floor"]
    shares = t["cat_share"]
    fixed = sum(s * r for s, r in zip(shares, k["cat_residual"])) + (1.0 - sum(shares))
    variance = k["arch"] * t["V"] * (capacity**0.74 / (data * (1 + k["aug"]))) ** t["b"] / (1 + k["reg"]) * fixed
    variance += end_to_end
    coverage = clip((k["n_target"] + k["n_syn"] * k["syn_variety"]) / max(data, 1.0), 0.0, 1.0)
    mismatch = t["mismatch_scale"] * (1.0 - coverage) ** t["gamma"] * fixed + 0.5 * k["train_noise_systematic"]
    floor_target = t["bayes"] + t["bayes_gap"]
    train = clip(t["bayes"] + bias, t["bayes"], 100.0)
    train_dev = clip(train + variance, t["bayes"], 100.0)
    dev_true = clip(train_dev + t["bayes_gap"] + mismatch, floor_target, 100.0)
    overfit = t["k_overfit"] * math.sqrt(k["rounds"] / (max(k["n_dev"], 1.0) / 1000.0))
    dev = dev_true + k["dev_noise"] - overfit + sampling_sd(dev_true, k["n_dev"]) * z_dev
    test = dev_true + k["test_noise"] + sampling_sd(dev_true, k["n_test"]) * z_test
    real = dev_true + k["metric_gap"] + k["devset_gap"] + t["world_shift"] + t["real_noise"] * abs(z_real)
    return {"train": train, "train_dev": train_dev, "dev_true": dev_true, "dev": clip(dev, floor_target, 100.0),
            "test": clip(test, floor_target, 100.0), "real": clip(real, floor_target, 100.0)}


def apply(action: str, k: dict, category: int, variety: float, amounts: dict) -> dict:
    """Return new knobs after one action (the input is not changed)."""
    k = {name: (list(v) if isinstance(v, list) else v) for name, v in k.items()}

    def fix(strength: float) -> None:
        if category >= 0 and amounts["category_fix"]:
            k["cat_residual"][category] *= 1.0 - amounts["category_fix"][category] * strength

    if action == "bigger_network":
        k["level"] += 1
    elif action == "smaller_network":
        k["level"] = max(k["level"] - 1, 0.0)
    elif action == "train_longer":
        k["effort"] *= 2
    elif action == "better_optimizer":
        k["opt"] *= 0.6
    elif action == "architecture_search":
        k["arch"] *= 0.8
        k["rounds"] += 5
    elif action == "reduce_regularization":
        k["reg"] = max(k["reg"] - 1, 0.0)
    elif action == "collect_more_data":
        for name in ("n_target", "n_other", "n_syn"):
            k[name] *= 1 + amounts["collect_factor"]
    elif action == "add_regularization":
        k["reg"] += 1
    elif action == "data_augmentation":
        k["aug"] += 1
        fix(1.0)
    elif action == "early_stopping":
        k["effort"] *= 0.7
        k["reg"] += 0.5
    elif action == "collect_target_data":
        k["n_target"] += amounts["target_amount"]
        fix(1.0)
    elif action == "synthesize_data":
        v = clip(variety, 0.0, 1.0)
        total = k["n_syn"] + amounts["synthetic_amount"]
        k["syn_variety"] = (k["n_syn"] * k["syn_variety"] + amounts["synthetic_amount"] * v) / max(total, 1.0) if total > 0 else 0.0
        k["n_syn"] = total
        fix(v)
    elif action == "bigger_dev_set":
        k["n_dev"] *= amounts["dev_factor"]
    elif action == "carve_train_dev":
        k["train_dev"] = 1.0
    elif action == "change_metric":
        k["metric_gap"] = 0.0
    elif action == "change_dev_test":
        k["devset_gap"] = 0.0
        k["rounds"] = 0.0
    elif action == "clean_dev_test_labels":
        k["dev_noise"] *= 0.1
        k["test_noise"] *= 0.1
    elif action == "clean_dev_labels":
        k["dev_noise"] *= 0.1
    elif action == "clean_train_labels":
        k["train_noise_random"] = 0.0
        k["train_noise_systematic"] = 0.0
    elif action == "transfer_learning":
        k["transfer"] = 1.0
    elif action == "multi_task_learning":
        k["multitask"] = 1.0
    elif action == "end_to_end":
        k["e2e"] = 1.0
    elif action == "pipeline":
        k["e2e"] = 0.0
    elif action == "train_on_subset":
        k["subset"] = 1.0
    elif action == "faster_hardware":
        k["speed"] *= 4
    if action in RETRAINING:
        k["rounds"] += 1
    return k


RETRAINING = {
    "bigger_network", "train_longer", "better_optimizer", "architecture_search", "reduce_regularization",
    "collect_more_data", "add_regularization", "data_augmentation", "smaller_network", "early_stopping",
    "collect_target_data", "synthesize_data", "change_metric", "clean_train_labels", "transfer_learning",
    "multi_task_learning", "end_to_end", "pipeline",
}


def step(t: dict, k: dict, action: str, category: int, variety: float, amounts: dict, z: tuple) -> tuple[dict, dict]:
    """One step: the action's effect, then every rung of the ladder."""
    new = apply(action, k, category, variety, amounts)
    return new, ladder(t, new, *z)
