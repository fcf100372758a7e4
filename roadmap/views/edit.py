"""The task force's edits on an action: status, milestones, measurements, progress notes.

Every view is POST only, for signed-in users who may edit the action (decided once, by
`Action.objects.editable_by`). Each one works as a plain form (redirect back to the action page,
or the page with errors) and with HTMX (the section of the page that changed, rendered from the
same template partial as the full page, plus the action's summary swapped out of band).

No lost update: forms carry the version they were read at. The row is locked and its version
compared before anything is written; when someone saved in between, nothing is written and the
user gets a 409 with the current value, who changed it, and a form to retry in one click.
Invalid input gets the form back with its errors and a 422, never a partial write.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from roadmap.caching import writing
from roadmap.forms import (
    MeasurementForm,
    MilestoneDoneForm,
    MilestoneForm,
    ProgressNoteForm,
    RescheduleForm,
    StatusForm,
)
from roadmap.models import Action, Indicator, Milestone, Roadmap, Status
from roadmap.overview import readings_of
from roadmap.summaries import (
    attention,
    summarise_action,
    summarise_indicators,
    summarise_milestones,
    with_figures,
)

from .public import page_of, render_action_page, render_action_sections

# Actions shown per page on `/mes-actions/`.
MY_ACTIONS_PAGE = 50
CONFLICT = 409
INVALID = 422
# Where each section of the action page is, for the redirect after a plain-form edit.
SECTION_ANCHORS = {
    "summary": "resume",
    "milestones": "jalons",
    "indicators": "indicateurs",
    "notes": "points",
}


def editor_required(view):
    """Signed in (else to the sign-in page) and allowed to edit the action (else 403)."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.htmx:
                return HttpResponseClientRedirect(
                    redirect_to_login(request.htmx.current_url_abs_path or "/")["Location"]
                )
            return redirect_to_login(reverse("roadmap:action", args=[slug]))
        roadmap = Roadmap.objects.current()
        action = get_object_or_404(Action.objects.filter(roadmap=roadmap), slug=slug)
        if not Action.objects.editable_by(request.user).filter(pk=action.pk).exists():
            raise PermissionDenied(_("Vous ne pouvez pas modifier cette action."))
        return view(request, action, *args, **kwargs)

    return require_POST(wrapper)


def respond(
    request, action, section, *, status=200, message=None, saved=None, forms=None, conflict=None
):
    """The changed section for HTMX, else the page (after a redirect when all went well).

    `message` says what was saved: a message on the page after the redirect, or for HTMX the
    sentence of the page's live region (read out by screen readers). `saved` is the key of the
    form saved (as in `edit_forms`), whose opener gets the focus back after the swap.
    """
    if request.htmx:
        return render_action_sections(
            request,
            action.slug,
            section,
            forms=forms,
            conflict=conflict,
            status=status,
            announcement=message if status == 200 else "",
            saved=saved if status == 200 else None,
        )
    if status == 200:
        if message:
            messages.success(request, message)
        return redirect(f"{action.get_absolute_url()}#{SECTION_ANCHORS[section]}")
    return render_action_page(request, action.slug, forms=forms, conflict=conflict, status=status)


def who_and_when(instance) -> dict:
    """Who saved `instance` last and when, from its history, for the conflict message."""
    record = instance.history.select_related("history_user").first()
    user = record.history_user if record else None
    return {
        "by": (user.get_full_name() or user.get_username()) if user else _("un administrateur"),
        "on": record.history_date if record else instance.updated_at,
    }


@editor_required
def change_status(request: HttpRequest, action: Action) -> HttpResponse:
    form = StatusForm(request.POST)
    if not form.is_valid():
        return respond(request, action, "summary", status=INVALID, forms={"status": form})
    with writing():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        if locked.version != form.cleaned_data["version"]:
            conflict = {
                "section": "summary",
                "current": locked.status_label,
                "wanted": Status(form.cleaned_data["status"]).label,
                **who_and_when(locked),
            }
            retry = StatusForm(
                initial={"status": form.cleaned_data["status"], "version": locked.version}
            )
            return respond(
                request,
                locked,
                "summary",
                status=CONFLICT,
                forms={"status": retry},
                conflict=conflict,
            )
        if locked.status != form.cleaned_data["status"]:
            locked.status = form.cleaned_data["status"]
            locked.save()
    return respond(
        request,
        locked,
        "summary",
        message=_("Statut enregistré : %(status)s.") % {"status": locked.status_label},
    )


def _milestone(action: Action, pk: int) -> Milestone:
    return get_object_or_404(Milestone, pk=pk, action=action)


@editor_required
def tick_milestone(request: HttpRequest, action: Action, pk: int) -> HttpResponse:
    milestone = _milestone(action, pk)
    form = MilestoneDoneForm(request.POST, milestone=milestone)
    if not form.is_valid():
        return respond(request, action, "milestones", status=INVALID, forms={f"done-{pk}": form})
    with writing():
        locked = Milestone.objects.select_for_update().get(pk=pk)
        if locked.version != form.cleaned_data["version"]:
            conflict = {
                "section": "milestones",
                "milestone": locked.pk,
                "current": locked.done_on,
                **who_and_when(locked),
            }
            return respond(request, action, "milestones", status=CONFLICT, conflict=conflict)
        if locked.done_on != form.cleaned_data["done_on"]:
            locked.done_on = form.cleaned_data["done_on"]
            locked.save()
    message = (
        _("Jalon « %(title)s » marqué réalisé.")
        if locked.done_on
        else _("Jalon « %(title)s » rouvert.")
    ) % {"title": locked.title}
    return respond(request, action, "milestones", message=message)


@editor_required
def reschedule_milestone(request: HttpRequest, action: Action, pk: int) -> HttpResponse:
    _milestone(action, pk)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        return respond(
            request, action, "milestones", status=INVALID, forms={f"reschedule-{pk}": form}
        )
    with writing():
        locked = Milestone.objects.select_for_update().get(pk=pk)
        if locked.version != form.cleaned_data["version"]:
            conflict = {
                "section": "milestones",
                "milestone": locked.pk,
                "current": locked.due_date,
                **who_and_when(locked),
            }
            retry = RescheduleForm(
                initial={"due_date": form.cleaned_data["due_date"], "version": locked.version}
            )
            return respond(
                request,
                action,
                "milestones",
                status=CONFLICT,
                forms={f"reschedule-{pk}": retry},
                conflict=conflict,
            )
        if locked.due_date != form.cleaned_data["due_date"]:
            locked.due_date = form.cleaned_data["due_date"]
            locked.save()
    return respond(
        request,
        action,
        "milestones",
        message=_("Échéance du jalon « %(title)s » reportée au %(date)s.")
        % {"title": locked.title, "date": locked.due_date.strftime("%d/%m/%Y")},
        saved=f"reschedule-{pk}",
    )


@editor_required
def add_milestone(request: HttpRequest, action: Action) -> HttpResponse:
    form = MilestoneForm(request.POST, action=action)
    if not form.is_valid():
        return respond(request, action, "milestones", status=INVALID, forms={"milestone": form})
    try:
        with writing():
            milestone = form.save()
    except IntegrityError:
        # Someone added a milestone of that title since the form was validated: show it.
        form = MilestoneForm(request.POST, action=action)
        form.is_valid()
        return respond(request, action, "milestones", status=CONFLICT, forms={"milestone": form})
    return respond(
        request,
        action,
        "milestones",
        message=_("Jalon « %(title)s » ajouté.") % {"title": milestone.title},
        saved="milestone",
    )


@editor_required
def add_measurement(request: HttpRequest, action: Action, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, action=action, code=code)
    form = MeasurementForm(request.POST, indicator=indicator)
    if not form.is_valid():
        return respond(
            request, action, "indicators", status=INVALID, forms={f"measurement-{code}": form}
        )
    form.instance.recorded_by = request.user
    try:
        with writing():
            form.save()
    except IntegrityError:
        # Someone recorded a value at the same date since the form was validated: show it.
        form = MeasurementForm(request.POST, indicator=indicator)
        form.is_valid()
        return respond(
            request, action, "indicators", status=CONFLICT, forms={f"measurement-{code}": form}
        )
    return respond(
        request,
        action,
        "indicators",
        message=_("Valeur enregistrée pour « %(label)s ».") % {"label": indicator.label},
        saved=f"measurement-{code}",
    )


@editor_required
def add_note(request: HttpRequest, action: Action) -> HttpResponse:
    form = ProgressNoteForm(request.POST)
    if not form.is_valid():
        return respond(request, action, "notes", status=INVALID, forms={"note": form})
    form.instance.action = action
    form.instance.author = request.user
    with writing():
        form.save()
    return respond(request, action, "notes", message=_("Point d'avancement publié."), saved="note")


def urgency_order(item) -> tuple:
    summary, flags = item
    return (flags.urgency, summary.action.axis.number, summary.action.code)


@require_safe
@login_required
def my_actions(request: HttpRequest) -> HttpResponse:
    """The actions the user may edit, most urgent first, with what needs their attention.

    Every action is weighed (the order depends on all of them, measured by light readings);
    one page of them is shown, an administrator's list being the whole roadmap.
    """
    roadmap = Roadmap.objects.current()
    today = timezone.localdate()
    items = []
    if roadmap is not None:
        editable = Action.objects.editable_by(request.user).filter(roadmap=roadmap)
        actions = with_figures(
            editable.select_related("axis").with_last_update(), measurements=False
        )
        readings = readings_of(indicator__action__in=editable)
        for action in actions:
            milestones = summarise_milestones(action.milestones.all(), today)
            indicators = summarise_indicators(action.indicators.all(), today, readings)
            summary = summarise_action(action, today, milestones, indicators)
            items.append(
                (summary, attention(summary, milestones, indicators, action.last_update, today))
            )
        items.sort(
            key=lambda item: (item[1].urgency, item[0].action.axis.number, item[0].action.code)
        )
    page = page_of(request, items, MY_ACTIONS_PAGE, _("Cette page de vos actions n'existe pas."))
    return render(
        request,
        "roadmap/my_actions.html",
        {
            "roadmap": roadmap,
            "items": page.object_list,
            "page": page,
            "needing_attention": sum(1 for _summary, flags in items if flags.any),
            "breadcrumb_data": {"current": _("Mes actions")},
        },
    )
