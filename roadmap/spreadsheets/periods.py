"""The « Périodes » sheet: each period of every per-period indicator against its own target.

Derived data, export only (docs/contract.md): one row per period, computed with the figures of
the pages (`summaries.summarise_indicators`, hence `progress.evaluate_periods`), for retired
indicators too (their periods stay history, as in the JSON). The workbook carries it as a sixth
sheet and `/donnees/periodes.csv` on its own; the import never reads it (`reading` skips the
sheet in a workbook and refuses it as a CSV, with a French message saying why).

Everything is read in a fixed number of queries, whatever the size of the roadmap.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from roadmap import progress
from roadmap.models import Indicator, Roadmap
from roadmap.opendata import period_label
from roadmap.queries import ROADMAP_INDICATOR_ORDER, readings_of, with_definitions
from roadmap.summaries import summarise_indicators


@dataclass(frozen=True)
class DerivedSheet:
    """A sheet the exports write and the import never reads: its name, CSV slug, columns."""

    name: str
    slug: str
    columns: list[str]


PERIODS = DerivedSheet(
    name="Périodes",
    slug="periodes",
    columns=[
        "Indicateur",
        "Période",
        "Début",
        "Fin",
        "Cible",
        "Valeur",
        "Avancement",
        "État",
        "Atteinte",
    ],
)

# Written in French whatever the reader's language, like the labels of the other sheets.
STATES = {
    "past": _("passée"),
    "current": _("en cours"),
    "future": _("à venir"),
}
REACHED = {True: _("oui"), False: _("non"), None: ""}


def _figure(value: float | None, places: int | None = None) -> int | Decimal | None:
    """A computed figure as the sheets write numbers: whole as an integer, else an exact
    decimal (the float's shortest spelling), rounded to `places` when given."""
    if value is None:
        return None
    if places is not None:
        value = round(value, places)
    if float(value).is_integer():
        return int(value)
    return Decimal(repr(float(value)))


def period_rows(roadmap: Roadmap | None, today: datetime.date) -> list[list]:
    """The rows of the Périodes sheet, by axis, action and the indicators' order, then period:
    Indicateur (code), Période, Début, Fin, Cible, Valeur, Avancement (percent, to a tenth),
    État, Atteinte (for a past period: « oui », « non », empty when nothing was measured)."""
    if roadmap is None:
        return []
    indicators = with_definitions(
        Indicator.objects.filter(roadmap=roadmap, kind=progress.PER_PERIOD).order_by(
            *ROADMAP_INDICATOR_ORDER
        ),
        measurements=False,
    )
    readings = readings_of(indicator__roadmap=roadmap, indicator__kind=progress.PER_PERIOD)
    rows = []
    with translation.override("fr"):
        for summary in summarise_indicators(indicators, today, readings):
            indicator = summary.indicator
            rows.extend(
                [
                    indicator.code,
                    period_label(indicator.periodicity, period.start),
                    period.start,
                    period.end,
                    _figure(period.target),
                    _figure(period.value),
                    _figure(period.progress, 1),
                    str(STATES[period.state]),
                    str(REACHED[period.reached]),
                ]
                for period in summary.figures.periods
            )
    return rows
