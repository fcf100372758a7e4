"""`/a-valider/`: the reviewers' queue (docs/domain.md « Relecture »).

Everything proposed and not yet published, oldest first, with its action, what it changes
(the indicator's latest published value → the proposed one; a new indicator's definition; a
change to a published indicator field by field, old → new), its source and its author. A
reviewer publishes or returns with a comment one proposal (its own form on each row) or a
selection (the checkboxes, one form at the foot of the list), as a plain form (redirect back
here) or with HTMX (the queue swapped in place, the same partial as in the page).

Who reviews is decided once, by `reviewable_by` (roadmap/models.py), asked of each row by
`permissions.can_review`: administrators, never on their own proposal (403). Every form
carries the version each proposal was read at; when another reviewer acted first, nothing is
written and the reviewer gets a 409 with what was decided, by whom (`reviews.decide`).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from roadmap.forms import ReviewForm
from roadmap.models import Roadmap
from roadmap.permissions import can_review, is_reviewer
from roadmap.queries import indicator_queue, indicators_named, review_queue
from roadmap.reviews import (
    KEYS,
    REVIEWED,
    Conflict,
    Item,
    change_sources,
    decide,
    indicator_changes,
)

from .common import page_context, page_of

# Proposals shown per page of the queue.
QUEUE_PAGE = 50
CONFLICT = 409
INVALID = 422


def queue_entries(roadmap: Roadmap | None) -> list[dict]:
    """The queue's rows: each proposal with its key, its kind and its action, oldest first."""
    if roadmap is None:
        return []
    measurements, notes = review_queue(roadmap)
    indicators = indicator_queue(roadmap)
    entries = (
        [
            {"key": f"indicateur-{i.pk}", "kind": "indicateur", "row": i, "action": i.action}
            for i in indicators
        ]
        + [
            {"key": f"mesure-{m.pk}", "kind": "mesure", "row": m, "action": m.indicator.action}
            for m in measurements
        ]
        + [{"key": f"point-{n.pk}", "kind": "point", "row": n, "action": n.action} for n in notes]
    )
    entries.sort(key=lambda entry: (entry["row"].proposed_at, entry["key"]))
    return entries


def queue_context(request: HttpRequest, roadmap, **more) -> dict:
    page = page_of(
        request, queue_entries(roadmap), QUEUE_PAGE, _("Cette page de la file n'existe pas.")
    )
    shown = [entry["row"] for entry in page.object_list if entry["kind"] == "indicateur"]
    # The sources a sum names, for the whole page in one query.
    named = indicators_named(change_sources(shown)) if shown else {}
    for entry in page.object_list:
        entry["mine"] = entry["row"].proposed_by_id == request.user.pk
        if entry["kind"] == "indicateur":
            entry["changes"] = indicator_changes(entry["row"], named)
    return page_context(
        roadmap,
        _("À valider"),
        axes=[],
        page=page,
        items=page.object_list,
        form=more.pop("form", None) or ReviewForm(items=[]),
        **more,
    )


def render_queue(request: HttpRequest, roadmap, *, status: int = 200, **more) -> HttpResponse:
    context = queue_context(request, roadmap, **more)
    if request.htmx:
        html = render_to_string("roadmap/review_queue.html#queue", context, request)
        return HttpResponse(html, status=status)
    return HttpResponse(
        render_to_string("roadmap/review_queue.html", context, request), status=status
    )


@require_http_methods(["GET", "HEAD", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("roadmap:review"))
    if not is_reviewer(request.user):
        raise PermissionDenied(_("Seul un administrateur valide ce que proposent les membres."))
    roadmap = Roadmap.objects.current()
    if request.method != "POST":
        return render_queue(request, roadmap)
    return _decide(request, roadmap)


def _decide(request: HttpRequest, roadmap) -> HttpResponse:
    form = ReviewForm(request.POST, items=request.POST.getlist("item"))
    if not form.is_valid():
        return render_queue(request, roadmap, status=INVALID, form=form)
    wanted = {}
    for kind, pk, version in form.cleaned_data["parsed"]:
        if kind not in REVIEWED:
            form.add_error(None, _("Proposition inconnue : « %(item)s ».") % {"item": kind})
            return render_queue(request, roadmap, status=INVALID, form=form)
        wanted[(kind, pk)] = version
    rows = {}
    for kind, model in REVIEWED.items():
        pks = [pk for (key, pk) in wanted if key == kind]
        if pks:
            found = model.objects.filter(pk__in=pks).select_related("proposed_by", "reviewed_by")
            rows.update({(kind, row.pk): row for row in found})
    missing = [key for key in wanted if key not in rows]
    if missing:
        form.add_error(None, _("Cette proposition n'existe plus : rechargez la page."))
        return render_queue(request, roadmap, status=INVALID, form=form)
    decided = [row for row in rows.values() if not row.is_proposed]
    if decided:
        return _conflict(request, roadmap, decided, form)
    if any(not can_review(request.user, row) for row in rows.values()):
        raise PermissionDenied(
            _(
                "Vous ne pouvez pas valider votre propre proposition : "
                "un autre administrateur le fait."
            )
        )
    publish = form.cleaned_data["decision"] == ReviewForm.PUBLISH
    items = [Item(REVIEWED[kind], pk, version) for (kind, pk), version in wanted.items()]
    try:
        done = decide(
            request.user, items, publish=publish, comment=form.cleaned_data["comment"].strip()
        )
    except Conflict as conflict:
        return _conflict(request, roadmap, conflict.rows, form)
    count = len(done)
    message = (
        ngettext("%(count)s proposition publiée.", "%(count)s propositions publiées.", count)
        if publish
        else ngettext(
            "%(count)s proposition renvoyée à son auteur.",
            "%(count)s propositions renvoyées à leurs auteurs.",
            count,
        )
    ) % {"count": count}
    if request.htmx:
        return render_queue(request, roadmap, announcement=message)
    messages.success(request, message)
    return redirect("roadmap:review")


def _conflict(request, roadmap, rows, form) -> HttpResponse:
    """409: another reviewer (or the author) acted first; nothing was written."""
    conflicts = [
        {
            "key": f"{KEYS[type(row)]}-{row.pk}",
            "state": row.get_review_state_display(),
            "by": (row.reviewed_by or row.proposed_by).display_name
            if (row.reviewed_by or row.proposed_by)
            else "",
            "on": row.reviewed_at if not row.is_proposed else row.proposed_at,
        }
        for row in rows
    ]
    return render_queue(request, roadmap, status=CONFLICT, form=form, conflicts=conflicts)
