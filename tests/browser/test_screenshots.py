"""The README's pictures of the pages a reader sees, taken in Chromium on the seed with a year of
task-force work played on it (`seed_demo --scenario`, demonstration data, said on every page):
the dashboard's first screen at 1280 px and at 390 px (its summary whole), and IA 2-1's learners
indicator per academic year at 1280 px and 390 px. Each picture is taken once the page shows what
the README says it shows.

They are written to docs/screenshots/ when missing, or again with UPDATE_SCREENSHOTS=1
(tests/support/browser.save_screenshot).
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from roadmap import progress
from roadmap.french import period_label
from roadmap.models import Roadmap
from tests.support.browser import save_screenshot
from tests.support.builders import today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEARNERS = "Apprenants professionnels de santé et médico-sociaux formés par an"
MOBILE = {"width": 390, "height": 844}
# Numbers are grouped with a (narrow) no-break space, and the markup breaks lines between
# words: match any run of spaces.
SPACE = r"\s+"


def text(value: str) -> re.Pattern:
    return re.compile(re.escape(value).replace(r"\ ", SPACE))


@pytest.fixture
def demonstration(roadmap, settings, monkeypatch) -> Roadmap:
    """GIVEN the seed with the demonstration year played on it (refused with DEBUG off: on for
    the command only)."""
    monkeypatch.setenv("DEMO_PASSWORD", "un-mot-de-passe-de-demo")
    settings.DEBUG = True
    call_command("seed_demo", "--scenario")
    settings.DEBUG = False
    roadmap.refresh_from_db()
    assert roadmap.demonstration
    return roadmap


@pytest.fixture
def years() -> tuple[str, str, str]:
    """The academic years the demonstration measures: the one before last, the last one and
    this one (from 2024/2025, the first of the seed's span)."""
    current = progress.period_containing(progress.ACADEMIC_YEAR, today())
    last = progress.period_containing(progress.ACADEMIC_YEAR, current[0] - datetime.timedelta(1))
    before = progress.period_containing(progress.ACADEMIC_YEAR, last[0] - datetime.timedelta(1))
    assert before[0] >= datetime.date(2024, 9, 1), "the demonstration measures three years"
    return tuple(
        period_label(progress.ACADEMIC_YEAR, start) for start, _ in (before, last, current)
    )


def expect_demonstration_notice(page: Page) -> None:
    notice = page.locator("#demonstration")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Données de démonstration :")
    expect(notice).to_contain_text("ce sont des données fictives")


def test_the_dashboard_first_screen(page: Page, demonstration):
    """The window as a reader opens the dashboard: the header and menu, the notice that the data
    are a demonstration, the roadmap's title and last update, and its source document."""
    page.goto("/")
    expect_demonstration_notice(page)
    expect(page.locator("#demonstration")).to_be_in_viewport(ratio=1)
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text(demonstration.title)
    expect(title).to_be_in_viewport(ratio=1)
    last_update = page.locator("#derniere-mise-a-jour")
    expect(last_update).to_have_text(re.compile(r"^\s*Dernière mise à jour\u00a0: \d"))
    expect(last_update).to_be_in_viewport(ratio=1)
    expect(page.get_by_text("Document source", exact=True)).to_be_in_viewport(ratio=1)
    expect(page.get_by_text("Publié le 11 février 2025", exact=True)).to_be_in_viewport()
    save_screenshot(page, "tableau-de-bord")


@pytest.mark.parametrize(
    ("name", "viewport"),
    [("action-ia-2-1", None), ("action-ia-2-1-mobile", MOBILE)],
    ids=["1280", "390"],
)
def test_ia_2_1_learners_per_academic_year(new_context, demonstration, years, name, viewport):
    before, last, current = years
    page = new_context().new_page()
    if viewport:
        page.set_viewport_size(viewport)
    page.goto("/actions/ia-2-1/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("IA 2-1")
    expect_demonstration_notice(page)
    chart = page.get_by_role("img", name=re.compile(f"^Graphique par période : {LEARNERS}"))
    expect(chart).to_have_accessible_name(
        text(
            f"Période en cours, {current} : 13 100 apprenants pour une cible de 70 000 "
            "apprenants, soit 19 %."
        )
    )
    expect(chart).to_have_accessible_name(
        text("Périodes passées ayant atteint leur cible : 1 sur 2.")
    )
    figure = page.get_by_role("figure", name=re.compile(f"^{LEARNERS}.*période par période$"))
    # The bars at the top of the window, their table of data below them
    figure.evaluate("figure => figure.scrollIntoView({block: 'start'})")
    expect(figure).to_be_in_viewport(ratio=0.99 if viewport is None else 0.9)
    data = page.get_by_role("table", name=re.compile(f"^Données par période : {LEARNERS}"))
    rows = data.get_by_role("row")
    expect(rows).to_have_count(6)  # the header, then the seed's five academic years
    future = [
        period_label(progress.ACADEMIC_YEAR, datetime.date(year, 9, 1))
        for year in range(int(current[:4]) + 1, 2029)
    ]
    for row, cells in zip(
        rows.all()[1:],
        [
            f"{before} 61 450 apprenants 70 000 apprenants 88 % Cible non atteinte",
            f"{last} 72 300 apprenants 70 000 apprenants 100 % Cible atteinte",
            f"{current} 13 100 apprenants 70 000 apprenants 19 % En cours",
            *(f"{label} À venir 70 000 apprenants Non calculable À venir" for label in future),
        ],
        strict=True,
    ):
        expect(row).to_have_accessible_name(re.compile(f"^{text(cells).pattern}$"))
    if viewport is None:  # the whole table fits in the window at 1280 px
        expect(data).to_be_in_viewport(ratio=0.99)
    save_screenshot(page, name)


def test_the_dashboard_first_screen_on_a_phone(new_context, demonstration):
    """The window as a reader opens the dashboard on a phone (390×844): the header, the notice
    that the data are a demonstration, the roadmap's title, and its summary, whole."""
    page = new_context().new_page()
    page.set_viewport_size(MOBILE)
    page.goto("/")
    expect_demonstration_notice(page)
    expect(page.locator("#demonstration")).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("heading", level=1)).to_have_text(demonstration.title)
    summary = page.get_by_role("region", name="En résumé")
    expect(summary).to_be_in_viewport(ratio=1)
    expect(summary.locator("#synthese-actions")).to_contain_text("Actions")
    expect(summary.locator("#synthese-jalons")).to_contain_text("Jalons")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= MOBILE["width"]
    save_screenshot(page, "tableau-de-bord-mobile")
