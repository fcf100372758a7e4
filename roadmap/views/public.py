"""Public pages, readable without signing in.

The dashboard (headline targets, then every action by axis, filtered from the URL), one axis, one
action, every indicator (sortable), how the figures are computed, and the journal of the latest
notes and status changes. Each view fetches the current roadmap's rows with their prefetches (a
fixed number of queries, whatever the size of the roadmap), lets `roadmap.summaries`,
`roadmap.overview` and `roadmap.history` compute what is shown, and renders. The axes of the
roadmap are always in the context as `nav_axes`, for the main navigation, and every page has a
breadcrumb (`breadcrumb_data`) and the date of its latest update (`last_update`).
"""

from __future__ import annotations

import datetime

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Max, Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.models import Organisation
from roadmap.caching import cached_for_readers
from roadmap.filters import ActionFilters, IndicatorSort
from roadmap.forms import edit_forms
from roadmap.history import action_history
from roadmap.journal import journal_entries
from roadmap.method import worked_example
from roadmap.models import Action, Indicator, Roadmap
from roadmap.overview import (
    action_rows,
    headlines,
    indicators_last_update,
    latest,
    measurements_prefetch,
    readings_of,
    roadmap_last_update,
    sort_indicators,
)
from roadmap.summaries import (
    IndicatorSummary,
    attention,
    axis_label,
    summarise_action,
    summarise_indicators,
    summarise_milestones,
    with_figures,
)

# Lists shown a page at a time, so that no page grows with the roadmap (the seed's 17 actions
# and 9 indicators fit on one page).
DASHBOARD_PAGE = 50
AXIS_PAGE = 50
INDICATORS_PAGE = 20


def page_of(request: HttpRequest, items, per_page: int, not_found: str) -> Page:
    """The page of `items` that `?page=` asks for (the first by default), with the numbers
    that the DSFR pagination shows; a page that does not exist is not found."""
    paginator = Paginator(items, per_page)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except InvalidPage as error:
        raise Http404(not_found) from error
    page.pages_list = list(paginator.get_elided_page_range(page.number))
    return page


def _current_roadmap_or_404() -> Roadmap:
    roadmap = Roadmap.objects.current()
    if roadmap is None:
        raise Http404(_("Aucune feuille de route n'est chargée."))
    return roadmap


def _actions_prefetch(actions=None) -> Prefetch:
    """The actions of a list, their indicators measured apart (`readings_of`)."""
    actions = Action.objects.all() if actions is None else actions
    return Prefetch(
        "actions",
        with_figures(actions.with_last_update().order_by("code"), measurements=False),
    )


def _involved_organisations(roadmap: Roadmap) -> list[Organisation]:
    """The organisations that lead or partner at least one action of `roadmap`."""
    return list(
        Organisation.objects.filter(
            Q(led_actions__roadmap=roadmap) | Q(partnered_actions__roadmap=roadmap)
        )
        .distinct()
        .order_by("acronym")
    )


def _vary_on_htmx(response: HttpResponse) -> HttpResponse:
    # The same URL answers a page or a fragment: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_safe
@cached_for_readers
def dashboard(request: HttpRequest) -> HttpResponse:
    roadmap = Roadmap.objects.current()
    context = {"roadmap": roadmap, "breadcrumb_data": {"current": _("Tableau de bord")}}
    if roadmap is None:
        return render(request, "roadmap/dashboard.html", context)
    today = timezone.localdate()
    axes = list(roadmap.axes.order_by("number"))
    filters = ActionFilters(request.GET, axes=axes, organisations=_involved_organisations(roadmap))
    matching = filters.apply(Action.objects.filter(roadmap=roadmap))
    page = page_of(
        request,
        matching.order_by("axis__number", "code").values_list("pk", flat=True),
        DASHBOARD_PAGE,
        _("Cette page du tableau de bord n'existe pas."),
    )
    shown = list(page.object_list)
    prefetch_related_objects(axes, _actions_prefetch(Action.objects.filter(pk__in=shown)))
    readings = readings_of(indicator__action__in=shown)
    # Unfiltered on a single page, every axis is listed, even one without actions yet.
    every_axis = not filters.active and page.paginator.num_pages == 1
    sections = [
        {"axis": axis, "rows": action_rows(axis.actions.all(), today, readings)}
        for axis in axes
        if every_axis or axis.actions.all()
    ]
    context |= {
        "nav_axes": axes,
        "filters": filters,
        "sections": sections,
        "page": page,
        "shown_count": page.paginator.count,
        "headlines": headlines(roadmap, today),
        "last_update": roadmap_last_update(roadmap),
    }
    status = 400 if filters.errors else 200
    if (
        request.htmx
        and request.htmx.target == "filtrage"
        and not request.htmx.history_restore_request
    ):
        response = render(request, "roadmap/dashboard.html#filtered", context, status=status)
    else:
        response = render(request, "roadmap/dashboard.html", context, status=status)
    return _vary_on_htmx(response)


@require_safe
@cached_for_readers
def axis_detail(request: HttpRequest, number: int) -> HttpResponse:
    roadmap = _current_roadmap_or_404()
    # Every axis is fetched anyway for the navigation; the page's one is picked among them.
    axes = list(roadmap.axes.order_by("number"))
    axis = next((axis for axis in axes if axis.number == number), None)
    if axis is None:
        raise Http404(_("Cet axe n'existe pas."))
    page = page_of(
        request,
        Action.objects.filter(axis=axis).order_by("code").values_list("pk", flat=True),
        AXIS_PAGE,
        _("Cette page de l'axe n'existe pas."),
    )
    shown = list(page.object_list)
    prefetch_related_objects([axis], _actions_prefetch(Action.objects.filter(pk__in=shown)))
    last_update = (
        Action.objects.filter(axis=axis)
        .with_last_update()
        .aggregate(latest=Max("last_update"))["latest"]
    )
    return render(
        request,
        "roadmap/axis_detail.html",
        {
            "roadmap": roadmap,
            "nav_axes": axes,
            "current_axis": axis,
            "axis": axis,
            "page": page,
            "rows": action_rows(
                axis.actions.all(), timezone.localdate(), readings_of(indicator__action__in=shown)
            ),
            "last_update": latest(roadmap.updated_at, last_update),
            "breadcrumb_data": {"current": axis_label(axis)},
        },
    )


@require_safe
@cached_for_readers
def action_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render_action_page(request, slug)


NOTES_SHOWN = 20


def action_context(
    request: HttpRequest, slug: str, *, forms=None, conflict=None, saved=None
) -> dict:
    """Everything the action page and its partials show, fetched in a fixed number of queries.

    `forms` holds bound forms with errors to show in place of the blank ones (after an invalid
    edit), and `conflict` what to say when someone else saved first. `saved` is the key of the
    form just saved by HTMX: its opener takes the id of its button, so that the focus goes back
    there. The edit views render the same context, so an HTMX fragment and the full page can
    never differ otherwise.
    """
    roadmap = _current_roadmap_or_404()
    action = get_object_or_404(
        with_figures(
            roadmap.actions.select_related("axis").prefetch_related("partners")
        ).with_last_update(),
        slug=slug,
    )
    today = timezone.localdate()
    milestones = summarise_milestones(action.milestones.all(), today)
    indicators = summarise_indicators(action.indicators.all(), today)
    summary = summarise_action(action, today, milestones, indicators)
    can_edit = Action.objects.editable_by(request.user).filter(pk=action.pk).exists()
    return {
        "roadmap": roadmap,
        "nav_axes": list(roadmap.axes.order_by("number")),
        "current_axis": action.axis,
        "action": action,
        "summary": summary,
        "attention": attention(summary, milestones, indicators, action.last_update, today),
        "milestones": milestones,
        "indicators": indicators,
        "notes": list(action.notes.select_related("author")[:NOTES_SHOWN]),
        "history": action_history(action),
        "last_update": action.last_update,
        "today": today,
        "can_edit": can_edit,
        "edit": (
            edit_forms(action, milestones, indicators, forms or {}, saved=saved) if can_edit else {}
        ),
        "conflict": conflict,
        "breadcrumb_data": {
            "links": [{"url": action.axis.get_absolute_url(), "title": axis_label(action.axis)}],
            "current": action.code,
        },
    }


def render_action_page(request, slug, *, forms=None, conflict=None, status=200):
    context = action_context(request, slug, forms=forms, conflict=conflict)
    return render(request, "roadmap/action_detail.html", context, status=status)


def render_action_sections(
    request,
    slug,
    section,
    *,
    forms=None,
    conflict=None,
    status=200,
    announcement="",
    saved=None,
):
    """The `section` partial of the action page, then the summary swapped out of band.

    After an edit the summary (status, progress, flags) changes too, wherever the edit was made.
    `announcement` (what was saved, or nothing after a refused edit) fills the page's live
    region, for screen readers.
    """
    context = action_context(request, slug, forms=forms, conflict=conflict, saved=saved)
    html = render_to_string(f"roadmap/action_detail.html#{section}", context, request)
    if section != "summary":
        html += render_to_string(
            "roadmap/action_detail.html#summary", {**context, "oob": True}, request
        )
    # Every edit also dates the page, adds to its history and says what it saved.
    for also in ("last_update", "history", "announcement"):
        html += render_to_string(
            f"roadmap/action_detail.html#{also}",
            {**context, "oob": True, "announcement": announcement},
            request,
        )
    return HttpResponse(html, status=status)


@require_safe
@cached_for_readers
def indicators(request: HttpRequest) -> HttpResponse:
    """`/indicateurs/`: every indicator of the roadmap against its target, sortable.

    Sorting needs the figures of every indicator, computed from light readings (one query, no
    model object per measurement); the table and the charts show one page of them, so that the
    page stays the same size however many indicators the roadmap grows.
    """
    roadmap = Roadmap.objects.current()
    sort = IndicatorSort(request.GET)
    context = {
        "roadmap": roadmap,
        "sort": sort,
        "breadcrumb_data": {"current": _("Indicateurs")},
    }
    if roadmap is not None:
        today = timezone.localdate()
        indicators = list(
            Indicator.objects.filter(roadmap=roadmap).select_related("action__axis", "action__lead")
        )
        readings = readings_of(indicator__roadmap=roadmap)
        items = [
            IndicatorSummary(indicator, indicator.figures(today, readings.get(indicator.pk, [])))
            for indicator in indicators
        ]
        page = page_of(
            request,
            sort_indicators(items, sort.key, sort.descending),
            INDICATORS_PAGE,
            _("Cette page d'indicateurs n'existe pas."),
        )
        # The charts show each measurement with its source: fetched for this page only.
        prefetch_related_objects([item.indicator for item in page], measurements_prefetch())
        context |= {
            "nav_axes": list(roadmap.axes.order_by("number")),
            "items": page.object_list,
            "page": page,
            "last_update": indicators_last_update(items, readings),
            "columns": {
                key: {
                    "label": label,
                    "url": sort.link(key),
                    "sorted": key == sort.key,
                    "descending": sort.descending,
                }
                for key, label in sort.fields["tri"].choices
            },
        }
    return render(request, "roadmap/indicators.html", context, status=400 if sort.errors else 200)


# The date the rules of `/methode/` last changed: bump it with any change to roadmap.progress.
METHOD_REVISED_ON = datetime.date(2026, 11, 28)


@require_safe
@cached_for_readers
def method(request: HttpRequest) -> HttpResponse:
    """`/methode/`: every rule that produces a figure, with a worked example computed live."""
    roadmap = Roadmap.objects.current()
    return render(
        request,
        "roadmap/method.html",
        {
            "roadmap": roadmap,
            "nav_axes": list(roadmap.axes.order_by("number")) if roadmap else [],
            "example": worked_example(
                label=_("Apprenants formés sur 5 ans (exemple)"), source=_("exemple")
            ),
            "last_update_date": METHOD_REVISED_ON,
            "breadcrumb_data": {"current": _("Méthode de calcul")},
        },
    )


@require_safe
@cached_for_readers
def journal(request: HttpRequest) -> HttpResponse:
    """`/journal/`: the latest progress notes and status changes across the roadmap."""
    roadmap = Roadmap.objects.current()
    entries = journal_entries(roadmap)
    return render(
        request,
        "roadmap/journal.html",
        {
            "roadmap": roadmap,
            "nav_axes": list(roadmap.axes.order_by("number")) if roadmap else [],
            "entries": entries,
            "last_update": entries[0].when if entries else None,
            "breadcrumb_data": {"current": _("Journal")},
        },
    )
