"""What the reader pages show about the roadmap as a whole.

- the headline targets of the dashboard (learners trained, professionals trained, master
  programmes, money), with their figures and their latest measurement;
- the rows of the dashboard and of an axis page: each action with its summary and what needs
  attention (overdue milestones, no update for 90 days, a contradictory status);
- the roadmap's own milestones (those of no action), for the dashboard's timeline;
- the rows of the indicators page, and how they sort.

Like `roadmap.summaries`, every function here reads prefetched relations through `.all()`, so a
page issues the same number of queries whatever the size of the roadmap; the headlines alone
fetch their indicators, through `roadmap.queries`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.utils import timezone

from . import progress
from .french import sortable
from .models import Action, Indicator, Measurement, Milestone, Roadmap
from .queries import Reading, headline_indicators
from .summaries import (
    ActionSummary,
    Attention,
    IndicatorSummary,
    attention,
    summarise_action,
    summarise_indicators,
    summarise_milestones,
    tracked,
)

# The dashboard's headline targets, by roadmap, in the order shown: the figures the roadmap is
# judged on (docs/domain.md). A roadmap not listed here shows its first indicators instead.
HEADLINE_INDICATORS = {
    "ia-en-sante-2025": (
        "IA2-1-APP-AN",
        "IA2-1-APP-5ANS",
        "IA2-1-PRO-AN",
        "IA2-1-MASTER-NUM",
        "IA2-1-MASTER-JUR",
        "IA2-1-MASTER-REG",
        "IA2-1-INVEST",
    ),
}
DEFAULT_HEADLINES = 6


@dataclass(frozen=True)
class Headline:
    indicator: Indicator
    figures: progress.IndicatorFigures
    latest: Measurement | None  # the measurement dated last: where the current value comes from


class ActionRow(NamedTuple):
    """An action's summary and what needs attention; unpacks as `summary, attention`."""

    summary: ActionSummary
    attention: Attention


def latest_measurement(indicator: Indicator) -> Measurement | None:
    """The measurement dated last (the last recorded among equal dates), from the prefetch;
    for a sum, that of the per-period indicator it adds up (its own count for nothing)."""
    measured = indicator.summed_from if indicator.summed_from_id is not None else indicator
    measurements = list(measured.measurements.all())
    return measurements[-1] if measurements else None


def headlines(roadmap: Roadmap, today: datetime.date) -> list[Headline]:
    chosen = headline_indicators(roadmap, HEADLINE_INDICATORS.get(roadmap.slug), DEFAULT_HEADLINES)
    return [
        Headline(
            indicator,
            indicator.figures(today),
            latest_measurement(indicator),
        )
        for indicator in chosen
    ]


def action_rows(
    actions: Iterable[Action],
    today: datetime.date,
    readings: dict[int, list[Reading]] | None = None,
) -> list[ActionRow]:
    """Rows of actions fetched through `with_figures(...).with_last_update()`, their indicators
    measured by `readings` when given (see `summarise_indicators`)."""
    rows = []
    for action in actions:
        milestones = summarise_milestones(action.milestones.all(), today)
        indicators = summarise_indicators(tracked(action.indicators.all()), today, readings)
        summary = summarise_action(action, today, milestones, indicators)
        rows.append(
            ActionRow(
                summary, attention(summary, milestones, indicators, action.last_update, today)
            )
        )
    return rows


def roadmap_milestones(milestones: Iterable[Milestone], today: datetime.date) -> list[tuple]:
    """The roadmap's own milestones (those of no action) as the timeline shows them: each
    summarised, with no edit form (they are edited in the administration)."""
    return [(item, None) for item in summarise_milestones(milestones, today)]


def local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return None if moment is None else timezone.localdate(moment)


# --- The indicators page -------------------------------------------------------------------


def _action_key(item: IndicatorSummary) -> tuple:
    indicator = item.indicator
    return (
        indicator.action.axis.number,
        indicator.action.code,
        indicator.position,
        indicator.code,
    )


def _due(item: IndicatorSummary) -> datetime.date | None:
    """The date the page shows in the « Date cible » column: a per-period indicator's current
    period ends then, another's final target is due then."""
    period = item.figures.period
    return period.end if period is not None else item.indicator.target_date


# How the indicators page sorts, by the value of its `tri` parameter. Unknown values (an
# indicator with no measurement yet, no target date) always come last, whatever the order.
SORT_KEYS = {
    "action": lambda item: (False, _action_key(item)),
    "indicateur": lambda item: (False, (sortable(item.indicator.label), item.indicator.code)),
    "avancement": lambda item: (item.figures.progress is None, item.figures.progress or 0.0),
    "echeance": lambda item: (_due(item) is None, _due(item) or datetime.date.min),
}
DEFAULT_SORT = "action"


def sort_indicators(
    items: list[IndicatorSummary], key: str = DEFAULT_SORT, descending: bool = False
) -> list[IndicatorSummary]:
    sort_key = SORT_KEYS[key]
    known = [item for item in items if not sort_key(item)[0]]
    unknown = [item for item in items if sort_key(item)[0]]
    # Ties keep the roadmap's order, so that the page reads the same from one visit to the next.
    known.sort(key=_action_key)
    known.sort(key=lambda item: sort_key(item)[1], reverse=descending)
    unknown.sort(key=_action_key)
    return known + unknown
