"""The typed shape of a case file: the one source of truth for loading, validation and the JSON Schema."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.rules import RULE_IDS
from sim.model import ACTION_IDS, MAX_CATEGORIES, SETTABLE_KNOBS, TRUTH_PARAMS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Between(Strict):
    """A number the seed picks uniformly from [low, high]."""

    between: tuple[float, float]

    @model_validator(mode="after")
    def _ordered(self) -> "Between":
        low, high = self.between
        if low > high:
            raise ValueError(f"the range starts above its end ({low} > {high}); write [low, high]")
        return self


class OneOf(Strict):
    """A number the seed picks from a list."""

    one_of: Annotated[list[float], Field(min_length=1)]


Num = Union[float, Between, OneOf]

Verdict = Literal["aligned", "neutral", "misaligned"]
RuleId = Literal[RULE_IDS]  # type: ignore[valid-type]
ActionId = Literal[ACTION_IDS]  # type: ignore[valid-type]
KnobName = Literal[SETTABLE_KNOBS]  # type: ignore[valid-type]
Flag = Literal["metric_problem", "devset_stale"]


class Effects(Strict):
    """Knob changes: `set` replaces a value, `add` adds to it, `scale` multiplies it."""

    set: dict[KnobName, float] = {}
    add: dict[KnobName, float] = {}
    scale: dict[KnobName, float] = {}


class Constraint(Strict):
    metric: Literal["inference_s", "memory_mb"]
    max: Annotated[float, Field(gt=0)]
    label: str


class HumanLevelRow(Strict):
    who: str
    error: Annotated[float, Field(ge=0, le=100)]


class HumanLevel(Strict):
    known: bool = False  # given in the briefing, visible from the start
    table: Annotated[list[HumanLevelRow], Field(min_length=1)]


class Category(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
    label: str
    share: Annotated[float, Field(ge=0, le=1)]  # share of the errors between train and dev
    fix: Annotated[float, Field(ge=0, le=1)] = 0.8  # share of the category one fix removes
    fixed_by: Annotated[list[ActionId], Field(min_length=1)]


class ActionSpec(Strict):
    weeks: Annotated[float, Field(ge=0)]
    factor: Annotated[float, Field(gt=0)] | None = None  # collect_more_data, bigger_dev_set
    amount: Annotated[float, Field(ge=0)] | None = None  # collect_target_data, synthesize_data


class Transfer(Strict):
    source: str
    same_input: bool
    source_examples: Annotated[float, Field(ge=0)]
    features_help: bool


class MultiTask(Strict):
    tasks: str
    shared_features: bool
    similar_data: bool


class CoachFacts(Strict):
    """What the briefing tells the player, which the coach may therefore use."""

    long_run_weeks: Annotated[float, Field(gt=0)] = 3.0
    train_label_noise: Literal["none", "random", "systematic"] = "none"
    transfer: Transfer | None = None
    multitask: MultiTask | None = None


class When(Strict):
    week: Annotated[float, Field(ge=0)] | None = None
    after_action: ActionId | None = None
    after_event: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "When":
        given = [v for v in (self.week, self.after_action, self.after_event) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of week, after_action, after_event")
        return self


class Option(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    text: str
    verdict: Verdict
    rule: RuleId
    why: str  # the coach's explanation, shown after answering
    effects: Effects = Effects()
    human_proxy: Annotated[int, Field(ge=0)] | None = None  # row of the human-level table taken as Bayes proxy


class Decision(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    when: When
    prompt: str
    options: Annotated[list[Option], Field(min_length=2)]


class Event(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    week: Annotated[float, Field(ge=0)]
    title: str
    text: str
    effects: Effects = Effects()
    flags: list[Flag] = []


class Scoring(Strict):
    aligned: int = 10
    neutral: int = 0
    misaligned: int = -5


class Case(Strict):
    """A case file. Numbers under `start` and `truth` may be ranges the seed picks from."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: str
    pitch: str
    teaches: list[RuleId]
    briefing: str
    budget_weeks: Annotated[float, Field(gt=0)]
    sources: dict[str, str]  # name -> description of each data source, for the briefing
    constraints: list[Constraint] = []
    human_level: HumanLevel
    start: dict[KnobName, Num]
    truth: dict[Literal[TRUTH_PARAMS], Num]  # type: ignore[valid-type]
    categories: Annotated[list[Category], Field(max_length=MAX_CATEGORIES)] = []
    actions: dict[ActionId, ActionSpec]
    coach: CoachFacts = CoachFacts()
    decisions: list[Decision] = []
    events: list[Event] = []
    scoring: Scoring = Scoring()

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
