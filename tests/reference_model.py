"""A scalar, plain-Python reference of the error law and the action effects: slow and obviously correct.

It restates docs/design.md ("The error law") without numpy, so a mistake in the vectorised code (a wrong
mask, a broadcast across rows, an in-place update that leaks) shows up as a disagreement.
"""

from __future__ import annotations

import math
from statistics import NormalDist

CONVERGED = 4.0


def selection(rounds: float) -> float:
    r = int(min(max(rounds, 0.0), 400.0)) + 1
    return 0.0 if r <= 1 else NormalDist().inv_cdf((r - 0.375) / (r + 0.25))


def sd(error: float, n: float) -> float:
    e = min(max(error, 0.0), 100.0)
    return math.sqrt(e * (100.0 - e) / max(n, 1.0))


def terms(t: dict, k: dict) -> dict:
    data = k["n_target"] + k["n_other"] + k["n_syn"] * k["syn_variety"]
    data += k["transfer"] * t["transfer_data"] / (1.0 + k["n_target"] / t["transfer_half"])
    data += k["multitask"] * t["multitask_data"]
    capacity = k["arch"] * 2.0 ** (-t["a"] * k["level"])
    converged = CONVERGED ** -0.76
    under = max(k["effort"] ** -0.76 - converged, 0.0) * k["opt"] / (1.0 - converged)
    bias = (t["A"] * capacity + t["S"] * under) * (1.0 + 0.06 * k["reg"]) + 0.02 * k["train_noise_random"]
    if t["e2e_floor"] > 0 and k["e2e"] <= 0.5:
        bias += t["e2e_floor"]
    var_law = t["V"] * k["arch"] * (2.0 ** (0.74 * k["level"]) / (max(data, 1.0) * (1.0 + k["aug"]))) ** t["b"]
    var_law /= 1.0 + 0.8 * k["reg"]
    target_like = k["n_target"] + k["n_syn"] * k["syn_variety"]
    mis_law = t["M"] * (1.0 + target_like / t["mismatch_half"]) ** (-t["gamma"])
    left = 1.0 - sum(s * (1.0 - r) for s, r in zip(t["cat_share"], k["cat_residual"]))
    variance = var_law * left
    if t["e2e_floor"] > 0 and k["e2e"] > 0.5:
        variance += t["e2e_floor"] * (t["e2e_threshold"] / max(data, 1.0)) ** t["b"]
    mismatch = mis_law * left + 0.5 * k["train_noise_systematic"]
    examples = k["n_target"] + k["n_other"] + k["n_syn"]
    return {"bias": bias, "variance": variance, "mismatch": mismatch, "data": data, "examples": examples,
            "p_train": min(k["n_target"] / max(examples, 1.0), 1.0)}


def ladder(t: dict, model: dict, sets: dict, z: dict, world: tuple[float, float]) -> dict:
    """Every rung of `model` measured on `sets`; z holds the standard normals of each reading."""
    g = terms(t, model)
    beyond = t["bayes_gap"] + g["mismatch"]
    train_true = t["bayes"] + g["p_train"] * t["bayes_gap"] + g["bias"]
    other = t["bayes"] + g["bias"] + g["variance"]
    target = min(other + beyond, 100.0)
    mix = min(other + g["p_train"] * beyond, 100.0)
    dev_true = min(other + sets["dev_target"] * beyond, 100.0)
    test_true = min(other + sets["test_target"] * beyond, 100.0)
    metric_short = max(model["metric_gap"] - sets["metric_gap"], 0.0) + max(sets["metric_ref"] - model["metric_ref"], 0.0)
    sets_short = max(model["devset_gap"] - sets["devset_gap"], 0.0) + max(sets["devset_ref"] - model["devset_ref"], 0.0)
    train_seen = min(train_true + metric_short, 100.0)
    td_seen = min(mix + metric_short, 100.0)
    dev_seen = min(dev_true + metric_short + sets_short, 100.0)
    test_seen = min(test_true + metric_short + sets_short, 100.0)
    td_size = sets["n_train_dev"] if sets["n_train_dev"] > 0 else sets["n_dev"]
    dev_sd = sd(dev_seen, sets["n_dev"])
    overfit = t["k_overfit"] * dev_sd * selection(sets["rounds"])
    train = train_seen + sd(train_seen, g["examples"]) * z["train"]
    train_dev = td_seen + sd(td_seen, td_size) * z["train_dev"]
    dev = dev_seen + dev_sd * z["dev"] + sets["dev_noise"] - overfit
    test = test_seen + sd(test_seen, sets["n_test"]) * z["test"] + sets["test_noise"]
    aim = (model["metric_gap"] + max(world[0] - model["metric_ref"], 0.0)
           + model["devset_gap"] + max(world[1] - model["devset_ref"], 0.0))
    real_true = min(target + aim + t["world_shift"], 100.0)
    real = min(real_true + t["real_noise"] * abs(z["real"]), 100.0)
    floor_train = t["bayes"] + g["p_train"] * t["bayes_gap"]
    clip = lambda x, low: min(max(x, low), 100.0)  # noqa: E731
    return {"train": clip(train, floor_train), "train_dev": clip(train_dev, floor_train),
            "dev": clip(dev, t["bayes"] + min(sets["dev_target"], 1.0) * t["bayes_gap"]),
            "test": clip(test, t["bayes"] + sets["test_target"] * t["bayes_gap"]), "real": real,
            "real_true": real_true, "target_true": target, "dev_true": dev_true, "bias": g["bias"],
            "variance": g["variance"], "mismatch": g["mismatch"], "overfit": overfit}


RETRAINING = {
    "bigger_network", "train_longer", "better_optimizer", "architecture_search", "reduce_regularization",
    "collect_more_data", "add_regularization", "data_augmentation", "smaller_network", "early_stopping",
    "collect_target_data", "synthesize_data", "change_metric", "clean_train_labels", "transfer_learning",
    "multi_task_learning", "end_to_end", "pipeline",
}


def apply(action: str, k: dict, category: int, variety: float, amounts: dict) -> dict:
    """New knobs after one action (the input is not changed). A category named aims the fix at it alone."""
    k = {name: (list(v) if isinstance(v, list) else v) for name, v in k.items()}
    strength = min(max(variety, 0.0), 1.0) if action == "synthesize_data" else 1.0
    aimed = category >= 0 and action in ("data_augmentation", "collect_target_data", "synthesize_data")
    if aimed:
        k["cat_residual"][category] *= 1.0 - amounts["category_fix"][category] * strength
    elif action == "bigger_network":
        k["level"] += 1
    elif action == "smaller_network":
        k["level"] = max(k["level"] - 1, 0.0)
    elif action == "train_longer":
        if k["effort"] < CONVERGED:
            k["effort"] = min(k["effort"] * 2, CONVERGED)
    elif action == "better_optimizer":
        k["opt"] = min(k["opt"], 0.6)
    elif action == "architecture_search":
        k["arch"] = max(k["arch"] * 0.8, 0.6)
        k["rounds"] += 4
    elif action == "reduce_regularization":
        k["reg"] = max(k["reg"] - 1, 0.0)
    elif action == "collect_more_data":
        source = "n_other" if k["n_other"] > k["n_target"] else "n_target"
        k[source] *= 1 + amounts["collect_factor"]
    elif action == "add_regularization":
        k["reg"] += 1
    elif action == "data_augmentation":
        k["aug"] += 1
    elif action == "early_stopping":
        k["effort"] *= 0.7
        k["reg"] += 0.5
    elif action == "collect_target_data":
        k["n_target"] += amounts["target_amount"]
    elif action == "synthesize_data":
        total = k["n_syn"] + amounts["synthetic_amount"]
        k["syn_variety"] = ((k["n_syn"] * k["syn_variety"] + amounts["synthetic_amount"] * strength) / max(total, 1.0)
                            if total > 0 else 0.0)
        k["n_syn"] = total
    elif action == "bigger_dev_set":
        k["n_dev"] *= amounts["dev_factor"]
    elif action == "carve_train_dev":
        k["train_dev"] = 1.0
    elif action == "change_metric":
        k["metric_gap"] = 0.0
        k["metric_ref"] = k["metric_world"]
    elif action == "change_dev_test":
        k["devset_gap"] = 0.0
        k["devset_ref"] = k["devset_world"]
        k["dev_target"] = k["test_target"] = 1.0
        k["rounds"] = 0.0
    elif action == "clean_dev_test_labels":
        k["dev_noise"] = k["test_noise"] = 0.0
    elif action == "clean_dev_labels":
        k["dev_noise"] = 0.0
    elif action == "clean_train_labels":
        k["train_noise_random"] = k["train_noise_systematic"] = 0.0
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
        k["speed"] = max(k["speed"], 4.0)
    if action in RETRAINING:
        k["rounds"] += 1
    return k
