"""Milestones of an action: tick as done (or reopen), reschedule, add.

POST /actions/<slug>/jalons/<pk>/realisation/, …/jalons/<pk>/echeance/ and …/jalons/. As plain
forms (redirect to the milestones section, with a message) and with HTMX (the milestones
section, and the summary box out of band), for each kind of user, with bad input and with a
version someone else saved in between.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from roadmap.models import Action, Milestone
from tests.support.builders import colleague, days, history_of, make_milestone, signed_in, today
from tests.support.constants import login_redirect
from tests.support.html import (
    field_error,
    form_value,
    french_date,
    french_datetime,
    open_accordions,
    plain_text,
    text_of,
)
from tests.support.htmx import htmx_headers, swapped

MILESTONES_AND_SUMMARY = (["jalons"], True)


@pytest.fixture
def milestone(action) -> Milestone:
    """An open milestone of IA 2-4, due in 30 days."""
    return make_milestone(action, "Publier le référentiel", due_date=days(30))


def tick_url(milestone: Milestone) -> str:
    return reverse("roadmap:edit-milestone-done", args=[milestone.action.slug, milestone.pk])


def reschedule_url(milestone: Milestone) -> str:
    return reverse("roadmap:edit-milestone-reschedule", args=[milestone.action.slug, milestone.pk])


def add_url(action: Action) -> str:
    return reverse("roadmap:edit-milestone-add", args=[action.slug])


def tick(client, milestone, done_on="", version=None, **headers):
    version = milestone.version if version is None else version
    data = {"done": "on", "done_on": done_on, "version": version}
    return client.post(tick_url(milestone), data, **headers)


def reopen(client, milestone, version=None, **headers):
    version = milestone.version if version is None else version
    return client.post(tick_url(milestone), {"version": version}, **headers)


def reschedule(client, milestone, due_date, version=None, **headers):
    version = milestone.version if version is None else version
    data = {"due_date": due_date, "version": version}
    return client.post(reschedule_url(milestone), data, **headers)


def add(client, action, title, due_date, **headers):
    return client.post(add_url(action), {"title": title, "due_date": due_date}, **headers)


def state(action: Action) -> list[tuple]:
    """Every milestone of the action as the database holds it, with its history."""
    return [
        (
            m.title,
            m.due_date,
            m.original_due_date,
            m.done_on,
            m.version,
            history_of(m, "due_date", "done_on", "version"),
        )
        for m in Milestone.objects.filter(action=action).order_by("pk")
    ]


def created(milestone: Milestone) -> tuple:
    """The history row of a milestone made by the fixtures (no signed-in user)."""
    return ("+", milestone.due_date, milestone.done_on, 1, None)


def changed_once(
    milestone: Milestone, username: str, *, due_date=None, done_on=None
) -> list[tuple]:
    """The `state` of the action after `username` changed its one milestone (« Publier le
    référentiel », first due in 30 days) once: now due on `due_date` and done on `done_on`."""
    due_date = due_date or days(30)
    return [
        (
            "Publier le référentiel",
            due_date,
            days(30),
            done_on,
            2,
            [created(milestone), ("~", due_date, done_on, 2, username)],
        )
    ]


# --- Ticking a milestone as done ------------------------------------------------------------


def test_a_member_ticks_a_milestone_as_done_on_a_date(client, action, milestone, has_member):
    client.force_login(has_member)

    response = tick(client, milestone, days(-2).isoformat(), follow=True)

    assert response.redirect_chain == [("/actions/ia-2-4/#jalons", 302)]
    assert "Jalon « Publier le référentiel » marqué réalisé." in plain_text(response)
    row = text_of(response, f"jalon-{milestone.pk}")
    assert row == (
        f"Publier le référentiel Échéance : {french_date(days(30))} "
        f"Réalisé le {french_date(days(-2))} Rouvrir le jalon « Publier le référentiel »"
    )
    assert state(action) == changed_once(milestone, "membre-has", done_on=days(-2))


def test_without_a_date_the_milestone_is_done_today(client, action, milestone, has_member):
    client.force_login(has_member)

    response = tick(client, milestone)

    assert response.status_code == 302
    assert state(action) == changed_once(milestone, "membre-has", done_on=today())


def test_with_htmx_ticking_answers_the_milestones_and_the_summary(client, action, has_member):
    # GIVEN an overdue milestone, flagged in the summary box
    overdue = make_milestone(action, "Réunir le comité", due_date=days(-10))
    client.force_login(has_member)
    assert "1 jalon en retard" in text_of(client.get(action.get_absolute_url()), "resume")

    # WHEN it is ticked with htmx
    response = tick(client, overdue, days(-1).isoformat(), **htmx_headers(action))

    # THEN the answer is the milestones section, and the summary box swapped out of band
    assert response.status_code == 200
    assert swapped(response) == MILESTONES_AND_SUMMARY
    assert f"Réalisé le {french_date(days(-1))} Rouvrir" in text_of(response, f"jalon-{overdue.pk}")
    # AND the summary no longer flags it, and shows the action complete
    summary = text_of(response, "resume")
    assert "jalon en retard" not in summary
    assert "Avancement 100 %" in summary
    assert "marqué réalisé" not in plain_text(client.get(action.get_absolute_url()))
    assert state(action) == [
        (
            "Réunir le comité",
            days(-10),
            days(-10),
            days(-1),
            2,
            [created(overdue), ("~", days(-10), days(-1), 2, "membre-has")],
        )
    ]


def test_a_member_reopens_a_milestone_done_by_mistake(client, action, has_member):
    done = make_milestone(action, "Réunir le comité", due_date=days(-10), done_on=days(-12))
    client.force_login(has_member)

    response = reopen(client, done, follow=True)

    assert response.redirect_chain == [("/actions/ia-2-4/#jalons", 302)]
    assert "Jalon « Réunir le comité » rouvert." in plain_text(response)
    assert "Échéance dépassée" in text_of(response, f"jalon-{done.pk}")
    assert state(action) == [
        (
            "Réunir le comité",
            days(-10),
            days(-10),
            None,
            2,
            [created(done), ("~", days(-10), None, 2, "membre-has")],
        )
    ]


def assert_refused_both_ways(action, post, field_id: str, message: str):
    """`post()` is refused with `message` under the field `field_id`, on the page and in the
    HTMX answer (which swaps the milestones and the summary), and writes nothing. Returns the
    HTMX answer."""
    before = state(action)

    plain = post()
    with_htmx = post(**htmx_headers(action))

    assert plain.status_code == 422
    assert field_error(plain, field_id) == message
    assert with_htmx.status_code == 422
    assert swapped(with_htmx) == MILESTONES_AND_SUMMARY
    assert field_error(with_htmx, field_id) == message
    assert state(action) == before
    return with_htmx


def test_a_done_date_before_the_start_of_the_action_is_refused(
    client, action, milestone, has_member
):
    action.start_date = days(-30)
    action.save()
    client.force_login(has_member)

    message = (
        f"La date de réalisation précède le début de l'action ({days(-30).strftime('%d/%m/%Y')})."
    )
    assert_refused_both_ways(
        action,
        lambda **headers: tick(client, milestone, days(-31).isoformat(), **headers),
        f"id_done{milestone.pk}_done_on",
        message,
    )


# A date each of the two forms refuses, and what it says under the field.
REFUSED_DATES = {
    "done-in-the-future": (
        "tick",
        days(1).isoformat(),
        "Un jalon ne peut pas être réalisé à une date future.",
    ),
    "done-not-a-day": ("tick", "31/02/2025", "Saisissez une date valide."),
    "done-not-a-date": ("tick", "hier", "Saisissez une date valide."),
    "due-missing": ("reschedule", "", "Indiquez la nouvelle échéance."),
    "due-not-a-date": ("reschedule", "demain", "Saisissez une date valide."),
}
DATE_FIELDS = {"tick": "id_done{}_done_on", "reschedule": "id_reschedule{}_due_date"}


@pytest.mark.parametrize("case", REFUSED_DATES)
def test_a_done_date_in_the_future_or_a_due_date_missing_or_not_a_date_is_refused(
    client, action, milestone, has_member, case
):
    form, value, message = REFUSED_DATES[case]
    edit = {"tick": tick, "reschedule": reschedule}[form]
    client.force_login(has_member)

    assert_refused_both_ways(
        action,
        lambda **headers: edit(client, milestone, value, **headers),
        DATE_FIELDS[form].format(milestone.pk),
        message,
    )


def test_ticking_a_milestone_someone_changed_since_gets_409(client, action, milestone, has_member):
    # GIVEN our member read the page; then Camille Martin moved the milestone
    client.force_login(has_member)
    read_at = milestone.version
    camille = signed_in(colleague("HAS"))
    assert reschedule(camille, milestone, days(45).isoformat(), read_at).status_code == 302
    changed_on = milestone.history.latest("history_id").history_date

    # WHEN our member ticks it from the page read earlier
    response = tick(client, milestone, today().isoformat(), read_at)

    # THEN nothing is overwritten: the milestone is as Camille left it
    assert response.status_code == 409
    assert state(action) == changed_once(milestone, "camille", due_date=days(45))
    # AND the page says who changed it, and shows its current due date
    section = text_of(response, "jalons")
    assert (
        f"Camille Martin a modifié ce jalon le {french_datetime(changed_on)} : "
        "votre modification n'a pas été enregistrée."
    ) in section
    assert text_of(response, f"jalon-{milestone.pk}").startswith(
        f"Publier le référentiel Échéance : {french_date(days(45))} "
        f"(replanifié, initialement le {french_date(days(30))} ) À venir Non réalisé"
    )
    # AND the form is at the current version, to retry in one click
    assert form_value(response, f"id_done{milestone.pk}_version") == "2"


# --- Rescheduling -----------------------------------------------------------------------------


def test_a_member_reschedules_a_milestone_and_the_first_due_date_stays_visible(
    client, action, milestone, has_member
):
    client.force_login(has_member)

    response = reschedule(client, milestone, days(60).isoformat(), follow=True)

    assert response.redirect_chain == [("/actions/ia-2-4/#jalons", 302)]
    assert (
        f"Échéance du jalon « Publier le référentiel » reportée au {days(60).strftime('%d/%m/%Y')}."
    ) in plain_text(response)
    assert text_of(response, f"jalon-{milestone.pk}").startswith(
        f"Publier le référentiel Échéance : {french_date(days(60))} "
        f"(replanifié, initialement le {french_date(days(30))} ) À venir Non réalisé"
    )
    assert state(action) == changed_once(milestone, "membre-has", due_date=days(60))


def test_with_htmx_rescheduling_answers_the_milestones_and_the_summary(
    client, action, milestone, has_member
):
    client.force_login(has_member)

    response = reschedule(client, milestone, days(60).isoformat(), **htmx_headers(action))

    assert response.status_code == 200
    assert swapped(response) == MILESTONES_AND_SUMMARY
    assert f"initialement le {french_date(days(30))}" in text_of(response, f"jalon-{milestone.pk}")
    assert form_value(response, f"id_reschedule{milestone.pk}_version") == "2"
    assert state(action) == changed_once(milestone, "membre-has", due_date=days(60))


def test_rescheduling_a_milestone_someone_ticked_since_gets_409(
    client, action, milestone, has_member
):
    client.force_login(has_member)
    read_at = milestone.version
    camille = signed_in(colleague("HAS"))
    assert tick(camille, milestone, days(-1).isoformat(), read_at).status_code == 302
    changed_on = milestone.history.latest("history_id").history_date

    response = reschedule(client, milestone, days(90).isoformat(), read_at, **htmx_headers(action))

    assert response.status_code == 409
    assert swapped(response) == MILESTONES_AND_SUMMARY
    assert (
        f"Camille Martin a modifié ce jalon le {french_datetime(changed_on)} : "
        "votre modification n'a pas été enregistrée."
    ) in text_of(response, "jalons")
    # The row shows what Camille did: done yesterday.
    assert text_of(response, f"jalon-{milestone.pk}").startswith(
        f"Publier le référentiel Échéance : {french_date(days(30))} "
        f"Réalisé le {french_date(days(-1))}"
    )
    assert state(action) == changed_once(milestone, "camille", done_on=days(-1))


# --- Adding a milestone -----------------------------------------------------------------------


def test_a_member_adds_a_milestone(client, action, has_member):
    client.force_login(has_member)

    response = add(client, action, "  Lancer l'appel à projets ", days(90).isoformat(), follow=True)

    assert response.redirect_chain == [("/actions/ia-2-4/#jalons", 302)]
    assert "Jalon « Lancer l'appel à projets » ajouté." in plain_text(response)
    assert state(action) == [
        (
            "Lancer l'appel à projets",
            days(90),
            days(90),
            None,
            1,
            [("+", days(90), None, 1, "membre-has")],
        )
    ]
    new = Milestone.objects.get(action=action)
    assert new.roadmap_id == action.roadmap_id
    assert text_of(response, f"jalon-{new.pk}").startswith(
        f"Lancer l'appel à projets Échéance : {french_date(days(90))} À venir Non réalisé"
    )


def test_with_htmx_adding_answers_the_milestones_with_a_blank_form(client, action, has_member):
    client.force_login(has_member)

    response = add(
        client, action, "Lancer l'appel à projets", days(90).isoformat(), **htmx_headers(action)
    )

    assert response.status_code == 200
    assert swapped(response) == MILESTONES_AND_SUMMARY
    new = Milestone.objects.get(action=action)
    assert "Lancer l'appel à projets" in text_of(response, f"jalon-{new.pk}")
    assert form_value(response, "id_new_milestone_title") is None
    assert state(action) == [
        (
            "Lancer l'appel à projets",
            days(90),
            days(90),
            None,
            1,
            [("+", days(90), None, 1, "membre-has")],
        )
    ]


@pytest.mark.parametrize(
    ("title", "due_date", "field", "message"),
    [
        ("", "2026-06-30", "title", "Donnez un intitulé au jalon."),
        ("   ", "2026-06-30", "title", "Donnez un intitulé au jalon."),
        ("Lancer l'appel à projets", "", "due_date", "Indiquez l'échéance du jalon."),
        ("Lancer l'appel à projets", "30 juin", "due_date", "Saisissez une date valide."),
        (
            "Publier le référentiel",
            "2026-06-30",
            "title",
            "Cette action a déjà un jalon de ce nom.",
        ),
    ],
)
def test_a_milestone_without_a_title_or_due_date_or_with_a_taken_title_is_refused(
    client, action, milestone, has_member, title, due_date, field, message
):
    client.force_login(has_member)

    with_htmx = assert_refused_both_ways(
        action,
        lambda **headers: add(client, action, title, due_date, **headers),
        f"id_new_milestone_{field}",
        message,
    )
    # The form stays open, with what was typed, so nothing has to be typed again.
    assert open_accordions(with_htmx) == ["Ajouter un jalon"]


# --- Who may do each of these -----------------------------------------------------------------


EDITS = {
    "tick": lambda client, milestone, **headers: tick(client, milestone, **headers),
    "reschedule": lambda client, milestone, **headers: reschedule(
        client, milestone, days(60).isoformat(), **headers
    ),
    "add": lambda client, milestone, **headers: add(
        client, milestone.action, "Lancer l'appel à projets", days(90).isoformat(), **headers
    ),
}
URLS = {"tick": tick_url, "reschedule": reschedule_url, "add": lambda m: add_url(m.action)}


@pytest.mark.parametrize("edit", EDITS)
def test_it_rejects_get(client, action, milestone, has_member, edit):
    client.force_login(has_member)
    before = state(action)

    response = client.get(URLS[edit](milestone))

    assert response.status_code == 405
    assert state(action) == before


@pytest.mark.parametrize("edit", EDITS)
def test_an_anonymous_user_is_sent_to_the_login_page_and_nothing_changes(
    client, action, milestone, edit
):
    before = state(action)

    plain = EDITS[edit](client, milestone)
    with_htmx = EDITS[edit](client, milestone, **htmx_headers(action))

    assert plain.status_code == 302
    assert plain["Location"] == login_redirect("/actions/ia-2-4/")
    assert with_htmx["HX-Redirect"] == login_redirect("/actions/ia-2-4/")
    assert state(action) == before


@pytest.mark.parametrize("edit", EDITS)
def test_a_member_of_another_organisation_gets_403_and_nothing_changes(
    client, action, milestone, dns_member, edit
):
    client.force_login(dns_member)
    before = state(action)

    assert EDITS[edit](client, milestone).status_code == 403
    assert EDITS[edit](client, milestone, **htmx_headers(action)).status_code == 403
    assert state(action) == before


@pytest.mark.parametrize("edit", EDITS)
def test_a_reader_gets_403_and_nothing_changes(client, action, milestone, reader, edit):
    client.force_login(reader)
    before = state(action)

    assert EDITS[edit](client, milestone).status_code == 403
    assert state(action) == before


@pytest.mark.parametrize("edit", EDITS)
def test_an_administrator_may_do_it_on_any_action(client, ia_2_1, administrator, edit):
    # GIVEN IA 2-1, which has no owner, with a milestone
    milestone = make_milestone(ia_2_1, "Ouvrir les inscriptions", due_date=days(30))
    client.force_login(administrator)

    response = EDITS[edit](client, milestone)

    assert response.status_code == 302
    assert response["Location"] == "/actions/ia-2-1/#jalons"
    latest = Milestone.history.filter(action_id=ia_2_1.pk).latest("history_id")
    assert (latest.history_type, latest.history_user) == (
        "+" if edit == "add" else "~",
        administrator,
    )


@pytest.mark.parametrize("edit", ["tick", "reschedule"])
def test_a_milestone_of_another_action_is_not_found_through_this_one(
    client, action, has_member, ia_2_1, edit
):
    # GIVEN a milestone of IA 2-1, which the HAS may not edit, posted through IA 2-4's URL
    foreign = make_milestone(ia_2_1, "Ouvrir les inscriptions", due_date=days(30))
    client.force_login(has_member)
    url = URLS[edit](foreign).replace("/ia-2-1/", "/ia-2-4/")

    response = client.post(url, {"done": "on", "due_date": "2027-01-01", "version": 1})

    assert response.status_code == 404
    assert state(ia_2_1)[0][4] == 1
