"""Widgets: one column's value, from a cell to Python and back, and `References`, what a
sheet's foreign keys point to. `render` returns native values (date, int or Decimal, text);
each writer (xlsx, CSV, JSON) formats them its own way (`roadmap.spreadsheets.writing`)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export import widgets

from accounts.models import Organisation
from roadmap.french import fold, parse_date, parse_decimal, plain_number
from roadmap.inputs import check_text
from roadmap.models import Action, Axis, Indicator, Roadmap

from .cells import cell_text, clean_code


class TextWidget(widgets.Widget):
    """Free text, trimmed, with Windows line breaks made plain; what the input policy refuses
    (`roadmap.inputs`: control characters, beyond a workbook cell's length) is refused; a
    column's own `max_length` is checked by the model's validation."""

    def __init__(self, *, code: bool = False):
        super().__init__()
        self.code = code

    def clean(self, value, row=None, **kwargs) -> str:
        text = check_text(cell_text(value)).strip()
        if self.code:
            text = " ".join(text.split())
        return text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class DecimalWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> Decimal | None:
        return parse_decimal(value)

    def render(self, value, obj=None, **kwargs):
        return plain_number(value)


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> date | None:
        return parse_date(value)

    def render(self, value, obj=None, **kwargs):
        return value


class CountWidget(widgets.Widget):
    """A whole number from `minimum` to `maximum` (a number of periods), or empty."""

    def __init__(self, minimum: int, maximum: int):
        super().__init__()
        self.minimum, self.maximum = minimum, maximum

    def clean(self, value, row=None, **kwargs) -> int | None:
        try:
            number = parse_decimal(value)
        except ValueError:
            number = Decimal("NaN")
        if number is None:
            return None
        if not number.is_finite() or number != number.to_integral_value():
            raise ValueError(self.message())
        if not self.minimum <= number <= self.maximum:
            raise ValueError(self.message())
        return int(number)

    def message(self) -> str:
        return _("Nombre entier de %(minimum)d à %(maximum)d attendu.") % {
            "minimum": self.minimum,
            "maximum": self.maximum,
        }

    def render(self, value, obj=None, **kwargs):
        return value


class ChoiceWidget(widgets.Widget):
    """A status, kind, direction or periodicity, by its French label or its code, in any case or
    accents; a label's words before a parenthesis are enough (« Année universitaire »).

    Exports write the French label: the workbook's format is French whatever the admin's language.
    """

    def __init__(self, choices, *, blank_labels=()):
        super().__init__()
        self.choices = choices
        self.blank_labels = blank_labels
        self._lookups: dict[str | None, dict[str, str]] = {}

    def french_labels(self) -> list[str]:
        with translation.override("fr"):
            return [str(label) for label in self.choices.labels]

    def lookup(self) -> dict[str, str]:
        """The codes by folded label or code, built once per language (it holds the labels
        in the reader's language too), not once per cell."""
        language = translation.get_language()
        if language not in self._lookups:
            self._lookups[language] = self._build_lookup()
        return self._lookups[language]

    def _build_lookup(self) -> dict[str, str]:
        table = {fold(label): "" for label in self.blank_labels}
        with translation.override("fr"):
            table.update({fold(str(label)): "" for label in self.blank_labels})
        for code, label in zip(self.choices.values, self.french_labels(), strict=True):
            table[fold(code)] = code
            table[fold(label)] = code
            short = label.split(" (")[0]
            table.setdefault(fold(short), code)
        for code, label in self.choices.choices:  # labels in the reader's language too
            table.setdefault(fold(label), code)
        return table

    def clean(self, value, row=None, **kwargs) -> str:
        text = cell_text(value).strip()
        if not text:
            return ""
        code = self.lookup().get(fold(text))
        if code is None:
            raise ValueError(
                _("Valeur non reconnue. Valeurs possibles : %(choices)s.")
                % {"choices": ", ".join(self.french_labels())}
            )
        return code

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        with translation.override("fr"):
            return str(self.choices(value).label)


class References:
    """What a sheet refers to, found by natural key within one roadmap.

    Each table is read once, when first needed: a sheet is checked after the sheets it depends
    on were written (inside the import's transaction), so it sees the actions they created.
    """

    def __init__(self, roadmap: Roadmap | None):
        self.roadmap = roadmap

    @cached_property
    def axes(self) -> dict[int, Axis]:
        return {axis.number: axis for axis in Axis.objects.filter(roadmap=self.roadmap)}

    @cached_property
    def organisations(self) -> dict[str, Organisation]:
        return {org.acronym: org for org in Organisation.objects.all()}

    @cached_property
    def actions(self) -> dict[str, Action]:
        return {action.code: action for action in Action.objects.filter(roadmap=self.roadmap)}

    @cached_property
    def indicators(self) -> dict[str, Indicator]:
        return {
            indicator.code: indicator
            for indicator in Indicator.objects.filter(roadmap=self.roadmap).select_related(
                "action", "summed_from"
            )
        }

    @staticmethod
    def _close_match(table: dict, key: str) -> str | None:
        folded = fold(key)
        matches = [known for known in table if fold(known) == folded]
        return matches[0] if len(matches) == 1 else None

    def axis(self, text: str) -> Axis:
        match = re.fullmatch(r"(?:axe\s*)?(\d{1,4})(?:[.,]0+)?", text, re.IGNORECASE)
        axis = self.axes.get(int(match.group(1))) if match else None
        if axis is None:
            numbers = ", ".join(str(number) for number in sorted(self.axes)) or "—"
            raise ValueError(
                _("Axe inconnu : les axes de cette feuille de route sont %(numbers)s.")
                % {"numbers": numbers}
            )
        return axis

    def organisation(self, text: str) -> Organisation:
        # The acronym as written, else the only one equal to it but for case and accents.
        key = text if text in self.organisations else self._close_match(self.organisations, text)
        if key is None:
            raise ValueError(
                _("Organisation inconnue. Sigles connus : %(acronyms)s.")
                % {"acronyms": ", ".join(sorted(self.organisations)) or "—"}
            )
        return self.organisations[key]

    def _by_code(self, table: dict, text: str, unknown: str):
        # Codes are identifiers and must match exactly; a near miss is suggested, not taken.
        if text in table:
            return table[text]
        close = self._close_match(table, text)
        if close:
            unknown += " " + _("Vouliez-vous dire « %(code)s » ?") % {"code": close}
        raise ValueError(unknown)

    def action(self, text: str) -> Action:
        return self._by_code(
            self.actions,
            text,
            _("Action inconnue : elle doit figurer dans la feuille Actions ou déjà exister."),
        )

    def indicator(self, text: str) -> Indicator:
        return self._by_code(
            self.indicators,
            text,
            _("Indicateur inconnu : il doit figurer dans la feuille Indicateurs ou déjà exister."),
        )


class ReferenceWidget(widgets.Widget):
    """A foreign key written as its natural key: an axis by number, an organisation by acronym,
    an action or an indicator by code. The resource binds `references`."""

    references: References

    def __init__(self, kind: str, attribute: str, *, required: bool = True):
        super().__init__()
        self.kind = kind  # the References method that finds it
        self.attribute = attribute  # what the cell holds
        self.required = required

    def key(self, value) -> str:
        return clean_code(value)

    def clean(self, value, row=None, **kwargs):
        text = self.key(value)
        if not text:
            if self.required:
                raise ValueError(_("Cette colonne est obligatoire."))
            return None
        return getattr(self.references, self.kind)(text)

    def render(self, value, obj=None, **kwargs):
        return None if value is None else getattr(value, self.attribute)


class OrganisationListWidget(widgets.ManyToManyWidget):
    """Partner organisations by acronym, separated by commas or semicolons."""

    references: References

    def __init__(self):
        super().__init__(model=Organisation, separator=", ", field="acronym")

    def clean(self, value, row=None, **kwargs) -> list[Organisation]:
        found, unknown = [], []
        for part in re.split(r"[,;]", cell_text(value)):
            text = clean_code(part)
            if not text:
                continue
            try:
                organisation = self.references.organisation(text)
            except ValueError:
                unknown.append(text)
                continue
            if organisation not in found:
                found.append(organisation)
        if unknown:
            raise ValueError(
                ngettext(
                    "Organisation inconnue : %(unknown)s. Sigles connus : %(acronyms)s.",
                    "Organisations inconnues : %(unknown)s. Sigles connus : %(acronyms)s.",
                    len(unknown),
                )
                % {
                    "unknown": ", ".join(unknown),
                    "acronyms": ", ".join(sorted(self.references.organisations)) or "—",
                }
            )
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(sorted(org.acronym for org in value.all()))
