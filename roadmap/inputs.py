"""The input policy: what any text, date or number that enters the service may be, written once
(docs/contract.md, « Limites des saisies »).

Every path that lets text in applies it: the task force's forms and their HTMX posts
(`InputPolicyForm`, in `roadmap.forms`), the spreadsheet import (its widgets), and, for the
admin, sign-in, URLs and query strings, `roadmap.site.middleware.InputPolicyMiddleware`.

- Line breaks are normalised at entry: CRLF and CR become LF (what browsers send from a
  textarea is CRLF), so that a text reads back, exports and re-imports the same.
- Control characters other than tab and line feed are refused: a person cannot see them, XML
  (the Atom feed, the .xlsx workbook) cannot hold them, and NUL is refused by PostgreSQL. The
  Unicode non-characters U+FFFE and U+FFFF and lone surrogates are refused for the same reason.
- A text holds at most `TEXT_MAX_CHARS` characters, what one workbook cell holds, so that the
  spreadsheet backup never truncates; a column with a shorter `max_length` keeps its own.
- A date lies between `FIRST_DATE` and `LAST_DATE`, the years the importer reads.

Text stored before the policy is made to follow it by a data migration, through
`conforming_text` (line breaks normalised, refused characters removed).
"""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.utils.translation import gettext_lazy as _

from .french import FIRST_YEAR, LAST_YEAR, format_date, grouped_number

# What one cell of an Excel workbook holds (Excel's own limit; openpyxl writes more, which
# Excel then truncates or refuses to open).
TEXT_MAX_CHARS = 32_767
FIRST_DATE = date(FIRST_YEAR, 1, 1)
LAST_DATE = date(LAST_YEAR, 12, 31)
INTEGER_MAX = 2**31 - 1  # PostgreSQL's integer

# Tab (U+0009) and line feed (U+000A) are the only control characters a text may hold; CR is
# normalised away before this is checked. U+0080–U+009F (C1) are refused too: no keyboard
# types them, and they are the mark of a file decoded with the wrong encoding.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
# In a URL or a query string, no control character at all (tab and line feed included).
_FORBIDDEN_IN_URL = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def normalise_text(value: str) -> str:
    """`value` with its line breaks made plain: CRLF and CR become LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def forbidden_character(value: str, *, in_url: bool = False) -> str | None:
    """The first character of `value` the policy refuses, as « U+0007 », or None."""
    match = (_FORBIDDEN_IN_URL if in_url else _FORBIDDEN).search(value)
    return f"U+{ord(match.group()):04X}" if match else None


def conforming_text(value: str) -> str:
    """`value` as the policy lets text in: line breaks normalised and every character it refuses
    removed. For text stored before the policy, or written around it (a data migration)."""
    return _FORBIDDEN.sub("", normalise_text(value))


def control_message(code: str) -> str:
    return _(
        "Le texte contient un caractère de contrôle invisible (%(code)s), que le service "
        "n'accepte pas : retirez-le (il vient souvent d'un copier-coller)."
    ) % {"code": code}


def length_message(limit: int, length: int) -> str:
    return _("Ce texte compte %(length)s caractères : %(limit)s au plus.") % {
        "length": grouped_number(length),
        "limit": grouped_number(limit),
    }


def date_message() -> str:
    return _("La date doit être comprise entre le %(first)s et le %(last)s.") % {
        "first": format_date(FIRST_DATE),
        "last": format_date(LAST_DATE),
    }


def validate_text(value) -> None:
    """Refuse a text holding a character the policy refuses (ValidationError, in French)."""
    # NUL is refused by Django's own validator on every text field of a form.
    if isinstance(value, str) and (code := forbidden_character(value.replace("\x00", ""))):
        raise ValidationError(control_message(code), code="control_character")


def validate_date(value) -> None:
    """Refuse a date outside FIRST_DATE..LAST_DATE (ValidationError, in French)."""
    if isinstance(value, date) and not FIRST_DATE <= value <= LAST_DATE:
        raise ValidationError(date_message(), code="date_range")


def check_text(value: str, max_length: int | None = None) -> str:
    """`value` normalised, or ValueError with the French message: the importer's check."""
    text = normalise_text(value)
    if code := forbidden_character(text):
        raise ValueError(control_message(code))
    limit = min(max_length or TEXT_MAX_CHARS, TEXT_MAX_CHARS)
    if len(text) > limit:
        raise ValueError(length_message(limit, len(text)))
    return text


class _LengthValidator(MaxLengthValidator):
    """Django's, with the count written the French way (« 32 768 caractères »)."""

    def __call__(self, value):
        if isinstance(value, str) and len(value) > self.limit_value:
            raise ValidationError(length_message(self.limit_value, len(value)), code="max_length")


def police_fields(form: forms.BaseForm) -> None:
    """Put the policy on each field of `form`: text refused with control characters and beyond
    its column's length (or TEXT_MAX_CHARS), dates within the range; a text's limit is written
    on its field (`maxlength`), so the browser shows and keeps it."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField):
            field.validators.append(validate_text)
            if field.max_length is None or field.max_length > TEXT_MAX_CHARS:
                field.max_length = TEXT_MAX_CHARS
                field.validators.append(_LengthValidator(TEXT_MAX_CHARS))
            field.widget.attrs.setdefault("maxlength", str(field.max_length))
        elif isinstance(field, forms.DateField):
            # No `min`/`max` on the date input: with them, a browser's date picker starts an
            # empty field at the minimum (1900) rather than this year, for keyboard users too.
            field.validators.append(validate_date)
        elif isinstance(field, forms.IntegerField) and field.max_value is None:
            # A hidden version or a count: never beyond what a database integer holds.
            field.max_value = INTEGER_MAX
            field.validators.append(MaxValueValidator(INTEGER_MAX))


def normalised_data(data):
    """A copy of a form's submitted data (a QueryDict or a dict) with every text's line breaks
    normalised: what the form then validates and saves."""
    if data is None:
        return None
    if hasattr(data, "lists"):
        copy = data.copy()
        for key, values in data.lists():
            copy.setlist(
                key,
                [normalise_text(value) if isinstance(value, str) else value for value in values],
            )
        return copy
    return {
        key: normalise_text(value) if isinstance(value, str) else value
        for key, value in data.items()
    }


class InputPolicyForm:
    """Mixin of every form a person fills in: the submitted text normalised at entry, and the
    policy on each field (`police_fields`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = normalised_data(self.data)
        police_fields(self)
