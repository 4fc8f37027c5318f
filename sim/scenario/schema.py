"""The typed shape of a case file: the one source of truth for loading, validation, the JSON Schema and the docs."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from sim.rules import RULE_IDS
from sim.scenario.conditions import parse as parse_condition
from sim.model import ACTION_IDS, KNOB_DEFAULTS, MAX_CATEGORIES, SETTABLE_KNOBS, TRUTH_PARAMS
from sim.model.params import KNOB_HELP, TRUTH_HELP


class Strict(BaseModel):
    # No infinities or NaN anywhere: a case's numbers feed the model and the JSON we print.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Between(Strict):
    """A number the seed picks uniformly from [low, high]."""

    between: tuple[float, float] = Field(description="[low, high]: each seed draws a value uniformly in this range.")

    @model_validator(mode="after")
    def _ordered(self) -> "Between":
        low, high = self.between
        if low > high:
            raise ValueError(f"the range starts above its end ({low:g} > {high:g}); write [low, high]")
        return self


class OneOf(Strict):
    """A number the seed picks from a list."""

    one_of: Annotated[list[float], Field(min_length=1)] = Field(
        description="Each seed picks one of these values, with equal chances.")


# Tags pydantic puts into error locations for the three forms of a number (the loader strips them).
NUM_TAGS = ("number", "range", "choice")


def _num_form(value: Any) -> str | None:
    if isinstance(value, dict):
        if "between" in value:
            return "range"
        if "one_of" in value:
            return "choice"
        return None
    if isinstance(value, (Between, OneOf)):
        return "range" if isinstance(value, Between) else "choice"
    return "number"


# A number, or a seeded variant of one: `{between: [lo, hi]}` or `{one_of: [a, b, ...]}`.
Num = Annotated[
    Union[Annotated[float, Tag("number")], Annotated[Between, Tag("range")], Annotated[OneOf, Tag("choice")]],
    Discriminator(_num_form, custom_error_type="variant_form",
                  custom_error_message="expected a number, {between: [low, high]} or {one_of: [a, b, ...]}"),
]

Verdict = Literal["aligned", "neutral", "misaligned"]
RuleId = Literal[RULE_IDS]  # type: ignore[valid-type]
ActionId = Literal[ACTION_IDS]  # type: ignore[valid-type]
KnobName = Literal[SETTABLE_KNOBS]  # type: ignore[valid-type]
TruthName = Literal[TRUTH_PARAMS]  # type: ignore[valid-type]
Flag = Literal["metric_problem", "devset_stale"]

def _keyed(help_by_key: dict[str, str], required: bool, defaults: dict[str, float] | None = None) -> Any:
    """JSON Schema for a dict keyed by known names: list each key as a property so editors complete and explain it."""

    def extra(schema: dict[str, Any]) -> None:
        value = schema.get("additionalProperties") or {}
        schema["properties"] = {key: {**value, "description": text, **({"default": defaults[key]} if defaults else {})}
                                for key, text in help_by_key.items()}
        schema["additionalProperties"] = False
        schema.pop("propertyNames", None)
        if required:
            schema["required"] = list(help_by_key)

    return extra


class Effects(Strict):
    """Knob changes: `set` replaces a value, `add` adds to it, `scale` multiplies it."""

    set: dict[KnobName, float] = Field({}, description="Knob -> new value.")
    add: dict[KnobName, float] = Field({}, description="Knob -> amount added to its value.")
    scale: dict[KnobName, float] = Field({}, description="Knob -> factor its value is multiplied by.")


# The hidden law's constants an event may change (the world the team works in); the calibrated start gaps
# and the law's shapes stay.
WorldTruthName = Literal["bayes", "bayes_gap", "world_shift", "real_noise", "transfer_data", "multitask_data",
                         "e2e_floor", "e2e_threshold"]


class TruthEffects(Strict):
    """Changes to the hidden law: `set`, `add` or `scale` its world constants."""

    set: dict[WorldTruthName, float] = Field({}, description="Constant -> new value.")
    add: dict[WorldTruthName, float] = Field({}, description="Constant -> amount added to its value.")
    scale: dict[WorldTruthName, float] = Field({}, description="Constant -> factor its value is multiplied by.")


class Metric(Strict):
    """A satisficing metric of the case's own (false declines, false wake-ups per 24 h, p99 latency)."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")] = Field(
        description="Short id (lowercase, digits, _), named by constraints[].metric.")
    unit: str = Field(description="Its unit as the meter shows it, e.g. '%', 'per 24 h', 'ms'.")
    start: float = Field(description="The first model's value.")
    capacity: float = Field(0.0, description="Each network size step multiplies it by 2**capacity (latency: about 1; "
                                             "0: size does not move it).")
    error: float = Field(0.0, description="How much it moves per point the model's error on the users' data moves, "
                                          "at a fixed decision threshold (false declines fall as the model improves: "
                                          "positive).")
    actions: dict[ActionId, float] = Field({}, description="Action -> what each use of it adds (a pipeline that "
                                                           "adds a stage adds latency).")


BUILTIN_METRICS = ("inference_s", "memory_mb")


class Constraint(Strict):
    """A satisficing threshold: the shipped model must stay at or under `max` (or at or over `min`)."""

    metric: str = Field(description="inference_s, memory_mb, or the id of one of the case's own metrics.")
    max: float | None = Field(None, description="The most the shipped model may reach.")
    min: float | None = Field(None, description="The least the shipped model must keep (a recall floor, say).")
    label: str = Field(description="How the meter is labelled on screen, e.g. 'Inference time (s)'.")

    @model_validator(mode="after")
    def _one_bound(self) -> "Constraint":
        if (self.max is None) == (self.min is None):
            raise ValueError("give exactly one of max and min")
        if self.metric in BUILTIN_METRICS and self.max is None:
            raise ValueError(f"{self.metric} only grows with the model: give it a max")
        if self.max is not None and self.metric in BUILTIN_METRICS and self.max <= 0:
            raise ValueError(f"{self.metric}'s max must be above 0")
        return self

    @property
    def limit(self) -> float:
        return self.max if self.max is not None else self.min

    @property
    def is_max(self) -> bool:
        return self.max is not None


class HumanLevelRow(Strict):
    who: str = Field(description="Whose performance, e.g. 'a team of experienced radiologists'.")
    error: Annotated[float, Field(ge=0, le=100)] = Field(description="Their error, percent.")
    kind: Literal["human", "system", "estimate"] = Field(
        "human", description="human: people's error; system: the best known system's (where people cannot do the "
                             "task, e.g. structured data); estimate: a stated estimate of Bayes error. The coach reads "
                             "bias against the lowest row and names it by its kind.")


class HumanLevel(Strict):
    """The human-level table the player sees after measure_human_level (or from the start)."""

    known: bool = Field(False, description="True: human-level is given in the briefing, visible from the start.")
    table: Annotated[list[HumanLevelRow], Field(min_length=1)] = Field(
        description="Rows of who and their error; the lowest is the default Bayes proxy.")


class Category(Strict):
    """A kind of dev error that error analysis counts and one action can fix."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")] = Field(
        description="Short id (lowercase, digits, - or _), used in `ACTION category=ID`.")
    label: str = Field(description="What the player reads in the error analysis table.")
    share: Num = Field(
        description="Share of the errors between train and dev (variance and data mismatch) this category owns, 0..1 "
                    "(all ≤ 1 in total); may be a seeded variant.")
    fix: Annotated[float, Field(ge=0, le=1)] = Field(0.8, description="Share of the category one fix removes, 0..1.")
    fixed_by: Annotated[list[ActionId], Field(min_length=1)] = Field(
        description="Actions that fix this category when the player names it; the first is the expert's choice.")


class ActionSpec(Strict):
    """An action the case offers."""

    weeks: Annotated[float, Field(ge=0)] = Field(description="Weeks the action costs, before any training run it triggers.")
    factor: Annotated[float, Field(gt=0)] | None = Field(
        None, description="collect_more_data: the data grows by (1 + factor); bigger_dev_set: the dev set is multiplied by it.")
    amount: Annotated[float, Field(ge=0)] | None = Field(
        None, description="collect_target_data / synthesize_data: examples one use adds.")
    label: Annotated[str, Field(min_length=1, max_length=40)] | None = Field(
        None, description="The case's own name for the action in the menu, e.g. 'collect more bedside films' (the "
                          "id stays what choices and results use).")
    description: Annotated[str, Field(min_length=1)] | None = Field(
        None, description="The case's own one-line description, shown under the menu (default: the model's).")
    offered: bool = Field(True, description="false: not on the menu until an event offers it (events[].offer).")


class Transfer(Strict):
    """A related task whose pretrained weights the team could start from."""

    source: str = Field(description="The related task, e.g. 'ImageNet classification'.")
    same_input: bool = Field(description="Both tasks take the same kind of input.")
    source_examples: Annotated[float, Field(ge=0)] = Field(description="Examples the related task was trained on.")
    features_help: bool = Field(description="Its low-level features help this task.")


class MultiTask(Strict):
    """Related tasks that could be learned in one network."""

    tasks: str = Field(description="The tasks, as the coach names them, e.g. 'signs, lights and pedestrians'.")
    shared_features: bool = Field(description="The tasks share low-level features.")
    similar_data: bool = Field(description="The tasks have similar amounts of data.")


class CoachFacts(Strict):
    """What the briefing tells the player, which the coach may therefore use."""

    long_run_weeks: Annotated[float, Field(gt=0)] = Field(
        2.0, description="A training run this long or longer is slow and makes iteration-speed actions aligned (the "
                         "course: a run of two weeks or more brakes iteration); change it only with a reason the "
                         "briefing gives.")
    train_label_noise: Literal["none", "random", "systematic"] = Field(
        "none", description="The kind of label noise the briefing reports in the training data.")
    transfer: Transfer | None = Field(None, description="A related task to transfer from, if any.")
    multitask: MultiTask | None = Field(None, description="Related tasks to learn together, if any.")


class AfterAnswer(Strict):
    """An earlier decision's answer that opens this one (a branch)."""

    decision: str = Field(description="The earlier decision's id.")
    option: str = Field(description="The option of it that opens this decision.")


class CoachChange(Strict):
    """Facts the team learns at an event (from then on the coach may use them): each replaces the case's."""

    train_label_noise: Literal["none", "random", "systematic"] | None = Field(
        None, description="The kind of label noise now known in the training data.")
    transfer: Transfer | None = Field(None, description="A related task to transfer from, now available.")
    multitask: MultiTask | None = Field(None, description="Related tasks to learn together, now possible.")


class When(Strict):
    """When a decision comes up: give exactly one of these."""

    week: Annotated[float, Field(ge=0)] | None = Field(None, description="At this week (0 = before the first choice).")
    after_action: ActionId | None = Field(None, description="Right after the player first takes this action.")
    after_event: str | None = Field(None, description="Right after this event (its id) happens.")
    after_answer: AfterAnswer | None = Field(None, description="Right after an earlier decision was answered so.")
    ladder: str | None = Field(
        None, description="As soon as the ladder the player sees meets this condition, e.g. `train < human` or "
                          "`test - dev > 1` (rungs: human, train, train_dev, dev, test; an unmeasured rung never "
                          "meets it).")

    @field_validator("ladder")
    @classmethod
    def _readable(cls, text: str | None) -> str | None:
        if text is not None:
            parse_condition(text)  # a ConditionError is a ValueError: the loader shows its sentence in place
        return text

    @model_validator(mode="after")
    def _exactly_one(self) -> "When":
        given = [v for v in (self.week, self.after_action, self.after_event, self.after_answer, self.ladder)
                 if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of week, after_action, after_event, after_answer, ladder")
        return self


class Option(Strict):
    """One answer to a decision, with the rule it follows or breaks."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")] = Field(description="What the player types: `answer ID`.")
    text: str = Field(description="The option as the player reads it.")
    verdict: Verdict = Field(description="aligned, neutral or misaligned.")
    rule: RuleId = Field(description="The rule id this option follows or breaks (see docs/rules).")
    why: str = Field(description="The coach's explanation, shown after answering.")
    effects: Effects = Field(Effects(), description="Knob changes when this option is chosen.")
    weeks: Annotated[float, Field(ge=0)] = Field(
        0.0, description="Weeks this option costs (a long detour, a relabelling campaign); 0 for a plain answer.")
    human_proxy: Annotated[int, Field(ge=0)] | None = Field(
        None, description="Row of the human-level table (from 0) taken as the Bayes proxy after this answer.")


class Decision(Strict):
    """A question at a fixed point of the project."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")] = Field(description="Short id (lowercase, digits, - or _).")
    when: When = Field(description="When the question comes up.")
    prompt: str = Field(description="The question, as the player reads it.")
    options: Annotated[list[Option], Field(min_length=2)] = Field(
        description="At least two options; at least one must be aligned (the expert answers the first aligned one).")


class Event(Strict):
    """Something that happens to the project at a given week."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")] = Field(description="Short id; decisions may wait for it.")
    week: Num = Field(description="The week it happens (inside the budget); may be a seeded variant, "
                                  "{between: [low, high]}, for a surprise the briefing does not announce.")
    title: str = Field(description="Headline shown to the player.")
    text: str = Field(description="What the player reads.")
    effects: Effects = Field(Effects(), description="Knob changes when it happens.")
    flags: list[Flag] = Field([], description="metric_problem (change_metric resolves it) or devset_stale "
                                              "(change_dev_test resolves it).")
    offer: list[ActionId] = Field([], description="Actions put on the menu from now on (listed under actions, "
                                                  "usually with offered: false).")
    withdraw: list[ActionId] = Field([], description="Actions taken off the menu from now on (never ship).")
    coach: CoachChange = Field(CoachChange(), description="Facts the team learns now (the coach uses them at once), "
                                                          "e.g. multitask: {...} when related tasks become possible.")
    truth: TruthEffects = Field(TruthEffects(), description="The world changes (e.g. bayes after new sensors): "
                                                            "models trained from now on, and the users' world at the "
                                                            "end, see it; the model on screen keeps its numbers until "
                                                            "the next training run.")
    shares: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        {}, description="Category id -> its new share of the errors (bots raise card testing to 0.4); like truth, "
                        "from the next training run on.")


class Scoring(Strict):
    """Points per verdict."""

    aligned: int = Field(10, description="Points for an aligned choice.")
    neutral: int = Field(0, description="Points for a neutral choice.")
    misaligned: int = Field(-5, description="Points for a misaligned choice.")


class Case(Strict):
    """A case file. Numbers under `start` and `truth` may be seeded variants: {between: [lo, hi]} or {one_of: [...]}."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="mlsim case")

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")] = Field(
        description="The case id (lowercase, digits and -); by convention the file name without .yaml.")
    title: str = Field(description="The title on the home screen.")
    pitch: str = Field(description="One sentence under the title on the home screen.")
    teaches: list[RuleId] = Field(description="Rule ids this case is meant to teach.")
    briefing: str = Field(description="Markdown the player reads before the first choice (say the budget and thresholds).")
    budget_weeks: Annotated[float, Field(gt=0)] = Field(
        description="Weeks before the project ends; passing it ends the game unshipped. Fixed: the briefing tells it.")
    sources: dict[str, str] = Field(description="Data source name -> description, for the briefing.")
    metrics: list[Metric] = Field([], description="Satisficing metrics of the case's own, beside inference_s and "
                                                  "memory_mb (constraints name them).")
    constraints: list[Constraint] = Field([], description="Satisficing thresholds the shipped model must meet.")
    human_level: HumanLevel = Field(description="The human-level error table.")
    start: dict[KnobName, Num] = Field(
        description="The first model's knobs (unset knobs take their defaults); numbers may be seeded variants.",
        json_schema_extra=_keyed(KNOB_HELP, required=False, defaults=KNOB_DEFAULTS))
    truth: dict[TruthName, Num] = Field(
        description="The hidden constants of the error law, all required; numbers may be seeded variants.",
        json_schema_extra=_keyed(TRUTH_HELP, required=True))
    categories: Annotated[list[Category], Field(max_length=MAX_CATEGORIES)] = Field(
        [], description=f"Error categories error analysis finds (at most {MAX_CATEGORIES}).")
    actions: dict[ActionId, ActionSpec] = Field(
        description="The actions the case offers, id -> cost; must include ship.")
    coach: CoachFacts = Field(CoachFacts(), description="Facts from the briefing the coach may use.")
    decisions: list[Decision] = Field([], description="Questions at fixed points.")
    events: list[Event] = Field([], description="Things that happen at given weeks.")
    scoring: Scoring = Field(Scoring(), description="Points each verdict earns; the defaults are 10, 0 and -5.")

    @field_validator("truth")
    @classmethod
    def _all_truth(cls, truth: dict) -> dict:
        missing = [name for name in TRUTH_PARAMS if name not in truth]
        if missing:
            raise ValueError(f"missing truth parameters: {', '.join(missing)}")
        return truth

    @field_validator("actions")
    @classmethod
    def _can_ship(cls, actions: dict) -> dict:
        if "ship" not in actions:
            raise ValueError("the actions must include ship, or the project can never end")
        return actions


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema of a case file, for editors (`mlsim schema`)."""
    schema = Case.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def bare_case(**fields) -> Case:
    """A case with every action (a week each) and nothing else: the coach judges a ladder alone.

    `mlsim diagnose` uses it; tests pass categories, constraints or coach facts to vary it.
    """
    base = dict(id="diagnose", categories=[], constraints=[], coach=CoachFacts(), scoring=Scoring(), decisions=[],
                events=[], actions={action: ActionSpec(weeks=1.0) for action in ACTION_IDS})
    return Case.model_construct(**{**base, **fields})
