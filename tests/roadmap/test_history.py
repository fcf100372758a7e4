"""Tests of the change history in readable French (roadmap.history) and its section on the
action page: « Statut : En cours → À risque, par Camille Martin (DGOS) le … »."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from accounts.models import Organisation
from roadmap.french import format_date
from roadmap.history import CHANGED, CREATED, DELETED, action_history, status_changes
from roadmap.models import Action, Measurement, Milestone, Status
from tests.support.builders import colleague, set_status
from tests.support.html import NBSP, element, text


@pytest.fixture
def camille(roadmap):
    return colleague("DGOS")


def headlines(action) -> list[str]:
    return [entry.headline for entry in action_history(action)]


def test_a_status_change_reads_as_a_sentence_signed_and_dated(ia_2_1, camille):
    set_status(ia_2_1, Status.IN_PROGRESS, camille)
    set_status(ia_2_1, Status.AT_RISK, camille)

    latest, previous = action_history(ia_2_1)[:2]

    assert latest.kind == CHANGED
    assert latest.headline == "Statut\u00a0: En cours → À risque"
    assert previous.headline == "Statut\u00a0: Non renseigné → En cours"
    assert latest.by == "Camille Martin (DGOS)"
    when = format_date(latest.when, "DATETIME_FORMAT")
    assert str(latest) == f"Statut\u00a0: En cours → À risque, par Camille Martin (DGOS) le {when}"


def test_the_seed_s_rows_say_they_come_from_the_source_document(ia_2_1):
    entries = action_history(ia_2_1)

    assert [entry.kind for entry in entries] == [CREATED] * 10
    assert entries[-1].headline == "Action créée"
    assert all(entry.reason == "chargement du document source" for entry in entries)
    assert all(entry.by == "" for entry in entries)
    assert f"cible 500{NBSP}000{NBSP}apprenants" in " ".join(entry.headline for entry in entries)


def test_milestones_and_measurements_are_told_in_words(ia_2_1, camille):
    milestone = Milestone.objects.create(
        action=ia_2_1, title="Bilan", due_date=datetime.date(2026, 3, 31)
    )
    milestone.done_on = datetime.date(2026, 3, 28)
    milestone._history_user = camille
    milestone.save()
    indicator = ia_2_1.indicators.get(code="IA2-1-APP-AN")
    measurement = Measurement.objects.create(
        indicator=indicator, date=datetime.date(2025, 6, 30), value=35000, source="DGOS"
    )
    measurement.value = Decimal("36000")
    measurement.save()
    measurement.delete()

    told = headlines(ia_2_1)

    assert "Jalon «\u202fBilan\u202f» ajouté, échéance le 31\u00a0mars\u00a02026" in told
    assert (
        "Jalon «\u202fBilan\u202f» – Réalisé le\u00a0: non renseigné → 28\u00a0mars\u00a02026"
        in told
    )
    measured = "Mesure du 30\u00a0juin\u00a02025 de l'indicateur IA2-1-APP-AN"
    assert f"{measured} ajoutée\u00a0: 35{NBSP}000 (source\u00a0: DGOS)" in told
    assert f"{measured} – Valeur\u00a0: 35{NBSP}000 → 36{NBSP}000" in told
    assert f"{measured} supprimée" in told
    assert action_history(ia_2_1)[0].kind == DELETED


def test_an_indicator_s_new_target_and_a_long_text_are_told_without_quoting_it(ia_2_1):
    indicator = ia_2_1.indicators.get(code="IA2-1-APP-AN")
    indicator.target_value = Decimal("80000")
    indicator.source = "Une autre phrase du document source, très longue."
    indicator.save()

    (latest,) = action_history(ia_2_1)[:1]

    assert latest.headline == (
        f"Indicateur «\u202f{indicator.label}\u202f» – Cible\u00a0: 70{NBSP}000 → "
        f"80{NBSP}000\u202f; "
        "Source modifié"
    )


def test_a_new_lead_and_new_partners_are_named_by_their_acronyms(ia_2_1, camille):
    action = Action.objects.get(pk=ia_2_1.pk)
    action.lead = Organisation.objects.get(acronym="DGOS")
    action._history_user = camille
    action.save()
    action.partners.add(*Organisation.objects.filter(acronym__in=["HAS", "CNAM"]))

    told = headlines(ia_2_1)

    assert "Pilote\u00a0: non renseigné → DGOS" in told
    assert "Partenaires\u00a0: non renseigné → CNAM, HAS" in told


def test_a_save_that_changes_nothing_a_reader_sees_is_not_told(ia_2_1):
    before = len(action_history(ia_2_1))
    Action.objects.get(pk=ia_2_1.pk).save()

    assert len(action_history(ia_2_1)) == before


def test_the_history_is_newest_first_and_capped(ia_2_1):
    for index in range(30):
        set_status(ia_2_1, Status.IN_PROGRESS if index % 2 else Status.AT_RISK)

    entries = action_history(ia_2_1, limit=20)

    assert len(entries) == 20
    assert [entry.when for entry in entries] == sorted((e.when for e in entries), reverse=True)


def test_the_history_reads_a_fixed_number_of_queries(
    ia_2_1, camille, django_assert_max_num_queries
):
    set_status(ia_2_1, Status.IN_PROGRESS, camille)
    with django_assert_max_num_queries(5) as short:
        action_history(ia_2_1)

    for index in range(20):
        set_status(ia_2_1, Status.AT_RISK if index % 2 else Status.LATE, camille)
        ia_2_1.partners.add(Organisation.objects.create(acronym=f"ORG-{index}"))
        Milestone.objects.create(action=ia_2_1, title=f"Jalon {index}")
    with django_assert_max_num_queries(5) as long:
        assert len(action_history(ia_2_1)) == 50
    assert len(long) == len(short)


# --- Status changes across the roadmap ---------------------------------------------------------


def test_status_changes_are_found_across_the_roadmap_newest_first(roadmap, camille):
    ia_1_1, ia_4_2 = Action.objects.get(code="IA 1-1"), Action.objects.get(code="IA 4-2")
    set_status(ia_1_1, Status.IN_PROGRESS, camille)
    set_status(ia_4_2, Status.LATE)
    set_status(ia_1_1, Status.DONE, camille)
    ia_1_1.title = "Un nouveau titre"
    ia_1_1.save()  # not a status change

    changes = status_changes(roadmap)

    assert [(c.action_code, c.headline) for c in changes] == [
        ("IA 1-1", "Statut\u00a0: En cours → Réalisée"),
        ("IA 4-2", "Statut\u00a0: Non renseigné → En retard"),
        ("IA 1-1", "Statut\u00a0: Non renseigné → En cours"),
    ]
    assert changes[0].by == "Camille Martin (DGOS)"


def test_an_action_created_with_a_status_counts_as_a_status_change(roadmap):
    axis = roadmap.axes.get(number=1)
    Action.objects.create(axis=axis, code="IA 1-9", title="Nouvelle", status=Status.NOT_STARTED)

    (change,) = status_changes(roadmap)

    assert change.headline == "Statut\u00a0: Non renseigné → Non démarrée"


# --- On the action page ------------------------------------------------------------------------


def test_the_action_page_shows_the_history_section(client, ia_2_1, camille):
    set_status(ia_2_1, Status.IN_PROGRESS, camille)

    html = client.get("/actions/ia-2-1/").content.decode()

    section = text(element(html, "historique"))
    assert section.startswith("Historique des modifications")
    assert "Statut\u00a0: Non renseigné → En cours, par Camille Martin (DGOS) le" in section
    assert "Action créée (chargement du document source), le" in section


def test_an_action_without_history_says_so(client, ia_2_1):
    ia_2_1.history.all().delete()
    for indicator in ia_2_1.indicators.all():
        indicator.history.all().delete()

    html = client.get("/actions/ia-2-1/").content.decode()

    assert "Aucune modification n'a encore été enregistrée" in text(
        element(html, "historique")
    ).replace("&#x27;", "'")
