"""Two task-force members of the HAS edit IA 2-4 at the same time, each in a browser of their own.

The one who saves second, from a page read before the first saved, is told in place who changed
what, and nothing is lost: the first change stays saved, the second person's choice is still in
their form, and one more click (here with the keyboard alone) saves it on top.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from roadmap.models import Action
from tests.support.browser import no_full_reload
from tests.support.builders import colleague, days, make_milestone, today
from tests.support.html import french_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MILESTONE = "Publier le guide (jalon de test)"


@pytest.fixture
def ia_2_4(roadmap) -> Action:
    action = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    make_milestone(action, MILESTONE, due_date=days(30))
    return action


@pytest.fixture
def two_pages(sign_in, has_member, ia_2_4) -> tuple[Page, Page]:
    """GIVEN Camille Martin and the member, both of the HAS, each with IA 2-4 open."""
    camille = sign_in(colleague("HAS"))
    member = sign_in(has_member)
    for page in (camille, member):
        page.goto(ia_2_4.get_absolute_url())
        expect(page.get_by_role("heading", level=1)).to_contain_text("IA 2-4")
    return camille, member


def status_badge(page: Page, label: str):
    return (
        page.get_by_role("main")
        .get_by_role("paragraph")
        .filter(has_text=re.compile(rf"^\s*{label}\s*$"))
    )


def test_the_second_status_change_is_told_of_the_first_and_nothing_is_lost(two_pages, ia_2_4):
    camille, member = two_pages

    # WHEN Camille sets the status to « En cours »
    camille.get_by_label("Nouveau statut").select_option(label="En cours")
    camille.get_by_role("button", name="Changer le statut").click()
    expect(status_badge(camille, "En cours")).to_be_visible()

    # AND the member, whose page still says « Non renseigné », chooses « À risque »
    with no_full_reload(member):
        member.get_by_label("Nouveau statut").select_option(label="À risque")
        member.get_by_role("button", name="Changer le statut").click()

        # THEN they are told, in place, who changed the status and what it is now
        alert = member.get_by_role("alert")
        expect(alert).to_contain_text("Camille Martin a modifié le statut le")
        expect(alert).to_contain_text("il est maintenant « En cours »")
        expect(alert).to_contain_text("Votre choix « À risque » n'a pas été enregistré.")
        expect(status_badge(member, "En cours")).to_be_visible()
        # AND their choice is still in the form, the focus on the button to save it on top
        expect(member.get_by_label("Nouveau statut")).to_have_value("at_risk")
        expect(member.get_by_role("button", name="Réessayer")).to_be_focused()
    ia_2_4.refresh_from_db()
    assert ia_2_4.status == "in_progress"  # Camille's change was not overwritten

    # WHEN the member saves it again, with the keyboard alone
    with no_full_reload(member):
        member.keyboard.press("Enter")
        # THEN it is saved, after Camille's, and the history keeps both
        expect(status_badge(member, "À risque")).to_be_visible()
        expect(member.get_by_role("alert")).to_have_count(0)
    history = member.get_by_role("region", name="Historique des modifications")
    expect(history).to_contain_text("En cours → À risque")
    expect(history).to_contain_text("Non renseigné → En cours")
    ia_2_4.refresh_from_db()
    assert ia_2_4.status == "at_risk"

    # AND Camille sees the member's change when she comes back to the page
    camille.reload()
    expect(status_badge(camille, "À risque")).to_be_visible()


def test_a_milestone_ticked_after_it_was_rescheduled_is_told_and_nothing_is_lost(two_pages, ia_2_4):
    camille, member = two_pages
    new_due_date = days(90)
    timeline = "Jalons de l'action IA 2-4, du premier au dernier"

    # WHEN Camille reschedules the milestone
    camille.get_by_text("Replanifier", exact=True).click()
    camille.get_by_label("Nouvelle échéance").fill(new_due_date.isoformat())
    camille.get_by_role("button", name="Enregistrer l'échéance").click()
    expect(camille.get_by_role("list", name=timeline)).to_contain_text(french_date(new_due_date))

    # AND the member, from the page read before, ticks it as done
    with no_full_reload(member):
        member.get_by_role("button", name=f"Marquer réalisé : « {MILESTONE} »").click()

        # THEN they are told that Camille changed it, and see its new due date
        alert = member.get_by_role("alert")
        expect(alert).to_contain_text("Camille Martin a modifié ce jalon le")
        expect(alert).to_contain_text("votre modification n'a pas été enregistrée")
        step = member.get_by_role("list", name=timeline).get_by_role("listitem")
        expect(step.filter(has_text=MILESTONE)).to_contain_text(french_date(new_due_date))
        expect(step.filter(has_text=MILESTONE)).to_contain_text("Non réalisé")

        # WHEN they tick it again, on the version they now see
        member.get_by_role("button", name=f"Marquer réalisé : « {MILESTONE} »").click()
        # THEN both changes are kept
        expect(step.filter(has_text=MILESTONE)).to_contain_text(french_date(today()))
        expect(member.get_by_role("alert")).to_have_count(0)
    milestone = ia_2_4.milestones.get(title=MILESTONE)
    assert (milestone.due_date, milestone.done_on) == (new_due_date, today())
