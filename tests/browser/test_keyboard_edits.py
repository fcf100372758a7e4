"""A task-force member of the HAS updates IA 2-4 with the keyboard alone, in Chromium.

After each edit saved in place (status, a milestone ticked then reopened, rescheduled, a new
milestone, a measurement, a progress note), a screen reader hears what was saved through the
page's live region, and the focus is on a control that means something there: the same button,
or the summary that opens the same form again (the form itself is closed once saved), never
lost to the page's <body>.
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from roadmap.models import Action
from tests.support.browser import no_full_reload, tab_to
from tests.support.builders import days, make_indicator, make_milestone
from tests.support.html import french_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MILESTONE = "Publier le guide (jalon de test)"
NEW_MILESTONE = "Lancer la consultation publique (jalon de test)"
INDICATOR = "Professionnels informés des recommandations"


@pytest.fixture
def ia_2_4(roadmap) -> Action:
    """GIVEN IA 2-4, led by the HAS, with a milestone to come and an indicator."""
    action = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    make_milestone(action, MILESTONE, due_date=days(30))
    make_indicator(action, label=INDICATOR)
    return action


def assert_focus_on(page: Page, target: Locator) -> None:
    """`target` has the focus: the page's body does not."""
    expect(target).to_be_focused()
    focused = page.evaluate(
        "() => document.activeElement === document.body ? 'body' : document.activeElement.tagName"
    )
    assert focused != "body", "la sélection clavier est perdue (document.body)"


def next_year(page: Page, field: Locator) -> datetime.date:
    """With the keyboard, in the date `field` just reached with Tab: up to its last part (the
    year, whatever the order of day and month in the browser's language), then one year on.
    An empty field gets 1 January. Returns the date the field now holds."""
    empty = not field.input_value()
    for _ in range(2):
        if empty:
            page.keyboard.press("ArrowUp")
        page.keyboard.press("Tab")
    if empty:
        page.keyboard.press("ArrowUp")  # this year
    page.keyboard.press("ArrowUp")
    expect(field).to_be_focused()
    return datetime.date.fromisoformat(field.input_value())


def test_every_edit_in_place_is_announced_and_keeps_the_keyboard_focus(sign_in, has_member, ia_2_4):
    page = sign_in(has_member)
    page.goto(ia_2_4.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("IA 2-4")
    # The live region is there from the start, empty, for screen readers to follow it
    live_region = page.get_by_role("status")
    expect(live_region).to_have_count(1)
    expect(live_region).to_have_text("")
    milestones = page.get_by_role("list", name="Jalons de l'action IA 2-4, du premier au dernier")

    with no_full_reload(page):
        # WHEN the member changes the status
        tab_to(page, page.get_by_label("Nouveau statut"))
        page.keyboard.type("En c")  # picks « En cours » in the closed list
        expect(page.get_by_label("Nouveau statut")).to_have_value("in_progress")
        tab_to(page, page.get_by_role("button", name="Changer le statut"))
        page.keyboard.press("Enter")
        # THEN it is announced, and the focus stays on the button
        expect(live_region).to_have_text("Statut enregistré : En cours.")
        assert_focus_on(page, page.get_by_role("button", name="Changer le statut"))

        # WHEN they tick the milestone, then reopen it
        tab_to(page, page.get_by_role("button", name=f"Marquer réalisé : « {MILESTONE} »"))
        page.keyboard.press("Enter")
        expect(live_region).to_have_text(f"Jalon « {MILESTONE} » marqué réalisé.")
        assert_focus_on(page, page.get_by_role("button", name=f"Rouvrir le jalon « {MILESTONE} »"))
        page.keyboard.press("Enter")
        expect(live_region).to_have_text(f"Jalon « {MILESTONE} » rouvert.")
        assert_focus_on(page, page.get_by_role("button", name=f"Marquer réalisé : « {MILESTONE} »"))

        # WHEN they reschedule it, a year later
        replan = page.get_by_text("Replanifier", exact=True)
        tab_to(page, replan)
        page.keyboard.press("Enter")  # opens the form
        field = page.get_by_label("Nouvelle échéance")
        tab_to(page, field)
        new_due_date = next_year(page, field)
        assert new_due_date.year == days(30).year + 1
        tab_to(page, page.get_by_role("button", name="Enregistrer l'échéance"))
        page.keyboard.press("Enter")
        # THEN the new date shows, is announced, and the focus is on « Replanifier » again
        expect(milestones.get_by_role("listitem").filter(has_text=MILESTONE)).to_contain_text(
            french_date(new_due_date)
        )
        expect(live_region).to_have_text(
            f"Échéance du jalon « {MILESTONE} » reportée au {new_due_date:%d/%m/%Y}."
        )
        assert_focus_on(page, replan)

        # WHEN they add a milestone
        add = page.get_by_text("Ajouter un jalon", exact=True)
        tab_to(page, add)
        page.keyboard.press("Enter")
        tab_to(page, page.get_by_label("Jalon", exact=True))
        page.keyboard.type(NEW_MILESTONE)
        page.keyboard.press("Tab")
        field = page.get_by_label("Échéance", exact=True)
        expect(field).to_be_focused()
        due_date = next_year(page, field)
        assert due_date == datetime.date(days(0).year + 1, 1, 1)
        tab_to(page, page.get_by_role("button", name="Ajouter le jalon"))
        page.keyboard.press("Enter")
        # THEN it is in the timeline, announced, and the focus is on « Ajouter un jalon » again
        expect(milestones.get_by_role("listitem").filter(has_text=NEW_MILESTONE)).to_contain_text(
            french_date(due_date)
        )
        expect(live_region).to_have_text(f"Jalon « {NEW_MILESTONE} » ajouté.")
        assert_focus_on(page, add)

        # WHEN they record a value of the indicator
        form = page.get_by_role("group").filter(has=page.get_by_text(INDICATOR, exact=True))
        indicator = form.get_by_text(INDICATOR, exact=True)
        tab_to(page, indicator)
        page.keyboard.press("Enter")
        tab_to(page, form.get_by_label("Valeur"))
        page.keyboard.type("35 000")
        page.keyboard.press("Tab")
        expect(form.get_by_label("Source")).to_be_focused()
        page.keyboard.type("Enquête HAS (donnée de test)")
        tab_to(page, form.get_by_role("button", name="Proposer la valeur"))
        page.keyboard.press("Enter")
        # THEN the indicator shows it, it is announced, and the focus is on the indicator's
        # summary, which opens the form again
        indicators = page.get_by_role("table", name="Indicateurs de l'action IA 2-4")
        expect(indicators.get_by_role("row").filter(has_text=INDICATOR)).to_contain_text(
            re.compile(r"35\s000\sprofessionnels")
        )
        # (a member's value awaits review: the announcement says so)
        expect(live_region).to_have_text(
            f"Valeur enregistrée pour « {INDICATOR} ». "
            "Elle sera publiée après validation par un administrateur."
        )
        assert_focus_on(page, indicator)

        # WHEN they write a progress note
        write = page.get_by_text("Rédiger un point d'avancement", exact=True)
        tab_to(page, write)
        page.keyboard.press("Enter")
        tab_to(page, page.get_by_label("Ce qui a été fait"))
        page.keyboard.type("Consultation préparée.")
        tab_to(page, page.get_by_role("button", name="Proposer le point d'avancement"))
        page.keyboard.press("Enter")
        # THEN the note is published, announced, and the focus is on « Rédiger un point
        # d'avancement » again
        notes = page.get_by_role("region", name="Points d'avancement")
        expect(notes.get_by_role("article").first).to_contain_text("Consultation préparée.")
        expect(live_region).to_have_text(
            "Point d'avancement proposé : il sera publié après validation."
        )
        assert_focus_on(page, write)


NO_WIDER_THAN_THE_WINDOW = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}], ids=["1280", "390"]
)
def test_a_form_opens_as_a_dsfr_accordion_with_the_keyboard_even_without_javascript(
    sign_in, has_member, ia_2_4, viewport
):
    # GIVEN a member whose browser runs no JavaScript, on a desktop or a phone
    page = sign_in(has_member, java_script_enabled=False)
    page.set_viewport_size(viewport)
    page.goto(ia_2_4.get_absolute_url())
    add = page.get_by_text("Ajouter un jalon", exact=True)
    title = page.get_by_label("Jalon", exact=True)
    due_date = page.get_by_label("Échéance", exact=True)
    # the form is folded under a DSFR accordion's button, closed
    expect(add).to_have_class("fr-accordion__btn")
    expect(page.locator("details.fr-accordion").filter(has=add)).not_to_have_attribute("open", "")
    expect(title).to_be_hidden()
    closed_chevron = add.evaluate("el => getComputedStyle(el, '::after').transform")

    # WHEN they reach « Ajouter un jalon » with Tab and press Enter
    tab_to(page, add)
    page.keyboard.press("Enter")
    # THEN the form opens, the chevron turns, and nothing pushes the page past the window
    expect(title).to_be_visible()
    expect(due_date).to_be_visible()
    assert add.evaluate("el => getComputedStyle(el, '::after').transform") != closed_chevron
    assert page.evaluate(NO_WIDER_THAN_THE_WINDOW)
    box = due_date.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]

    # AND with every form of the page open at once, the page is still no wider than the window
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert page.evaluate(NO_WIDER_THAN_THE_WINDOW)
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = false; })")

    # WHEN they add the milestone: a plain form, posted without JavaScript
    add.focus()
    page.keyboard.press("Enter")
    tab_to(page, title)
    page.keyboard.type(NEW_MILESTONE)
    due_date.fill(days(40).isoformat())
    tab_to(page, page.get_by_role("button", name="Ajouter le jalon"))
    page.keyboard.press("Enter")
    # THEN the page comes back with it in the timeline, and the form folded again
    milestones = page.get_by_role("list", name="Jalons de l'action IA 2-4, du premier au dernier")
    expect(milestones.get_by_role("listitem").filter(has_text=NEW_MILESTONE)).to_contain_text(
        french_date(days(40))
    )
    expect(page.get_by_label("Jalon", exact=True)).to_be_hidden()
