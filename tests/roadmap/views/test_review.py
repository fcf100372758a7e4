"""Review before publication (docs/domain.md « Relecture »): a member's value and note are
proposed, an administrator publishes them or returns them with a comment at `/a-valider/`, and
readers see published content only.

Each view is tried on its happy path (plain form and HTMX), with the wrong method, the wrong
user, bad input and a conflict, and the database is checked afterwards; the queue's queries are
counted at two sizes.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, Role, User
from roadmap.models import DataVersion, Indicator, Measurement, ProgressNote, ReviewState
from tests.support.builders import days, make_indicator, signed_in
from tests.support.constants import PASSWORD, login_redirect
from tests.support.files import xlsx_file
from tests.support.html import element, normalised, plain_text, text_of
from tests.support.htmx import htmx_headers

QUEUE = "/a-valider/"
VALUE = {"date": "", "value": "1 234", "source": "Enquête HAS 2025", "comment": "Premier relevé"}
NOTE = {"written_on": "", "done": "Guide relu par le comité.", "risks": "", "next_steps": ""}


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


def propose_value(client, action, indicator, *, day=None, value="1 234", headers=None):
    data = {**VALUE, "date": (day or days(-2)).isoformat(), "value": value}
    url = reverse("roadmap:edit-measurement", args=[action.slug, indicator.code])
    return client.post(url, data, **(headers or {}))


def propose_note(client, action, done=NOTE["done"]):
    data = {**NOTE, "written_on": days(-1).isoformat(), "done": done}
    return client.post(reverse("roadmap:edit-note", args=[action.slug]), data)


def item(row) -> str:
    kind = "mesure" if isinstance(row, Measurement) else "point"
    row.refresh_from_db()
    return f"{kind}-{row.pk}:{row.version}"


def decide(client, *rows, decision="publish", comment="", headers=None, items=None):
    data = {"item": items if items is not None else [item(row) for row in rows]}
    data |= {"decision": decision, "comment": comment}
    return client.post(QUEUE, data, **(headers or {}))


def review_trail(row) -> tuple:
    row.refresh_from_db()
    return (
        row.review_state,
        row.proposed_by.username if row.proposed_by else None,
        row.reviewed_by.username if row.reviewed_by else None,
        row.review_comment,
    )


def history_states(row) -> list[tuple]:
    """Every history row of `row`, oldest first: (type, state, comment, who saved it)."""
    return [
        (
            record.history_type,
            record.review_state,
            record.review_comment,
            record.history_user.username if record.history_user else None,
        )
        for record in row.history.select_related("history_user").order_by("history_id")
    ]


def public_json(action) -> dict:
    data = json.loads(Client().get("/donnees/feuille-de-route.json").content)
    for axis in data["axes"]:
        for found in axis["actions"]:
            if found["code"] == action.code:
                return found
    raise AssertionError(action.code)


# --- Proposing --------------------------------------------------------------------------------


def test_a_member_s_value_is_proposed_and_readers_see_none_of_it(
    client, action, indicator, has_member
):
    client.force_login(has_member)
    before = token()

    response = propose_value(client, action, indicator)

    assert response.status_code == 302
    [measurement] = Measurement.objects.filter(indicator=indicator)
    assert review_trail(measurement) == (ReviewState.PROPOSED, "membre-has", None, "")
    assert measurement.proposed_at is not None and measurement.reviewed_at is None
    # The proposal changes nothing readers see: the cached copies stay good.
    assert token() == before
    reader = Client().get(action.get_absolute_url())
    assert "1 234" not in plain_text(reader)
    assert "en attente de validation" not in plain_text(reader)
    [shown] = [i for i in public_json(action)["indicators"] if i["code"] == indicator.code]
    assert shown["latest_value"] is None
    assert "1234" not in Client().get("/donnees/mesures.csv").content.decode()
    # Who may edit the action sees it, marked, and the figures counting it, labelled so.
    page = client.get(action.get_absolute_url())
    assert text_of(page, f"mesure-{measurement.pk}").startswith(
        "en attente de validation Professionnels informés des recommandations : 1 234 "
        "professionnels au "
    )
    assert "Proposée par membre-has le" in text_of(page, f"mesure-{measurement.pk}")
    assert text_of(page, "chiffres-en-attente") == (
        "Chiffres comptant les valeurs en attente de validation : "
        "tels qu'ils seront une fois publiés"
    )


def test_the_message_says_the_value_awaits_review(client, action, indicator, has_member):
    client.force_login(has_member)

    response = client.post(
        reverse("roadmap:edit-measurement", args=[action.slug, indicator.code]),
        {**VALUE, "date": days(-2).isoformat()},
        follow=True,
    )

    assert (
        "Valeur enregistrée pour « Professionnels informés des recommandations ». "
        "Elle sera publiée après validation par un administrateur."
    ) in plain_text(response)


def test_a_member_s_note_is_proposed_and_missing_from_the_journal_and_its_feed(
    client, action, has_member
):
    client.force_login(has_member)
    before = token()

    response = propose_note(client, action)

    assert response.status_code == 302
    [note] = ProgressNote.objects.filter(action=action)
    assert review_trail(note) == (ReviewState.PROPOSED, "membre-has", None, "")
    assert token() == before
    for url in ("/journal/", "/journal/atom.xml", action.get_absolute_url()):
        assert NOTE["done"] not in Client().get(url).content.decode(), url
    # Its author's page shows it, awaiting review
    assert text_of(client.get(action.get_absolute_url()), f"point-{note.pk}").startswith(
        f"Le {days(-1):%-d}"
    )
    assert "en attente de validation Proposé par membre-has le" in text_of(
        client.get(action.get_absolute_url()), f"point-{note.pk}"
    )


def test_an_administrator_s_own_entries_publish_at_once(client, action, indicator, administrator):
    client.force_login(administrator)
    before = token()

    propose_value(client, action, indicator)
    propose_note(client, action)

    measurement = Measurement.objects.get(indicator=indicator)
    note = ProgressNote.objects.get(action=action)
    assert review_trail(measurement) == (ReviewState.PUBLISHED, "administrateur", None, "")
    assert review_trail(note) == (ReviewState.PUBLISHED, "administrateur", None, "")
    assert token() != before
    [shown] = [i for i in public_json(action)["indicators"] if i["code"] == indicator.code]
    assert shown["latest_value"] == 1234
    assert NOTE["done"] in Client().get("/journal/").content.decode()


def test_with_review_off_a_member_publishes_at_once(
    client, action, indicator, has_member, settings
):
    settings.ROADMAP_REVIEW = False
    client.force_login(has_member)

    propose_value(client, action, indicator)
    response = propose_note(client, action)

    assert response.status_code == 302
    assert review_trail(Measurement.objects.get(indicator=indicator))[0] == ReviewState.PUBLISHED
    assert review_trail(ProgressNote.objects.get(action=action))[0] == ReviewState.PUBLISHED
    assert NOTE["done"] in Client().get("/journal/").content.decode()


def test_review_is_on_by_default_and_read_from_the_environment():
    from tests.support.commands import run_manage

    shell = (
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.ROADMAP_REVIEW)",
    )
    assert run_manage(*shell).stdout.split() == ["True"]
    assert run_manage(*shell, ROADMAP_REVIEW="0").stdout.split() == ["False"]


# --- The queue --------------------------------------------------------------------------------


def test_the_queue_lists_each_proposal_with_its_action_change_source_and_author(
    client, action, indicator, has_member, administrator
):
    Measurement.objects.create(indicator=indicator, date=days(-40), value=1000, source="Avant")
    member = signed_in(has_member)
    propose_value(member, action, indicator)
    propose_note(member, action)
    measurement = Measurement.objects.get(indicator=indicator, review_state="proposed")
    note = ProgressNote.objects.get(action=action)
    client.force_login(administrator)

    page = client.get(QUEUE)

    assert page.status_code == 200
    assert text_of(page, "a-valider-compte") == "2 propositions attendent une décision."
    row = text_of(page, f"proposition-mesure-{measurement.pk}")
    assert row.startswith(
        "IA 2-4 Valeur de « Professionnels informés des recommandations » "
        f"{action.title} Dernière valeur publiée : 1 000 professionnels au "
    )
    assert "→ proposée : 1 234 professionnels au" in row
    assert "Source : Enquête HAS 2025 Commentaire : Premier relevé" in row
    assert "Proposée par membre-has le" in row
    assert "Publier Renvoyer" in row
    note_row = text_of(page, f"proposition-point-{note.pk}")
    assert "Point d'avancement du" in note_row and NOTE["done"] in note_row


def test_only_administrators_open_the_queue(client, has_member, reader, administrator):
    assert client.get(QUEUE).status_code == 302
    assert client.get(QUEUE)["Location"] == login_redirect(QUEUE)
    for user in (has_member, reader):
        client.force_login(user)
        assert client.get(QUEUE).status_code == 403
        assert client.post(QUEUE, {"decision": "publish"}).status_code == 403
    client.force_login(administrator)
    assert client.get(QUEUE).status_code == 200
    assert client.put(QUEUE).status_code == 405


def test_an_empty_queue_says_so(client, administrator, roadmap):
    client.force_login(administrator)

    assert text_of(client.get(QUEUE), "a-valider-compte") == "Rien n'attend de validation."


def test_the_queue_takes_as_many_queries_for_ten_times_more_proposals(
    client, action, has_member, administrator
):
    indicators = [make_indicator(action, code=f"IA2-4-Q{n}") for n in range(10)]
    member = signed_in(has_member)

    def propose(start, count):
        for index in range(start, start + count):
            target = indicators[index % 10]
            Measurement.objects.create(
                indicator=target, date=days(-100 - index), value=1, source="Base"
            )
            propose_value(member, action, target, day=days(-1 - index))
            propose_note(member, action, done=f"Point {index}")
            # A new indicator, and a change to a published one naming a sum's source.
            make_indicator(
                action,
                code=f"IA2-4-N{index}",
                is_public=False,
                review_state=ReviewState.PROPOSED,
                proposed_by=has_member,
                proposed_at=timezone.now(),
            )
            Indicator.objects.filter(pk=target.pk).update(
                review_state=ReviewState.PROPOSED,
                proposed_values={"target_value": str(index), "summed_from": indicators[0].pk},
                proposed_by=has_member,
                proposed_at=timezone.now(),
            )

    client.force_login(administrator)
    propose(0, 2)
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(QUEUE).context["items"]) == 8
    propose(2, 14)
    with CaptureQueriesContext(connection) as big:
        # 16 values, 16 notes, 16 new indicators and 10 changes: the first page of 50.
        assert len(client.get(QUEUE).context["items"]) == 50
    assert len(big) == len(small), [query["sql"] for query in big.captured_queries]


# --- Deciding ---------------------------------------------------------------------------------


def test_publishing_shows_the_value_to_readers_and_keeps_the_trail(
    client, action, indicator, has_member, administrator
):
    propose_value(signed_in(has_member), action, indicator)
    measurement = Measurement.objects.get(indicator=indicator)
    client.force_login(administrator)
    before = token()

    response = decide(client, measurement)

    assert response.status_code == 302 and response["Location"] == QUEUE
    assert review_trail(measurement) == (
        ReviewState.PUBLISHED,
        "membre-has",
        "administrateur",
        "",
    )
    assert token() != before
    [shown] = [i for i in public_json(action)["indicators"] if i["code"] == indicator.code]
    assert shown["latest_value"] == 1234
    assert history_states(measurement) == [
        ("+", "proposed", "", "membre-has"),
        ("~", "published", "", "administrateur"),
    ]
    # The public history tells the publication, with who proposed it
    history = text_of(Client().get(action.get_absolute_url()), "historique")
    assert "publiée : 1 234 (source : Enquête HAS 2025), proposée par membre-has" in history
    assert text_of(client.get(QUEUE), "a-valider-compte") == "Rien n'attend de validation."


def test_returning_needs_a_comment_and_leaves_the_public_alone(
    client, action, indicator, has_member, administrator
):
    propose_value(signed_in(has_member), action, indicator)
    measurement = Measurement.objects.get(indicator=indicator)
    client.force_login(administrator)
    before = token()

    refused = decide(client, measurement, decision="return", comment="  ")
    assert refused.status_code == 422
    assert "Dites à l'auteur ce qu'il faut corriger avant de renvoyer." in plain_text(refused)
    assert review_trail(measurement)[0] == ReviewState.PROPOSED

    response = decide(client, measurement, decision="return", comment="Source à préciser.")

    assert response.status_code == 302
    assert review_trail(measurement) == (
        ReviewState.RETURNED,
        "membre-has",
        "administrateur",
        "Source à préciser.",
    )
    assert token() == before


def test_a_returned_value_is_corrected_and_proposed_again(
    client, action, indicator, has_member, administrator
):
    client.force_login(has_member)
    propose_value(client, action, indicator)
    measurement = Measurement.objects.get(indicator=indicator)
    decide(signed_in(administrator), measurement, decision="return", comment="Source ?")
    measurement.refresh_from_db()

    # The member sees it on « Mes actions », with the comment, linking to it
    mine = client.get("/mes-actions/")
    assert text_of(mine, f"ma-proposition-mesure-{measurement.pk}").endswith(
        "Renvoyée par administrateur : Source ?"
    )
    assert f'href="/actions/ia-2-4/#mesure-{measurement.pk}"' in mine.content.decode()
    page = client.get(action.get_absolute_url())
    assert "Renvoyée par administrateur le" in text_of(page, f"mesure-{measurement.pk}")

    url = reverse("roadmap:edit-measurement-correct", args=[action.slug, measurement.pk])
    data = {
        "date": measurement.date.isoformat(),
        "value": "1 300",
        "source": "Enquête HAS 2025, tableau 2",
        "comment": "",
        "version": measurement.version,
    }
    bad = client.post(url, {**data, "value": "beaucoup"})
    assert bad.status_code == 422
    response = client.post(url, data)

    assert response.status_code == 302
    measurement.refresh_from_db()
    assert (measurement.value, measurement.source) == (
        Decimal(1300),
        "Enquête HAS 2025, tableau 2",
    )
    assert review_trail(measurement)[:2] == (ReviewState.PROPOSED, "membre-has")
    # The same form again, at the version it was read at: a conflict, nothing written
    stale = client.post(url, {**data, "value": "9"})
    assert stale.status_code == 409
    measurement.refresh_from_db()
    assert measurement.value == Decimal(1300)


def test_a_returned_note_is_corrected_and_proposed_again(client, action, has_member, administrator):
    client.force_login(has_member)
    propose_note(client, action)
    note = ProgressNote.objects.get(action=action)
    decide(signed_in(administrator), note, decision="return", comment="Trop court.")
    assert "Renvoyé par administrateur : Trop court." in text_of(
        client.get("/mes-actions/"), f"ma-proposition-point-{note.pk}"
    )

    note.refresh_from_db()
    response = client.post(
        reverse("roadmap:edit-note-correct", args=[action.slug, note.pk]),
        {
            "written_on": note.written_on.isoformat(),
            "done": "Guide relu et validé par le comité.",
            "risks": "",
            "next_steps": "",
            "version": note.version,
        },
    )

    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.review_state, note.done) == (
        ReviewState.PROPOSED,
        "Guide relu et validé par le comité.",
    )


def test_a_selection_is_published_at_once(client, action, indicator, has_member, administrator):
    member = signed_in(has_member)
    propose_value(member, action, indicator)
    propose_note(member, action)
    measurement = Measurement.objects.get(indicator=indicator)
    note = ProgressNote.objects.get(action=action)
    client.force_login(administrator)

    response = decide(client, measurement, note, headers=htmx_headers(action))

    assert response.status_code == 200
    assert text_of(response, "a-valider").startswith("2 propositions publiées.")
    assert review_trail(measurement)[0] == review_trail(note)[0] == ReviewState.PUBLISHED
    journal = plain_text(Client().get("/journal/"))
    assert "Rédigé par membre-has (HAS), publié par administrateur (DNS) le" in journal
    assert "Publié par administrateur (DNS)." in Client().get("/journal/atom.xml").content.decode()


def test_the_htmx_answer_is_the_queue_of_a_fresh_page(
    client, action, indicator, has_member, administrator
):
    member = signed_in(has_member)
    propose_value(member, action, indicator)
    propose_note(member, action)
    measurement = Measurement.objects.get(indicator=indicator)
    client.force_login(administrator)

    answer = decide(client, measurement, headers=htmx_headers(action)).content.decode()

    fresh = client.get(QUEUE)
    # Once the announcement of what was done is set aside
    announcement = re.compile(
        r'<div class="fr-alert fr-alert--success[^>]*>\s*<p>[^<]*</p>\s*</div>'
    )
    assert "1 proposition publiée." in answer
    assert normalised(announcement.sub("", element(answer, "a-valider"))) == normalised(
        element(fresh, "a-valider")
    )


def test_nobody_publishes_their_own_proposal(client, action, indicator, administrator, settings):
    # An administrator's proposal, from before review was required of everyone.
    measurement = Measurement.objects.create(
        indicator=indicator,
        date=days(-2),
        value=5,
        source="Relevé",
        review_state=ReviewState.PROPOSED,
        proposed_by=administrator,
    )
    client.force_login(administrator)
    version = measurement.version

    response = decide(client, measurement)

    assert response.status_code == 403
    measurement.refresh_from_db()
    assert (measurement.review_state, measurement.version) == (ReviewState.PROPOSED, version)
    assert "Votre proposition : un autre administrateur la valide." in text_of(
        client.get(QUEUE), f"proposition-mesure-{measurement.pk}"
    )


def test_a_decision_on_what_someone_decided_first_is_a_conflict(
    client, action, indicator, has_member, administrator, second_administrator
):
    member = signed_in(has_member)
    propose_value(member, action, indicator)
    propose_note(member, action)
    measurement = Measurement.objects.get(indicator=indicator)
    note = ProgressNote.objects.get(action=action)
    read_by_both = [item(measurement), item(note)]
    decide(signed_in(second_administrator), items=[read_by_both[0]], decision="publish")
    client.force_login(administrator)

    response = decide(client, items=read_by_both, decision="return", comment="Non.")

    assert response.status_code == 409
    assert text_of(response, "a-valider-conflit").startswith(
        "Quelqu'un a agi avant vous : rien n'a été enregistré. Déjà « publiée » par Alex Martin"
    )
    # Nothing of the decision was written, not even the note that nobody had touched
    assert review_trail(measurement) == (ReviewState.PUBLISHED, "membre-has", "relectrice", "")
    assert review_trail(note) == (ReviewState.PROPOSED, "membre-has", None, "")


def test_bad_decisions_are_refused_with_a_french_message(
    client, action, indicator, has_member, administrator
):
    propose_value(signed_in(has_member), action, indicator)
    measurement = Measurement.objects.get(indicator=indicator)
    client.force_login(administrator)
    cases = {
        "no item": ({"decision": "publish"}, "Cochez au moins une proposition."),
        "no decision": ({"item": item(measurement)}, "Choisissez de publier ou de renvoyer."),
        "garbage": ({"item": "mesure-x", "decision": "publish"}, "Proposition inconnue"),
        "kind": ({"item": "jalon-1:1", "decision": "publish"}, "Proposition inconnue"),
        "missing": (
            {"item": "mesure-999999:1", "decision": "publish"},
            "Cette proposition n'existe plus",
        ),
        "decision": (
            {"item": item(measurement), "decision": "supprimer"},
            "n'est pas une décision possible",
        ),
    }
    for name, (data, message) in cases.items():
        response = client.post(QUEUE, data)
        assert response.status_code == 422, name
        assert message in plain_text(response), name
    assert review_trail(measurement)[0] == ReviewState.PROPOSED


def test_the_admin_publishes_a_selection_under_the_same_rule(
    client, action, indicator, has_member, administrator
):
    propose_value(signed_in(has_member), action, indicator)
    own = Measurement.objects.create(
        indicator=indicator,
        date=days(-9),
        value=5,
        source="Relevé",
        review_state=ReviewState.PROPOSED,
        proposed_by=administrator,
    )
    theirs = Measurement.objects.get(indicator=indicator, proposed_by=has_member)
    client.force_login(administrator)

    response = client.post(
        "/admin/roadmap/measurement/",
        {"action": "publish_selected", "_selected_action": [own.pk, theirs.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert review_trail(theirs)[:3] == (ReviewState.PUBLISHED, "membre-has", "administrateur")
    assert review_trail(own)[0] == ReviewState.PROPOSED
    assert "1 ligne laissée telle quelle" in plain_text(response)


def test_the_import_preview_says_it_publishes_at_once(client, administrator, roadmap):
    client.force_login(administrator)
    action = roadmap.actions.get(code="IA 2-4")
    row = [action.code, 2, action.title, action.description, "En cours", "HAS", "", None, None]
    upload = xlsx_file({"Actions": [row]})
    response = client.post(
        "/admin/roadmap/importupload/",
        {"roadmap": roadmap.pk, "file": _named(upload, "suivi.xlsx")},
    )

    assert "Ce qui est importé est publié aussitôt, sans passer par la validation" in plain_text(
        response
    )


def _named(content: bytes, name: str):
    return SimpleUploadedFile(name, content)


def test_a_value_awaiting_review_does_not_date_the_action(client, action, indicator, has_member):
    client.force_login(has_member)
    last_update = public_json(action)["last_update"]

    propose_value(client, action, indicator)

    assert public_json(action)["last_update"] == last_update
