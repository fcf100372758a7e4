"""Indicator charts as plain geometry, for inline SVG drawn on the server.

A chart shows an indicator's measured values (the running total for a cumulative indicator),
its target, the trajectory from the baseline to the target and the forecast at the target
date. This module turns plain values into coordinates of an SVG viewBox, ticks for both axes and
the rows of the data table that goes with every chart; the template
`roadmap/partials/indicator_chart.html` draws them with SVG presentation attributes and CSS
classes (no JavaScript, no inline style, so a strict CSP holds) and formats numbers and dates in
the reader's language.

Pure like `roadmap.progress`, whose figures it reuses: standard library only, no Django, no ORM.
Coordinates are rounded to a tenth of a unit, which keeps the markup short and stable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from . import progress

__all__ = ["Chart", "Row", "Sample", "Segment", "Tick", "build_chart", "nice_step"]

Number = progress.Number

# The viewBox, and the plot area inside it (room on the left for « 500 000 », below for dates).
WIDTH = 640
HEIGHT = 280
LEFT = 76
RIGHT = WIDTH - 20
TOP = 16
BOTTOM = HEIGHT - 36

# About this many gridlines on the value axis, and at most this many dates on the time axis.
VALUE_TICKS = 4
MAX_DATE_TICKS = 6
# Month steps tried for the time axis, smallest first; from 12 on, ticks fall on 1 January.
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)
# A chart of a single date is widened by this much on each side, so the point is not on an edge.
SINGLE_DATE_PADDING = timedelta(days=90)
# A forecast far beyond everything else would flatten the chart: the value axis stops at this
# many times the other values, and the forecast line is cut at the top of the plot.
FORECAST_HEADROOM = 2.0

YEAR = "year"
MONTH = "month"
DAY = "day"


@dataclass(frozen=True)
class Sample:
    """One measurement as the chart needs it."""

    on: date
    value: Number
    source: str = ""


@dataclass(frozen=True)
class Tick:
    """A gridline: its value (a number or a date) and its position (y or x) in the viewBox."""

    value: float | date
    position: float


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Row:
    """One measurement in the chart and in its data table."""

    on: date
    measured: float  # the value as recorded
    value: float  # the value plotted: the running total for a cumulative indicator
    expected: float | None  # where the trajectory stands on that date
    source: str
    x: float
    y: float


@dataclass(frozen=True)
class Chart:
    ident: str
    label: str
    unit: str
    kind: str
    target: float | None
    target_date: date | None
    baseline: float | None
    baseline_date: date | None
    figures: progress.IndicatorFigures
    rows: list[Row]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    x_tick_format: str  # YEAR, MONTH or DAY: how the template writes the dates of the x axis
    target_y: float | None
    trajectory: Segment | None
    forecast: Segment | None
    forecast_clipped: bool
    today_x: float | None
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    top: int = TOP
    bottom: int = BOTTOM

    @property
    def drawable(self) -> bool:
        """Whether there is anything to draw: a measured value or a trajectory."""
        return bool(self.rows) or self.trajectory is not None

    @property
    def polyline(self) -> str:
        """The measured values as the `points` of an SVG polyline."""
        return " ".join(f"{_fmt(row.x)},{_fmt(row.y)}" for row in self.rows)

    @property
    def is_cumulative(self) -> bool:
        return self.kind == progress.CUMULATIVE


def _fmt(value: float) -> str:
    # 12.0 -> "12", 12.5 -> "12.5": SVG wants a dot, whatever the reader's language.
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _round(value: float) -> float:
    return round(value, 1)


def nice_step(raw: float) -> float:
    """The gridline step closest above `raw` among 1, 2, 2.5 and 5 times a power of ten."""
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    exponent = math.floor(math.log10(raw))
    base = 10.0**exponent
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        # A small tolerance: 0.3 / 0.1 is 2.9999999999999996, which must give 5 and not 10.
        if raw <= factor * base * (1 + 1e-9):
            return factor * base
    return 10.0 * base  # pragma: no cover - the loop always returns


def _value_scale(values: Sequence[float]) -> tuple[float, float, list[float]]:
    low = min(0.0, *values)
    high = max(0.0, *values)
    if high == low:
        high = low + 1.0
    step = nice_step((high - low) / VALUE_TICKS)
    low = math.floor(low / step + 1e-9) * step
    high = math.ceil(high / step - 1e-9) * step
    count = round((high - low) / step)
    # Rounded so that 0.1 + 0.2 shows as 0.3 on the axis.
    ticks = [round(low + index * step, 10) for index in range(count + 1)]
    return low, high, ticks


def _month_ticks(low: date, high: date, step: int) -> list[date]:
    ticks = []
    year, month = low.year, low.month
    if low.day > 1:
        month += 1
    while True:
        if month > 12:
            year, month = year + 1, month - 12
        tick = date(year, month, 1)
        if tick > high:
            return ticks
        months = year * 12 + month - 1
        if months % step == 0:
            ticks.append(tick)
        month += 1


def _date_ticks(low: date, high: date) -> tuple[list[date], str]:
    for step in MONTH_STEPS:
        ticks = _month_ticks(low, high, step)
        if len(ticks) <= MAX_DATE_TICKS:
            if len(ticks) >= 2:
                return ticks, YEAR if step >= 12 else MONTH
            break
    # Too short a span for two month starts: the two ends, to the day.
    return [low, high], DAY


def _plotted(kind: str, baseline: float | None, samples: Sequence[Sample]) -> list[tuple]:
    """(sample, plotted value) by date; a cumulative indicator plots its running total."""
    ordered = sorted(enumerate(samples), key=lambda item: (item[1].on, item[0]))
    plotted = []
    total = baseline or 0.0
    for _, sample in ordered:
        measured = float(sample.value)
        if kind == progress.CUMULATIVE:
            total += measured
            plotted.append((sample, measured, total))
        else:
            plotted.append((sample, measured, measured))
    return plotted


def _clip(start: tuple[float, float], end: tuple[float, float], low: float, high: float):
    """Cut the line from `start` to `end` (date offset, value) where it leaves [low, high]."""
    (x0, v0), (x1, v1) = start, end
    limit = high if v1 > high else low if v1 < low else None
    if limit is None or v1 == v0:
        return end, False
    share = (limit - v0) / (v1 - v0)
    return (x0 + (x1 - x0) * share, limit), True


@dataclass(frozen=True)
class _Frame:
    """The dates and values a chart spans, and where they fall in the viewBox."""

    first: date
    span: int  # days from `first` to the last date shown
    low: float
    high: float
    value_ticks: list[float]

    def x_at(self, days: float) -> float:
        return _round(LEFT + days / self.span * (RIGHT - LEFT))

    def x_of(self, day: date) -> float:
        return self.x_at((day - self.first).days)

    def y_of(self, value: float) -> float:
        return _round(BOTTOM - (value - self.low) / (self.high - self.low) * (BOTTOM - TOP))


def _frame(dates: list[date], values: list[float]) -> _Frame:
    first, last = min(dates), max(dates)
    if first == last:
        first, last = first - SINGLE_DATE_PADDING, last + SINGLE_DATE_PADDING
    low, high, value_ticks = _value_scale(values)
    return _Frame(first, (last - first).days, low, high, value_ticks)


def _forecast(frame: _Frame, last_row: Row, target_date: date, forecast: float):
    """The forecast line from the last value to the target date, cut at the plot's edge."""
    origin = ((last_row.on - frame.first).days, last_row.value)
    (end_days, end_value), clipped = _clip(
        origin, ((target_date - frame.first).days, forecast), frame.low, frame.high
    )
    return Segment(last_row.x, last_row.y, frame.x_at(end_days), frame.y_of(end_value)), clipped


def _rows(frame: _Frame, plotted: list[tuple], *trajectory) -> list[Row]:
    """The rows of the data table; `trajectory` is (baseline date, baseline, target date,
    target), for where the trajectory stands on each date."""
    return [
        Row(
            on=sample.on,
            measured=measured,
            value=value,
            expected=progress.trajectory_value(*trajectory, sample.on),
            source=sample.source,
            x=frame.x_of(sample.on),
            y=frame.y_of(value),
        )
        for sample, measured, value in plotted
    ]


def _nothing_drawn() -> dict:
    """The geometry of a chart with neither a measurement nor a trajectory."""
    return {
        "rows": [],
        "y_ticks": [],
        "x_ticks": [],
        "x_tick_format": DAY,
        "target_y": None,
        "trajectory": None,
        "forecast": None,
        "forecast_clipped": False,
        "today_x": None,
    }


def build_chart(
    *, ident: str, label: str, unit: str, samples: Sequence[Sample], today: date, **definition
) -> Chart:
    """The chart of one indicator; `Chart.drawable` says whether there is anything to draw.

    `definition` is the indicator as `progress.evaluate_indicator` takes it (kind, direction,
    baseline and target with their dates), whose figures the chart shows.
    """
    kind, baseline, target = definition["kind"], definition["baseline"], definition["target"]
    baseline_date, target_date = definition["baseline_date"], definition["target_date"]
    start = None if baseline is None else float(baseline)
    goal = None if target is None else float(target)
    figures = progress.evaluate_indicator(
        **definition,
        points=[progress.Point(sample.on, sample.value) for sample in samples],
        today=today,
    )
    plotted = _plotted(kind, start, samples)
    has_trajectory = (
        baseline_date is not None
        and target_date is not None
        and goal is not None
        and target_date > baseline_date
    )
    described = {
        "ident": ident,
        "label": label,
        "unit": unit,
        "kind": kind,
        "target": goal,
        "target_date": target_date,
        "baseline": start,
        "baseline_date": baseline_date,
        "figures": figures,
    }
    if not plotted and not has_trajectory:
        return Chart(**described, **_nothing_drawn())

    dates = [sample.on for sample, _, _ in plotted]
    dates += [day for day in (baseline_date, target_date) if day is not None]
    values = [value for _, _, value in plotted]
    values += [value for value in (goal, start) if value is not None]
    shown_forecast = None
    if figures.forecast is not None and plotted and target_date is not None:
        shown_forecast = figures.forecast
        ceiling = max(abs(value) for value in values) * FORECAST_HEADROOM
        values.append(max(-ceiling, min(ceiling, shown_forecast)) if ceiling else shown_forecast)
    frame = _frame(dates, values)
    x_of, y_of = frame.x_of, frame.y_of

    rows = _rows(frame, plotted, baseline_date, baseline, target_date, target)
    trajectory = None
    if has_trajectory:
        trajectory = Segment(x_of(baseline_date), y_of(start or 0.0), x_of(target_date), y_of(goal))
    forecast, clipped = None, False
    if shown_forecast is not None:
        forecast, clipped = _forecast(frame, rows[-1], target_date, shown_forecast)

    last = frame.first + timedelta(days=frame.span)
    date_ticks, date_format = _date_ticks(frame.first, last)
    return Chart(
        **described,
        rows=rows,
        y_ticks=[Tick(value, y_of(value)) for value in frame.value_ticks],
        x_ticks=[Tick(day, x_of(day)) for day in date_ticks],
        x_tick_format=date_format,
        target_y=None if goal is None else y_of(goal),
        trajectory=trajectory,
        forecast=forecast,
        forecast_clipped=clipped,
        today_x=x_of(today) if frame.first <= today <= last else None,
    )
