"""The worked examples of the « Méthode de calcul » page, computed by `roadmap.progress`.

The page explains each rule in plain French and shows it at work on the seed's own targets. Only
the inputs are written here (quoted from the source document, or stated on the page as a
supposition); every result shown on the page is computed by the same functions as the rest of
the app (`roadmap.progress`, the charts of `roadmap.charts`), so the page cannot drift from the
rules. No database: the examples are the same on an empty roadmap (the page's list of
interpretations is read apart, by `roadmap.queries.interpretations`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from . import charts, progress

# « Rentrée universitaire 2024/2025 : 70 000 apprenants […] formés, et 500 000 sur 5 ans. »
LEARNERS_BASELINE_DATE = date(2024, 9, 1)
LEARNERS_TARGET_DATE = date(2029, 8, 31)
LEARNERS_TARGET = 500_000
LEARNERS_PER_YEAR = 70_000
YEAR_ONE_END = date(2025, 8, 31)
# The indicator, as `progress.evaluate_indicator` and the chart take it.
LEARNERS = {
    "kind": progress.CUMULATIVE,
    "direction": progress.HIGHER,
    "baseline": 0,
    "baseline_date": LEARNERS_BASELINE_DATE,
    "target": LEARNERS_TARGET,
    "target_date": LEARNERS_TARGET_DATE,
}

# « Création de 15 nouveaux parcours de masters pour les experts du numérique en santé »: say 6
# of them open.
MASTERS_TARGET = 15
MASTERS_OPEN = 6

# A year with 63 000 learners against the target of 70 000 a year.
YEAR_LEARNERS = 63_000

# An action with 5 milestones, 2 of them done.
MILESTONES_TOTAL = 5
MILESTONES_DONE = 2

# A milestone due on 30 June 2025; an action last updated on 1 January 2025.
MILESTONE_DUE = date(2025, 6, 30)
LAST_UPDATE = date(2025, 1, 1)

# « 70 000 apprenants par an », as the seed reads it: each academic year of five from
# 2024/2025 against 70 000. Say 72 000 learners in 2024/2025, and in 2025/2026 30 000 by
# 31 January 2026 then 63 000 for the whole year, seen on 15 September 2026.
YEARLY = {
    "kind": progress.PER_PERIOD,
    "direction": progress.HIGHER,
    "baseline": 0,
    "baseline_date": None,
    "target": LEARNERS_PER_YEAR,
    "target_date": LEARNERS_TARGET_DATE,
    "periodicity": progress.ACADEMIC_YEAR,
    "periods_from": LEARNERS_BASELINE_DATE,
    "period_count": 5,
}
YEAR_ONE_VALUE = 72_000
YEAR_TWO_EARLY_ON = date(2026, 1, 31)
YEAR_TWO_EARLY = 30_000
YEAR_TWO_END = date(2026, 8, 31)
YEAR_TWO_VALUE = 63_000
PERIODS_TODAY = date(2026, 9, 15)

# Several dated targets: suppose 200 000 learners were due by 31 August 2026 on the way to the
# 500 000 (the source sets no such step: the page says it is a supposition).
STEP = progress.Target(date(2026, 8, 31), 200_000)

# After the target date: 480 000 learners by 31 August 2029, seen on 1 September 2029.
FINAL_VALUE = 480_000
AFTER_END = date(2029, 9, 1)


@dataclass(frozen=True)
class PeriodsExample:
    """Two academic years of « 70 000 apprenants par an », each against its own target, and
    the sum « 500 000 sur 5 ans » of the years."""

    figures: progress.IndicatorFigures
    chart: charts.PeriodChart
    first: charts.Bar
    second: charts.Bar
    early_on: date
    early_value: int
    today: date
    total: progress.IndicatorFigures  # the sum of the years, against 500 000


@dataclass(frozen=True)
class TargetsExample:
    """The 500 000 learners with a supposed step of 200 000 by 31 August 2026."""

    step: progress.Target
    figures: progress.IndicatorFigures  # with 70 000 measured on 31 August 2025
    first_leg_days: int  # from the baseline to the step
    ended: progress.IndicatorFigures  # 480 000 by 31 August 2029, seen the day after
    final_value: int
    after_end: date


@dataclass(frozen=True)
class WorkedExample:
    # 70 000 learners trained in year 1 of 5, against 500 000 over 5 years
    target: int
    per_year: int
    baseline_date: date
    target_date: date
    measured_on: date
    elapsed_days: int
    total_days: int
    elapsed_share: float  # percent of the period gone by
    expected: float  # the trajectory on the measurement's date
    progress: float
    on_track: bool
    forecast: float
    chart: charts.Chart
    # the other rules, one figure each
    year_learners: int
    year_progress: float
    masters_target: int
    masters_open: int
    masters_progress: float
    milestones_total: int
    milestones_done: int
    action_progress: float
    action_progress_without_milestones: float
    milestone_due: date
    overdue_from: date
    last_update: date
    stale_days: int
    stale_from: date
    # periods, several dated targets, after the target date, progress with its counts
    periods: PeriodsExample
    targets: TargetsExample
    milestone_counts: progress.ActionProgress
    indicator_counts: progress.ActionProgress


def _first_day(start: date, rule) -> date:
    """The first day from `start` on which `rule(day)` holds (within two years)."""
    return next(day for day in (start + timedelta(days=n) for n in range(731)) if rule(day))


def periods_example(label: str, unit: str) -> PeriodsExample:
    """Two academic years of the yearly learners, and their sum against 500 000."""
    points = [
        progress.Point(YEAR_ONE_END, YEAR_ONE_VALUE),
        progress.Point(YEAR_TWO_EARLY_ON, YEAR_TWO_EARLY),
        progress.Point(YEAR_TWO_END, YEAR_TWO_VALUE),
    ]
    figures = progress.evaluate_indicator(**YEARLY, points=points, today=PERIODS_TODAY)
    chart = charts.build_period_chart(
        ident="exemple-periodes",
        label=label,
        unit=unit,
        figures=figures,
        periodicity=YEARLY["periodicity"],
    )
    total = progress.evaluate_indicator(
        **LEARNERS, points=progress.period_points(figures.periods), today=PERIODS_TODAY
    )
    return PeriodsExample(
        figures=figures,
        chart=chart,
        first=chart.bars[0],
        second=chart.bars[1],
        early_on=YEAR_TWO_EARLY_ON,
        early_value=YEAR_TWO_EARLY,
        today=PERIODS_TODAY,
        total=total,
    )


def targets_example() -> TargetsExample:
    """The 500 000 learners through a supposed step, then seen after their target date."""
    figures = progress.evaluate_indicator(
        **LEARNERS,
        targets=[STEP],
        points=[progress.Point(YEAR_ONE_END, LEARNERS_PER_YEAR)],
        today=YEAR_ONE_END,
    )
    ended = progress.evaluate_indicator(
        **LEARNERS,
        points=[progress.Point(LEARNERS_TARGET_DATE, FINAL_VALUE)],
        today=AFTER_END,
    )
    return TargetsExample(
        step=STEP,
        figures=figures,
        first_leg_days=(STEP.on - LEARNERS_BASELINE_DATE).days,
        ended=ended,
        final_value=FINAL_VALUE,
        after_end=AFTER_END,
    )


def worked_example(
    label: str,
    source: str,
    unit: str = "apprenants",
    yearly_label: str = "Apprenants formés par an (exemple)",
) -> WorkedExample:
    """The example, with its chart titled `label` in `unit` and its value attributed to
    `source`, and the per-period example's chart titled `yearly_label` (the view passes them
    in the reader's language)."""
    figures = progress.evaluate_indicator(
        **LEARNERS, points=[progress.Point(YEAR_ONE_END, LEARNERS_PER_YEAR)], today=YEAR_ONE_END
    )
    year_progress = progress.indicator_progress(0, LEARNERS_PER_YEAR, YEAR_LEARNERS)
    return WorkedExample(
        target=LEARNERS_TARGET,
        per_year=LEARNERS_PER_YEAR,
        baseline_date=LEARNERS_BASELINE_DATE,
        target_date=LEARNERS_TARGET_DATE,
        measured_on=YEAR_ONE_END,
        elapsed_days=(YEAR_ONE_END - LEARNERS_BASELINE_DATE).days,
        total_days=(LEARNERS_TARGET_DATE - LEARNERS_BASELINE_DATE).days,
        elapsed_share=(YEAR_ONE_END - LEARNERS_BASELINE_DATE).days
        / (LEARNERS_TARGET_DATE - LEARNERS_BASELINE_DATE).days
        * 100,
        expected=figures.expected,
        progress=figures.progress,
        on_track=figures.on_track,
        forecast=figures.forecast,
        chart=charts.build_chart(
            ident="exemple",
            label=label,
            unit=unit,
            samples=[charts.Sample(YEAR_ONE_END, LEARNERS_PER_YEAR, source)],
            today=YEAR_ONE_END,
            **LEARNERS,
        ),
        year_learners=YEAR_LEARNERS,
        year_progress=year_progress,
        masters_target=MASTERS_TARGET,
        masters_open=MASTERS_OPEN,
        masters_progress=progress.indicator_progress(0, MASTERS_TARGET, MASTERS_OPEN),
        milestones_total=MILESTONES_TOTAL,
        milestones_done=MILESTONES_DONE,
        action_progress=progress.action_progress(MILESTONES_DONE, MILESTONES_TOTAL, []),
        action_progress_without_milestones=progress.action_progress(
            0, 0, [figures.progress, year_progress]
        ),
        milestone_due=MILESTONE_DUE,
        overdue_from=_first_day(
            MILESTONE_DUE, lambda day: progress.is_overdue(MILESTONE_DUE, None, day)
        ),
        last_update=LAST_UPDATE,
        stale_days=progress.STALE_AFTER_DAYS,
        stale_from=_first_day(LAST_UPDATE, lambda day: progress.is_stale(LAST_UPDATE, day)),
        periods=periods_example(yearly_label, unit),
        targets=targets_example(),
        milestone_counts=progress.action_progress_counts(
            MILESTONES_DONE, MILESTONES_TOTAL, [figures.progress, year_progress]
        ),
        indicator_counts=progress.action_progress_counts(
            0, 0, [figures.progress, year_progress, None]
        ),
    )
