"""A reader, not signed in, in Chromium: from the home page to IA 2-1 and its learners indicator
against its target, then the dashboard filtered by organisation (with the keyboard alone, swapped
in place), then the open data downloaded and read back.
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from roadmap.models import Indicator, Measurement
from tests.support.browser import no_full_reload, save_screenshot, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEARNERS = "Apprenants professionnels de santé et médico-sociaux formés par an"
SOURCE = "Remontée des universités (donnée de test)"
# Numbers are grouped with a (narrow) no-break space: match any space.
SPACE = r"\s"


def number(text: str) -> re.Pattern:
    return re.compile(re.escape(text).replace(r"\ ", SPACE))


@pytest.fixture
def learners_measured(roadmap) -> Measurement:
    """GIVEN 42 000 learners trained by the end of January 2025, against 70 000 a year."""
    return Measurement.objects.create(
        indicator=Indicator.objects.get(roadmap=roadmap, code="IA2-1-APP-AN"),
        date=date(2025, 1, 31),
        value=Decimal(42000),
        source=SOURCE,
    )


def test_a_reader_reads_ia_2_1_filters_the_dashboard_and_downloads_the_open_data(
    page: Page, roadmap, learners_measured
):
    # WHEN the reader opens the home page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(roadmap.title)
    targets = page.get_by_role("region", name="Les cibles phares")
    expect(targets.get_by_role("article", name=re.compile(f"^{LEARNERS}"))).to_contain_text(
        number("42 000 apprenants")
    )
    save_screenshot(page, "tableau-de-bord", height=2600)

    # AND finds IA 2-1 among the actions, axis by axis
    actions = page.get_by_role("region", name="Les actions, axe par axe")
    actions.get_by_role("row", name=re.compile(r"^IA 2-1 ")).get_by_role("link").click()

    # THEN the action's page reads the learners indicator against its target
    expect(page).to_have_url(re.compile(r"/actions/ia-2-1/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("IA 2-1")
    indicators = page.get_by_role("table", name="Indicateurs de l'action IA 2-1")
    learners = indicators.get_by_role("row").filter(has_text=f"{LEARNERS}, dès la rentrée")
    expect(learners).to_contain_text(number("70 000 apprenants"))  # the target
    expect(learners).to_contain_text("31/08/2025")  # its date
    expect(learners).to_contain_text(number("42 000 apprenants"))  # the latest value
    expect(learners).to_contain_text(number("60 %"))  # of the way from 0 to 70 000
    chart = page.get_by_role("img", name=re.compile(f"^Graphique : {LEARNERS}"))
    expect(chart).to_have_accessible_name(number("Cible : 70 000 apprenants au 31 août 2025."))
    expect(chart).to_have_accessible_name(
        number("Dernière valeur : 42 000 apprenants au 31 janvier 2025, soit 60 %")
    )
    data = page.get_by_role("table", name=f"Données du graphique : {LEARNERS}, dès la rentrée")
    expect(data.get_by_role("row").filter(has_text="31 janvier 2025")).to_contain_text(SOURCE)
    page.get_by_role("figure", name=re.compile(f"^{LEARNERS}")).scroll_into_view_if_needed()
    save_screenshot(page, "action-indicateur")

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
    assert [(row[0], row[2], row[3]) for row in measurements] == [("IA2-1-APP-AN", 42000, SOURCE)]

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
    assert (indicator["target"], indicator["latest_value"]) == (70000, 42000)
    assert (indicator["latest_date"], indicator["progress"]) == ("2025-01-31", 60)

    # AND a sheet of it downloads as CSV
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger mesures.csv").click()
    assert SOURCE in download.value.path().read_text(encoding="utf-8-sig")
