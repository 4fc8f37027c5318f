"""The one table of the model's parameters: every knob and truth constant with its default, range and meaning.

The case schema's bounds, the loader's range checks, the JSON Schema's descriptions and the field
reference in docs/authoring.md are all generated from these rows, so a parameter is described once.
Ranges are where the law means something (a published learning-curve exponent, a share between 0 and 1),
not merely where the arithmetic survives.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    name: str
    default: float | None  # None: a case must give it
    low: float
    high: float
    help: str
    group: str = ""  # knobs: model (the next run uses it), sets (measurement), aim, process


BIG = 1e10  # examples: far beyond any data set a case describes, small enough to stay exact in float64

KNOB_TABLE: tuple[Param, ...] = (
    # The model: what the next training run uses (the ladder moves only after that run).
    Param("level", 3.0, 0.0, 14.0, "Model size level; capacity is 2**level (also sets inference time and memory).", "model"),
    Param("effort", 1.0, 0.05, 100.0, "Training effort (epochs) multiplier; 1 is the first model's.", "model"),
    Param("opt", 1.0, 0.05, 10.0, "Optimiser quality: multiplies the under-training part of bias (1 = baseline, lower is better).", "model"),
    Param("arch", 1.0, 0.2, 5.0, "Architecture quality: multiplies the bias and variance coefficients (1 = baseline).", "model"),
    Param("reg", 0.0, 0.0, 10.0, "Regularisation strength (0 = none).", "model"),
    Param("aug", 0.0, 0.0, 10.0, "Augmentation strength: the variance term sees (1 + aug) times the data.", "model"),
    Param("n_target", 0.0, 0.0, BIG, "Training examples from the target (users') distribution.", "model"),
    Param("n_other", 0.0, 0.0, BIG, "Training examples from other distributions.", "model"),
    Param("n_syn", 0.0, 0.0, BIG, "Synthetic training examples (made to look like the target).", "model"),
    Param("syn_variety", 0.0, 0.0, 1.0, "Share of the target's real variety the synthetic data covers, 0..1.", "model"),
    Param("train_noise_random", 0.0, 0.0, 50.0, "Percent of training labels wrong at random.", "model"),
    Param("train_noise_systematic", 0.0, 0.0, 50.0, "Percent of training labels wrong the same way every time.", "model"),
    Param("transfer", 0.0, 0.0, 1.0, "1 when starting from pretrained weights.", "model"),
    Param("multitask", 0.0, 0.0, 1.0, "1 when trained jointly with related tasks.", "model"),
    Param("e2e", 1.0, 0.0, 1.0, "1 end-to-end, 0 a pipeline of hand-designed components.", "model"),
    # The data sets the model is measured on (a change is measured at once: a new set, new sampling noise).
    Param("n_dev", 1000.0, 100.0, BIG, "Dev set size.", "sets"),
    Param("n_test", 1000.0, 100.0, BIG, "Test set size.", "sets"),
    Param("n_train_dev", 0.0, 0.0, BIG, "Size of the train-dev set once carved (0: as large as the dev set).", "sets"),
    Param("dev_target", 1.0, 0.0, 1.0, "Share of dev examples from the target (users') distribution; the rest come from the training mix.", "sets"),
    Param("test_target", 1.0, 0.0, 1.0, "Share of test examples from the target (users') distribution.", "sets"),
    Param("dev_noise", 0.0, 0.0, 50.0, "Percent of dev labels that are wrong.", "sets"),
    Param("test_noise", 0.0, 0.0, 50.0, "Percent of test labels that are wrong.", "sets"),
    Param("train_dev", 0.0, 0.0, 1.0, "1 when a train-dev set is already carved.", "sets"),
    Param("rounds", 0.0, 0.0, 1000.0, "Tuning rounds already spent against the dev set.", "sets"),
    # The aim: in an option, how much the team's choice misleads it; in an event, how far the users' world moved.
    Param("metric_gap", 0.0, 0.0, 50.0, "Real-world points lost to the metric: in a decision option, a flaw of the "
          "chosen metric (models trained under it pay it); in an event, a change in what users need that the "
          "metric does not see (every model pays it until the metric is changed and a model retrained).", "aim"),
    Param("devset_gap", 0.0, 0.0, 50.0, "Real-world points lost to the dev/test sets: in a decision option, a flaw "
          "of the chosen sets; in an event, a change in the users' data the sets do not hold (until "
          "change_dev_test and a retrain).", "aim"),
    # How fast the team works.
    Param("speed", 1.0, 0.01, 100.0, "Hardware speed multiplier.", "process"),
    Param("subset", 0.0, 0.0, 1.0, "1 when experiments run on a subset of the data.", "process"),
)

TRUTH_TABLE: tuple[Param, ...] = (
    Param("bayes", None, 0.0, 50.0, "Bayes error on the training distribution, percent."),
    Param("bayes_gap", None, 0.0, 50.0, "Extra Bayes error on the target distribution, points."),
    Param("start_bias", None, 0.0, 60.0, "Avoidable bias of the first model, points (what the first ladder shows)."),
    Param("start_variance", None, 0.0, 60.0, "Variance of the first model, points (train-dev minus train on the first ladder)."),
    Param("start_mismatch", None, 0.0, 60.0, "Data mismatch of the first model, points (0 when all training data is target data)."),
    Param("effort_share", None, 0.0, 1.0, "Share of the starting bias due to under-training, 0..1; the rest is capacity."),
    Param("a", None, 0.1, 1.0, "Capacity exponent of the bias term (0.3-0.7 in published fits)."),
    Param("b", None, 0.1, 1.0, "Data exponent of the variance term (0.3-0.7 in published fits)."),
    Param("gamma", None, 0.05, 3.0, "How fast data mismatch falls as target-like training examples grow: a learning "
          "curve, (1 + T / mismatch_half)**-gamma."),
    Param("mismatch_half", None, 1.0, BIG, "Target-like training examples (target data, and synthetic data by its "
          "variety) at which data mismatch has fallen to 2**-gamma of what it is with none."),
    Param("k_overfit", None, 0.0, 2.0, "Dev overfitting, in dev-set standard deviations per unit of selection (about 1: "
          "pure selection on sampling noise)."),
    Param("world_shift", None, 0.0, 20.0, "Real-world points that no dev set of the case can see."),
    Param("real_noise", None, 0.0, 5.0, "Spread of the real-world reading, points."),
    Param("transfer_data", None, 0.0, BIG, "Effective examples pretrained weights are worth with no target data."),
    Param("transfer_half", None, 1.0, BIG, "Target examples at which the transfer benefit halves."),
    Param("multitask_data", None, 0.0, BIG, "Effective examples the related tasks contribute."),
    Param("e2e_floor", None, 0.0, 20.0, "Points a pipeline's hand-designed parts cost; end-to-end pays this at the threshold."),
    Param("e2e_threshold", None, 1.0, 1e12, "Effective examples above which end-to-end beats the pipeline."),
    Param("run_weeks", None, 0.01, 52.0, "Weeks one training run takes with the starting data, size and hardware."),
    Param("inference_s", None, 1e-6, 1e4, "Inference time of the starting model, seconds."),
    Param("memory_mb", None, 1e-6, 1e7, "Memory of the starting model, MB."),
)

KNOBS_BY_NAME = {p.name: p for p in KNOB_TABLE}
TRUTH_BY_NAME = {p.name: p for p in TRUTH_TABLE}
TRUTH_PARAMS: tuple[str, ...] = tuple(p.name for p in TRUTH_TABLE)
SETTABLE_KNOBS: tuple[str, ...] = tuple(p.name for p in KNOB_TABLE)
KNOB_DEFAULTS: dict[str, float] = {p.name: float(p.default) for p in KNOB_TABLE}
KNOB_HELP: dict[str, str] = {p.name: p.help for p in KNOB_TABLE}
TRUTH_HELP: dict[str, str] = {p.name: p.help for p in TRUTH_TABLE}
MODEL_KNOBS = tuple(p.name for p in KNOB_TABLE if p.group == "model")
SET_KNOBS = tuple(p.name for p in KNOB_TABLE if p.group == "sets")
DEV_SET_KNOBS = ("n_dev", "dev_target")  # changing one makes a new dev set (new examples, new noise)
TEST_SET_KNOBS = ("n_test", "test_target")
AIM_KNOBS = ("metric_gap", "devset_gap")
