"""Forms of the task force's edits: validation with French messages next to each field.

Each form that changes an existing row carries the `version` it was read at; the edit views
compare it with the row's current version under a lock, so that nobody's save is silently lost.
Besides status, milestones, measurements and notes: the indicators a member keeps (definition,
dated targets, retirement) and, for administrators, an action's pilots (docs/domain.md).
"""

from __future__ import annotations

import re

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation

from . import progress
from .french import date_text, format_date, format_number, parse_decimal
from .inputs import InputPolicyForm
from .models import (
    MAX_PERIOD_COUNT,
    ActionReadiness,
    Indicator,
    Kind,
    Measurement,
    Milestone,
    Periodicity,
    ProgressNote,
    Report,
    Status,
    Target,
)

# An indicator's code goes into URLs and files: letters, digits, dashes, dots, underscores.
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def day_text(value) -> str:
    """A day as the pages write it (« 31 août 2026 »), and « 1er » for the first of a month in
    French, as French typography writes it."""
    return format_date(value)


def period_text(start, end) -> str:
    """« du 1er septembre 2025 au 31 août 2026 »."""
    return str(_("du %(start)s au %(end)s") % {"start": day_text(start), "end": day_text(end)})


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


class VersionedForm(InputPolicyForm, forms.Form):
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


class MilestoneForm(InputPolicyForm, forms.ModelForm):
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


class MeasurementForm(InputPolicyForm, forms.ModelForm):
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
        if indicator.periodicity and indicator.periods_from:
            self.fields["date"].help_text = self._period_help()

    def _period_help(self) -> str:
        """Which period the form's date falls in: a value counts for that period only."""
        day = None
        if self.is_bound:
            try:
                day = self.fields["date"].to_python(self.data.get(self.add_prefix("date")))
            except forms.ValidationError:
                day = None
        else:
            day = self.initial.get("date")
        if day is None:
            return str(_("La valeur compte pour la période qui contient sa date."))
        periods = progress.span(
            self.indicator.periodicity,
            self.indicator.periods_from,
            self.indicator.period_count,
            max(day, timezone.localdate()),
        )
        start, end = progress.period_containing(self.indicator.periodicity, day)
        if day < periods[0][0] or day > periods[-1][1]:
            return str(
                _(
                    "Le %(date)s est hors des périodes suivies (%(span)s) : "
                    "la valeur ne compterait pour aucune période."
                )
                % {"date": day_text(day), "span": period_text(periods[0][0], periods[-1][1])}
            )
        return str(
            _(
                "La valeur compte pour la période qui contient sa date : au %(date)s, "
                "la période %(period)s."
            )
            % {"date": day_text(day), "period": period_text(start, end)}
        )

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
        source = self.indicator.summed_from
        if source is not None:
            # A sum adds up its source's periods: a value of its own would count for nothing.
            self.add_error(
                "value",
                _(
                    "Cet indicateur est la somme des périodes de « %(label)s » (%(code)s) : "
                    "saisissez la valeur de la période dans ce dernier."
                )
                % {"label": source.label, "code": source.code},
            )
        elif self.indicator.is_retired:
            self.add_error(
                "value",
                _("Cet indicateur est retiré : remettez-le en service pour saisir une valeur."),
            )
        date = cleaned.get("date")
        existing = (
            self.indicator.measurements.select_related("recorded_by")
            .filter(date=date)
            # A correction of a returned value may keep its own date.
            .exclude(pk=self.instance.pk)
            .first()
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


class ProgressNoteForm(InputPolicyForm, forms.ModelForm):
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


# --- Review before publication (docs/domain.md « Relecture ») -----------------------------


def correction_forms(measurements, notes, overrides: dict) -> dict:
    """The forms correcting each measurement awaiting review or returned, and each returned
    note, at the version it was read at; a bound form of `overrides` (refused, in conflict)
    in place of the blank one. Keyed as the correction views name them."""
    found = {}
    for measurement in measurements:
        key = f"correct-mesure-{measurement.pk}"
        form = overrides.get(key) or MeasurementForm(
            instance=measurement, indicator=measurement.indicator
        )
        _versioned(form, measurement.version)
        form.auto_id = f"id_correct_measure{measurement.pk}_%s"
        found[key] = form
    for note in notes:
        key = f"correct-point-{note.pk}"
        form = overrides.get(key) or ProgressNoteForm(instance=note)
        _versioned(form, note.version)
        form.auto_id = f"id_correct_note{note.pk}_%s"
        found[key] = form
    return found


def correction_form(form_class, data, instance, **kwargs):
    """A bound correction form (a measurement's or a note's) with its hidden version."""
    form = form_class(data, instance=instance, **kwargs)
    _versioned(form, instance.version)
    return form


class ReviewForm(InputPolicyForm, forms.Form):
    """A reviewer's decision on one proposal or a selection (`/a-valider/`): publish, or
    return with a comment (required: the member must know what to correct)."""

    PUBLISH = "publish"
    RETURN = "return"

    decision = forms.ChoiceField(
        choices=[(PUBLISH, _("Publier")), (RETURN, _("Renvoyer"))],
        error_messages={
            "required": _("Choisissez de publier ou de renvoyer."),
            "invalid_choice": _("« %(value)s » n'est pas une décision possible."),
        },
    )
    comment = forms.CharField(
        label=_("Commentaire pour l'auteur"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obligatoire pour renvoyer : ce qu'il faut corriger."),
    )

    def __init__(self, *args, items: list[str], **kwargs):
        # `items`: the "key:version" of each proposal the decision is about, as posted.
        self.items = items
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if not self.items:
            self.add_error(None, _("Cochez au moins une proposition."))
        parsed = []
        for raw in self.items:
            kind, _sep, rest = raw.partition("-")
            pk, _sep, version = rest.partition(":")
            if not (kind and pk.isdigit() and version.isdigit()):
                self.add_error(
                    None,
                    _("Proposition inconnue : « %(item)s ».") % {"item": raw[:40]},
                )
                continue
            parsed.append((kind, int(pk), int(version)))
        cleaned["parsed"] = parsed
        if cleaned.get("decision") == self.RETURN and not (cleaned.get("comment") or "").strip():
            self.add_error(
                "comment", _("Dites à l'auteur ce qu'il faut corriger avant de renvoyer.")
            )
        return cleaned


# --- The indicators a member keeps ------------------------------------------------------------

NUMBER_INVALID = _("Saisissez un nombre, par exemple 70 000 ou 1 234,5.")


def not_negative(value):
    if value is not None and value < 0:
        raise forms.ValidationError(_("La valeur ne peut pas être négative."))


def amount_field(label, *, required: bool, required_message=None, help_text="") -> forms.Field:
    """A value of an indicator (baseline, target), typed as French people do."""
    messages = {"invalid": NUMBER_INVALID}
    if required_message:
        messages["required"] = required_message
    return FrenchDecimalField(
        label=label,
        required=required,
        max_digits=20,
        decimal_places=4,
        help_text=help_text,
        validators=[not_negative],
        # A text input: a number input refuses « 70 000 » and « 1 234,5 » in the browser.
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages=messages,
    )


def _model_help(name: str) -> str:
    return Indicator._meta.get_field(name).help_text


def _versioned(form: forms.BaseForm, version: int | None) -> None:
    """Give `form` the hidden version it was read at (`VersionedForm`'s, for a ModelForm)."""
    form.fields["version"] = VersionField()
    form.initial.setdefault("version", version)


def _check_version(form: forms.BaseForm) -> None:
    if "version" in form.fields and form.has_error("version"):
        # The version is a hidden field: its error would show nowhere.
        form.add_error(None, _("Ce formulaire est incomplet : rechargez la page et recommencez."))


class IndicatorForm(InputPolicyForm, forms.ModelForm):
    """An indicator's definition: added to an action (its code proposed from the action's), or
    changed, at the `version` it was read at (its code then stays: files refer to it).

    `siblings` are the action's indicators: a cumulative one may be the sum of one of them that
    is per period (docs/domain.md « Périodes »), and none may stop being per period while
    another one sums it.
    """

    label = forms.CharField(
        label=_("Intitulé"),
        max_length=500,
        error_messages={"required": _("Donnez un intitulé à l'indicateur.")},
    )
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[("", _("Choisir un type")), *Kind.choices],
        error_messages={
            "required": _("Choisissez un type."),
            "invalid_choice": _("« %(value)s » n'est pas un type possible."),
        },
    )
    direction = forms.ChoiceField(
        label=_("Sens"),
        choices=Indicator._meta.get_field("direction").choices,
        initial=progress.HIGHER,
        error_messages={
            "required": _("Choisissez le sens."),
            "invalid_choice": _("« %(value)s » n'est pas un sens possible."),
        },
    )
    baseline_value = amount_field(_("Valeur initiale"), required=False)
    target_value = amount_field(
        _("Cible finale"), required=True, required_message=_("Indiquez la cible finale.")
    )
    periodicity = forms.ChoiceField(
        label=_("Périodicité"),
        required=False,
        choices=[("", _("Aucune : l'indicateur n'est pas par période")), *Periodicity.choices],
        help_text=_model_help("periodicity"),
        error_messages={"invalid_choice": _("« %(value)s » n'est pas une périodicité possible.")},
    )
    period_count = forms.IntegerField(
        label=_("Nombre de périodes"),
        required=False,
        min_value=1,
        max_value=MAX_PERIOD_COUNT,
        help_text=_model_help("period_count"),
        error_messages={
            "invalid": _("Saisissez un nombre entier de périodes."),
            "min_value": _("Le nombre de périodes va de 1 à 600."),
            "max_value": _("Le nombre de périodes va de 1 à 600."),
        },
    )
    summed_from = forms.ChoiceField(
        label=_("Somme de"),
        required=False,
        help_text=_model_help("summed_from"),
        error_messages={
            "invalid_choice": _("Choisissez un indicateur par période de la même action.")
        },
    )

    class Meta:
        model = Indicator
        fields = [
            "label",
            "code",
            "unit",
            "kind",
            "direction",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "periodicity",
            "periods_from",
            "period_count",
            "summed_from",
            "source",
            "interpretation",
        ]
        labels = {"target_date": _("Date de la cible finale")}
        widgets = {
            "baseline_date": DateInput,
            "target_date": DateInput,
            "periods_from": DateInput,
            "source": forms.Textarea(attrs={"rows": 2}),
            "interpretation": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "code": {"required": _("Donnez un code à l'indicateur.")},
            "unit": {"required": _("Indiquez l'unité, par exemple : apprenants, €, parcours.")},
        }

    def __init__(self, *args, action, siblings, **kwargs):
        given = kwargs.get("initial") or {}
        super().__init__(*args, **kwargs)
        self.action = action
        adding = self.instance.pk is None
        self.siblings = [item for item in siblings if item.pk != self.instance.pk]
        self.sources = [item for item in self.siblings if item.kind == progress.PER_PERIOD]
        self.fields["summed_from"].choices = [
            ("", _("Aucun : mesuré à part")),
            *((item.code, f"{item.code} – {item.label}") for item in self.sources),
        ]
        if adding:
            self.instance.action = action
            self.instance.roadmap_id = action.roadmap_id
            self.fields["code"].help_text = _(
                "Unique dans la feuille de route ; il ne change plus ensuite (les fichiers "
                "ouverts s'y réfèrent)."
            )
            self.initial.setdefault("code", self.proposed_code())
        else:
            del self.fields["code"]
            _versioned(self, self.instance.version)
            source = self.instance.summed_from_id
            if source is not None and self.initial.get("summed_from") == source:
                # The model gives the source's id; the form names it by its code.
                self.initial["summed_from"] = self.instance.summed_from.code
            self._show_proposal(given)

    def _show_proposal(self, given: dict) -> None:
        """A change awaiting review (or returned) is what the form shows, to be corrected or
        published: the published definition stays on the page's figures."""
        codes = {item.pk: item.code for item in self.siblings}
        for name, value in self.instance.proposed_change().items():
            if name == "summed_from_id":
                name, value = "summed_from", codes.get(value, "")
            if name not in given:
                self.initial[name] = value

    def proposed_code(self) -> str:
        """The action's code without its spaces and the next free number: « IA2-4-3 »."""
        prefix = "".join(self.action.code.split())
        taken = {item.code for item in self.siblings}
        number = len(self.siblings) + 1
        while f"{prefix}-{number}" in taken:
            number += 1
        return f"{prefix}-{number}"

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not _CODE.match(code):
            raise forms.ValidationError(
                _(
                    "Un code ne contient que des lettres sans accent, des chiffres, des tirets, "
                    "des points et des tirets bas, par exemple IA2-4-GUIDES."
                )
            )
        taken = (
            Indicator.objects.filter(roadmap_id=self.action.roadmap_id, code=code)
            .select_related("action")
            .first()
        )
        if taken is not None:
            raise forms.ValidationError(
                _("Ce code est déjà celui de « %(label)s » (action %(action)s).")
                % {"label": taken.label, "action": taken.action.code}
            )
        return code

    def clean_label(self):
        return self.cleaned_data["label"].strip()

    def clean_summed_from(self):
        code = self.cleaned_data.get("summed_from")
        return next((item for item in self.sources if item.code == code), None)

    def clean(self):
        cleaned = super().clean()
        _check_version(self)
        kind = cleaned.get("kind")
        if kind == progress.PER_PERIOD:
            if not cleaned.get("periodicity") and not self.has_error("periodicity"):
                self.add_error(
                    "periodicity", _("Un indicateur par période a une périodicité : choisissez-la.")
                )
            if cleaned.get("periods_from") is None and not self.has_error("periods_from"):
                self.add_error("periods_from", _("Indiquez une date de la première période."))
        elif kind:
            for name, message in (
                ("periodicity", _("Seul un indicateur par période a une périodicité.")),
                ("periods_from", _("Seul un indicateur par période a une première période.")),
                ("period_count", _("Seul un indicateur par période a un nombre de périodes.")),
            ):
                if cleaned.get(name) not in (None, ""):
                    self.add_error(name, message)
            sums = [item for item in self.siblings if item.summed_from_id == self.instance.pk]
            if self.instance.pk is not None and sums:
                self.add_error(
                    "kind",
                    _("« %(label)s » est la somme de cet indicateur : il reste par période.")
                    % {"label": sums[0].label},
                )
        if cleaned.get("summed_from") is not None and kind and kind != progress.CUMULATIVE:
            self.add_error(
                "summed_from", _("Seul un indicateur cumulatif peut être la somme d'un autre.")
            )
        baseline, target = cleaned.get("baseline_date"), cleaned.get("target_date")
        if baseline and target and target <= baseline:
            self.add_error("target_date", _("La date cible doit suivre la date initiale."))
        return cleaned

    def save(self, commit=True):
        if self.instance.pk is None:
            self.instance.position = max((item.position for item in self.siblings), default=0) + 1
        return super().save(commit)

    def values(self) -> dict:
        """The definition as cleaned, field by field, for `save_unless_changed`."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}


class RetireForm(VersionedForm):
    """Retire an indicator on a date (today by default): no longer followed, never deleted."""

    retired_on = forms.DateField(
        label=_("Retiré le"),
        widget=DateInput,
        error_messages={"required": _("Indiquez la date du retrait.")},
    )

    def clean_retired_on(self):
        return not_in_future(
            self.cleaned_data.get("retired_on"),
            _("Un indicateur ne peut pas être retiré à une date future."),
        )


class TargetForm(InputPolicyForm, forms.ModelForm):
    """A dated target of an indicator, besides its final one: an intermediate step of the
    trajectory, or for a per-period indicator the own target of the period containing its
    date (docs/domain.md « Cibles »). Changed at the `version` it was read at."""

    value = amount_field(
        _("Valeur visée"), required=True, required_message=_("Indiquez la valeur de la cible.")
    )

    class Meta:
        model = Target
        fields = ["on", "value", "source", "interpretation"]
        widgets = {
            "on": DateInput,
            "source": forms.Textarea(attrs={"rows": 2}),
            "interpretation": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {"on": {"required": _("Indiquez la date de la cible.")}}

    def __init__(self, *args, indicator: Indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        if self.instance.pk is None:
            self.instance.indicator = indicator
        else:
            _versioned(self, self.instance.version)
        self.per_period = bool(indicator.periodicity and indicator.periods_from)
        if self.per_period:
            self.fields["on"].label = _("Une date de la période")
            self.fields["on"].help_text = _(
                "La cible vaut pour toute la période qui contient cette date, au lieu de la "
                "cible de chaque période."
            )
        else:
            self.fields["on"].label = _("Date")
            self.fields["on"].help_text = _("Une étape de la trajectoire, avant la cible finale.")

    def clean(self):
        cleaned = super().clean()
        _check_version(self)
        on = cleaned.get("on")
        if on is None:
            return cleaned
        indicator = self.indicator
        others = [item for item in indicator.targets.all() if item.pk != self.instance.pk]
        if indicator.baseline_date and on <= indicator.baseline_date:
            self.add_error(
                "on",
                _("La date d'une cible doit suivre la date initiale (%(date)s).")
                % {"date": day_text(indicator.baseline_date)},
            )
        elif self.per_period:
            self._check_period(on, others)
        else:
            if indicator.target_date and on >= indicator.target_date:
                self.add_error(
                    "on",
                    _(
                        "Une cible intermédiaire précède la cible finale (%(date)s) ; la cible "
                        "finale se change dans la définition de l'indicateur."
                    )
                    % {"date": day_text(indicator.target_date)},
                )
            same = next((item for item in others if item.on == on), None)
            if same is not None:
                self.add_error(
                    "on",
                    _("Une cible existe déjà à cette date : %(value)s.")
                    % {"value": format_number(same.value, decimals=4)},
                )
        return cleaned

    def _check_period(self, on, others) -> None:
        indicator = self.indicator
        periodicity = indicator.periodicity
        periods = progress.span(periodicity, indicator.periods_from, indicator.period_count, on)
        if on < periods[0][0]:
            self.add_error(
                "on",
                _("Cette date précède la première période (%(period)s).")
                % {"period": period_text(*periods[0])},
            )
            return
        if indicator.period_count is not None and on > periods[-1][1]:
            self.add_error(
                "on",
                _("Cette date suit la dernière période (%(period)s).")
                % {"period": period_text(*periods[-1])},
            )
            return
        period = progress.period_containing(periodicity, on)
        same = next(
            (item for item in others if progress.period_containing(periodicity, item.on) == period),
            None,
        )
        if same is not None:
            self.add_error(
                "on",
                _("La période %(period)s a déjà sa propre cible : %(value)s.")
                % {"period": period_text(*period), "value": format_number(same.value, decimals=4)},
            )

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


# --- An action's pilots (administrators) ------------------------------------------------------


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class OrganisationsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class PilotsForm(VersionedForm):
    """The lead organisation of an action (or none: « Pilote à désigner ») and its partners."""

    lead = OrganisationChoiceField(
        label=_("Pilote"),
        queryset=Organisation.objects.order_by("acronym"),
        required=False,
        empty_label=_("Pilote à désigner"),
        error_messages={"invalid_choice": _("Choisissez une organisation de la liste.")},
    )
    partners = OrganisationsChoiceField(
        label=_("Partenaires"),
        queryset=Organisation.objects.order_by("acronym"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Choisissez des organisations de la liste."),
            "invalid_pk_value": _("Choisissez des organisations de la liste."),
        },
    )

    def clean(self):
        cleaned = super().clean()
        lead, partners = cleaned.get("lead"), cleaned.get("partners")
        if lead is not None and partners is not None and lead in partners:
            self.add_error(
                "partners",
                _("Le pilote ne peut pas être aussi partenaire : décochez %(acronym)s.")
                % {"acronym": lead.acronym},
            )
        return cleaned


def edit_forms(
    action, milestones, indicators, overrides: dict, saved: str | None = None, retired=()
) -> dict:
    """The edit forms of the action page, blank and at the current versions.

    `overrides` maps a form's key (« status », « done-<pk> », « reschedule-<pk> »,
    « milestone », « measurement-<code> », « note », « pilots », « indicator-new »,
    « indicator-<pk> », « retire-<pk> », « restore-<pk> », « target-new-<indicator pk> »,
    « target-<pk> », « target-remove-<pk> ») to a form to show instead: a bound form with its
    errors, or a retry form after a conflict. Each form gets its own HTML ids, since one page
    holds a form per milestone and per indicator: `milestones` and `indicators` pair each
    summary with its forms, in the page's order. The form of key `saved` was just saved: it
    comes back blank, marked `just_saved`. `retired` are the summaries of the retired
    indicators: they keep their forms (to put them back), and a value refused on one of them
    shows its measurement form with the refusal. Nothing here reads the database: the forms use what
    the page has fetched (an indicator's targets, the action's partners), and the pilots' form
    reads the organisations only when it is shown (to administrators).
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
    refused = [item for item in retired if f"measurement-{item.indicator.code}" in overrides]
    for item in [*indicators, *refused]:
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
        **indicator_forms(action, [*indicators, *retired], pick, today),
        "pilots": pilots_form(action, pick),
    }


def indicator_forms(action, indicators, pick, today) -> dict:
    """The forms that keep the action's indicators: for each one its definition, its dated
    targets (each changed or removed, and a new one), its retirement or return; and a new
    indicator. `pick` is `edit_forms`'s."""
    siblings = [item.indicator for item in indicators]
    rows = []
    for item in indicators:
        indicator = item.indicator
        pk = indicator.pk
        definition = pick(
            f"indicator-{pk}",
            lambda i=indicator: IndicatorForm(instance=i, action=action, siblings=siblings),
        )
        definition.auto_id = f"id_indicator{pk}_%s"
        retire = pick(
            f"retire-{pk}",
            lambda i=indicator: RetireForm(initial={"retired_on": today, "version": i.version}),
        )
        retire.auto_id = f"id_retire{pk}_%s"
        restore = pick(
            f"restore-{pk}", lambda i=indicator: VersionedForm(initial={"version": i.version})
        )
        restore.auto_id = f"id_restore{pk}_%s"
        targets = []
        for target in indicator.targets.all():
            change = pick(
                f"target-{target.pk}",
                lambda t=target, i=indicator: TargetForm(instance=t, indicator=i),
            )
            change.auto_id = f"id_target{target.pk}_%s"
            remove = pick(
                f"target-remove-{target.pk}",
                lambda t=target: VersionedForm(initial={"version": t.version}),
            )
            remove.auto_id = f"id_target_remove{target.pk}_%s"
            targets.append((target, {"change": change, "remove": remove}))
        new_target = pick(f"target-new-{pk}", lambda i=indicator: TargetForm(indicator=i))
        new_target.auto_id = f"id_new_target{pk}_%s"
        rows.append(
            (
                item,
                {
                    "definition": definition,
                    "retire": retire,
                    "restore": restore,
                    "targets": targets,
                    "target": new_target,
                },
            )
        )
    new = pick("indicator-new", lambda: IndicatorForm(action=action, siblings=siblings))
    new.auto_id = "id_new_indicator_%s"
    return {"indicator_rows": rows, "indicator": new}


def pilots_form(action, pick) -> PilotsForm:
    form = pick(
        "pilots",
        lambda: PilotsForm(
            initial={
                "lead": action.lead_id,
                "partners": [partner.pk for partner in action.partners.all()],
                "version": action.version,
            }
        ),
    )
    form.auto_id = "id_pilots_%s"
    return form


# --- Council reports (docs/domain.md « Rapports au Conseil ») ---------------------------------


class ReportForm(InputPolicyForm, forms.Form):
    """An administrator opens the report of a council session."""

    meeting_date = forms.DateField(
        label=_("Date de la séance"),
        widget=DateInput,
        error_messages={
            "required": _("Indiquez la date de la séance."),
            "invalid": _("Saisissez une date, par exemple 12/03/2026."),
        },
    )
    title = forms.CharField(
        label=_("Titre"),
        required=False,
        max_length=255,
        help_text=_(
            "Facultatif : par défaut, « Séance du Conseil du numérique en santé du » et la date."
        ),
    )
    deadline = forms.DateField(
        label=_("Date limite des mises à jour"),
        required=False,
        widget=DateInput,
        error_messages={"invalid": _("Saisissez une date, par exemple 05/03/2026.")},
        help_text=_("Facultatif : le jour où les pilotes doivent avoir mis à jour leurs actions."),
    )

    def __init__(self, *args, slug_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.slug_of = slug_of

    def clean(self):
        cleaned = super().clean()
        meeting, deadline = cleaned.get("meeting_date"), cleaned.get("deadline")
        if meeting and deadline and deadline > meeting:
            self.add_error(
                "deadline", _("La date limite des mises à jour doit précéder la séance.")
            )
        if meeting and self.slug_of and Report.objects.filter(slug=self.slug_of(meeting)).exists():
            self.add_error(
                "meeting_date",
                _("Un rapport existe déjà pour la séance du %(date)s.")
                % {"date": day_text(meeting)},
            )
        return cleaned


DECISIONS_MAX = 5000


class ReadinessForm(InputPolicyForm, forms.ModelForm):
    """A pilot marks an action « à jour pour la séance », with the decisions asked of the
    council; `version` is that of the mark when it exists (the decisions are then changed)."""

    version = VersionField(required=False)

    class Meta:
        model = ActionReadiness
        fields = ["decisions"]
        widgets = {"decisions": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        decisions = self.fields["decisions"]
        decisions.validators += [
            MaxLengthValidator(
                DECISIONS_MAX, _("Les décisions demandées tiennent en 5 000 caractères au plus.")
            ),
        ]
