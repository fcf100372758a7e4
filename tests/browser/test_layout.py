"""The layout at 1280×800 and 390×844, in Chromium: no page is wider than the window (none
scrolls sideways, with its forms open), no word is broken across two lines, the dashboard's
summary lies within the first screen, the lists of actions and indicators are stacked cards on
a phone, and « En bref » comes before the texts of an action.

Pages are opened on the seed with the task force at work (statuses, an overdue milestone,
measurements), signed in where the page needs it (/mes-actions/), and as a member of the lead
on IA 2-4 with its forms open.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from roadmap.models import Action, Indicator, Measurement, Status
from tests.support.builders import days, make_indicator, make_milestone, set_status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SIZES = {"1280x800": DESKTOP, "390x844": PHONE}

PUBLIC_PAGES = [
    "/",
    "/axes/2/",
    "/actions/ia-2-1/",
    "/actions/ia-4-1/",
    "/indicateurs/",
    "/methode/",
    "/donnees/",
    "/accessibilite/",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/plan-du-site/",
]

# The words of the page that a line break cuts in two: every word of every text node (its
# letters only: a break after a hyphen, a slash or a dash is not a broken word), measured by
# the lines its range covers. Hidden text has no box and is skipped.
BROKEN_WORDS = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const words = node.data.matchAll(/[\\p{L}\\p{N}’']+/gu);
    for (const match of words) {
      if (match[0].length < 2) continue;
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set(
        [...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))
      );
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""

# The elements with text whose computed style lets the browser break inside any word.
BREAK_ALL = """() => [...document.querySelectorAll('body *')]
  .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.data.trim()))
  .filter(e => {
    const style = getComputedStyle(e);
    return style.wordBreak === 'break-all' || style.lineBreak === 'anywhere';
  })
  .map(e => e.tagName + '.' + e.className)"""

WIDER = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def at_work(roadmap, has_member) -> Action:
    """GIVEN the seed with the task force at work: statuses declared, IA 2-4 (HAS) with an
    overdue and an upcoming milestone and an indicator off track, learners measured."""
    for code, status in (("IA 2-1", Status.IN_PROGRESS), ("IA 4-1", Status.AT_RISK)):
        set_status(Action.objects.get(code=code), status, has_member)
    ia_2_4 = Action.objects.get(code="IA 2-4")
    set_status(ia_2_4, Status.IN_PROGRESS, has_member)
    make_milestone(
        ia_2_4, "Cadrer le guide d'accompagnement des établissements", due_date=days(-10)
    )
    make_milestone(ia_2_4, "Publier le guide d'accompagnement", due_date=days(60))
    indicator = make_indicator(ia_2_4)
    Measurement.objects.create(
        indicator=indicator, date=days(0), value=Decimal(10000), source="HAS"
    )
    Measurement.objects.create(
        indicator=Indicator.objects.get(roadmap=roadmap, code="IA2-1-APP-AN"),
        date=date(2025, 1, 31),
        value=Decimal(42000),
        source="Remontée des universités (donnée de test)",
    )
    return ia_2_4


def layout_faults(page: Page) -> list[str]:
    """What is wrong with the layout of the page as it is now."""
    faults = []
    scroll_width, window_width = page.evaluate(WIDER)
    if scroll_width > window_width:
        faults.append(f"{page.url}: {scroll_width} px de large pour {window_width} px de fenêtre")
    broken = page.evaluate(BROKEN_WORDS)
    if broken:
        faults.append(f"{page.url}: mots coupés {broken[:10]}")
    breaking = page.evaluate(BREAK_ALL)
    if breaking:
        faults.append(f"{page.url}: word-break: break-all sur {breaking[:10]}")
    return faults


def open_at(new_context, size: dict, user=None, sign_in=None) -> Page:
    """A page of a browser of its own (signed in as `user`, if given), its window at `size`."""
    page = sign_in(user) if user is not None else new_context().new_page()
    page.set_viewport_size(size)
    return page


def open_every_disclosure(page: Page) -> None:
    """Open every folded form (« details », and DSFR accordions without their script)."""
    page.evaluate(
        """() => {
          document.querySelectorAll('details').forEach(d => { d.open = true; });
          document.querySelectorAll('[aria-expanded="false"][aria-controls]').forEach(b => {
            const panel = document.getElementById(b.getAttribute('aria-controls'));
            if (panel && panel.closest('main')) b.click();
          });
        }"""
    )
    page.wait_for_timeout(300)


@pytest.mark.usefixtures("at_work")
@pytest.mark.parametrize("size", SIZES)
def test_no_public_page_scrolls_sideways_nor_breaks_a_word(new_context, size):
    page = open_at(new_context, SIZES[size])
    faults = []
    for url in PUBLIC_PAGES:
        page.goto(url)
        faults += layout_faults(page)
    assert faults == []


@pytest.mark.parametrize("size", SIZES)
def test_the_signed_in_pages_fit_the_window_with_their_forms_open(
    at_work, has_member, sign_in, new_context, size
):
    page = open_at(new_context, SIZES[size], has_member, sign_in)
    faults = []
    for url in ("/mes-actions/", "/actions/ia-2-4/"):
        page.goto(url)
        faults += layout_faults(page)
        open_every_disclosure(page)
        faults += [f"{fault} (formulaires ouverts)" for fault in layout_faults(page)]
    assert faults == []


def summary_box(page: Page) -> dict:
    page.goto("/")
    summary = page.locator("#synthese")
    summary.wait_for()
    return summary.bounding_box()


@pytest.mark.usefixtures("at_work")
@pytest.mark.parametrize("size", SIZES)
def test_the_summary_lies_within_the_first_screen(new_context, size):
    page = open_at(new_context, SIZES[size])

    box = summary_box(page)

    assert box["y"] >= 0
    assert box["y"] + box["height"] <= SIZES[size]["height"], box
    assert box["x"] >= 0 and box["x"] + box["width"] <= SIZES[size]["width"], box


@pytest.mark.parametrize("size", SIZES)
def test_the_summary_of_the_demonstration_year_lies_within_the_first_screen(
    roadmap, settings, monkeypatch, new_context, size
):
    # GIVEN the demonstration year: its notice above the title, most statuses declared
    monkeypatch.setenv("DEMO_PASSWORD", "un-mot-de-passe-de-demo")
    settings.DEBUG = True
    call_command("seed_demo", "--scenario")
    settings.DEBUG = False
    page = open_at(new_context, SIZES[size])

    box = summary_box(page)

    assert box["y"] + box["height"] <= SIZES[size]["height"], box


@pytest.mark.usefixtures("at_work")
def test_on_a_phone_the_lists_are_stacked_cards_and_on_a_desktop_tables(
    has_member, sign_in, new_context
):
    phone = open_at(new_context, PHONE, has_member, sign_in)
    desktop = open_at(new_context, DESKTOP, has_member, sign_in)
    for url, row in (
        ("/", "#action-ia-2-4"),
        ("/axes/2/", "#action-ia-2-4"),
        ("/mes-actions/", "tbody tr"),
        ("/indicateurs/", "tbody tr"),
        ("/actions/ia-2-1/", "#indicateurs tbody tr"),
    ):
        phone.goto(url)
        desktop.goto(url)
        card = phone.locator(row).first
        # each cell under its column's label, the row as wide as the list
        assert card.evaluate("e => getComputedStyle(e).display") == "grid"
        labels = card.locator("[data-label]")
        assert labels.count() >= 4
        first = labels.first
        label = first.get_attribute("data-label")
        shown = first.evaluate("e => getComputedStyle(e, '::before').content")
        assert shown == f'"{label}"'
        # the column headers kept for screen readers, out of sight
        head = card.locator("xpath=ancestor::table/thead")
        assert head.count() == 1
        assert head.bounding_box()["height"] <= 1
        assert desktop.locator(row).first.evaluate("e => getComputedStyle(e).display") == (
            "table-row"
        )


@pytest.mark.usefixtures("at_work")
@pytest.mark.parametrize("size", SIZES)
def test_en_bref_comes_before_the_texts_of_an_action(new_context, size):
    page = open_at(new_context, SIZES[size])
    page.goto("/actions/ia-2-1/")

    facts = page.locator("#resume").bounding_box()
    objective = page.get_by_role("heading", name="Objectif", exact=True).bounding_box()

    assert facts["y"] < SIZES[size]["height"]
    if size == "390x844":
        assert facts["y"] + facts["height"] <= objective["y"]
    else:
        # beside them on a wide screen, starting no lower than they do
        assert facts["y"] <= objective["y"]
        assert facts["x"] + facts["width"] <= objective["x"]
