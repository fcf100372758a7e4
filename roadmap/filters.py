"""The filters and sort orders that readers set in the URL.

Each is a plain GET form, so a filtered or sorted view is a link that can be shared and works
without JavaScript; HTMX only spares the reload. Parameter names and values are French and
stable: `?axe=2&statut=in_progress&organisation=HAS`, `?tri=avancement&ordre=desc`.
A value that is not one of the choices makes the form invalid: the view answers 400 with the
form's French message and ignores that parameter.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation

from .models import STATUS_UNSET_LABEL, Action, Axis, Status
from .overview import DEFAULT_SORT, SORT_KEYS
from .summaries import axis_label

# The status filter's value for actions whose status nobody has declared yet.
STATUS_UNSET = "non-renseigne"

ASCENDING = "asc"
DESCENDING = "desc"


class ActionFilters(forms.Form):
    """Filters of the dashboard's list of actions: axis, declared status, organisation."""

    axe = forms.TypedChoiceField(label=_("Axe"), required=False, coerce=int, empty_value=None)
    statut = forms.ChoiceField(label=_("Statut"), required=False)
    organisation = forms.ChoiceField(label=_("Organisation pilote ou partenaire"), required=False)

    def __init__(self, data, *, axes: list[Axis], organisations: list[Organisation]):
        super().__init__(data, auto_id="filtre-%s")
        self.axes = {axis.number: axis for axis in axes}
        self.fields["axe"].choices = [
            ("", _("Tous les axes")),
            *((axis.number, axis_label(axis)) for axis in axes),
        ]
        self.fields["statut"].choices = [
            ("", _("Tous les statuts")),
            *Status.choices,
            (STATUS_UNSET, STATUS_UNSET_LABEL),
        ]
        self.fields["organisation"].choices = [
            ("", _("Toutes les organisations")),
            *((organisation.acronym, organisation.display_name) for organisation in organisations),
        ]
        self.is_valid()  # fills `cleaned_data` with the valid values, `errors` with the others

    def value(self, name: str):
        return self.cleaned_data.get(name) or None

    @property
    def active(self) -> list[dict]:
        """The filters in force, each with the URL of the same view without it (a plain link)."""
        labels = {name: dict(self.fields[name].choices) for name in self.fields}
        active = []
        for name in self.fields:
            value = self.value(name)
            if value is None:
                continue
            others = {n: self.value(n) for n in self.fields if n != name and self.value(n)}
            active.append(
                {
                    "name": name,
                    # « Axe 2 – Prise en charge » says it is an axis already.
                    "label": "" if name == "axe" else self.fields[name].label,
                    "value": labels[name].get(value, value),
                    "without": _query_string(others),
                }
            )
        return active

    def apply(self, actions: QuerySet[Action]) -> QuerySet[Action]:
        number = self.value("axe")
        if number is not None:
            actions = actions.filter(axis__number=number)
        status = self.value("statut")
        if status == STATUS_UNSET:
            actions = actions.filter(status="")
        elif status is not None:
            actions = actions.filter(status=status)
        acronym = self.value("organisation")
        if acronym is not None:
            partnered = Action.partners.through.objects.filter(
                organisation__acronym=acronym
            ).values("action_id")
            actions = actions.filter(Q(lead__acronym=acronym) | Q(pk__in=partnered))
        return actions


def _query_string(values: dict) -> str:
    # "./" rather than "?": the same page with no parameter at all.
    return "?" + urlencode(values) if values else "./"


class IndicatorSort(forms.Form):
    """The sort order of the indicators page."""

    tri = forms.ChoiceField(
        label=_("Trier par"),
        required=False,
        choices=[
            ("action", _("Action")),
            ("indicateur", _("Indicateur")),
            ("avancement", _("Avancement")),
            ("echeance", _("Date cible")),
        ],
    )
    ordre = forms.ChoiceField(
        label=_("Ordre"),
        required=False,
        choices=[(ASCENDING, _("Croissant")), (DESCENDING, _("Décroissant"))],
    )

    def __init__(self, data):
        super().__init__(data, auto_id="tri-%s")
        self.is_valid()

    @property
    def key(self) -> str:
        key = self.cleaned_data.get("tri") or DEFAULT_SORT
        return key if key in SORT_KEYS else DEFAULT_SORT

    @property
    def descending(self) -> bool:
        return self.cleaned_data.get("ordre") == DESCENDING

    def link(self, key: str) -> str:
        """The URL that sorts by `key`: ascending, or reversed when already sorted by it."""
        descending = key == self.key and not self.descending
        return _query_string({"tri": key, "ordre": DESCENDING if descending else ASCENDING})
