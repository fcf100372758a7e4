"""Derived figures of the roadmap: progress, trajectory, forecast and attention flags.

Everything the app *computes* (as opposed to what the task force *declares*) lives here:

- an indicator's current value, from its measurements and its kind (cumulative, per period, level);
- its progress toward the target (0-100 %, direction-aware), the trajectory (straight line from the
  baseline to the target), whether it is on track, and the value forecast at the target date;
- an action's progress (milestones done, else its indicators' mean progress, else « non mesuré »);
- the flags shown to task-force members: overdue milestones, stale actions (no update for 90 days),
  and declared statuses that contradict the facts.

This module is deliberately pure: standard library only, no Django, no ORM. Callers pass plain
values (numbers, dates, counts) and get plain values back, so every rule of docs/domain.md
« Chiffres dérivés » can be tested exhaustively, and views, templates, the open data export and
the « Méthode de calcul » page all show the same numbers.

Conventions:
- numbers come in as ``Decimal | int | float | None`` (model fields are Decimals) and are converted
  with ``float()``; results are unrounded floats, rounding is the display's business;
- ``None`` means "unknown" and propagates: an unknown input gives an unknown (``None``) figure
  rather than a guessed one, except a missing baseline *value*, which counts as 0 (most indicators
  of the roadmap start from nothing, and the source document rarely states a baseline);
- dates are ``datetime.date``; percentages are in [0, 100].
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

__all__ = [
    "CONTRADICTION_DONE_OPEN",
    "CONTRADICTION_IN_PROGRESS_OVERDUE",
    "CUMULATIVE",
    "DIRECTIONS",
    "HIGHER",
    "KINDS",
    "LEVEL",
    "LOWER",
    "PER_PERIOD",
    "STALE_AFTER_DAYS",
    "IndicatorFigures",
    "Point",
    "action_progress",
    "contradictions",
    "current_value",
    "evaluate_indicator",
    "forecast",
    "indicator_progress",
    "is_on_track",
    "is_overdue",
    "is_stale",
    "trajectory_value",
]

Number = Decimal | int | float

# Direction codes: which way is better for an indicator.
HIGHER = "higher"
LOWER = "lower"
DIRECTIONS = (HIGHER, LOWER)

# Indicator kinds (docs/domain.md): how measurements make up the current value.
CUMULATIVE = "cumulative"  # values add up toward the target (500 000 learners over 5 years)
PER_PERIOD = "per_period"  # each period's value is held against the target (70 000 a year)
LEVEL = "level"  # the latest value is the stock (15 master programmes)
KINDS = (CUMULATIVE, PER_PERIOD, LEVEL)

# « No update for 90 days »: an action is stale once 90 full days have passed since its last update.
STALE_AFTER_DAYS = 90

# Action status codes that the contradiction rules look at (the full list lives with the models).
STATUS_IN_PROGRESS = "in_progress"
STATUS_DONE = "done"

# Contradiction codes between a declared status and the milestones.
CONTRADICTION_IN_PROGRESS_OVERDUE = "in_progress_overdue"  # « En cours » with overdue milestones
CONTRADICTION_DONE_OPEN = "done_open_milestones"  # « Réalisée » with milestones not done


@dataclass(frozen=True)
class Point:
    """One measurement of an indicator: its value on a date (or at the end of a period)."""

    on: date
    value: Number


@dataclass(frozen=True)
class IndicatorFigures:
    """Every derived figure of one indicator, as shown on its page and in the open data.

    ``expected`` is the trajectory at ``current_date``, or at today when there is no measurement
    yet, so a chart can always show where the indicator should be.
    """

    current: float | None
    current_date: date | None
    progress: float | None
    expected: float | None
    on_track: bool | None
    forecast: float | None


def _to_float(value: Number | None) -> float | None:
    return None if value is None else float(value)


def _as_date(value: date | datetime) -> date:
    # datetime is a subclass of date, and date - datetime raises: compare calendar days only.
    return value.date() if isinstance(value, datetime) else value


def _check_direction(direction: str) -> None:
    # A typo in a direction code would silently flip "on track"; fail loudly instead.
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}, expected one of {DIRECTIONS}")


def _reached(value: float, threshold: float, direction: str) -> bool:
    """Whether ``value`` is at or beyond ``threshold`` in the good direction."""
    return value >= threshold if direction == HIGHER else value <= threshold


def current_value(
    kind: str, baseline: Number | None, points: Sequence[Point]
) -> tuple[float, date] | None:
    """The indicator's current value and its date, or ``None`` when nothing was measured.

    - cumulative: the baseline (0 if unknown) plus every measured value, dated at the latest point;
      a cumulative measurement is what was achieved during its period, not a running total;
    - per period and level: the value of the latest point by date (points may come in any order).
      When several points share the latest date, the last one in ``points`` wins, so a caller that
      orders by recording time gets the latest correction.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown indicator kind {kind!r}, expected one of {KINDS}")
    if not points:
        return None
    # max() keeps the first maximum; the index in the key makes the *last* of equal dates win.
    _, latest = max(enumerate(points), key=lambda item: (item[1].on, item[0]))
    if kind == CUMULATIVE:
        # fsum: a long series of measurements must not drift through rounding.
        total = math.fsum(float(point.value) for point in points)
        return (_to_float(baseline) or 0.0) + total, latest.on
    return float(latest.value), latest.on


def indicator_progress(
    baseline: Number | None,
    target: Number | None,
    current: Number | None,
    direction: str = HIGHER,
) -> float | None:
    """Progress from the baseline to the target, in percent, clamped to [0, 100].

    (current - baseline) / (target - baseline) * 100. The formula is direction-aware by itself: for
    a lower-is-better indicator the target is below the baseline, so going down is progress. The
    direction only decides when target == baseline: 100 if the target is reached in the good
    direction (>= for higher, <= for lower), else 0. Going the wrong way gives 0, overshooting
    gives 100. Unknown current value or target: ``None``; unknown baseline: 0.
    """
    _check_direction(direction)
    if current is None or target is None:
        return None
    start = _to_float(baseline) or 0.0
    goal = float(target)
    now = float(current)
    if goal == start:
        return 100.0 if _reached(now, goal, direction) else 0.0
    # goal != start guarantees a non-zero denominator in IEEE floats; a tiny one can overflow the
    # ratio to ±inf, which the clamp turns into 0 or 100 (never NaN: the numerator is finite).
    ratio = (now - start) / (goal - start) * 100.0
    return min(100.0, max(0.0, ratio))


def trajectory_value(
    baseline_date: date | None,
    baseline: Number | None,
    target_date: date | None,
    target: Number | None,
    on: date,
) -> float | None:
    """Where the indicator should be on date ``on``, on the straight line from baseline to target.

    Before the baseline date the trajectory is the baseline, after the target date the target.
    Unknown baseline value: 0. Unknown baseline date, target date or target: ``None`` (no line to
    draw). A target date on or before the baseline date is a step: the target straight away.
    """
    if baseline_date is None or target_date is None or target is None:
        return None
    start = _to_float(baseline) or 0.0
    goal = float(target)
    if target_date <= baseline_date:
        return goal
    on = _as_date(on)
    if on <= baseline_date:
        return start
    if on >= target_date:
        return goal
    elapsed = (on - baseline_date).days / (target_date - baseline_date).days
    value = start + (goal - start) * elapsed
    # Rounding could in theory step a hair past the target; keep the line between its two ends so
    # it stays monotonic and never promises more than the target.
    return min(max(value, min(start, goal)), max(start, goal))


def is_on_track(
    current: Number | None,
    current_date: date | None,
    baseline_date: date | None,
    baseline: Number | None,
    target_date: date | None,
    target: Number | None,
    direction: str = HIGHER,
) -> bool | None:
    """Whether the current value is at or beyond the trajectory at its own date.

    "Beyond" follows the direction: >= for higher-is-better, <= for lower-is-better. ``None`` when
    the current value, its date or the trajectory is unknown.
    """
    _check_direction(direction)
    if current is None or current_date is None:
        return None
    expected = trajectory_value(baseline_date, baseline, target_date, target, current_date)
    if expected is None:
        return None
    return _reached(float(current), expected, direction)


def forecast(
    current: Number | None,
    current_date: date | None,
    baseline_date: date | None,
    baseline: Number | None,
    target_date: date | None,
) -> float | None:
    """The value projected at the target date if the pace since the baseline goes on.

    In days: baseline + (current - baseline) * (target - baseline date) / (current - baseline date).
    Unknown baseline value: 0, as everywhere else. ``None`` when the current value or a date is
    unknown, when the current date is not after the baseline date (no pace yet), or when the
    target date is not after the baseline date (no horizon to project over). A current date past
    the target date still gives the value the pace implies at the target date.
    """
    if current is None or current_date is None or baseline_date is None or target_date is None:
        return None
    if current_date <= baseline_date or target_date <= baseline_date:
        return None
    start = _to_float(baseline) or 0.0
    now = float(current)
    # Same line as the docstring, rewritten from the current value rather than the baseline so that
    # a measurement taken on the target date forecasts exactly itself (no rounding round trip).
    remaining = (target_date - current_date).days / (current_date - baseline_date).days
    return now + (now - start) * remaining


def evaluate_indicator(
    *,
    kind: str,
    direction: str,
    baseline: Number | None,
    baseline_date: date | None,
    target: Number | None,
    target_date: date | None,
    points: Sequence[Point],
    today: date,
) -> IndicatorFigures:
    """All the derived figures of one indicator, from its definition and its measurements."""
    _check_direction(direction)
    found = current_value(kind, baseline, points)
    current, current_date = found if found is not None else (None, None)
    return IndicatorFigures(
        current=current,
        current_date=current_date,
        progress=indicator_progress(baseline, target, current, direction),
        expected=trajectory_value(
            baseline_date, baseline, target_date, target, current_date or _as_date(today)
        ),
        on_track=is_on_track(
            current, current_date, baseline_date, baseline, target_date, target, direction
        ),
        forecast=forecast(current, current_date, baseline_date, baseline, target_date),
    )


def action_progress(
    milestones_done: int,
    milestones_total: int,
    indicator_progresses: Sequence[float | None],
) -> float | None:
    """An action's progress in percent, or ``None`` for « non mesuré ».

    With at least one milestone: the share of milestones done (milestones are what the task force
    commits to, so they win over indicators). Without: the mean of its indicators' known progress
    (each already in [0, 100], from ``indicator_progress``). Neither: ``None``.
    """
    # Counts come from the database, never from users: inconsistent counts are a bug, not data.
    if not 0 <= milestones_done <= milestones_total:
        raise ValueError(
            f"inconsistent milestone counts: {milestones_done} done out of {milestones_total}"
        )
    if milestones_total > 0:
        return milestones_done / milestones_total * 100.0
    known = [float(progress) for progress in indicator_progresses if progress is not None]
    if not known:
        return None
    return math.fsum(known) / len(known)


def is_overdue(due_date: date | None, done_on: date | None, today: date) -> bool:
    """A milestone is overdue when its due date is past (before today) and it is not done.

    A milestone due today is not overdue yet; one without a due date never is; one done late is
    done, not overdue.
    """
    if due_date is None or done_on is not None:
        return False
    return due_date < _as_date(today)


def is_stale(
    last_update: date | datetime | None, today: date, days: int = STALE_AFTER_DAYS
) -> bool:
    """Whether an action has had no update for ``days`` days (90 by default).

    Stale when today - last update >= ``days`` calendar days: updated on 1 January, an action is
    stale from 1 April (90 days later) in a non-leap year. Never updated: stale. A datetime counts
    by its calendar date, so pass it in local time (Django's ``timezone.localdate``/``localtime``).
    """
    if last_update is None:
        return True
    return (_as_date(today) - _as_date(last_update)).days >= days


def contradictions(status: str | None, overdue_count: int, open_count: int) -> list[str]:
    """The ways a declared status contradicts the milestones (empty when consistent).

    « En cours » with overdue milestones, « Réalisée » with milestones still open. Other statuses
    (including « À risque » and « En retard », which already admit trouble) contradict nothing.
    """
    if status == STATUS_IN_PROGRESS and overdue_count > 0:
        return [CONTRADICTION_IN_PROGRESS_OVERDUE]
    if status == STATUS_DONE and open_count > 0:
        return [CONTRADICTION_DONE_OPEN]
    return []
