"""What the reader pages show about the roadmap as a whole.

- the headline targets of the dashboard (learners trained, professionals trained, master
  programmes, money), with their figures and their latest measurement;
- the rows of the dashboard and of an axis page: each action with its summary and what needs
  attention (overdue milestones, no update for 90 days, a contradictory status);
- the roadmap's own milestones (those of no action), for the dashboard's timeline;
- the rows of the indicators page, and how they sort;
- the summary at the top of the dashboard (`roadmap_summary`): one sentence and the figures it
  rests on, each with the link to the list it counts.

Like `roadmap.summaries`, every function here reads prefetched relations through `.all()`, so a
page issues the same number of queries whatever the size of the roadmap; the headlines alone
fetch their indicators, through `roadmap.queries`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext, pgettext

from . import progress
from .french import format_number, sortable
from .models import Action, Indicator, Measurement, Milestone, Roadmap, Status
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


# --- The dashboard's summary ---------------------------------------------------------------

# How many actions the summary names beside its count of overdue milestones, at most: the
# others are in the list of actions, each row flagging its own.
OVERDUE_NAMED = 5


@dataclass(frozen=True)
class Figure:
    """One figure of the summary: its number, what it counts (the words after the number,
    agreed with it) and the link to the list it counts; `key` names it (tests, styles)."""

    key: str
    count: int
    label: str
    url: str


@dataclass(frozen=True)
class RoadmapSummary:
    """Where the roadmap stands, as the top of the dashboard says it: `sentence`, then the
    figures it rests on: actions by status, overdue milestones (with where they are: each
    action's `#jalons`, the roadmap's own timeline), indicators by trajectory; the page shows
    its last update beside them (the sentence says it too)."""

    sentence: str
    actions: list[Figure]
    milestones: Figure
    overdue_where: list[tuple[str, str]]  # (label, link), at most OVERDUE_NAMED
    indicators: list[Figure]


class MilestoneDates(NamedTuple):
    """What the summary reads of a milestone: its dates, and its action (None: the roadmap's)."""

    due_date: datetime.date | None
    done_on: datetime.date | None
    action_code: str | None
    action_slug: str | None


def _status_label(status: str, count: int) -> str:
    """A status as words after a number of actions: « en cours », « non démarrées »."""
    labels = {
        Status.NOT_STARTED: ngettext("non démarrée", "non démarrées", count),
        Status.IN_PROGRESS: ngettext("en cours", "en cours", count),
        Status.AT_RISK: ngettext("à risque", "à risque", count),
        Status.LATE: ngettext("en retard", "en retard", count),
        Status.DONE: ngettext("réalisée", "réalisées", count),
        Status.ABANDONED: ngettext("abandonnée", "abandonnées", count),
        "": ngettext("sans statut déclaré", "sans statut déclaré", count),
    }
    return labels[status]


def _number(count: int) -> str:
    """A count as the active locale writes it (« 1 234 »)."""
    return format_number(count, 0)


def _counted(count: int, label: str) -> str:
    return pgettext("a number, then what it counts", "%(count)s %(label)s") % {
        "count": _number(count),
        "label": label,
    }


def _indicator_state(item: IndicatorSummary) -> str:
    """How an indicator stands, for the summary: on or off its trajectory (past its final
    target date: reached or not), not measured yet, or measured with no trajectory to hold it
    against (the source sets no start or target date)."""
    figures = item.figures
    if figures.ended:
        return "on_track" if figures.reached else "off_track"
    if figures.current is None:
        return "not_measured"
    if figures.on_track is None:
        return "no_trajectory"
    return "on_track" if figures.on_track else "off_track"


def _and(parts: list[str]) -> str:
    """« a, b et c »."""
    if len(parts) < 2:
        return "".join(parts)
    return gettext("%(first)s et %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}


def _actions_sentence(figures: list[Figure], total: int) -> str:
    if total == 0:
        return gettext("La feuille de route ne compte encore aucune action")
    if all(figure.key == "unset" for figure in figures):
        return ngettext(
            "Son action n'a pas encore de statut déclaré",
            "Aucune des %(total)s actions n'a encore de statut déclaré",
            total,
        ) % {"total": _number(total)}
    parts = [_counted(figure.count, figure.label) for figure in figures]
    return ngettext(
        "Sur %(total)s action, %(parts)s", "Sur %(total)s actions, %(parts)s", total
    ) % {"total": _number(total), "parts": _and(parts)}


def _milestones_sentence(overdue: int) -> str:
    if not overdue:
        return gettext("aucun jalon n'a dépassé son échéance")
    return ngettext(
        "%(count)s jalon a dépassé son échéance",
        "%(count)s jalons ont dépassé leur échéance",
        overdue,
    ) % {"count": _number(overdue)}


def _indicators_sentence(states: dict[str, int], total: int) -> str:
    n = {"total": _number(total), "off": _number(states["off_track"])}
    if total == 0:
        return gettext("aucun indicateur n'est encore suivi")
    if states["not_measured"] == total:
        return (
            ngettext(
                "son indicateur n'est pas encore mesuré",
                "aucun des %(total)s indicateurs n'est encore mesuré",
                total,
            )
            % n
        )
    if not states["off_track"]:
        return (
            ngettext(
                "son indicateur n'est pas hors trajectoire",
                "aucun des %(total)s indicateurs n'est hors trajectoire",
                total,
            )
            % n
        )
    return (
        ngettext(
            "%(off)s indicateur sur %(total)s est hors trajectoire",
            "%(off)s indicateurs sur %(total)s sont hors trajectoire",
            states["off_track"],
        )
        % n
    )


def _update_sentence(last_update: datetime.datetime | None) -> str:
    if last_update is None:
        return gettext("pas encore de mise à jour")
    return gettext("dernière mise à jour le %(date)s") % {
        "date": formats.date_format(timezone.localtime(last_update), "DATE_FORMAT")
    }


def _overdue_where(overdue: list[MilestoneDates]) -> list[tuple[str, str]]:
    """Where the overdue milestones are: each action's milestones (in the order of the
    roadmap), then the roadmap's own timeline on the dashboard."""
    actions = sorted({(m.action_code, m.action_slug) for m in overdue if m.action_slug})
    where = [(code, reverse("roadmap:action", args=[slug]) + "#jalons") for code, slug in actions]
    if any(m.action_slug is None for m in overdue):
        where.append(
            (gettext("feuille de route"), reverse("roadmap:dashboard") + "#jalons-feuille-de-route")
        )
    return where[:OVERDUE_NAMED]


def roadmap_summary(
    status_counts: dict[str, int],
    milestones: Iterable[MilestoneDates],
    indicators: list[IndicatorSummary],
    last_update: datetime.datetime | None,
    today: datetime.date,
    *,
    unset_status: str,
) -> RoadmapSummary:
    """The dashboard's summary of the whole roadmap, whatever its filters or page.

    `status_counts`: the number of actions by declared status ("" for none); `milestones`:
    every milestone of the roadmap (its own included); `indicators`: the figures of every
    indicator still followed; `last_update`: the latest change made by a person;
    `unset_status`: the status filter's value for no status (`roadmap.filters.STATUS_UNSET`).
    """
    dashboard = reverse("roadmap:dashboard")
    actions = [
        Figure(
            status or "unset",
            status_counts[status],
            _status_label(status, status_counts[status]),
            f"{dashboard}?statut={status or unset_status}#actions",
        )
        for status in [*Status.values, ""]
        if status_counts.get(status)
    ]
    overdue = [m for m in milestones if progress.is_overdue(m.due_date, m.done_on, today)]
    where = _overdue_where(overdue)
    states = {"on_track": 0, "off_track": 0, "not_measured": 0, "no_trajectory": 0}
    for item in indicators:
        states[_indicator_state(item)] += 1
    listing = reverse("roadmap:indicators")
    by_progress = f"{listing}?tri=avancement&ordre=%s#tableau-indicateurs"
    labels = {
        "on_track": ngettext("dans la trajectoire", "dans la trajectoire", states["on_track"]),
        "off_track": ngettext("hors trajectoire", "hors trajectoire", states["off_track"]),
        "not_measured": ngettext("non mesuré", "non mesurés", states["not_measured"]),
        "no_trajectory": ngettext("sans trajectoire", "sans trajectoire", states["no_trajectory"]),
    }
    links = {
        # The most advanced first, or the least; the unmeasured always come last.
        "on_track": by_progress % "desc",
        "off_track": by_progress % "asc",
        "not_measured": f"{listing}#tableau-indicateurs",
        "no_trajectory": f"{listing}#tableau-indicateurs",
    }
    shown = [key for key in states if states[key] or key in ("on_track", "off_track")]
    sentence = pgettext(
        "dashboard summary: actions; milestones; indicators; last update",
        "%(actions)s ; %(milestones)s ; %(indicators)s ; %(update)s.",
    ) % {
        "actions": _actions_sentence(actions, sum(status_counts.values())),
        "milestones": _milestones_sentence(len(overdue)),
        "indicators": _indicators_sentence(states, len(indicators)),
        "update": _update_sentence(last_update),
    }
    return RoadmapSummary(
        sentence=sentence,
        actions=actions,
        milestones=Figure(
            "overdue",
            len(overdue),
            (
                ngettext("jalon en retard", "jalons en retard", len(overdue))
                if overdue
                else gettext("Aucun jalon en retard")
            ),
            # In one place, its list; in several, the actions, each row flagging its own.
            where[0][1] if len(where) == 1 else f"{dashboard}#actions",
        ),
        overdue_where=where,
        indicators=[Figure(key, states[key], labels[key], links[key]) for key in shown],
    )
