"""The data migration that makes text already stored what the input policy lets in: rows
written around the forms and the import (by `update()`, as a script would) with Windows line
breaks and a bell character (U+0007) read back with plain line breaks and without it; tabs and
line feeds stay; a second run changes nothing; no version nor history row is added."""

from __future__ import annotations

import importlib

from django.apps import apps

from accounts.models import Organisation
from roadmap.models import Action, Indicator, Measurement, Milestone
from roadmap.spreadsheets import export_workbook, import_file

migration = importlib.import_module("roadmap.migrations.0008_normalise_stored_texts")

DIRTY = "Première ligne\r\nDeuxième\rtroisième\x07 fin\tavec tabulation"
CLEAN = "Première ligne\nDeuxième\ntroisième fin\tavec tabulation"


def test_stored_texts_are_normalised_once_and_for_all(roadmap, administrator):
    action = Action.objects.get(roadmap=roadmap, code="IA 2-1")
    Action.objects.filter(pk=action.pk).update(description=DIRTY, title="Titre\x07")
    indicator = Indicator.objects.filter(roadmap=roadmap).first()
    Indicator.objects.filter(pk=indicator.pk).update(label="Libellé\r\n", unit="\x1bunités")
    milestone = Milestone.objects.filter(roadmap=roadmap).first()
    Milestone.objects.filter(pk=milestone.pk).update(source="Source\r")
    measurement = Measurement.objects.create(
        indicator=indicator, date="2026-01-31", value=1, source="Enquête"
    )
    Measurement.objects.filter(pk=measurement.pk).update(comment=DIRTY)
    organisation = Organisation.objects.get(acronym="HAS")
    Organisation.objects.filter(pk=organisation.pk).update(name="Haute\r\nAutorité\x0b")
    untouched = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    versions = dict(Action.objects.values_list("pk", "version"))
    history = Action.history.count() + Measurement.history.count()

    changed = migration.normalise_stored_texts(apps)

    action.refresh_from_db()
    indicator.refresh_from_db()
    milestone.refresh_from_db()
    measurement.refresh_from_db()
    organisation.refresh_from_db()
    assert (action.description, action.title) == (CLEAN, "Titre")
    assert (indicator.label, indicator.unit) == ("Libellé\n", "unités")
    assert milestone.source == "Source\n"
    assert measurement.comment == CLEAN
    assert organisation.name == "Haute\nAutorité"
    assert changed == 5
    assert Action.objects.get(pk=untouched.pk).description == untouched.description
    assert dict(Action.objects.values_list("pk", "version")) == versions
    assert Action.history.count() + Measurement.history.count() == history

    assert migration.normalise_stored_texts(apps) == 0  # idempotent
    action.refresh_from_db()
    assert action.description == CLEAN


def test_after_it_the_workbook_backup_re_imports_what_was_stored(roadmap, administrator):
    # Before, a workbook could not hold the bell character: the backup did not re-import.
    action = Action.objects.get(roadmap=roadmap, code="IA 2-1")
    Action.objects.filter(pk=action.pk).update(description=DIRTY)
    migration.normalise_stored_texts(apps)

    report = import_file(export_workbook(roadmap), "sauvegarde.xlsx", user=administrator)

    assert report.ok, [str(error) for error in report.errors]
    assert not report.has_changes
    action.refresh_from_db()
    assert action.description == CLEAN
