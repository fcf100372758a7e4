"""HTMX answers checked against the page they update, so partial and page can never drift apart.

For each inline edit: take the action page as the user had it, post the edit with htmx, apply
the answer as htmx would (the fragment replaces the element with the same id; elements marked
hx-swap-oob replace theirs, or their content), and compare with a fresh render of the whole
page. Only two things differ on purpose, for the user who just saved: the page's live region
says what was saved, and the id of the button pressed moves to the control that opens its form
again, where htmx then gives the focus back. When the edit is refused (bad input, conflict), the
page with the answer applied must equal the page that the same post gets without JavaScript.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.support.builders import colleague, days, signed_in
from tests.support.html import element, located, normalised, plain_text, text_of
from tests.support.htmx import apply_htmx

# Each edit: the view, its URL arguments and posted data (from the scene), and the id of the
# element the form targets (hx-target).
EDITS = {
    "status": (
        "edit-status",
        lambda s: [],
        lambda s: {"status": "at_risk", "version": s.action.version},
        "resume",
    ),
    "tick": (
        "edit-milestone-done",
        lambda s: [s.open_milestone.pk],
        lambda s: {"done": "on", "done_on": days(-1), "version": s.open_milestone.version},
        "jalons",
    ),
    "reopen": (
        "edit-milestone-done",
        lambda s: [s.done_milestone.pk],
        lambda s: {"version": s.done_milestone.version},
        "jalons",
    ),
    "reschedule": (
        "edit-milestone-reschedule",
        lambda s: [s.open_milestone.pk],
        lambda s: {"due_date": days(20), "version": s.open_milestone.version},
        "jalons",
    ),
    "add-milestone": (
        "edit-milestone-add",
        lambda s: [],
        lambda s: {"title": "Lancer l'appel à projets", "due_date": days(90)},
        "jalons",
    ),
    "measurement": (
        "edit-measurement",
        lambda s: [s.indicator.code],
        lambda s: {"date": days(-1), "value": "70 000", "source": "Enquête HAS", "comment": ""},
        "indicateurs",
    ),
    "note": (
        "edit-note",
        lambda s: [],
        lambda s: {"written_on": days(0), "done": "Consultation lancée.", "risks": ""},
        "points",
    ),
}

# The same edits with input each view refuses.
INVALID = {
    "status": {"status": "douze"},
    "tick": {"done": "on", "done_on": days(3)},
    "reschedule": {"due_date": "bientôt"},
    "add-milestone": {"title": "", "due_date": ""},
    "measurement": {"value": "douze", "source": ""},
    "note": {"done": "", "written_on": days(2)},
}


LIVE_REGION = "annonce-enregistrement"

# What the live region says after each edit.
ANNOUNCED = {
    "status": lambda s: "Statut enregistré : À risque.",
    "tick": lambda s: "Jalon « Publier le référentiel » marqué réalisé.",
    "reopen": lambda s: "Jalon « Réunir le comité » rouvert.",
    "reschedule": lambda s: (
        f"Échéance du jalon « Publier le référentiel » reportée au {days(20):%d/%m/%Y}."
    ),
    "add-milestone": lambda s: "Jalon « Lancer l'appel à projets » ajouté.",
    # A member's value and note await review (docs/domain.md « Relecture »).
    "measurement": lambda s: (
        "Valeur enregistrée pour « Professionnels informés des recommandations ». "
        "Elle sera publiée après validation par un administrateur."
    ),
    "note": lambda s: "Point d'avancement proposé : il sera publié après validation.",
}

# The id of the button pressed for each edit, and what holds it once the answer is swapped in
# (htmx gives the focus to the element with that id): the same button when it is still shown,
# else the summary that opens the form again, closed now.
REFOCUSED = {
    "status": lambda s: ("statut-envoyer", "button", "Changer le statut"),
    "tick": lambda s: (
        f"jalon-{s.open_milestone.pk}-realisation",
        "button",
        "Rouvrir le jalon « Publier le référentiel »",
    ),
    "reopen": lambda s: (
        f"jalon-{s.done_milestone.pk}-realisation",
        "button",
        "Marquer réalisé : « Réunir le comité »",
    ),
    "reschedule": lambda s: (
        f"jalon-{s.open_milestone.pk}-echeance-envoyer",
        "summary",
        "Replanifier",
    ),
    "add-milestone": lambda s: ("jalon-nouveau-envoyer", "summary", "Ajouter un jalon"),
    "measurement": lambda s: (
        f"indicateur-{s.indicator.pk}-mesure-envoyer",
        "summary",
        "Professionnels informés des recommandations",
    ),
    "note": lambda s: ("point-envoyer", "summary", "Rédiger un point d'avancement"),
}


def but_for_the_feedback(page: str) -> str:
    """`page` without what only the user who just saved sees: the live region's sentence, and
    where the id of the submit buttons of the forms in « details » is (checked on its own)."""
    page = re.sub(rf'(id="{LIVE_REGION}"[^>]*>)[^<]*(</p>)', r"\1\2", page)
    return re.sub(r' id="[a-z0-9-]+-envoyer"', "", page)


def test_the_action_page_has_an_empty_live_region_for_what_the_member_saves(scene):
    page = scene.page()

    assert element(page, LIVE_REGION) == (
        f'<p class="fr-sr-only" id="{LIVE_REGION}" role="status"></p>'
    )


def test_a_reader_s_action_page_has_no_live_region_since_nothing_is_edited(scene, client):
    page = client.get(scene.action.get_absolute_url()).content.decode()

    assert LIVE_REGION not in page
    assert "Changer le statut" not in page


@pytest.mark.parametrize("edit", EDITS)
def test_the_page_with_the_htmx_answer_applied_equals_a_fresh_page(scene, edit):
    name, args, data, target = EDITS[edit]
    # GIVEN the page as the member had it
    before = scene.page()

    # WHEN they make the edit with htmx
    response = scene.post(name, args(scene), data(scene), with_htmx=True)
    assert response.status_code == 200
    after = apply_htmx(before, response.content.decode(), target)

    # THEN the live region of their page says what was saved, for screen readers
    assert text_of(after, LIVE_REGION) == ANNOUNCED[edit](scene)
    assert 'role="status"' in element(after, LIVE_REGION)
    # AND otherwise their page is the page anyone would now get
    assert normalised(but_for_the_feedback(after)) == normalised(but_for_the_feedback(scene.page()))


@pytest.mark.parametrize("edit", EDITS)
def test_after_an_edit_with_htmx_the_focus_goes_back_to_what_opens_the_form_again(scene, edit):
    name, args, data, target = EDITS[edit]
    element_id, tag, label = REFOCUSED[edit](scene)
    # GIVEN the page, where the button that saves the edit has the id
    before = scene.page()
    assert located(before, element_id).tag == "button"

    # WHEN the edit is saved with htmx
    response = scene.post(name, args(scene), data(scene), with_htmx=True)
    after = apply_htmx(before, response.content.decode(), target)

    # THEN one element has the id now, shown: the same button, or the summary of its form
    assert after.count(f'id="{element_id}"') == 1
    assert located(after, element_id).tag == tag
    assert plain_text(element(after, element_id)) == label


@pytest.mark.parametrize("edit", INVALID)
def test_a_refused_edit_looks_the_same_with_htmx_and_without(scene, edit):
    name, args, data, target = EDITS[edit]
    posted = {**data(scene), **INVALID[edit]}
    before = scene.page()

    with_htmx = scene.post(name, args(scene), posted, with_htmx=True)
    without = scene.post(name, args(scene), posted, with_htmx=False)

    assert with_htmx.status_code == without.status_code == 422
    assert normalised(apply_htmx(before, with_htmx.content.decode(), target)) == normalised(
        without.content.decode()
    )


@pytest.mark.parametrize("edit", ["status", "tick", "reschedule"])
def test_a_conflict_looks_the_same_with_htmx_and_without(scene, edit):
    name, args, data, target = EDITS[edit]
    # GIVEN the page as the member had it, then a change by a colleague
    before = scene.page()
    posted = data(scene)
    camille = signed_in(colleague("HAS"))
    assert (
        camille.post(
            reverse(f"roadmap:{name}", args=[scene.action.slug, *args(scene)]),
            {
                **posted,
                **({"status": "late"} if edit == "status" else {"due_date": days(50)}),
            },
        ).status_code
        == 302
    )

    # WHEN the member posts from their page, with htmx and without
    with_htmx = scene.post(name, args(scene), posted, with_htmx=True)
    without = scene.post(name, args(scene), posted, with_htmx=False)

    # THEN both are refused, and the page with the answer applied shows what the other does
    assert with_htmx.status_code == without.status_code == 409
    assert normalised(apply_htmx(before, with_htmx.content.decode(), target)) == normalised(
        without.content.decode()
    )
