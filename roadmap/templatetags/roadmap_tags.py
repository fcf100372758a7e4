"""Display helpers for the roadmap pages: numbers, percentages and status badges.

Numbers are formatted in the active language (« 140 000 », « 119 000 000 € » in French): the
model stores Decimals with four decimal places, which must not leak onto the page as
« 140 000,0000 ». Rounding happens here, at display time, never in `roadmap.progress`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats

from roadmap import summaries
from roadmap.models import Status

register = template.Library()

NO_BREAK_SPACE = "\u00a0"

# DSFR system badges, from good news to bad; statuses with no colour of their own stay grey.
STATUS_BADGE_CLASSES = {
    Status.NOT_STARTED.value: "",
    Status.IN_PROGRESS.value: "fr-badge--info",
    Status.AT_RISK.value: "fr-badge--warning",
    Status.LATE.value: "fr-badge--error",
    Status.DONE.value: "fr-badge--success",
    Status.ABANDONED.value: "",
}


def _as_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    # NaN and infinities cannot be rounded nor shown: treat them as unknown.
    return amount if amount.is_finite() else None


@register.filter
def number(value, decimals: int = 2) -> str:
    """A number in the active locale, with grouped thousands and no useless decimals.

    `decimals` is the most decimals kept: 140000.0000 gives « 140 000 », 1234.5 « 1 234,5 ».
    Anything that is not a number gives an empty string, never « None ».
    """
    amount = _as_decimal(value)
    if amount is None:
        return ""
    rounded = amount.quantize(Decimal(1).scaleb(-int(decimals)), rounding=ROUND_HALF_UP)
    # normalize() drops trailing zeros but may write 100 as 1E+2: quantize back to whole digits.
    exponent = rounded.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    rounded = rounded.quantize(Decimal(1).scaleb(-places))
    return formats.number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def quantity(value, unit: str = "") -> str:
    """A number followed by its unit, kept on one line: « 119 000 000 € », « 15 parcours »."""
    text = number(value)
    if not text:
        return ""
    return f"{text}{NO_BREAK_SPACE}{unit}" if unit else text


@register.filter
def estimate(value) -> Decimal | None:
    """A computed estimate (trajectory, forecast) rounded as a reader would say it: to the unit
    from 100 up (« 99 726 », not « 99 726,03 »), to a tenth below (« 1,6 parcours »)."""
    amount = _as_decimal(value)
    if amount is None:
        return None
    places = Decimal(1) if abs(amount) >= 100 else Decimal("0.1")
    return amount.quantize(places, rounding=ROUND_HALF_UP)


@register.filter
def percent(value) -> str:
    """A percentage rounded to the unit, French style: « 42 % »; empty when unknown."""
    text = number(value, 0)
    return f"{text}{NO_BREAK_SPACE}%" if text else ""


@register.filter
def percent_value(value) -> str:
    """A percentage as a plain integer for the `value` attribute of a <progress> element."""
    amount = _as_decimal(value)
    if amount is None:
        return "0"
    return str(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@register.filter
def status_badge_class(status: str) -> str:
    """The DSFR badge modifier of an action status (grey when unset or neutral)."""
    return STATUS_BADGE_CLASSES.get(status, "")


@register.filter
def axis_label(axis) -> str:
    """« Axe 2 – Prise en charge »."""
    return summaries.axis_label(axis)
