"""Indicator charts as plain geometry, for inline SVG drawn on the server.

Two charts:

- `build_chart`: an indicator's measured values (the running total for a cumulative indicator),
  its final target, the trajectory from the baseline through every dated target, each dated
  target marked, and the forecast at the next target's date (none once the final target date
  has passed);
- `build_period_chart`: a per-period indicator as a small bar per period against that
  period's own target (a tick per bar, since targets may differ), the current period
  highlighted, the periods to come empty.

This module turns plain values into coordinates of an SVG viewBox, ticks for the axes and the
rows of the data table that goes with every chart; the templates
`roadmap/partials/indicator_chart.html` and `roadmap/partials/period_chart.html` draw them with
SVG presentation attributes and CSS classes (no JavaScript, no inline style, so a strict CSP
holds) and format numbers and dates in the reader's language.

Built on `roadmap.progress`, whose figures it reuses, and `roadmap.french` for the names of the
periods; no ORM. Coordinates are rounded to a tenth of a unit, which keeps the markup short and
stable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from . import french, progress

__all__ = [
    "Bar",
    "Chart",
    "Mark",
    "PeriodChart",
    "Row",
    "Sample",
    "Segment",
    "Tick",
    "build_chart",
    "build_period_chart",
    "nice_step",
]

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

# Half the width of the diamond that marks a dated target.
MARK_RADIUS = 6

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
class Mark:
    """A point of the trajectory or a dated target: its date, its value and where it falls.

    ``final`` marks the final target (the indicator's own target date)."""

    on: date
    value: float
    x: float
    y: float
    final: bool = False

    @property
    def diamond(self) -> str:
        """A small diamond around the point, as the `points` of an SVG polygon."""
        r = MARK_RADIUS
        corners = ((self.x, self.y - r), (self.x + r, self.y), (self.x, self.y + r))
        corners += ((self.x - r, self.y),)
        return " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in corners)


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
    trajectory: tuple[Mark, ...]  # the baseline then each dated target; empty: no trajectory
    targets: tuple[Mark, ...]  # every dated target, intermediate ones and the final one
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
        return bool(self.rows) or bool(self.trajectory)

    @property
    def polyline(self) -> str:
        """The measured values as the `points` of an SVG polyline."""
        return _points(self.rows)

    @property
    def trajectory_polyline(self) -> str:
        """The trajectory as the `points` of an SVG polyline."""
        return _points(self.trajectory)

    @property
    def ended(self) -> bool:
        """Whether the final target date has passed (then no forecast, but reached or not).
        A per-period indicator says so period by period, on its `PeriodChart`."""
        return self.figures.ended and not self.figures.periods

    @property
    def forecast_shown(self) -> bool:
        """Whether the words under the chart give a forecast: not once ended, and not for a
        per-period indicator, whose forecast is its current period's (`PeriodChart`)."""
        return self.figures.forecast is not None and not self.ended and not self.figures.periods

    @property
    def forecast_date(self) -> date | None:
        """The date the forecast is at: the next target's."""
        upcoming = self.figures.next_target
        return None if upcoming is None else upcoming.on

    @property
    def intermediate_targets(self) -> tuple[Mark, ...]:
        return tuple(mark for mark in self.targets if not mark.final)

    @property
    def is_cumulative(self) -> bool:
        return self.kind == progress.CUMULATIVE


def _points(items) -> str:
    return " ".join(f"{_fmt(item.x)},{_fmt(item.y)}" for item in items)


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


def _rows(frame: _Frame, plotted: list[tuple], knots: list[tuple[date, float]]) -> list[Row]:
    """The rows of the data table, with where the trajectory through `knots` stands on each
    date."""
    return [
        Row(
            on=sample.on,
            measured=measured,
            value=value,
            expected=progress.trajectory_through(knots, sample.on),
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
        "trajectory": (),
        "targets": (),
        "forecast": None,
        "forecast_clipped": False,
        "today_x": None,
    }


def build_chart(
    *, ident: str, label: str, unit: str, samples: Sequence[Sample], today: date, **definition
) -> Chart:
    """The chart of one indicator; `Chart.drawable` says whether there is anything to draw.

    `definition` is the indicator as `progress.evaluate_indicator` takes it (kind, direction,
    baseline and target with their dates, dated targets, periods), whose figures the chart
    shows. A per-period indicator with periods has no trajectory here (each period has its
    own: `build_period_chart`): its values are drawn against its recurring target.
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
    knots, dated = [], []
    if not figures.periods:
        knots = progress.trajectory_knots(
            baseline, baseline_date, target, target_date, definition.get("targets", ())
        )
        dated = [
            t
            for t in progress.held_targets(
                baseline_date, target, target_date, definition.get("targets", ())
            )
            if t.on is not None
        ]
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
    if not plotted and not knots:
        return Chart(**described, **_nothing_drawn())

    dates = [sample.on for sample, _, _ in plotted]
    dates += [day for day, _ in knots] + [t.on for t in dated]
    dates += [day for day in (baseline_date, target_date) if day is not None]
    values = [value for _, _, value in plotted]
    values += [value for _, value in knots] + [float(t.value) for t in dated]
    values += [value for value in (goal, start) if value is not None]
    shown_forecast = None
    forecast_on = None if figures.next_target is None else figures.next_target.on
    if (
        figures.forecast is not None
        and plotted
        and knots
        and forecast_on is not None
        and forecast_on >= plotted[-1][0].on
    ):
        shown_forecast = figures.forecast
        ceiling = max(abs(value) for value in values) * FORECAST_HEADROOM
        values.append(max(-ceiling, min(ceiling, shown_forecast)) if ceiling else shown_forecast)
    frame = _frame(dates, values)
    x_of, y_of = frame.x_of, frame.y_of

    rows = _rows(frame, plotted, knots)
    trajectory = tuple(Mark(day, value, x_of(day), y_of(value)) for day, value in knots)
    final = len(dated) - 1 if target_date is not None and goal is not None else None
    targets = tuple(
        Mark(t.on, float(t.value), x_of(t.on), y_of(float(t.value)), final=index == final)
        for index, t in enumerate(dated)
    )
    forecast, clipped = None, False
    if shown_forecast is not None:
        forecast, clipped = _forecast(frame, rows[-1], forecast_on, shown_forecast)

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
        targets=targets,
        forecast=forecast,
        forecast_clipped=clipped,
        today_x=x_of(today) if frame.first <= today <= last else None,
    )


# --- Per-period charts

# Bars take this share of their slot; never wider than this, so five years do not look like
# a wall.
BAR_SHARE = 0.6
MAX_BAR_WIDTH = 56
# How far a period's target tick reaches beyond its bar, on each side.
TICK_OVERHANG = 6
# About the width a period's name takes under its bar (« 2024/2025 », « janvier 2025 »): with
# more periods than fit, only every n-th is named on the axis (the table names them all).
LABEL_WIDTH = 84


@dataclass(frozen=True)
class Bar:
    """One period of a per-period indicator: its figures, its name and its bar.

    ``y`` and ``height`` are those of the bar (``None`` and 0 when nothing was measured: a
    period to come is shown empty); ``target_y`` is where the period's target tick is drawn,
    from ``x - TICK_OVERHANG`` to ``x + width + TICK_OVERHANG``.
    """

    period: progress.PeriodFigures
    label: str
    x: float
    width: float
    y: float | None
    height: float
    target_y: float | None
    centre: float
    named: bool  # whether its name is written under it on the axis
    base_y: float  # where the bars stand: the zero line, or the bottom of the plot

    @property
    def outline_y(self) -> float:
        """The top of the empty outline of a period to come (from its base to its target)."""
        return self.base_y if self.target_y is None else min(self.target_y, self.base_y)

    @property
    def outline_height(self) -> float:
        return 0.0 if self.target_y is None else _round(abs(self.base_y - self.target_y))

    @property
    def state(self) -> str:
        return self.period.state

    @property
    def measured(self) -> bool:
        return self.period.value is not None

    @property
    def tick_x1(self) -> float:
        return _round(self.x - TICK_OVERHANG)

    @property
    def tick_x2(self) -> float:
        return _round(self.x + self.width + TICK_OVERHANG)


@dataclass(frozen=True)
class PeriodChart:
    ident: str
    label: str
    unit: str
    periodicity: str
    figures: progress.IndicatorFigures
    bars: tuple[Bar, ...]
    y_ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    top: int = TOP
    bottom: int = BOTTOM

    @property
    def drawable(self) -> bool:
        return bool(self.bars)

    @property
    def current(self) -> Bar | None:
        """The bar of the period containing today, if the span has one."""
        return next((bar for bar in self.bars if bar.state == "current"), None)

    @property
    def measured(self) -> tuple[Bar, ...]:
        return tuple(bar for bar in self.bars if bar.measured)

    @property
    def past(self) -> tuple[Bar, ...]:
        return tuple(bar for bar in self.bars if bar.state == "past")

    @property
    def reached_count(self) -> int:
        """How many past periods reached their target."""
        return sum(1 for bar in self.past if bar.period.reached)

    @property
    def ended(self) -> bool:
        """Whether the span is over: the last period has passed (then no forecast)."""
        return self.figures.ended

    @property
    def last(self) -> Bar | None:
        return self.bars[-1] if self.bars else None

    @property
    def same_target(self) -> bool:
        """Whether every period is held against the same target (one value to state)."""
        return len({bar.period.target for bar in self.bars}) <= 1


def build_period_chart(
    *,
    ident: str,
    label: str,
    unit: str,
    figures: progress.IndicatorFigures,
    periodicity: str,
) -> PeriodChart:
    """The bars of a per-period indicator, from its evaluated figures (`figures.periods`,
    `progress.evaluate_indicator` with a periodicity): one bar per period of its span, each
    against its own target."""
    periods = figures.periods
    if not periods:
        return PeriodChart(ident, label, unit, periodicity, figures, (), [])
    values = [p.value for p in periods if p.value is not None]
    values += [p.target for p in periods if p.target is not None]
    low, high, value_ticks = _value_scale(values or [0.0])

    def y_of(value: float) -> float:
        return _round(BOTTOM - (value - low) / (high - low) * (BOTTOM - TOP))

    slot = (RIGHT - LEFT) / len(periods)
    width = min(slot * BAR_SHARE, MAX_BAR_WIDTH)
    every = max(1, math.ceil(LABEL_WIDTH / slot))
    zero = y_of(max(low, min(0.0, high)))
    bars = []
    for index, period in enumerate(periods):
        x = LEFT + index * slot + (slot - width) / 2
        top = None if period.value is None else y_of(period.value)
        bars.append(
            Bar(
                period=period,
                label=french.period_label(periodicity, period.start),
                x=_round(x),
                width=_round(width),
                y=None if top is None else min(top, zero),
                height=0.0 if top is None else _round(abs(zero - top)),
                target_y=None if period.target is None else y_of(period.target),
                centre=_round(x + width / 2),
                named=index % every == 0,
                base_y=zero,
            )
        )
    return PeriodChart(
        ident=ident,
        label=label,
        unit=unit,
        periodicity=periodicity,
        figures=figures,
        bars=tuple(bars),
        y_ticks=[Tick(value, y_of(value)) for value in value_ticks],
    )
