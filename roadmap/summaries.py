"""What the public pages show about axes, actions, milestones and indicators.

The views fetch rows with their prefetches (`roadmap.queries`); this module turns them into the
figures the templates display (action progress, next milestone, overdue flags, indicator progress)
through `roadmap.progress`, so the rules stay in one pure module, and into the indicators' charts
(`roadmap.charts`). Nothing here queries the database: every
related list is read through `.all()` on a prefetched relation, which keeps the number of queries of
a page independent of the size of the roadmap.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from . import charts, progress
from .models import Action, Axis, Indicator, Milestone


@dataclass(frozen=True)
class MilestoneSummary:
    """A milestone and whether its due date has passed without it being done."""

    milestone: Milestone
    overdue: bool


@dataclass(frozen=True)
class IndicatorSummary:
    """An indicator with its figures (and its chart, where a page draws it)."""

    indicator: Indicator
    figures: progress.IndicatorFigures
    chart: charts.Chart | None = None  # on the pages that draw it (`with_charts`)
    # a per-period indicator's bars, period by period, on the pages that draw it
    period_chart: charts.PeriodChart | None = None


@dataclass(frozen=True)
class ActionSummary:
    """An action's progress with the counts it rests on (`counts`), its next milestone and how
    many of its milestones are overdue."""

    action: Action
    counts: progress.ActionProgress
    next_milestone: MilestoneSummary | None
    overdue_count: int

    @property
    def progress(self) -> float | None:
        """The percentage alone (the open data's `progress`); pages show it with `counts`."""
        return self.counts.percent


@dataclass(frozen=True)
class AxisSummary:
    axis: Axis
    actions: list[ActionSummary]


def axis_label(axis: Axis) -> str:
    """« Axe 2 – Prise en charge », in the active language (the model's __str__ is French only)."""
    return gettext("Axe %(number)s – %(title)s") % {
        "number": axis.number,
        "title": axis.short_title,
    }


def editing_organisations(action: Action) -> list:
    """The organisations whose members may edit `action`: its lead, then its partners (from
    the prefetched `partners`), each once. These are the inputs of the one rule,
    `Action.objects.editable_by`: a member edits the actions their organisation leads or
    partners, an administrator every action."""
    found = [action.lead] if action.lead_id is not None else []
    found += [partner for partner in action.partners.all() if partner.pk != action.lead_id]
    return found


def editors_sentence(action: Action) -> str:
    """Who may edit `action`, for a signed-in person who may not: « Modifiable par les membres
    de l'organisation HAS et par les administrateurs »; with neither lead nor partner, only the
    administrators (`editable_by`)."""
    organisations = editing_organisations(action)
    if not organisations:
        return gettext("Pilote à désigner : seuls les administrateurs peuvent la modifier.")
    acronyms = [organisation.acronym for organisation in organisations]
    names = (
        acronyms[0]
        if len(acronyms) == 1
        else gettext("%(first)s et %(last)s")
        % {"first": ", ".join(acronyms[:-1]), "last": acronyms[-1]}
    )
    return ngettext(
        "Modifiable par les membres de l'organisation %(names)s et par les administrateurs.",
        "Modifiable par les membres des organisations %(names)s et par les administrateurs.",
        len(acronyms),
    ) % {"names": names}


def summarise_milestones(
    milestones: Iterable[Milestone], today: datetime.date
) -> list[MilestoneSummary]:
    return [
        MilestoneSummary(m, progress.is_overdue(m.due_date, m.done_on, today)) for m in milestones
    ]


def summarise_indicators(
    indicators: Iterable[Indicator], today: datetime.date, readings: dict | None = None
) -> list[IndicatorSummary]:
    """Each indicator's figures, from `readings` (indicator id -> its measurements, oldest
    first) when given, else from its prefetched measurements (`queries.with_definitions`); a
    sum reads those of the indicator it adds up the same way."""
    if readings is None:
        return [IndicatorSummary(indicator, indicator.figures(today)) for indicator in indicators]
    return [
        IndicatorSummary(
            indicator,
            indicator.figures(
                today,
                readings.get(indicator.pk, []),
                readings.get(indicator.summed_from_id, []),
            ),
        )
        for indicator in indicators
    ]


def indicator_chart(indicator: Indicator, today: datetime.date | None = None) -> charts.Chart:
    """The chart of an indicator, from its prefetched measurements (`queries.with_definitions`):
    its own, or, for a sum, the value of each measured period of the indicator it adds up
    (its own count for nothing), with the source of that value."""
    today = today or timezone.localdate()
    if indicator.summed_from_id is None:
        samples = [charts.Sample(m.date, m.value, m.source) for m in indicator.measurements.all()]
    else:
        measurements = list(indicator.summed_from.measurements.all())
        # One measurement a date (a database constraint): the date finds the period's value.
        sources = {m.date: m.source for m in measurements}
        periods = indicator.summed_from.figures(today, measurements).periods
        samples = [
            charts.Sample(point.on, point.value, sources.get(point.on, ""))
            for point in progress.period_points(periods)
        ]
    return charts.build_chart(
        ident=str(indicator.pk),
        label=indicator.label,
        unit=indicator.unit,
        samples=samples,
        today=today,
        **indicator.definition(),
    )


def with_charts(items: Iterable[IndicatorSummary], today: datetime.date) -> list:
    """`items` with their charts, for the pages that draw them (measurements prefetched):
    every indicator's line chart, and, for a per-period indicator, its bars period by period
    (`period_chart`, drawn by `roadmap/partials/period_chart.html`)."""
    return [
        replace(
            item,
            chart=indicator_chart(item.indicator, today),
            period_chart=(
                charts.build_period_chart(
                    ident=str(item.indicator.pk),
                    label=item.indicator.label,
                    unit=item.indicator.unit,
                    figures=item.figures,
                    periodicity=item.indicator.periodicity,
                )
                if item.figures.periods
                else None
            ),
        )
        for item in items
    ]


def next_milestone(milestones: Iterable[MilestoneSummary]) -> MilestoneSummary | None:
    """The open milestone due first; one without a due date comes after every dated one."""
    open_ones = [s for s in milestones if not s.milestone.is_done]
    if not open_ones:
        return None
    return min(
        open_ones,
        key=lambda s: (s.milestone.due_date is None, s.milestone.due_date or datetime.date.min),
    )


def tracked(indicators: Iterable[Indicator]) -> list[Indicator]:
    """The indicators still followed: a retired one counts in no progress and raises no flag
    (it stays on its action's page, in the list of retired indicators)."""
    return [indicator for indicator in indicators if not indicator.is_retired]


def retired(indicators: Iterable[Indicator]) -> list[Indicator]:
    """The retired indicators, earliest retired first."""
    return sorted(
        (indicator for indicator in indicators if indicator.is_retired),
        key=lambda indicator: (indicator.retired_on, indicator.position, indicator.code),
    )


def summarise_action(
    action: Action,
    today: datetime.date,
    milestones: list[MilestoneSummary] | None = None,
    indicators: list[IndicatorSummary] | None = None,
) -> ActionSummary:
    """An action's progress (with its counts), next milestone and overdue count, from its
    prefetched relations.

    Pass `milestones` and `indicators` when they were already summarised (the action page
    shows them too), so that nothing is computed twice; retired indicators count for nothing.
    """
    if milestones is None:
        milestones = summarise_milestones(action.milestones.all(), today)
    if indicators is None:
        indicators = summarise_indicators(tracked(action.indicators.all()), today)
    indicators = [s for s in indicators if not s.indicator.is_retired]
    done = sum(1 for s in milestones if s.milestone.is_done)
    return ActionSummary(
        action=action,
        counts=progress.action_progress_counts(
            done, len(milestones), [s.figures.progress for s in indicators]
        ),
        next_milestone=next_milestone(milestones),
        overdue_count=sum(1 for s in milestones if s.overdue),
    )


def summarise_axis(axis: Axis, today: datetime.date) -> AxisSummary:
    """An axis and the summaries of its actions (prefetched through `with_figures`)."""
    return AxisSummary(axis, [summarise_action(action, today) for action in axis.actions.all()])


CONTRADICTION_LABELS = {
    progress.CONTRADICTION_IN_PROGRESS_OVERDUE: gettext_lazy(
        "Déclarée « En cours » alors que des jalons ont dépassé leur échéance"
    ),
    progress.CONTRADICTION_DONE_OPEN: gettext_lazy(
        "Déclarée « Réalisée » alors que des jalons ne sont pas réalisés"
    ),
}


@dataclass(frozen=True)
class Attention:
    """What needs a task-force member's attention on an action, most urgent first."""

    overdue_count: int
    stale: bool
    days_since_update: int | None
    contradictions: list[str]
    off_track: list[IndicatorSummary]  # with their figures: pages name the period off track

    @property
    def any(self) -> bool:
        return bool(self.overdue_count or self.stale or self.contradictions or self.off_track)

    @property
    def urgency(self) -> tuple:
        """Sort key: overdue milestones, then contradictions, staleness, indicators off track."""
        return (
            -self.overdue_count,
            -len(self.contradictions),
            not self.stale,
            -len(self.off_track),
        )


def attention(
    summary: ActionSummary,
    milestones: list[MilestoneSummary],
    indicators: list[IndicatorSummary],
    last_update: datetime.datetime | datetime.date | None,
    today: datetime.date,
) -> Attention:
    open_count = sum(1 for s in milestones if not s.milestone.is_done)
    if isinstance(last_update, datetime.datetime):
        last_update = timezone.localtime(last_update).date()
    return Attention(
        overdue_count=summary.overdue_count,
        stale=progress.is_stale(last_update, today),
        days_since_update=(today - last_update).days if last_update else None,
        contradictions=[
            str(CONTRADICTION_LABELS[code])
            for code in progress.contradictions(
                summary.action.status or None, summary.overdue_count, open_count
            )
        ],
        off_track=[
            s
            for s in indicators
            if s.figures.on_track is False and not s.indicator.is_retired and not s.figures.ended
        ],
    )
