"""Accessibility: axe-core (through axe-playwright-python, which ships axe.min.js) scans, in
Chromium at 1280×800 and at 390×844, every public page (and the main ones in English, the sign-in
form in error) and the member's signed-in pages: /mes-actions/, an action with every form open,
refused in place, refused by the server without JavaScript (the page of 422 with its errors) and
in conflict. At 1280×800, the administrator's pages too: the admin's home page, a list, a form
with its inlines, and the workbook import. No serious or critical violation.

Each size has one browser context, its page reused from one path to the next.

axe is injected into the page: these contexts bypass the app's CSP (no inline script allowed),
for these scans only.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db.models import F
from playwright.sync_api import Page, expect

from roadmap.models import Action, Indicator, Measurement, ProgressNote
from roadmap.site.accessibility import CHECKED_MEMBER_PAGES, CHECKED_PAGES, VIEWPORTS
from tests.support.builders import days, make_indicator, make_milestone
from tests.support.files import xlsx_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
BLOCKING = {"serious", "critical"}
# The widths the accessibility statement names (roadmap/site/accessibility.py).
SIZES = {f"{width}x{height}": {"width": width, "height": height} for width, height in VIEWPORTS}


def serious_violations(page: Page, state: str = "") -> list[str]:
    """axe's serious and critical violations on the page as it is now, one line per element."""
    results = AXE.run(page, options={"resultTypes": ["violations"]})
    where = f"{page.url}{f' ({state})' if state else ''}"
    return [
        f"{where} — {violation['id']} ({violation['impact']}) : {violation['help']} — "
        f"{' '.join(node['target'])} : {node['html'][:160]}"
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
        for node in violation["nodes"]
    ]


def open_every_disclosure(page: Page) -> None:
    """Open the « details » of the page (edit forms, replanning…), so that axe sees them."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


@pytest.fixture
def filled_roadmap(roadmap, has_member) -> Action:
    """GIVEN the seed with what the pages show once the task force is at work: a measurement
    with its chart, IA 2-4 (HAS) with milestones (one overdue), an indicator and a note."""
    Measurement.objects.create(
        indicator=Indicator.objects.get(roadmap=roadmap, code="IA2-1-APP-AN"),
        date=date(2025, 1, 31),
        value=Decimal(42000),
        source="Remontée des universités (donnée de test)",
    )
    ia_2_4 = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    ia_2_4.status = "in_progress"
    ia_2_4.save()
    make_milestone(ia_2_4, "Cadrer le guide (jalon de test)", due_date=days(-10))
    make_milestone(ia_2_4, "Publier le guide (jalon de test)", due_date=days(60))
    make_indicator(ia_2_4)
    ProgressNote.objects.create(
        action=ia_2_4, author=has_member, written_on=days(-1), done="Plan du guide validé."
    )
    return ia_2_4


PUBLIC_PAGES = [
    "/",
    "/?axe=2&organisation=HAS",
    "/?axe=9",  # a filter in error
    "/axes/1/",
    "/axes/2/",
    "/axes/3/",
    "/axes/4/",
    "/actions/ia-2-1/",
    "/actions/ia-2-4/",
    "/actions/ia-4-1/",
    "/indicateurs/",
    "/methode/",
    "/journal/",
    "/donnees/",
    "/accounts/login/",
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/actions/cette-action-n-existe-pas/",  # the 404 page
    # The pages every French State site must have.
    "/accessibilite/",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/plan-du-site/",
]
MEMBER_PAGES = ("/", "/mes-actions/", "/accounts/password_change/", "/plan-du-site/")


def test_the_statement_names_the_pages_scanned_here():
    """/accessibilite/ lists the pages of roadmap/site/accessibility.py: each is scanned here."""
    assert {path for path, _label in CHECKED_PAGES} <= set(PUBLIC_PAGES)
    member_pages = {*MEMBER_PAGES, "/actions/ia-2-4/"}  # the action of `filled_roadmap`
    assert {path for path, _label in CHECKED_MEMBER_PAGES} <= member_pages


def submit_without_javascript(page: Page, action: str) -> int:
    """Send the form posting to `action` as a browser without JavaScript does: a full page
    load, no HTMX, no check of the browser's own (`form.submit()` fires no « submit » event).
    Returns the answer's status."""
    with page.expect_navigation() as navigation:
        page.evaluate(
            "action => [...document.forms].find(f => f.action.endsWith(action)).submit()", action
        )
    return navigation.value.status


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_public_pages_have_no_serious_violation(new_context, filled_roadmap, size):
    page = new_context(bypass_csp=True).new_page()
    page.set_viewport_size(size)
    found = []
    for path in PUBLIC_PAGES:
        page.goto(path)
        found += serious_violations(page)

    # The sign-in form in error
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_be_visible()
    found += serious_violations(page, "erreurs")

    # The dashboard's menu of axes, opened (on a phone, behind the « Menu » button)
    page.goto("/")
    if size["width"] < 992:
        page.get_by_role("button", name="Menu", exact=True).click()
    navigation = page.get_by_role("navigation", name="Menu principal")
    navigation.get_by_role("button", name="Axes").click()
    expect(navigation.get_by_role("link", name=re.compile("^Axe 1"))).to_be_visible()
    found += serious_violations(page, "menu des axes ouvert")

    # The main pages in English
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for path in ("/", "/actions/ia-2-1/", "/indicateurs/", "/donnees/", "/accessibilite/"):
        page.goto(path)
        found += serious_violations(page, "en anglais")

    assert not found, "\n".join(found)


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_signed_in_pages_have_no_serious_violation(sign_in, has_member, filled_roadmap, size):
    page = sign_in(has_member, bypass_csp=True)
    page.set_viewport_size(size)
    found = []
    for path in MEMBER_PAGES:
        page.goto(path)
        found += serious_violations(page)

    # The action page with its edit forms, all open
    page.goto(filled_roadmap.get_absolute_url())
    open_every_disclosure(page)
    found += serious_violations(page, "formulaires ouverts")

    # Its forms refused by the server: a value in words, a note dated in the future
    measurement = page.get_by_role("group").filter(
        has=page.get_by_text("Professionnels informés des recommandations", exact=True)
    )
    measurement.get_by_label("Valeur").fill("beaucoup")
    measurement.get_by_label("Source").fill("Test")
    measurement.get_by_role("button", name="Proposer la valeur").click()
    expect(page.get_by_text("Saisissez un nombre, par exemple 70 000 ou 1 234,5.")).to_be_visible()
    note = page.get_by_role("group").filter(has=page.get_by_label("Ce qui a été fait"))
    open_every_disclosure(page)
    note.get_by_label("Date").fill(days(10).isoformat())
    note.get_by_label("Ce qui a été fait").fill("Test")
    note.get_by_role("button", name="Proposer le point d'avancement").click()
    expect(page.get_by_text("ne peut pas être daté dans le futur")).to_be_visible()
    found += serious_violations(page, "formulaires en erreur")

    # A milestone without its title, refused by the server on a page of its own (no JavaScript)
    page.goto(filled_roadmap.get_absolute_url())
    assert submit_without_javascript(page, f"{filled_roadmap.get_absolute_url()}jalons/") == 422
    expect(page.get_by_role("heading", level=1)).to_contain_text("IA 2-4")
    expect(page.locator(".fr-error-text").first).to_be_visible()
    open_every_disclosure(page)
    found += serious_violations(page, "page d'erreurs, sans JavaScript")
    page.goto(filled_roadmap.get_absolute_url())
    open_every_disclosure(page)

    # The status form after a conflict: someone saved the action since the page was read
    Action.objects.filter(pk=filled_roadmap.pk).update(status="late", version=F("version") + 1)
    page.get_by_label("Nouveau statut").select_option(label="Réalisée")
    page.get_by_role("button", name="Changer le statut").click()
    expect(
        page.get_by_role("alert").filter(has_text=re.compile("a modifié le statut"))
    ).to_be_visible()
    found += serious_violations(page, "conflit")

    assert not found, "\n".join(found)


def test_the_workbook_import_pages_have_no_serious_violation(sign_in, administrator, roadmap):
    page = sign_in(administrator, bypass_csp=True)
    found = []
    page.goto("/admin/roadmap/importupload/")
    found += serious_violations(page)

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    for state, value in (("erreur", "beaucoup"), ("aperçu", 35000)):
        content = xlsx_file({"Mesures": [["IA2-1-APP-AN", date(2025, 1, 31), value, "Test", ""]]})
        page.get_by_label("Fichier à importer").set_input_files(
            {"name": "suivi.xlsx", "mimeType": xlsx, "buffer": content}
        )
        page.get_by_role("button", name="Prévisualiser l’import").click()
        expect(page.get_by_role("heading", name="Fichier « suivi.xlsx »")).to_be_visible()
        found += serious_violations(page, state)

    page.get_by_role("button", name="Confirmer l’import").click()
    expect(page.get_by_text("Import du fichier « suivi.xlsx » terminé.")).to_be_visible()
    found += serious_violations(page, "import terminé")

    assert not found, "\n".join(found)


def test_the_admin_pages_have_no_serious_violation(sign_in, administrator, ia_2_1):
    """The admin's home page, the list of actions and the form of IA 2-1 with its milestones,
    indicators and partners: named after the service, and no serious or critical violation."""
    make_milestone(ia_2_1, "Ouvrir les inscriptions (jalon de test)", due_date=days(30))
    page = sign_in(administrator, bypass_csp=True)
    header = "Administration — Feuille de route IA en santé"
    found = []

    page.goto("/admin/")
    expect(page.get_by_role("link", name=header)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accueil de l’administration")
    expect(page).to_have_title(f"Accueil de l’administration | {header}")
    found += serious_violations(page, "accueil")

    page.get_by_role("link", name="Actions", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sélectionnez l’objet action à changer"
    )
    expect(page.get_by_role("link", name=header)).to_be_visible()
    found += serious_violations(page, "liste")

    page.get_by_role("link", name=ia_2_1.code, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modification de action")
    expect(page).to_have_title(re.compile(rf"\| Modification de action \| {header}$"))
    expect(page.get_by_role("link", name=header)).to_be_visible()
    expect(page.get_by_role("textbox", name="Jalon", exact=True)).to_have_value(
        "Ouvrir les inscriptions (jalon de test)"
    )
    found += serious_violations(page, "formulaire")

    assert not found, "\n".join(found)
