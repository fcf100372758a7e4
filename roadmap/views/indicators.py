"""The indicators the task force keeps on an action it may edit: add one, change its definition,
retire it (never deleted: its measurements and history stay) or put it back, and keep its dated
targets (intermediate steps, or a period's own target).

The same rules as every edit of `views/edit.py`: POST only, by people who may edit the action
(`editor_required`); a plain form (redirect back to the indicators section) or HTMX (the section,
rendered from the page's own partial); the version the form was read at, compared under a lock
(409 with who saved first, and the form keeping what was typed); 422 with the French message by
the field, nothing written. docs/domain.md, « Indicateurs » and « Cibles ».

A member's new indicator, or change to a published one's definition, awaits review when review
is on (`reviews.indicator_values`, docs/domain.md « Relecture »): readers see none of it until
an administrator publishes it from `/a-valider/`.
"""

from __future__ import annotations

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from roadmap.forms import IndicatorForm, RetireForm, TargetForm, VersionedForm, day_text
from roadmap.models import Action, Indicator, Target
from roadmap.reviews import apply, indicator_values, submission
from roadmap.writes import delete_unless_changed, save_new, save_unless_changed

from .edit import CONFLICT, INVALID, conflict_response, editor_required, respond

SECTION = "indicators"
# What a member's new indicator is told.
AWAITING_INDICATOR = gettext_lazy(
    "Il sera publié après validation par un administrateur. D'ici là, seuls ceux qui peuvent "
    "modifier l'action le voient."
)


def _indicator(action: Action, code: str) -> Indicator:
    return get_object_or_404(
        Indicator.objects.select_related("summed_from").prefetch_related("targets"),
        action=action,
        code=code,
    )


def _siblings(action: Action) -> list[Indicator]:
    """The action's indicators, which a sum may name and which may sum the one edited."""
    return list(Indicator.objects.filter(action=action))


def _typed(request: HttpRequest, form) -> dict:
    """What the person typed in `form`'s fields, for a retry form after a conflict."""
    return {name: request.POST.get(name, "") for name in form.fields if name != "version"}


def _refused(request, action, key, form, status=INVALID):
    return respond(request, action, SECTION, status=status, forms={key: form})


# --- The indicator ----------------------------------------------------------------------------


@editor_required
def add_indicator(request: HttpRequest, action: Action) -> HttpResponse:
    key = "indicator-new"
    form = IndicatorForm(request.POST, action=action, siblings=_siblings(action))
    if not form.is_valid():
        return _refused(request, action, key, form)
    # A member's new indicator awaits review: not public until published.
    done = submission(request.user)
    apply(form.instance, done)
    form.instance.is_public = not done.proposed
    # Someone may have taken that code since the form was validated.
    duplicate = save_new(
        form,
        lambda: IndicatorForm(request.POST, action=action, siblings=_siblings(action)),
        public=done.public,
    )
    if duplicate is not None:
        return _refused(request, action, key, duplicate, CONFLICT)
    message = _("Indicateur « %(label)s » ajouté.") % {"label": form.instance.label}
    if done.proposed:
        message = " ".join([message, str(AWAITING_INDICATOR)])
    return respond(request, action, SECTION, message=message, saved=key)


@editor_required
def change_indicator(request: HttpRequest, action: Action, code: str) -> HttpResponse:
    indicator = _indicator(action, code)
    key = f"indicator-{indicator.pk}"
    siblings = _siblings(action)
    # The definition as stored: validating the form changes `indicator` in memory.
    stored = Indicator.objects.get(pk=indicator.pk)
    form = IndicatorForm(request.POST, instance=indicator, action=action, siblings=siblings)
    if not form.is_valid():
        return _refused(request, action, key, form)
    write = indicator_values(request.user, stored, form.values())
    locked = save_unless_changed(
        Indicator,
        indicator.pk,
        form.cleaned_data["version"],
        public=write.public,
        keep_updated_at=not write.public,
        **write.values,
    )
    row = locked.row
    if locked.stale:
        retry = IndicatorForm(
            instance=row,
            action=action,
            siblings=siblings,
            initial={**_typed(request, form), "version": row.version},
        )
        retry.conflict = True
        return conflict_response(
            request, action, SECTION, row, row.label, forms={key: retry}, indicator=row.pk
        )
    if write.proposed and row.is_public:
        message = _(
            "Modification de l'indicateur « %(label)s » proposée : elle sera publiée après "
            "validation par un administrateur."
        ) % {"label": row.label}
    elif write.proposed:
        saved = _("Indicateur « %(label)s » enregistré.") % {"label": row.label}
        message = " ".join([saved, str(AWAITING_INDICATOR)])
    elif not write.public:
        message = _(
            "Indicateur « %(label)s » : sa définition publiée reste inchangée, plus rien n'attend "
            "de validation."
        ) % {"label": row.label}
    else:
        message = _("Indicateur « %(label)s » enregistré.") % {"label": row.label}
    return respond(request, action, SECTION, message=message, saved=key)


@editor_required
def retire_indicator(request: HttpRequest, action: Action, code: str) -> HttpResponse:
    indicator = _indicator(action, code)
    key = f"retire-{indicator.pk}"
    form = RetireForm(request.POST)
    if not form.is_valid():
        return _refused(request, action, key, form)
    retired_on = form.cleaned_data["retired_on"]
    locked = save_unless_changed(
        Indicator, indicator.pk, form.cleaned_data["version"], retired_on=retired_on
    )
    row = locked.row
    if locked.stale:
        retry = RetireForm(initial={"retired_on": retired_on, "version": row.version})
        retry.conflict = True
        return conflict_response(
            request, action, SECTION, row, row.label, forms={key: retry}, indicator=row.pk
        )
    return respond(
        request,
        action,
        SECTION,
        message=_(
            "Indicateur « %(label)s » retiré le %(date)s : il reste visible, avec ses valeurs "
            "et son historique."
        )
        % {"label": row.label, "date": day_text(retired_on)},
    )


@editor_required
def restore_indicator(request: HttpRequest, action: Action, code: str) -> HttpResponse:
    indicator = _indicator(action, code)
    key = f"restore-{indicator.pk}"
    form = VersionedForm(request.POST)
    if not form.is_valid():
        return _refused(request, action, key, form)
    locked = save_unless_changed(
        Indicator, indicator.pk, form.cleaned_data["version"], retired_on=None
    )
    row = locked.row
    if locked.stale:
        return conflict_response(request, action, SECTION, row, row.label, indicator=row.pk)
    return respond(
        request,
        action,
        SECTION,
        message=_("Indicateur « %(label)s » remis en service.") % {"label": row.label},
    )


# --- Its dated targets ------------------------------------------------------------------------


def _target(indicator: Indicator, pk: int) -> Target:
    return get_object_or_404(Target, pk=pk, indicator=indicator)


def _gone(request, action, indicator):
    """409: the target was removed by someone else since the page was read."""
    conflict = {"section": SECTION, "indicator": indicator.pk, "gone": True}
    return respond(request, action, SECTION, status=CONFLICT, conflict=conflict)


@editor_required
def add_target(request: HttpRequest, action: Action, code: str) -> HttpResponse:
    indicator = _indicator(action, code)
    key = f"target-new-{indicator.pk}"
    form = TargetForm(request.POST, indicator=indicator)
    if not form.is_valid():
        return _refused(request, action, key, form)
    # Someone may have set a target at that date since the form was validated.
    duplicate = save_new(form, lambda: TargetForm(request.POST, indicator=_indicator(action, code)))
    if duplicate is not None:
        return _refused(request, action, key, duplicate, CONFLICT)
    return respond(
        request,
        action,
        SECTION,
        message=_("Cible du %(date)s ajoutée à « %(label)s ».")
        % {"date": day_text(form.instance.on), "label": indicator.label},
        saved=key,
    )


@editor_required
def change_target(request: HttpRequest, action: Action, code: str, pk: int) -> HttpResponse:
    indicator = _indicator(action, code)
    target = _target(indicator, pk)
    key = f"target-{pk}"
    form = TargetForm(request.POST, instance=target, indicator=indicator)
    if not form.is_valid():
        return _refused(request, action, key, form)
    try:
        locked = save_unless_changed(Target, pk, form.cleaned_data["version"], **form.values())
    except Target.DoesNotExist:
        return _gone(request, action, indicator)
    except IntegrityError:
        # Someone set another target at that date since the form was validated: the form,
        # validated again, now says so.
        fresh = _indicator(action, code)
        again = TargetForm(request.POST, instance=_target(fresh, pk), indicator=fresh)
        again.is_valid()
        return _refused(request, action, key, again, CONFLICT)
    row = locked.row
    if locked.stale:
        retry = TargetForm(
            instance=row,
            indicator=indicator,
            initial={**_typed(request, form), "version": row.version},
        )
        retry.conflict = True
        return conflict_response(
            request, action, SECTION, row, row.value, forms={key: retry}, indicator=indicator.pk
        )
    return respond(
        request,
        action,
        SECTION,
        message=_("Cible du %(date)s de « %(label)s » enregistrée.")
        % {"date": day_text(row.on), "label": indicator.label},
        saved=key,
    )


@editor_required
def remove_target(request: HttpRequest, action: Action, code: str, pk: int) -> HttpResponse:
    indicator = _indicator(action, code)
    _target(indicator, pk)
    form = VersionedForm(request.POST)
    if not form.is_valid():
        return _refused(request, action, f"target-remove-{pk}", form)
    try:
        locked = delete_unless_changed(Target, pk, form.cleaned_data["version"])
    except Target.DoesNotExist:
        return _gone(request, action, indicator)
    row = locked.row
    if locked.stale:
        return conflict_response(request, action, SECTION, row, row.value, indicator=indicator.pk)
    return respond(
        request,
        action,
        SECTION,
        message=_("Cible du %(date)s retirée de « %(label)s ».")
        % {"date": day_text(row.on), "label": indicator.label},
    )
