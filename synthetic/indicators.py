"""The indicators of synthetic actions and their monthly measurements, with their history.

Three kinds (cumulative, per period, level) with baselines, targets and dates; monthly series
that end last month or a little before, some stopped months ago. A hundred thousand measurements
are built as dicts of column values and written `MEASUREMENT_FLUSH` at a time.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from roadmap.models import Direction, Indicator, Kind, Measurement

from .draws import months_before, months_between
from .marks import SYNTHETIC_SOURCE
from .plan import ActionPlan, Run
from .words import COMMENTS, INDICATOR_TEMPLATES, SOURCES

MEASUREMENT_FLUSH = 20_000  # measurements kept in memory before they are written


def write_indicators_and_measurements(run: Run, plans: list[ActionPlan], taken: set[str]) -> None:
    """`indicators_per_action` indicators per action (codes not in `taken`), their series."""
    rng = run.draws.rng
    indicators, series = [], []
    for plan in plans:
        compact = plan.action.code.replace(" ", "")
        for position in range(1, run.sizes.indicators_per_action + 1):
            kind = rng.choices([Kind.CUMULATIVE, Kind.PER_PERIOD, Kind.LEVEL], [35, 30, 35])[0]
            template = rng.choice(INDICATOR_TEMPLATES[kind])
            code = f"{compact}-{template[2]}{position}"
            while code in taken:
                code += "B"
            taken.add(code)
            indicator, points = plan_indicator(run, plan, kind, template, code, position)
            indicators.append(indicator)
            series.append((plan, points))
    writer = run.writer
    indicators = writer.write(Indicator, indicators, "indicateurs")
    rows = [
        row
        for indicator in indicators
        for row in writer.trail(Indicator, indicator, indicator.created_at, {}, ())
    ]
    writer.write(writer.history_models[Indicator], rows)

    pending = []
    for indicator, (plan, points) in zip(indicators, series, strict=True):
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
    points = _series(rng, kind, direction, unit, (baseline, target), horizon, pace, count, last)
    created = plan.created + datetime.timedelta(minutes=rng.randint(1, 600))
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
        # A per-period indicator counts calendar years from its first measured month.
        periodicity="year" if kind == Kind.PER_PERIOD else "",
        periods_from=first if kind == Kind.PER_PERIOD else None,
        position=position,
        version=1,
        created_at=created,
        updated_at=created,
    )
    return indicator, points


def _series(rng, kind, direction, unit, bounds, horizon, pace, count, last) -> list[tuple]:
    """`count` monthly values ending on `last`, from the baseline towards the target."""
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
        elif kind == Kind.PER_PERIOD:
            value = target * pace * min(1.0, 0.3 + 0.7 * elapsed * 2) * noise
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
