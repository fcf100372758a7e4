"""Review before publication, in Chromium (docs/domain.md « Relecture »): a HAS member proposes
a value and a progress note on IA 2-4; an anonymous reader sees neither (the page, the JSON,
the Atom feed); an administrator returns the value with a comment from `/a-valider/`; the
member finds the comment on « Mes actions », corrects the value and proposes it again; the
administrator publishes both at once; the reader then sees them, and the journal says who
published the note.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from roadmap.models import Action, Measurement, ProgressNote
from tests.support.builders import make_indicator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INDICATOR = "Professionnels informés des recommandations"
SOURCE = "Enquête HAS auprès des établissements (donnée de test)"
DONE = "Guide relu par le comité scientifique (point de test)."
COMMENT = "Préciser le tableau de l'enquête."


@pytest.fixture
def ia_2_4(roadmap) -> Action:
    action = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    make_indicator(action, label=INDICATOR)
    return action


def reader_sees(page: Page, action: Action) -> dict:
    """What an anonymous reader gets: the action page's text, the JSON's indicator, the feed."""
    page.goto(action.get_absolute_url())
    data = json.loads(page.request.get("/donnees/feuille-de-route.json").text())
    [indicator] = [
        indicator
        for axis in data["axes"]
        for found in axis["actions"]
        if found["code"] == action.code
        for indicator in found["indicators"]
        if indicator["code"] == "IA2-4-PROS"
    ]
    return {
        "page": page.get_by_role("main").inner_text(),
        "value": indicator["latest_value"],
        "feed": page.request.get("/journal/atom.xml").text(),
    }


def test_a_proposal_is_returned_corrected_and_published_before_readers_see_it(
    page: Page, sign_in, ia_2_4, has_member, administrator
):
    # GIVEN the HAS member on IA 2-4
    member = sign_in(has_member)
    member.goto(ia_2_4.get_absolute_url())
    announced = member.get_by_role("status")

    # WHEN they record a value with its source
    form = member.get_by_role("group").filter(has=member.get_by_text(INDICATOR, exact=True))
    form.get_by_text(INDICATOR, exact=True).click()
    form.get_by_label("Valeur").fill("1 234")
    form.get_by_label("Source").fill(SOURCE)
    form.get_by_role("button", name="Proposer la valeur").click()
    # THEN it awaits review, and their page counts it, saying so
    expect(announced).to_have_text(
        f"Valeur enregistrée pour « {INDICATOR} ». "
        "Elle sera publiée après validation par un administrateur."
    )
    measurement = Measurement.objects.get(indicator__code="IA2-4-PROS")
    awaiting = member.locator(f"#mesure-{measurement.pk}")
    expect(awaiting).to_contain_text("en attente de validation")
    expect(member.locator("#chiffres-en-attente")).to_be_visible()

    # WHEN they write a progress note
    member.get_by_text("Rédiger un point d'avancement", exact=True).click()
    member.get_by_label("Ce qui a été fait").fill(DONE)
    member.get_by_role("button", name="Proposer le point d'avancement").click()
    expect(announced).to_have_text("Point d'avancement proposé : il sera publié après validation.")
    note = ProgressNote.objects.get(action=ia_2_4)
    expect(member.locator(f"#point-{note.pk}")).to_contain_text("en attente de validation")

    # THEN an anonymous reader sees neither, on the page, in the JSON or in the feed
    seen = reader_sees(page, ia_2_4)
    assert "1 234" not in seen["page"] and DONE not in seen["page"]
    assert seen["value"] is None
    assert DONE not in seen["feed"]

    # WHEN an administrator returns the value with a comment
    reviewer = sign_in(administrator)
    reviewer.goto("/a-valider/")
    row = reviewer.locator(f"#proposition-mesure-{measurement.pk}")
    expect(row).to_contain_text("Aucune valeur publiée → proposée : 1 234 professionnels")
    expect(row).to_contain_text(f"Source : {SOURCE}")
    expect(row).to_contain_text(f"Proposée par {has_member.username}")
    row.get_by_label("Commentaire pour l'auteur").fill(COMMENT)
    row.get_by_role("button", name="Renvoyer").click()
    expect(reviewer.locator("#a-valider")).to_contain_text("1 proposition renvoyée à son auteur.")
    expect(row).to_have_count(0)

    # THEN the member finds the comment on « Mes actions », and follows it to the value
    member.goto("/mes-actions/")
    mine = member.locator(f"#ma-proposition-mesure-{measurement.pk}")
    expect(mine).to_contain_text(f"Renvoyée par {administrator.username} : {COMMENT}")
    mine.get_by_role("link").click()
    expect(member).to_have_url(re.compile(rf"/actions/ia-2-4/#mesure-{measurement.pk}$"))
    returned = member.locator(f"#mesure-{measurement.pk}")
    expect(returned).to_contain_text("à revoir")
    expect(returned).to_contain_text(COMMENT)

    # WHEN they correct it and propose it again
    returned.get_by_text("Corriger cette valeur", exact=True).click()
    returned.get_by_label("Valeur").fill("1 300")
    returned.get_by_label("Source").fill(f"{SOURCE}, tableau 2")
    returned.get_by_role("button", name="Proposer à nouveau").click()
    expect(announced).to_have_text("Correction proposée : elle sera publiée après validation.")
    expect(member.locator(f"#mesure-{measurement.pk}")).to_contain_text("en attente de validation")

    # WHEN the administrator publishes both at once
    reviewer.goto("/a-valider/")
    reviewer.locator(f'label[for="choisir-mesure-{measurement.pk}"]').click()
    reviewer.locator(f'label[for="choisir-point-{note.pk}"]').click()
    reviewer.get_by_role("button", name="Publier la sélection").click()
    expect(reviewer.locator("#a-valider")).to_contain_text("2 propositions publiées.")
    expect(reviewer.locator("#a-valider-compte")).to_have_text("Rien n'attend de validation.")

    # THEN the reader sees them, and the journal says who published the note
    seen = reader_sees(page, ia_2_4)
    assert re.search(r"1\s300\sprofessionnels", seen["page"]), seen["page"]
    assert DONE in seen["page"]
    assert seen["value"] == 1300
    assert DONE in seen["feed"] and "Publié par administrateur (DNS)." in seen["feed"]
    page.goto("/journal/")
    entry = page.get_by_role("article").filter(has_text=DONE)
    expect(entry).to_contain_text(
        f"Rédigé par {has_member.username} (HAS), publié par administrateur (DNS) le"
    )
