"""Public pages, readable without signing in: the dashboard, an axis, the indicators, the method
and the journal (the action page is `roadmap.views.action`).

Each view fetches the current roadmap's rows through `roadmap.queries` (a fixed number of
queries, whatever the size of the roadmap), lets `roadmap.summaries`, `roadmap.overview` and
`roadmap.journal` shape what is shown, and renders it in the page frame of `page_context`, with
the date of the page's latest update (`last_update`).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from roadmap.caching import cached_for_readers
from roadmap.filters import STATUS_UNSET, ActionFilters, IndicatorSort
from roadmap.journal import journal_entries
from roadmap.method import worked_example
from roadmap.models import Action, Indicator, Milestone, Roadmap
from roadmap.overview import (
    MilestoneDates,
    action_rows,
    headlines,
    roadmap_milestones,
    roadmap_summary,
    sort_indicators,
)
from roadmap.permissions import can_designate_pilots
from roadmap.queries import (
    actions_prefetch,
    actions_without_lead,
    indicators_person_last_update,
    interpretations,
    involved_organisations,
    nav_axes,
    person_last_update,
    prefetch_measurements,
    readings_of,
    with_definitions,
)
from roadmap.summaries import axis_label, summarise_indicators, with_charts

from .common import current_roadmap_or_404, page_context, page_of, render_page, vary_on_htmx

# Lists shown a page at a time, so that no page grows with the roadmap (the seed's 17 actions
# and 9 indicators fit on one page).
DASHBOARD_PAGE = 50
AXIS_PAGE = 50
INDICATORS_PAGE = 20
# The date the rules of `/methode/` last changed: bump it with any change to roadmap.progress.
METHOD_REVISED_ON = datetime.date(2026, 12, 1)


def _shown_ids(request, actions, per_page: int, not_found: str):
    """The page of `actions` asked for, and the ids of the actions on it."""
    page = page_of(request, actions.values_list("pk", flat=True), per_page, not_found)
    return page, list(page.object_list)


@require_safe
@cached_for_readers(params=(*ActionFilters.base_fields, "page"))
def dashboard(request: HttpRequest) -> HttpResponse:
    roadmap = Roadmap.objects.current()
    if roadmap is None:
        return render_page(request, "roadmap/dashboard.html", None, _("Tableau de bord"))
    today = timezone.localdate()
    htmx = request.htmx
    filtering = bool(htmx and htmx.target == "filtrage" and not htmx.history_restore_request)
    axes = nav_axes(roadmap)
    filters = ActionFilters(request.GET, axes=axes, organisations=involved_organisations(roadmap))
    matching = filters.apply(Action.objects.filter(roadmap=roadmap))
    page, shown = _shown_ids(
        request,
        matching.order_by("axis__number", "code"),
        DASHBOARD_PAGE,
        _("Cette page du tableau de bord n'existe pas."),
    )
    prefetch_related_objects(axes, actions_prefetch(Action.objects.filter(pk__in=shown)))
    # Every measurement of the roadmap, light: the summary weighs every indicator, the rows of
    # the page measure theirs from the same readings.
    readings = readings_of(indicator__roadmap=roadmap)
    last_update = person_last_update(roadmap)
    # Unfiltered on a single page, every axis is listed, even one without actions yet.
    every_axis = not filters.active and page.paginator.num_pages == 1
    sections = [
        {"axis": axis, "rows": action_rows(axis.actions.all(), today, readings)}
        for axis in axes
        if every_axis or axis.actions.all()
    ]
    context = page_context(
        roadmap,
        _("Tableau de bord"),
        axes=axes,
        filters=filters,
        sections=sections,
        page=page,
        shown_count=page.paginator.count,
        headlines=headlines(roadmap, today),
        # The roadmap's own milestones (of no action): a handful, by the source's own count.
        milestone_rows=roadmap_milestones(
            Milestone.objects.filter(roadmap=roadmap, action=None).order_by("due_date", "pk"),
            today,
        ),
        # The filters' fragment leaves the summary (of the whole roadmap) as it was.
        standing=None if filtering else _summary(roadmap, today, readings, last_update),
        last_update=last_update,
        pilots_to_designate=(
            actions_without_lead(roadmap) if can_designate_pilots(request.user) else []
        ),
    )
    status = 400 if filters.errors else 200
    template = "roadmap/dashboard.html"
    if filtering:
        template += "#filtered"
    return vary_on_htmx(render(request, template, context, status=status))


def _summary(roadmap: Roadmap, today: datetime.date, readings: dict, last_update):
    """The summary of the whole roadmap at the top of the dashboard, whatever its filters and
    page: three light reads (statuses counted, milestones' dates, the indicators still followed
    with their definitions), measured by the dashboard's `readings`."""
    statuses = (
        Action.objects.filter(roadmap=roadmap)
        .order_by()
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    milestones = Milestone.objects.filter(roadmap=roadmap).values_list(
        "due_date", "done_on", "action__code", "action__slug"
    )
    followed = with_definitions(
        Indicator.objects.filter(roadmap=roadmap, retired_on=None), measurements=False
    )
    return roadmap_summary(
        dict(statuses),
        [MilestoneDates(*row) for row in milestones],
        summarise_indicators(followed, today, readings),
        last_update,
        today,
        unset_status=STATUS_UNSET,
    )


@require_safe
@cached_for_readers(params=("page",))
def axis_detail(request: HttpRequest, number: int) -> HttpResponse:
    roadmap = current_roadmap_or_404()
    # Every axis is fetched anyway for the navigation; the page's one is picked among them.
    axes = nav_axes(roadmap)
    axis = next((axis for axis in axes if axis.number == number), None)
    if axis is None:
        raise Http404(_("Cet axe n'existe pas."))
    page, shown = _shown_ids(
        request,
        Action.objects.filter(axis=axis).order_by("code"),
        AXIS_PAGE,
        _("Cette page de l'axe n'existe pas."),
    )
    prefetch_related_objects([axis], actions_prefetch(Action.objects.filter(pk__in=shown)))
    readings = readings_of(indicator__action__in=shown)
    return render_page(
        request,
        "roadmap/axis_detail.html",
        roadmap,
        axis_label(axis),
        axes=axes,
        current_axis=axis,
        axis=axis,
        page=page,
        rows=action_rows(axis.actions.all(), timezone.localdate(), readings),
        last_update=person_last_update(roadmap, axis),
    )


def _sort_columns(sort: IndicatorSort) -> dict:
    """The indicators table's column headers: each one's label and the link that sorts by it."""
    return {
        key: {
            "label": label,
            "url": sort.link(key),
            "sorted": key == sort.key,
            "descending": sort.descending,
        }
        for key, label in sort.fields["tri"].choices
    }


@require_safe
@cached_for_readers(params=(*IndicatorSort.base_fields, "page"))
def indicators(request: HttpRequest) -> HttpResponse:
    """`/indicateurs/`: every indicator of the roadmap against its target, sortable.

    Sorting needs the figures of every indicator, computed from light readings (one query, no
    model object per measurement); the table and the charts show one page of them, so that the
    page stays the same size however many indicators the roadmap grows.
    """
    roadmap = Roadmap.objects.current()
    sort = IndicatorSort(request.GET)
    template, title = "roadmap/indicators.html", _("Indicateurs")
    status = 400 if sort.errors else 200
    if roadmap is None:
        return render_page(request, template, None, title, status=status, sort=sort)
    today = timezone.localdate()
    # Retired indicators are no longer followed: they stay on their action's page only.
    found = with_definitions(
        Indicator.objects.filter(roadmap=roadmap, retired_on=None).select_related(
            "action__axis", "action__lead"
        ),
        measurements=False,
    )
    readings = readings_of(indicator__roadmap=roadmap)
    items = summarise_indicators(found, today, readings)
    page = page_of(
        request,
        sort_indicators(items, sort.key, sort.descending),
        INDICATORS_PAGE,
        _("Cette page d'indicateurs n'existe pas."),
    )
    # The charts show each measurement with its source: fetched for this page only.
    prefetch_measurements([item.indicator for item in page])
    return render_page(
        request,
        template,
        roadmap,
        title,
        status=status,
        sort=sort,
        items=with_charts(page.object_list, today),
        page=page,
        last_update=indicators_person_last_update(roadmap),
        columns=_sort_columns(sort),
    )


@require_safe
@cached_for_readers
def method(request: HttpRequest) -> HttpResponse:
    """`/methode/`: every rule that produces a figure, with a worked example computed live."""
    example = worked_example(
        label=_("Apprenants formés sur 5 ans (exemple)"),
        source=_("exemple"),
        unit=_("apprenants"),
        yearly_label=_("Apprenants formés par an (exemple)"),
    )
    roadmap = Roadmap.objects.current()
    return render_page(
        request,
        "roadmap/method.html",
        roadmap,
        _("Méthode de calcul"),
        example=example,
        interpretations=None if roadmap is None else interpretations(roadmap),
        last_update_date=METHOD_REVISED_ON,
    )


@require_safe
@cached_for_readers
def journal(request: HttpRequest) -> HttpResponse:
    """`/journal/`: the latest progress notes and status changes across the roadmap."""
    roadmap = Roadmap.objects.current()
    entries = journal_entries(roadmap)
    last_update = entries[0].when if entries else None
    return render_page(
        request,
        "roadmap/journal.html",
        roadmap,
        _("Journal"),
        entries=entries,
        last_update=last_update,
    )
