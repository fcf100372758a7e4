"""The action page and its sections, as a whole page or as the fragments an HTMX edit swaps.

`action_context` is everything the page shows; the edit views (`roadmap.views.edit`) render the
same context, whole or by section (`render_action_sections`), so that an HTMX fragment and the
full page can never differ otherwise.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from roadmap.caching import cached_for_readers
from roadmap.forms import IndicatorForm, correction_forms, edit_forms
from roadmap.history import action_history
from roadmap.models import Roadmap
from roadmap.permissions import can_designate_pilots, can_edit_slug
from roadmap.queries import (
    action_of_page,
    awaiting_of_action,
    indicators_awaiting,
    indicators_named,
    notes_of,
)
from roadmap.reviews import change_sources, indicator_changes, preview, review_required
from roadmap.summaries import (
    attention,
    axis_label,
    editors_sentence,
    retired,
    summarise_action,
    summarise_indicators,
    summarise_milestones,
    tracked,
    with_charts,
)

from .common import current_roadmap_or_404, page_context

NOTES_SHOWN = 20


@require_safe
@cached_for_readers
def action_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render_action_page(request, slug)


def action_context(
    request: HttpRequest,
    slug: str,
    *,
    forms=None,
    conflict=None,
    saved=None,
    roadmap: Roadmap | None = None,
    can_edit: bool | None = None,
) -> dict:
    """Everything the action page and its partials show, fetched in a fixed number of queries.

    `forms` holds bound forms with errors to show in place of the blank ones (after an invalid
    edit), and `conflict` what to say when someone else saved first. `saved` is the key of the
    form just saved by HTMX: its opener takes the id of its button, so that the focus goes back
    there. An edit view passes the `roadmap` and `can_edit` it has already checked.
    """
    roadmap = roadmap or current_roadmap_or_404()
    if can_edit is None:
        # Asked before the read: who may edit the action previews what awaits review.
        can_edit = can_edit_slug(request.user, roadmap, slug)
    action = get_object_or_404(action_of_page(roadmap, slug, pending=can_edit))
    today = timezone.localdate()
    milestones = summarise_milestones(action.milestones.all(), today)
    every_indicator = action.indicators.all()
    if can_edit:
        # Who may edit sees the figures as they will be once the changes proposed to its
        # indicators are published (`pending_figures` says so).
        preview(list(every_indicator))
    # A retired indicator is listed apart, with its date; it counts in no figure.
    indicators = with_charts(summarise_indicators(tracked(every_indicator), today), today)
    retired_indicators = retired(every_indicator)
    summary = summarise_action(action, today, milestones, indicators)
    edit = {}
    awaiting = ([], [])
    awaiting_indicators = []
    if can_edit:
        edit = edit_forms(
            action,
            milestones,
            indicators,
            forms or {},
            saved=saved,
            retired=summarise_indicators(retired_indicators, today),
        )
        measurements, notes = awaiting_of_action(action)
        corrections = correction_forms(measurements, notes, forms or {})
        awaiting = (
            [(m, corrections[f"correct-mesure-{m.pk}"]) for m in measurements],
            [(n, corrections[f"correct-point-{n.pk}"]) for n in notes],
        )
        awaiting_indicators = _awaiting_indicators(action, list(every_indicator), forms or {})
    return page_context(
        roadmap,
        action.code,
        links=[{"url": action.axis.get_absolute_url(), "title": axis_label(action.axis)}],
        current_axis=action.axis,
        action=action,
        summary=summary,
        attention=attention(summary, milestones, indicators, action.last_update, today),
        milestones=milestones,
        # Each milestone with its edit forms (none for a reader), for the milestones table.
        milestone_rows=edit["milestones"] if can_edit else [(item, None) for item in milestones],
        indicators=indicators,
        retired_indicators=retired_indicators,
        notes=notes_of(action, NOTES_SHOWN, pending=can_edit),
        # For who may edit: the measurements awaiting review or returned, the notes returned;
        # the figures then count the proposed values (`pending_figures` says so).
        awaiting_measurements=awaiting[0],
        returned_notes=awaiting[1],
        pending_figures=any(item.is_proposed for item, _form in awaiting[0]),
        # Its indicators awaiting review or returned, each with what it changes, and for a
        # returned new one (out of the page's list) the form to correct it.
        awaiting_indicators=awaiting_indicators,
        pending_indicators=any(entry["indicator"].is_proposed for entry in awaiting_indicators),
        history=action_history(action),
        last_update=action.last_update,
        today=today,
        can_edit=can_edit,
        # Whether what this person saves awaits review: the forms' buttons say « Proposer »,
        # not « Publier ».
        proposes=can_edit and review_required(request.user),
        # A signed-in person who may not edit is told who may (the reader sees no forms).
        editors=(
            editors_sentence(action) if request.user.is_authenticated and not can_edit else ""
        ),
        can_designate_pilots=can_edit and can_designate_pilots(request.user),
        edit=edit,
        conflict=conflict,
    )


def _awaiting_indicators(action, shown, forms) -> list[dict]:
    """The indicators of `action` awaiting review or returned, in two queries: each with what
    its proposal changes and, for a returned new indicator, its correction form (key
    « indicator-<pk> », as the definition form of the others)."""
    rows = indicators_awaiting(action)
    named = indicators_named(change_sources(rows)) if rows else {}
    siblings = [*shown, *(row for row in rows if row.pk not in {i.pk for i in shown})]
    entries = []
    for row in rows:
        form = None
        if row.is_new_proposal and row.is_returned:
            form = forms.get(f"indicator-{row.pk}") or IndicatorForm(
                instance=row, action=action, siblings=siblings
            )
            form.auto_id = f"id_indicator{row.pk}_%s"
        entries.append({"indicator": row, "changes": indicator_changes(row, named), "form": form})
    return entries


def render_action_page(request, slug, *, status=200, **context):
    """The whole action page; `context` as `action_context` takes it."""
    context = action_context(request, slug, **context)
    return render(request, "roadmap/action_detail.html", context, status=status)


def render_action_sections(request, slug, section, *, status=200, announcement="", **context):
    """The `section` partial of the action page, then the summary swapped out of band.

    After an edit the summary (status, progress, flags) changes too, wherever the edit was made.
    `announcement` (what was saved, or nothing after a refused edit) fills the page's live
    region, for screen readers.
    """
    context = action_context(request, slug, **context)
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
