"""Derived figures of the roadmap: progress, trajectory, forecast and attention flags.

Everything the app *computes* (as opposed to what the task force *declares*) lives here:

- an indicator's current value, from its measurements and its kind (cumulative, per period, level);
- its progress toward the final target and toward the next one (0-100 %, direction-aware), the
  trajectory (the line from the baseline through every dated target), whether it is on track, the
  value forecast at the next target date, and, once the final target date has passed, no forecast
  but whether the target was reached;
- the periods of a per-period indicator (academic year, calendar year, quarter, month), each held
  against its own target with its own values only;
- an action's progress (milestones done, else its indicators' mean progress, else « non mesuré »),
  with the counts it rests on;
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
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise

__all__ = [
    "ACADEMIC_YEAR",
    "CONTRADICTION_DONE_OPEN",
    "CONTRADICTION_IN_PROGRESS_OVERDUE",
    "CUMULATIVE",
    "DIRECTIONS",
    "HIGHER",
    "KINDS",
    "LEVEL",
    "LOWER",
    "MAX_PERIODS",
    "MONTH",
    "PERIODICITIES",
    "PER_PERIOD",
    "QUARTER",
    "STALE_AFTER_DAYS",
    "YEAR",
    "ActionProgress",
    "IndicatorFigures",
    "PeriodFigures",
    "Point",
    "Target",
    "action_progress",
    "action_progress_counts",
    "contradictions",
    "current_value",
    "evaluate_indicator",
    "evaluate_periods",
    "forecast",
    "headline_period",
    "held_targets",
    "indicator_progress",
    "is_on_track",
    "is_overdue",
    "is_stale",
    "period_containing",
    "period_points",
    "span",
    "trajectory_knots",
    "trajectory_through",
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

# Periodicities of a per-period indicator (docs/domain.md « Périodes »).
ACADEMIC_YEAR = "academic_year"  # 1 September to 31 August (« 2024/2025 »)
YEAR = "year"  # calendar year
QUARTER = "quarter"
MONTH = "month"
PERIODICITIES = (ACADEMIC_YEAR, YEAR, QUARTER, MONTH)
# An open-ended span (no number of periods) stops at this many periods, so that a mistyped
# first date can never make a page list thousands of periods.
MAX_PERIODS = 240

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
class Target:
    """A target value, on a date (an intermediate or final target) or without one."""

    on: date | None
    value: Number


@dataclass(frozen=True)
class PeriodFigures:
    """One period of a per-period indicator, held against its own target.

    ``state`` is ``"past"`` (ended before today), ``"current"`` (contains today) or
    ``"future"``. ``value`` is the latest measurement dated within the period. For the current
    period, ``expected`` and ``on_track`` compare it with a line from the baseline on the
    period's first day to the target on its last day, and ``forecast`` projects it to the last
    day; a past period gets ``reached`` instead (``None`` when nothing was measured).
    """

    start: date
    end: date
    target: float | None
    value: float | None
    value_date: date | None
    progress: float | None
    state: str
    expected: float | None = None
    on_track: bool | None = None
    forecast: float | None = None
    reached: bool | None = None


@dataclass(frozen=True)
class IndicatorFigures:
    """Every derived figure of one indicator, as shown on its page and in the open data.

    ``expected`` is the trajectory at ``current_date``, or at today when there is no measurement
    yet, so a chart can always show where the indicator should be. ``progress`` is toward the
    final target, ``next_progress`` toward ``next_target`` (the first target not yet due), and
    ``forecast`` is the value projected at the next target's date: ``None`` once the final target
    date has passed, when ``reached`` says whether the final target was met by ``current``.

    A per-period indicator's figures are those of its headline ``period`` (the one containing
    today, else the nearest end of its span), with every period of the span in ``periods``.
    """

    current: float | None
    current_date: date | None
    progress: float | None
    expected: float | None
    on_track: bool | None
    forecast: float | None
    target: float | None = None
    next_target: Target | None = None
    next_progress: float | None = None
    ended: bool = False
    reached: bool | None = None
    period: PeriodFigures | None = None
    periods: tuple[PeriodFigures, ...] = ()


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


def trajectory_through(knots: Sequence[tuple[date, Number]], on: date) -> float | None:
    """Where the indicator should be on ``on``, on the line through ``knots`` (date, value).

    The knots are the baseline then each dated target; the line runs straight between two
    consecutive knots, is flat at the first value before the first date and at the last value
    after the last date. Fewer than two knots: ``None`` (no line to draw). Knots may come in any
    order; of two on the same date, the later in the sequence wins (a step).
    """
    ordered = sorted(enumerate(knots), key=lambda item: (item[1][0], item[0]))
    # One value a date, the later given winning: the line then passes through it on its own date
    # too, not only just after.
    by_day = {_as_date(day): float(value) for _, (day, value) in ordered}
    points = list(by_day.items())
    if len(points) < 2:
        return None
    on = _as_date(on)
    if on <= points[0][0]:
        return points[0][1]
    for (first_day, first), (next_day, following) in pairwise(points):
        if on < next_day:
            return trajectory_value(first_day, first, next_day, following, on)
    return points[-1][1]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


_MONTHS_PER_PERIOD = {ACADEMIC_YEAR: 12, YEAR: 12, QUARTER: 3, MONTH: 1}


def period_containing(periodicity: str, day: date) -> tuple[date, date]:
    """The first and last days of the period of ``periodicity`` that contains ``day``."""
    if periodicity not in PERIODICITIES:
        raise ValueError(f"unknown periodicity {periodicity!r}, expected one of {PERIODICITIES}")
    day = _as_date(day)
    if periodicity == ACADEMIC_YEAR:
        first = date(day.year if day.month >= 9 else day.year - 1, 9, 1)
    elif periodicity == YEAR:
        first = date(day.year, 1, 1)
    elif periodicity == QUARTER:
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    else:
        first = date(day.year, day.month, 1)
    following = _add_months(first, _MONTHS_PER_PERIOD[periodicity])
    return first, date.fromordinal(following.toordinal() - 1)


def span(
    periodicity: str, first_day: date, count: int | None, until: date
) -> list[tuple[date, date]]:
    """The periods of a span: ``count`` of them from the one containing ``first_day``, or, with
    no count, every period up to the one containing ``until`` (at least one, at most
    ``MAX_PERIODS``: a mistyped first date cannot make a page list thousands of periods)."""
    if count is not None and count < 1:
        raise ValueError(f"a span has at least one period, not {count}")
    periods = [period_containing(periodicity, first_day)]
    # Only an open-ended span is capped: a number of periods is the indicator's own (the model
    # bounds it), and cutting it would silently drop the last periods and their targets.
    limit = count if count is not None else MAX_PERIODS
    last_day = None if count is not None else _as_date(until)
    while len(periods) < limit:
        _, end = periods[-1]
        if last_day is not None and end >= last_day:
            break
        periods.append(period_containing(periodicity, date.fromordinal(end.toordinal() + 1)))
    return periods


def _latest(points: Sequence[Point]) -> Point | None:
    # The last of equal dates wins: a caller ordering by recording time gets the correction.
    if not points:
        return None
    return max(enumerate(points), key=lambda item: (item[1].on, item[0]))[1]


def _period_figures(
    start: date,
    end: date,
    target: Number | None,
    baseline: Number | None,
    direction: str,
    points: Sequence[Point],
    today: date,
) -> PeriodFigures:
    latest = _latest(points)
    value = None if latest is None else float(latest.value)
    value_date = None if latest is None else latest.on
    state = "past" if end < today else ("future" if start > today else "current")
    figures = PeriodFigures(
        start=start,
        end=end,
        target=_to_float(target),
        value=value,
        value_date=value_date,
        progress=indicator_progress(baseline, target, value, direction),
        state=state,
    )
    if state == "past":
        reached = (
            None if value is None or target is None else _reached(value, float(target), direction)
        )
        return replace(figures, reached=reached)
    if state == "future":
        return figures
    # The period's own line: its baseline the day before it starts, its target on its last day.
    eve = date.fromordinal(start.toordinal() - 1)
    on = value_date or today
    return replace(
        figures,
        expected=trajectory_value(eve, baseline, end, target, on),
        on_track=is_on_track(value, value_date, eve, baseline, end, target, direction),
        forecast=forecast(value, value_date, eve, baseline, end),
    )


def evaluate_periods(
    *,
    periodicity: str,
    first_day: date,
    count: int | None,
    target: Number | None,
    targets: Sequence[Target] = (),
    baseline: Number | None,
    direction: str,
    points: Sequence[Point],
    today: date,
) -> tuple[PeriodFigures, ...]:
    """Each period of the span against its own target, from the points dated within it only.

    A period's target is that of a ``targets`` entry dated within it, else the recurring
    ``target``. Points outside the span belong to no period and count nowhere.
    """
    _check_direction(direction)
    today = _as_date(today)
    latest = _latest(points)
    until = max(today, latest.on) if latest is not None else today
    own_targets = {}
    for item in targets:
        if item.on is not None:
            own_targets[period_containing(periodicity, item.on)[0]] = item.value
    by_period: dict[date, list[Point]] = {}
    for point in points:
        by_period.setdefault(period_containing(periodicity, point.on)[0], []).append(point)
    return tuple(
        _period_figures(
            start,
            end,
            own_targets.get(start, target),
            baseline,
            direction,
            by_period.get(start, []),
            today,
        )
        for start, end in span(periodicity, first_day, count, until)
    )


def headline_period(periods: Sequence[PeriodFigures]) -> PeriodFigures | None:
    """The period a page leads with: the current one, else the last past one (the span is over),
    else the first (it has not begun)."""
    for state in ("current", "past"):
        found = [period for period in periods if period.state == state]
        if found:
            return found[-1]
    return periods[0] if periods else None


def period_points(periods: Sequence[PeriodFigures]) -> list[Point]:
    """Each measured period as one point (its value, on the date of that value): what a
    cumulative indicator summing a per-period one adds up."""
    return [Point(p.value_date, p.value) for p in periods if p.value_date is not None]


def _next_target(targets: Sequence[Target], today: date) -> Target | None:
    """The first target not yet due (dated targets by date, an undated one last), or ``None``
    when every target date has passed."""
    dated = sorted((t for t in targets if t.on is not None), key=lambda t: t.on)
    for item in dated:
        if item.on >= today:
            return item
    undated = [t for t in targets if t.on is None]
    return undated[-1] if undated else None


def _between(on: date | None, baseline_date: date | None, target_date: date | None) -> bool:
    """Whether an intermediate target dated ``on`` is a step of the line: after the baseline
    date and before the final target date (when known). One dated on or before the baseline, or
    on or after the final target date, would bend the line backwards or past its end: it is no
    step of the trajectory (and the model refuses it)."""
    if on is None:
        return False
    if baseline_date is not None and on <= baseline_date:
        return False
    return target_date is None or on < target_date


def held_targets(
    baseline_date: date | None,
    target: Number | None,
    target_date: date | None,
    targets: Sequence[Target] = (),
) -> list[Target]:
    """The targets an indicator is held against, by date: its intermediate ones that are steps
    of the line (after the baseline date, before the final target date), then the final one
    (``target`` on ``target_date``, which may be unknown)."""
    every = sorted(
        (t for t in targets if _between(t.on, baseline_date, target_date)), key=lambda t: t.on
    )
    if target is not None:
        every.append(Target(target_date, target))
    return every


def trajectory_knots(
    baseline: Number | None,
    baseline_date: date | None,
    target: Number | None,
    target_date: date | None,
    targets: Sequence[Target] = (),
) -> list[tuple[date, float]]:
    """The (date, value) points the trajectory runs through: the baseline (0 if unknown) on its
    date, then each dated target of `held_targets`. Empty when there is no line to draw (no
    baseline date, no dated target, or a final target not after the baseline date)."""
    knots = [
        (t.on, float(t.value))
        for t in held_targets(baseline_date, target, target_date, targets)
        if t.on is not None
    ]
    if baseline_date is None or not knots or knots[-1][0] <= baseline_date:
        return []
    return [(baseline_date, _to_float(baseline) or 0.0), *knots]


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
    targets: Sequence[Target] = (),
    periodicity: str | None = None,
    periods_from: date | None = None,
    period_count: int | None = None,
) -> IndicatorFigures:
    """All the derived figures of one indicator, from its definition and its measurements.

    ``target`` and ``target_date`` are the final target; ``targets`` are the intermediate ones,
    or, for a per-period indicator (``periodicity`` and ``periods_from`` given), the periods'
    own targets where they differ from the recurring ``target``.
    """
    _check_direction(direction)
    today = _as_date(today)
    if kind == PER_PERIOD and periodicity and periods_from is not None:
        return _evaluate_per_period(
            direction,
            baseline,
            target,
            targets,
            points,
            today,
            periodicity,
            periods_from,
            period_count,
        )
    found = current_value(kind, baseline, points)
    current, current_date = found if found is not None else (None, None)
    final = Target(target_date, target) if target is not None else None
    every = held_targets(baseline_date, target, target_date, targets)
    knots = trajectory_knots(baseline, baseline_date, target, target_date, targets)
    on = current_date or today
    # After the last dated knot the line is flat; with an undated final target it is unknown.
    past_line = final is not None and final.on is None and knots and on > knots[-1][0]
    expected = None if past_line else trajectory_through(knots, on)
    ended = target_date is not None and today > target_date
    upcoming = None if ended else _next_target(every, today)
    on_track = None
    if current is not None and expected is not None:
        on_track = _reached(current, expected, direction)
    pace = None
    if upcoming is not None and upcoming.on is not None:
        pace = forecast(current, current_date, baseline_date, baseline, upcoming.on)
    reached = None
    if ended and current is not None and target is not None:
        reached = _reached(current, float(target), direction)
    return IndicatorFigures(
        current=current,
        current_date=current_date,
        progress=indicator_progress(baseline, target, current, direction),
        expected=expected,
        on_track=on_track,
        forecast=pace,
        target=_to_float(target),
        next_target=upcoming,
        next_progress=(
            None
            if upcoming is None
            else indicator_progress(baseline, upcoming.value, current, direction)
        ),
        ended=ended,
        reached=reached,
    )


def _evaluate_per_period(
    direction, baseline, target, targets, points, today, periodicity, periods_from, period_count
) -> IndicatorFigures:
    periods = evaluate_periods(
        periodicity=periodicity,
        first_day=periods_from,
        count=period_count,
        target=target,
        targets=targets,
        baseline=baseline,
        direction=direction,
        points=points,
        today=today,
    )
    period = headline_period(periods)
    ended = period is not None and period.state == "past" and period_count is not None
    on_track = period.on_track if period is not None else None
    if period is not None and period.state == "past":
        on_track = period.reached
    return IndicatorFigures(
        current=period.value if period else None,
        current_date=period.value_date if period else None,
        progress=period.progress if period else None,
        expected=period.expected if period else None,
        on_track=on_track,
        forecast=None if ended or period is None else period.forecast,
        target=period.target if period else _to_float(target),
        next_target=(
            None if period is None or period.state == "past" else Target(period.end, period.target)
        ),
        next_progress=period.progress if period is not None and period.state != "past" else None,
        ended=ended,
        reached=period.reached if ended else None,
        period=period,
        periods=periods,
    )


@dataclass(frozen=True)
class ActionProgress:
    """An action's progress and the counts it rests on, so that it cannot overstate.

    ``basis`` is ``"milestones"`` (``done`` of ``total`` milestones), ``"indicators"`` (the
    mean over ``total`` indicators with a known progress) or ``None`` (« non mesuré »).
    ``count`` is the action's number of indicators, measured or not, whatever the basis: with
    milestones, they do not count (the two are never mixed), and a page can say so.
    """

    percent: float | None
    basis: str | None
    done: int
    total: int
    count: int = 0


def action_progress_counts(
    milestones_done: int,
    milestones_total: int,
    indicator_progresses: Sequence[float | None],
) -> ActionProgress:
    """`action_progress` with what it rests on (« 1 jalon sur 1 »)."""
    percent = action_progress(milestones_done, milestones_total, indicator_progresses)
    if milestones_total > 0:
        return ActionProgress(
            percent, "milestones", milestones_done, milestones_total, len(indicator_progresses)
        )
    known = sum(1 for value in indicator_progresses if value is not None)
    if known:
        return ActionProgress(percent, "indicators", known, known, len(indicator_progresses))
    return ActionProgress(None, None, 0, 0, len(indicator_progresses))


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
