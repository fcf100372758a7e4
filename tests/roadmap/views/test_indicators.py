"""Tests of `/indicateurs/`: every indicator against its target, sortable by plain links."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from roadmap.models import Indicator, Measurement
from roadmap.progress import period_containing
from tests.support.builders import colleague, set_status
from tests.support.html import (
    element,
    french,
    has_id,
    tables_without_rows,
    text,
    written_date,
)


def current_year() -> tuple[datetime.date, datetime.date, str]:
    """The academic year containing today: its first and last days and its label."""
    start, end = period_containing("academic_year", timezone.localdate())
    return start, end, f"{start.year}/{start.year + 1}"


def in_current_year() -> datetime.date:
    """A day of the current academic year, a month in (today, early in September)."""
    start, _, _ = current_year()
    return min(timezone.localdate(), start + datetime.timedelta(days=30))


SEED_ORDER = [
    "IA2-1-PRO-AN",
    "IA2-1-APP-AN",
    "IA2-1-APP-5ANS",
    "IA2-1-MASTER-NUM",
    "IA2-1-MASTER-JUR",
    "IA2-1-MASTER-REG",
    "IA2-1-EHESP-DIR",
    "IA2-1-EHESP-MASTERS",
    "IA2-1-INVEST",
]


def rows(client, query="") -> list[str]:
    """The codes of the indicators, in the order of the table."""
    response = client.get(f"/indicateurs/{query}")
    assert response.status_code == 200
    ids = re.findall(r'<tr id="indicateur-(\d+)"', response.content.decode())
    codes = dict(Indicator.objects.values_list("pk", "code"))
    return [codes[int(pk)] for pk in ids]


@pytest.fixture
def measured(ia_2_1):
    """Three indicators measured: 50 % of this academic year's 70 000 learners, hence 7 % of
    the 500 000 over five years that sum the years (its own measurement counts for nothing),
    and 60 % of the 15 master programmes."""
    for code, on, value in (
        ("IA2-1-APP-AN", in_current_year(), 35000),
        ("IA2-1-APP-5ANS", datetime.date(2025, 8, 31), 70000),
        ("IA2-1-MASTER-NUM", datetime.date(2025, 9, 1), 9),
    ):
        Measurement.objects.create(
            indicator=ia_2_1.indicators.get(code=code), date=on, value=value, source="Test"
        )
    return ia_2_1


def test_every_indicator_is_listed_against_its_target_in_the_roadmap_s_order(client, roadmap):
    response = client.get("/indicateurs/")

    html = response.content.decode()
    assert rows(client) == SEED_ORDER
    indicator = Indicator.objects.get(code="IA2-1-INVEST")
    row = text(element(html, f"indicateur-{indicator.pk}"))
    assert french("119 000 000 €") in row
    assert "Non précisée" in row
    assert "Aucune valeur mesurée" in row
    assert "Non calculable" in row
    assert 'href="/actions/ia-2-1/"' in element(html, f"indicateur-{indicator.pk}")
    assert tables_without_rows(html) == []


def test_each_indicator_has_its_chart_below_the_table(client, roadmap):
    html = client.get("/indicateurs/").content.decode()

    for indicator in Indicator.objects.all():
        assert has_id(html, f"graphique-{indicator.pk}")
        assert f'href="#graphique-{indicator.pk}"' in html


def test_a_measured_indicator_shows_value_progress_and_trajectory(client, measured):
    html = client.get("/indicateurs/").content.decode()

    indicator = measured.indicators.get(code="IA2-1-APP-AN")
    row = text(element(html, f"indicateur-{indicator.pk}"))
    _, end, label = current_year()
    on = in_current_year()
    # the current academic year against its own target, the two cells of its period
    assert f"{french('70 000 apprenants')} pour {label} " in row
    assert f"{end:%d/%m/%Y} fin de la période" in row
    assert f"{french('35 000 apprenants')} au {on:%d/%m/%Y}" in row
    assert f"{french('50 %')} de la cible {label}" in row
    # a month into the year, 35 000 is well above the line from 0 to 70 000 over the year
    assert "Dans la trajectoire" in row
    # the past years beside it, each against its own target
    assert (
        "Périodes passées\u00a0: 2024/2025\u00a0: aucune valeur mesurée, pour une cible de "
        + french("70 000 apprenants")
    ) in row
    # and the rule that reads « 70 000 par an » so, marked as an interpretation
    assert "Interprétation «\u202f70 000 apprenants […] formés\u202f» dès la" in row
    total = text(element(html, f"indicateur-{measured.indicators.get(code='IA2-1-APP-5ANS').pk}"))
    assert f"{french('35 000 apprenants')} au" in total
    assert french("7\u202f%") in total
    assert '<polyline class="app-chart__values"' in element(html, f"graphique-{indicator.pk}")


def test_sorting_by_progress_puts_the_unmeasured_last_whatever_the_order(client, measured):
    assert rows(client, "?tri=avancement&ordre=asc")[:3] == [
        "IA2-1-APP-5ANS",
        "IA2-1-APP-AN",
        "IA2-1-MASTER-NUM",
    ]
    descending = rows(client, "?tri=avancement&ordre=desc")
    assert descending[:3] == ["IA2-1-MASTER-NUM", "IA2-1-APP-AN", "IA2-1-APP-5ANS"]
    # the unmeasured keep the roadmap's order, after the measured
    assert descending[3:] == [code for code in SEED_ORDER if code not in descending[:3]]


def test_sorting_by_label_ignores_case_and_accents(client, roadmap):
    Indicator.objects.filter(code="IA2-1-INVEST").update(label="élan budgétaire")

    codes = rows(client, "?tri=indicateur")

    labels = [Indicator.objects.get(code=code).label for code in codes]
    assert labels.index("élan budgétaire") < labels.index(
        "Formations de direction de l'EHESP intégrant le numérique en santé"
    )
    assert labels[0].startswith("Apprenants")
    assert rows(client, "?tri=indicateur&ordre=desc") == list(reversed(codes))


def test_sorting_by_target_date_puts_the_undated_last(client, roadmap):
    codes = rows(client, "?tri=echeance&ordre=desc")

    # the five-year total ends on 31 August 2029; the two per-year indicators show the end of
    # the current year (the same day), in the roadmap's order among equals
    assert codes[:3] == ["IA2-1-APP-5ANS", "IA2-1-PRO-AN", "IA2-1-APP-AN"]
    assert set(codes[3:]) == set(SEED_ORDER) - {"IA2-1-APP-5ANS", "IA2-1-PRO-AN", "IA2-1-APP-AN"}


def test_the_sorted_column_says_so_and_its_link_reverses_the_order(client, roadmap):
    html = client.get("/indicateurs/?tri=avancement").content.decode()

    header = re.search(r'<th scope="col" aria-sort="ascending">(.*?)</th>', html, re.S).group(1)
    assert "Avancement" in header
    assert 'href="?tri=avancement&amp;ordre=desc#tableau-indicateurs"' in header
    assert html.count("aria-sort=") == 1
    # the other columns sort ascending
    assert 'href="?tri=indicateur&amp;ordre=asc#tableau-indicateurs"' in html


@pytest.mark.parametrize("query", ["?tri=prix", "?ordre=aleatoire"])
def test_an_unknown_sort_is_a_bad_request_explained_in_french(client, roadmap, query):
    response = client.get(f"/indicateurs/{query}")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Ce tri n'existe pas" in html.replace("&#x27;", "'")
    assert len(re.findall(r'<tr id="indicateur-', html)) == len(SEED_ORDER)


def test_without_indicators_the_page_says_who_defines_them(client, roadmap):
    Indicator.objects.all().delete()

    response = client.get("/indicateurs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<table" not in html
    assert "Les administrateurs de la task force les ajoutent" in html


@pytest.fixture
def many_indicators(ia_2_1):
    """IA 2-1 with 61 more indicators, one measurement each: 70 in all, two pages."""
    extra = Indicator.objects.bulk_create(
        Indicator(
            action=ia_2_1,
            roadmap=ia_2_1.roadmap,
            code=f"IA2-1-EXTRA-{number:02}",
            label=f"Indicateur supplémentaire {number:02}",
            unit="apprenants",
            kind="cumulative",
            target_value=100,
            position=100 + number,
        )
        for number in range(61)
    )
    Measurement.objects.bulk_create(
        Measurement(indicator=indicator, date=datetime.date(2025, 6, 30), value=10, source="Test")
        for indicator in extra
    )
    return ia_2_1


def test_the_indicators_come_twenty_to_a_page_with_their_charts(client, many_indicators):
    first = client.get("/indicateurs/")
    last = client.get("/indicateurs/?page=4")

    extra = [f"IA2-1-EXTRA-{n:02}" for n in range(61)]
    assert rows(client) == SEED_ORDER + extra[:11]
    assert rows(client, "?page=2") == extra[11:31]
    assert rows(client, "?page=4") == extra[51:]
    for response, count in ((first, 20), (last, 10)):
        html = response.content.decode()
        assert len(re.findall(r'id="graphique-\d+"', html)) == count
        assert 'aria-label="Pagination"' in html
    assert re.search(r'aria-current="page"\s+title="Page 4"', last.content.decode())


def test_the_pages_keep_the_chosen_order(client, many_indicators):
    response = client.get("/indicateurs/?tri=indicateur&ordre=desc&page=2")

    html = response.content.decode()
    assert response.status_code == 200
    assert "?tri=indicateur&amp;ordre=desc&amp;page=1" in html
    everything = [
        code
        for number in range(1, 5)
        for code in rows(client, f"?tri=indicateur&ordre=desc&page={number}")
    ]
    assert len(everything) == len(set(everything)) == 70


@pytest.mark.parametrize("page", ["5", "0", "deux", "-1"])
def test_a_page_that_does_not_exist_is_not_found(client, many_indicators, page):
    response = client.get(f"/indicateurs/?page={page}")

    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()


def test_the_seed_s_indicators_fit_on_one_page_without_pagination(client, roadmap):
    html = client.get("/indicateurs/").content.decode()

    assert 'aria-label="Pagination"' not in html
    assert len(re.findall(r'id="graphique-\d+"', html)) == len(SEED_ORDER)


def test_a_retired_indicator_is_no_longer_listed(client, ia_2_1):
    Indicator.objects.filter(code="IA2-1-MASTER-JUR").update(retired_on=datetime.date(2026, 1, 15))

    assert rows(client) == [code for code in SEED_ORDER if code != "IA2-1-MASTER-JUR"]


def test_the_last_update_is_the_last_change_a_person_made(client, ia_2_1):
    # GIVEN the seed as loaded: its indicators were written by the loader, not by a person
    html = client.get("/indicateurs/").content.decode()
    assert text(element(html, "derniere-mise-a-jour")) == "Pas encore mis à jour"

    # WHEN a member records a value
    measurement = Measurement.objects.create(
        indicator=ia_2_1.indicators.get(code="IA2-1-INVEST"),
        date=datetime.date(2026, 6, 30),
        value=1000000,
        source="DGOS",
    )

    # THEN that is the page's last update
    html = client.get("/indicateurs/").content.decode()
    changed = timezone.localtime(measurement.history.get().history_date)
    assert text(element(html, "derniere-mise-a-jour")) == (
        f"Dernière mise à jour\u00a0: {written_date(changed)}"
    )
    # AND a change to an action alone does not date the indicators
    set_status(ia_2_1, "in_progress", colleague())
    assert text(element(client.get("/indicateurs/").content.decode(), "derniere-mise-a-jour")) == (
        f"Dernière mise à jour\u00a0: {written_date(changed)}"
    )
