"""Tests of `manage.py import_roadmap` and `manage.py export_roadmap`.

import_roadmap FILE [--dry-run] [--roadmap SLUG] [--user USERNAME]: exit 0 on success; on any
error, exit non-zero with every error on stderr and nothing written. export_roadmap FILE: the
format follows the extension (.xlsx, .json, .csv → one file per sheet), and what it writes
imports back without a change.
"""

from __future__ import annotations

import json
import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from roadmap.models import Action, Roadmap
from tests.support.files import HEADERS, csv_file, database_dump, read_xlsx, xlsx_file


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def status_file(tmp_path, roadmap, status="En cours", name="suivi.xlsx"):
    ia_2_4 = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    row = ["IA 2-4", 2, ia_2_4.title, ia_2_4.description, status, "HAS", "", None, None]
    path = tmp_path / name
    path.write_bytes(xlsx_file({"Actions": [row]}))
    return path


BAD_ROWS = [
    ["IA2-1-APP-AN", "30/02/2025", "12", "Source", ""],
    ["IA2-1-APP-AN", "2025-06-30", "douze", "", ""],
]


# --- import_roadmap


def test_it_imports_a_file_and_says_what_changed(tmp_path, roadmap, administrator):
    path = status_file(tmp_path, roadmap)

    out, err = run("import_roadmap", str(path), "--user", administrator.username)

    assert err == ""
    assert "Actions\u00a0: 0 nouvelle, 1 modifiée, 0 inchangée, 0 erreur." in out
    assert "IA 2-4 · Statut\u00a0: «\u202f(vide)\u202f» → «\u202fEn cours\u202f»" in out
    assert "Import de «\u202fsuivi.xlsx\u202f» terminé" in out
    ia_2_4 = Action.objects.get(code="IA 2-4")
    assert ia_2_4.status == "in_progress"
    record = ia_2_4.history.latest()
    assert (record.history_user, record.history_change_reason) == (
        administrator,
        "Import du fichier «\u202fsuivi.xlsx\u202f»",
    )


def test_dry_run_checks_and_previews_without_writing(tmp_path, roadmap):
    before = database_dump()
    out, _err = run("import_roadmap", str(status_file(tmp_path, roadmap)), "--dry-run")
    assert "1 modifiée," in out and "Simulation\u00a0: rien n'a été écrit." in out
    assert database_dump() == before


def test_errors_are_all_listed_on_stderr_and_nothing_is_written(tmp_path, roadmap):
    path = tmp_path / "mesures.csv"
    path.write_bytes(csv_file(BAD_ROWS, header=HEADERS["Mesures"]))
    before = database_dump()
    err = StringIO()

    with pytest.raises(CommandError, match=re.escape("3 erreurs\u00a0: rien n'a été importé.")):
        call_command("import_roadmap", str(path), stdout=StringIO(), stderr=err)

    lines = err.getvalue().splitlines()
    assert lines == [
        "Feuille «\u202fmesures\u202f», ligne 2, colonne «\u202fDate\u202f», valeur "
        "«\u202f30/02/2025\u202f»\u00a0: "
        "Cette date n'existe pas dans le calendrier.",
        "Feuille «\u202fmesures\u202f», ligne 3, colonne «\u202fValeur\u202f», valeur "
        "«\u202fdouze\u202f»\u00a0: "
        "Nombre attendu (par exemple 70 000, 1 234,5 ou 1234.5).",
        "Feuille «\u202fmesures\u202f», ligne 3, colonne «\u202fSource\u202f»\u00a0: Ce champ ne "
        "peut pas être vide.",
    ]
    assert database_dump() == before


def test_it_exits_non_zero_from_the_command_line(tmp_path, roadmap, capsys):
    path = tmp_path / "mesures.csv"
    path.write_bytes(csv_file(BAD_ROWS, header=HEADERS["Mesures"]))
    with pytest.raises(SystemExit) as exit_info:
        # --skip-checks: the exit code is under test here, not the rest of the project.
        ManagementUtility(["manage.py", "import_roadmap", str(path), "--skip-checks"]).execute()
    assert exit_info.value.code != 0
    assert "Nombre attendu" in capsys.readouterr().err


def test_a_file_level_problem_is_an_error_too(tmp_path, roadmap):
    path = tmp_path / "vide.xlsx"
    path.write_bytes(b"")
    err = StringIO()
    with pytest.raises(CommandError, match=re.escape("1 erreur\u00a0: rien n'a été importé.")):
        call_command("import_roadmap", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().strip() == "Le fichier «\u202fvide.xlsx\u202f» est vide."


def test_bad_arguments_are_refused(tmp_path, roadmap):
    path = str(status_file(tmp_path, roadmap))
    with pytest.raises(CommandError, match="Fichier introuvable"):
        run("import_roadmap", str(tmp_path / "absent.xlsx"))
    with pytest.raises(
        CommandError, match="Feuille de route inconnue\u00a0: «\u202finconnue\u202f»"
    ):
        run("import_roadmap", path, "--roadmap", "inconnue")
    with pytest.raises(CommandError, match="Utilisateur inconnu\u00a0: «\u202fpersonne\u202f»"):
        run("import_roadmap", path, "--user", "personne")
    assert Action.objects.get(code="IA 2-4").status == ""


def test_it_imports_into_the_roadmap_given_by_its_slug(tmp_path, roadmap):
    other = Roadmap.objects.create(
        title="Autre", slug="autre", source_title="s", source_date=date(2020, 1, 1)
    )
    other.axes.create(number=1, short_title="Un", title="Axe un")
    path = tmp_path / "actions.csv"
    path.write_bytes(
        csv_file(
            [["A-1", "1", "Action de l'autre feuille", "", "", "", "", "", ""]],
            header=HEADERS["Actions"],
        )
    )
    run("import_roadmap", str(path), "--roadmap", "autre")
    assert Action.objects.get(code="A-1").roadmap == other
    assert roadmap == Roadmap.objects.current()  # the current one was left alone


# --- export_roadmap


def test_it_exports_a_workbook_that_imports_back_without_a_change(tmp_path, roadmap):
    path = tmp_path / "feuille.xlsx"
    out, _err = run("export_roadmap", str(path))
    assert f"Écrit\u00a0: {path}" in out
    assert list(read_xlsx(path.read_bytes())) == [
        "Actions",
        "Jalons",
        "Indicateurs",
        "Mesures",
        "Cibles",
        "Périodes",
    ]
    periods = read_xlsx(path.read_bytes())["Périodes"]
    assert [row[:2] + row[4:5] for row in periods if row[0] == "IA2-1-APP-AN"] == [
        ["IA2-1-APP-AN", f"{year}/{year + 1}", 70000] for year in range(2024, 2029)
    ]
    before = database_dump()
    out, _err = run("import_roadmap", str(path))
    assert "17 inchangées" in out
    assert "Périodes" not in out  # the derived sheet is not imported: no report of its own
    assert database_dump() == before


def test_it_exports_json(tmp_path, roadmap):
    path = tmp_path / "feuille.json"
    run("export_roadmap", str(path))
    data = json.loads(path.read_text("utf-8"))
    assert len(data["sheets"]["Actions"]) == 17
    assert data["sheets"]["Jalons"][0]["Échéance"] == "2025-02-11"


def test_it_exports_one_csv_file_per_sheet(tmp_path, roadmap):
    run("export_roadmap", str(tmp_path / "feuille.csv"))
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == [
        "feuille-actions.csv",
        "feuille-cibles.csv",
        "feuille-indicateurs.csv",
        "feuille-jalons.csv",
        "feuille-mesures.csv",
    ]
    header = (tmp_path / "feuille-jalons.csv").read_text("utf-8").splitlines()[0]
    assert header == "Action,Jalon,Échéance,Réalisé le,Interprétation"
    for name in names:
        out, _err = run("import_roadmap", str(tmp_path / name), "--dry-run")
        assert "0 nouvelle, 0 modifiée," in out


def test_it_refuses_an_unknown_extension_or_roadmap(tmp_path, roadmap):
    with pytest.raises(
        CommandError, match=re.escape("Extension non prise en charge\u00a0: «\u202f.ods\u202f»")
    ):
        run("export_roadmap", str(tmp_path / "feuille.ods"))
    with pytest.raises(CommandError, match="Feuille de route introuvable"):
        run("export_roadmap", str(tmp_path / "feuille.xlsx"), "--roadmap", "inconnue")
    with pytest.raises(CommandError, match="Dossier introuvable"):
        run("export_roadmap", str(tmp_path / "absent" / "feuille.xlsx"))
    assert not list(tmp_path.iterdir())
