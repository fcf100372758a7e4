"""What the public pages show about axes, actions, milestones and indicators.

The views fetch rows with their prefetches; this module turns them into the figures the templates
display (action progress, next milestone, overdue flags, indicator progress) through
`roadmap.progress`, so the rules stay in one pure module. Nothing here queries the database: every
related list is read through `.all()` on a prefetched relation, which keeps the number of queries of
a page independent of the size of the roadmap.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext

from . import progress
from .models import Action, Axis, Indicator, Measurement, Milestone


@dataclass(frozen=True)
class MilestoneSummary:
    milestone: Milestone
    overdue: bool


@dataclass(frozen=True)
class IndicatorSummary:
    indicator: Indicator
    figures: progress.IndicatorFigures


@dataclass(frozen=True)
class ActionSummary:
    action: Action
    progress: float | None
    next_milestone: MilestoneSummary | None
    overdue_count: int


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


def with_figures(actions: QuerySet[Action]) -> QuerySet[Action]:
    """`actions` with everything their figures need, fetched in a fixed number of queries."""
    return actions.select_related("lead").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "pk")),
        Prefetch(
            "indicators",
            # Explicit orderings: the models' default ones join the parent table for nothing.
            queryset=Indicator.objects.order_by("position", "code").prefetch_related(
                Prefetch("measurements", queryset=Measurement.objects.order_by("date", "pk"))
            ),
        ),
    )


def summarise_milestones(
    milestones: Iterable[Milestone], today: datetime.date
) -> list[MilestoneSummary]:
    return [
        MilestoneSummary(m, progress.is_overdue(m.due_date, m.done_on, today)) for m in milestones
    ]


def summarise_indicators(
    indicators: Iterable[Indicator], today: datetime.date
) -> list[IndicatorSummary]:
    return [
        IndicatorSummary(indicator, indicator.figures(today, indicator.measurements.all()))
        for indicator in indicators
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


def summarise_action(
    action: Action,
    today: datetime.date,
    milestones: list[MilestoneSummary] | None = None,
    indicators: list[IndicatorSummary] | None = None,
) -> ActionSummary:
    """An action's progress, next milestone and overdue count, from its prefetched relations.

    Pass `milestones` and `indicators` when they were already summarised (the action page
    shows them too), so that nothing is computed twice.
    """
    if milestones is None:
        milestones = summarise_milestones(action.milestones.all(), today)
    if indicators is None:
        indicators = summarise_indicators(action.indicators.all(), today)
    done = sum(1 for s in milestones if s.milestone.is_done)
    return ActionSummary(
        action=action,
        progress=progress.action_progress(
            done, len(milestones), [s.figures.progress for s in indicators]
        ),
        next_milestone=next_milestone(milestones),
        overdue_count=sum(1 for s in milestones if s.overdue),
    )


def summarise_axis(axis: Axis, today: datetime.date) -> AxisSummary:
    """An axis and the summaries of its actions (prefetched through `with_figures`)."""
    return AxisSummary(axis, [summarise_action(action, today) for action in axis.actions.all()])
