"""The roadmap as French spreadsheets (docs/contract.md), in and out, all or nothing.

What lives here, from the ground up:

- how French spreadsheets write values: numbers (« 70 000 », « 1 234,5 », « 1234.5 »), dates
  (« 31/12/2025 », « 2025-12-31 », Excel date cells), labels and headers in any case or accents
  (`parse_decimal`, `parse_date`, `fold`);
- the django-import-export resources of the four sheets (Actions, Jalons, Indicateurs, Mesures),
  keyed by natural keys (action code; action code + milestone title; indicator code; indicator
  code + date) and scoped to one roadmap; foreign keys by code, number or acronym;
- `read_spreadsheet`: an uploaded `.xlsx` workbook (several sheets) or one `.csv` sheet
  (recognised by its headers), with the guard rails: size, row count, zip bomb, password,
  content that is not what the extension says, missing headers;
- `import_file`: the whole-workbook import, every row of every sheet checked and every error
  collected, written in one transaction or not at all, with a per-sheet preview;
- exports in the same format (`export_workbook`, `export_csv_files`, `export_json`), the blank
  template (`template_workbook`) and the django-import-export formats the admin uses.

Design notes:

- All or nothing. Sheets refer to each other (a milestone to an action created by the Actions
  sheet), so checking a row needs the rows before it. The import therefore runs for real inside
  a transaction, sheet after sheet in dependency order, and the transaction is rolled back when
  any row failed or when it is a dry run (a preview). Every error is a `ValidationError` of its
  row, which django-import-export collects without stopping, each row in its own savepoint.
- Formula injection. In xlsx, text is always written as a text cell, never a formula, and text
  that starts with `=`, `+`, `-` or `@` also gets Excel's own « quote prefix » (what typing a
  leading apostrophe does): Excel shows it as typed and never evaluates it, and the cell
  re-imports unchanged. In CSV such text gets a leading apostrophe (the OWASP advice); the CSV
  reader removes an apostrophe that precedes one of these characters or another apostrophe, so
  a CSV export re-imports unchanged too. JSON is not opened by spreadsheet programs: left as is.
- History. Every saved row carries the importing user and the reason « Import du fichier X »; a
  row that changes nothing is not saved at all (no history row, no version bump). An import never
  deletes anything: a row missing from the file is left alone.
- Axes and organisations are reference data kept in the admin: the workbook refers to them by
  number and acronym and never creates them.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import math
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePath

import openpyxl
import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export import resources, widgets
from import_export.fields import Field
from import_export.formats import base_formats
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import Organisation
from roadmap.caching import writing

from .models import (
    STATUS_UNSET_LABEL,
    Action,
    Axis,
    Direction,
    Indicator,
    Kind,
    Measurement,
    Milestone,
    Roadmap,
    Status,
)

logger = logging.getLogger(__name__)

# Limits, overridable in settings (ROADMAP_IMPORT_MAX_BYTES, …). The whole roadmap is a few
# dozen rows today. The preview runs within a web request: a new row costs about 9 queries
# (≈ 7-15 ms), an unchanged one 2, so 1000 new rows stay well under a worker's timeout.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 1000
DEFAULT_MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
MAX_ZIP_MEMBERS = 1000
MAX_COLUMNS = 50  # columns read per row; the format has at most 10
EXTENSIONS = (".xlsx", ".csv")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"

# Text starting with one of these is a formula for a spreadsheet program (OWASP's list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_ESCAPE = "'"

TEMPLATE_SHEET = "Valeurs autorisées"
EXAMPLE = "EXEMPLE"


def max_bytes() -> int:
    return getattr(settings, "ROADMAP_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_rows() -> int:
    return getattr(settings, "ROADMAP_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def max_uncompressed_bytes() -> int:
    return getattr(
        settings, "ROADMAP_IMPORT_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES
    )


# ---------------------------------------------------------------------------------------------
# French values


_SPACES = {ord(char): None for char in " \u00a0\u202f\u2009\u2007"}  # incl. (narrow) no-break
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)")
_TIME_SUFFIX = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_FRENCH_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})" + _TIME_SUFFIX)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME_SUFFIX)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FIRST_YEAR, LAST_YEAR = 1900, 2200  # Excel knows no earlier date; later ones are typos


def fold(text) -> str:
    """`text` without case, accents, spaces or punctuation: how headers and labels are matched."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(char for char in decomposed if char.isalnum()).casefold()


def number_message() -> str:
    return _("Nombre attendu (par exemple 70 000, 1 234,5 ou 1234.5).")


def date_message() -> str:
    return _("Date attendue (par exemple 31/12/2025 ou 2025-12-31).")


def _from_float(number: float) -> Decimal:
    # Excel keeps numbers as binary floats: 0.1 + 0.2 arrives as 0.30000000000000004. Drop that
    # noise below the 4 decimal places the database keeps, but keep real extra decimals so that
    # validation reports them instead of silently rounding.
    exact = Decimal(repr(number))
    if exact.as_tuple().exponent >= -4 or abs(exact) >= Decimal("1e15"):
        return exact
    rounded = exact.quantize(Decimal("0.0001"))
    return rounded if abs(rounded - exact) < Decimal("1e-9") else exact


def parse_decimal(value) -> Decimal | None:
    """A number as French spreadsheets write it, or None for an empty cell.

    Accepts numbers from xlsx cells and text such as « 70 000 » (with a space, a no-break space or
    a narrow no-break space), « 1 234,5 » and « 1234.5 ». Spaces only group thousands: « 1.234,5 »
    is refused rather than guessed. Raises ValueError with a French message.
    """
    if value is None:
        return None
    if isinstance(value, bool | date | time):
        raise ValueError(number_message())
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(number_message())
        return _from_float(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(number_message())
        return value
    text = str(value).strip().translate(_SPACES).replace("\u2212", "-")
    if not text:
        return None
    if not _NUMBER.fullmatch(text):
        raise ValueError(number_message())
    return Decimal(text.replace(",", "."))


def plain_number(value) -> int | Decimal | None:
    """A stored decimal as written in exports: 70000 rather than 70000.0000."""
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def number_text(value, *, grouping: bool = False) -> str:
    """A number in plain digits (« 70000 », « 1234.5 »), never in scientific notation."""
    number = plain_number(value)
    if isinstance(number, int):
        return f"{number:,}" if grouping else str(number)
    return format(number, ",f" if grouping else "f")


def _checked_date(year: int, month: int, day: int) -> date:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            _("Année hors limites : une date doit être comprise entre %(first)d et %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(_("Cette date n'existe pas dans le calendrier.")) from None


def parse_date(value) -> date | None:
    """A date as French spreadsheets write it, or None for an empty cell.

    Accepts Excel date cells, « 31/12/2025 » (day first, also with - or .) and « 2025-12-31 »,
    optionally followed by a midnight time. Raises ValueError with a French message.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return _checked_date(value.year, value.month, value.day)
    if isinstance(value, date):
        return _checked_date(value.year, value.month, value.day)
    if not isinstance(value, str):
        # A number in a date column is an Excel date serial without a date format, or a typo:
        # refuse it rather than guess.
        raise ValueError(date_message())
    text = value.strip()
    if not text:
        return None
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _FRENCH_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        raise ValueError(date_message())
    return _checked_date(int(year), int(month), int(day))


def cell_text(value) -> str:
    """Any cell value as text: what a text column makes of a number or a date typed in it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return _("VRAI") if value else _("FAUX")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def clean_code(value) -> str:
    """A code or an acronym: spaces of any kind collapsed into one, trimmed."""
    return " ".join(cell_text(value).split())


def display(value) -> str:
    """A cell value as shown to a person in a preview or an error message."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date() if value.time() == time(0) else value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        grouped = number_text(value, grouping=True)
        return grouped.replace(",", "\u202f").replace(".", ",")
    text = cell_text(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------------------------
# Errors


@dataclass
class CellError:
    """One thing wrong in an uploaded file: where (sheet, row as Excel numbers it, column),
    the bad value and why, in French. File-level problems have no sheet or row."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(_("feuille « %(sheet)s »") % {"sheet": self.sheet})
        if self.row:
            where.append(_("ligne %(row)d") % {"row": self.row})
        if self.column:
            where.append(_("colonne « %(column)s »") % {"column": self.column})
        if self.value:
            where.append(_("valeur « %(value)s »") % {"value": self.value})
        if not where:
            return self.message
        return _("%(where)s : %(message)s") % {
            "where": _sentence(", ".join(where)),
            "message": self.message,
        }


class SpreadsheetError(Exception):
    """The file cannot be read as a roadmap spreadsheet; `errors` says why, in French."""

    def __init__(self, errors: list[CellError]):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


def _file_error(message: str) -> SpreadsheetError:
    return SpreadsheetError([CellError(message)])


# ---------------------------------------------------------------------------------------------
# Widgets: one column's value, from a cell to Python and back. `render` returns native values
# (date, int or Decimal, text); each writer (xlsx, CSV, JSON) formats them its own way.


class TextWidget(widgets.Widget):
    """Free text, trimmed, with Windows line breaks made plain; invisible control characters,
    which a spreadsheet cannot hold and a person cannot see, are refused."""

    def __init__(self, *, code: bool = False):
        super().__init__()
        self.code = code

    def clean(self, value, row=None, **kwargs) -> str:
        text = cell_text(value).replace("\r\n", "\n").replace("\r", "\n").strip()
        if self.code:
            text = " ".join(text.split())
        if _CONTROL.search(text):
            raise ValueError(_("Le texte contient un caractère de contrôle invisible."))
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


class ChoiceWidget(widgets.Widget):
    """A status, kind or direction, by its French label or its code, in any case or accents.

    Exports write the French label: the workbook's format is French whatever the admin's language.
    """

    def __init__(self, choices, *, blank_labels=()):
        super().__init__()
        self.choices = choices
        self.blank_labels = blank_labels

    def french_labels(self) -> list[str]:
        with translation.override("fr"):
            return [str(label) for label in self.choices.labels]

    def lookup(self) -> dict[str, str]:
        table = {fold(label): "" for label in self.blank_labels}
        with translation.override("fr"):
            table.update({fold(str(label)): "" for label in self.blank_labels})
        for code, label in zip(self.choices.values, self.french_labels(), strict=True):
            table[fold(code)] = code
            table[fold(label)] = code
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
            for indicator in Indicator.objects.filter(roadmap=self.roadmap).select_related("action")
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

    def _unknown(self, message: str, table: dict, text: str) -> ValueError:
        # Codes are identifiers and must match exactly; a near miss is suggested, not taken.
        close = self._close_match(table, text)
        if close:
            message += " " + _("Vouliez-vous dire « %(code)s » ?") % {"code": close}
        return ValueError(message)

    def action(self, text: str) -> Action:
        if text in self.actions:
            return self.actions[text]
        raise self._unknown(
            _("Action inconnue : elle doit figurer dans la feuille Actions ou déjà exister."),
            self.actions,
            text,
        )

    def indicator(self, text: str) -> Indicator:
        if text in self.indicators:
            return self.indicators[text]
        raise self._unknown(
            _("Indicateur inconnu : il doit figurer dans la feuille Indicateurs ou déjà exister."),
            self.indicators,
            text,
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


# ---------------------------------------------------------------------------------------------
# Resources: one per sheet.


class NaturalKeyLoader(BaseInstanceLoader):
    """The sheet's existing rows, read in one query with what they refer to, found by natural
    key: one query per sheet instead of one per row. A key appears once per sheet at most
    (duplicates are row errors), so rows created by the sheet itself need no lookup."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.instances = {resource.natural_key(obj): obj for obj in resource.existing_rows()}

    def get_instance(self, row):
        key = self.resource.row_key(row)
        return None if key is None else self.instances.get(key)


class SheetResource(resources.ModelResource):
    """What the four sheets share: scoped to one roadmap, French headers matched loosely,
    every problem a row error, unchanged rows left alone, saves signed in the history."""

    # Where errors about the row as a whole (a constraint across columns) are shown.
    row_error_column = ""
    # Model fields that are not columns, and the column their errors belong to.
    extra_error_columns: dict[str, str] = {}

    class Meta:
        instance_loader_class = NaturalKeyLoader
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        skip_html_diff = True
        use_transactions = True

    def iter_queryset(self, queryset):
        # django-import-export pages a prefetching queryset (two queries per 100 rows), so an
        # export's query count would grow with the roadmap; one pass keeps it fixed, and a
        # roadmap's rows fit in memory.
        if isinstance(queryset, QuerySet):
            yield from queryset
        else:
            yield from super().iter_queryset(queryset)

    def __init__(self, roadmap: Roadmap | None = None, user=None, file_name: str = "", **kwargs):
        super().__init__(**kwargs)
        self.roadmap = roadmap if roadmap is not None else Roadmap.objects.current()
        self.user = user
        self.file_name = file_name
        self.references = References(self.roadmap)
        for resource_field in self.fields.values():
            if isinstance(resource_field.widget, ReferenceWidget | OrganisationListWidget):
                resource_field.widget.references = self.references
        self.line_numbers: list[int] | None = None
        self._seen_keys: dict[tuple, int] = {}
        self._instance = None
        self._before: dict[str, object] = {}

    @classmethod
    def columns(cls) -> list[str]:
        """The sheet's headers, in order: the public contract of docs/contract.md."""
        return [cls.fields[name].column_name for name in cls._meta.fields]

    # --- rows -> instances

    def line_number(self, row_number: int) -> int:
        """The row as Excel numbers it, from import-export's count of data rows."""
        if self.line_numbers and 0 < row_number <= len(self.line_numbers):
            return self.line_numbers[row_number - 1]
        return row_number + 1  # right under a header row

    def before_import(self, dataset, **kwargs):
        # The per-model admin import hands over the file's own headers: match them loosely.
        canonical = {fold(column): column for column in self.columns()}
        dataset.headers = [
            canonical.get(fold(header), header) if header is not None else ""
            for header in (dataset.headers or [])
        ]
        missing = [column for column in self.columns() if column not in dataset.headers]
        if missing:
            raise ValueError(
                _("Colonnes obligatoires manquantes : %(columns)s.")
                % {"columns": ", ".join(missing)}
            )
        self.line_numbers = getattr(dataset, "line_numbers", None)
        self.user = kwargs.get("user") or self.user
        self.file_name = kwargs.get("file_name") or self.file_name

    def after_import(self, dataset, result, **kwargs):
        # ModelResource resets the primary key sequences here, for imports that set ids. Ours
        # never do, and resetting a PostgreSQL sequence to the max id this transaction sees
        # could hand out ids that a concurrent transaction already took.
        pass

    def get_queryset(self):
        return self._meta.model.objects.filter(roadmap=self.roadmap)

    def init_instance(self, row=None):
        return self._meta.model(roadmap=self.roadmap)

    def existing_rows(self):
        """The rows the sheet may update, with what `natural_key` reads already fetched."""
        return self.get_queryset()

    def natural_key(self, instance) -> tuple:
        return tuple(getattr(instance, name) for name in self.get_import_id_fields())

    def row_key(self, row) -> tuple | None:
        """A row's natural key, as `natural_key` gives it; None when unreadable (a new row,
        whose validation then reports the bad value)."""
        parts = []
        for name in self.get_import_id_fields():
            resource_field = self.fields[name]
            widget = resource_field.widget
            try:
                raw = row.get(resource_field.column_name)
                parts.append(widget.key(raw) if hasattr(widget, "key") else widget.clean(raw))
            except ValueError:
                return None
        return tuple(parts)

    def before_import_row(self, row, **kwargs):
        # A key twice in the same sheet would silently update the first row with the second.
        key = self.row_key(row)
        number = self.line_number(kwargs.get("row_number", 0))
        if key is None or not any(key):
            return
        if key in self._seen_keys:
            first = self.fields[self.get_import_id_fields()[0]]
            raise ValidationError(
                {
                    first.attribute: _(
                        "Doublon : même %(columns)s qu'à la ligne %(line)d de cette feuille."
                    )
                    % {
                        "line": self._seen_keys[key],
                        "columns": " + ".join(
                            self.fields[name].column_name for name in self.get_import_id_fields()
                        ),
                    }
                }
            )
        self._seen_keys[key] = number

    def after_init_instance(self, instance, new, row, **kwargs):
        self._instance = instance
        self._before = {} if new else self.snapshot(instance)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for resource_field in self.get_import_fields():
            # import-export reads many-to-many columns only when saving, where a bad value
            # would be a crash, not a row error: read them now.
            if isinstance(resource_field.widget, widgets.ManyToManyWidget):
                try:
                    resource_field.clean(row)
                except ValueError as error:
                    errors[resource_field.attribute] = ValidationError(str(error), code="invalid")
        self.prepare_instance(instance)
        if errors:
            raise ValidationError(errors)

    def prepare_instance(self, instance) -> None:
        """Fill what the model derives before it is validated (a hook for subclasses)."""

    def change_reason(self) -> str:
        if self.file_name:
            reason = _("Import du fichier « %(name)s »") % {"name": self.file_name}
        else:
            reason = _("Import d'un classeur")
        return reason[:100]  # simple-history keeps at most 100 characters

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = self.user if getattr(self.user, "pk", None) else None
        instance._change_reason = self.change_reason()

    def snapshot(self, instance) -> dict[str, object]:
        return {f.column_name: f.export(instance) for f in self.get_import_fields()}

    def describe(self, instance) -> str:
        return str(instance)

    def after_import_row(self, row, row_result, **kwargs):
        # What the preview shows: the row's number and name, and for a change, old -> new.
        row_result.number = self.line_number(kwargs.get("row_number", 0))
        row_result.label = self.describe(self._instance)
        row_result.changes = []
        if row_result.import_type == RowResult.IMPORT_TYPE_UPDATE:
            after = self.snapshot(self._instance)
            row_result.changes = [
                (column, display(self._before.get(column)), display(value))
                for column, value in after.items()
                if value != self._before.get(column)
            ]

    def column_for(self, key: str) -> str:
        """The column of an error keyed by a model field name."""
        for resource_field in self.fields.values():
            if resource_field.attribute == key:
                return resource_field.column_name
        if key == NON_FIELD_ERRORS:
            return self.row_error_column
        return self.extra_error_columns.get(key, self.row_error_column)

    # --- export

    def export_queryset(self):
        return self.get_queryset()


class ActionResource(SheetResource):
    row_error_column = "Fin"
    extra_error_columns = {"slug": "Code", "roadmap": "Code"}

    code = Field(attribute="code", column_name="Code", widget=TextWidget(code=True))
    axis = Field(attribute="axis", column_name="Axe", widget=ReferenceWidget("axis", "number"))
    title = Field(attribute="title", column_name="Titre", widget=TextWidget())
    description = Field(attribute="description", column_name="Description", widget=TextWidget())
    status = Field(
        attribute="status",
        column_name="Statut",
        widget=ChoiceWidget(Status, blank_labels=[STATUS_UNSET_LABEL]),
    )
    lead = Field(
        attribute="lead",
        column_name="Pilote",
        widget=ReferenceWidget("organisation", "acronym", required=False),
    )
    partners = Field(
        attribute="partners", column_name="Partenaires", widget=OrganisationListWidget()
    )
    start_date = Field(attribute="start_date", column_name="Début", widget=DateWidget())
    end_date = Field(attribute="end_date", column_name="Fin", widget=DateWidget())

    class Meta:
        model = Action
        fields = (
            "code",
            "axis",
            "title",
            "description",
            "status",
            "lead",
            "partners",
            "start_date",
            "end_date",
        )
        import_id_fields = ["code"]

    def prepare_instance(self, instance) -> None:
        # The model derives the slug when saving; derive it now so that two codes with the same
        # slug (« IA 2-1 », « ia 2-1 ») fail validation with a message, not the database.
        if instance.pk is None:
            instance.slug = slugify(instance.code)

    def save_instance(self, instance, is_create, row, **kwargs):
        partners = self.fields["partners"].clean(row)
        if not is_create and {o.pk for o in partners} != {o.pk for o in instance.partners.all()}:
            # Partners first, without a history row of their own, so that the single history row
            # of the save below records them along with the other changes.
            instance.skip_history_when_saving = True
            try:
                instance.partners.set(partners)
            finally:
                del instance.skip_history_when_saving
        super().save_instance(instance, is_create, row, **kwargs)
        if is_create and partners:
            # A new action needs its id before it can have partners; simple-history then records
            # them in a second history row (« modifié »), signed like the first.
            instance.partners.set(partners)

    def save_m2m(self, instance, row, **kwargs):
        pass  # done by save_instance, in the order the history needs

    def existing_rows(self):
        return self.get_queryset().select_related("axis", "lead").prefetch_related("partners")

    def describe(self, instance) -> str:
        return instance.code

    def export_queryset(self):
        return self.existing_rows().order_by("axis__number", "code")


class MilestoneResource(SheetResource):
    row_error_column = "Jalon"
    extra_error_columns = {"original_due_date": "Échéance", "roadmap": "Action"}

    action = Field(
        attribute="action",
        column_name="Action",
        widget=ReferenceWidget("action", "code", required=False),
    )
    title = Field(attribute="title", column_name="Jalon", widget=TextWidget())
    due_date = Field(attribute="due_date", column_name="Échéance", widget=DateWidget())
    done_on = Field(attribute="done_on", column_name="Réalisé le", widget=DateWidget())

    class Meta:
        model = Milestone
        fields = ("action", "title", "due_date", "done_on")
        # An empty Action cell is a milestone of the roadmap itself.
        import_id_fields = ["action", "title"]

    def existing_rows(self):
        return self.get_queryset().select_related("action")

    def natural_key(self, instance) -> tuple:
        return (instance.action.code if instance.action_id else "", instance.title)

    def describe(self, instance) -> str:
        owner = instance.action.code if instance.action_id else _("Feuille de route")
        return f"{owner} · {instance.title}"

    def export_queryset(self):
        # Explicit NULL placement: SQLite and PostgreSQL disagree on it by default, and the
        # export must be the same wherever it runs. The id keeps equal dates in entry order.
        return (
            self.get_queryset()
            .select_related("action")
            .order_by(
                F("action__axis__number").asc(nulls_first=True),
                F("action__code").asc(nulls_first=True),
                F("due_date").asc(nulls_last=True),
                "pk",
            )
        )


class IndicatorResource(SheetResource):
    row_error_column = "Date cible"
    extra_error_columns = {"roadmap": "Action", "position": "Code"}

    action = Field(
        attribute="action", column_name="Action", widget=ReferenceWidget("action", "code")
    )
    code = Field(attribute="code", column_name="Code", widget=TextWidget(code=True))
    label = Field(attribute="label", column_name="Indicateur", widget=TextWidget())
    unit = Field(attribute="unit", column_name="Unité", widget=TextWidget())
    kind = Field(attribute="kind", column_name="Type", widget=ChoiceWidget(Kind))
    baseline_value = Field(
        attribute="baseline_value", column_name="Valeur initiale", widget=DecimalWidget()
    )
    baseline_date = Field(
        attribute="baseline_date", column_name="Date initiale", widget=DateWidget()
    )
    target_value = Field(attribute="target_value", column_name="Cible", widget=DecimalWidget())
    target_date = Field(attribute="target_date", column_name="Date cible", widget=DateWidget())
    # An empty Sens is the model's default, « Plus haut est mieux ».
    direction = Field(
        attribute="direction",
        column_name="Sens",
        widget=ChoiceWidget(Direction),
        default=Direction.HIGHER,
    )

    class Meta:
        model = Indicator
        fields = (
            "action",
            "code",
            "label",
            "unit",
            "kind",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "direction",
        )
        import_id_fields = ["code"]

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance._state.adding:
            # A new indicator goes after its action's others, in the order of the sheet, so that
            # an export lists them in the order they were imported.
            last = (
                Indicator.objects.filter(action=instance.action)
                .order_by("-position")
                .values_list("position", flat=True)
                .first()
            )
            instance.position = (last or 0) + 1

    def existing_rows(self):
        return self.get_queryset().select_related("action")

    def describe(self, instance) -> str:
        return instance.code

    def export_queryset(self):
        return self.existing_rows().order_by(
            "action__axis__number", "action__code", "position", "code"
        )


class MeasurementResource(SheetResource):
    row_error_column = "Date"
    extra_error_columns = {"recorded_by": "Indicateur"}

    indicator = Field(
        attribute="indicator", column_name="Indicateur", widget=ReferenceWidget("indicator", "code")
    )
    date = Field(attribute="date", column_name="Date", widget=DateWidget())
    value = Field(attribute="value", column_name="Valeur", widget=DecimalWidget())
    source = Field(attribute="source", column_name="Source", widget=TextWidget())
    comment = Field(attribute="comment", column_name="Commentaire", widget=TextWidget())

    class Meta:
        model = Measurement
        fields = ("indicator", "date", "value", "source", "comment")
        import_id_fields = ["indicator", "date"]
        # The sheet that grows with the years (thousands of rows): written in batches, with
        # their history, rather than one save and one history row at a time.
        use_bulk = True
        batch_size = 1000

    def get_queryset(self):
        return Measurement.objects.filter(indicator__roadmap=self.roadmap)

    def init_instance(self, row=None):
        return Measurement()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's field checks, without its constraints: each would cost a query per row,
        and the sheet already guarantees them. The indicator comes from this roadmap's own
        (`References`) and the recorder is the importing user; an (indicator, date) pair is
        either found among the existing rows (an update) or refused as a duplicate within the
        sheet (`before_import_row`); the one check constraint, a source, is the field's own
        `blank=False`. The database still enforces them all, at the end of the import."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=set(errors) | {"indicator", "recorded_by"},
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance._state.adding:
            instance.recorded_by = instance._history_user
        else:
            # What `VersionedModel.save` and `auto_now` do, which a bulk update skips.
            instance.version += 1
            instance.updated_at = timezone.now()

    def get_bulk_update_fields(self):
        return [*super().get_bulk_update_fields(), "version", "updated_at"]

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._write_batch(
            bulk_create_with_history,
            self.create_instances,
            result=result,
            raise_errors=raise_errors,
            batch_size=batch_size,
        )

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._write_batch(
            bulk_update_with_history,
            self.update_instances,
            result=result,
            raise_errors=raise_errors,
            fields=self.get_bulk_update_fields(),
            batch_size=batch_size,
        )

    def _write_batch(self, write, instances: list, *, result, raise_errors, **options) -> None:
        """Write `instances` with their signed history rows. An error (a row another import
        wrote meanwhile) is the sheet's, as import-export reports its own bulk writes' errors:
        the import is then rolled back."""
        if instances:
            try:
                write(
                    instances,
                    Measurement,
                    default_user=self._importing_user(),
                    default_change_reason=self.change_reason(),
                    **options,
                )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                instances.clear()

    def _importing_user(self):
        return self.user if getattr(self.user, "pk", None) else None

    def existing_rows(self):
        return self.get_queryset().select_related("indicator")

    def natural_key(self, instance) -> tuple:
        return (instance.indicator.code, instance.date)

    def describe(self, instance) -> str:
        when = instance.date.strftime("%d/%m/%Y") if instance.date else "?"
        return _("%(code)s au %(date)s") % {"code": instance.indicator.code, "date": when}

    def export_queryset(self):
        return self.existing_rows().order_by("indicator__code", "date")


@dataclass(frozen=True)
class SheetSpec:
    """One sheet of the workbook: its name, the slug of its CSV file and its resource."""

    name: str
    slug: str
    resource_class: type[SheetResource]

    @property
    def columns(self) -> list[str]:
        return self.resource_class.columns()


# In dependency order: a sheet may refer to the rows of the sheets before it.
SHEETS = (
    SheetSpec("Actions", "actions", ActionResource),
    SheetSpec("Jalons", "jalons", MilestoneResource),
    SheetSpec("Indicateurs", "indicateurs", IndicatorResource),
    SheetSpec("Mesures", "mesures", MeasurementResource),
)


def sheet_spec(name: str) -> SheetSpec:
    return next(spec for spec in SHEETS if spec.name == name)


# ---------------------------------------------------------------------------------------------
# Reading files


@dataclass
class SheetData:
    """One recognised sheet of an uploaded file: its data rows, by Excel row number."""

    spec: SheetSpec
    title: str
    column_index: dict[str, int]
    rows: list[tuple[int, list]]
    ignored_columns: list[str] = field(default_factory=list)

    def dataset(self) -> tablib.Dataset:
        columns = self.spec.columns
        dataset = tablib.Dataset(headers=columns)
        for _number, values in self.rows:
            dataset.append(
                [
                    values[index] if index < len(values) else None
                    for index in (self.column_index[column] for column in columns)
                ]
            )
        # The resource turns import-export's row count back into Excel's row numbers.
        dataset.line_numbers = [number for number, _values in self.rows]
        return dataset


@dataclass
class _RawSheet:
    title: str
    rows: list[tuple[int, list]]  # header row first, blank rows left out


def _is_blank(values) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _column_letter(index: int) -> str:
    return openpyxl.utils.get_column_letter(index + 1)


def _match_headers(header_row: list, spec: SheetSpec):
    """Map the spec's columns to positions in `header_row`: (index, missing, ignored, doubled)."""
    wanted = {fold(column): column for column in spec.columns}
    index, ignored, doubled = {}, [], []
    for position, header in enumerate(header_row):
        text = cell_text(header).strip()
        if not text:
            continue  # an empty header: trailing or spacer column
        column = wanted.get(fold(text))
        if column is None:
            ignored.append(text)
        elif column in index:
            doubled.append((column, position))
        else:
            index[column] = position
    missing = [column for column in spec.columns if column not in index]
    return index, missing, ignored, doubled


def _recognise(raw: _RawSheet, spec: SheetSpec) -> SheetData:
    header_number, header_row = raw.rows[0]
    index, missing, ignored, doubled = _match_headers(header_row, spec)
    errors = [
        CellError(
            _("La colonne « %(column)s » apparaît deux fois (colonnes %(first)s et %(second)s).")
            % {
                "column": column,
                "first": _column_letter(index[column]),
                "second": _column_letter(position),
            },
            sheet=raw.title,
            row=header_number,
        )
        for column, position in doubled
    ]
    if missing:
        errors.append(
            CellError(
                _(
                    "Colonnes obligatoires manquantes : %(missing)s. La première ligne remplie "
                    "doit porter les en-têtes : %(expected)s."
                )
                % {"missing": ", ".join(missing), "expected": " · ".join(spec.columns)},
                sheet=raw.title,
                row=header_number,
            )
        )
    if errors:
        raise SpreadsheetError(errors)
    return SheetData(spec, raw.title, index, raw.rows[1:], ignored)


def _sheet_for(raw: _RawSheet, wanted: list[SheetSpec], *, alone: bool) -> SheetSpec | None:
    """Which of the `wanted` sheets `raw` is: by its name, else by its headers; None if none.

    A sheet with all of a sheet's headers is that sheet. So is the closest one when the file has
    no other sheet (`alone`: a CSV) or when it has most of its headers: then its missing headers
    are reported rather than the sheet silently ignored.
    """
    for spec in wanted:
        if fold(spec.name) == fold(raw.title):
            return spec
    scored = []
    for spec in wanted:
        index, missing, _ignored, _doubled = _match_headers(raw.rows[0][1], spec)
        scored.append((not missing, len(index), spec))
    complete, matched, closest = max(scored, key=lambda item: item[:2])
    if complete or alone or matched * 2 > len(closest.columns):
        return closest
    return None


def _decode(content: bytes, filename: str) -> str:
    try:
        if content.startswith(codecs.BOM_UTF8):
            return content[len(codecs.BOM_UTF8) :].decode("utf-8")
        if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return content.decode("utf-16")
    except UnicodeDecodeError:
        raise _file_error(
            _(
                "Le fichier « %(name)s » annonce un encodage Unicode "
                "mais contient des octets invalides."
            )
            % {"name": filename}
        ) from None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Excel's « CSV (séparateur : point-virgule) » on a French Windows.
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise _file_error(
            _(
                "L'encodage du fichier « %(name)s » n'est pas reconnu : enregistrez-le en "
                "« CSV UTF-8 » ou en CSV Windows (Windows-1252)."
            )
            % {"name": filename}
        ) from None


def _unescape_csv(value: str) -> str:
    # Undo the formula neutralisation of our CSV exports (see the module docstring).
    if len(value) > 1 and value[0] == CSV_ESCAPE and value[1] in (*FORMULA_TRIGGERS, CSV_ESCAPE):
        return value[1:]
    return value


def _sniff_delimiter(text: str) -> str:
    """`;`, `,` or tab: the one that splits the first line into the most known headers."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    known = {fold(column) for spec in SHEETS for column in spec.columns}

    def score(delimiter):
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:
            return (0, 0)
        return (sum(fold(cell) in known for cell in cells), len(cells))

    return max((";", ",", "\t"), key=score)


def _read_csv(content: bytes, filename: str) -> _RawSheet:
    if content.startswith(ZIP_MAGIC) or content.startswith(OLE_MAGIC):
        raise _file_error(
            _(
                "Le fichier « %(name)s » est un classeur Excel, pas un CSV : "
                "renommez-le en .xlsx ou enregistrez-le au format CSV."
            )
            % {"name": filename}
        )
    is_utf16 = content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in content and not is_utf16:
        raise _file_error(
            _("Le fichier « %(name)s » n'est pas un fichier texte CSV.") % {"name": filename}
        )
    text = _decode(content, filename)
    delimiter = _sniff_delimiter(text)
    rows, limit = [], max_rows() + 1  # + the header row
    number = 0
    try:
        # Excel numbers records, not physical lines: a quoted cell may span several lines.
        for number, values in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
        ):
            if _is_blank(values):
                continue
            rows.append((number, [_unescape_csv(value) for value in values[:MAX_COLUMNS]]))
            if len(rows) > limit:
                raise _too_many_rows(filename)
    except csv.Error:
        raise _file_error(
            _("Le fichier CSV « %(name)s » est mal formé vers la ligne %(line)d.")
            % {"name": filename, "line": number + 1}
        ) from None
    # Excel names the only sheet of a CSV file after the file.
    return _RawSheet(PurePath(filename).stem, rows)


def _too_many_rows(filename: str) -> SpreadsheetError:
    return _file_error(
        _(
            "Le fichier « %(name)s » dépasse la limite de %(limit)s lignes : "
            "découpez-le en plusieurs fichiers."
        )
        % {"name": filename, "limit": display(max_rows())}
    )


def _check_xlsx_container(content: bytes, filename: str) -> None:
    """Refuse what openpyxl should not even open: other formats, password, corrupt, zip bomb."""
    if content.startswith(OLE_MAGIC):
        # Both are OLE compound files; an encrypted OOXML package holds an EncryptionInfo stream.
        if "EncryptionInfo".encode("utf-16-le") in content:
            raise _file_error(
                _(
                    "Le classeur « %(name)s » est protégé par un mot de passe : enregistrez-en "
                    "une copie sans mot de passe, puis importez-la."
                )
                % {"name": filename}
            )
        raise _file_error(
            _(
                "« %(name)s » est un classeur Excel 97-2003 (.xls) : enregistrez-le au format "
                "« Classeur Excel (.xlsx) »."
            )
            % {"name": filename}
        )
    if not content.startswith(ZIP_MAGIC):
        raise _file_error(
            _(
                "Le fichier « %(name)s » n'est pas un classeur Excel .xlsx valide (s'agit-il "
                "d'un CSV ? Son nom doit alors finir par .csv)."
            )
            % {"name": filename}
        )
    corrupt = _file_error(
        _(
            "Le classeur « %(name)s » est endommagé ou illisible : ouvrez-le dans Excel et "
            "enregistrez-le à nouveau."
        )
        % {"name": filename}
    )
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise corrupt from None
    # A zip bomb: a few kilobytes that inflate to gigabytes once openpyxl reads them.
    uncompressed = sum(member.file_size for member in members)
    if len(members) > MAX_ZIP_MEMBERS or uncompressed > max_uncompressed_bytes():
        raise _file_error(
            _(
                "Le classeur « %(name)s » est anormalement volumineux une fois décompressé "
                "(%(size)d Mo, limite %(limit)d Mo) : il n'a pas été ouvert."
            )
            % {
                "name": filename,
                "size": uncompressed // (1024 * 1024),
                "limit": max_uncompressed_bytes() // (1024 * 1024),
            }
        )
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise _file_error(
            _("Le fichier « %(name)s » n'est pas un classeur Excel (.xlsx).") % {"name": filename}
        )


def _read_xlsx(content: bytes, filename: str) -> list[_RawSheet]:
    _check_xlsx_container(content, filename)
    scan_limit = max(10 * max_rows(), 10_000)
    sheets = []
    try:
        # openpyxl warns about every Excel feature it does not support (data validation
        # extensions, styles…): noise for our purpose, which is reading values.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                for sheet in book.worksheets:
                    rows = []
                    for number, values in enumerate(
                        sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True),
                        start=1,
                    ):
                        if number > scan_limit:
                            raise _too_many_rows(filename)
                        if _is_blank(values):
                            continue
                        rows.append((number, list(values)))
                        if len(rows) > max_rows() + 1:
                            raise _too_many_rows(filename)
                    sheets.append(_RawSheet(sheet.title, rows))
            finally:
                book.close()
    except SpreadsheetError:
        raise
    except Exception:
        # openpyxl parses untrusted XML and zip data: whatever it raises (KeyError, ValueError,
        # XML parse errors…) means a file we cannot read, which the user must hear about
        # clearly, not as a server error.
        logger.info("Unreadable xlsx upload %r", filename, exc_info=True)
        raise _file_error(
            _(
                "Le classeur « %(name)s » est endommagé ou illisible : ouvrez-le dans Excel et "
                "enregistrez-le à nouveau."
            )
            % {"name": filename}
        ) from None
    return sheets


def read_spreadsheet(content: bytes, filename: str, *, expected: str | None = None):
    """The recognised sheets of an uploaded file, in dependency order, and the ignored ones.

    An .xlsx sheet is recognised by its name (Actions, Jalons, Indicateurs, Mesures, in any case
    or accents), else by its headers; a .csv file is one sheet, recognised by its headers. With
    `expected` (a sheet name) only that sheet is looked for. Raises SpreadsheetError listing
    every problem found, in French. Returns (sheets, ignored sheet titles).
    """
    filename = PurePath(filename or "fichier").name
    if not content:
        raise _file_error(_("Le fichier « %(name)s » est vide.") % {"name": filename})
    if len(content) > max_bytes():
        raise _file_error(
            _("Le fichier « %(name)s » dépasse la taille maximale de %(limit)d Mo.")
            % {"name": filename, "limit": max_bytes() // (1024 * 1024)}
        )
    extension = PurePath(filename).suffix.lower()
    if extension == ".xlsx":
        raws = _read_xlsx(content, filename)
    elif extension == ".csv":
        raws = [_read_csv(content, filename)]
    elif extension == ".xls":
        raise _file_error(
            _(
                "« %(name)s » est un classeur Excel 97-2003 (.xls) : enregistrez-le au format "
                "« Classeur Excel (.xlsx) »."
            )
            % {"name": filename}
        )
    else:
        raise _file_error(
            _(
                "Format non pris en charge pour « %(name)s » : importez un classeur Excel "
                "(.xlsx) ou un fichier CSV (.csv)."
            )
            % {"name": filename}
        )
    raws = [raw for raw in raws if raw.rows]
    if not raws:
        raise _file_error(
            _("Le fichier « %(name)s » ne contient aucune donnée.") % {"name": filename}
        )

    wanted = [sheet_spec(expected)] if expected else list(SHEETS)
    found: dict[str, _RawSheet] = {}
    ignored, errors = [], []
    for raw in raws:
        spec = _sheet_for(raw, wanted, alone=len(raws) == 1 and extension == ".csv")
        if spec is None:
            ignored.append(raw.title)
            continue
        if spec.name in found:
            errors.append(
                CellError(
                    _(
                        "Deux feuilles correspondent à « %(sheet)s » : "
                        "« %(first)s » et « %(second)s »."
                    )
                    % {"sheet": spec.name, "first": found[spec.name].title, "second": raw.title}
                )
            )
            continue
        found[spec.name] = raw

    sheets = []
    for spec in wanted:
        if spec.name not in found:
            continue
        try:
            sheets.append(_recognise(found[spec.name], spec))
        except SpreadsheetError as error:
            errors.extend(error.errors)
    if not sheets and not errors:
        names = " · ".join(spec.name for spec in wanted)
        errors.append(
            CellError(
                _(
                    "Aucune feuille reconnue dans « %(name)s » : les feuilles attendues sont "
                    "%(sheets)s, avec les en-têtes du modèle."
                )
                % {"name": filename, "sheets": names}
            )
        )
    if sum(len(sheet.rows) for sheet in sheets) > max_rows():
        errors.append(_too_many_rows(filename).errors[0])
    if errors:
        raise SpreadsheetError(errors)
    return sheets, ignored


# ---------------------------------------------------------------------------------------------
# The whole-workbook import


@dataclass
class RowPreview:
    row: int
    label: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # column, old, new


@dataclass
class SheetReport:
    """What an import does (or would do) to one sheet's rows."""

    name: str
    title: str
    new: list[RowPreview] = field(default_factory=list)
    changed: list[RowPreview] = field(default_factory=list)
    unchanged: int = 0
    errors: list[CellError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return _(
            "%(sheet)s : %(new)d nouvelle(s), %(changed)d modifiée(s), "
            "%(unchanged)d inchangée(s), %(errors)d erreur(s)."
        ) % {
            "sheet": self.name,
            "new": len(self.new),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
            "errors": len(self.errors),
        }


@dataclass
class ImportReport:
    """The outcome of `import_file`: per-sheet preview, every error, and whether it was written."""

    filename: str
    roadmap: Roadmap | None = None
    dry_run: bool = False
    sheets: list[SheetReport] = field(default_factory=list)
    file_errors: list[CellError] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def errors(self) -> list[CellError]:
        return [*self.file_errors, *(error for sheet in self.sheets for error in sheet.errors)]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return any(sheet.new or sheet.changed for sheet in self.sheets)


class _Rollback(Exception):
    """Leaves the import's transaction without keeping anything."""


def _sheet_report(sheet: SheetData, resource: SheetResource, result) -> SheetReport:
    report = SheetReport(sheet.spec.name, sheet.title, ignored_columns=sheet.ignored_columns)
    for row_result in result.rows:
        if row_result.import_type == RowResult.IMPORT_TYPE_NEW:
            report.new.append(RowPreview(row_result.number, row_result.label))
        elif row_result.import_type == RowResult.IMPORT_TYPE_UPDATE:
            report.changed.append(
                RowPreview(row_result.number, row_result.label, row_result.changes)
            )
        elif row_result.import_type == RowResult.IMPORT_TYPE_SKIP:
            report.unchanged += 1
    for error in result.base_errors:
        report.errors.append(CellError(str(error.error), sheet=sheet.title))
    for invalid in result.invalid_rows:
        values = dict(zip(result.diff_headers, invalid.values, strict=False))
        for key, messages in invalid.error_dict.items():
            column = resource.column_for(key)
            for message in messages:
                report.errors.append(
                    CellError(
                        message,
                        sheet=sheet.title,
                        row=resource.line_number(invalid.number),
                        column=column,
                        value=display(values.get(column)),
                    )
                )
    for error_row in result.error_rows:
        for error in error_row.errors:
            # Not a validation error: a database refusal that validation did not foresee.
            logger.warning("Unexpected import error: %r", error.error)
            report.errors.append(
                CellError(
                    _("Cette ligne n'a pas pu être enregistrée (%(error)s).")
                    % {"error": type(error.error).__name__},
                    sheet=sheet.title,
                    row=resource.line_number(error_row.number),
                )
            )
    report.errors.sort(key=lambda error: error.row or 0)
    return report


def import_file(
    content: bytes,
    filename: str,
    *,
    roadmap: Roadmap | None = None,
    user=None,
    dry_run: bool = False,
) -> ImportReport:
    """Import an uploaded spreadsheet into `roadmap` (the current one by default), all or nothing.

    Never raises for bad input: the report lists every error, and then nothing was written.
    With `dry_run`, nothing is written either way and the report is the preview.
    """
    filename = PurePath(filename or "fichier").name
    report = ImportReport(filename, dry_run=dry_run)
    try:
        sheets, report.ignored_sheets = read_spreadsheet(content, filename)
    except SpreadsheetError as error:
        report.file_errors = error.errors
        return report
    report.roadmap = roadmap if roadmap is not None else Roadmap.objects.current()
    if report.roadmap is None:
        report.file_errors = [CellError(_("Aucune feuille de route où importer."))]
        return report
    try:
        with writing():
            for sheet in sheets:
                resource = sheet.spec.resource_class(
                    roadmap=report.roadmap, user=user, file_name=filename
                )
                result = resource.import_data(
                    sheet.dataset(),
                    dry_run=False,  # rolled back below: see the module docstring
                    raise_errors=False,
                    use_transactions=True,
                    user=user,
                    file_name=filename,
                )
                report.sheets.append(_sheet_report(sheet, resource, result))
            if dry_run or not report.ok:
                raise _Rollback
    except _Rollback:
        pass
    else:
        report.committed = True
    return report


# ---------------------------------------------------------------------------------------------
# Writing files


def _resource(spec: SheetSpec, roadmap: Roadmap) -> SheetResource:
    return spec.resource_class(roadmap=roadmap)


def export_sheets(roadmap: Roadmap) -> list[tuple[SheetSpec, tablib.Dataset]]:
    """Every sheet of `roadmap`, as datasets of native values (dates, numbers, text)."""
    exported = []
    for spec in SHEETS:
        resource = _resource(spec, roadmap)
        exported.append((spec, resource.export(resource.export_queryset())))
    return exported


def csv_cell(value) -> str:
    """A value as written in our CSV files: ISO dates, plain numbers, neutralised text."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return number_text(value)
    text = str(value)
    if text.startswith((*FORMULA_TRIGGERS, CSV_ESCAPE)):
        return CSV_ESCAPE + text
    return text


def write_csv(headers: list[str], rows) -> bytes:
    """UTF-8 (no BOM), comma-separated, a header row: what open data tools expect."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def _excel_number(value):
    value = plain_number(value)
    if isinstance(value, int):
        return value
    as_float = float(value)
    # Excel holds binary floats: a decimal it cannot hold exactly is kept as text, which
    # re-imports exactly, rather than silently rounded.
    return as_float if Decimal(repr(as_float)) == value else number_text(value)


def _write_cell(sheet, row: int, column: int, value) -> None:
    cell = sheet.cell(row=row, column=column)
    if value is None or value == "":
        return
    if isinstance(value, date):
        cell.value = value
        cell.number_format = "DD/MM/YYYY"
        return
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        number = _excel_number(value)
        if not isinstance(number, str):
            cell.value = number
            cell.number_format = "#,##0" if isinstance(number, int) else "#,##0.0###"
            return
        value = number
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
    cell.value = text
    cell.data_type = "s"  # always text: openpyxl would write « =… » as a formula
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


def _write_sheet(book, title: str, headers: list[str], rows) -> None:
    sheet = book.create_sheet(title)
    bold = Font(bold=True)
    widths = [len(header) for header in headers]
    for column, header in enumerate(headers, start=1):
        sheet.cell(row=1, column=column, value=header).font = bold
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            _write_cell(sheet, row_number, column, value)
            widths[column - 1] = max(widths[column - 1], min(len(display(value)), 60))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[_column_letter(column - 1)].width = width + 2
    sheet.freeze_panes = "A2"


def _workbook_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _new_book():
    book = openpyxl.Workbook()
    book.remove(book.active)
    return book


def export_workbook(roadmap: Roadmap) -> bytes:
    """The roadmap as an .xlsx workbook in the import format: it re-imports unchanged."""
    book = _new_book()
    for spec, dataset in export_sheets(roadmap):
        _write_sheet(book, spec.name, dataset.headers, dataset)
    return _workbook_bytes(book)


def export_csv_files(roadmap: Roadmap) -> dict[str, bytes]:
    """One CSV file per sheet, keyed by the sheet's slug (actions, jalons, indicateurs, mesures)."""
    return {
        spec.slug: write_csv(dataset.headers, dataset) for spec, dataset in export_sheets(roadmap)
    }


def _json_value(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


def export_json(roadmap: Roadmap | None) -> bytes:
    """The sheets as JSON: {"roadmap": {...}, "sheets": {"Actions": [{"Code": …}, …], …}}."""
    data = {
        "roadmap": {"slug": roadmap.slug, "title": roadmap.title} if roadmap else None,
        "sheets": {
            spec.name: [dict(zip(dataset.headers, row, strict=True)) for row in dataset]
            for spec, dataset in export_sheets(roadmap)
        },
    }
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_value).encode("utf-8")


def _example_rows(roadmap: Roadmap) -> dict[str, list]:
    """One valid example row per sheet, which refer to each other, clearly named as examples."""
    axis = Axis.objects.filter(roadmap=roadmap).order_by("number").first()
    acronyms = list(Organisation.objects.order_by("acronym").values_list("acronym", flat=True))
    action_code, indicator_code = f"{EXAMPLE} 1", f"{EXAMPLE}-1"
    with translation.override("fr"):
        status, kind = str(Status.IN_PROGRESS.label), str(Kind.CUMULATIVE.label)
        direction = str(Direction.HIGHER.label)
    return {
        "Actions": [
            action_code,
            axis.number if axis else 1,
            _("Exemple : intitulé de l'action (ligne à supprimer avant l'import)"),
            _("Exemple : ce que l'action doit accomplir."),
            status,
            acronyms[0] if acronyms else "",
            ", ".join(acronyms[1:3]),
            date(2025, 1, 1),
            date(2025, 12, 31),
        ],
        "Jalons": [action_code, _("Exemple : premier jalon"), date(2025, 6, 30), None],
        "Indicateurs": [
            action_code,
            indicator_code,
            _("Exemple : professionnels formés"),
            _("professionnels"),
            kind,
            0,
            date(2025, 1, 1),
            70000,
            date(2025, 12, 31),
            direction,
        ],
        "Mesures": [
            indicator_code,
            date(2025, 6, 30),
            35000,
            _("Exemple : rapport d'activité du premier semestre"),
            "",
        ],
    }


def _allowed_values(roadmap: Roadmap) -> list[list]:
    rows = [
        [_("Mode d'emploi")],
        [_("Remplissez une ligne par action, jalon, indicateur ou mesure, sous les en-têtes.")],
        [
            _("Les lignes d'exemple (« %(example)s ») sont à supprimer avant l'import.")
            % {"example": EXAMPLE}
        ],
        [_("L'import ne supprime jamais rien : une ligne absente du fichier reste inchangée.")],
        [_("Une seule erreur et rien n'est importé : toutes les erreurs sont listées.")],
        [],
        [_("Colonne"), _("Valeur autorisée"), _("Code accepté aussi")],
    ]
    with translation.override("fr"):
        rows.append(["Statut", str(STATUS_UNSET_LABEL), _("(cellule vide)")])
        for column, choices in (("Statut", Status), ("Type", Kind), ("Sens", Direction)):
            rows.extend([column, str(label), code] for code, label in choices.choices)
    rows.append(["Sens", _("(cellule vide) : Plus haut est mieux"), ""])
    rows.extend(
        ["Axe", axis.number, axis.short_title]
        for axis in Axis.objects.filter(roadmap=roadmap).order_by("number")
    )
    rows.extend(
        ["Pilote, Partenaires", org.acronym, org.name]
        for org in Organisation.objects.order_by("acronym")
    )
    rows.extend(
        [
            ["Partenaires", _("Sigles séparés par des virgules ou des points-virgules"), ""],
            [_("Dates"), _("31/12/2025, 2025-12-31 ou une date Excel"), ""],
            [_("Nombres"), _("70 000, 1 234,5 ou 1234.5"), ""],
            ["Jalons : Action", _("Vide pour un jalon de la feuille de route elle-même"), ""],
        ]
    )
    return rows


def template_workbook(roadmap: Roadmap) -> bytes:
    """The blank workbook to fill in: the four sheets with one example row each, and the
    allowed values (statuses, kinds, directions, axes, organisations, formats)."""
    book = _new_book()
    examples = _example_rows(roadmap)
    for spec in SHEETS:
        _write_sheet(book, spec.name, spec.columns, [examples[spec.name]])
    sheet = book.create_sheet(TEMPLATE_SHEET)
    for number, row in enumerate(_allowed_values(roadmap), start=1):
        for column, value in enumerate(row, start=1):
            _write_cell(sheet, number, column, value)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 60
    sheet.column_dimensions["C"].width = 40
    return _workbook_bytes(book)


# ---------------------------------------------------------------------------------------------
# django-import-export formats: the admin's per-model import and export, with the same rules.


class SheetFormat(base_formats.Format):
    """One sheet read and written the way this module does (header matching, French values,
    guard rails, formula neutralisation). `sheet_name` is bound by `sheet_formats`."""

    sheet_name = ""
    extension = ""
    content_type = "application/octet-stream"

    def __init__(self, encoding=None):
        self.encoding = encoding  # import-export passes one; our readers detect it themselves

    def get_title(self):
        return self.extension

    def get_extension(self):
        return self.extension

    def get_content_type(self):
        return self.content_type

    def can_import(self):
        return True

    def can_export(self):
        return True

    def create_dataset(self, in_stream):
        content = in_stream.encode("utf-8") if isinstance(in_stream, str) else bytes(in_stream)
        sheets, _ignored = read_spreadsheet(
            content, f"fichier.{self.extension}", expected=self.sheet_name
        )
        return sheets[0].dataset()


class XLSXSheetFormat(SheetFormat):
    extension = "xlsx"
    content_type = XLSX_CONTENT_TYPE

    def export_data(self, dataset, **kwargs):
        book = _new_book()
        _write_sheet(book, self.sheet_name or "Feuille", list(dataset.headers or []), dataset)
        return _workbook_bytes(book)


class CSVSheetFormat(SheetFormat):
    extension = "csv"
    content_type = "text/csv"

    def export_data(self, dataset, **kwargs):
        return write_csv(list(dataset.headers or []), dataset)


def sheet_formats(sheet_name: str) -> list[type[SheetFormat]]:
    """The formats of the admin page of one sheet's model."""
    return [
        type(f"{cls.__name__}{fold(sheet_name).title()}", (cls,), {"sheet_name": sheet_name})
        for cls in (XLSXSheetFormat, CSVSheetFormat)
    ]
