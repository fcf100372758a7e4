"""Cell values of the workbook: any cell as text, as shown in a preview, and the text that
a spreadsheet program would take for a formula (docs/contract.md)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import openpyxl
from django.utils.translation import gettext as _

from roadmap.french import date_text, grouped_number, number_text

# Text starting with one of these is a formula for a spreadsheet program (OWASP's list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_ESCAPE = "'"


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
        return date_text(value)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return grouped_number(value)
    text = cell_text(value)
    return text if len(text) <= 80 else text[:79] + "…"


def column_letter(index: int) -> str:
    """The letter Excel names a column by, from its 0-based position."""
    return openpyxl.utils.get_column_letter(index + 1)
