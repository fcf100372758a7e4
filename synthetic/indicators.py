"""The indicators of synthetic actions and their monthly measurements, with their history.

Three kinds (cumulative, per period, level) with baselines, targets and dates; monthly series
that end last month or a little before, some stopped months ago. Per-period indicators run by
academic year, calendar year or quarter, over a span of periods or open-ended, each month's value
the running total of its period; some have periods with a target of their own. Some cumulative and
level indicators have intermediate dated targets (`Target` rows, with their history). A few
cumulative indicators are the sum of a per-period one of their action (no measurement of their
own), and a few indicators are retired after their last measurement. A hundred thousand
measurements are built as dicts of column values and written `MEASUREMENT_FLUSH` at a time.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from roadmap import progress
from roadmap.models import Direction, Indicator, Kind, Measurement, Periodicity, Target

from .draws import months_before, months_between
from .marks import SYNTHETIC_SOURCE
from .plan import ActionPlan, Run
from .words import COMMENTS, INDICATOR_TEMPLATES, SOURCES

MEASUREMENT_FLUSH = 20_000  # measurements kept in memory before they are written
# How per-period indicators cut time, by weight; a quarter's target is a quarter of a year's.
PERIODICITIES = [(Periodicity.ACADEMIC_YEAR, 40), (Periodicity.YEAR, 35), (Periodicity.QUARTER, 25)]
MONTHS_PER_PERIOD = {Periodicity.ACADEMIC_YEAR: 12, Periodicity.YEAR: 12, Periodicity.QUARTER: 3}
SUM_SHARE = 0.3  # of the cumulative indicators drawn after a per-period one of the same action
TARGETS_SHARE = 0.4  # of the dated cumulative and level indicators: intermediate targets
PERIOD_TARGETS_SHARE = 0.25  # of the per-period indicators: periods with a target of their own
RETIRED_SHARE = 0.03


def write_indicators_and_measurements(run: Run, plans: list[ActionPlan], taken: set[str]) -> None:
    """`indicators_per_action` indicators per action (codes not in `taken`), their series, their
    targets; the sums are written after the indicators they add up."""
    rng = run.draws.rng
    indicators, sums, series, targets = [], [], {}, {}
    for plan in plans:
        compact = plan.action.code.replace(" ", "")
        per_period = None  # the action's last per-period indicator, which a sum may add up
        for position in range(1, run.sizes.indicators_per_action + 1):
            kind = rng.choices([Kind.CUMULATIVE, Kind.PER_PERIOD, Kind.LEVEL], [35, 30, 35])[0]
            if kind == Kind.CUMULATIVE and per_period is not None and rng.random() < SUM_SHARE:
                code = f"{per_period.code}-TOTAL"
                while code in taken:
                    code += "B"
                taken.add(code)
                sums.append(plan_sum(run, per_period, code, position))
                continue
            template = rng.choice(INDICATOR_TEMPLATES[kind])
            code = f"{compact}-{template[2]}{position}"
            while code in taken:
                code += "B"
            taken.add(code)
            indicator, points = plan_indicator(run, plan, kind, template, code, position)
            indicators.append(indicator)
            series[code] = (plan, points)
            targets[code] = plan_targets(run, indicator)
            if kind == Kind.PER_PERIOD:
                per_period = indicator
    writer = run.writer
    indicators = writer.write(Indicator, indicators, "indicateurs")
    for total in sums:
        total.summed_from_id = total.summed_from.pk
    sums = writer.write(Indicator, sums, "indicateurs")
    rows = [
        row
        for indicator in indicators + sums
        for row in writer.trail(Indicator, indicator, indicator.created_at, {}, ())
    ]
    writer.write(writer.history_models[Indicator], rows)

    dated = []
    for indicator in indicators:
        for target in targets[indicator.code]:
            target.indicator_id = indicator.pk
            dated.append(target)
    dated = writer.write(Target, dated, "cibles datées")
    rows = [
        row for target in dated for row in writer.trail(Target, target, target.created_at, {}, ())
    ]
    writer.write(writer.history_models[Target], rows)

    pending = []
    for indicator in indicators:
        plan, points = series[indicator.code]
        for day, value in points:
            pending.append(measurement(run, plan, indicator, day, value))
        if len(pending) >= MEASUREMENT_FLUSH:
            write_measurements(run, pending)
            pending = []
    write_measurements(run, pending)


def plan_indicator(run: Run, plan: ActionPlan, kind, template, code, position):
    """The indicator, and its series as `(month end, value)` pairs."""
    rng = run.draws.rng
    label, unit, _abbreviation, typical, direction = template
    action = plan.action
    count = run.sizes.measurements_per_indicator
    # The series ends last month, or a little before; a quiet action's ends when it went quiet.
    lag = rng.choice([0, 0, 0, 0, 1, 1, 2]) if rng.random() < 0.9 else rng.randint(4, 12)
    last = months_before(plan.last_day, 1 + lag)
    first = months_before(last, max(count - 1, 0))
    scale = rng.choice([0.5, 0.75, 1, 1, 1.5, 2])
    percent = unit == "%"
    target = typical if percent else typical * scale
    periodicity = None
    if kind == Kind.PER_PERIOD:
        periodicity = rng.choices(
            [choice for choice, _weight in PERIODICITIES],
            [weight for _choice, weight in PERIODICITIES],
        )[0]
        target = target * MONTHS_PER_PERIOD[periodicity] / 12
    if direction == Direction.LOWER:
        baseline = target * rng.uniform(1.5, 2.5)
    elif kind == Kind.LEVEL:
        baseline = target * rng.uniform(0.05, 0.3)
    else:
        baseline = 0
    if percent:
        baseline = min(baseline, 95)
    baseline_date = months_before(first, 1) + datetime.timedelta(days=1)  # a 1st of month
    target_date = max(action.end_date, baseline_date + datetime.timedelta(days=365))
    known_baseline = rng.random() < 0.75
    dated_target = rng.random() < 0.85
    horizon = max(months_between(baseline_date, target_date), 1)
    pace = rng.uniform(0.55, 1.3)
    periods_from = period_count = None
    if periodicity is not None:
        # The first period is the one of the first measured month; the span runs to the target
        # date, or, for about half of them, stays open (periods run up to today).
        periods_from = progress.period_containing(periodicity, first)[0]
        if rng.random() < 0.5:
            period_count = len(progress.span(periodicity, periods_from, None, target_date))
        points = _period_series(rng, periodicity, unit, target, pace, count, last)
    else:
        points = _series(rng, kind, direction, unit, (baseline, target), horizon, pace, count, last)
    created = plan.created + datetime.timedelta(minutes=rng.randint(1, 600))
    retired_on = None
    if rng.random() < RETIRED_SHARE:
        retired_on = min(last + datetime.timedelta(days=rng.randint(5, 60)), plan.last_day)
    indicator = Indicator(
        roadmap_id=action.roadmap_id,
        action=action,
        code=code,
        label=label,
        unit=unit,
        kind=kind,
        direction=direction,
        baseline_value=rounded(baseline, unit) if known_baseline else None,
        baseline_date=baseline_date if known_baseline else None,
        target_value=rounded(target, unit),
        target_date=target_date if dated_target else None,
        source=f"Objectif fixé par la fiche action {action.code} (données synthétiques).",
        periodicity=periodicity or "",
        periods_from=periods_from,
        period_count=period_count,
        retired_on=retired_on,
        position=position,
        version=1,
        created_at=created,
        updated_at=created,
    )
    return indicator, points


def plan_sum(run: Run, source: Indicator, code: str, position: int) -> Indicator:
    """A cumulative indicator that adds up the periods of `source` (written after it)."""
    rng = run.draws.rng
    periods = source.period_count or rng.choice([3, 4, 5])
    last_period = progress.span(
        source.periodicity, source.periods_from, periods, source.periods_from
    )
    created = source.created_at + datetime.timedelta(minutes=rng.randint(1, 60))
    return Indicator(
        roadmap_id=source.roadmap_id,
        action=source.action,
        code=code,
        label=f"{source.label} : total sur {periods} périodes",
        unit=source.unit,
        kind=Kind.CUMULATIVE,
        direction=source.direction,
        baseline_value=Decimal(0),
        baseline_date=source.periods_from,
        target_value=source.target_value * periods,
        target_date=last_period[-1][1],
        source=f"Objectif cumulé de la fiche action {source.action.code} (données synthétiques).",
        summed_from=source,
        position=position,
        version=1,
        created_at=created,
        updated_at=created,
    )


def plan_targets(run: Run, indicator: Indicator) -> list[Target]:
    """Intermediate dated targets on the line from the baseline to the final target, or, for a
    per-period indicator, a period or two with a target above the recurring one."""
    rng = run.draws.rng
    created = indicator.created_at + datetime.timedelta(minutes=rng.randint(1, 60))
    source = f"Étape fixée par la fiche action {indicator.action.code} (données synthétiques)."
    days: list[tuple[datetime.date, float]] = []
    if indicator.kind == Kind.PER_PERIOD:
        if rng.random() < PERIOD_TARGETS_SHARE:
            periods = progress.span(
                indicator.periodicity,
                indicator.periods_from,
                indicator.period_count or 4,
                created.date(),
            )
            for _start, end in rng.sample(periods, min(len(periods), rng.randint(1, 2))):
                days.append((end, float(indicator.target_value) * rng.uniform(1.05, 1.3)))
    elif indicator.baseline_date and indicator.target_date and rng.random() < TARGETS_SHARE:
        start, end = indicator.baseline_date, indicator.target_date
        baseline, final = float(indicator.baseline_value), float(indicator.target_value)
        steps = rng.randint(1, 3)
        for step in range(1, steps + 1):
            share = step / (steps + 1)
            on = start + datetime.timedelta(days=round((end - start).days * share))
            days.append((on, (baseline + (final - baseline) * share) * rng.uniform(0.9, 1.1)))
    return [
        Target(
            on=on,
            value=rounded(value, indicator.unit),
            source=source,
            version=1,
            created_at=created,
            updated_at=created,
        )
        for on, value in sorted(days)
    ]


def _period_series(rng, periodicity, unit, target, pace, count, last) -> list[tuple]:
    """`count` month-end values ending on `last`: each the running total of its period so far,
    which starts again at the start of each period."""
    length = MONTHS_PER_PERIOD[periodicity]
    points = []
    for month in range(count):
        day = months_before(last, count - 1 - month)
        start, _end = progress.period_containing(periodicity, day)
        elapsed = months_between(start, day) + 1
        value = target * pace * elapsed / length * rng.uniform(0.85, 1.15)
        points.append((day, rounded(value, unit)))
    return points


def _series(rng, kind, direction, unit, bounds, horizon, pace, count, last) -> list[tuple]:
    """`count` monthly values ending on `last`, from the baseline towards the target (a
    cumulative indicator's monthly increments, a level's stock)."""
    baseline, target = bounds
    percent = unit == "%"
    points = []
    running = baseline
    for month in range(count):
        day = months_before(last, count - 1 - month)
        elapsed = min(1.0, (month + 1) / horizon)
        noise = rng.uniform(0.85, 1.15)
        if kind == Kind.CUMULATIVE:
            value = (target - baseline) / horizon * pace * noise
        else:
            value = baseline + (target - baseline) * min(1.0, pace * elapsed) * noise
            if direction == Direction.HIGHER and not percent:
                value = running = max(running, value)  # a stock does not shrink
        points.append((day, rounded(value, unit)))
    return points


def rounded(value: float, unit: str) -> Decimal:
    if unit == "%":
        return Decimal(str(round(min(max(value, 0.0), 100.0), 1)))
    if unit == "€":
        return Decimal(round(value / 1000) * 1000)
    return Decimal(max(round(value), 0))


def measurement(run: Run, plan: ActionPlan, indicator, day: datetime.date, value) -> dict:
    """A measurement as a dict of column values: there are a hundred thousand of them."""
    draws = run.draws
    rng = draws.rng
    recorded = min(day + datetime.timedelta(days=rng.randint(3, 25)), plan.last_day)
    when = draws.moment(max(recorded, day))
    return {
        "indicator_id": indicator.pk,
        "date": day,
        "value": value,
        "source": f"{SYNTHETIC_SOURCE} – {rng.choice(SOURCES)}",
        "comment": rng.choice(COMMENTS) if rng.random() < 0.15 else "",
        "recorded_by_id": rng.choice(plan.authors).pk,
        "version": 1,
        "created_at": when,
        "updated_at": when,
    }


def write_measurements(run: Run, pending: list[dict]) -> None:
    if not pending:
        return
    writer = run.writer
    writer.write(Measurement, pending, "mesures")
    copied = writer.copied[Measurement]
    rows = [
        {
            **{name: row[name] for name in copied},
            "history_date": row["created_at"],
            "history_type": "+",
            "history_user_id": row["recorded_by_id"],
            "history_change_reason": None,
        }
        for row in pending
    ]
    writer.write(writer.history_models[Measurement], rows)
