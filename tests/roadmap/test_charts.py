"""Tests of the indicator charts: the geometry (roadmap.charts, pure) and the SVG drawn from it.

The geometry is checked against values computed by hand from the plot area of the viewBox; the
markup is checked for what a strict CSP and assistive technologies require: no script, no inline
style, a <title>, a <desc> in words, and the data again as a table.
"""

from __future__ import annotations

import datetime
import re
from datetime import date

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from roadmap import charts, progress
from roadmap.charts import BOTTOM, LEFT, RIGHT, TOP, Mark, Sample, build_chart, nice_step
from roadmap.models import Measurement
from roadmap.summaries import indicator_chart
from tests.support.html import NBSP, element, text

PLOT_WIDTH = RIGHT - LEFT
PLOT_HEIGHT = BOTTOM - TOP


def five_years(samples=(), **overrides):
    """The seed's « 500 000 learners over 5 years »: cumulative, from 0 on 1 September 2024."""
    values = {
        "ident": "x",
        "label": "Apprenants formés sur 5 ans",
        "unit": "apprenants",
        "kind": progress.CUMULATIVE,
        "direction": progress.HIGHER,
        "baseline": 0,
        "baseline_date": date(2024, 9, 1),
        "target": 500_000,
        "target_date": date(2029, 8, 31),
        "samples": list(samples),
        "today": date(2026, 1, 1),
    }
    return build_chart(**values | overrides)


# --- Geometry ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "step"),
    [(0.3, 0.5), (1, 1), (1.2, 2), (2.2, 2.5), (3, 5), (7, 10), (125_000, 200_000), (0, 1.0)],
)
def test_gridlines_fall_on_round_numbers(raw, step):
    assert nice_step(raw) == pytest.approx(step)


def test_a_cumulative_indicator_plots_the_running_total_of_its_measurements():
    chart = five_years(
        [
            Sample(date(2026, 8, 31), 90_000, "DGOS 2026"),
            Sample(date(2025, 8, 31), 70_000, "DGOS 2025"),
        ]
    )

    # rows come by date, each with its own value, the total so far and its source
    assert [(row.on, row.measured, row.value, row.source) for row in chart.rows] == [
        (date(2025, 8, 31), 70_000, 70_000, "DGOS 2025"),
        (date(2026, 8, 31), 90_000, 160_000, "DGOS 2026"),
    ]
    # the value axis goes from 0 to 600 000 by 200 000: the target fits, on round numbers
    assert [tick.value for tick in chart.y_ticks] == [0, 200_000, 400_000, 600_000]
    assert [tick.position for tick in chart.y_ticks] == [BOTTOM, 168.0, 92.0, TOP]
    # the time axis spans baseline to target date: five years, one tick each 1 January
    span = (date(2029, 8, 31) - date(2024, 9, 1)).days
    assert chart.x_tick_format == charts.YEAR
    assert [tick.value for tick in chart.x_ticks] == [date(y, 1, 1) for y in range(2025, 2030)]
    first_tick = LEFT + (date(2025, 1, 1) - date(2024, 9, 1)).days / span * PLOT_WIDTH
    assert chart.x_ticks[0].position == round(first_tick, 1)
    # each point sits where its date and running total say
    for row in chart.rows:
        x = LEFT + (row.on - date(2024, 9, 1)).days / span * PLOT_WIDTH
        y = BOTTOM - row.value / 600_000 * PLOT_HEIGHT
        assert (row.x, row.y) == (round(x, 1), round(y, 1))
    assert (
        chart.polyline == f"{chart.rows[0].x},{chart.rows[0].y} {chart.rows[1].x},{chart.rows[1].y}"
    )


def test_the_trajectory_goes_from_the_baseline_to_the_target_and_each_row_says_where_it_stood():
    chart = five_years([Sample(date(2025, 8, 31), 70_000)])

    top = round(BOTTOM - 500 / 600 * PLOT_HEIGHT, 1)
    assert chart.trajectory == (
        Mark(date(2024, 9, 1), 0.0, LEFT, BOTTOM),
        Mark(date(2029, 8, 31), 500_000.0, RIGHT, top),
    )
    assert chart.trajectory_polyline == "76,244 620,54"
    # the final target is marked where the trajectory ends, on the target line
    assert chart.targets == (Mark(date(2029, 8, 31), 500_000.0, RIGHT, top, final=True),)
    assert chart.intermediate_targets == ()
    assert chart.target_y == top
    (row,) = chart.rows
    assert row.expected == progress.trajectory_value(
        date(2024, 9, 1), 0, date(2029, 8, 31), 500_000, date(2025, 8, 31)
    )
    assert round(row.expected) == 99_726


def test_the_forecast_runs_from_the_last_value_to_the_target_date():
    chart = five_years([Sample(date(2025, 8, 31), 70_000)])

    assert chart.figures.forecast == pytest.approx(70_000 * 1825 / 364)
    assert chart.forecast.x1 == chart.rows[0].x
    assert chart.forecast.y1 == chart.rows[0].y
    assert chart.forecast.x2 == RIGHT
    assert chart.forecast.y2 == round(BOTTOM - chart.figures.forecast / 600_000 * PLOT_HEIGHT, 1)
    assert not chart.forecast_clipped


def test_a_runaway_forecast_is_cut_at_the_top_of_the_plot_rather_than_flattening_it():
    # 100 000 in the first ten days: at that pace, 18 million at the target date
    chart = five_years([Sample(date(2024, 9, 11), 100_000)])

    assert chart.figures.forecast > 10_000_000
    # the value axis stops at twice the largest other value (the 500 000 target)
    assert chart.y_ticks[-1].value == 1_000_000
    assert chart.forecast_clipped
    assert chart.forecast.y2 == TOP
    assert chart.rows[0].x < chart.forecast.x2 < RIGHT


def test_today_is_marked_only_inside_the_time_axis():
    assert five_years(today=date(2026, 1, 1)).today_x is not None
    assert five_years(today=date(2031, 1, 1)).today_x is None


def test_an_indicator_with_neither_value_nor_dates_has_nothing_to_draw():
    chart = five_years(baseline_date=None, target_date=None)

    assert not chart.drawable
    assert chart.rows == chart.y_ticks == chart.x_ticks == []
    assert chart.trajectory == chart.targets == ()


def test_a_level_indicator_without_dates_plots_its_values_against_its_target():
    chart = five_years(
        [Sample(date(2025, 3, 1), 4), Sample(date(2026, 3, 1), 9)],
        kind=progress.LEVEL,
        target=15,
        baseline_date=None,
        target_date=None,
    )

    assert chart.drawable
    assert [row.value for row in chart.rows] == [4, 9]
    assert chart.trajectory == () and chart.forecast is None
    assert [tick.value for tick in chart.y_ticks] == [0, 5, 10, 15]
    assert chart.target_y == TOP
    # a year: one tick a quarter, written as months
    assert chart.x_tick_format == charts.MONTH
    assert [tick.value.month for tick in chart.x_ticks] == [4, 7, 10, 1]
    assert (chart.rows[0].x, chart.rows[-1].x) == (LEFT, RIGHT)


def test_a_single_measurement_is_centred_on_a_widened_time_axis():
    chart = five_years(
        [Sample(date(2025, 6, 30), 35_000)],
        kind=progress.PER_PERIOD,
        target=70_000,
        baseline_date=None,
        target_date=None,
    )

    assert chart.rows[0].x == round((LEFT + RIGHT) / 2, 1)
    assert len(chart.x_ticks) >= 2


def test_a_short_span_is_labelled_day_by_day():
    chart = five_years(
        [Sample(date(2025, 6, 2), 1), Sample(date(2025, 6, 20), 2)],
        kind=progress.LEVEL,
        baseline_date=None,
        target_date=None,
    )

    assert chart.x_tick_format == charts.DAY
    assert [tick.value for tick in chart.x_ticks] == [date(2025, 6, 2), date(2025, 6, 20)]


def test_a_lower_is_better_indicator_keeps_zero_on_its_value_axis():
    chart = five_years(
        [Sample(date(2025, 9, 1), 80)],
        kind=progress.LEVEL,
        direction=progress.LOWER,
        baseline=100,
        target=50,
    )

    assert chart.y_ticks[0].value == 0
    first, last = chart.trajectory
    assert first.y < last.y  # the line goes down, on screen too


# --- Drawing -------------------------------------------------------------------------------------


@pytest.fixture
def measured(ia_2_1):
    """The seed's « 500 000 sur 5 ans », the sum of the learners of each academic year, with
    two years measured (on the yearly indicator it adds up)."""
    yearly = ia_2_1.indicators.get(code="IA2-1-APP-AN")
    for on, value, source in (
        (date(2025, 8, 31), 70_000, "DGOS, bilan 2024-2025"),
        (date(2026, 8, 31), 90_000, "DGOS, bilan 2025-2026"),
    ):
        Measurement.objects.create(indicator=yearly, date=on, value=value, source=source)
    return ia_2_1.indicators.get(code="IA2-1-APP-5ANS")


def render_chart(indicator) -> str:
    with translation.override("fr"):
        return render_to_string(
            "roadmap/partials/indicator_chart.html", {"chart": indicator_chart(indicator)}
        )


def test_the_chart_is_inline_svg_with_a_title_a_description_and_no_script_nor_style(measured):
    html = render_chart(measured)

    svg = element(html, f"graphique-{measured.pk}")
    assert '<svg class="app-chart__svg" xmlns="http://www.w3.org/2000/svg"' in svg
    assert 'role="img"' in svg
    assert f'aria-labelledby="graphique-{measured.pk}-titre graphique-{measured.pk}-desc"' in svg
    title = element(html, f"graphique-{measured.pk}-titre")
    assert text(title) == f"Graphique : {measured.label}"
    desc = text(element(html, f"graphique-{measured.pk}-desc"))
    expected = progress.trajectory_value(
        measured.baseline_date, 0, measured.target_date, 500_000, date(2026, 8, 31)
    )
    assert f"Cible : 500{NBSP}000{NBSP}apprenants au 31 août 2029." in desc
    assert (
        f"Dernière valeur : 160{NBSP}000{NBSP}apprenants au 31 août 2026, soit 32{NBSP}% du chemin"
        in desc
    )
    assert (
        f"hors trajectoire : la trajectoire attendait {round(expected):,}".replace(",", NBSP)
        in desc
    )
    assert "Au rythme constaté, la valeur atteindrait" in desc
    # a strict CSP: nothing inline, nothing that runs
    assert "<script" not in html
    assert "style=" not in html
    assert " on" not in re.sub(r'"[^"]*"', '""', html)  # no onload=, onclick=, …


def test_coordinates_are_written_with_a_dot_whatever_the_language(measured):
    html = render_chart(measured)

    svg = element(html, f"graphique-{measured.pk}")
    for name, value in re.findall(r'\b(x1|x2|y1|y2|cx|cy|x|y)="([^"]*)"', svg):
        assert re.fullmatch(r"-?\d+(\.\d+)?", value), (name, value)
    points = re.search(r'<polyline[^>]+points="([^"]+)"', svg).group(1)
    assert re.fullmatch(r"[\d.]+,[\d.]+ [\d.]+,[\d.]+", points)
    # while the labels of the value axis are French numbers
    assert f">200{NBSP}000</text>" in svg


def test_the_data_of_the_chart_is_also_a_table(measured):
    html = render_chart(measured)

    table = element(html, f"graphique-{measured.pk}-donnees")
    assert f"<caption>Données du graphique : {measured.label}</caption>" in table.replace(
        "&#x27;", "'"
    )
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]
    assert [text(row) for row in rows] == [
        f"31 août 2025 70{NBSP}000{NBSP}apprenants 70{NBSP}000{NBSP}apprenants "
        f"99{NBSP}726{NBSP}apprenants DGOS, bilan 2024-2025",
        f"31 août 2026 90{NBSP}000{NBSP}apprenants 160{NBSP}000{NBSP}apprenants "
        f"199{NBSP}726{NBSP}apprenants DGOS, bilan 2025-2026",
    ]


def test_an_indicator_without_anything_to_draw_says_so_without_an_empty_table(ia_2_1):
    indicator = ia_2_1.indicators.get(code="IA2-1-MASTER-NUM")

    html = render_chart(indicator)

    assert "<svg" not in html
    assert "<table" not in html
    assert "Pas encore de graphique ni de données" in html


def test_an_indicator_with_a_trajectory_but_no_value_draws_the_trajectory(ia_2_1):
    indicator = ia_2_1.indicators.get(code="IA2-1-APP-5ANS")

    html = render_chart(indicator)

    assert '<polyline class="app-chart__trajectory"' in html
    assert "app-chart__values" not in html
    # no table of values, but the targets it is held against
    assert f"graphique-{indicator.pk}-donnees" not in html
    targets = element(html, f"graphique-{indicator.pk}-cibles")
    assert [text(row) for row in re.findall(r"<tr>(.*?)</tr>", targets, flags=re.S)] == [
        "Date Cible Nature",
        f"31 août 2029 500{NBSP}000{NBSP}apprenants Cible finale",
    ]
    assert "Aucune valeur mesurée pour l'instant" in html.replace("&#x27;", "'")


def test_the_chart_marks_today_with_the_local_date(measured, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2027, 1, 1))

    assert "Aujourd’hui" in render_chart(measured)
