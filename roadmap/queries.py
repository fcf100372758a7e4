"""The page reads: how the reader and editor pages fetch the roadmap, written once.

- the navigation's axes (`nav_axes`), the organisations the dashboard filters by;
- the measurements, either as model objects (`measurements_prefetch`) or as light readings
  (`readings_of`, no model object, thousands at a time);
- actions with everything their figures need (`with_figures`) and their « last update »
  (`with_last_update`); the latest change to a roadmap or an axis;
- the order of indicators, within an action and across the roadmap.

**Published only.** Readers see published indicators, measurements and progress notes only
(docs/domain.md « Relecture »): every read here filters them, so that every page, chart,
figure, flag, file and feed built on it does. A signed-in person who may edit an action
previews it with what is proposed too (`pending=True`): the figures as they will be once
published. The reviewers' queue (`review_queue`, `indicator_queue`) and a member's own
proposals (`proposals_of`, `indicator_proposals_of`) are read here too.

Every list is fetched in a fixed number of queries, whatever the size of the roadmap
(docs/architecture.md); `roadmap.summaries` and `roadmap.overview` then shape what was read.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Greatest, NullIf

from accounts.models import Organisation

from .models import (
    SEED_CHANGE,
    Action,
    Axis,
    Indicator,
    Measurement,
    Milestone,
    ProgressNote,
    Reviewed,
    ReviewState,
    Roadmap,
    Target,
)

# The indicators of an action, in the order of the source document; across the roadmap, by
# axis and action first. Explicit: the model's default ordering joins the action for nothing.
INDICATOR_ORDER = ("position", "code")
ROADMAP_INDICATOR_ORDER = ("action__axis__number", "action__code", *INDICATOR_ORDER)


def nav_axes(roadmap: Roadmap | None) -> list[Axis]:
    """The axes of `roadmap` in the main navigation (and wherever a page lists them all)."""
    return [] if roadmap is None else list(roadmap.axes.order_by("number"))


def sitemap_axes(roadmap: Roadmap | None) -> list[Axis]:
    """`nav_axes` with each axis's actions (code, title, slug: what a link to them needs), by
    code, in one more query: the site map's."""
    axes = nav_axes(roadmap)
    actions = Action.objects.order_by("code").only("code", "title", "slug", "axis")
    prefetch_related_objects(axes, Prefetch("actions", actions))
    return axes


def involved_organisations(roadmap: Roadmap) -> list[Organisation]:
    """The organisations that lead or partner at least one action of `roadmap`."""
    return list(
        Organisation.objects.filter(
            Q(led_actions__roadmap=roadmap) | Q(partnered_actions__roadmap=roadmap)
        )
        .distinct()
        .order_by("acronym")
    )


def shown_indicator(prefix: str = "", *, pending: bool = False) -> Q:
    """The indicators a page shows, as a condition on `prefix` (« indicator__ »): public ones;
    with `pending`, the new ones proposed too (`IndicatorQuerySet.visible`)."""
    public = Q(**{f"{prefix}is_public": True})
    if pending:
        return public | Q(**{f"{prefix}review_state": ReviewState.PROPOSED})
    return public


def shown_measurements(*, pending: bool = False) -> QuerySet[Measurement]:
    """The measurements a page shows: published ones of the indicators it shows; with
    `pending`, proposed ones too. A new indicator's values are hidden with it."""
    return Measurement.objects.visible(pending=pending).filter(
        shown_indicator("indicator__", pending=pending)
    )


def measurements_prefetch(lookup: str = "measurements", *, pending: bool = False) -> Prefetch:
    """An indicator's measurements, oldest first (the last recorded last among equal dates):
    published ones (with `pending`, proposed ones too)."""
    return Prefetch(lookup, queryset=shown_measurements(pending=pending).order_by("date", "pk"))


def prefetch_measurements(indicators: list[Indicator], *, pending: bool = False) -> None:
    """Fetch the measurements of `indicators` and of the indicators their sums add up (their
    charts plot them), in one query whatever their number."""
    sources = [indicator.summed_from for indicator in indicators if indicator.summed_from_id]
    prefetch_related_objects([*indicators, *sources], measurements_prefetch(pending=pending))


class Reading(NamedTuple):
    """A measurement as lists and files need it: no model object, thousands of them at a time."""

    date: datetime.date
    value: Decimal
    updated_at: datetime.datetime
    source: str
    comment: str


def readings_of(*, pending: bool = False, **filters) -> dict[int, list[Reading]]:
    """The published measurements (with `pending`, the proposed ones too) that match `filters`
    (e.g. `indicator__roadmap=roadmap`), by indicator id, oldest first, in one query."""
    by_indicator: dict[int, list[Reading]] = {}
    rows = (
        shown_measurements(pending=pending)
        .filter(**filters)
        .order_by("indicator", "date", "pk")
        .values_list("indicator_id", *Reading._fields)
    )
    for indicator_id, *reading in rows.iterator(chunk_size=5000):
        by_indicator.setdefault(indicator_id, []).append(Reading(*reading))
    return by_indicator


def with_definitions(
    indicators: QuerySet[Indicator], *, measurements: bool = True, pending: bool = False
) -> QuerySet[Indicator]:
    """`indicators` with what their figures need besides their own measurements: their dated
    targets and the per-period indicator a sum adds up (with its targets and, with
    `measurements`, the measurements of both), in a fixed number of queries."""
    targets = Target.objects.order_by("on", "pk")
    indicators = indicators.filter(shown_indicator(pending=pending))
    if pending:
        # Who proposed an indicator or its change is said beside it, to who may edit.
        indicators = indicators.select_related("proposed_by")
    indicators = indicators.select_related("summed_from").prefetch_related(
        Prefetch("targets", queryset=targets),
        Prefetch("summed_from__targets", queryset=targets),
    )
    if measurements:
        indicators = indicators.prefetch_related(
            measurements_prefetch(pending=pending),
            measurements_prefetch("summed_from__measurements", pending=pending),
        )
    return indicators


def with_figures(
    actions: QuerySet[Action], *, measurements: bool = True, pending: bool = False
) -> QuerySet[Action]:
    """`actions` with everything their figures need, fetched in a fixed number of queries.

    Without `measurements`, their indicators come without them: lists of many actions measure
    them with light readings instead (`readings_of`), a hundred thousand model objects being
    the bulk of a worker's memory at the large size.
    """
    indicators = with_definitions(
        Indicator.objects.order_by(*INDICATOR_ORDER), measurements=measurements, pending=pending
    )
    return actions.select_related("lead").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "pk")),
        Prefetch("indicators", queryset=indicators),
    )


def newest(queryset: QuerySet, field: str) -> Subquery:
    """The latest `field` (a moment) among the rows of `queryset`, as a subquery."""
    return Subquery(queryset.order_by(f"-{field}").values(field)[:1], output_field=DateTimeField())


# A moment before any change, so that Greatest() compares known moments only: on SQLite it is
# NULL as soon as one argument is.
_NEVER = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)


def _person_changes(model, **filters) -> QuerySet:
    """The history rows of `model` matching `filters` that a person wrote (not the seed); of
    a reviewed model, only those of published rows (a proposal is nobody's update yet)."""
    rows = model.history.filter(**filters).exclude(history_change_reason=SEED_CHANGE)
    if issubclass(model, Reviewed):
        rows = rows.filter(review_state=ReviewState.PUBLISHED)
    return rows


def published_notes() -> QuerySet[ProgressNote]:
    """The progress notes readers see, with the moment each was published (`published_at`:
    when it was reviewed, or written when it published at once)."""
    return ProgressNote.objects.published().annotate(
        published_at=Coalesce("reviewed_at", "created_at")
    )


def _greatest(*moments):
    known = [Coalesce(moment, Value(_NEVER)) for moment in moments]
    return NullIf(Greatest(*known), Value(_NEVER))


def with_last_update(actions: QuerySet[Action]) -> QuerySet[Action]:
    """Annotate `last_update`: the latest change a person made to the action, its milestones,
    indicators, targets, measurements or notes, from their history (docs/domain.md); null
    while nobody has changed anything (the loading of the seed is not an update)."""
    same = OuterRef("pk")
    return actions.annotate(
        last_update=_greatest(
            newest(_person_changes(Action, id=same), "history_date"),
            newest(_person_changes(Milestone, action_id=same), "history_date"),
            newest(_person_changes(Indicator, action_id=same), "history_date"),
            # Those of a public indicator: a new one's are hidden with it until published.
            newest(
                _person_changes(Target, indicator__action=same, indicator__is_public=True),
                "history_date",
            ),
            newest(
                _person_changes(Measurement, indicator__action=same, indicator__is_public=True),
                "history_date",
            ),
            newest(published_notes().filter(action=same), "published_at"),
        )
    )


def latest(*moments: datetime.datetime | None) -> datetime.datetime | None:
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def roadmap_last_update(roadmap: Roadmap) -> datetime.datetime | None:
    """The latest change to the roadmap, its actions, milestones, indicators, measurements and
    notes, in one query: when its data last changed, the loading of the seed included (the
    open data's `updated_at`; `person_last_update` is what pages call « dernière mise à jour »)."""
    same = OuterRef("pk")
    moments = (
        Roadmap.objects.filter(pk=roadmap.pk)
        .annotate(
            action=newest(Action.objects.filter(roadmap=same), "updated_at"),
            milestone=newest(Milestone.objects.filter(roadmap=same), "updated_at"),
            indicator=newest(Indicator.objects.published().filter(roadmap=same), "updated_at"),
            measurement=newest(shown_measurements().filter(indicator__roadmap=same), "updated_at"),
            note=newest(published_notes().filter(action__roadmap=same), "published_at"),
        )
        .values_list("updated_at", "action", "milestone", "indicator", "measurement", "note")
        .get()
    )
    return latest(*moments)


def person_last_update(roadmap: Roadmap, axis: Axis | None = None) -> datetime.datetime | None:
    """The latest change a person made to the actions of `roadmap` (of `axis`, when given) or
    to the roadmap's own milestones, in one query; None while nobody has."""
    actions = with_last_update(Action.objects.filter(roadmap=roadmap))
    if axis is not None:
        actions = actions.filter(axis=axis)
    moments = actions.aggregate(latest=Max("last_update"))["latest"]
    if axis is not None:
        return moments
    own = _person_changes(Milestone, roadmap_id=roadmap.pk, action_id=None)
    return latest(moments, own.aggregate(latest=Max("history_date"))["latest"])


def indicators_person_last_update(roadmap: Roadmap) -> datetime.datetime | None:
    """The latest change a person made to the indicators of `roadmap`, their targets or
    their measurements, in one query; None while nobody has (the loading of the seed is no
    update): the « dernière mise à jour » of `/indicateurs/`."""
    same = OuterRef("pk")
    moments = (
        Roadmap.objects.filter(pk=roadmap.pk)
        .annotate(
            indicator=newest(_person_changes(Indicator, roadmap_id=same), "history_date"),
            target=newest(
                _person_changes(Target, indicator__roadmap=same, indicator__is_public=True),
                "history_date",
            ),
            measurement=newest(
                _person_changes(Measurement, indicator__roadmap=same, indicator__is_public=True),
                "history_date",
            ),
        )
        .values_list("indicator", "target", "measurement")
        .get()
    )
    return latest(*moments)


def actions_prefetch(actions: QuerySet[Action]) -> Prefetch:
    """The actions of a list (an axis's), their indicators measured apart (`readings_of`)."""
    return Prefetch(
        "actions", with_figures(with_last_update(actions).order_by("code"), measurements=False)
    )


def action_of_page(roadmap: Roadmap, slug: str, *, pending: bool = False) -> QuerySet[Action]:
    """The action of the action page, with its figures, partners and last update (with
    `pending`, its figures as they will be once what is proposed is published)."""
    actions = roadmap.actions.select_related("axis").prefetch_related("partners")
    return with_last_update(with_figures(actions, pending=pending)).filter(slug=slug)


def notes_of(action: Action, limit: int, *, pending: bool = False) -> list[ProgressNote]:
    """The latest progress notes of `action` shown on its page: published ones (with
    `pending`, proposed ones too, with who proposed them), latest first."""
    return list(
        ProgressNote.objects.visible(pending=pending)
        .filter(action=action)
        .select_related("author", "proposed_by")
        .order_by("-written_on", "-created_at")[:limit]
    )


def journal_notes(roadmap: Roadmap, limit: int) -> list[ProgressNote]:
    """The latest published progress notes of `roadmap`, latest published first, with their
    action, author and reviewer: the journal's and its feed's."""
    return list(
        published_notes()
        .filter(action__roadmap=roadmap)
        .select_related("action", "author__organisation", "reviewed_by__organisation")
        .order_by("-published_at", "-pk")[:limit]
    )


# --- Review (docs/domain.md « Relecture »)


def _latest_published(field: str) -> Subquery:
    """The `field` of the indicator's latest published measurement, as a subquery."""
    return Subquery(
        Measurement.objects.published()
        .filter(indicator=OuterRef("indicator"))
        .order_by("-date", "-pk")
        .values(field)[:1]
    )


def review_queue(roadmap: Roadmap) -> tuple[list[Measurement], list[ProgressNote]]:
    """Everything proposed in `roadmap` and not yet published, oldest proposal first, in two
    queries whatever their number: the measurements with their action, author and the
    indicator's latest published value (what the proposal adds to), and the notes."""
    measurements = list(
        Measurement.objects.pending()
        .filter(indicator__roadmap=roadmap)
        .select_related("indicator__action", "proposed_by__organisation")
        .annotate(
            published_value=_latest_published("value"),
            published_date=_latest_published("date"),
        )
        .order_by("proposed_at", "pk")
    )
    notes = list(
        ProgressNote.objects.pending()
        .filter(action__roadmap=roadmap)
        .select_related("action", "proposed_by__organisation")
        .order_by("proposed_at", "pk")
    )
    return measurements, notes


def proposals_of(user, **filters) -> tuple[list[Measurement], list[ProgressNote]]:
    """What `user` proposed that is awaiting review or was returned (filtered by `filters`
    on the action, e.g. `action__roadmap=roadmap`), latest first, in two queries."""
    waiting = (ReviewState.PROPOSED, ReviewState.RETURNED)
    measurements = list(
        Measurement.objects.filter(
            proposed_by=user,
            review_state__in=waiting,
            **{f"indicator__{name}": value for name, value in filters.items()},
        )
        .select_related("indicator__action", "reviewed_by")
        .order_by("-proposed_at", "-pk")
    )
    notes = list(
        ProgressNote.objects.filter(proposed_by=user, review_state__in=waiting, **filters)
        .select_related("action", "reviewed_by")
        .order_by("-proposed_at", "-pk")
    )
    return measurements, notes


def awaiting_of_action(action: Action) -> tuple[list[Measurement], list[ProgressNote]]:
    """The measurements and notes of `action` awaiting review or returned, for the people who
    may edit it (its page), in two queries."""
    waiting = (ReviewState.PROPOSED, ReviewState.RETURNED)
    measurements = list(
        Measurement.objects.filter(indicator__action=action, review_state__in=waiting)
        .select_related("indicator", "proposed_by", "reviewed_by")
        .order_by("indicator__position", "indicator__code", "date", "pk")
    )
    notes = list(
        ProgressNote.objects.filter(action=action, review_state=ReviewState.RETURNED)
        .select_related("proposed_by", "reviewed_by")
        .order_by("-written_on", "-pk")
    )
    return measurements, notes


def headline_indicators(roadmap: Roadmap, codes: tuple[str, ...] | None, default: int) -> list:
    """The indicators of `codes`, in that order, with their measurements; without codes, the
    roadmap's first `default` indicators."""
    indicators = with_definitions(
        Indicator.objects.filter(roadmap=roadmap, retired_on=None).select_related("action__lead")
    )
    if codes:
        found = {indicator.code: indicator for indicator in indicators.filter(code__in=codes)}
        return [found[code] for code in codes if code in found]
    return list(indicators.order_by(*ROADMAP_INDICATOR_ORDER)[:default])


def actions_without_lead(roadmap: Roadmap) -> list[Action]:
    """The actions of `roadmap` whose lead is still to be designated (« Pilote à désigner »),
    in the roadmap's order, with their axis: what the dashboard lists for administrators."""
    return list(
        Action.objects.filter(roadmap=roadmap, lead__isnull=True)
        .select_related("axis")
        .order_by("axis__number", "code")
    )


class Interpretations(NamedTuple):
    """Every value of a roadmap that the source does not state literally, with the rule used:
    the roadmap's own, its milestones', its indicators' and their dated targets'."""

    roadmap: Roadmap
    milestones: list[Milestone]
    # those with an interpretation or an interpreted dated target (`interpreted_targets`)
    indicators: list[Indicator]

    @property
    def any(self) -> bool:
        return bool(self.roadmap.interpretation or self.milestones or self.indicators)


def interpretations(roadmap: Roadmap) -> Interpretations:
    """The interpretations of `roadmap` (the « Méthode de calcul » page lists them), in three
    queries whatever its size: the milestones (the roadmap's own first), then the indicators in
    roadmap order with their interpreted targets."""
    interpreted = Target.objects.exclude(interpretation="").order_by("on", "pk")
    milestones = (
        Milestone.objects.filter(roadmap=roadmap)
        .exclude(interpretation="")
        .select_related("action")
        .order_by(F("action__code").asc(nulls_first=True), "due_date", "pk")
    )
    indicators = (
        Indicator.objects.published()
        .filter(roadmap=roadmap, retired_on=None)
        .filter(
            ~Q(interpretation="") | Exists(interpreted.filter(indicator=OuterRef("pk")).order_by())
        )
        .select_related("action", "summed_from")
        .prefetch_related(Prefetch("targets", interpreted, to_attr="interpreted_targets"))
        .order_by(*ROADMAP_INDICATOR_ORDER)
    )
    return Interpretations(roadmap, list(milestones), list(indicators))


class LatestNote(NamedTuple):
    """An action's latest progress note and how many notes it has, for a council report."""

    note: ProgressNote | None
    count: int


def latest_notes(roadmap: Roadmap) -> dict[int, LatestNote]:
    """The latest published progress note of every action of `roadmap` (with its author and
    their organisation) and the action's number of published notes, by action id, in two
    queries whatever the size of the roadmap."""
    # Published notes only: a report freezes what readers see (docs/domain.md « Relecture »).
    notes = (
        ProgressNote.objects.published()
        .filter(action=OuterRef("pk"))
        .order_by("-written_on", "-created_at", "-pk")
    )
    rows = list(
        Action.objects.filter(roadmap=roadmap)
        .annotate(
            latest_note=Subquery(notes.values("pk")[:1]),
            note_count=Coalesce(
                Subquery(
                    ProgressNote.objects.published()
                    .filter(action=OuterRef("pk"))
                    .order_by()
                    .values("action")
                    .annotate(count=Count("pk"))
                    .values("count")
                ),
                0,
            ),
        )
        .values_list("pk", "latest_note", "note_count")
    )
    # The authors and their organisations, in the same query as the notes.
    found = ProgressNote.objects.select_related("author__organisation").in_bulk(
        [note for _, note, _ in rows if note is not None]
    )
    return {pk: LatestNote(found.get(note), count) for pk, note, count in rows}


# --- Indicators under review (docs/domain.md « Relecture »)

_WAITING = (ReviewState.PROPOSED, ReviewState.RETURNED)


def indicator_queue(roadmap: Roadmap) -> list[Indicator]:
    """The indicators of `roadmap` proposed and not yet published (new ones, and changes to
    public ones), oldest proposal first, with their action and author, in one query."""
    return list(
        Indicator.objects.pending()
        .filter(roadmap=roadmap)
        .select_related("action", "summed_from", "proposed_by__organisation")
        .order_by("proposed_at", "pk")
    )


def indicators_named(pks) -> dict[int, Indicator]:
    """The indicators of `pks` (those a proposed change names as its sum's source), by id,
    in one query."""
    return Indicator.objects.only("code", "label").in_bulk(set(pks)) if pks else {}


def indicator_proposals_of(user, **filters) -> list[Indicator]:
    """The indicators `user` proposed (new, or a change) that await review or were returned
    (filtered by `filters`, e.g. `roadmap=roadmap`), latest first, in one query."""
    return list(
        Indicator.objects.filter(proposed_by=user, review_state__in=_WAITING, **filters)
        .select_related("action", "reviewed_by")
        .order_by("-proposed_at", "-pk")
    )


def indicators_awaiting(action: Action) -> list[Indicator]:
    """The indicators of `action` awaiting review or returned (new ones, and changes to
    public ones), for the people who may edit it (its page), in one query."""
    return list(
        Indicator.objects.filter(action=action, review_state__in=_WAITING)
        .select_related("summed_from", "proposed_by", "reviewed_by")
        .prefetch_related(Prefetch("targets", Target.objects.order_by("on", "pk")))
        .order_by(*INDICATOR_ORDER)
    )


# --- Council reports: what still awaits review before the session


class AwaitingReview(NamedTuple):
    """An action with proposals not yet reviewed: how many measurements, notes, indicators
    (new ones, or changes to public ones)."""

    code: str
    slug: str
    title: str
    measurements: int
    notes: int
    indicators: int = 0


def _pending_count(model, link: str) -> Coalesce:
    """How many rows of `model` linked to the outer action by `link` are proposed."""
    return Coalesce(
        Subquery(
            model.objects.pending()
            .filter(**{link: OuterRef("pk")})
            .order_by()
            .values(link)
            .annotate(count=Count("pk"))
            .values("count")
        ),
        0,
    )


def awaiting_review_by_action(roadmap: Roadmap) -> list[AwaitingReview]:
    """The actions of `roadmap` with measurements, progress notes or indicators proposed and
    not yet reviewed (a report freezes published rows only: these would be left out), with how
    many of each, by code, in one query whatever their number."""
    rows = (
        Action.objects.filter(roadmap=roadmap)
        .annotate(
            pending_measurements=_pending_count(Measurement, "indicator__action"),
            pending_notes=_pending_count(ProgressNote, "action"),
            pending_indicators=_pending_count(Indicator, "action"),
        )
        .filter(
            Q(pending_measurements__gt=0) | Q(pending_notes__gt=0) | Q(pending_indicators__gt=0)
        )
        .order_by("code")
        .values_list(
            "code",
            "slug",
            "title",
            "pending_measurements",
            "pending_notes",
            "pending_indicators",
        )
    )
    return [AwaitingReview(*row) for row in rows]
