"""`/mes-actions/`: the actions a signed-in user may edit, most urgent first; what they proposed
that awaits review or was returned, with the reviewer's comment (docs/domain.md « Relecture »);
and, while a council report is in preparation, which of them still need an update for the
session (with the forms to mark them « à jour pour la séance », `roadmap.views.reports`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from roadmap.models import Action, Report, Roadmap
from roadmap.overview import ActionRow, action_rows
from roadmap.queries import (
    indicator_proposals_of,
    proposals_of,
    readings_of,
    with_figures,
    with_last_update,
)

from .common import page_of, render_page
from .reports import preparation_context

# Actions shown per page on `/mes-actions/`.
MY_ACTIONS_PAGE = 50


def urgency_order(row: ActionRow) -> tuple:
    """Most urgent first (`Attention.urgency`), then in the roadmap's order."""
    return (row.attention.urgency, row.summary.action.axis.number, row.summary.action.code)


@require_safe
@login_required
def my_actions(request: HttpRequest) -> HttpResponse:
    """The actions the user may edit, most urgent first, with what needs their attention.

    Every action is weighed (the order depends on all of them, measured by light readings);
    one page of them is shown, an administrator's list being the whole roadmap.
    """
    roadmap = Roadmap.objects.current()
    rows = []
    proposals = ([], [])
    indicators = []
    if roadmap is not None:
        proposals = proposals_of(request.user, action__roadmap=roadmap)
        indicators = indicator_proposals_of(request.user, roadmap=roadmap)
        editable = Action.objects.editable_by(request.user).filter(roadmap=roadmap)
        actions = with_figures(
            with_last_update(editable.select_related("axis")), measurements=False
        )
        readings = readings_of(indicator__action__in=editable)
        rows = sorted(action_rows(actions, timezone.localdate(), readings), key=urgency_order)
    page = page_of(request, rows, MY_ACTIONS_PAGE, _("Cette page de vos actions n'existe pas."))
    # The session's list follows the same page of actions, so that it never grows either.
    session = preparation_context(
        request.user, Report.objects.in_preparation(roadmap), page.object_list
    )
    return render_page(
        request,
        "roadmap/my_actions.html",
        roadmap,
        _("Mes actions"),
        # The page of a signed-in user's own work: no navigation by axis.
        axes=[],
        items=page.object_list,
        page=page,
        needing_attention=sum(1 for row in rows if row.attention.any),
        **session,
        proposed_measurements=proposals[0],
        proposed_notes=proposals[1],
        proposed_indicators=indicators,
    )
