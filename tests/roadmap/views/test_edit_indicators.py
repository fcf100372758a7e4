"""The indicators the task force keeps on an action it may edit: POST
/actions/<slug>/indicateurs/ajouter/, …/<code>/modifier/, …/<code>/retirer/, …/<code>/remettre/,
and their dated targets …/<code>/cibles/, …/cibles/<id>/, …/cibles/<id>/supprimer/.

As a plain form (redirect to the indicators section, with a message) and with HTMX (the
indicators section, and the summary out of band); for each kind of user; with bad input (the
French message by the field, 422, nothing written); with someone saving first (409, nothing
lost); what the database and its history hold afterwards; and the page with the HTMX answer
applied equal to a fresh render of it.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roadmap.models import Action, Indicator, Measurement, Target
from tests.support.builders import (
    colleague,
    days,
    grow_action,
    history_of,
    make_indicator,
    signed_in,
    today,
)
from tests.support.constants import login_redirect
from tests.support.html import (
    element,
    field_error,
    form_value,
    french_date,
    french_datetime,
    normalised,
    open_accordions,
    plain_text,
    text_of,
)
from tests.support.htmx import apply_htmx, htmx_headers, swapped

# What a member saves publishes at once here: these tests are about keeping indicators; review
# before publication has its own (test_indicator_review.py).
pytestmark = pytest.mark.usefixtures("review_off")

INDICATORS_AND_SUMMARY = (["indicateurs"], True)
LEARNERS = "Apprenants formés à l'IA générative par année universitaire"


def url(name: str, action, *args) -> str:
    return reverse(f"roadmap:{name}", args=[action.slug, *args])


def definition(**changes) -> dict:
    """A per-academic-year indicator: 70 000 learners a year over five years from 2024/2025."""
    return {
        "label": LEARNERS,
        "code": "IA2-4-APP-AN",
        "unit": "apprenants",
        "kind": "per_period",
        "direction": "higher",
        "baseline_value": "0",
        "baseline_date": "2024-08-31",
        "target_value": "70 000",
        "target_date": "2029-08-31",
        "periodicity": "academic_year",
        "periods_from": "2024-09-01",
        "period_count": "5",
        "summed_from": "",
        "source": "70 000 apprenants formés par an dès la rentrée 2024/2025",
        "interpretation": "Lu comme cinq années universitaires à partir de 2024/2025.",
        **changes,
    }


def state(action) -> list[tuple]:
    """Every indicator of the action as the database holds it, with its history."""
    return [
        (
            i.code,
            i.label,
            i.kind,
            i.periodicity,
            i.periods_from,
            i.period_count,
            i.target_value,
            i.summed_from.code if i.summed_from else None,
            i.retired_on,
            i.version,
            history_of(i, "label", "target_value", "retired_on", "version"),
        )
        for i in Indicator.objects.filter(action=action).order_by("code")
    ]


def targets_of(indicator) -> list[tuple]:
    return [
        (t.on, t.value, t.source, t.version, history_of(t, "on", "value"))
        for t in Target.objects.filter(indicator=indicator).order_by("on")
    ]


def every_target_history(indicator) -> list[tuple]:
    """The history of every target the indicator had, removed ones included."""
    return [
        (
            row.history_type,
            row.on,
            row.value,
            row.history_user.username if row.history_user else None,
        )
        for row in Target.history.filter(indicator_id=indicator.pk).order_by("history_id")
    ]


@pytest.fixture
def learners(action) -> Indicator:
    """IA 2-4's learners, per academic year from 2024/2025, five years, 70 000 each."""
    return make_indicator(
        action,
        "IA2-4-APP-AN",
        label=LEARNERS,
        unit="apprenants",
        kind="per_period",
        baseline_date=datetime.date(2024, 8, 31),
        target_value=Decimal(70000),
        target_date=datetime.date(2029, 8, 31),
        periodicity="academic_year",
        periods_from=datetime.date(2024, 9, 1),
        period_count=5,
    )


@pytest.fixture
def cumulative(action) -> Indicator:
    """0 to 140 000 professionals, from a year ago to a year from now."""
    return make_indicator(action)


# --- Adding an indicator ----------------------------------------------------------------------


def test_a_member_adds_a_per_period_indicator_with_its_periods(client, action, has_member):
    client.force_login(has_member)

    response = client.post(url("edit-indicator-add", action), definition(), follow=True)

    assert response.redirect_chain == [("/actions/ia-2-4/#indicateurs", 302)]
    assert f"Indicateur « {LEARNERS} » ajouté." in plain_text(response)
    assert LEARNERS in text_of(response, "indicateurs")
    [indicator] = Indicator.objects.filter(action=action)
    assert (indicator.roadmap_id, indicator.direction, indicator.baseline_value) == (
        action.roadmap_id,
        "higher",
        Decimal(0),
    )
    assert indicator.source == "70 000 apprenants formés par an dès la rentrée 2024/2025"
    assert indicator.interpretation == "Lu comme cinq années universitaires à partir de 2024/2025."
    assert state(action) == [
        (
            "IA2-4-APP-AN",
            LEARNERS,
            "per_period",
            "academic_year",
            datetime.date(2024, 9, 1),
            5,
            Decimal(70000),
            None,
            None,
            1,
            [("+", LEARNERS, Decimal(70000), None, 1, "membre-has")],
        )
    ]


def test_with_htmx_it_answers_the_indicators_and_the_summary(client, action, has_member):
    client.force_login(has_member)

    response = client.post(
        url("edit-indicator-add", action),
        definition(kind="level", periodicity="", periods_from="", period_count="", code="X-1"),
        **htmx_headers(action),
    )

    assert response.status_code == 200
    assert swapped(response) == INDICATORS_AND_SUMMARY
    assert LEARNERS in text_of(response, "indicateurs")
    # The form is blank again, its code proposed after the new indicator.
    assert form_value(response, "id_new_indicator_label") is None
    assert form_value(response, "id_new_indicator_code") == "IA2-4-2"
    assert [row[:3] for row in state(action)] == [("X-1", LEARNERS, "level")]


def test_the_code_is_proposed_from_the_action_s_code(client, action, cumulative, has_member):
    client.force_login(has_member)

    page = client.get(action.get_absolute_url())

    # IA 2-4 has one indicator: the next is IA2-4-2.
    assert form_value(page, "id_new_indicator_code") == "IA2-4-2"


def test_a_cumulative_indicator_may_be_the_sum_of_a_per_period_one_of_the_same_action(
    client, action, learners, cumulative, has_member
):
    client.force_login(has_member)
    page = client.get(action.get_absolute_url())
    # Only the per-period indicators of this action are offered.
    options = plain_text(element(page, "id_new_indicator_summed_from"))
    assert options == f"Aucun : mesuré à part IA2-4-APP-AN – {LEARNERS}"

    response = client.post(
        url("edit-indicator-add", action),
        definition(
            code="IA2-4-APP-5ANS",
            label="Apprenants formés sur 5 ans",
            kind="cumulative",
            target_value="350 000",
            periodicity="",
            periods_from="",
            period_count="",
            summed_from="IA2-4-APP-AN",
        ),
    )

    assert response.status_code == 302
    total = Indicator.objects.get(code="IA2-4-APP-5ANS")
    assert (total.kind, total.summed_from, total.target_value) == (
        "cumulative",
        learners,
        Decimal(350000),
    )


def test_an_administrator_adds_an_indicator_to_an_action_without_pilot(client, administrator):
    # IA 4-1 has no indicator and, in the source, no identified measure.
    client.force_login(administrator)
    action = Action.objects.get(code="IA 4-1")

    response = client.post(
        url("edit-indicator-add", action),
        definition(code="IA4-1-1", kind="level", periodicity="", periods_from="", period_count=""),
    )

    assert response.status_code == 302
    assert [row[0] for row in state(action)] == ["IA4-1-1"]
    assert state(action)[0][-1][0][-1] == "administrateur"


# --- Who may not ------------------------------------------------------------------------------


def test_adding_rejects_get(client, action, has_member):
    client.force_login(has_member)

    assert client.get(url("edit-indicator-add", action), definition()).status_code == 405
    assert state(action) == []


def test_an_anonymous_user_is_sent_to_sign_in_and_nothing_is_added(client, action):
    plain = client.post(url("edit-indicator-add", action), definition())
    with_htmx = client.post(url("edit-indicator-add", action), definition(), **htmx_headers(action))

    assert plain["Location"] == login_redirect("/actions/ia-2-4/")
    assert with_htmx["HX-Redirect"] == login_redirect("/actions/ia-2-4/")
    assert state(action) == []


@pytest.mark.parametrize("who", ["dns_member", "reader"])
def test_someone_who_may_not_edit_the_action_gets_403_and_nothing_changes(
    client, request, action, learners, who
):
    client.force_login(request.getfixturevalue(who))
    before = state(action)

    for name, args, data in (
        ("edit-indicator-add", [], definition(code="IA2-4-AUTRE")),
        ("edit-indicator", [learners.code], {**definition(label="Autre"), "version": 1}),
        ("edit-indicator-retire", [learners.code], {"retired_on": days(0), "version": 1}),
        ("edit-target-add", [learners.code], {"on": "2025-10-01", "value": "1"}),
    ):
        assert client.post(url(name, action, *args), data).status_code == 403, name
    assert state(action) == before
    assert targets_of(learners) == []


def test_an_indicator_of_another_action_is_not_found_through_this_one(
    client, action, ia_2_1, has_member
):
    client.force_login(has_member)
    foreign = Indicator.objects.get(action=ia_2_1, code="IA2-1-APP-AN")

    response = client.post(
        url("edit-indicator", action, foreign.code),
        {**definition(label="Détourné"), "version": foreign.version},
    )

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.label.startswith("Apprenants professionnels de santé")


# --- Bad input --------------------------------------------------------------------------------

NOT_PER_PERIOD = {"kind": "cumulative", "periodicity": "", "periods_from": "", "period_count": ""}


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        ("label", {"label": ""}, "Donnez un intitulé à l'indicateur."),
        ("label", {"label": "Apprenants\x00"}, "Le caractère nul n’est pas autorisé."),
        (
            "label",
            {"label": "Apprenants\x07"},
            "Le texte contient un caractère de contrôle invisible (U+0007), que le service "
            "n'accepte pas : retirez-le (il vient souvent d'un copier-coller).",
        ),
        ("unit", {"unit": ""}, "Indiquez l'unité, par exemple : apprenants, €, parcours."),
        ("kind", {"kind": ""}, "Choisissez un type."),
        ("kind", {"kind": "annuel"}, "« annuel » n'est pas un type possible."),
        ("target_value", {"target_value": ""}, "Indiquez la cible finale."),
        (
            "target_value",
            {"target_value": "beaucoup"},
            "Saisissez un nombre, par exemple 70 000 ou 1 234,5.",
        ),
        ("baseline_value", {"baseline_value": "-1"}, "La valeur ne peut pas être négative."),
        (
            "target_date",
            {"target_date": "2024-08-31"},
            "La date cible doit suivre la date initiale.",
        ),
        (
            "periodicity",
            {"periodicity": ""},
            "Un indicateur par période a une périodicité : choisissez-la.",
        ),
        ("periods_from", {"periods_from": ""}, "Indiquez une date de la première période."),
        ("period_count", {"period_count": "0"}, "Le nombre de périodes va de 1 à 600."),
        ("period_count", {"period_count": "601"}, "Le nombre de périodes va de 1 à 600."),
        (
            "periodicity",
            {**NOT_PER_PERIOD, "periodicity": "year"},
            "Seul un indicateur par période a une périodicité.",
        ),
        (
            "periods_from",
            {**NOT_PER_PERIOD, "periods_from": "2024-09-01"},
            "Seul un indicateur par période a une première période.",
        ),
        (
            "period_count",
            {**NOT_PER_PERIOD, "period_count": "5"},
            "Seul un indicateur par période a un nombre de périodes.",
        ),
        (
            "summed_from",
            {**NOT_PER_PERIOD, "summed_from": "IA2-1-APP-AN"},
            "Choisissez un indicateur par période de la même action.",
        ),
        (
            "code",
            {"code": "IA2-1-APP-AN"},
            "Ce code est déjà celui de « Apprenants professionnels de santé et médico-sociaux "
            "formés par an, dès la rentrée universitaire 2024/2025 » (action IA 2-1).",
        ),
        (
            "code",
            {"code": "IA 2-4 / nouveau"},
            "Un code ne contient que des lettres sans accent, des chiffres, des tirets, des "
            "points et des tirets bas, par exemple IA2-4-GUIDES.",
        ),
    ],
)
def test_an_indicator_that_breaks_a_rule_is_refused_with_the_message_by_the_field(
    client, action, has_member, field, data, message
):
    client.force_login(has_member)
    posted = definition(**data)

    plain = client.post(url("edit-indicator-add", action), posted)
    with_htmx = client.post(url("edit-indicator-add", action), posted, **htmx_headers(action))

    field_id = f"id_new_indicator_{field}"
    assert plain.status_code == with_htmx.status_code == 422
    assert field_error(plain, field_id) == message
    assert swapped(with_htmx) == INDICATORS_AND_SUMMARY
    assert field_error(with_htmx, field_id) == message
    # The form is open, with what was typed; nothing is written.
    assert open_accordions(with_htmx) == ["Ajouter un indicateur"]
    assert form_value(with_htmx, "id_new_indicator_unit") == posted["unit"] or not posted["unit"]
    assert state(action) == []


def test_a_sum_must_be_cumulative(client, action, learners, has_member):
    client.force_login(has_member)

    response = client.post(
        url("edit-indicator-add", action),
        definition(
            code="IA2-4-NIV",
            kind="level",
            periodicity="",
            periods_from="",
            period_count="",
            summed_from="IA2-4-APP-AN",
        ),
    )

    assert response.status_code == 422
    assert field_error(response, "id_new_indicator_summed_from") == (
        "Seul un indicateur cumulatif peut être la somme d'un autre."
    )
    assert [row[0] for row in state(action)] == ["IA2-4-APP-AN"]


# --- Changing an indicator --------------------------------------------------------------------


def changed(indicator, **changes) -> dict:
    data = definition(**changes)
    data.pop("code")
    return {**data, "version": indicator.version}


def test_a_member_changes_the_definition_and_the_history_says_who(
    client, action, learners, has_member
):
    client.force_login(has_member)

    response = client.post(
        url("edit-indicator", action, learners.code),
        # A code posted anyway changes nothing: files refer to it.
        {**changed(learners, target_value="75 000", label="Apprenants formés"), "code": "AUTRE"},
        follow=True,
    )

    assert response.redirect_chain == [("/actions/ia-2-4/#indicateurs", 302)]
    assert "Indicateur « Apprenants formés » enregistré." in plain_text(response)
    assert state(action) == [
        (
            "IA2-4-APP-AN",
            "Apprenants formés",
            "per_period",
            "academic_year",
            datetime.date(2024, 9, 1),
            5,
            Decimal(75000),
            None,
            None,
            2,
            [
                ("+", LEARNERS, Decimal(70000), None, 1, None),
                ("~", "Apprenants formés", Decimal(75000), None, 2, "membre-has"),
            ],
        )
    ]


def test_a_changed_definition_is_checked_like_a_new_one(client, action, learners, has_member):
    client.force_login(has_member)
    before = state(action)

    response = client.post(
        url("edit-indicator", action, learners.code),
        changed(learners, period_count="700"),
        **htmx_headers(action),
    )

    assert response.status_code == 422
    assert field_error(response, f"id_indicator{learners.pk}_period_count") == (
        "Le nombre de périodes va de 1 à 600."
    )
    assert state(action) == before


def test_a_summed_indicator_stays_per_period(client, action, learners, has_member):
    Indicator.objects.create(
        action=action,
        code="IA2-4-APP-5ANS",
        label="Apprenants sur 5 ans",
        unit="apprenants",
        kind="cumulative",
        target_value=350000,
        summed_from=learners,
    )
    client.force_login(has_member)
    before = state(action)

    response = client.post(
        url("edit-indicator", action, learners.code), changed(learners, **NOT_PER_PERIOD)
    )

    assert response.status_code == 422
    assert field_error(response, f"id_indicator{learners.pk}_kind") == (
        "« Apprenants sur 5 ans » est la somme de cet indicateur : il reste par période."
    )
    assert state(action) == before


def test_someone_changed_the_indicator_first_nothing_is_lost(client, action, learners, has_member):
    # GIVEN the page as our member read it, then Camille Martin changes the target
    client.force_login(has_member)
    read_at = learners.version
    camille = signed_in(colleague("HAS"))
    assert (
        camille.post(
            url("edit-indicator", action, learners.code), changed(learners, target_value="80 000")
        ).status_code
        == 302
    )
    after_camille = state(action)

    # WHEN our member saves their own change, read at the older version
    response = client.post(
        url("edit-indicator", action, learners.code),
        {**changed(learners, label="Apprenants formés chaque année"), "version": read_at},
        **htmx_headers(action),
    )

    # THEN nothing of theirs is written, and they are told who saved first, and when
    assert response.status_code == 409
    changed_on = learners.history.latest("history_id").history_date
    assert (
        f"Camille Martin a modifié cet indicateur le {french_datetime(changed_on)} : votre "
        "modification n'a pas été enregistrée."
    ) in text_of(response, f"indicateur-{learners.pk}-tenue")
    assert state(action) == after_camille
    # AND the form, open, keeps what they typed, at the new version, to retry in one click
    prefix = f"id_indicator{learners.pk}_"
    assert form_value(response, prefix + "label") == "Apprenants formés chaque année"
    assert form_value(response, prefix + "version") == str(read_at + 1)
    retry = client.post(
        url("edit-indicator", action, learners.code),
        {**changed(learners, label="Apprenants formés chaque année"), "version": read_at + 1},
    )
    assert retry.status_code == 302
    assert [row[1] for row in state(action)] == ["Apprenants formés chaque année"]


# --- Retiring and putting back ----------------------------------------------------------------


def test_a_retired_indicator_keeps_its_values_and_history_and_can_be_put_back(
    client, action, cumulative, has_member
):
    Measurement.objects.create(indicator=cumulative, date=days(-10), value=1000, source="Enquête")
    client.force_login(has_member)

    retired = client.post(
        url("edit-indicator-retire", action, cumulative.code),
        {"retired_on": days(-1).isoformat(), "version": cumulative.version},
        follow=True,
    )

    assert retired.redirect_chain == [("/actions/ia-2-4/#indicateurs", 302)]
    assert (
        f"Indicateur « Professionnels informés des recommandations » retiré le "
        f"{day(days(-1))} : il reste visible, avec ses valeurs et son historique."
    ) in plain_text(retired)
    keep = text_of(retired, f"indicateur-{cumulative.pk}-tenue")
    assert f"Retiré le {french_date(days(-1))}" in keep
    assert "Remettre en service" in keep
    cumulative.refresh_from_db()
    assert cumulative.retired_on == days(-1)
    assert cumulative.measurements.count() == 1

    back = client.post(
        url("edit-indicator-restore", action, cumulative.code),
        {"version": cumulative.version},
        **htmx_headers(action),
    )

    assert back.status_code == 200
    assert swapped(back) == INDICATORS_AND_SUMMARY
    assert "Retirer" in text_of(back, f"indicateur-{cumulative.pk}-tenue")
    cumulative.refresh_from_db()
    assert cumulative.retired_on is None
    assert history_of(cumulative, "retired_on", "version") == [
        ("+", None, 1, None),
        ("~", days(-1), 2, "membre-has"),
        ("~", None, 3, "membre-has"),
    ]


def test_an_indicator_cannot_be_retired_in_the_future(client, action, cumulative, has_member):
    client.force_login(has_member)
    before = state(action)

    response = client.post(
        url("edit-indicator-retire", action, cumulative.code),
        {"retired_on": days(3).isoformat(), "version": cumulative.version},
    )

    assert response.status_code == 422
    assert field_error(response, f"id_retire{cumulative.pk}_retired_on") == (
        "Un indicateur ne peut pas être retiré à une date future."
    )
    assert state(action) == before


def test_retiring_an_indicator_someone_changed_first_is_refused(
    client, action, cumulative, has_member
):
    client.force_login(has_member)
    read_at = cumulative.version
    Indicator.objects.filter(pk=cumulative.pk).update(version=read_at + 1)
    before = state(action)

    response = client.post(
        url("edit-indicator-retire", action, cumulative.code),
        {"retired_on": days(0).isoformat(), "version": read_at},
    )

    assert response.status_code == 409
    assert "votre modification n'a pas été enregistrée" in text_of(
        response, f"indicateur-{cumulative.pk}-tenue"
    )
    assert state(action) == before


def test_no_value_is_recorded_on_a_retired_indicator(client, action, cumulative, has_member):
    Indicator.objects.filter(pk=cumulative.pk).update(retired_on=days(-2))
    client.force_login(has_member)

    response = client.post(
        url("edit-measurement", action, cumulative.code),
        {"date": days(-1).isoformat(), "value": "12", "source": "Enquête"},
    )

    assert response.status_code == 422
    assert field_error(response, f"id_measure{cumulative.pk}_value") == (
        "Cet indicateur est retiré : remettez-le en service pour saisir une valeur."
    )
    assert not Measurement.objects.filter(indicator=cumulative).exists()


# --- Measurements of sums and periods ---------------------------------------------------------


def test_no_value_is_recorded_on_a_sum_the_message_names_its_source(
    client, ia_2_1, has_member, administrator
):
    client.force_login(administrator)
    total = Indicator.objects.get(action=ia_2_1, code="IA2-1-APP-5ANS")

    response = client.post(
        url("edit-measurement", ia_2_1, total.code),
        {"date": days(-1).isoformat(), "value": "70 000", "source": "Enquête"},
        **htmx_headers(ia_2_1),
    )

    assert response.status_code == 422
    assert field_error(response, f"id_measure{total.pk}_value") == (
        "Cet indicateur est la somme des périodes de « Apprenants professionnels de santé et "
        "médico-sociaux formés par an, dès la rentrée universitaire 2024/2025 » (IA2-1-APP-AN) : "
        "saisissez la valeur de la période dans ce dernier."
    )
    assert not Measurement.objects.filter(indicator=total).exists()


def test_the_measurement_form_says_which_period_the_date_falls_in(
    client, action, learners, has_member
):
    client.force_login(has_member)
    page = client.get(action.get_absolute_url())
    start = datetime.date(today().year if today().month >= 9 else today().year - 1, 9, 1)
    end = datetime.date(start.year + 1, 8, 31)

    form = plain_text(element(page, "indicateurs"))
    # Today falls outside the five academic years from 2024/2025 only after August 2029.
    if today() <= datetime.date(2029, 8, 31):
        assert (
            f"La valeur compte pour la période qui contient sa date : au {day(today())}, la "
            f"période du {day(start)} au {day(end)}."
        ) in form

    # A refused value keeps the date typed, and the hint follows it.
    response = client.post(
        url("edit-measurement", action, learners.code),
        {"date": "2023-05-10", "value": "", "source": "Enquête"},
    )
    assert response.status_code == 422
    assert (
        "Le 10 mai 2023 est hors des périodes suivies (du 1er septembre 2024 au 31 août 2029) : "
        "la valeur ne compterait pour aucune période."
    ) in plain_text(element(response, "indicateurs"))


def day(value) -> str:
    return french_date(value)  # « 1er » for the first of a month, as the pages write it


def test_a_value_recorded_on_a_per_period_indicator_says_its_period(
    client, action, learners, has_member
):
    client.force_login(has_member)

    response = client.post(
        url("edit-measurement", action, learners.code),
        {"date": "2025-03-15", "value": "65 000", "source": "Enquête DGOS"},
        follow=True,
    )

    assert (
        f"Valeur enregistrée pour « {LEARNERS} », période du 1er septembre 2024 au 31 août 2025."
    ) in plain_text(response)


# --- Dated targets ----------------------------------------------------------------------------


def test_a_member_adds_changes_and_removes_an_intermediate_target(
    client, action, cumulative, has_member
):
    client.force_login(has_member)

    added = client.post(
        url("edit-target-add", action, cumulative.code),
        {"on": days(100).isoformat(), "value": "90 000", "source": "Feuille de route"},
        follow=True,
    )

    assert added.redirect_chain == [("/actions/ia-2-4/#indicateurs", 302)]
    assert (
        f"Cible du {day(days(100))} ajoutée à « Professionnels informés des recommandations »."
    ) in plain_text(added)
    [target] = Target.objects.filter(indicator=cumulative)
    assert f"90 000 professionnels au {french_date(days(100))}" in text_of(
        added, f"cible-{target.pk}"
    )

    changed_target = client.post(
        url("edit-target", action, cumulative.code, target.pk),
        {"on": days(120).isoformat(), "value": "95 000", "source": "", "version": 1},
        **htmx_headers(action),
    )
    assert changed_target.status_code == 200
    assert swapped(changed_target) == INDICATORS_AND_SUMMARY
    assert targets_of(cumulative) == [
        (
            days(120),
            Decimal(95000),
            "",
            2,
            [
                ("+", days(100), Decimal(90000), "membre-has"),
                ("~", days(120), Decimal(95000), "membre-has"),
            ],
        )
    ]

    removed = client.post(
        url("edit-target-remove", action, cumulative.code, target.pk), {"version": 2}
    )
    assert removed.status_code == 302
    assert targets_of(cumulative) == []
    # Removed, the target stays in the history, with who removed it.
    assert every_target_history(cumulative)[-1] == ("-", days(120), Decimal(95000), "membre-has")


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (
            lambda: days(-400),
            lambda: f"La date d'une cible doit suivre la date initiale ({day(days(-365))}).",
        ),
        (
            lambda: days(365),
            lambda: (
                f"Une cible intermédiaire précède la cible finale ({day(days(365))}) ; la cible "
                "finale se change dans la définition de l'indicateur."
            ),
        ),
        (lambda: days(10), lambda: "Une cible existe déjà à cette date : 80 000."),
    ],
)
def test_an_intermediate_target_lies_between_the_baseline_and_the_final_target(
    client, action, cumulative, has_member, on, message
):
    Target.objects.create(indicator=cumulative, on=days(10), value=80000)
    client.force_login(has_member)
    before = targets_of(cumulative)

    response = client.post(
        url("edit-target-add", action, cumulative.code),
        {"on": on().isoformat(), "value": "1"},
        **htmx_headers(action),
    )

    assert response.status_code == 422
    assert field_error(response, f"id_new_target{cumulative.pk}_on") == message()
    assert targets_of(cumulative) == before


def test_a_period_gets_its_own_target_once_within_the_span(client, action, learners, has_member):
    client.force_login(has_member)

    own = client.post(
        url("edit-target-add", action, learners.code),
        {"on": "2026-06-30", "value": "80 000", "source": "Avenant"},
    )
    assert own.status_code == 302

    for on, message in (
        (
            "2025-10-01",
            "La période du 1er septembre 2025 au 31 août 2026 a déjà sa propre cible : 80 000.",
        ),
        (
            "2030-01-15",
            "Cette date suit la dernière période (du 1er septembre 2028 au 31 août 2029).",
        ),
        ("2024-08-01", "La date d'une cible doit suivre la date initiale (31 août 2024)."),
        ("", "Indiquez la date de la cible."),
    ):
        refused = client.post(
            url("edit-target-add", action, learners.code), {"on": on, "value": "1"}
        )
        assert refused.status_code == 422, on
        assert field_error(refused, f"id_new_target{learners.pk}_on") == message
    assert [(t[0], t[1]) for t in targets_of(learners)] == [
        (datetime.date(2026, 6, 30), Decimal(80000))
    ]


def test_a_target_someone_changed_first_is_not_overwritten(client, action, cumulative, has_member):
    target = Target.objects.create(indicator=cumulative, on=days(10), value=80000)
    client.force_login(has_member)
    camille = signed_in(colleague("HAS"))
    assert (
        camille.post(
            url("edit-target", action, cumulative.code, target.pk),
            {"on": days(10).isoformat(), "value": "85 000", "version": 1},
        ).status_code
        == 302
    )
    before = targets_of(cumulative)

    changed_late = client.post(
        url("edit-target", action, cumulative.code, target.pk),
        {"on": days(10).isoformat(), "value": "90 000", "version": 1},
    )
    removed_late = client.post(
        url("edit-target-remove", action, cumulative.code, target.pk), {"version": 1}
    )

    assert changed_late.status_code == removed_late.status_code == 409
    assert "Camille Martin a modifié cet indicateur" in text_of(
        changed_late, f"indicateur-{cumulative.pk}-tenue"
    )
    assert form_value(changed_late, f"id_target{target.pk}_value") == "90 000"
    assert form_value(changed_late, f"id_target{target.pk}_version") == "2"
    assert targets_of(cumulative) == before


# --- The page with the HTMX answer applied ----------------------------------------------------


def _edits(scene):
    indicator = scene.indicator
    target = Target.objects.create(indicator=indicator, on=days(30), value=90000)
    return {
        "add": ("edit-indicator-add", [], definition(code="IA2-4-APP-AN")),
        "change": (
            "edit-indicator",
            [indicator.code],
            changed(
                indicator,
                **NOT_PER_PERIOD,
                label=indicator.label,
                unit=indicator.unit,
                target_value="150 000",
                baseline_date=days(-365).isoformat(),
                target_date=days(365).isoformat(),
            ),
        ),
        "retire": (
            "edit-indicator-retire",
            [indicator.code],
            {"retired_on": days(0).isoformat(), "version": indicator.version},
        ),
        "add-target": (
            "edit-target-add",
            [indicator.code],
            {"on": days(60).isoformat(), "value": "100 000"},
        ),
        "change-target": (
            "edit-target",
            [indicator.code, target.pk],
            {"on": days(40).isoformat(), "value": "95 000", "version": target.version},
        ),
        "remove-target": (
            "edit-target-remove",
            [indicator.code, target.pk],
            {"version": target.version},
        ),
    }


def without_feedback(page: str) -> str:
    """`page` without what only the user who just saved sees (the live region's sentence, the
    ids of the buttons pressed), as tests/roadmap/views/test_edit_fragments.py compares."""
    page = re.sub(r'(id="annonce-enregistrement"[^>]*>)[^<]*(</p>)', r"\1\2", page)
    return re.sub(r' id="[a-z0-9-]+-envoyer"', "", page)


@pytest.mark.parametrize(
    "edit", ["add", "change", "retire", "add-target", "change-target", "remove-target"]
)
def test_the_page_with_the_htmx_answer_applied_equals_a_fresh_page(scene, edit):
    name, args, data = _edits(scene)[edit]
    before = scene.page()

    response = scene.post(name, args, data, with_htmx=True)

    assert response.status_code == 200, response.content.decode()[:2000]
    after = apply_htmx(before, response.content.decode(), "indicateurs")
    assert normalised(without_feedback(after)) == normalised(without_feedback(scene.page()))


@pytest.mark.parametrize("edit", ["add", "change", "add-target"])
def test_a_refused_indicator_edit_looks_the_same_with_htmx_and_without(scene, edit):
    name, args, data = _edits(scene)[edit]
    posted = {**data, **({"on": ""} if edit == "add-target" else {"label": ""})}
    before = scene.page()

    with_htmx = scene.post(name, args, posted, with_htmx=True)
    without = scene.post(name, args, posted, with_htmx=False)

    assert with_htmx.status_code == without.status_code == 422
    assert normalised(apply_htmx(before, with_htmx.content.decode(), "indicateurs")) == normalised(
        without.content.decode()
    )


# --- Bounded queries --------------------------------------------------------------------------


def test_the_action_page_of_a_member_issues_as_many_queries_with_ten_times_more_indicators(
    client, action, cumulative, has_member
):
    Target.objects.create(indicator=cumulative, on=days(10), value=80000)
    client.force_login(has_member)
    client.get(action.get_absolute_url())  # the session and the cache, read once

    with CaptureQueriesContext(connection) as few:
        assert client.get(action.get_absolute_url()).status_code == 200
    grow_action(action)
    for indicator in Indicator.objects.filter(action=action):
        Target.objects.get_or_create(indicator=indicator, on=days(20), defaults={"value": 5})
    with CaptureQueriesContext(connection) as many:
        assert client.get(action.get_absolute_url()).status_code == 200

    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]
