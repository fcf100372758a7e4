"""A task-force member of the HAS, in Chromium: signs in through the login form, updates IA 2-4
(which the HAS leads) in place — status, a milestone ticked, a measurement with its source, a
progress note written with the keyboard alone — without the page ever reloading, each edit
announced to screen readers, sees the dashboard reflect it, finds the action in « Mes actions »
from the main navigation, and finds no edit controls on an action of another organisation.
"""

from __future__ import annotations

import re

import pytest
from django.utils import formats, translation
from playwright.sync_api import Page, expect

from roadmap.models import Action, Measurement, ProgressNote
from tests.support.browser import no_full_reload, tab_to
from tests.support.builders import days, make_indicator, make_milestone, today
from tests.support.constants import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERDUE = "Cadrer le guide (jalon de test)"
NEXT = "Publier le guide (jalon de test)"
INDICATOR = "Professionnels informés des recommandations"
SOURCE = "Enquête HAS auprès des établissements (donnée de test)"
DONE = "Groupe de travail réuni ; plan du guide validé."
RISKS = "Relecture juridique à prévoir."
NEXT_STEPS = "Consultation publique au printemps."


def french(value, format_name: str) -> str:
    with translation.override("fr"):
        return formats.date_format(value, format_name)


@pytest.fixture
def ia_2_4(roadmap) -> Action:
    """GIVEN IA 2-4, led by the HAS, with a milestone overdue, one to come and an indicator."""
    action = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    make_milestone(action, OVERDUE, due_date=days(-10))
    make_milestone(action, NEXT, due_date=days(60))
    make_indicator(action, label=INDICATOR)
    return action


def row_of(page: Page, code: str):
    actions = page.get_by_role("region", name="Les actions, axe par axe")
    return actions.get_by_role("row", name=re.compile(rf"^{code} "))


# What a member enters publishes at once here: this journey is about editing in place; review
# before publication has its own (test_review_journey.py).
@pytest.mark.usefixtures("review_off")
def test_a_member_updates_their_action_in_place_and_the_dashboard_shows_it(
    page: Page, ia_2_4, has_member
):
    # WHEN the member signs in from the home page
    page.goto("/")
    page.get_by_role("link", name="Se connecter").click()
    page.get_by_label("Identifiant").fill(has_member.username)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    # THEN they are back on the dashboard, signed in
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))

    # WHEN they open their action
    row_of(page, "IA 2-4").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("IA 2-4")
    main = page.get_by_role("main")
    history = page.get_by_role("region", name="Historique des modifications")
    announced = page.get_by_role("status")  # the live region that says what was saved

    with no_full_reload(page):
        # AND change its status
        status = page.get_by_label("Nouveau statut")
        status.select_option(label="En cours")
        page.get_by_role("button", name="Changer le statut").click()
        # THEN the summary and the history say so, in place
        badge = main.get_by_role("paragraph").filter(has_text=re.compile(r"^\s*En cours\s*$"))
        expect(badge).to_be_visible()
        expect(history).to_contain_text("Non renseigné → En cours")
        expect(status).to_have_value("in_progress")
        expect(page.get_by_role("button", name="Changer le statut")).to_be_focused()
        expect(announced).to_have_text("Statut enregistré : En cours.")

        # WHEN they tick the overdue milestone (done today, the date offered)
        page.get_by_role("button", name=f"Marquer réalisé : « {OVERDUE} »").click()
        # THEN the milestone reads as done today, and the action is half done
        milestones = page.get_by_role(
            "list", name="Jalons de l'action IA 2-4, du premier au dernier"
        )
        done_row = milestones.get_by_role("listitem").filter(has_text=OVERDUE)
        expect(done_row).to_contain_text("Réalisé")
        expect(done_row).to_contain_text(french(today(), "DATE_FORMAT"))
        # (the focus stays where it was, on the button that now reopens the milestone)
        expect(page.get_by_role("button", name=f"Rouvrir le jalon « {OVERDUE} »")).to_be_focused()
        expect(main).to_contain_text(re.compile(r"Avancement\s*50\s%"))
        expect(announced).to_have_text(f"Jalon « {OVERDUE} » marqué réalisé.")

        # WHEN they record a value of the indicator with its source
        form = page.get_by_role("group").filter(has=page.get_by_text(INDICATOR, exact=True))
        form.get_by_text(INDICATOR, exact=True).click()
        form.get_by_label("Valeur").fill("35 000")
        form.get_by_label("Source").fill(SOURCE)
        form.get_by_role("button", name="Enregistrer la valeur").click()
        # THEN the indicator shows it, and the chart's data names its source
        indicators = page.get_by_role("table", name="Indicateurs de l'action IA 2-4")
        expect(indicators.get_by_role("row").filter(has_text=INDICATOR)).to_contain_text(
            re.compile(r"35\s000\sprofessionnels")
        )
        chart_data = page.get_by_role("table", name=f"Données du graphique : {INDICATOR}")
        expect(chart_data).to_contain_text(SOURCE)
        expect(announced).to_have_text(f"Valeur enregistrée pour « {INDICATOR} ».")

        # WHEN they write a progress note with the keyboard alone
        tab_to(page, page.get_by_text("Rédiger un point d'avancement", exact=True))
        page.keyboard.press("Enter")  # opens the form
        tab_to(page, page.get_by_label("Ce qui a été fait"))
        page.keyboard.type(DONE)
        page.keyboard.press("Tab")
        expect(page.get_by_label("Risques")).to_be_focused()
        page.keyboard.type(RISKS)
        page.keyboard.press("Tab")
        expect(page.get_by_label("Prochaines étapes")).to_be_focused()
        page.keyboard.type(NEXT_STEPS)
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Publier le point d'avancement")).to_be_focused()
        page.keyboard.press("Enter")
        # THEN the note is published, dated and signed
        notes = page.get_by_role("region", name="Points d'avancement")
        note = notes.get_by_role("article").first
        expect(note).to_contain_text(
            f"Le {french(today(), 'DATE_FORMAT')}, par {has_member.username}"
        )
        expect(note).to_contain_text(DONE)
        expect(note).to_contain_text(RISKS)
        expect(note).to_contain_text(NEXT_STEPS)
        expect(announced).to_have_text("Point d'avancement publié.")
        # (the focus is back on what opens the form, closed again)
        expect(page.get_by_text("Rédiger un point d'avancement", exact=True)).to_be_focused()

    # AND everything was saved, signed by the member
    ia_2_4.refresh_from_db()
    assert ia_2_4.status == "in_progress"
    assert ia_2_4.milestones.get(title=OVERDUE).done_on == today()
    measurement = Measurement.objects.get(indicator__action=ia_2_4)
    assert (measurement.value, measurement.source) == (35000, SOURCE)
    assert measurement.recorded_by == has_member
    assert ProgressNote.objects.get(action=ia_2_4, author=has_member).risks == RISKS

    # WHEN they go back to the dashboard
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Tableau de bord"
    ).click()
    # THEN IA 2-4's row shows the new status, progress, next milestone and update
    row = row_of(page, "IA 2-4")
    expect(row).to_contain_text("En cours")
    expect(row).to_contain_text(re.compile(r"50\s%"))
    expect(row).to_contain_text(NEXT)
    expect(row).to_contain_text(french(today(), "SHORT_DATE_FORMAT"))
    expect(row).not_to_contain_text("jalon en retard")

    # AND their own list, a link of the main navigation, has it
    navigation = page.get_by_role("navigation", name="Menu principal")
    navigation.get_by_role("link", name="Mes actions").click()
    expect(page).to_have_url(re.compile(r"/mes-actions/$"))
    expect(navigation.get_by_role("link", name="Mes actions")).to_have_attribute(
        "aria-current", "page"
    )
    mine = page.get_by_role("table", name="Mes actions, les plus urgentes en premier")
    expect(mine.get_by_role("row").filter(has_text="IA 2-4")).to_contain_text("En cours")

    # WHEN they open an action of another organisation (IA 2-1 has no pilot yet)
    page.goto("/")
    row_of(page, "IA 2-1").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("IA 2-1")
    # THEN it shows no edit control at all
    expect(main.get_by_role("button")).to_have_count(0)
    expect(main.get_by_role("combobox")).to_have_count(0)
    expect(main.get_by_role("textbox")).to_have_count(0)
    expect(main.get_by_text("Saisir une valeur")).to_have_count(0)
    expect(main.get_by_text("Rédiger un point d'avancement")).to_have_count(0)
