"""Public pages, readable without signing in: the dashboard, one axis, one action.

Each view fetches the current roadmap's rows with their prefetches (a fixed number of queries,
whatever the size of the roadmap), lets `roadmap.summaries` compute the figures, and renders.
The axes of the roadmap are always in the context as `nav_axes`, for the main navigation.
"""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from roadmap.models import Action, Roadmap
from roadmap.summaries import (
    axis_label,
    summarise_action,
    summarise_axis,
    summarise_indicators,
    summarise_milestones,
    with_figures,
)


def _current_roadmap_or_404() -> Roadmap:
    roadmap = Roadmap.objects.current()
    if roadmap is None:
        raise Http404(_("Aucune feuille de route n'est chargée."))
    return roadmap


def _actions_prefetch() -> Prefetch:
    return Prefetch("actions", with_figures(Action.objects.order_by("code")))


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    roadmap = Roadmap.objects.current()
    axes = []
    if roadmap is not None:
        axes = list(roadmap.axes.order_by("number").prefetch_related(_actions_prefetch()))
    today = timezone.localdate()
    return render(
        request,
        "roadmap/dashboard.html",
        {
            "roadmap": roadmap,
            "nav_axes": axes,
            "axis_summaries": [summarise_axis(axis, today) for axis in axes],
        },
    )


@require_safe
def axis_detail(request: HttpRequest, number: int) -> HttpResponse:
    roadmap = _current_roadmap_or_404()
    # Every axis is fetched anyway for the navigation; the page's one is picked among them.
    axes = list(roadmap.axes.order_by("number"))
    axis = next((axis for axis in axes if axis.number == number), None)
    if axis is None:
        raise Http404(_("Cet axe n'existe pas."))
    prefetch_related_objects([axis], _actions_prefetch())
    return render(
        request,
        "roadmap/axis_detail.html",
        {
            "roadmap": roadmap,
            "nav_axes": axes,
            "current_axis": axis,
            "axis_summary": summarise_axis(axis, timezone.localdate()),
            "breadcrumb_data": {"current": axis_label(axis)},
        },
    )


@require_safe
def action_detail(request: HttpRequest, slug: str) -> HttpResponse:
    roadmap = _current_roadmap_or_404()
    action = get_object_or_404(
        with_figures(roadmap.actions.select_related("axis").prefetch_related("partners")),
        slug=slug,
    )
    today = timezone.localdate()
    milestones = summarise_milestones(action.milestones.all(), today)
    indicators = summarise_indicators(action.indicators.all(), today)
    return render(
        request,
        "roadmap/action_detail.html",
        {
            "roadmap": roadmap,
            "nav_axes": list(roadmap.axes.order_by("number")),
            "current_axis": action.axis,
            "action": action,
            "summary": summarise_action(action, today, milestones, indicators),
            "milestones": milestones,
            "indicators": indicators,
            "breadcrumb_data": {
                "links": [
                    {"url": action.axis.get_absolute_url(), "title": axis_label(action.axis)}
                ],
                "current": action.code,
            },
        },
    )
