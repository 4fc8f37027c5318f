"""The starter case `mlsim new NAME` writes: commented, valid, lint-clean, playable as it stands."""

from __future__ import annotations

ID_PLACEHOLDER = "__ID__"

STARTER = """\
# yaml-language-server: $schema=./mlsim-case.schema.json
# A starter case written by `mlsim new __ID__`. Edit it, then:
#   mlsim validate __ID__.yaml      every mistake at once, as file:line:col: message
#   mlsim lint __ID__               winnable? does following the rules pay? is every part reached?
#   mlsim play __ID__               play it (add --headless --policy expert to watch the expert)
# Field reference: docs/authoring.md (or `mlsim schema` for editors' completion).

id: __ID__                       # lowercase, digits and -; keep it equal to the file name
title: Leaves on the line
pitch: Spot leaf-covered rails from the train's front camera before the autumn timetable starts.
teaches:                         # rule ids the coach will cite (docs/rules, or `mlsim validate` suggests them)
  - need-human-level
  - avoidable-bias
  - variance
  - optimizing-satisficing
briefing: |
  # Leaves on the line

  Every autumn, wet leaves make the rails slippery. The railway wants the train's front camera
  to flag leaf-covered track so drivers brake early.

  You have **500,000 labelled camera frames** and **40 weeks**. The detector runs on the train's
  own computer: it must decide in **at most 2 seconds** per frame.
budget_weeks: 40                 # fixed: the briefing tells the player
sources:
  front cameras: 500,000 labelled frames from the trains' front cameras (the users' distribution)
constraints:                     # satisficing thresholds; shipping past one scores no outcome
  - {metric: inference_s, max: 2, label: Inference time (s)}
human_level:
  known: false                   # true: given in the briefing; false: the player must measure it
  table:                         # the lowest row is the Bayes proxy unless a decision picks another
    - {who: a passenger, error: 6.0}
    - {who: a track inspector, error: 2.0}
    - {who: a panel of inspectors, error: 1.0}
start:                           # the first model's knobs; numbers here may vary by seed
  level: 2
  n_target: 480000
  n_dev: 10000
  n_test: 10000
truth:                           # the hidden law: all twenty are required
  bayes: {between: [0.8, 1.0]}   # a seeded variant: each seed draws a value in the range
  bayes_gap: 0.0
  start_bias: {between: [3.0, 5.0]}
  start_variance: {one_of: [1.0, 1.5, 2.0]}   # another form: the seed picks one
  effort_share: 0.3
  a: 0.5
  b: 0.5
  start_mismatch: 0.0
  gamma: 0.5
  mismatch_half: 10000
  k_overfit: 1.0
  world_shift: 0.05
  real_noise: 0.05
  transfer_data: 0
  transfer_half: 1
  multitask_data: 0
  e2e_floor: 0
  e2e_threshold: 1
  run_weeks: 0.5                 # one training run now; runs grow with data × model size
  inference_s: 0.3               # the first model's inference time; each size up costs more
  memory_mb: 5
categories:                      # what error analysis finds; shares total ≤ 1
  - {id: glare, label: Low sun glare on the rails, share: 0.4, fixed_by: [data_augmentation]}
  - {id: night, label: Frames taken at night, share: 0.3, fixed_by: [collect_more_data]}
actions:                         # what the player may do, and the weeks each costs (+ its training run)
  measure_human_level: {weeks: 1}
  bigger_network: {weeks: 1}
  train_longer: {weeks: 0.5}
  better_optimizer: {weeks: 1}
  collect_more_data: {weeks: 3, factor: 1.0}
  add_regularization: {weeks: 0.5}
  data_augmentation: {weeks: 1}
  early_stopping: {weeks: 0.5}
  error_analysis: {weeks: 0.5}
  evaluate_test: {weeks: 0.5}
  bigger_dev_set: {weeks: 2, factor: 4}
  faster_hardware: {weeks: 2}
  ship: {weeks: 1}
decisions:                       # questions at fixed points; each option names the rule it follows or breaks
  - id: metric
    when: {week: 0}              # or {after_action: ID} or {after_event: ID}
    prompt: The railway cares about missed leaves and about speed. How will you compare models?
    options:
      - id: a
        text: Lowest error among models that decide within 2 seconds.
        verdict: aligned
        rule: optimizing-satisficing
        why: One metric to optimise and speed as a threshold; any two models compare at a glance.
      - id: b
        text: "Score = accuracy − 0.3 × seconds."
        verdict: misaligned
        rule: optimizing-satisficing
        why: A blend trades accuracy for speed nobody needs; time is a threshold, not a goal.
        effects: {add: {metric_gap: 0.3}}
  - id: inspector
    when: {after_event: storm}
    prompt: The storm brought 50,000 frames of fallen branches. What do you do with them?
    options:
      - id: a
        text: Leave them out; they are another problem than leaves.
        verdict: aligned
        rule: dev-test-same-distribution
        why: Dev and test must reflect what the detector is for; branches are another task.
      - id: b
        text: Put them in the dev set to make it harder.
        verdict: misaligned
        rule: dev-test-same-distribution
        why: A dev set that is not the users' distribution aims the team at the wrong target.
        effects: {add: {devset_gap: 0.4}}
events:                          # things that happen at a given week (inside the budget)
  - id: storm
    week: 3
    title: An autumn storm
    text: A storm brought down branches along the whole line; the cameras filmed them all.
"""


def starter_case(case_id: str) -> str:
    """The starter case text with its id filled in."""
    return STARTER.replace(ID_PLACEHOLDER, case_id)
