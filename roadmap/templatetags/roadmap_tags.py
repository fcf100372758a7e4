"""Display helpers for the roadmap pages: numbers, percentages, status badges and the language
of the source's texts (`source_lang`).

Numbers are formatted in the active language (« 140 000 », « 119 000 000 € » in French): the
model stores Decimals with four decimal places, which must not leak onto the page as
« 140 000,0000 ». Rounding happens at display time, here and in `roadmap.french`, never in
`roadmap.progress`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from roadmap import french, models, progress, summaries
from roadmap.models import Status

register = template.Library()

NO_BREAK_SPACE = french.NO_BREAK_SPACE

# DSFR system badges, from good news to bad; statuses with no colour of their own stay grey.
STATUS_BADGE_CLASSES = {
    Status.NOT_STARTED.value: "",
    Status.IN_PROGRESS.value: "fr-badge--info",
    Status.AT_RISK.value: "fr-badge--warning",
    Status.LATE.value: "fr-badge--error",
    Status.DONE.value: "fr-badge--success",
    Status.ABANDONED.value: "",
}


@register.filter
def number(value, decimals: int = 2) -> str:
    """A number in the active locale, with grouped thousands and no useless decimals
    (`roadmap.french.format_number`): 140000.0000 gives « 140 000 », 1234.5 « 1 234,5 »."""
    return french.format_number(value, decimals)


@register.filter
def quantity(value, unit: str = "") -> str:
    """A number followed by its unit, kept on one line: « 119 000 000 € », « 15 parcours »."""
    return french.format_quantity(value, unit)


@register.filter
def estimate(value) -> Decimal | None:
    """A computed estimate (trajectory, forecast) rounded as a reader would say it: to the unit
    from 100 up (« 99 726 », not « 99 726,03 »), to a tenth below (« 1,6 parcours »)."""
    amount = french.to_decimal(value)
    if amount is None:
        return None
    places = Decimal(1) if abs(amount) >= 100 else Decimal("0.1")
    return amount.quantize(places, rounding=ROUND_HALF_UP)


@register.filter
def percent(value, digits: int = 0) -> str:
    """A percentage rounded to the unit (or to `digits` decimals): « 42 % » in French, a
    narrow no-break space before the sign (Imprimerie nationale), « 42% » in English; empty
    when unknown."""
    return french.format_percent(value, digits)


@register.simple_tag
def source_lang() -> str:
    """` lang="fr"` on an element holding the source's own text (a title, a description, an
    indicator's label, a source, a note) when the page is in another language: that text stays
    French whatever the interface's language, and screen readers must read it as French.
    Nothing on a French page, whose `<html lang="fr">` already says so."""
    return "" if french.is_french() else mark_safe(' lang="fr"')


@register.filter
def percent_value(value) -> str:
    """A percentage as a plain integer for the `value` attribute of a <progress> element."""
    amount = french.to_decimal(value)
    if amount is None:
        return "0"
    return str(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@register.filter
def status_badge_class(status: str) -> str:
    """The DSFR badge modifier of an action status (grey when unset or neutral)."""
    return STATUS_BADGE_CLASSES.get(status, "")


@register.filter
def status_name(status: str) -> str:
    """The name of a stored status: « En cours », « Non renseigné » when unset."""
    return models.status_name(status)


@register.filter
def axis_label(axis) -> str:
    """« Axe 2 – Prise en charge »."""
    return summaries.axis_label(axis)


@register.filter
def axis_heading(axis) -> str:
    """« Axe 2 – Prise en charge » as HTML for a page's text (not its <title>): on a page in
    another language, « Axis 2 – » is translated and the axis's own title, the source's words,
    is marked French (`lang="fr"`)."""
    if french.is_french():
        return summaries.axis_label(axis)
    # The translated pattern around the title, whatever its word order.
    before, _title, after = gettext("Axe %(number)s – %(title)s").partition("%(title)s")
    number = {"number": axis.number}
    return format_html(
        '{}<span lang="fr">{}</span>{}', before % number, axis.short_title, after % number
    )


@register.filter
def period_label(period, periodicity: str) -> str:
    """The name of a period (`progress.PeriodFigures`, or its first day) of an indicator of
    `periodicity`: « 2025/2026 » for an academic year."""
    if period is None or not periodicity:
        return ""
    start = getattr(period, "start", period)
    return french.period_label(periodicity, start)


@register.filter
def intermediate(next_target, indicator) -> bool:
    """Whether `next_target` (`progress.Target`) is an intermediate target of `indicator`,
    not its final one: the page then shows progress toward both."""
    if next_target is None or indicator.kind == progress.PER_PERIOD:
        return False
    return next_target.on != indicator.target_date


@register.filter
def dated_target(indicator, on):
    """The dated target (`models.Target`) of `indicator` on `on`, from its prefetched
    targets (`queries.with_definitions`), for its source and interpretation; else None."""
    if on is None:
        return None
    return next((target for target in indicator.targets.all() if target.on == on), None)


@register.filter
def past_periods(figures) -> list:
    """The periods of a per-period indicator that ended before the one a page leads with
    (`figures.period`), oldest first; empty for another kind."""
    return [
        period for period in figures.periods if period.state == "past" and period != figures.period
    ]
