"""The task force's edits on an action: status, milestones, measurements, progress notes, and
its pilots (administrators only); the indicators a member keeps are in `views/indicators.py`.

Every view is POST only, for signed-in users who may edit the action (decided once, by
`Action.objects.editable_by`). Each one works as a plain form (redirect back to the action page,
or the page with errors) and with HTMX (the section of the page that changed, rendered from the
same template partial as the full page, plus the action's summary swapped out of band).

No lost update: forms carry the version they were read at, and `roadmap.writes` locks the row
and compares its version before anything is written; when someone saved in between, nothing is
written and the user gets a 409 with the current value, who changed it, and a form to retry in
one click. A new milestone or value that someone wrote first gets a 409 with the form too.
Invalid input gets the form back with its errors and a 422, never a partial write.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from roadmap.caching import privately, writing
from roadmap.forms import (
    MeasurementForm,
    MilestoneDoneForm,
    MilestoneForm,
    PilotsForm,
    ProgressNoteForm,
    RescheduleForm,
    StatusForm,
    correction_form,
    period_text,
)
from roadmap.french import date_text
from roadmap.models import Action, Indicator, Measurement, Milestone, ProgressNote, Roadmap, Status
from roadmap.permissions import can_designate_pilots, can_edit
from roadmap.progress import period_containing
from roadmap.reviews import apply, submission
from roadmap.writes import save_new, save_unless_changed

from .action import render_action_page, render_action_sections

# What a member's entry is told when it awaits review.
AWAITING = gettext_lazy("Elle sera publiée après validation par un administrateur.")
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
    """Signed in (else to the sign-in page) and allowed to edit the action (else 403).

    The view gets the action, its roadmap attached: checked once here, both are passed on to
    the page or the fragment the edit answers with (`respond`).
    """

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
        if not can_edit(request.user, action):
            raise PermissionDenied(_("Vous ne pouvez pas modifier cette action."))
        action.roadmap = roadmap
        return view(request, action, *args, **kwargs)

    return require_POST(wrapper)


def respond(request, action, section, *, status=200, message=None, saved=None, **context):
    """The changed section for HTMX, else the page (after a redirect when all went well).

    `message` says what was saved: a message on the page after the redirect, or for HTMX the
    sentence of the page's live region (read out by screen readers). `saved` is the key of the
    form saved (as in `edit_forms`), whose opener gets the focus back after the swap. `context`
    (`forms`, `conflict`) goes to `action_context`.
    """
    context |= {"roadmap": action.roadmap, "can_edit": True}
    if request.htmx:
        return render_action_sections(
            request,
            action.slug,
            section,
            status=status,
            announcement=message if status == 200 else "",
            saved=saved if status == 200 else None,
            **context,
        )
    if status == 200:
        if message:
            messages.success(request, message)
        return redirect(f"{action.get_absolute_url()}#{SECTION_ANCHORS[section]}")
    return render_action_page(request, action.slug, status=status, **context)


def conflict_response(
    request, action, section, row, current, *, forms=None, concerns=None, **about
):
    """409: `row` was saved by someone else first; say who, when, and its `current` value.

    `concerns` names what the conflict is about when it is not the whole `section` (the
    pilots, in the summary box that also holds the status), so that only its form says it.
    """
    record = row.history.select_related("history_user").first()
    user = record.history_user if record else None
    conflict = {
        "section": concerns or section,
        **about,
        "current": current,
        "by": user.display_name if user else _("un administrateur"),
        "on": record.history_date if record else row.updated_at,
    }
    return respond(request, action, section, status=CONFLICT, forms=forms, conflict=conflict)


@editor_required
def change_status(request: HttpRequest, action: Action) -> HttpResponse:
    form = StatusForm(request.POST)
    if not form.is_valid():
        return respond(request, action, "summary", status=INVALID, forms={"status": form})
    wanted = form.cleaned_data["status"]
    locked = save_unless_changed(Action, action.pk, form.cleaned_data["version"], status=wanted)
    if locked.stale:
        retry = StatusForm(initial={"status": wanted, "version": locked.row.version})
        return conflict_response(
            request,
            action,
            "summary",
            locked.row,
            locked.row.status_label,
            forms={"status": retry},
            wanted=Status(wanted).label,
        )
    return respond(
        request,
        action,
        "summary",
        message=_("Statut enregistré : %(status)s.") % {"status": locked.row.status_label},
    )


def _milestone(action: Action, pk: int) -> Milestone:
    return get_object_or_404(Milestone, pk=pk, action=action)


@editor_required
def tick_milestone(request: HttpRequest, action: Action, pk: int) -> HttpResponse:
    milestone = _milestone(action, pk)
    form = MilestoneDoneForm(request.POST, milestone=milestone)
    if not form.is_valid():
        return respond(request, action, "milestones", status=INVALID, forms={f"done-{pk}": form})
    done_on = form.cleaned_data["done_on"]
    locked = save_unless_changed(Milestone, pk, form.cleaned_data["version"], done_on=done_on)
    row = locked.row
    if locked.stale:
        return conflict_response(request, action, "milestones", row, row.done_on, milestone=pk)
    message = (
        _("Jalon « %(title)s » marqué réalisé.")
        if row.done_on
        else _("Jalon « %(title)s » rouvert.")
    ) % {"title": row.title}
    return respond(request, action, "milestones", message=message)


@editor_required
def reschedule_milestone(request: HttpRequest, action: Action, pk: int) -> HttpResponse:
    _milestone(action, pk)
    form = RescheduleForm(request.POST)
    key = f"reschedule-{pk}"
    if not form.is_valid():
        return respond(request, action, "milestones", status=INVALID, forms={key: form})
    due_date = form.cleaned_data["due_date"]
    locked = save_unless_changed(Milestone, pk, form.cleaned_data["version"], due_date=due_date)
    row = locked.row
    if locked.stale:
        retry = RescheduleForm(initial={"due_date": due_date, "version": row.version})
        return conflict_response(
            request, action, "milestones", row, row.due_date, forms={key: retry}, milestone=pk
        )
    return respond(
        request,
        action,
        "milestones",
        message=_("Échéance du jalon « %(title)s » reportée au %(date)s.")
        % {"title": row.title, "date": date_text(row.due_date)},
        saved=key,
    )


@editor_required
def add_milestone(request: HttpRequest, action: Action) -> HttpResponse:
    form = MilestoneForm(request.POST, action=action)
    if not form.is_valid():
        return respond(request, action, "milestones", status=INVALID, forms={"milestone": form})
    # Someone may have added a milestone of that title since the form was validated.
    duplicate = save_new(form, lambda: MilestoneForm(request.POST, action=action))
    if duplicate is not None:
        return respond(
            request, action, "milestones", status=CONFLICT, forms={"milestone": duplicate}
        )
    return respond(
        request,
        action,
        "milestones",
        message=_("Jalon « %(title)s » ajouté.") % {"title": form.instance.title},
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
    # A member's value awaits review (docs/domain.md « Relecture »): readers see none of it.
    done = submission(request.user)
    apply(form.instance, done)
    # Someone may have recorded a value at the same date since the form was validated.
    duplicate = save_new(
        form, lambda: MeasurementForm(request.POST, indicator=indicator), public=done.public
    )
    if duplicate is not None:
        return respond(
            request, action, "indicators", status=CONFLICT, forms={f"measurement-{code}": duplicate}
        )
    if indicator.periodicity and indicator.periods_from:
        message = _("Valeur enregistrée pour « %(label)s », période %(period)s.") % {
            "label": indicator.label,
            "period": period_text(
                *period_containing(indicator.periodicity, form.cleaned_data["date"])
            ),
        }
    else:
        message = _("Valeur enregistrée pour « %(label)s ».") % {"label": indicator.label}
    if done.proposed:
        message = " ".join([message, str(AWAITING)])
    return respond(request, action, "indicators", message=message, saved=f"measurement-{code}")


@editor_required
def add_note(request: HttpRequest, action: Action) -> HttpResponse:
    form = ProgressNoteForm(request.POST)
    if not form.is_valid():
        return respond(request, action, "notes", status=INVALID, forms={"note": form})
    form.instance.action = action
    form.instance.author = request.user
    done = submission(request.user)
    apply(form.instance, done)
    with writing() if done.public else privately():
        form.save()
    message = (
        _("Point d'avancement proposé : il sera publié après validation.")
        if done.proposed
        else _("Point d'avancement publié.")
    )
    return respond(request, action, "notes", message=message, saved="note")


@editor_required
def correct_measurement(request: HttpRequest, action: Action, pk: int) -> HttpResponse:
    """Correct a value awaiting review or returned by a reviewer, and propose it again (an
    administrator's correction publishes it at once)."""
    measurement = get_object_or_404(
        Measurement.objects.select_related("indicator"), pk=pk, indicator__action=action
    )
    key = f"correct-mesure-{pk}"
    form = correction_form(
        MeasurementForm, request.POST, measurement, indicator=measurement.indicator
    )
    if not form.is_valid():
        return respond(request, action, "indicators", status=INVALID, forms={key: form})
    return _correct(request, action, measurement, form, key, "indicators")


@editor_required
def correct_note(request: HttpRequest, action: Action, pk: int) -> HttpResponse:
    """Correct a returned progress note and propose it again."""
    note = get_object_or_404(ProgressNote, pk=pk, action=action)
    key = f"correct-point-{pk}"
    form = correction_form(ProgressNoteForm, request.POST, note)
    if not form.is_valid():
        return respond(request, action, "notes", status=INVALID, forms={key: form})
    return _correct(request, action, note, form, key, "notes")


def _correct(request, action, row, form, key, section) -> HttpResponse:
    model = type(row)
    version = form.cleaned_data["version"]
    values = {name: form.cleaned_data[name] for name in form._meta.fields}
    done = submission(request.user)
    # Only what is not published yet is corrected here: a published row is in conflict (a
    # reviewer published it since the form was read).
    stale = row.is_published
    if not stale:
        locked = save_unless_changed(
            model, row.pk, version, public=done.public, **values, **done.values
        )
        stale, row = locked.stale, locked.row
    if stale:
        return conflict_response(
            request, action, section, row, row.get_review_state_display(), forms={key: form}
        )
    message = (
        _("Correction proposée : elle sera publiée après validation.")
        if done.proposed
        else _("Correction publiée.")
    )
    return respond(request, action, section, message=message)


def pilots_text(action: Action) -> str:
    """« HAS ; partenaires : DNS, DGOS », as the conflict and the message say who pilots."""
    lead = action.lead.acronym if action.lead else _("Pilote à désigner")
    partners = ", ".join(partner.acronym for partner in action.partners.order_by("acronym"))
    return _("%(lead)s ; partenaires : %(partners)s") % {
        "lead": lead,
        "partners": partners or _("aucun"),
    }


@editor_required
def designate_pilots(request: HttpRequest, action: Action) -> HttpResponse:
    """An administrator sets the lead organisation (or none) and the partners of an action."""
    if not can_designate_pilots(request.user):
        raise PermissionDenied(_("Seul un administrateur désigne les pilotes d'une action."))
    form = PilotsForm(request.POST)
    if not form.is_valid():
        return respond(request, action, "summary", status=INVALID, forms={"pilots": form})
    lead, partners = form.cleaned_data["lead"], list(form.cleaned_data["partners"])
    locked = save_unless_changed(
        Action, action.pk, form.cleaned_data["version"], lead=lead, partners=partners
    )
    row = locked.row
    if locked.stale:
        retry = PilotsForm(
            initial={
                "lead": lead.pk if lead else None,
                "partners": [partner.pk for partner in partners],
                "version": row.version,
            }
        )
        retry.conflict = True
        return conflict_response(
            request,
            action,
            "summary",
            row,
            pilots_text(row),
            forms={"pilots": retry},
            concerns="pilots",
        )
    return respond(
        request,
        action,
        "summary",
        message=_("Pilotes enregistrés : %(pilots)s.") % {"pilots": pilots_text(row)},
        saved="pilots",
    )
