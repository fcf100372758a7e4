"""Two people editing the same thing at once: neither change is silently lost.

Two signed-in browsers open the same action page at the same version and both submit: exactly
one change is saved, the other person gets a 409 with who changed what, and the history holds
exactly the saved change. Rows that are added rather than changed (measurements, milestones)
are checked for the race between the form's check and the insert; notes are simply both kept.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from roadmap.forms import MeasurementForm, MilestoneForm
from roadmap.models import Measurement, Milestone, ProgressNote
from tests.support.builders import (
    days,
    history_of,
    make_indicator,
    make_milestone,
    today,
)
from tests.support.html import (
    element,
    field_error,
    form_value,
    french_datetime,
    plain_text,
    text_of,
)
from tests.support.htmx import htmx_headers, swapped


class Browser:
    """A signed-in person with the action page open, posting its forms as the browser would
    (with the page's CSRF token and the version each form was read at)."""

    def __init__(self, user, action):
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(user)
        self.action = action
        self.page = self.client.get(action.get_absolute_url()).content.decode()

    def form(self, element_id: str) -> dict:
        """The hidden fields (CSRF token, version) of the form inside `element_id`."""
        markup = element(self.page, element_id)
        return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', markup))

    def post(self, name: str, args: list, element_id: str, data: dict, **headers):
        url = reverse(f"roadmap:{name}", args=[self.action.slug, *args])
        return self.client.post(url, {**self.form(element_id), **data}, **headers)


def test_two_people_change_the_status_at_once_and_only_the_first_is_saved(
    action, has_member, camille
):
    # GIVEN two members of the HAS with the action page open at the same version
    ours, theirs = Browser(has_member, action), Browser(camille, action)
    version = action.version
    history = history_of(action, "status", "version")
    assert ours.form("resume")["version"] == theirs.form("resume")["version"] == str(version)

    # WHEN Camille sets « À risque », then our member « En cours », each from their page
    first = theirs.post("edit-status", [], "resume", {"status": "at_risk"})
    second = ours.post("edit-status", [], "resume", {"status": "in_progress"})

    # THEN Camille's change is saved
    assert first.status_code == 302
    # AND our member is told who changed it, to what, and that theirs was not saved
    assert second.status_code == 409
    changed_on = action.history.latest("history_id").history_date
    assert (
        f"Camille Martin a modifié le statut le {french_datetime(changed_on)} : il est "
        "maintenant « À risque ». Votre choix « En cours » n'a pas été enregistré."
    ) in text_of(second, "resume")
    # AND the database and the history hold exactly Camille's change
    action.refresh_from_db()
    assert (action.status, action.version) == ("at_risk", version + 1)
    assert history_of(action, "status", "version") == [
        *history,
        ("~", "at_risk", version + 1, "camille"),
    ]


def test_two_people_change_the_same_milestone_at_once_and_only_the_first_is_saved(
    action, has_member, camille
):
    # GIVEN a milestone, and two members with the page open
    milestone = make_milestone(action, "Publier le référentiel", due_date=days(30))
    row = f"jalon-{milestone.pk}"
    ours, theirs = Browser(has_member, action), Browser(camille, action)

    # WHEN Camille ticks it, and our member reschedules it, both with htmx
    first = theirs.post(
        "edit-milestone-done",
        [milestone.pk],
        row,
        {"done": "on", "done_on": ""},
        **htmx_headers(action),
    )
    second = ours.post(
        "edit-milestone-reschedule",
        [milestone.pk],
        row,
        {"due_date": days(60).isoformat()},
        **htmx_headers(action),
    )

    # THEN the tick is saved, the rescheduling is refused with who changed the milestone
    assert first.status_code == 200
    assert second.status_code == 409
    assert swapped(second) == (["jalons"], True)
    assert "Camille Martin a modifié ce jalon le" in text_of(second, "jalons")
    assert "Réalisé" in text_of(second, row)
    # AND the history of the milestone holds exactly the tick
    milestone.refresh_from_db()
    assert (milestone.due_date, milestone.done_on, milestone.version) == (days(30), today(), 2)
    assert history_of(milestone, "due_date", "done_on", "version") == [
        ("+", days(30), None, 1, None),
        ("~", days(30), today(), 2, "camille"),
    ]


def test_two_notes_written_at_once_are_both_kept(action, has_member, camille):
    # Notes are added, never overwritten: there is nothing to lose, nothing to refuse.
    ours, theirs = Browser(has_member, action), Browser(camille, action)

    first = theirs.post("edit-note", [], "points", {"written_on": today(), "done": "Atelier."})
    second = ours.post("edit-note", [], "points", {"written_on": today(), "done": "Webinaire."})

    assert (first.status_code, second.status_code) == (302, 302)
    assert list(
        ProgressNote.objects.filter(action=action)
        .order_by("pk")
        .values_list("author__username", "done")
    ) == [("camille", "Atelier."), ("membre-has", "Webinaire.")]


def test_a_value_recorded_by_someone_else_between_the_check_and_the_save_gets_409(
    client, action, has_member, camille, monkeypatch
):
    # GIVEN an indicator, and Camille recording 69 000 at the same date just after our
    # member's form was checked (the race the unique constraint settles)
    indicator = make_indicator(action)
    check = MeasurementForm.clean

    def check_then_camille_records(form):
        cleaned = check(form)
        if not Measurement.objects.filter(indicator=indicator).exists():
            measurement = Measurement(
                indicator=indicator,
                date=days(-1),
                value=Decimal(69000),
                source="Tableau de bord",
                recorded_by=camille,
            )
            measurement._history_user = camille
            measurement.save()
        return cleaned

    monkeypatch.setattr(MeasurementForm, "clean", check_then_camille_records)
    client.force_login(has_member)

    # WHEN our member records 70 000 at that date
    response = client.post(
        reverse("roadmap:edit-measurement", args=[action.slug, indicator.code]),
        {"date": days(-1).isoformat(), "value": "70 000", "source": "Enquête"},
        **htmx_headers(action),
    )

    # THEN no 500: a 409 with the value already there, its source and who recorded it
    assert response.status_code == 409
    assert swapped(response) == (["indicateurs"], True)
    assert field_error(response, f"id_measure{indicator.pk}_date") == (
        "Une valeur existe déjà à cette date : 69 000 (source : Tableau de bord, Camille Martin). "
        "Choisissez une autre date ou demandez à un administrateur de la corriger."
    )
    # AND the database holds Camille's value only
    assert list(
        Measurement.objects.filter(indicator=indicator).values_list(
            "date", "value", "recorded_by__username"
        )
    ) == [(days(-1), Decimal(69000), "camille")]
    [measurement] = Measurement.objects.filter(indicator=indicator)
    assert history_of(measurement, "value") == [("+", Decimal(69000), "camille")]


def test_a_milestone_added_by_someone_else_between_the_check_and_the_save_gets_409(
    client, action, has_member, camille, monkeypatch
):
    # GIVEN Camille adding « Lancer l'appel à projets » just after our member's form was checked
    check = MilestoneForm.clean_title

    def check_then_camille_adds(form):
        title = check(form)
        if not Milestone.objects.filter(action=action).exists():
            milestone = Milestone(action=action, title=title, due_date=days(60))
            milestone._history_user = camille
            milestone.save()
        return title

    monkeypatch.setattr(MilestoneForm, "clean_title", check_then_camille_adds)
    client.force_login(has_member)

    # WHEN our member adds a milestone of the same title, without JavaScript
    response = client.post(
        reverse("roadmap:edit-milestone-add", args=[action.slug]),
        {"title": "Lancer l'appel à projets", "due_date": days(90).isoformat()},
    )

    # THEN no 500: the page says the action already has it, and shows Camille's
    assert response.status_code == 409
    assert field_error(response, "id_new_milestone_title") == (
        "Cette action a déjà un jalon de ce nom."
    )
    [milestone] = Milestone.objects.filter(action=action)
    assert text_of(response, f"jalon-{milestone.pk}").startswith("Lancer l'appel à projets")
    # AND the database holds Camille's milestone only
    assert history_of(milestone, "title", "due_date") == [
        ("+", "Lancer l'appel à projets", days(60), "camille")
    ]
    assert form_value(response, "id_new_milestone_due_date") == days(90).isoformat()
    assert "Jalon « Lancer l'appel à projets » ajouté." not in plain_text(response)
