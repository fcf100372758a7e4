"""Changing the declared status of an action: POST /actions/<slug>/statut/.

As a plain form (redirect to the summary box, with a message) and with HTMX (the summary box),
for each kind of user, with bad input and with a version someone else saved in between.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from roadmap.models import Action, Status
from tests.support.builders import history_of, signed_in
from tests.support.constants import login_redirect
from tests.support.html import field_error, form_value, french_datetime, plain_text, text_of
from tests.support.htmx import htmx_headers, swapped


def url(action: Action) -> str:
    return reverse("roadmap:edit-status", args=[action.slug])


def state(action: Action) -> tuple:
    """What the database holds about the action's status: value, version, history."""
    action.refresh_from_db()
    return action.status, action.version, history_of(action, "status", "version")


def saved(version: int, history: list, status: str, username: str) -> tuple:
    """The `state` of an action at `version` with `history` once `username` saved `status`."""
    return (status, version + 1, [*history, ("~", status, version + 1, username)])


def post(client, action, status, version=None, **headers):
    version = action.version if version is None else version
    return client.post(url(action), {"status": status, "version": version}, **headers)


# --- Happy paths -----------------------------------------------------------------------------


def test_a_member_of_the_lead_organisation_changes_the_status(client, action, has_member):
    # GIVEN a member of the HAS, which leads IA 2-4, on the action page
    client.force_login(has_member)
    _, version, history = state(action)

    # WHEN they choose « En cours » and submit the plain form
    response = post(client, action, "in_progress", follow=True)

    # THEN they are back on the summary box of the page, told that the status is saved
    assert response.redirect_chain == [("/actions/ia-2-4/#resume", 302)]
    assert response.status_code == 200
    assert "Statut enregistré : En cours." in plain_text(response)
    assert text_of(response, "resume").startswith("En bref Statut déclaré En cours")
    # AND the database holds the new status at the next version, saved by them
    assert state(action) == saved(version, history, "in_progress", "membre-has")


def test_with_htmx_it_answers_the_summary_box_alone(client, action, has_member):
    # GIVEN a member of the HAS with JavaScript on
    client.force_login(has_member)
    _, version, history = state(action)

    # WHEN the status form is posted by htmx
    response = post(client, action, "at_risk", **htmx_headers(action))

    # THEN the answer is the summary box, to replace the one on the page
    assert response.status_code == 200
    assert swapped(response) == (["resume"], False)
    assert plain_text(response).startswith("En bref Statut déclaré À risque")
    badge = '<p class="fr-badge fr-badge--sm fr-badge--warning">À risque</p>'
    assert badge in response.content.decode()
    # AND its form is ready for the next change, at the new version; no message is queued
    assert form_value(response, "id_status_version") == str(version + 1)
    assert "Statut enregistré" not in plain_text(client.get(action.get_absolute_url()))
    # AND the database holds the change
    assert state(action) == saved(version, history, "at_risk", "membre-has")


def test_a_member_of_a_partner_organisation_may_change_it(client, roadmap, dns_member):
    # GIVEN IA 4-1, of which the DNS is one of the partners, and a member of the DNS
    action = Action.objects.get(roadmap=roadmap, code="IA 4-1")
    client.force_login(dns_member)
    _, version, history = state(action)

    # WHEN they change its status
    response = post(client, action, "late")

    # THEN it is saved
    assert response.status_code == 302
    assert state(action) == saved(version, history, "late", "membre-dns")


def test_an_administrator_may_change_the_status_of_any_action(client, ia_2_1, administrator):
    # GIVEN IA 2-1, which has neither lead nor partner, and an administrator of the DNS
    client.force_login(administrator)
    _, version, history = state(ia_2_1)

    # WHEN they change its status
    response = post(client, ia_2_1, "done", follow=True)

    # THEN it is saved
    assert response.redirect_chain == [("/actions/ia-2-1/#resume", 302)]
    assert "Statut enregistré : Réalisée." in plain_text(response)
    assert state(ia_2_1) == saved(version, history, "done", "administrateur")


def test_choosing_the_status_it_already_has_writes_nothing(client, action, has_member):
    # GIVEN an action « En cours »
    action.status = Status.IN_PROGRESS
    action.save()
    client.force_login(has_member)
    before = state(action)

    # WHEN a member submits « En cours » again
    response = post(client, action, "in_progress")

    # THEN all is well, and no new version nor history row is written
    assert response.status_code == 302
    assert state(action) == before


# --- Who may not ----------------------------------------------------------------------------


def test_it_rejects_get(client, action, has_member):
    client.force_login(has_member)
    before = state(action)

    response = client.get(url(action), {"status": "done", "version": action.version})

    assert response.status_code == 405
    assert state(action) == before


def test_an_anonymous_user_is_sent_to_the_login_page_and_nothing_changes(client, action):
    before = state(action)

    response = post(client, action, "done")

    assert response.status_code == 302
    assert response["Location"] == login_redirect("/actions/ia-2-4/")
    assert state(action) == before


def test_an_anonymous_htmx_request_makes_htmx_go_to_the_login_page(client, action):
    before = state(action)

    response = post(client, action, "done", **htmx_headers(action))

    # htmx does not follow a 302 for the whole page: HX-Redirect tells it to.
    assert response.status_code == 200
    assert response["HX-Redirect"] == login_redirect("/actions/ia-2-4/")
    assert state(action) == before


def test_a_member_of_another_organisation_gets_403_and_nothing_changes(client, action, dns_member):
    # GIVEN a member of the DNS, which neither leads nor partners IA 2-4
    client.force_login(dns_member)
    before = state(action)

    # WHEN they craft the request the page does not offer them
    response = post(client, action, "abandoned")

    # THEN it is refused in French, and nothing is written
    assert response.status_code == 403
    assert "Vous n'avez pas le droit de faire cette modification." in plain_text(response)
    assert state(action) == before


@pytest.mark.parametrize(
    ("who", "status", "with_htmx"),
    [("dns_member", "abandoned", True), ("reader", "done", False)],
    ids=["another-organisation-with-htmx", "reader"],
)
def test_a_member_of_another_organisation_or_a_reader_gets_403_and_nothing_changes(
    client, action, request, who, status, with_htmx
):
    client.force_login(request.getfixturevalue(who))
    before = state(action)

    response = post(client, action, status, **(htmx_headers(action) if with_htmx else {}))

    assert response.status_code == 403
    assert state(action) == before


def test_an_unknown_action_is_not_found(client, roadmap, administrator):
    client.force_login(administrator)

    response = client.post("/actions/ia-9-9/statut/", {"status": "done", "version": 1})

    assert response.status_code == 404


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ("douze", "« douze » n'est pas un statut possible."),
        ("Réalisée", "« Réalisée » n'est pas un statut possible."),
        ("", "Choisissez un statut."),
    ],
)
def test_a_status_not_in_the_list_is_refused_next_to_the_field(
    client, action, has_member, posted, message
):
    client.force_login(has_member)
    before = state(action)

    response = post(client, action, posted)

    # THEN the page comes back with the message under the status field, and nothing is written
    assert response.status_code == 422
    assert "<html" in response.content.decode()
    assert field_error(response, "id_status_status") == message
    assert state(action) == before


def test_a_status_not_in_the_list_is_refused_with_htmx_in_the_summary_box(
    client, action, has_member
):
    client.force_login(has_member)
    before = state(action)

    response = post(client, action, "douze", **htmx_headers(action))

    assert response.status_code == 422
    assert swapped(response) == (["resume"], False)
    assert field_error(response, "id_status_status") == "« douze » n'est pas un statut possible."
    assert state(action) == before


@pytest.mark.parametrize("version", ["", "deux", "0"])
def test_a_form_without_a_valid_version_is_refused_with_a_message(
    client, action, has_member, version
):
    # GIVEN a crafted post whose hidden version is missing or wrong
    client.force_login(has_member)
    before = state(action)

    response = client.post(
        url(action), {"status": "done", "version": version}, **htmx_headers(action)
    )

    # THEN nothing is written and the user is told to reload, not left with a silent refusal
    assert response.status_code == 422
    assert "Ce formulaire est incomplet : rechargez la page et recommencez." in plain_text(response)
    assert state(action) == before


# --- Someone saved in between -----------------------------------------------------------------


def test_a_stale_version_gets_409_saying_who_changed_it_and_the_current_status(
    client, action, has_member, camille
):
    # GIVEN our member read the page at some version
    client.force_login(has_member)
    _, read_at, history = state(action)
    # AND Camille Martin set the status to « À risque » since
    assert post(signed_in(camille), action, "at_risk", read_at).status_code == 302
    changed_on = action.history.latest("history_id").history_date

    # WHEN our member submits « En cours » from the page read earlier
    response = post(client, action, "in_progress", read_at)

    # THEN nothing is overwritten: the database holds Camille's change only
    assert response.status_code == 409
    assert state(action) == (
        "at_risk",
        read_at + 1,
        [*history, ("~", "at_risk", read_at + 1, "camille")],
    )
    # AND the page says who changed what, and what is there now
    assert (
        f"Camille Martin a modifié le statut le {french_datetime(changed_on)} : il est "
        "maintenant « À risque ». Votre choix « En cours » n'a pas été enregistré."
    ) in text_of(response, "resume")


def test_after_a_conflict_the_user_retries_in_one_click(client, action, has_member, camille):
    # GIVEN a conflict, answered with htmx
    client.force_login(has_member)
    read_at = action.version
    post(signed_in(camille), action, "at_risk", read_at)
    response = post(client, action, "in_progress", read_at, **htmx_headers(action))
    assert response.status_code == 409
    assert swapped(response) == (["resume"], False)
    assert "il est maintenant « À risque »" in plain_text(response)
    _, version, history = state(action)

    # THEN the form shown is already filled with their choice, at the current version
    assert form_value(response, "id_status_version") == str(version)
    assert '<option value="in_progress" selected>' in response.content.decode()
    assert "Réessayer" in plain_text(response)

    # WHEN they press « Réessayer », which posts that form as it is
    retry = post(client, action, "in_progress", version, **htmx_headers(action))

    # THEN their choice is saved over Camille's, knowingly
    assert retry.status_code == 200
    assert state(action) == saved(version, history, "in_progress", "membre-has")
