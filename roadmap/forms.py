"""Forms of the task force's edits: validation with French messages next to each field.

Each form that changes an existing row carries the `version` it was read at; the edit views
compare it with the row's current version under a lock, so that nobody's save is silently lost.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .french import date_text, format_number, parse_decimal
from .models import Measurement, Milestone, ProgressNote, Status


class FrenchDecimalField(forms.DecimalField):
    """A number as people write it in France: « 70 000 », « 1 234,5 » or « 1234.5 », read as
    the spreadsheet import reads it (`roadmap.french.parse_decimal`)."""

    def to_python(self, value):
        if not isinstance(value, str):
            return super().to_python(value)
        try:
            return parse_decimal(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=1, **kwargs)


class VersionedForm(forms.Form):
    version = VersionField()

    def clean(self):
        cleaned = super().clean()
        if self.has_error("version"):
            # The version is a hidden field: its error would show nowhere.
            self.add_error(
                None, _("Ce formulaire est incomplet : rechargez la page et recommencez.")
            )
        return cleaned


class StatusForm(VersionedForm):
    status = forms.ChoiceField(
        label=_("Nouveau statut"),
        choices=[("", _("Choisir un statut")), *Status.choices],
        error_messages={
            "required": _("Choisissez un statut."),
            "invalid_choice": _("« %(value)s » n'est pas un statut possible."),
        },
    )


def not_in_future(value, message):
    if value and value > timezone.localdate():
        raise forms.ValidationError(message)
    return value


class MilestoneDoneForm(VersionedForm):
    """Tick a milestone as done on a date (today by default), or untick it."""

    done = forms.BooleanField(label=_("Réalisé"), required=False)
    done_on = forms.DateField(label=_("Réalisé le"), required=False, widget=DateInput)

    def __init__(self, *args, milestone: Milestone, **kwargs):
        self.milestone = milestone
        super().__init__(*args, **kwargs)

    def clean_done_on(self):
        return not_in_future(
            self.cleaned_data.get("done_on"),
            _("Un jalon ne peut pas être réalisé à une date future."),
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("done"):
            cleaned["done_on"] = None
            return cleaned
        done_on = cleaned.get("done_on") or timezone.localdate()
        start = self.milestone.action.start_date if self.milestone.action_id else None
        if start and done_on < start:
            self.add_error(
                "done_on",
                _("La date de réalisation précède le début de l'action (%(start)s).")
                % {"start": date_text(start)},
            )
        cleaned["done_on"] = done_on
        return cleaned


class MilestoneForm(forms.ModelForm):
    """A new milestone on an action."""

    class Meta:
        model = Milestone
        fields = ["title", "due_date"]
        widgets = {"due_date": DateInput}
        error_messages = {"title": {"required": _("Donnez un intitulé au jalon.")}}

    def __init__(self, *args, action, **kwargs):
        self.action = action
        super().__init__(*args, **kwargs)
        self.fields["due_date"].required = True
        self.fields["due_date"].error_messages["required"] = _("Indiquez l'échéance du jalon.")

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if self.action.milestones.filter(title=title).exists():
            raise forms.ValidationError(_("Cette action a déjà un jalon de ce nom."))
        return title

    def save(self, commit=True):
        self.instance.action = self.action
        self.instance.roadmap_id = self.action.roadmap_id
        return super().save(commit)


class RescheduleForm(VersionedForm):
    """Move a milestone's due date; the original one stays visible."""

    due_date = forms.DateField(
        label=_("Nouvelle échéance"),
        widget=DateInput,
        error_messages={"required": _("Indiquez la nouvelle échéance.")},
    )


class MeasurementForm(forms.ModelForm):
    value = FrenchDecimalField(
        label=_("Valeur"),
        max_digits=20,
        decimal_places=4,
        # A text input: a number input refuses « 70 000 » and « 1 234,5 » in the browser.
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "invalid": _("Saisissez un nombre, par exemple 70 000 ou 1 234,5."),
            "required": _("Saisissez la valeur mesurée."),
        },
    )

    class Meta:
        model = Measurement
        fields = ["date", "value", "source", "comment"]
        widgets = {"date": DateInput, "comment": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "date": {"required": _("Indiquez la date de la mesure.")},
            "source": {"required": _("La source est obligatoire : d'où vient ce chiffre ?")},
        }

    def __init__(self, *args, indicator, **kwargs):
        self.indicator = indicator
        super().__init__(*args, **kwargs)
        self.fields["source"].help_text = _("Par exemple : enquête DGOS auprès des universités.")

    def clean_date(self):
        return not_in_future(
            self.cleaned_data.get("date"), _("Une mesure ne peut pas être datée dans le futur.")
        )

    def clean_value(self):
        value = self.cleaned_data["value"]
        if value is not None and value < 0:
            raise forms.ValidationError(_("La valeur ne peut pas être négative."))
        return value

    def clean(self):
        cleaned = super().clean()
        date = cleaned.get("date")
        existing = (
            self.indicator.measurements.select_related("recorded_by").filter(date=date).first()
            if date
            else None
        )
        if existing is not None:
            author = existing.recorded_by
            author = author.display_name if author else None
            self.add_error(
                "date",
                _(
                    "Une valeur existe déjà à cette date : %(value)s (source : %(source)s%(by)s). "
                    "Choisissez une autre date ou demandez à un administrateur de la corriger."
                )
                % {
                    "value": format_number(existing.value, decimals=4),
                    "source": existing.source,
                    "by": f", {author}" if author else "",
                },
            )
        return cleaned

    def save(self, commit=True):
        self.instance.indicator = self.indicator
        return super().save(commit)


class ProgressNoteForm(forms.ModelForm):
    class Meta:
        model = ProgressNote
        fields = ["written_on", "done", "risks", "next_steps"]
        widgets = {
            "written_on": DateInput,
            "done": forms.Textarea(attrs={"rows": 3}),
            "risks": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "done": {"required": _("Décrivez ce qui a été fait.")},
            "written_on": {"required": _("Indiquez la date du point d'avancement.")},
        }

    def clean_written_on(self):
        return not_in_future(
            self.cleaned_data.get("written_on"),
            _("Un point d'avancement ne peut pas être daté dans le futur."),
        )


def edit_forms(action, milestones, indicators, overrides: dict, saved: str | None = None) -> dict:
    """The edit forms of the action page, blank and at the current versions.

    `overrides` maps a form's key (« status », « done-<pk> », « reschedule-<pk> »,
    « milestone », « measurement-<code> », « note ») to a form to show instead: a bound
    form with its errors, or a retry form after a conflict. Each form gets its own HTML ids,
    since one page holds a form per milestone and per indicator: `milestones` and `indicators`
    pair each summary with its forms, in the page's order. The form of key `saved` was just
    saved: it comes back blank, marked `just_saved`.
    """
    today = timezone.localdate()

    def pick(key, make):
        form = overrides.get(key) or make()
        form.just_saved = key == saved
        return form

    milestone_forms = []
    for item in milestones:
        milestone = item.milestone
        done = pick(
            f"done-{milestone.pk}",
            lambda m=milestone: MilestoneDoneForm(
                milestone=m,
                initial={"done": not m.is_done, "done_on": today, "version": m.version},
            ),
        )
        done.auto_id = f"id_done{milestone.pk}_%s"
        reschedule = pick(
            f"reschedule-{milestone.pk}",
            lambda m=milestone: RescheduleForm(
                initial={"due_date": m.due_date, "version": m.version}
            ),
        )
        reschedule.auto_id = f"id_reschedule{milestone.pk}_%s"
        milestone_forms.append((item, {"done": done, "reschedule": reschedule}))

    measurement_forms = []
    for item in indicators:
        indicator = item.indicator
        form = pick(
            f"measurement-{indicator.code}",
            lambda i=indicator: MeasurementForm(indicator=i, initial={"date": today}),
        )
        form.auto_id = f"id_measure{indicator.pk}_%s"
        measurement_forms.append((item, form))

    status = pick(
        "status",
        lambda: StatusForm(initial={"status": action.status, "version": action.version}),
    )
    status.auto_id = "id_status_%s"
    milestone = pick("milestone", lambda: MilestoneForm(action=action))
    milestone.auto_id = "id_new_milestone_%s"
    note = pick("note", lambda: ProgressNoteForm(initial={"written_on": today}))
    note.auto_id = "id_note_%s"
    return {
        "status": status,
        "milestone": milestone,
        "note": note,
        "milestones": milestone_forms,
        "indicators": measurement_forms,
    }
