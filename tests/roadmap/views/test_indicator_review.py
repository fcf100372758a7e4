"""Review before publication of indicators (docs/domain.md « Relecture »): a member's new
indicator is proposed and invisible to readers (its values with it) until an administrator
publishes it; a member's change to a published indicator leaves the published definition live
until it is published; a returned one keeps the comment and is corrected and proposed again.

Each view is tried on its happy path (plain form and HTMX), with the wrong method, the wrong
user, bad input and a conflict, and the database and its history are checked afterwards; the
open data of the small size is compared with what it was before any proposal.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation, Role, User
from roadmap import spreadsheets
from roadmap.caching import writing
from roadmap.models import DataVersion, Indicator, Measurement, ReviewState
from tests.support.builders import days, make_indicator, signed_in
from tests.support.constants import PASSWORD
from tests.support.files import read_xlsx
from tests.support.html import element, form_value, normalised, plain_text, text_of
from tests.support.htmx import htmx_headers, swapped

QUEUE = "/a-valider/"
NEW_LABEL = "Guides diffusés aux établissements"


def definition(**changes) -> dict:
    """A cumulative indicator: 0 to 500 guides over two years."""
    return {
        "label": NEW_LABEL,
        "code": "IA2-4-GUIDES",
        "unit": "guides",
        "kind": "cumulative",
        "direction": "higher",
        "baseline_value": "0",
        "baseline_date": days(-365).isoformat(),
        "target_value": "500",
        "target_date": days(365).isoformat(),
        "periodicity": "",
        "periods_from": "",
        "period_count": "",
        "summed_from": "",
        "source": "500 guides diffusés d'ici deux ans",
        "interpretation": "",
        **changes,
    }


def changed(indicator, **changes) -> dict:
    """The definition form of `indicator` as posted, with `changes`."""
    indicator.refresh_from_db()
    data = {
        "label": indicator.label,
        "unit": indicator.unit,
        "kind": indicator.kind,
        "direction": indicator.direction,
        "baseline_value": str(indicator.baseline_value),
        "baseline_date": indicator.baseline_date.isoformat(),
        "target_value": str(indicator.target_value),
        "target_date": indicator.target_date.isoformat(),
        "periodicity": "",
        "periods_from": "",
        "period_count": "",
        "summed_from": "",
        "source": indicator.source,
        "interpretation": indicator.interpretation,
        "version": indicator.version,
    }
    return {**data, **changes}


@pytest.fixture
def indicator(action):
    return make_indicator(action)


@pytest.fixture
def second_administrator(db) -> User:
    return User.objects.create_user(
        "relectrice",
        password=PASSWORD,
        role=Role.ADMINISTRATOR,
        first_name="Alex",
        last_name="Martin",
        organisation=Organisation.objects.get(acronym="DNS"),
    )


def token() -> str:
    return DataVersion.objects.get().token


def add(client, action, *, follow=False, **changes):
    url = reverse("roadmap:edit-indicator-add", args=[action.slug])
    return client.post(url, definition(**changes), follow=follow)


def change(client, action, indicator, *, follow=False, **changes):
    url = reverse("roadmap:edit-indicator", args=[action.slug, indicator.code])
    return client.post(url, changed(indicator, **changes), follow=follow)


def item(row) -> str:
    row.refresh_from_db()
    kind = "indicateur" if isinstance(row, Indicator) else "mesure"
    return f"{kind}-{row.pk}:{row.version}"


def decide(client, *rows, decision="publish", comment="", headers=None):
    data = {"item": [item(row) for row in rows], "decision": decision, "comment": comment}
    return client.post(QUEUE, data, **(headers or {}))


def trail(row) -> tuple:
    row.refresh_from_db()
    return (
        row.review_state,
        row.is_public,
        row.proposed_by.username if row.proposed_by else None,
        row.reviewed_by.username if row.reviewed_by else None,
        row.review_comment,
    )


def history_of(row) -> list[tuple]:
    """Every history row of `row`, oldest first: (state, public, target, comment, who)."""
    return [
        (
            record.review_state,
            record.is_public,
            record.target_value,
            record.review_comment,
            record.history_user.username if record.history_user else None,
        )
        for record in row.history.select_related("history_user").order_by("history_id")
    ]


def public_indicators(action) -> dict:
    """The action's indicators in the open data JSON, by code."""
    data = json.loads(Client().get("/donnees/feuille-de-route.json").content)
    for axis in data["axes"]:
        for found in axis["actions"]:
            if found["code"] == action.code:
                return {i["code"]: i for i in found["indicators"]}
    raise AssertionError(action.code)


def public_csv(sheet: str) -> str:
    return Client().get(f"/donnees/{sheet}.csv").content.decode()


# --- A new indicator ----------------------------------------------------------------------------


def test_a_member_s_new_indicator_is_proposed_and_readers_see_none_of_it(
    client, action, has_member
):
    client.force_login(has_member)
    before = token()

    response = add(client, action, follow=True)

    assert response.redirect_chain == [("/actions/ia-2-4/#indicateurs", 302)]
    assert (
        f"Indicateur « {NEW_LABEL} » ajouté. Il sera publié après validation par un "
        "administrateur. D'ici là, seuls ceux qui peuvent modifier l'action le voient."
    ) in plain_text(response)
    new = Indicator.objects.get(code="IA2-4-GUIDES")
    assert trail(new) == (ReviewState.PROPOSED, False, "membre-has", None, "")
    assert new.proposed_values is None and new.proposed_at is not None
    # Nothing readers see changed: their cached copies stay good.
    assert token() == before
    for url in (action.get_absolute_url(), "/indicateurs/", "/"):
        assert NEW_LABEL not in plain_text(Client().get(url)), url
    assert "IA2-4-GUIDES" not in public_indicators(action)
    assert "IA2-4-GUIDES" not in public_csv("indicateurs")
    # Who may edit the action sees it, marked, with who proposed it and when.
    page = client.get(action.get_absolute_url())
    assert text_of(page, f"indicateur-{new.pk}-en-attente").startswith(
        "en attente de validation Nouvel indicateur proposé par "
    )
    assert text_of(page, f"indicateur-propose-{new.pk}").startswith(
        f"en attente de validation Nouvel indicateur « {NEW_LABEL} » Intitulé : {NEW_LABEL} "
        "Unité : guides Type : Cumulatif Sens : Plus haut est mieux Valeur initiale : 0 "
    )
    assert history_of(new) == [(ReviewState.PROPOSED, False, Decimal(500), "", "membre-has")]


def test_the_values_of_a_new_indicator_are_hidden_with_it(
    client, action, has_member, administrator
):
    add(signed_in(has_member), action)
    new = Indicator.objects.get(code="IA2-4-GUIDES")
    # An administrator's value publishes at once, but its indicator is not public yet.
    admin = signed_in(administrator)
    admin.post(
        reverse("roadmap:edit-measurement", args=[action.slug, new.code]),
        {"date": days(-3).isoformat(), "value": "42", "source": "Relevé DGOS", "comment": ""},
    )
    assert Measurement.objects.get(indicator=new).review_state == ReviewState.PUBLISHED
    assert "Relevé DGOS" not in public_csv("mesures")
    assert "IA2-4-GUIDES" not in public_csv("cibles") + public_csv("mesures")

    response = decide(admin, new)

    assert response.status_code == 302
    assert trail(new) == (ReviewState.PUBLISHED, True, "membre-has", "administrateur", "")
    assert public_indicators(action)["IA2-4-GUIDES"]["latest_value"] == 42
    assert "Relevé DGOS" in public_csv("mesures")
    assert NEW_LABEL in plain_text(Client().get("/indicateurs/"))
    # The public history tells its publication, with who proposed it.
    assert f"Indicateur « {NEW_LABEL} » publié, cible 500 guides, proposé par " in plain_text(
        Client().get(action.get_absolute_url())
    )
    assert [state[:2] for state in history_of(new)] == [
        (ReviewState.PROPOSED, False),
        (ReviewState.PUBLISHED, True),
    ]


def test_with_htmx_a_member_s_proposal_answers_the_indicators_section_of_a_fresh_page(
    client, action, indicator, has_member
):
    client.force_login(has_member)
    url = reverse("roadmap:edit-indicator", args=[action.slug, indicator.code])

    answer = client.post(url, changed(indicator, target_value="150 000"), **htmx_headers(action))

    assert answer.status_code == 200
    assert swapped(answer) == (["indicateurs"], True)
    fresh = client.get(action.get_absolute_url())
    assert normalised(element(answer, f"indicateur-propose-{indicator.pk}")) == normalised(
        element(fresh, f"indicateur-propose-{indicator.pk}")
    )
    assert "Cible finale : 140 000 → 150 000" in text_of(answer, "indicateurs")


def test_an_administrator_s_indicator_publishes_at_once(client, action, administrator):
    client.force_login(administrator)
    before = token()
    # The administrator's button says it publishes, not proposes.
    page = client.get(action.get_absolute_url())
    assert text_of(page, "indicateur-nouveau-envoyer") == "Ajouter l'indicateur"

    assert add(client, action).status_code == 302

    new = Indicator.objects.get(code="IA2-4-GUIDES")
    assert trail(new) == (ReviewState.PUBLISHED, True, "administrateur", None, "")
    assert token() != before
    assert NEW_LABEL in plain_text(Client().get(action.get_absolute_url()))


@pytest.mark.usefixtures("review_off")
def test_with_review_off_a_member_s_indicator_publishes_at_once(
    client, action, indicator, has_member
):
    client.force_login(has_member)
    assert text_of(client.get(action.get_absolute_url()), "point-envoyer") == (
        "Publier le point d'avancement"
    )

    assert add(client, action).status_code == 302
    assert change(client, action, indicator, target_value="150 000").status_code == 302

    assert trail(Indicator.objects.get(code="IA2-4-GUIDES"))[:2] == (ReviewState.PUBLISHED, True)
    assert trail(indicator)[:2] == (ReviewState.PUBLISHED, True)
    assert (indicator.target_value, indicator.proposed_values) == (150000, None)
    shown = public_indicators(action)
    assert "IA2-4-GUIDES" in shown and shown[indicator.code]["target"] == 150000


def test_the_buttons_say_proposer_for_a_member(client, action, indicator, has_member):
    client.force_login(has_member)

    page = client.get(action.get_absolute_url())

    assert text_of(page, "indicateur-nouveau-envoyer") == "Proposer l'indicateur"
    assert text_of(page, f"indicateur-{indicator.pk}-definition-envoyer") == (
        "Proposer la définition"
    )
    assert text_of(page, "point-envoyer") == "Proposer le point d'avancement"
    assert text_of(page, f"indicateur-{indicator.pk}-mesure-envoyer") == "Proposer la valeur"


def test_a_returned_new_indicator_is_corrected_and_proposed_again(
    client, action, has_member, administrator
):
    member = signed_in(has_member)
    add(member, action)
    new = Indicator.objects.get(code="IA2-4-GUIDES")
    admin = signed_in(administrator)

    response = decide(admin, new, decision="return", comment="La cible est de 600.")

    assert response.status_code == 302
    assert trail(new) == (
        ReviewState.RETURNED,
        False,
        "membre-has",
        "administrateur",
        "La cible est de 600.",
    )
    assert "IA2-4-GUIDES" not in public_indicators(action)
    mine = member.get("/mes-actions/")
    assert text_of(mine, f"ma-proposition-indicateur-{new.pk}") == (
        f"à revoir IA 2-4, nouvel indicateur « {NEW_LABEL} » "
        "Renvoyé par administrateur : La cible est de 600."
    )
    assert f'href="/actions/ia-2-4/#indicateur-propose-{new.pk}"' in element(
        mine, f"ma-proposition-indicateur-{new.pk}"
    )
    # Its page gives the member the form to correct it.
    page = member.get(action.get_absolute_url())
    assert text_of(page, f"indicateur-{new.pk}-corriger") == "Proposer à nouveau"

    response = change(member, action, new, target_value="600")

    assert response.status_code == 302
    assert trail(new) == (ReviewState.PROPOSED, False, "membre-has", None, "La cible est de 600.")
    assert new.target_value == 600
    decide(admin, new)
    assert public_indicators(action)["IA2-4-GUIDES"]["target"] == 600


# --- A change to a published indicator ---------------------------------------------------------


def test_a_member_s_change_leaves_the_published_definition_live(
    client, action, indicator, has_member
):
    client.force_login(has_member)
    before = token()

    response = change(client, action, indicator, follow=True, target_value="150 000")

    assert (
        "Modification de l'indicateur « Professionnels informés des recommandations » proposée : "
        "elle sera publiée après validation par un administrateur."
    ) in plain_text(response)
    assert trail(indicator) == (ReviewState.PROPOSED, True, "membre-has", None, "")
    assert indicator.target_value == 140000
    assert indicator.proposed_values == {"target_value": "150000"}
    assert token() == before
    assert public_indicators(action)[indicator.code]["target"] == 140000
    reader = Client().get(action.get_absolute_url())
    assert "140 000 professionnels" in text_of(reader, f"indicateur-{indicator.pk}")
    assert "150 000 professionnels" not in plain_text(reader)
    assert "en attente de validation" not in plain_text(reader)
    # Who may edit sees the figures as they will be once published, labelled so.
    page = client.get(action.get_absolute_url())
    assert text_of(page, f"indicateur-{indicator.pk}-en-attente").startswith(
        "en attente de validation Modification proposée par "
    )
    assert text_of(page, "indicateurs-chiffres-en-attente").startswith("Indicateurs montrés tels")
    assert "150 000 professionnels" in text_of(page, f"indicateur-{indicator.pk}")
    assert text_of(page, f"indicateur-propose-{indicator.pk}").startswith(
        "en attente de validation Modification de « Professionnels informés des "
        "recommandations » Cible finale : 140 000 → 150 000 Proposé par "
    )
    # Its definition form shows the change, to correct it.
    assert form_value(page, f"id_indicator{indicator.pk}_target_value") == "150000"


def test_publishing_a_change_applies_it_and_the_history_says_who(
    client, action, indicator, has_member, administrator
):
    change(signed_in(has_member), action, indicator, target_value="150 000", label="Pros")
    client.force_login(administrator)
    queue = client.get(QUEUE)
    assert text_of(queue, f"proposition-indicateur-{indicator.pk}").startswith(
        "IA 2-4 Modification de l'indicateur « Professionnels informés des recommandations » "
        f"({indicator.code}) "
    )
    assert "Intitulé : Professionnels informés des recommandations → Pros" in text_of(
        queue, f"proposition-indicateur-{indicator.pk}"
    )
    before = token()

    response = decide(client, indicator, comment="Vu.")

    assert response.status_code == 302
    assert trail(indicator) == (ReviewState.PUBLISHED, True, "membre-has", "administrateur", "Vu.")
    assert (indicator.label, indicator.target_value, indicator.proposed_values) == (
        "Pros",
        150000,
        None,
    )
    assert token() != before
    assert public_indicators(action)[indicator.code]["target"] == 150000
    assert history_of(indicator) == [
        (ReviewState.PUBLISHED, True, Decimal(140000), "", None),
        (ReviewState.PROPOSED, True, Decimal(140000), "", "membre-has"),
        (ReviewState.PUBLISHED, True, Decimal(150000), "Vu.", "administrateur"),
    ]


def test_returning_a_change_keeps_the_comment_and_the_member_proposes_again(
    client, action, indicator, has_member, administrator
):
    member = signed_in(has_member)
    change(member, action, indicator, target_value="150 000")
    admin = signed_in(administrator)
    before = token()

    response = decide(
        admin, indicator, decision="return", comment="Source ?", headers=htmx_headers(action)
    )

    assert response.status_code == 200
    assert "1 proposition renvoyée à son auteur." in plain_text(response)
    assert trail(indicator) == (
        ReviewState.RETURNED,
        True,
        "membre-has",
        "administrateur",
        "Source ?",
    )
    assert indicator.proposed_values == {"target_value": "150000"}
    assert token() == before
    mine = text_of(member.get("/mes-actions/"), "mes-propositions")
    assert "Renvoyé par administrateur : Source ?" in mine

    change(member, action, indicator, target_value="160 000", source="Note DGOS 2026")

    assert trail(indicator)[:2] == (ReviewState.PROPOSED, True)
    assert indicator.proposed_values == {"target_value": "160000", "source": "Note DGOS 2026"}
    assert indicator.target_value == 140000


def test_changing_back_to_the_published_definition_withdraws_the_proposal(
    client, action, indicator, has_member
):
    client.force_login(has_member)
    change(client, action, indicator, target_value="150 000")

    response = change(client, action, indicator, target_value="140 000")

    assert response.status_code == 302
    assert trail(indicator)[:2] == (ReviewState.PUBLISHED, True)
    assert indicator.proposed_values is None


def test_an_administrator_s_change_publishes_at_once_and_supersedes_a_proposal(
    client, action, indicator, has_member, administrator
):
    change(signed_in(has_member), action, indicator, target_value="150 000")
    client.force_login(administrator)

    response = change(client, action, indicator, target_value="155 000")

    assert response.status_code == 302
    assert trail(indicator) == (ReviewState.PUBLISHED, True, "administrateur", None, "")
    assert (indicator.target_value, indicator.proposed_values) == (155000, None)
    assert public_indicators(action)[indicator.code]["target"] == 155000


# --- Who, how, with what --------------------------------------------------------------------------


def test_the_wrong_method_and_the_wrong_user_are_refused(
    client, action, indicator, has_member, dns_member, reader
):
    url = reverse("roadmap:edit-indicator-add", args=[action.slug])
    client.force_login(has_member)
    assert client.get(url).status_code == 405
    for user in (dns_member, reader):
        client.force_login(user)
        assert add(client, action).status_code == 403
        assert change(client, action, indicator, target_value="1").status_code == 403
    assert not Indicator.objects.filter(code="IA2-4-GUIDES").exists()
    assert trail(indicator)[:2] == (ReviewState.PUBLISHED, True)


def test_a_member_cannot_publish_and_nobody_publishes_their_own(
    client, action, indicator, has_member, administrator
):
    member = signed_in(has_member)
    add(member, action)
    new = Indicator.objects.get(code="IA2-4-GUIDES")
    assert decide(member, new).status_code == 403
    # An administrator's proposal, from before review was required of everyone.
    Indicator.objects.filter(pk=new.pk).update(proposed_by=administrator)
    client.force_login(administrator)

    response = decide(client, new)

    assert response.status_code == 403
    assert trail(new)[:2] == (ReviewState.PROPOSED, False)
    assert "Votre proposition : un autre administrateur la valide." in text_of(
        client.get(QUEUE), f"proposition-indicateur-{new.pk}"
    )


def test_bad_input_is_refused_and_nothing_is_written(client, action, indicator, has_member):
    client.force_login(has_member)

    refused = add(client, action, label="", target_value="beaucoup")
    wrong = change(client, action, indicator, target_value="-3")

    assert (refused.status_code, wrong.status_code) == (422, 422)
    assert "Donnez un intitulé à l'indicateur." in plain_text(refused)
    assert "La valeur ne peut pas être négative." in plain_text(wrong)
    assert not Indicator.objects.filter(code="IA2-4-GUIDES").exists()
    assert trail(indicator)[:2] == (ReviewState.PUBLISHED, True)
    assert indicator.proposed_values is None


def test_two_reviewers_on_the_same_indicator_conflict(
    client, action, indicator, has_member, administrator, second_administrator
):
    change(signed_in(has_member), action, indicator, target_value="150 000")
    read_by_both = item(indicator)
    signed_in(second_administrator).post(
        QUEUE, {"item": read_by_both, "decision": "return", "comment": "Non."}
    )
    client.force_login(administrator)

    response = client.post(QUEUE, {"item": read_by_both, "decision": "publish", "comment": ""})

    assert response.status_code == 409
    assert text_of(response, "a-valider-conflit").startswith(
        "Quelqu'un a agi avant vous : rien n'a été enregistré. Déjà « à revoir » par Alex Martin"
    )
    assert trail(indicator) == (ReviewState.RETURNED, True, "membre-has", "relectrice", "Non.")
    assert indicator.target_value == 140000


def test_a_selection_publishes_an_indicator_and_its_value_together(
    client, action, has_member, administrator
):
    member = signed_in(has_member)
    add(member, action)
    new = Indicator.objects.get(code="IA2-4-GUIDES")
    member.post(
        reverse("roadmap:edit-measurement", args=[action.slug, new.code]),
        {"date": days(-3).isoformat(), "value": "42", "source": "Relevé DGOS", "comment": ""},
    )
    value = Measurement.objects.get(indicator=new)
    client.force_login(administrator)

    response = decide(client, new, value, headers=htmx_headers(action))

    assert response.status_code == 200
    assert "2 propositions publiées." in plain_text(response)
    assert trail(new)[:2] == (ReviewState.PUBLISHED, True)
    assert public_indicators(action)["IA2-4-GUIDES"]["latest_value"] == 42


# --- The open data ------------------------------------------------------------------------------


def open_data() -> dict[str, object]:
    """Every open-data file, the JSON and the workbook as values."""
    client = Client()
    urls = [
        "/donnees/feuille-de-route.json",
        "/donnees/feuille-de-route.xlsx",
        "/donnees/periodes.csv",
        *(f"/donnees/{spec.slug}.csv" for spec in spreadsheets.SHEETS),
    ]
    read = {url: client.get(url).content for url in urls}
    read["/donnees/feuille-de-route.json"] = json.loads(read["/donnees/feuille-de-route.json"])
    read["/donnees/feuille-de-route.xlsx"] = read_xlsx(read["/donnees/feuille-de-route.xlsx"])
    return read


def test_no_open_data_file_holds_a_pending_indicator(action, indicator, has_member):
    before = open_data()
    member = signed_in(has_member)
    add(member, action)
    add(
        member,
        action,
        code="IA2-4-PERIODES",
        label="Par an",
        kind="per_period",
        periodicity="year",
        periods_from=days(-365).isoformat(),
    )
    change(member, action, indicator, target_value="150 000", label="Autre intitulé")
    # A published value and a dated target on the pending indicator, written as a public
    # write, so that no cached copy hides the files' answer.
    new = Indicator.objects.get(code="IA2-4-GUIDES")
    with writing():
        Measurement.objects.create(indicator=new, date=days(-2), value=7, source="Relevé")
        new.targets.create(on=days(100), value=300)

    after = open_data()
    assert diff(after, before) == []


def diff(one, other, path="") -> list[str]:
    """Where two decoded files differ, as paths (what a failure names)."""
    if isinstance(one, dict) and isinstance(other, dict):
        keys = sorted(set(one) | set(other), key=str)
        return [d for key in keys for d in diff(one.get(key), other.get(key), f"{path}/{key}")]
    if isinstance(one, list) and isinstance(other, list) and len(one) == len(other):
        pairs = enumerate(zip(one, other, strict=True))
        return [d for i, (a, b) in pairs for d in diff(a, b, f"{path}/{i}")]
    return [] if one == other else [f"{path}: {one!r} != {other!r}"[:300]]
