"""`load_roadmap` loads exactly what the source document says, and loading twice changes nothing."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import Organisation
from roadmap.models import Action, Axis, Indicator, Measurement, Milestone, ProgressNote, Roadmap
from tests.support.constants import SEED

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SOURCE_TEXT = (FIXTURES / "source" / "ia-en-sante-etat-des-lieux-2025.txt").read_text("utf-8")


def snapshot() -> dict:
    """Every row the seed touches, with its version, as plain values."""
    return {
        model.__name__: sorted(map(repr, model.objects.values()))
        for model in (Organisation, Roadmap, Axis, Action, Milestone, Indicator)
    } | {
        "partners": sorted(map(repr, Action.partners.through.objects.values_list())),
        "history": [
            Action.history.count(),
            Milestone.history.count(),
            Indicator.history.count(),
        ],
    }


def test_the_seed_has_four_axes_and_seventeen_actions_with_their_source_titles(roadmap):
    assert list(roadmap.axes.values_list("number", "short_title")) == [
        (1, "Prévention"),
        (2, "Prise en charge"),
        (3, "Accès à la santé"),
        (4, "Cadre propice"),
    ]
    codes = list(Action.objects.filter(roadmap=roadmap).values_list("code", flat=True))
    assert codes == [
        f"IA {axis}-{n}"
        for axis, count in ((1, 3), (2, 5), (3, 4), (4, 5))
        for n in range(1, count + 1)
    ]
    for action in Action.objects.all():
        # Each title is quoted word for word from the document's list of actions.
        assert f"- {action.code} {action.title}\n" in SOURCE_TEXT
        assert action.slug == action.code.lower().replace(" ", "-")


def test_each_axis_title_comes_from_the_source(roadmap):
    for axis in roadmap.axes.all():
        line = next(
            line for line in SOURCE_TEXT.splitlines() if line.startswith(f"Axe {axis.number}")
        )
        assert axis.short_title in line
        # The source misprints « l'IA » as « I'IA » in axis 4; the seed corrects that one letter.
        assert axis.title == line.split(" - ")[-1].replace("de I'IA", "de l'IA")


def test_owners_are_set_exactly_where_the_document_names_them(roadmap):
    owners = {
        action.code: (
            action.lead and action.lead.acronym,
            sorted(o.acronym for o in action.partners.all()),
        )
        for action in Action.objects.select_related("lead").prefetch_related("partners")
    }
    named = {
        "IA 1-3": ("HDH", []),
        "IA 2-4": ("HAS", []),
        "IA 3-4": ("ARS", []),
        "IA 4-1": (None, sorted(["DNS", "DREES", "DGOS", "DGRI", "DGE", "AIS", "HDH", "CNAM"])),
        "IA 4-2": ("PariSanté Campus", []),
    }
    for code, owner in owners.items():
        assert owner == named.get(code, (None, [])), code


def test_ia_2_1_holds_the_training_targets_with_their_source_sentences(ia_2_1):
    targets = {
        indicator.code: (indicator.target_value, indicator.unit, indicator.kind)
        for indicator in ia_2_1.indicators.all()
    }
    assert targets == {
        "IA2-1-PRO-AN": (Decimal(140000), "professionnels", "per_period"),
        "IA2-1-APP-AN": (Decimal(70000), "apprenants", "per_period"),
        "IA2-1-APP-5ANS": (Decimal(500000), "apprenants", "cumulative"),
        "IA2-1-MASTER-NUM": (Decimal(15), "parcours", "level"),
        "IA2-1-MASTER-JUR": (Decimal(2), "parcours", "level"),
        "IA2-1-MASTER-REG": (Decimal(5), "masters", "level"),
        "IA2-1-EHESP-DIR": (Decimal(100), "%", "level"),
        "IA2-1-EHESP-MASTERS": (Decimal(5), "masters", "level"),
        "IA2-1-INVEST": (Decimal(119_000_000), "€", "cumulative"),
    }
    for indicator in ia_2_1.indicators.all():
        assert indicator.source, indicator.code
        assert indicator.source in SOURCE_TEXT, indicator.code
    five_years = ia_2_1.indicators.get(code="IA2-1-APP-5ANS")
    assert (
        five_years.baseline_value,
        str(five_years.baseline_date),
        str(five_years.target_date),
    ) == (
        Decimal(0),
        "2024-09-01",
        "2029-08-31",
    )
    assert ia_2_1.objective.startswith("Former l'ensemble des professionnels")
    assert ia_2_1.framework == (
        "Stratégie d'accélération « Santé numérique », via l'AMI « Compétences et métiers "
        "d'avenir » de France 2030"
    )
    for text in (ia_2_1.objective, ia_2_1.framework, ia_2_1.description):
        for line in text.splitlines():
            assert line in SOURCE_TEXT


def test_the_seed_records_targets_only_no_measurement_status_or_note(roadmap):
    assert Measurement.objects.count() == 0
    assert ProgressNote.objects.count() == 0
    assert set(Action.objects.values_list("status", flat=True)) == {""}


def test_the_dated_milestones_of_the_document_belong_to_the_roadmap(roadmap):
    milestones = list(
        Milestone.objects.filter(roadmap=roadmap).values_list(
            "action", "title", "due_date", "done_on"
        )
    )
    assert [(m[0], m[1], str(m[2]), m[3] and str(m[3])) for m in milestones] == [
        (None, "Publication de l’état des lieux « IA en santé »", "2025-02-11", "2025-02-11"),
        (None, "Publication de la feuille de route de l’IA en santé", "2025-06-20", None),
    ]
    for milestone in Milestone.objects.all():
        assert milestone.source in SOURCE_TEXT
        assert milestone.original_due_date == milestone.due_date


def test_every_organisation_of_the_seed_is_named_in_the_source(roadmap):
    for organisation in Organisation.objects.all():
        assert organisation.acronym in SOURCE_TEXT
        assert (
            organisation.name == ""
            or f"{organisation.name} ({organisation.acronym})" in SOURCE_TEXT
        )


def test_loading_twice_changes_nothing(roadmap, capsys):
    before = snapshot()
    call_command("load_roadmap")
    assert "rien n'a changé" in capsys.readouterr().out
    assert snapshot() == before


def test_loading_again_keeps_what_the_task_force_changed(ia_2_1):
    ia_2_1.status = "in_progress"
    ia_2_1.save()
    call_command("load_roadmap", verbosity=0)
    ia_2_1.refresh_from_db()
    assert ia_2_1.status == "in_progress"


def test_update_restores_source_fields_but_not_statuses(ia_2_1):
    ia_2_1.title = "Titre modifié par erreur"
    ia_2_1.status = "at_risk"
    ia_2_1.save()
    call_command("load_roadmap", "--update", verbosity=0)
    ia_2_1.refresh_from_db()
    assert ia_2_1.title.startswith("Des formations des professionnels aux usages de l'IA")
    assert ia_2_1.status == "at_risk"
    assert ia_2_1.history.first().history_change_reason == "load_roadmap"


def test_the_first_load_is_recorded_in_the_history(roadmap):
    assert Action.history.filter(history_type="+").count() == 17
    assert set(Action.history.values_list("history_change_reason", flat=True)) == {"load_roadmap"}


def test_a_missing_file_is_a_clear_error(no_roadmap):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("load_roadmap", "--file", "/nonexistent/roadmap.json")
    assert Roadmap.objects.count() == 0


def test_the_seed_file_and_the_document_agree_on_the_action_list():
    codes = [action["code"] for axis in SEED["axes"] for action in axis["actions"]]
    assert len(codes) == len(set(codes)) == 17
