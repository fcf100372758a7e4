"""The worked examples of the « Méthode de calcul » page, computed by `roadmap.progress`.

The page explains each rule in plain French and shows it at work on the seed's own targets. Only
the inputs are written here (quoted from the source document); every result shown on the page is
computed by the same functions as the rest of the app, so the page cannot drift from the rules.
Pure: no Django, no database, so the page is the same on an empty roadmap.
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


def _first_day(start: date, rule) -> date:
    """The first day from `start` on which `rule(day)` holds (within two years)."""
    return next(day for day in (start + timedelta(days=n) for n in range(731)) if rule(day))


def worked_example(label: str, source: str) -> WorkedExample:
    """The example, with its chart titled `label` and its value attributed to `source`."""
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
            unit="apprenants",
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
    )
