"""The workbook backup (README, « Sauvegarde et restauration »), through the commands: a
generated roadmap of more rows than the admin page takes is exported, restored into an empty
database (migrated, `load_roadmap`, the organisations recreated: reference data, kept by the
PostgreSQL backup), and exported again, identically."""

from __future__ import annotations

import datetime
from io import StringIO

from django.core.management import call_command

from accounts.models import Organisation, User
from roadmap.models import Action, Indicator, Measurement, Milestone, ProgressNote, Roadmap
from tests.support.files import read_xlsx


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def empty_database(keep_organisations: list[tuple[str, str]]) -> None:
    # Accounts and history are not in the workbook: only the PostgreSQL backup holds them.
    for model in (ProgressNote, Action, Roadmap, User, Organisation):
        model.objects.all().delete()
    for model in (Action, Milestone, Indicator, Measurement):
        model.history.all().delete()
    Organisation.objects.bulk_create(
        Organisation(acronym=acronym, name=name) for acronym, name in keep_organisations
    )


def test_a_large_roadmap_round_trips_through_the_workbook(tmp_path, no_roadmap):
    run("load_roadmap", verbosity=0)
    run(
        "generate_roadmap",
        into="ia-en-sante-2025",
        actions=12,
        milestones_per_action=5,
        indicators_per_action=3,
        measurements_per_indicator=30,
        notes_per_action=0,
        date=datetime.date(2026, 6, 15),
        force=True,
    )
    rows = Milestone.objects.count() + Measurement.objects.count()
    assert rows > 1000  # beyond the admin page's limit
    first, second = tmp_path / "sauvegarde.xlsx", tmp_path / "restauree.xlsx"
    run("export_roadmap", str(first))
    organisations = list(Organisation.objects.values_list("acronym", "name"))

    empty_database(organisations)
    run("load_roadmap", verbosity=0)
    out = run("import_roadmap", str(first), max_rows=100_000, max_megabytes=50)
    run("export_roadmap", str(second))

    assert "Import de «\u202fsauvegarde.xlsx\u202f» terminé" in out
    assert read_xlsx(second.read_bytes()) == read_xlsx(first.read_bytes())
    assert Measurement.objects.count() + Milestone.objects.count() == rows
