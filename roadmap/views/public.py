"""Public pages, readable without signing in: the dashboard, one axis, one action.

Each view fetches the current roadmap's rows with their prefetches (a fixed number of queries,
whatever the size of the roadmap), lets `roadmap.summaries` compute the figures, and renders.
The axes of the roadmap are always in the context as `nav_axes`, for the main navigation.
"""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from roadmap.forms import edit_forms
from roadmap.models import Action, Roadmap
from roadmap.summaries import (
    attention,
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
    return render_action_page(request, slug)


NOTES_SHOWN = 20


def action_context(request: HttpRequest, slug: str, *, forms=None, conflict=None) -> dict:
    """Everything the action page and its partials show, fetched in a fixed number of queries.

    `forms` holds bound forms with errors to show in place of the blank ones (after an invalid
    edit), and `conflict` what to say when someone else saved first. The edit views render
    the same context, so an HTMX fragment and the full page can never differ.
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
        "today": today,
        "can_edit": can_edit,
        "edit": edit_forms(action, milestones, indicators, forms or {}) if can_edit else {},
        "conflict": conflict,
        "breadcrumb_data": {
            "links": [{"url": action.axis.get_absolute_url(), "title": axis_label(action.axis)}],
            "current": action.code,
        },
    }


def render_action_page(request, slug, *, forms=None, conflict=None, status=200):
    context = action_context(request, slug, forms=forms, conflict=conflict)
    return render(request, "roadmap/action_detail.html", context, status=status)


def render_action_sections(request, slug, section, *, forms=None, conflict=None, status=200):
    """The `section` partial of the action page, then the summary swapped out of band.

    After an edit the summary (status, progress, flags) changes too, wherever the edit was made.
    """
    context = action_context(request, slug, forms=forms, conflict=conflict)
    html = render_to_string(f"roadmap/action_detail.html#{section}", context, request)
    if section != "summary":
        html += render_to_string(
            "roadmap/action_detail.html#summary", {**context, "oob": True}, request
        )
    return HttpResponse(html, status=status)
