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
from roadmap.queries import with_definitions
from roadmap.summaries import indicator_chart, summarise_indicators, with_charts
from tests.support.html import NBSP, NNBSP, element, text

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
    assert text(title) == f"Graphique\u00a0: {measured.label}"
    desc = text(element(html, f"graphique-{measured.pk}-desc"))
    expected = progress.trajectory_value(
        measured.baseline_date, 0, measured.target_date, 500_000, date(2026, 8, 31)
    )
    assert f"Cible\u00a0: 500{NBSP}000{NBSP}apprenants au 31\u00a0août\u00a02029." in desc
    assert (
        f"Dernière valeur\u00a0: 160{NBSP}000{NBSP}apprenants au 31\u00a0août\u00a02026, soit "
        f"32{NNBSP}% du chemin" in desc
    )
    assert (
        f"hors trajectoire\u00a0: la trajectoire attendait {round(expected):,}".replace(",", NBSP)
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
    assert f"<caption>Données du graphique\u00a0: {measured.label}</caption>" in table.replace(
        "&#x27;", "'"
    )
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]
    assert [text(row) for row in rows] == [
        f"31\u00a0août\u00a02025 70{NBSP}000{NBSP}apprenants 70{NBSP}000{NBSP}apprenants "
        f"99{NBSP}726{NBSP}apprenants DGOS, bilan 2024-2025",
        f"31\u00a0août\u00a02026 90{NBSP}000{NBSP}apprenants 160{NBSP}000{NBSP}apprenants "
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
        f"31\u00a0août\u00a02029 500{NBSP}000{NBSP}apprenants Cible finale",
    ]
    assert "Aucune valeur mesurée pour l'instant" in html.replace("&#x27;", "'")


def test_the_chart_marks_today_with_the_local_date(measured, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2027, 1, 1))

    assert "Aujourd’hui" in render_chart(measured)


# --- Several dated targets, and after the target date -------------------------------------------

BY_2026 = progress.Target(date(2026, 8, 31), 200_000)


def x_at(day: date, first=date(2024, 9, 1), last=date(2029, 8, 31)) -> float:
    return round(LEFT + (day - first).days / (last - first).days * PLOT_WIDTH, 1)


def y_at(value: float, high=600_000) -> float:
    return round(BOTTOM - value / high * PLOT_HEIGHT, 1)


def test_the_trajectory_runs_through_every_dated_target_each_marked():
    chart = five_years([Sample(date(2025, 8, 31), 70_000)], targets=[BY_2026])

    assert chart.trajectory == (
        Mark(date(2024, 9, 1), 0.0, LEFT, BOTTOM),
        Mark(date(2026, 8, 31), 200_000.0, x_at(date(2026, 8, 31)), y_at(200_000)),
        Mark(date(2029, 8, 31), 500_000.0, RIGHT, y_at(500_000)),
    )
    assert chart.targets == (
        Mark(date(2026, 8, 31), 200_000.0, x_at(date(2026, 8, 31)), y_at(200_000)),
        Mark(date(2029, 8, 31), 500_000.0, RIGHT, y_at(500_000), final=True),
    )
    assert chart.intermediate_targets == chart.targets[:1]
    # each row says where the trajectory through the targets stood on its date
    (row,) = chart.rows
    assert row.expected == pytest.approx(200_000 * 364 / 729)
    # the forecast runs to the next target's date, not to the final one
    assert chart.forecast_date == date(2026, 8, 31)
    assert chart.forecast.x2 == x_at(date(2026, 8, 31))
    assert chart.figures.forecast == pytest.approx(70_000 * 729 / 364)
    x, y = chart.targets[0].x, chart.targets[0].y
    assert chart.targets[0].diamond == (
        f"{x:g},{y - 6:g} {x + 6:g},{y:g} {x:g},{y + 6:g} {x - 6:g},{y:g}"
    )


def test_once_the_target_date_has_passed_the_chart_draws_no_forecast():
    chart = five_years([Sample(date(2025, 8, 31), 70_000)], today=date(2029, 9, 1))

    assert chart.ended
    assert chart.forecast is None
    assert not chart.forecast_shown
    assert chart.figures.reached is False
    assert len(chart.trajectory) == 2


def test_a_per_period_indicator_plots_its_values_against_its_recurring_target_only():
    chart = five_years(
        [Sample(date(2025, 6, 30), 72_000), Sample(date(2026, 1, 31), 35_000)],
        kind=progress.PER_PERIOD,
        target=70_000,
        baseline_date=None,
        target_date=date(2029, 8, 31),
        periodicity=progress.ACADEMIC_YEAR,
        periods_from=date(2024, 9, 1),
        period_count=5,
        today=date(2026, 2, 15),
    )

    assert [row.value for row in chart.rows] == [72_000, 35_000]
    assert chart.trajectory == chart.targets == ()
    assert chart.forecast is None and not chart.forecast_shown and not chart.ended


def render(template: str, **context) -> str:
    with translation.override("fr"):
        return render_to_string(f"roadmap/partials/{template}", context).replace("&#x27;", "'")


def test_after_the_target_date_the_words_say_whether_the_target_was_reached_never_a_forecast():
    missed = five_years([Sample(date(2025, 8, 31), 470_000)], today=date(2029, 9, 1))
    html = render("indicator_chart.html", chart=missed)

    desc = text(element(html, "graphique-x-desc"))
    assert (
        f"Date cible passée (31\u00a0août\u00a02029)\u00a0: la cible n'est pas atteinte, avec "
        f"470{NBSP}000{NBSP}apprenants pour 500{NBSP}000{NBSP}apprenants." in desc
    )
    assert "rythme" not in desc and "hors trajectoire" not in desc
    assert "Prévision" not in html and "Pas de prévision" not in html
    assert (
        '<p class="fr-text--sm fr-mb-1w">Date cible passée (31\u00a0août\u00a02029)\u00a0: la '
        "cible n'est pas "
        f"atteinte, avec 470{NBSP}000{NBSP}apprenants pour 500{NBSP}000{NBSP}apprenants.</p>"
    ) in re.sub(r"\s*\n\s*", "", html)

    met = render(
        "indicator_chart.html",
        chart=five_years([Sample(date(2029, 6, 30), 510_000)], today=date(2030, 1, 1)),
    )
    assert (
        f"Date cible passée (31\u00a0août\u00a02029)\u00a0: la cible est atteinte, avec "
        f"510{NBSP}000{NBSP}apprenants." in text(element(met, "graphique-x-desc"))
    )
    unmeasured = render("indicator_chart.html", chart=five_years(today=date(2030, 1, 1)))
    assert (
        "Date cible passée (31\u00a0août\u00a02029)\u00a0: aucune valeur mesurée ne dit si la "
        "cible est "
        "atteinte." in text(element(unmeasured, "graphique-x-desc"))
    )


def test_the_words_name_the_intermediate_targets_and_the_progress_toward_the_next_one():
    chart = five_years([Sample(date(2025, 8, 31), 70_000)], targets=[BY_2026])
    html = render("indicator_chart.html", chart=chart)

    desc = text(element(html, "graphique-x-desc"))
    assert desc == (
        f"Cible\u00a0: 500{NBSP}000{NBSP}apprenants au 31\u00a0août\u00a02029. "
        f"Cible intermédiaire\u00a0: 200{NBSP}000{NBSP}apprenants au 31\u00a0août\u00a02026. "
        f"Dernière valeur\u00a0: 70{NBSP}000{NBSP}apprenants au 31\u00a0août\u00a02025, soit "
        f"14{NNBSP}% du "
        "chemin vers la cible. "
        f"Prochaine cible\u00a0: 200{NBSP}000{NBSP}apprenants au 31\u00a0août\u00a02026, atteinte "
        f"à "
        f"35{NNBSP}%. "
        f"La trajectoire va de 0{NBSP}apprenants au 1er\u00a0septembre\u00a02024 à "
        f"500{NBSP}000{NBSP}apprenants au 31\u00a0août\u00a02029, en ligne droite d'une cible "
        "datée à la "
        "suivante. "
        f"La valeur est hors trajectoire\u00a0: la trajectoire attendait "
        f"99{NBSP}863{NBSP}apprenants "
        "à cette date. "
        f"Au rythme constaté, la valeur atteindrait 140{NBSP}192{NBSP}apprenants au 31\u00a0août"
        "\u00a02026, date de la prochaine cible."
    )
    assert (
        "Prévision à la prochaine cible (31\u00a0août\u00a02026), au rythme constaté depuis "
        "le départ\u00a0: "
        f"140{NBSP}192{NBSP}apprenants." in text(html)
    )
    assert html.count('class="app-chart__target-mark"') == 2
    targets = element(html, "graphique-x-cibles")
    assert [text(row) for row in re.findall(r"<tr>(.*?)</tr>", targets, flags=re.S)] == [
        "Date Cible Nature",
        f"31\u00a0août\u00a02026 200{NBSP}000{NBSP}apprenants Cible intermédiaire",
        f"31\u00a0août\u00a02029 500{NBSP}000{NBSP}apprenants Cible finale",
    ]


# --- Per-period charts ---------------------------------------------------------------------------


def per_year(points=(), today=date(2026, 2, 15), **given) -> charts.PeriodChart:
    """The seed's « 70 000 learners a year », five academic years from 2024/2025."""
    definition = {
        "kind": progress.PER_PERIOD,
        "direction": progress.HIGHER,
        "baseline": 0,
        "baseline_date": None,
        "target": 70_000,
        "target_date": date(2029, 8, 31),
        "periodicity": progress.ACADEMIC_YEAR,
        "periods_from": date(2024, 9, 1),
        "period_count": 5,
    } | given
    figures = progress.evaluate_indicator(
        **definition, points=[progress.Point(on, value) for on, value in points], today=today
    )
    return charts.build_period_chart(
        ident="an",
        label="Apprenants formés par an",
        unit="apprenants",
        figures=figures,
        periodicity=definition["periodicity"],
    )


TWO_YEARS = [(date(2025, 6, 30), 72_000), (date(2026, 1, 31), 35_000)]


def test_a_bar_per_period_against_its_target_the_current_one_highlighted_the_next_ones_empty():
    chart = per_year(TWO_YEARS)

    # the value axis reaches the highest value or target on round numbers
    assert [tick.value for tick in chart.y_ticks] == [0, 20_000, 40_000, 60_000, 80_000]
    slot = PLOT_WIDTH / 5
    width = 56  # a bar never grows wider, so five years do not make a wall
    target_y = round(BOTTOM - 70_000 / 80_000 * PLOT_HEIGHT, 1)
    expected = []
    for index, (label, value, state) in enumerate(
        [
            ("2024/2025", 72_000, "past"),
            ("2025/2026", 35_000, "current"),
            ("2026/2027", None, "future"),
            ("2027/2028", None, "future"),
            ("2028/2029", None, "future"),
        ]
    ):
        x = LEFT + index * slot + (slot - width) / 2
        top = None if value is None else round(BOTTOM - value / 80_000 * PLOT_HEIGHT, 1)
        expected.append(
            (label, state, round(x, 1), width, top, 0 if top is None else round(BOTTOM - top, 1))
        )
    assert [(b.label, b.state, b.x, b.width, b.y, b.height) for b in chart.bars] == expected
    assert {bar.target_y for bar in chart.bars} == {target_y}
    assert all(bar.named for bar in chart.bars)
    assert chart.current == chart.bars[1]
    assert chart.current.period.forecast == pytest.approx(35_000 * 365 / 153)
    assert (chart.bars[0].tick_x1, chart.bars[0].tick_x2) == (
        round(chart.bars[0].x - 6, 1),
        round(chart.bars[0].x + width + 6, 1),
    )
    # a period to come is an empty outline up to its target
    assert (chart.bars[2].outline_y, chart.bars[2].outline_height) == (
        target_y,
        round(BOTTOM - target_y, 1),
    )
    assert [bar.label for bar in chart.measured] == ["2024/2025", "2025/2026"]
    assert (chart.reached_count, len(chart.past), chart.ended, chart.same_target) == (
        1,
        1,
        False,
        True,
    )


def test_a_period_with_its_own_target_has_its_own_tick():
    chart = per_year(TWO_YEARS, targets=[progress.Target(date(2026, 3, 1), 40_000)])

    ticks = [bar.target_y for bar in chart.bars]
    assert ticks[1] == round(BOTTOM - 40_000 / 80_000 * PLOT_HEIGHT, 1)
    assert ticks[0] == ticks[2] != ticks[1]
    assert not chart.same_target
    assert chart.bars[1].period.progress == pytest.approx(87.5)


def test_with_many_periods_only_some_are_named_under_their_bars():
    chart = per_year(periodicity=progress.MONTH, period_count=60, periods_from=date(2025, 1, 1))

    assert len(chart.bars) == 60
    named = [bar.label for bar in chart.bars if bar.named]
    assert named == [
        "janvier 2025",
        "novembre 2025",
        "septembre 2026",
        "juillet 2027",
        "mai 2028",
        "mars 2029",
    ]


def test_an_indicator_without_periods_has_no_bars():
    figures = progress.evaluate_indicator(
        kind=progress.LEVEL,
        direction=progress.HIGHER,
        baseline=0,
        baseline_date=None,
        target=15,
        target_date=None,
        points=[],
        today=date(2026, 1, 1),
    )
    chart = charts.build_period_chart(
        ident="x", label="x", unit="x", figures=figures, periodicity=progress.YEAR
    )
    assert not chart.drawable
    assert chart.current is None and chart.last is None


def table_rows(html: str, ident: str) -> list[str]:
    table = element(html, ident)
    return [text(row) for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)]


def test_the_period_chart_is_inline_svg_in_words_and_as_a_table():
    html = render("period_chart.html", chart=per_year(TWO_YEARS), unit="apprenants")

    figure = element(html, "periodes-an")
    assert 'role="img"' in figure
    assert 'aria-labelledby="periodes-an-titre periodes-an-desc"' in figure
    assert (
        text(element(html, "periodes-an-legende"))
        == "Apprenants formés par an, période par période"
    )
    assert (
        text(element(html, "periodes-an-titre"))
        == "Graphique par période\u00a0: Apprenants formés par an"
    )
    assert text(element(html, "periodes-an-desc")) == (
        "Une barre par période, 5 périodes, chacune face à sa propre cible. "
        f"Période en cours, 2025/2026\u00a0: 35{NBSP}000{NBSP}apprenants pour une cible de "
        f"70{NBSP}000{NBSP}apprenants, soit 50{NNBSP}%. "
        f"Au rythme constaté, elle atteindrait 83{NBSP}497{NBSP}apprenants à sa fin, le "
        "31\u00a0août\u00a02026. "
        "Période passée ayant atteint sa cible\u00a0: 1 sur 1."
    )
    assert figure.count('class="app-chart__bar"') == 1
    assert figure.count('class="app-chart__bar app-chart__bar--current"') == 1
    assert figure.count('class="app-chart__bar app-chart__bar--future"') == 3
    assert figure.count('class="app-chart__target"') == 5
    assert '<text x="' in figure and 'font-weight="bold">2025/2026</text>' in figure
    assert table_rows(html, "periodes-an-donnees") == [
        "Période Valeur Cible Avancement État",
        f"2024/2025 72{NBSP}000{NBSP}apprenants 70{NBSP}000{NBSP}apprenants 100{NNBSP}% "
        "Cible atteinte",
        f"2025/2026 35{NBSP}000{NBSP}apprenants 70{NBSP}000{NBSP}apprenants 50{NNBSP}% En cours",
        f"2026/2027 À venir 70{NBSP}000{NBSP}apprenants Non calculable À venir",
        f"2027/2028 À venir 70{NBSP}000{NBSP}apprenants Non calculable À venir",
        f"2028/2029 À venir 70{NBSP}000{NBSP}apprenants Non calculable À venir",
    ]
    assert "<script" not in html and "style=" not in html
    for name, value in re.findall(r'\b(x1|x2|y1|y2|x|y|width|height)="([^"]*)"', figure):
        assert re.fullmatch(r"-?\d+(\.\d+)?", value), (name, value)


def test_once_the_span_is_over_the_period_chart_says_whether_the_last_period_reached_it():
    chart = per_year([*TWO_YEARS, (date(2029, 6, 30), 69_000)], today=date(2029, 9, 1))
    html = render("period_chart.html", chart=chart, unit="apprenants")

    verdict = (
        "La dernière période, 2028/2029, est passée\u00a0: sa cible n'est pas atteinte, avec "
        f"69{NBSP}000{NBSP}apprenants pour 70{NBSP}000{NBSP}apprenants."
    )
    assert text(element(html, "periodes-an-desc")) == (
        "Une barre par période, 5 périodes, chacune face à sa propre cible. "
        "Périodes passées ayant atteint leur cible\u00a0: 1 sur 5. " + verdict
    )
    assert verdict in text(element(html, "periodes-an"))
    assert "rythme" not in html and "app-chart__bar--future" not in html
    assert table_rows(html, "periodes-an-donnees")[2:] == [
        f"2025/2026 35{NBSP}000{NBSP}apprenants 70{NBSP}000{NBSP}apprenants 50{NNBSP}% "
        "Cible non atteinte",
        f"2026/2027 Non mesuré 70{NBSP}000{NBSP}apprenants Non calculable Non mesuré",
        f"2027/2028 Non mesuré 70{NBSP}000{NBSP}apprenants Non calculable Non mesuré",
        f"2028/2029 69{NBSP}000{NBSP}apprenants 70{NBSP}000{NBSP}apprenants 99{NNBSP}% "
        "Cible non atteinte",
    ]


def test_with_charts_gives_a_per_period_indicator_its_bars(ia_2_1):
    yearly = ia_2_1.indicators.get(code="IA2-1-APP-AN")
    Measurement.objects.create(
        indicator=yearly, date=date(2025, 6, 30), value=72_000, source="DGOS"
    )
    indicators = with_definitions(ia_2_1.indicators.order_by("position", "code"))
    today = date(2026, 2, 15)

    items = {
        item.indicator.code: item
        for item in with_charts(summarise_indicators(indicators, today), today)
    }

    bars = items["IA2-1-APP-AN"].period_chart.bars
    assert [(bar.label, bar.period.value) for bar in bars] == [
        ("2024/2025", 72_000.0),
        ("2025/2026", None),
        ("2026/2027", None),
        ("2027/2028", None),
        ("2028/2029", None),
    ]
    assert [bar.label for bar in items["IA2-1-PRO-AN"].period_chart.bars] == [
        "2024/2025",
        "2025/2026",
    ]
    # the sum draws a line through the years it adds up, and no bars of its own
    total = items["IA2-1-APP-5ANS"]
    assert total.period_chart is None
    assert [(row.on, row.value, row.source) for row in total.chart.rows] == [
        (date(2025, 6, 30), 72_000.0, "DGOS")
    ]
    assert all(items[code].period_chart is None for code in items if code.startswith("IA2-1-M"))
