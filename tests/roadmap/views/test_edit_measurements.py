"""Recording an indicator's value: POST /actions/<slug>/indicateurs/<code>/mesures/.

Date, value as French people type it, source (required) and comment. As a plain form (redirect
to the indicators section, with a message) and with HTMX (the indicators section, and the
summary box out of band), for each kind of user, with bad input and with a value someone
else recorded at the same date.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from roadmap.models import Indicator, Measurement
from tests.support.builders import colleague, days, history_of, make_indicator, signed_in, today
from tests.support.constants import login_redirect
from tests.support.html import (
    attributes_of,
    field_error,
    form_value,
    open_accordions,
    plain_text,
    text_of,
)
from tests.support.htmx import htmx_headers, swapped

INDICATORS_AND_SUMMARY = (["indicateurs"], True)
SOURCE = "Enquête HAS auprès des établissements"


@pytest.fixture
def indicator(action) -> Indicator:
    """0 to 140 000 professionals, from a year ago to a year from now."""
    return make_indicator(action)


def url(indicator: Indicator) -> str:
    return reverse("roadmap:edit-measurement", args=[indicator.action.slug, indicator.code])


def record(client, indicator, value="70 000", date=None, source=SOURCE, comment="", **headers):
    date = days(-1) if date is None else date
    data = {
        "date": date if isinstance(date, str) else date.isoformat(),
        "value": value,
        "source": source,
        "comment": comment,
    }
    return client.post(url(indicator), data, **headers)


def state(indicator: Indicator) -> list[tuple]:
    """Every measurement of the indicator as the database holds it, with its history."""
    return [
        (
            m.date,
            m.value,
            m.source,
            m.comment,
            m.recorded_by.username if m.recorded_by else None,
            m.version,
            history_of(m, "date", "value", "version"),
        )
        for m in Measurement.objects.filter(indicator=indicator).order_by("date", "pk")
    ]


# --- Happy paths -----------------------------------------------------------------------------


def test_a_member_records_a_value_with_its_source(client, action, indicator, has_member):
    client.force_login(has_member)

    response = record(client, indicator, "70 000", comment="Chiffre provisoire", follow=True)

    assert response.redirect_chain == [("/actions/ia-2-4/#indicateurs", 302)]
    assert "Valeur enregistrée pour « Professionnels informés des recommandations »." in plain_text(
        response
    )
    # The indicator shows the value, its date, and the progress toward 140 000.
    row = text_of(response, f"indicateur-{indicator.pk}")
    yesterday = days(-1).strftime("%d/%m/%Y")
    assert f"70 000 professionnels au {yesterday} 50 % Dans la trajectoire" in row
    assert state(indicator) == [
        (
            days(-1),
            Decimal(70000),
            SOURCE,
            "Chiffre provisoire",
            "membre-has",
            1,
            [("+", days(-1), Decimal(70000), 1, "membre-has")],
        )
    ]


def test_with_htmx_it_answers_the_indicators_and_the_summary(client, action, indicator, has_member):
    client.force_login(has_member)

    response = record(client, indicator, "35 000", date=today(), **htmx_headers(action))

    assert response.status_code == 200
    assert swapped(response) == INDICATORS_AND_SUMMARY
    row = text_of(response, f"indicateur-{indicator.pk}")
    assert f"35 000 professionnels au {today().strftime('%d/%m/%Y')} 25 % Hors trajectoire" in row
    # The action has no milestone: its progress is its indicator's.
    assert "Avancement 25 %" in text_of(response, "resume")
    # The form is blank again for the next value; no message waits for the next page.
    assert form_value(response, f"id_measure{indicator.pk}_value") is None
    assert "Valeur enregistrée" not in plain_text(client.get(action.get_absolute_url()))
    assert state(indicator) == [
        (
            today(),
            Decimal(35000),
            SOURCE,
            "",
            "membre-has",
            1,
            [("+", today(), Decimal(35000), 1, "membre-has")],
        )
    ]


def test_the_value_is_typed_in_a_text_field_that_accepts_french_numbers(
    client, action, indicator, has_member
):
    # A number input would refuse « 70 000 » and « 1 234,5 » before they reach the server.
    client.force_login(has_member)

    page = client.get(action.get_absolute_url())

    field = attributes_of(page, f"id_measure{indicator.pk}_value")
    assert (field["type"], field["inputmode"]) == ("text", "decimal")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("70 000", Decimal(70000)),
        ("70\u00a0000", Decimal(70000)),
        ("70\u202f000", Decimal(70000)),
        ("1 234,5", Decimal("1234.5")),
        ("1234.5", Decimal("1234.5")),
        ("1\u202f234,25", Decimal("1234.25")),
        (" 0,0001 ", Decimal("0.0001")),
        ("119 000 000", Decimal(119000000)),
    ],
)
def test_values_are_read_as_french_people_type_them_and_stored_exactly(
    client, indicator, has_member, typed, stored
):
    client.force_login(has_member)

    response = record(client, indicator, typed)

    assert response.status_code == 302
    [measurement] = Measurement.objects.filter(indicator=indicator)
    assert isinstance(measurement.value, Decimal)
    assert measurement.value == stored


def test_an_administrator_may_record_a_value_on_any_action(client, ia_2_1, administrator):
    # GIVEN 70 000 learners a year, an indicator of IA 2-1, which has no owner
    indicator = Indicator.objects.get(action=ia_2_1, code="IA2-1-APP-AN")
    client.force_login(administrator)

    response = record(client, indicator, "70 000", date=days(-2), follow=True)

    assert response.redirect_chain == [("/actions/ia-2-1/#indicateurs", 302)]
    assert state(indicator) == [
        (
            days(-2),
            Decimal(70000),
            SOURCE,
            "",
            "administrateur",
            1,
            [("+", days(-2), Decimal(70000), 1, "administrateur")],
        )
    ]


# --- Who may not ----------------------------------------------------------------------------


def test_it_rejects_get(client, indicator, has_member):
    client.force_login(has_member)

    response = client.get(url(indicator), {"date": "2026-01-01", "value": "1", "source": "x"})

    assert response.status_code == 405
    assert state(indicator) == []


def test_an_anonymous_user_is_sent_to_the_login_page_and_nothing_changes(client, action, indicator):
    plain = record(client, indicator)
    with_htmx = record(client, indicator, **htmx_headers(action))

    assert plain.status_code == 302
    assert plain["Location"] == login_redirect("/actions/ia-2-4/")
    assert with_htmx["HX-Redirect"] == login_redirect("/actions/ia-2-4/")
    assert state(indicator) == []


def test_a_member_of_another_organisation_gets_403_and_nothing_changes(
    client, action, indicator, dns_member
):
    client.force_login(dns_member)

    assert record(client, indicator).status_code == 403
    assert record(client, indicator, **htmx_headers(action)).status_code == 403
    assert state(indicator) == []


def test_a_reader_gets_403_and_nothing_changes(client, indicator, reader):
    client.force_login(reader)

    assert record(client, indicator).status_code == 403
    assert state(indicator) == []


def test_an_indicator_of_another_action_is_not_found_through_this_one(
    client, action, ia_2_1, has_member
):
    # GIVEN an indicator of IA 2-1 posted through IA 2-4, which the HAS may edit
    client.force_login(has_member)
    foreign = Indicator.objects.get(action=ia_2_1, code="IA2-1-APP-AN")

    response = client.post(
        reverse("roadmap:edit-measurement", args=[action.slug, foreign.code]),
        {"date": days(-1).isoformat(), "value": "1", "source": SOURCE},
    )

    assert response.status_code == 404
    assert state(foreign) == []


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        ("value", {"value": "douze"}, "Saisissez un nombre, par exemple 70 000 ou 1 234,5."),
        ("value", {"value": "70.000,5"}, "Saisissez un nombre, par exemple 70 000 ou 1 234,5."),
        ("value", {"value": "NaN"}, "Saisissez un nombre, par exemple 70 000 ou 1 234,5."),
        ("value", {"value": ""}, "Saisissez la valeur mesurée."),
        ("value", {"value": "-5"}, "La valeur ne peut pas être négative."),
        ("date", {"date": days(1)}, "Une mesure ne peut pas être datée dans le futur."),
        ("date", {"date": ""}, "Indiquez la date de la mesure."),
        ("date", {"date": "hier"}, "Saisissez une date valide."),
        ("source", {"source": ""}, "La source est obligatoire : d'où vient ce chiffre ?"),
        ("source", {"source": "   "}, "La source est obligatoire : d'où vient ce chiffre ?"),
    ],
)
def test_a_value_that_is_not_a_number_a_future_date_or_no_source_is_refused(
    client, action, indicator, has_member, field, data, message
):
    client.force_login(has_member)

    plain = record(client, indicator, **data)
    with_htmx = record(client, indicator, **data, **htmx_headers(action))

    # THEN the message is next to the field, on the page and in the fragment
    field_id = f"id_measure{indicator.pk}_{field}"
    assert plain.status_code == 422
    assert field_error(plain, field_id) == message
    assert with_htmx.status_code == 422
    assert swapped(with_htmx) == INDICATORS_AND_SUMMARY
    assert field_error(with_htmx, field_id) == message
    # AND the form is open with what was typed, and nothing is written
    html = with_htmx.content.decode()
    assert open_accordions(html) == [indicator.label]
    assert state(indicator) == []


def test_a_value_with_too_many_decimals_is_refused_in_french(client, action, indicator, has_member):
    client.force_login(has_member)

    response = record(client, indicator, "1,23456", **htmx_headers(action))

    assert response.status_code == 422
    error = field_error(response, f"id_measure{indicator.pk}_value")
    assert error.startswith("Assurez-vous qu")
    assert "4 chiffres après la virgule" in error
    assert state(indicator) == []


def test_a_second_value_at_the_same_date_says_who_recorded_the_first_one(
    client, action, indicator, has_member
):
    # GIVEN Camille Martin recorded 70 000 yesterday
    assert record(signed_in(colleague("HAS")), indicator, "70 000").status_code == 302
    before = state(indicator)
    # WHEN our member records another value at the same date
    client.force_login(has_member)
    response = record(client, indicator, "71 500", source="Autre enquête", **htmx_headers(action))

    # THEN nothing is overwritten, and the message gives the value there, its source and author
    assert response.status_code == 422
    assert field_error(response, f"id_measure{indicator.pk}_date") == (
        f"Une valeur existe déjà à cette date : 70 000 (source : {SOURCE}, Camille Martin). "
        "Choisissez une autre date ou demandez à un administrateur de la corriger."
    )
    assert state(indicator) == before
    assert before[0][:5] == (days(-1), Decimal(70000), SOURCE, "", "camille")
