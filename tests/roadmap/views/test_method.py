"""Tests of `/methode/`: every rule in plain French, and a worked example computed by the app.

The example's figures are compared with `roadmap.progress` called here directly: the page must
show what the rules compute, not numbers written into a template.
"""

from __future__ import annotations

import datetime

import pytest

from roadmap import method, progress
from roadmap.templatetags.roadmap_tags import number, percent
from tests.support.html import element, text

START = datetime.date(2024, 9, 1)
END = datetime.date(2029, 8, 31)
YEAR_ONE = datetime.date(2025, 8, 31)


@pytest.fixture
def page(client, db) -> str:
    response = client.get("/methode/")
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def test_the_page_explains_every_rule(page):
    for section, words in (
        ("valeur-actuelle", ["cumulatif", "par période", "niveau"]),
        ("avancement-indicateur", ["borné entre 0", "valeur initiale"]),
        ("trajectoire", ["ligne droite", "dans la trajectoire", "hors trajectoire"]),
        ("prevision", ["date cible", "rythme"]),
        ("avancement-action", ["jalons réalisés", "Non mesuré"]),
        ("points-attention", ["Jalon en retard", "Sans mise à jour", "Statut contradictoire"]),
    ):
        content = text(element(page, section))
        for word in words:
            assert word in content, (section, word)


def test_the_worked_example_shows_what_roadmap_progress_computes(page):
    expected = progress.trajectory_value(START, 0, END, 500_000, YEAR_ONE)
    achieved = progress.indicator_progress(0, 500_000, 70_000)
    forecast = progress.forecast(70_000, YEAR_ONE, START, 0, END)
    on_track = progress.is_on_track(70_000, YEAR_ONE, START, 0, END, 500_000)

    example = text(element(page, "exemple"))

    assert (
        f"({number(500_000)} − 0) × 364 ÷ {number(1825)} = {number(expected, 0)} apprenants"
        in example
    )
    assert f"= {percent(achieved)}" in example
    assert on_track is False
    assert "l'indicateur est hors trajectoire" in example
    assert f"= {number(forecast, 0)} apprenants seraient formés au 31 août 2029" in example
    # the same figures, for the record, as a reader would say them
    assert (number(expected, 0), percent(achieved), number(forecast, 0)) == (
        "99\u00a0726",
        "14\u00a0%",
        "350\u00a0962",
    )


def test_the_worked_example_has_its_chart_and_data_table(page):
    assert 'id="graphique-exemple"' in page
    table = text(element(page, "graphique-exemple-donnees"))
    assert "31 août 2025" in table


def test_the_other_rules_are_shown_at_work_on_the_seed_s_targets(page):
    content = text(page)

    assert f"donne un avancement de {number(63_000)} ÷ {number(70_000)} = {percent(90)}" in content
    assert f"6 ÷ 15 = {percent(40)}" in content
    assert f"2 jalons réalisés sur 5 donnent {percent(40)}" in content
    assert (
        "Un jalon dû le 30 juin 2025 et non réalisé est en retard à partir du 1 juillet 2025"
        in content
    )
    assert f"depuis {progress.STALE_AFTER_DAYS} jours" in content
    assert "est signalée à partir du 1 avril 2025" in content


def test_the_worked_example_is_computed_not_written():
    example = method.worked_example(label="x", source="y")

    assert example.expected == progress.trajectory_value(START, 0, END, 500_000, YEAR_ONE)
    assert example.progress == progress.indicator_progress(0, 500_000, 70_000)
    assert example.forecast == progress.forecast(70_000, YEAR_ONE, START, 0, END)
    assert example.chart.figures.forecast == example.forecast
    assert progress.is_stale(example.last_update, example.stale_from)
    assert not progress.is_stale(
        example.last_update, example.stale_from - datetime.timedelta(days=1)
    )
    assert progress.is_overdue(example.milestone_due, None, example.overdue_from)
    assert not progress.is_overdue(
        example.milestone_due, None, example.overdue_from - datetime.timedelta(days=1)
    )


def test_the_page_says_when_the_rules_last_changed(page):
    assert "Dernière mise à jour : 28 novembre 2026" in text(page)
