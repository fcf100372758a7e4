"""A reader, not signed in, in Chromium: from the home page to IA 2-1 and its learners indicator,
70 000 a year, this academic year against its target and the past years beside it; then the
dashboard filtered by organisation (with the keyboard alone, swapped in place), then the open
data downloaded and read back.
"""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from roadmap import progress
from roadmap.french import period_label
from roadmap.models import Indicator, Measurement
from tests.support.browser import no_full_reload, tab_to
from tests.support.builders import today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEARNERS = "Apprenants professionnels de santé et médico-sociaux formés par an"
SOURCE = "Remontée des universités (donnée de test)"
# Numbers are grouped with a (narrow) no-break space, and the markup breaks lines between
# words: match any run of spaces.
SPACE = r"\s+"


def number(text: str) -> re.Pattern:
    return re.compile(re.escape(text).replace(r"\ ", SPACE))


def whole(text: str) -> re.Pattern:
    return re.compile(f"^{number(text).pattern}$")


@pytest.fixture
def this_year() -> tuple[datetime.date, datetime.date]:
    """The first and last day of the academic year of today: a past one is 2024/2025."""
    start, end = progress.period_containing(progress.ACADEMIC_YEAR, today())
    assert start > datetime.date(2025, 9, 1)
    return start, end


@pytest.fixture
def learners_measured(roadmap, this_year) -> list[Measurement]:
    """GIVEN 42 000 learners trained in 2024/2025 by the end of January 2025, and 21 000 so
    far this academic year, against 70 000 a year; nothing for the years in between."""
    indicator = Indicator.objects.get(roadmap=roadmap, code="IA2-1-APP-AN")
    return [
        Measurement.objects.create(
            indicator=indicator, date=on, value=Decimal(value), source=SOURCE
        )
        for on, value in ((datetime.date(2025, 1, 31), 42000), (today(), 21000))
    ]


def test_a_reader_reads_ia_2_1_filters_the_dashboard_and_downloads_the_open_data(
    page: Page, roadmap, this_year, learners_measured
):
    start, end = this_year
    current = period_label(progress.ACADEMIC_YEAR, start)
    between = [  # the academic years after 2024/2025, before this one: not measured
        period_label(progress.ACADEMIC_YEAR, datetime.date(year, 9, 1))
        for year in range(2025, start.year)
    ]

    # WHEN the reader opens the home page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(roadmap.title)
    # THEN the learners' headline is this year's value against this year's target, with the
    # past years beside it, each against its own
    targets = page.get_by_role("region", name="Les cibles phares")
    headline = targets.get_by_role("article", name=re.compile(f"^{LEARNERS}"))
    expect(headline).to_contain_text(number(f"Cible {current} : 70 000 apprenants"))
    expect(headline).to_contain_text(number("21 000 apprenants"))
    expect(headline).to_contain_text(number("30 %"))
    expect(headline).to_contain_text(
        number(
            "2024/2025 : 42 000 apprenants pour une cible de 70 000 apprenants Cible non atteinte"
        )
    )
    for label in between:
        expect(headline).to_contain_text(
            number(f"{label} : aucune valeur mesurée, pour une cible de 70 000 apprenants")
        )

    # AND finds IA 2-1 among the actions, axis by axis
    actions = page.get_by_role("region", name="Les actions, axe par axe")
    actions.get_by_role("row", name=re.compile(r"^IA 2-1 ")).get_by_role("link").click()

    # THEN the action's page reads the learners indicator: this year against its target, to
    # the end of the academic year, and the past years beside it
    expect(page).to_have_url(re.compile(r"/actions/ia-2-1/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("IA 2-1")
    indicators = page.get_by_role("table", name="Indicateurs de l'action IA 2-1")
    learners = indicators.get_by_role("row", name=re.compile(f"^{LEARNERS}, dès la rentrée"))
    expect(learners).to_contain_text(number(f"70 000 apprenants pour {current}"))  # the target
    expect(learners).to_contain_text(f"{end:%d/%m/%Y} fin de la période")
    expect(learners).to_contain_text(number(f"21 000 apprenants au {today():%d/%m/%Y}"))
    expect(learners).to_contain_text(number(f"30 % de la cible {current}"))
    expect(learners).to_contain_text(
        number(
            "2024/2025 : 42 000 apprenants pour une cible de 70 000 apprenants Cible non atteinte"
        )
    )
    # AND its bars, period by period, say the same, with their table
    chart = page.get_by_role("img", name=re.compile(f"^Graphique par période : {LEARNERS}"))
    expect(chart).to_have_accessible_name(
        number(
            f"Période en cours, {current} : 21 000 apprenants pour une cible de 70 000 apprenants, "
            "soit 30 %."
        )
    )
    expect(chart).to_have_accessible_name(
        number(f"Périodes passées ayant atteint leur cible : 0 sur {1 + len(between)}.")
    )
    data = page.get_by_role("table", name=re.compile(f"^Données par période : {LEARNERS}"))
    rows = data.get_by_role("row")
    expect(rows).to_have_count(1 + 5)  # the header, then the five academic years
    expect(rows.nth(1)).to_have_accessible_name(
        whole("2024/2025 42 000 apprenants 70 000 apprenants 60 % Cible non atteinte")
    )
    expect(rows.nth(2 + len(between))).to_have_accessible_name(
        whole(f"{current} 21 000 apprenants 70 000 apprenants 30 % En cours")
    )

    # WHEN they go back to the dashboard and filter it by organisation, with the keyboard alone
    navigation = page.get_by_role("navigation", name="Menu principal")
    navigation.get_by_role("link", name="Tableau de bord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(roadmap.title)
    organisation = page.get_by_role("combobox", name="Organisation pilote ou partenaire")
    with no_full_reload(page):
        tab_to(page, organisation)
        # A closed list picks the first option starting with the letter typed (« HAS »), and
        # says it changed. One letter: the list is swapped for a new one as soon as it changes.
        page.keyboard.type("H")
        # THEN the list shrinks in place to the action the HAS leads, and the address follows
        expect(page.get_by_role("status")).to_have_text("1 action correspond aux filtres.")
        expect(actions.get_by_role("row", name=re.compile(r"^IA 2-4 "))).to_be_visible()
        expect(actions.get_by_role("row", name=re.compile(r"^IA 2-1 "))).to_have_count(0)
    expect(organisation).to_have_value("HAS")
    expect(organisation).to_be_focused()  # the keyboard user has not lost their place
    expect(page).to_have_url(re.compile(r"[?&]organisation=HAS"))

    # WHEN they download the open data
    navigation.get_by_role("link", name="Données ouvertes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Données ouvertes")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger feuille-de-route.xlsx").click()
    assert download.value.suggested_filename == "feuille-de-route.xlsx"
    content = download.value.path().read_bytes()
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)

    # THEN the workbook holds the action and the measurement with its source
    codes = [row[0] for row in workbook["Actions"].iter_rows(min_row=2, values_only=True)]
    assert "IA 2-1" in codes and len(codes) == 17
    measurements = list(workbook["Mesures"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[2], row[3]) for row in measurements] == [
        ("IA2-1-APP-AN", 42000, SOURCE),
        ("IA2-1-APP-AN", 21000, SOURCE),
    ]

    # AND the JSON behind its link says the same, with the target and the progress
    json_link = page.get_by_role("link", name="Télécharger feuille-de-route.json")
    document = page.request.get(json_link.get_attribute("href")).json()
    ia_2_1 = next(
        action
        for axis in document["axes"]
        for action in axis["actions"]
        if action["code"] == "IA 2-1"
    )
    indicator = next(i for i in ia_2_1["indicators"] if i["code"] == "IA2-1-APP-AN")
    assert (indicator["target"], indicator["latest_value"]) == (70000, 21000)
    assert (indicator["latest_date"], indicator["progress"]) == (today().isoformat(), 30)
    periods = [(p["label"], p["target"], p["value"], p["state"]) for p in indicator["periods"]]
    assert periods[0] == ("2024/2025", 70000, 42000, "past")
    assert periods[len(between) + 1] == (current, 70000, 21000, "current")
    assert indicator["periods"][0]["reached"] is False

    # AND a sheet of it downloads as CSV
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger mesures.csv").click()
    assert SOURCE in download.value.path().read_text(encoding="utf-8-sig")
