"""A reader prints the dashboard, and an administrator an action page they can edit, in Chromium:
clean A4 pages (static/css/print.css).

GIVEN the seed with a year of task-force work played on it (charts with values, statuses
declared), WHEN the page is shown as printed (`emulate_media(media="print")`), THEN the header,
the navigation, the footer, every form and every button are not displayed, while the title, the
statuses, the indicators and their charts are; no link has its address written after it;
charts, cards and table rows are never cut across two pages and the badges keep their colours.
AND `page.pdf(format="A4")` gives A4 pages, a bounded number of them.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from roadmap.models import Roadmap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A4 in PDF points (1/72 inch): 210 × 297 mm; Chromium rounds to its own CSS pixels.
A4 = (595, 842)
# What the demonstration's pages take on paper (6 and 15 sheets: IA 2-1 has nine indicators, eleven
# charts with their data, a year of history), with room for the texts to grow; a page that
# suddenly prints on many more sheets (a table cut into slivers, a chart per sheet) fails.
MOST_DASHBOARD_PAGES = 10
MOST_ACTION_PAGES = 20

# Everything the page shows that paper has no use for.
FRAME = ["header.fr-header", "#navigation", "footer.fr-footer", ".fr-skiplinks", ".fr-breadcrumb"]
# Every control; an accordion of text prints open, its button as its title.
CONTROLS = [
    "form",
    "input",
    "select",
    "textarea",
    "summary",
    "button:not(.fr-accordion__btn)",
    ".fr-btn:not(.fr-accordion__btn)",
]


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


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """The size of each page of a PDF Chromium wrote, in points, from its page objects."""
    assert pdf.startswith(b"%PDF-")
    pages = re.findall(rb"/Type\s*/Page\b(?!s).*?/MediaBox\s*\[([^\]]*)\]", pdf, re.S)
    if not pages:  # MediaBox before Type, as some writers order them
        pages = re.findall(rb"/MediaBox\s*\[([^\]]*)\][^>]*?/Type\s*/Page\b(?!s)", pdf, re.S)
    sizes = []
    for box in pages:
        left, bottom, right, top = (float(number) for number in box.split())
        sizes.append((right - left, top - bottom))
    return sizes


def assert_a4(sizes: list[tuple[float, float]], most: int) -> None:
    assert 1 <= len(sizes) <= most, f"{len(sizes)} pages"
    for width, height in sizes:
        assert abs(width - A4[0]) < 2 and abs(height - A4[1]) < 2, (width, height)


def shown(page: Page, selector: str) -> int:
    """How many elements matching `selector` take room on the page (are displayed)."""
    return page.locator(selector).evaluate_all(
        "elements => elements.filter(e => e.getClientRects().length > 0).length"
    )


def assert_printed_cleanly(page: Page) -> None:
    """In print media: no frame, form or button displayed; no link's address spilled after it;
    blocks kept whole; badges in their colours."""
    for selector in FRAME:
        assert shown(page, selector) == 0, selector
    for selector in CONTROLS:
        assert shown(page, selector) == 0, selector
    spilled = page.locator("a[href]").evaluate_all(
        """links => links.filter(link => {
            const content = getComputedStyle(link, '::after').content;
            return content !== 'none' && content !== 'normal' && content !== '""';
        }).map(link => link.getAttribute('href'))"""
    )
    assert spilled == []
    whole = page.locator("figure, .app-headline, tbody tr").evaluate_all(
        "elements => elements.map(e => getComputedStyle(e).breakInside)"
    )
    assert whole and set(whole) == {"avoid"}
    kept = page.locator(".fr-badge").evaluate_all(
        "badges => badges.map(b => getComputedStyle(b).printColorAdjust)"
    )
    assert kept and set(kept) == {"exact"}


def test_the_dashboard_prints_as_a_clean_a4_report(page: Page, demonstration):
    page.goto("/")
    expect(page.locator("#filtres")).to_be_visible()  # on screen, the filters are there

    # WHEN it is printed
    page.emulate_media(media="print")

    # THEN what paper needs is shown, and nothing else
    assert_printed_cleanly(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(demonstration.title)
    expect(page.locator("#filtres")).to_be_hidden()
    targets = page.get_by_role("region", name="Les cibles phares")
    expect(targets.get_by_role("article").first).to_be_visible()
    actions = page.get_by_role("region", name="Les actions, axe par axe")
    ia_2_1 = actions.get_by_role("row", name=re.compile(r"^IA 2-1 "))
    expect(ia_2_1).to_be_visible()
    expect(ia_2_1.locator(".fr-badge").first).to_be_visible()  # its status

    # AND it prints on a few A4 pages
    assert_a4(pdf_pages(page.pdf(format="A4")), MOST_DASHBOARD_PAGES)


def test_an_action_page_prints_its_title_status_and_indicators_without_its_forms(
    sign_in, administrator, demonstration
):
    page = sign_in(administrator)
    page.goto("/actions/ia-2-1/")
    assert shown(page, "form") > 0  # on screen, the administrator has the edit forms
    drawn = shown(page, "figure.app-chart svg")

    # WHEN it is printed
    page.emulate_media(media="print")

    # THEN the forms, the navigation and the buttons are gone; the action is all there
    assert_printed_cleanly(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("IA 2-1")
    status = page.locator("#resume .fr-badge").first
    expect(status).to_be_visible()
    expect(status).not_to_have_text("")
    indicators = page.get_by_role("table", name="Indicateurs de l'action IA 2-1")
    expect(indicators).to_be_visible()
    expect(indicators.get_by_role("row")).not_to_have_count(0)
    expect(page.locator("figure.app-chart").first).to_be_visible()
    assert drawn > 0 and shown(page, "figure.app-chart svg") == drawn  # every chart

    # AND it prints on a few A4 pages
    assert_a4(pdf_pages(page.pdf(format="A4")), MOST_ACTION_PAGES)
