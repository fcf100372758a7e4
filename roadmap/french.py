"""French values, read and written: numbers, dates and labels as people in France write them.

The one place for these rules (docs/contract.md, « Formats »), used by the spreadsheet import
and exports (`roadmap.spreadsheets`), the edit forms, the open data JSON, the pages' number
filters and the indicators page's sort:

- reading: `parse_decimal` (« 70 000 », « 1 234,5 », « 1234.5 »), `parse_date` (« 31/12/2025 »,
  « 2025-12-31 », Excel date cells), each raising ValueError with a French message;
- matching and sorting labels whatever their case or accents: `fold`, `sortable`;
- writing: `plain_number` (70000 rather than 70000.0000), `number_text` (plain digits),
  `grouped_number` (« 1 234,5 », French typography), `date_text` (« 31/12/2025 »),
  `format_number` / `format_quantity` / `format_percent` in the active language, for the pages,
  and `format_date` (« 1er septembre 2025 », « Sept. 1, 2025 »), which the pages' `date` filter
  uses too (`roadmap.templatetags.dates`, a builtin of every template);
- French typography in the active language: `typography` (a narrow no-break space before
  « ; ! ? % » and inside « », a no-break space before « : »), for texts written outside a
  template (command output, feeds).
- naming a period of a per-period indicator: `period_label` (« 2024/2025 », « T1 2025 »,
  « janvier 2025 »), in the active language, for the pages, the charts and the open data.

Words go through Django's translation functions like every other word a person reads: this
module stays pure of the project (nothing imported from it), not of Django's i18n.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats, translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

NO_BREAK_SPACE = "\u00a0"
NARROW_NO_BREAK_SPACE = "\u202f"  # between thousands, before « ; ! ? % », inside « »
# Imprimerie nationale: a no-break space before « : », a narrow one before « ; ! ? % » and
# inside the guillemets; the space already there (or none) becomes the right one. Not after an
# opening bracket or another of these signs (« (%) », « ?! »), nor at the start of a text.
_PERCENT_SIGN = "\ue0ff"  # stands for « %% » (a literal « % ») while a message is typeset
_BEFORE_NARROW = re.compile(r"(?<=[^\s(\[;!?\u00a0\u202f])[ \u00a0\u202f]?([;!?%»\ue0ff])")
_AFTER_NARROW = re.compile(r"«[ \u00a0\u202f]?")
_BEFORE_COLON = re.compile(r"(?<=[^\s(\[])[ \u00a0\u202f]?:(?=\s|$)")
_URL = re.compile(r"\w+://\S+")
# Left as they are: addresses, HTML tags and entities (« &nbsp; »), and in a message of the
# catalogue its placeholders (« %(count)s », « %s », « {name} »).
_UNTOUCHED = re.compile(r"\w+://[^\s<>\"']+|<[^<>]*>|&#?\w+;")
_PLACEHOLDER = re.compile(
    r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[-#0+]*\d*(?:\.\d+)?[dfsr]|\{\w*\}"
)

_SPACES = {ord(char): None for char in " \u00a0\u202f\u2009\u2007"}  # incl. (narrow) no-break
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)")
_TIME_SUFFIX = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_FRENCH_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})" + _TIME_SUFFIX)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME_SUFFIX)
FIRST_YEAR, LAST_YEAR = 1900, 2200  # Excel knows no earlier date; later ones are typos


# --- Labels


def fold(text) -> str:
    """`text` without case, accents, spaces or punctuation: how headers and labels are matched."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(char for char in decomposed if char.isalnum()).casefold()


def sortable(text: str) -> str:
    """`text` without case or accents, spaces and punctuation kept: « Évaluation » sorts among
    the E, « Accès aux soins » before « Accessibilité »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# --- Reading


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
    """A number as French spreadsheets and people write it, or None for an empty cell or field.

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
    if isinstance(value, date):  # a datetime too: an Excel date cell, as openpyxl reads it
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


def to_decimal(value) -> Decimal | None:
    """Any value as a finite Decimal, None when it is not a number (nothing raised): what the
    pages show numbers from."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    # NaN and infinities cannot be rounded nor shown: treat them as unknown.
    return amount if amount.is_finite() else None


# --- Writing


def plain_number(value) -> int | Decimal | float | None:
    """A number without its storage's zeros: 70000 rather than 70000.0000.

    Whole values become integers, other decimals a normalised Decimal (1234.5); a float (a
    computed figure) is rounded to ten decimals, plenty, which hides float noise.
    """
    if value is None:
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 10)
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def number_text(value, *, grouping: bool = False) -> str:
    """A number in plain digits (« 70000 », « 1234.5 »), never in scientific notation; with
    `grouping`, thousands separated by commas (« 70,000.5 »)."""
    number = plain_number(value)
    if isinstance(number, int):
        return f"{number:,}" if grouping else str(number)
    return format(number, ",f" if grouping else "f")


def grouped_number(value) -> str:
    """A number as French typography writes it, whatever the active language: « 1 234,5 »,
    « 100 000 », thousands separated by narrow no-break spaces."""
    grouped = number_text(value, grouping=True)
    return grouped.replace(",", NARROW_NO_BREAK_SPACE).replace(".", ",")


def date_text(value: date) -> str:
    """« 31/12/2025 »."""
    return value.strftime("%d/%m/%Y")


def is_french() -> bool:
    """Whether the active language is French (the default one when none is active)."""
    return (translation.get_language() or "fr").startswith("fr")


def _with_first(format_string: str) -> str:
    """`format_string` (Django's date format syntax) with « 1er » for the day of the month:
    each unescaped « j » followed by an escaped « er »."""
    written, escaped = [], False
    for char in format_string:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "j":
            written.append(r"j\e\r")
            continue
        written.append(char)
    return "".join(written)


def format_date(value, format_name: str | None = None) -> str:
    """A date (or datetime) in the active language, in one of Django's named formats
    (« DATE_FORMAT » by default, « DATETIME_FORMAT »…) or a format string: « 31 août 2026 »,
    and « 1er septembre 2025 » for the first of a month in French (Django's French format,
    « j F Y », has no ordinal); « Sept. 1, 2025 » in English. A numeric format keeps its
    digits: « 01/09/2025 »."""
    format_string = formats.get_format(format_name or "DATE_FORMAT")
    if getattr(value, "day", None) == 1 and is_french():
        format_string = _with_first(format_string)
    return formats.date_format(value, _unbreakable(format_string))


# A day is never parted from its month, nor a month from its year, at the end of a line: the
# spaces around a month's name (« F », « E », « N », « M », « b ») become no-break spaces, in
# every language: « 1er septembre 2025 », « Sept. 1, 2025 ».
_AROUND_MONTH = re.compile(r"(?<=[jdSr]) (?=[FENMb])|(?<=[FENMb]) (?=[jdYy])")


def _unbreakable(format_string: str) -> str:
    return _AROUND_MONTH.sub(NO_BREAK_SPACE, format_string)


def _typeset(text: str) -> str:
    text = _BEFORE_NARROW.sub(NARROW_NO_BREAK_SPACE + r"\1", text)
    text = _AFTER_NARROW.sub("«" + NARROW_NO_BREAK_SPACE, text)
    return _BEFORE_COLON.sub(NO_BREAK_SPACE + ":", text)


def typeset(text: str, *, message: bool = False) -> str:
    """`text` as French typography writes it, whatever the active language: a narrow no-break
    space before « ; », « ! », « ? », « % » and « » » and after « « », a no-break space before
    « : » (the space written, if any, becomes that one). Addresses, HTML tags and entities are
    left alone; so are the placeholders of a `message` of the catalogue, whose « %% » is a « % »
    (`manage.py typeset_catalogue` writes the French catalogue with it)."""
    untouched = _UNTOUCHED.pattern + (f"|{_PLACEHOLDER.pattern}" if message else "")
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        # A private-use character stands for what is kept: it is neither a space nor a sign.
        kept.append(match.group())
        return chr(0xE000 + len(kept) - 1)

    text = re.sub(untouched, keep, str(text))
    if message:
        text = text.replace("%%", _PERCENT_SIGN)
    text = _typeset(text)
    if message:
        text = text.replace(_PERCENT_SIGN, "%%")
    return re.sub("[\ue000-\ue0fe]", lambda char: kept[ord(char.group()) - 0xE000], text)


def typography(text: str) -> str:
    """`text` as French typography writes it (`typeset`) when the active language is French;
    in another language `text` is returned as is."""
    text = str(text)
    return typeset(text) if is_french() else text


def format_number(value, decimals: int = 2) -> str:
    """A number in the active language, with grouped thousands and no useless decimals.

    `decimals` is the most decimals kept: 140000.0000 gives « 140 000 », 1234.5 « 1 234,5 ».
    Anything that is not a number gives an empty string, never « None ».
    """
    amount = to_decimal(value)
    if amount is None:
        return ""
    rounded = amount.quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_HALF_UP)
    # normalize() drops trailing zeros but may write 100 as 1E+2: quantize back to whole digits.
    exponent = rounded.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    rounded = rounded.quantize(Decimal(1).scaleb(-places))
    return formats.number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)


def format_percent(value, digits: int = 0) -> str:
    """A percentage rounded to the unit (or to `digits` decimals), a narrow no-break space
    before the sign in French (« 42 % », Imprimerie nationale) and none in English (« 42% »);
    empty when unknown."""
    text = format_number(value, digits)
    if not text:
        return ""
    return f"{text}{NARROW_NO_BREAK_SPACE}%" if is_french() else f"{text}%"


def format_quantity(value, unit: str = "") -> str:
    """A number followed by its unit, kept on one line: « 119 000 000 € », « 15 parcours »;
    a percentage as `format_percent` writes its sign (« 100 % » in French, « 100% » in English)."""
    text = format_number(value)
    if not text:
        return ""
    if not unit:
        return text
    if unit.startswith("%"):
        return f"{text}{NARROW_NO_BREAK_SPACE if is_french() else ''}{unit}"
    return f"{text}{NO_BREAK_SPACE}{unit}"


# --- Periods


def period_label(periodicity: str, start: date) -> str:
    """The name of the period of `periodicity` that starts on (or contains) `start`, in the
    active language: « 2024/2025 » for an academic year (September to August), « 2025 » for a
    calendar year, « T1 2025 » for a quarter (« Q1 2025 » in English), « janvier 2025 » for a
    month. The codes are those of `roadmap.progress.PERIODICITIES`."""
    if periodicity == "academic_year":
        first = start.year if start.month >= 9 else start.year - 1
        return f"{first}/{first + 1}"
    if periodicity == "year":
        return str(start.year)
    if periodicity == "quarter":
        # Translators: a quarter of a year, « T1 2025 » (trimestre); « Q1 2025 » in English.
        return _("T%(quarter)d %(year)d") % {
            "quarter": (start.month - 1) // 3 + 1,
            "year": start.year,
        }
    if periodicity == "month":
        return f"{MONTHS[start.month]} {start.year}"
    raise ValueError(f"unknown periodicity {periodicity!r}")
