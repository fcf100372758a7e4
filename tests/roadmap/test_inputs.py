"""The input policy (roadmap/inputs.py, docs/contract.md « Limites des saisies ») by every path
a text enters: the task force's forms and their HTMX posts, the admin, sign-in, URLs and query
strings. Each refusal is a French 4xx that leaves the database as it was."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from accounts.models import User
from roadmap import inputs
from roadmap.models import Measurement, ProgressNote
from tests.support.builders import days, make_indicator, today
from tests.support.constants import PASSWORD
from tests.support.files import database_dump
from tests.support.html import attributes_of, field_error, plain_text
from tests.support.htmx import htmx_headers

CONTROL_U0007 = (
    "Le texte contient un caractère de contrôle invisible (U+0007), que le service "
    "n'accepte pas : retirez-le (il vient souvent d'un copier-coller)."
)
DATE_RANGE = "La date doit être comprise entre le 1er janvier 1900 et le 31 décembre 2200."


def note_url(action) -> str:
    return reverse("roadmap:edit-note", args=[action.slug])


def note(**fields) -> dict:
    return {"written_on": today().isoformat(), "done": "Atelier.", "risks": "", **fields}


# --- The policy itself


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a\x07b", "U+0007"),
        ("\x00", "U+0000"),
        ("a\x0bb", "U+000B"),  # Word's manual line break, pasted
        ("a\x7f", "U+007F"),
        ("a\x85", "U+0085"),
        ("a\ufffe", "U+FFFE"),
        ("a\ud800", "U+D800"),
    ],
)
def test_control_characters_are_refused(text, code):
    assert inputs.forbidden_character(text) == code
    with pytest.raises(ValueError, match=re.escape(f"invisible ({code})")):
        inputs.check_text(text)


def test_tab_and_line_breaks_are_kept_crlf_and_cr_becoming_lf():
    assert inputs.forbidden_character("a\tb\nc") is None
    assert inputs.check_text("un\r\ndeux\rtrois\n") == "un\ndeux\ntrois\n"
    assert inputs.forbidden_character("a\tb", in_url=True) == "U+0009"


def test_a_text_holds_what_a_workbook_cell_holds():
    assert inputs.check_text("x" * inputs.TEXT_MAX_CHARS) == "x" * 32_767
    with pytest.raises(ValueError, match="Ce texte compte 32\u202f768 caractères"):
        inputs.check_text("x" * 32_768)
    with pytest.raises(ValueError, match="41 caractères\u00a0: 40 au plus"):
        inputs.check_text("x" * 41, max_length=40)


# --- The task force's forms, plain and HTMX


@pytest.mark.parametrize("htmx", [False, True])
def test_a_note_with_a_control_character_is_refused_in_place(client, action, has_member, htmx):
    client.force_login(has_member)
    before = database_dump()
    headers = htmx_headers(action) if htmx else {}

    response = client.post(note_url(action), note(done="Atelier\x07 réuni."), **headers)

    assert response.status_code == 422
    assert field_error(response, "id_note_done") == CONTROL_U0007
    assert database_dump() == before


@pytest.mark.usefixtures("review_off")
def test_a_stored_control_character_cannot_break_the_atom_feed(client, action, has_member):
    # The feed is XML 1.0, which cannot hold U+0007: it used to answer 500 to every reader once
    # such a note was accepted. The note is refused, and the feed stays readable (the review is
    # off so that the member's note is published at once, as it was).
    client.force_login(has_member)
    assert client.post(note_url(action), note(done="Bip\x07")).status_code == 422
    assert (
        client.post(note_url(action), note(done="Tabulé\tet\r\nsur deux lignes")).status_code == 302
    )
    client.logout()

    feed = client.get(reverse("roadmap:journal-feed"))

    assert feed.status_code == 200
    assert "Tabulé\tet&lt;br&gt;sur deux lignes" in feed.content.decode()


def test_line_breaks_are_stored_as_lf(client, action, has_member):
    client.force_login(has_member)

    client.post(note_url(action), note(done="Un\r\ndeux", risks="trois\rquatre"))

    assert ProgressNote.objects.filter(action=action).values_list("done", "risks").get() == (
        "Un\ndeux",
        "trois\nquatre",
    )


def test_a_note_longer_than_a_workbook_cell_is_refused(client, action, has_member):
    client.force_login(has_member)
    before = database_dump()

    response = client.post(note_url(action), note(done="x" * 32_768))

    assert response.status_code == 422
    assert field_error(response, "id_note_done") == (
        "Ce texte compte 32 768 caractères : 32 767 au plus."
    )
    assert database_dump() == before


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"])
def test_dates_outside_the_importers_range_are_refused_by_the_forms(
    client, action, has_member, day
):
    client.force_login(has_member)
    indicator = make_indicator(action)
    before = database_dump()
    measurement_url = reverse("roadmap:edit-measurement", args=[action.slug, indicator.code])

    answers = [
        client.post(note_url(action), note(written_on=day)),
        client.post(
            measurement_url, {"date": day, "value": "1", "source": "Enquête", "comment": ""}
        ),
    ]

    for response in answers:
        assert response.status_code == 422
        assert DATE_RANGE in plain_text(response)
    assert database_dump() == before


def test_the_limits_are_written_on_the_fields(client, action, has_member):
    client.force_login(has_member)

    page = client.get(reverse("roadmap:action", args=[action.slug]))

    assert attributes_of(page.content.decode(), "id_note_done")["maxlength"] == "32767"
    assert attributes_of(page.content.decode(), "id_note_risks")["maxlength"] == "32767"


# --- URLs and query strings


@pytest.mark.parametrize(
    "path",
    [
        "/actions/ia-2-4/indicateurs/AB%00C/mesures/",
        "/actions/ia%07/",
        "/?axe=%00",
        "/indicateurs/?q=a%1bb",
        "/admin/roadmap/measurement/?q=%00",
        "/admin/roadmap/action/?status__exact=%00",
    ],
)
def test_a_control_character_in_a_url_is_a_french_400(client, administrator, path):
    client.force_login(administrator)
    before = database_dump()
    method = client.post if "mesures" in path else client.get

    response = method(path)

    assert response.status_code == 400
    assert "caractère de contrôle (U+00" in plain_text(response)
    assert database_dump() == before


def test_a_measurement_url_with_nul_is_refused_for_a_member(client, action, has_member):
    client.force_login(has_member)
    make_indicator(action)
    before = database_dump()

    response = client.post(
        f"/actions/{action.slug}/indicateurs/X%00/mesures/",
        {"date": days(-1).isoformat(), "value": "1", "source": "s"},
    )

    assert response.status_code == 400
    assert not Measurement.objects.filter(source="s").exists()
    assert database_dump() == before


# --- The admin and sign-in


def test_the_admin_refuses_a_control_character_and_normalises_line_breaks(admin_client, action):
    url = reverse("admin:roadmap_progressnote_add")
    data = {
        "action": action.pk,
        "written_on": "2026-01-15",
        "done": "Bip\x07",
        "author": User.objects.get(username="administrateur").pk,
    }

    refused = admin_client.post(url, data)
    data["done"] = "Un\r\ndeux"
    saved = admin_client.post(url, data)

    assert refused.status_code == 400
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert CONTROL_U0007 in plain_text(refused).replace("\u00a0", " ")
    assert list(ProgressNote.objects.filter(action=action).values_list("done", flat=True)) == [
        "Un\ndeux"
    ]


def test_the_admin_refuses_a_date_outside_the_range(admin_client, action):
    url = reverse("admin:roadmap_progressnote_add")

    response = admin_client.post(
        url, {"action": action.pk, "written_on": "0001-01-01", "done": "Atelier."}
    )

    assert response.status_code == 200  # the admin's own answer: its form with the error
    assert DATE_RANGE in plain_text(response)
    assert not ProgressNote.objects.filter(action=action).exists()


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
@pytest.mark.parametrize("length", [151, 256, 5000])
def test_signing_in_with_an_overlong_username_is_refused_before_anything_is_recorded(
    client, settings, url, length, administrator
):
    # django-axes writes a failed attempt's username into a 255-character column: PostgreSQL
    # refused it with a server error. No account has such a name: refused before authentication.
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True

    response = client.post(url, {"username": "a" * length, "password": PASSWORD})

    assert response.status_code == 200
    assert "Un identifiant compte 150 caractères au plus." in plain_text(response)
    assert not AccessAttempt.objects.exists()
    assert User.objects.filter(username="administrateur").exists()


def test_signing_in_still_works(client, settings, administrator):
    settings.AXES_ENABLED = True

    response = client.post("/accounts/login/", {"username": "administrateur", "password": PASSWORD})

    assert response.status_code == 302


def test_a_control_character_at_sign_in_is_a_french_400(client, settings, db):
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True

    response = client.post("/accounts/login/", {"username": "a\x00b", "password": "x"})

    assert response.status_code == 400
    assert not AccessAttempt.objects.exists()


def test_the_date_range_is_the_importers():
    assert date(1900, 1, 1) == inputs.FIRST_DATE
    assert date(2200, 12, 31) == inputs.LAST_DATE
