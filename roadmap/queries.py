"""The page reads: how the reader and editor pages fetch the roadmap, written once.

- the navigation's axes (`nav_axes`), the organisations the dashboard filters by;
- the measurements, either as model objects (`measurements_prefetch`) or as light readings
  (`readings_of`, no model object, thousands at a time);
- actions with everything their figures need (`with_figures`) and their « last update »
  (`with_last_update`); the latest change to a roadmap or an axis;
- the order of indicators, within an action and across the roadmap.

Every list is fetched in a fixed number of queries, whatever the size of the roadmap
(docs/architecture.md); `roadmap.summaries` and `roadmap.overview` then shape what was read.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import DateTimeField, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from accounts.models import Organisation

from .models import Action, Axis, Indicator, Measurement, Milestone, ProgressNote, Roadmap

# The indicators of an action, in the order of the source document; across the roadmap, by
# axis and action first. Explicit: the model's default ordering joins the action for nothing.
INDICATOR_ORDER = ("position", "code")
ROADMAP_INDICATOR_ORDER = ("action__axis__number", "action__code", *INDICATOR_ORDER)


def nav_axes(roadmap: Roadmap | None) -> list[Axis]:
    """The axes of `roadmap` in the main navigation (and wherever a page lists them all)."""
    return [] if roadmap is None else list(roadmap.axes.order_by("number"))


def involved_organisations(roadmap: Roadmap) -> list[Organisation]:
    """The organisations that lead or partner at least one action of `roadmap`."""
    return list(
        Organisation.objects.filter(
            Q(led_actions__roadmap=roadmap) | Q(partnered_actions__roadmap=roadmap)
        )
        .distinct()
        .order_by("acronym")
    )


def measurements_prefetch() -> Prefetch:
    """An indicator's measurements, oldest first (the last recorded last among equal dates)."""
    return Prefetch("measurements", queryset=Measurement.objects.order_by("date", "pk"))


class Reading(NamedTuple):
    """A measurement as lists and files need it: no model object, thousands of them at a time."""

    date: datetime.date
    value: Decimal
    updated_at: datetime.datetime
    source: str
    comment: str


def readings_of(**filters) -> dict[int, list[Reading]]:
    """The measurements that match `filters` (e.g. `indicator__roadmap=roadmap`), by indicator
    id, oldest first, in one query."""
    by_indicator: dict[int, list[Reading]] = {}
    rows = (
        Measurement.objects.filter(**filters)
        .order_by("indicator", "date", "pk")
        .values_list("indicator_id", *Reading._fields)
    )
    for indicator_id, *reading in rows.iterator(chunk_size=5000):
        by_indicator.setdefault(indicator_id, []).append(Reading(*reading))
    return by_indicator


def with_figures(actions: QuerySet[Action], *, measurements: bool = True) -> QuerySet[Action]:
    """`actions` with everything their figures need, fetched in a fixed number of queries.

    Without `measurements`, their indicators come without them: lists of many actions measure
    them with light readings instead (`readings_of`), a hundred thousand model objects being
    the bulk of a worker's memory at the large size.
    """
    indicators = Indicator.objects.order_by(*INDICATOR_ORDER)
    if measurements:
        indicators = indicators.prefetch_related(measurements_prefetch())
    return actions.select_related("lead").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "pk")),
        Prefetch("indicators", queryset=indicators),
    )


def newest(queryset: QuerySet, field: str) -> Subquery:
    """The latest `field` (a moment) among the rows of `queryset`, as a subquery."""
    return Subquery(queryset.order_by(f"-{field}").values(field)[:1], output_field=DateTimeField())


def with_last_update(actions: QuerySet[Action]) -> QuerySet[Action]:
    """Annotate `last_update`: the latest change to the action, its milestones, measurements
    or notes (what « no update for 90 days » is measured against, docs/domain.md)."""
    same = OuterRef("pk")

    def or_own(queryset, field):
        # No row there: the action's own moment, which Greatest would otherwise lose to NULL.
        return Coalesce(newest(queryset, field), F("updated_at"))

    return actions.annotate(
        last_update=Greatest(
            F("updated_at"),
            or_own(Milestone.objects.filter(action=same), "updated_at"),
            or_own(Measurement.objects.filter(indicator__action=same), "updated_at"),
            or_own(ProgressNote.objects.filter(action=same), "created_at"),
        )
    )


def latest(*moments: datetime.datetime | None) -> datetime.datetime | None:
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def roadmap_last_update(roadmap: Roadmap) -> datetime.datetime | None:
    """The latest change to the roadmap, its actions, milestones, indicators, measurements and
    notes, in one query."""
    same = OuterRef("pk")
    moments = (
        Roadmap.objects.filter(pk=roadmap.pk)
        .annotate(
            action=newest(Action.objects.filter(roadmap=same), "updated_at"),
            milestone=newest(Milestone.objects.filter(roadmap=same), "updated_at"),
            indicator=newest(Indicator.objects.filter(roadmap=same), "updated_at"),
            measurement=newest(Measurement.objects.filter(indicator__roadmap=same), "updated_at"),
            note=newest(ProgressNote.objects.filter(action__roadmap=same), "created_at"),
        )
        .values_list("updated_at", "action", "milestone", "indicator", "measurement", "note")
        .get()
    )
    return latest(*moments)


def axis_last_update(roadmap: Roadmap, axis: Axis) -> datetime.datetime | None:
    """The latest change to the roadmap or to the actions of `axis`, in one query."""
    actions = with_last_update(Action.objects.filter(axis=axis))
    return latest(roadmap.updated_at, actions.aggregate(latest=Max("last_update"))["latest"])


def actions_prefetch(actions: QuerySet[Action]) -> Prefetch:
    """The actions of a list (an axis's), their indicators measured apart (`readings_of`)."""
    return Prefetch(
        "actions", with_figures(with_last_update(actions).order_by("code"), measurements=False)
    )


def action_of_page(roadmap: Roadmap, slug: str) -> QuerySet[Action]:
    """The action of the action page, with its figures, partners and last update."""
    actions = roadmap.actions.select_related("axis").prefetch_related("partners")
    return with_last_update(with_figures(actions)).filter(slug=slug)


def headline_indicators(roadmap: Roadmap, codes: tuple[str, ...] | None, default: int) -> list:
    """The indicators of `codes`, in that order, with their measurements; without codes, the
    roadmap's first `default` indicators."""
    indicators = Indicator.objects.filter(roadmap=roadmap).select_related("action__lead")
    if codes:
        found = {
            indicator.code: indicator
            for indicator in indicators.filter(code__in=codes).prefetch_related(
                measurements_prefetch()
            )
        }
        return [found[code] for code in codes if code in found]
    return list(
        indicators.order_by(*ROADMAP_INDICATOR_ORDER).prefetch_related(measurements_prefetch())[
            :default
        ]
    )
