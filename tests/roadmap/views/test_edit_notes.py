"""Writing a progress note on an action: POST /actions/<slug>/points/.

What was done, risks, next steps, dated and signed. As a plain form (redirect to the notes
section, with a message) and with HTMX (the notes section, and the summary box out of band),
for each kind of user and with bad input.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from roadmap.models import Action, ProgressNote
from tests.support.builders import days, today
from tests.support.constants import login_redirect
from tests.support.html import (
    field_error,
    form_value,
    french_date,
    open_accordions,
    plain_text,
    text_of,
)
from tests.support.htmx import htmx_headers, swapped

NOTES_AND_SUMMARY = (["points"], True)
NOTE = {
    "done": "Groupe de travail réuni avec les sociétés savantes.",
    "risks": "Calendrier serré.",
    "next_steps": "Consultation publique en mars.",
}


def url(action: Action) -> str:
    return reverse("roadmap:edit-note", args=[action.slug])


def write(client, action, written_on=None, *, headers=None, follow=False, **fields):
    """Post the note form: NOTE, dated today, with `fields` changed."""
    written_on = today() if written_on is None else written_on
    data = {
        **NOTE,
        "written_on": written_on if isinstance(written_on, str) else written_on.isoformat(),
        **fields,
    }
    return client.post(url(action), data, follow=follow, **(headers or {}))


def state(action: Action) -> list[tuple]:
    """Every note of the action as the database holds it, oldest first."""
    return list(
        ProgressNote.objects.filter(action=action)
        .order_by("pk")
        .values_list("author__username", "written_on", "done", "risks", "next_steps")
    )


# --- Happy paths -----------------------------------------------------------------------------


# Published at once: this test is about the note itself, not its review.
@pytest.mark.usefixtures("review_off")
def test_a_member_publishes_a_progress_note(client, action, has_member):
    client.force_login(has_member)

    response = write(client, action, days(-3), follow=True)

    assert response.redirect_chain == [("/actions/ia-2-4/#points", 302)]
    assert "Point d'avancement publié." in plain_text(response)
    [note] = ProgressNote.objects.filter(action=action)
    assert text_of(response, f"point-{note.pk}") == (
        f"Le {french_date(days(-3))}, par membre-has "
        f"Ce qui a été fait {NOTE['done']} Risques {NOTE['risks']} "
        f"Prochaines étapes {NOTE['next_steps']}"
    )
    assert state(action) == [
        ("membre-has", days(-3), NOTE["done"], NOTE["risks"], NOTE["next_steps"])
    ]


# Published at once: this test is about the note itself, not its review.
@pytest.mark.usefixtures("review_off")
def test_with_htmx_it_answers_the_notes_and_the_summary_no_longer_stale(client, action, has_member):
    # GIVEN an action nobody updated for 100 days, flagged in its summary
    # Noon, local time, 100 days ago: a day count that no clock change or late hour can shift.
    long_ago = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() - datetime.timedelta(days=100), datetime.time(12)
        )
    )
    # (the last change a person made: a status, its history row moved back)
    action.status = "in_progress"
    action.save()
    action.history.filter(history_id=action.history.latest("history_id").history_id).update(
        history_date=long_ago
    )
    client.force_login(has_member)
    page = client.get(action.get_absolute_url())
    assert "Sans mise à jour depuis 100 jours" in text_of(page, "resume")

    # WHEN a member publishes a note with htmx
    response = write(client, action, headers=htmx_headers(action))

    # THEN the notes section comes back with the note, and the summary drops the flag
    assert response.status_code == 200
    assert swapped(response) == NOTES_AND_SUMMARY
    assert f"Le {french_date(today())}, par membre-has" in text_of(response, "points")
    assert "Sans mise à jour" not in text_of(response, "resume")
    # AND the form is blank again, dated today
    assert form_value(response, "id_note_written_on") == today().isoformat()
    assert "Point d'avancement publié" not in plain_text(client.get(action.get_absolute_url()))
    assert state(action) == [
        ("membre-has", today(), NOTE["done"], NOTE["risks"], NOTE["next_steps"])
    ]


def test_risks_and_next_steps_may_be_left_empty(client, action, has_member):
    client.force_login(has_member)

    response = write(client, action, risks="", next_steps="")

    assert response.status_code == 302
    assert state(action) == [("membre-has", today(), NOTE["done"], "", "")]


def test_a_note_is_shown_as_text_never_as_markup(client, action, has_member):
    client.force_login(has_member)

    response = write(client, action, done='<script>alert("x")</script>', follow=True)

    html = response.content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<script>alert("x")</script>' not in html
    assert state(action)[0][2] == '<script>alert("x")</script>'


def test_an_administrator_may_write_on_any_action(client, ia_2_1, administrator):
    client.force_login(administrator)

    response = write(client, ia_2_1)

    assert response.status_code == 302
    assert response["Location"] == "/actions/ia-2-1/#points"
    assert state(ia_2_1) == [
        ("administrateur", today(), NOTE["done"], NOTE["risks"], NOTE["next_steps"])
    ]


# --- Who may not ----------------------------------------------------------------------------


def test_it_rejects_get(client, action, has_member):
    client.force_login(has_member)

    response = client.get(url(action), NOTE)

    assert response.status_code == 405
    assert state(action) == []


def test_an_anonymous_user_is_sent_to_the_login_page_and_nothing_changes(client, action):
    plain = write(client, action)
    with_htmx = write(client, action, headers=htmx_headers(action))

    assert plain.status_code == 302
    assert plain["Location"] == login_redirect("/actions/ia-2-4/")
    assert with_htmx["HX-Redirect"] == login_redirect("/actions/ia-2-4/")
    assert state(action) == []


def test_a_member_of_another_organisation_gets_403_and_nothing_changes(client, action, dns_member):
    client.force_login(dns_member)

    assert write(client, action).status_code == 403
    assert write(client, action, headers=htmx_headers(action)).status_code == 403
    assert state(action) == []


def test_a_reader_gets_403_and_nothing_changes(client, action, reader):
    client.force_login(reader)

    assert write(client, action).status_code == 403
    assert state(action) == []


# --- Bad input ------------------------------------------------------------------------------


FUTURE_NOTE = "Un point d'avancement ne peut pas être daté dans le futur."


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        ("done", {"done": ""}, "Décrivez ce qui a été fait."),
        ("done", {"done": "  \n "}, "Décrivez ce qui a été fait."),
        ("written_on", {"written_on": days(1)}, FUTURE_NOTE),
        ("written_on", {"written_on": ""}, "Indiquez la date du point d'avancement."),
        ("written_on", {"written_on": "lundi"}, "Saisissez une date valide."),
    ],
)
def test_a_blank_note_or_a_date_in_the_future_is_refused(
    client, action, has_member, field, data, message
):
    client.force_login(has_member)

    plain = write(client, action, **data)
    with_htmx = write(client, action, **data, headers=htmx_headers(action))

    assert plain.status_code == 422
    assert field_error(plain, f"id_note_{field}") == message
    assert with_htmx.status_code == 422
    assert swapped(with_htmx) == NOTES_AND_SUMMARY
    assert field_error(with_htmx, f"id_note_{field}") == message
    # The form stays open with what was typed, so nothing is lost.
    assert open_accordions(with_htmx) == ["Rédiger un point d'avancement"]
    assert NOTE["risks"] in with_htmx.content.decode()
    assert state(action) == []
