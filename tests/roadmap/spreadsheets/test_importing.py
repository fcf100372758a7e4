"""Tests of importing real French files, all or nothing, with every error reported.

- a Windows-1252 semicolon CSV, a UTF-8-with-BOM CSV and an xlsx with Excel date cells import,
  and the values stored are the ones the files mean;
- headers are matched loosely, blank rows and extra columns are ignored, row numbers are Excel's;
- periods, sums, dated targets (the Cibles sheet), interpretations and retirement import, with a
  French error for each rule they break; a workbook of the format's first version, without
  their columns, still imports and leaves them as they are;
- a workbook with several bad rows reports every error (sheet, row, column, value, why) and
  leaves the database exactly as it was;
- guard rails: size, rows, empty, wrong extension or content, corrupt, password-protected,
  zip bomb, missing headers: each a clear French error, never an exception;
- the preview: each new row with its values read (numbers, dates and texts the French way),
  each changed row with old → new (« (vide) » when empty), the first rows of a large sheet
  shown and the others counted, and the same preview from `import_roadmap --dry-run`;
- hypothesis feeds random and malformed cells and files: the outcome is always either a clean
  import or a list of errors, never an exception and never a partial write.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from roadmap import spreadsheets
from roadmap.models import Action, Indicator, Measurement, Milestone, Target
from roadmap.spreadsheets import OLE_MAGIC, export_workbook, import_file, template_workbook
from tests.support.files import (
    FIRST_HEADERS,
    HEADERS,
    csv_file,
    database_dump,
    read_xlsx,
    xlsx_file,
)

NBSP, NNBSP = "\u00a0", "\u202f"
DB_PROPERTY = hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def errors_of(report) -> set[tuple]:
    return {(error.sheet, error.row, error.column) for error in report.errors}


def only_message(report) -> str:
    assert not report.committed
    assert len(report.errors) == 1, [str(error) for error in report.errors]
    return str(report.errors[0])


# --- real French files


def test_a_windows_1252_semicolon_csv_with_french_numbers_and_dates(roadmap, administrator):
    # What Excel writes with « CSV (séparateur : point-virgule) » on a French Windows.
    rows = [
        ["IA 2-1", "NOUV-1", "Étudiants formés à l’IA « en santé »", "€", "Cumulatif",
         f"1{NBSP}234,5", "01/09/2024", "70 000", "31/08/2029", "plus haut est mieux"],
        ["IA 2-1", "NOUV-2", "Délai moyen", "jours", "niveau",
         "45,75", "1/1/2024", "30", "31/12/2026", "Plus bas est mieux"],
    ]  # fmt: skip
    content = csv_file(rows, header=HEADERS["Indicateurs"], delimiter=";", encoding="cp1252")
    assert b"\x92" in content and b"\x80" in content  # ’ and € as Windows-1252 bytes

    report = import_file(content, "indicateurs.csv", user=administrator)

    assert report.committed, report.errors
    first = Indicator.objects.get(code="NOUV-1")
    assert first.label == "Étudiants formés à l’IA « en santé »"
    assert (first.unit, first.kind, first.direction) == ("€", "cumulative", "higher")
    assert (first.baseline_value, first.target_value) == (Decimal("1234.5"), Decimal("70000"))
    assert (first.baseline_date, first.target_date) == (date(2024, 9, 1), date(2029, 8, 31))
    second = Indicator.objects.get(code="NOUV-2")
    assert (second.kind, second.direction, second.baseline_value) == (
        "level",
        "lower",
        Decimal("45.75"),
    )
    assert second.baseline_date == date(2024, 1, 1)


def test_a_utf8_csv_with_bom_and_commas(roadmap, administrator):
    rows = [
        [
            "IA2-1-APP-AN",
            "2025-06-30",
            f"35{NNBSP}000",
            "Rapport «\u202fDGOS\u202f»",
            "Premier bilan",
        ],
        ["IA2-1-INVEST", "31/12/2025", "1234.5", "Loi de finances", ""],
    ]
    content = csv_file(rows, header=HEADERS["Mesures"], delimiter=",", encoding="utf-8", bom=True)

    report = import_file(content, "mesures.csv", user=administrator)

    assert report.committed, report.errors
    stored = {
        m.indicator.code: (m.date, m.value, m.source, m.comment)
        for m in Measurement.objects.select_related("indicator")
    }
    assert stored == {
        "IA2-1-APP-AN": (
            date(2025, 6, 30),
            Decimal("35000"),
            "Rapport «\u202fDGOS\u202f»",
            "Premier bilan",
        ),
        "IA2-1-INVEST": (date(2025, 12, 31), Decimal("1234.5"), "Loi de finances", ""),
    }


def test_an_xlsx_with_excel_date_cells_and_several_sheets(roadmap, administrator):
    ia_2_4 = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    content = xlsx_file(
        {
            "Actions": [
                ["IA 2-4", 2, ia_2_4.title, ia_2_4.description, "réalisée", "HAS", "DNS",
                 date(2024, 1, 15), date(2025, 3, 31)],
                ["IA 5-1", "Axe 3", "Une action nouvelle", "", "", None, "", None, None],
            ],
            "Jalons": [
                ["IA 5-1", "Lancement", date(2025, 9, 1), None],
                ["IA 2-4", "Publication", date(2025, 3, 1), date(2025, 3, 20)],
            ],
            "Mesures": [["IA2-1-MASTER-NUM", date(2025, 9, 1), 12, "Arrêté", None]],
        }
    )  # fmt: skip

    report = import_file(content, "suivi.xlsx", user=administrator)

    assert report.committed, report.errors
    ia_2_4.refresh_from_db()
    assert (ia_2_4.status, ia_2_4.start_date, ia_2_4.end_date) == (
        "done",
        date(2024, 1, 15),
        date(2025, 3, 31),
    )
    new = Action.objects.get(code="IA 5-1")
    assert (new.axis.number, new.slug, new.lead, new.status) == (3, "ia-5-1", None, "")
    # A milestone may refer to an action created by the Actions sheet of the same file.
    assert Milestone.objects.get(title="Lancement").action == new
    done = Milestone.objects.get(title="Publication")
    assert (done.due_date, done.done_on) == (date(2025, 3, 1), date(2025, 3, 20))
    assert Measurement.objects.get().value == Decimal("12")


def test_headers_are_matched_loosely_and_blanks_and_extra_columns_are_ignored(roadmap):
    header = ["  ACTION ", "jalon", "ECHEANCE", "réalisé  LE", "Remarque", None, None]
    rows = [
        [],
        ["IA 2-1", "Premier", "30/06/2025", "", "à voir", None, None],
        [None, None, None, None],
        ["IA 2-1", "Second", "pas une date", "", "", None, None],
    ]
    content = xlsx_file({"Feuil1": [header, *rows]}, headers=False)

    report = import_file(content, "jalons.xlsx", dry_run=True)

    # Excel's row numbers: the header is row 1, the bad row is row 5 despite the blank rows.
    assert errors_of(report) == {("Feuil1", 5, "Échéance")}
    assert report.errors[0].value == "pas une date"
    assert report.sheets[0].ignored_columns == ["Remarque"]
    assert [row.row for row in report.sheets[0].new] == [3]


def test_a_quoted_cell_on_several_lines_counts_as_one_excel_row(roadmap):
    rows = [["IA 2-1", "Jalon sur\ndeux lignes", "", ""], ["IA 2-1", "Autre", "hier", ""]]
    report = import_file(csv_file(rows, header=HEADERS["Jalons"]), "j.csv", dry_run=True)
    # The sheet is named as Excel names a CSV's only sheet: after the file.
    assert errors_of(report) == {("j", 3, "Échéance")}


# --- periods, sums, dated targets, interpretations, retirement


def indicator_row(code: str, kind: str = "Par période", **columns) -> list:
    """A row of the Indicateurs sheet for IA 2-1, its columns by header."""
    values = {
        "Action": "IA 2-1",
        "Code": code,
        "Indicateur": f"Indicateur {code}",
        "Unité": "apprenants",
        "Type": kind,
        "Cible": 1000,
        **columns,
    }
    return [values.get(column) for column in HEADERS["Indicateurs"]]


def test_periods_sums_interpretations_and_retirement_are_imported(roadmap, administrator):
    rows = [
        # the sum first, its source further down: the order of the sheet is free
        indicator_row(
            "NOUV-TOTAL",
            "Cumulatif",
            **{"Somme de": "NOUV-AN", "Date initiale": "01/09/2025", "Date cible": "31/08/2028"},
        ),
        indicator_row(
            "NOUV-AN",
            **{
                "Périodicité": "année universitaire",
                "Première période": "15/10/2025",
                "Nombre de périodes": "3",
                "Interprétation": "«\u202fPar an\u202f» lu comme par année universitaire.",
            },
        ),
        indicator_row(
            "NOUV-TRIM", **{"Périodicité": "quarter", "Première période": date(2025, 1, 1)}
        ),
        indicator_row("NOUV-MOIS", **{"Périodicité": "MOIS", "Première période": "2025-01-01"}),
        indicator_row("NOUV-ANCIEN", "Niveau", **{"Retiré le": "31/12/2025"}),
    ]

    report = import_file(xlsx_file({"Indicateurs": rows}), "i.xlsx", user=administrator)

    assert report.committed, [str(error) for error in report.errors]
    assert [row.row for row in report.sheets[0].new] == [2, 3, 4, 5, 6]
    yearly = Indicator.objects.get(code="NOUV-AN")
    assert (yearly.periodicity, yearly.periods_from, yearly.period_count) == (
        "academic_year",
        date(2025, 10, 15),
        3,
    )
    assert yearly.interpretation == "«\u202fPar an\u202f» lu comme par année universitaire."
    total = Indicator.objects.get(code="NOUV-TOTAL")
    assert (total.summed_from, total.periodicity, total.period_count) == (yearly, "", None)
    assert Indicator.objects.get(code="NOUV-TRIM").periodicity == "quarter"
    assert Indicator.objects.get(code="NOUV-MOIS").periodicity == "month"
    assert Indicator.objects.get(code="NOUV-ANCIEN").retired_on == date(2025, 12, 31)
    # new indicators follow the action's others in the order of the sheet, not of the import
    positions = dict(
        Indicator.objects.filter(code__startswith="NOUV-").values_list("code", "position")
    )
    assert sorted(positions, key=positions.get) == [
        "NOUV-TOTAL",
        "NOUV-AN",
        "NOUV-TRIM",
        "NOUV-MOIS",
        "NOUV-ANCIEN",
    ]


def test_each_broken_rule_of_periods_and_sums_is_named_in_french(roadmap, administrator):
    rows = [
        indicator_row("A-SANS-PERIODE"),
        indicator_row("B-CUMUL", "Cumulatif", **{"Périodicité": "Mois", "Nombre de périodes": 4}),
        indicator_row("C-ZERO", **{"Périodicité": "Mois", "Première période": "01/01/2025",
                                   "Nombre de périodes": "0"}),
        indicator_row("D-DEMI", **{"Périodicité": "Mois", "Première période": "01/01/2025",
                                   "Nombre de périodes": "2,5"}),
        indicator_row("E-HEBDO", **{"Périodicité": "Semaine", "Première période": "01/01/2025"}),
        indicator_row("F-SOMME", "Cumulatif", **{"Somme de": "IA2-1-INVEST"}),
        indicator_row("G-SOMME", "Cumulatif", **{"Somme de": "INCONNU"}),
        indicator_row("H-NIVEAU", "Niveau", **{"Somme de": "IA2-1-APP-AN"}),
        indicator_row("I-SOI", "Cumulatif", **{"Somme de": "I-SOI"}),
        [*indicator_row("J-AUTRE", "Cumulatif", **{"Somme de": "IA2-1-APP-AN"})],
    ]  # fmt: skip
    rows[-1][0] = "IA 2-4"
    before = database_dump()

    report = import_file(xlsx_file({"Indicateurs": rows}), "i.xlsx", user=administrator)

    assert not report.committed
    assert {
        (error.row, error.column, error.value, error.message) for error in report.errors
    } == {
        (2, "Périodicité", "", "Un indicateur par période a une périodicité\u00a0: "
         "Année universitaire (septembre à août), Année civile, Trimestre, Mois."),
        (2, "Première période", "", "Un indicateur par période a une première période\u00a0: une "
         "date de celle-ci (par exemple 01/09/2024 pour l'année universitaire 2024/2025)."),
        (3, "Périodicité", "Mois", "Seul un indicateur par période a une colonne "
            "«\u202fPériodicité\u202f»"
         "\u00a0: videz-la, ou choisissez le type «\u202fPar période\u202f»."),
        (3, "Nombre de "
            "périodes", "4", "Seul un indicateur par période a une colonne «\u202fNombre de "
         "périodes\u202f»\u00a0: videz-la, ou choisissez le type «\u202fPar période\u202f»."),
        (4, "Nombre de périodes", "0", "Nombre entier de 1 à 600 attendu."),
        (5, "Nombre de périodes", "2,5", "Nombre entier de 1 à 600 attendu."),
        (6, "Périodicité", "Semaine", "Valeur non reconnue. Valeurs possibles\u00a0: Année "
         "universitaire (septembre à août), Année civile, Trimestre, Mois."),
        (7, "Somme de", "IA2-1-INVEST", "IA2-1-INVEST n'est pas un indicateur par période\u00a0: "
         "seul un indicateur par période peut être additionné."),
        (8, "Somme de", "INCONNU", "Indicateur inconnu\u00a0: il doit figurer dans la feuille "
         "Indicateurs ou déjà exister."),
        (9, "Somme de", "IA2-1-APP-AN", "Seul un indicateur cumulatif peut être la somme d'un "
         "autre."),
        (10, "Somme de", "I-SOI", "Un indicateur ne peut pas être la somme de lui-même."),
        (11, "Somme de", "IA2-1-APP-AN", "IA2-1-APP-AN suit l'action IA 2-1\u00a0: un indicateur "
            "ne "
         "peut être que la somme d'un indicateur de sa propre action."),
    }  # fmt: skip
    assert str(report.errors[0]).startswith(
        "Feuille «\u202fIndicateurs\u202f», ligne 2, colonne «\u202f"
    )
    assert database_dump() == before


def test_measurements_on_a_sum_are_refused_but_those_already_there_pass(roadmap, administrator):
    total = Indicator.objects.get(code="IA2-1-APP-5ANS")
    kept = Measurement.objects.create(
        indicator=total, date=date(2025, 1, 31), value=5, source="Avant la somme"
    )
    rows = [
        ["IA2-1-APP-5ANS", date(2025, 1, 31), 5, "Avant la somme", ""],  # as it is
        ["IA2-1-APP-5ANS", date(2025, 8, 31), 70000, "DGOS", ""],
        ["IA2-1-APP-AN", date(2025, 8, 31), 70000, "DGOS", ""],
    ]
    before = database_dump()

    report = import_file(xlsx_file({"Mesures": rows}), "m.xlsx", user=administrator)

    assert [str(error) for error in report.errors] == [
        "Feuille «\u202fMesures\u202f», ligne 3, colonne «\u202fIndicateur\u202f», valeur "
        "«\u202fIA2-1-APP-5ANS\u202f»\u00a0: "
        "IA2-1-APP-5ANS est la somme de IA2-1-APP-AN\u00a0: saisissez les valeurs sur IA2-1-APP-AN."
    ]
    assert database_dump() == before
    # Changing the one already there is refused too; leaving it be is not.
    rows[0][2] = 6
    report = import_file(xlsx_file({"Mesures": [rows[0]]}), "m.xlsx", user=administrator)
    assert [error.row for error in report.errors] == [2]
    assert Measurement.objects.get(pk=kept.pk).value == 5


def test_dated_targets_come_from_the_cibles_sheet(roadmap, administrator):
    learners = Indicator.objects.get(code="IA2-1-APP-AN")
    Target.objects.create(indicator=learners, on=date(2026, 1, 31), value=72000)
    rows = [
        ["IA2-1-APP-AN", "31/01/2026", "75 000", "Avenant", "Relevée par l'avenant."],
        ["IA2-1-APP-5ANS", date(2027, 8, 31), 280000, "", ""],
    ]

    report = import_file(xlsx_file({"Cibles": rows}), "c.xlsx", user=administrator)

    assert report.committed, report.errors
    (changed,) = report.sheets[0].changed
    assert (changed.label, changed.changes) == (
        "IA2-1-APP-AN au 31/01/2026",
        [
            ("Valeur", "72\u202f000", "75\u202f000"),
            ("Source", "", "Avenant"),
            ("Interprétation", "", "Relevée par l'avenant."),
        ],
    )
    assert [row.label for row in report.sheets[0].new] == ["IA2-1-APP-5ANS au 31/08/2027"]
    stored = Target.objects.order_by("on").values_list(
        "indicator__code", "on", "value", "source", "interpretation"
    )
    assert list(stored) == [
        ("IA2-1-APP-AN", date(2026, 1, 31), 75000, "Avenant", "Relevée par l'avenant."),
        ("IA2-1-APP-5ANS", date(2027, 8, 31), 280000, "", ""),
    ]
    record = Target.objects.get(on=date(2027, 8, 31)).history.get()
    assert (record.history_user, record.history_change_reason) == (
        administrator,
        "Import du fichier «\u202fc.xlsx\u202f»",
    )


def test_a_cibles_csv_is_told_from_a_mesures_csv_by_its_headers(roadmap, administrator):
    row = ["IA2-1-APP-AN", "31/01/2026", "75000", "Avenant", "Lu ainsi."]
    targets = import_file(csv_file([row], header=HEADERS["Cibles"]), "a.csv", user=administrator)
    values = import_file(csv_file([row], header=HEADERS["Mesures"]), "b.csv", user=administrator)

    assert targets.committed and values.committed
    assert [sheet.name for sheet in (*targets.sheets, *values.sheets)] == ["Cibles", "Mesures"]
    assert Target.objects.get().interpretation == "Lu ainsi."
    assert Measurement.objects.get().comment == "Lu ainsi."
    bad = [["IA2-1-XX", "31/02/2026", "beaucoup", "", ""]]
    report = import_file(csv_file(bad, header=HEADERS["Cibles"]), "c.csv", dry_run=True)
    assert {(error.sheet, error.row, error.column) for error in report.errors} == {
        ("c", 2, "Indicateur"),
        ("c", 2, "Date"),
        ("c", 2, "Valeur"),
    }


PERIODS_HEADERS = [
    "Indicateur", "Période", "Début", "Fin", "Cible", "Valeur", "Avancement", "État", "Atteinte"
]  # fmt: skip
PERIOD_ROW = ["IA2-1-APP-AN", "2024/2025", date(2024, 9, 1), date(2025, 8, 31), 70000, 35000,
              50, "passée", "non"]  # fmt: skip


def test_the_periods_sheet_of_a_workbook_is_skipped_even_when_edited(roadmap, administrator):
    edited = [PERIOD_ROW, ["IA2-1-XX", "2024/2025", "hier", None, "beaucoup", -1, "", "", ""]]
    actions = read_xlsx(export_workbook(roadmap))["Actions"][1:3]
    for sheets in (
        {"Actions": actions, "Périodes": [PERIODS_HEADERS, *edited]},
        {"Actions": actions, "PERIODES": [PERIODS_HEADERS, *edited]},  # any case or accents
        {"Actions": actions, "Feuil2": [PERIODS_HEADERS, *edited]},  # by its headers
        {"Actions": actions, "Périodes": [["Cible", "Valeur"], [1, 2]]},  # by its name
    ):
        before = database_dump()

        report = import_file(xlsx_file(sheets), "suivi.xlsx", user=administrator)

        assert report.ok, [str(error) for error in report.errors]
        assert [sheet.name for sheet in report.sheets] == ["Actions"]
        assert report.sheets[0].unchanged == 2
        assert report.ignored_sheets == [list(sheets)[1]]
        assert database_dump() == before


def test_a_workbook_with_only_the_periods_sheet_has_nothing_to_import(roadmap):
    report = import_file(xlsx_file({"Périodes": [PERIODS_HEADERS, PERIOD_ROW]}), "p.xlsx")

    assert only_message(report).startswith("Aucune feuille reconnue dans «\u202fp.xlsx\u202f»")


@pytest.mark.parametrize(
    "content",
    [
        csv_file([PERIOD_ROW], header=PERIODS_HEADERS),  # as French Excel saves it
        csv_file([PERIOD_ROW], header=PERIODS_HEADERS, delimiter=",", encoding="utf-8", bom=True),
        csv_file([PERIOD_ROW[:1]], header=[h.upper() for h in PERIODS_HEADERS], delimiter="\t"),
    ],
    ids=["excel", "utf8", "tabs"],
)
def test_a_periods_csv_is_refused_as_derived_data_and_nothing_is_written(roadmap, content):
    before = database_dump()

    report = import_file(content, "suivi-des-periodes.csv")

    assert only_message(report) == (
        "Le fichier «\u202fsuivi-des-periodes.csv\u202f» est la feuille "
        "«\u202fPériodes\u202f»\u00a0: des chiffres "
        "calculés à partir des indicateurs, de leurs mesures et de leurs cibles, qui ne "
        "s'importent pas. Pour les changer, importez les feuilles Indicateurs, Mesures ou Cibles."
    )
    assert report.file_errors and not report.sheets
    assert database_dump() == before


def test_a_csv_named_periodes_is_read_by_its_headers(roadmap, administrator):
    row = ["IA2-1-APP-AN", "31/01/2026", "75000", "DGOS", ""]

    report = import_file(csv_file([row], header=HEADERS["Mesures"]), "periodes.csv")

    assert report.committed, [str(error) for error in report.errors]
    assert Measurement.objects.get().value == 75000


def test_reading_one_expected_sheet_refuses_a_periods_csv(roadmap):
    content = csv_file([PERIOD_ROW], header=PERIODS_HEADERS)

    with pytest.raises(
        spreadsheets.SpreadsheetError, match="est la feuille «\u202fPériodes\u202f»"
    ):
        spreadsheets.read_spreadsheet(content, "mesures.csv", expected="Mesures")


def test_a_workbook_of_the_first_format_still_imports_and_keeps_the_new_columns(
    roadmap, administrator
):
    rows = read_xlsx(export_workbook(roadmap))
    Milestone.objects.filter(action=None).update(interpretation="Lu ainsi.")
    Indicator.objects.filter(code="IA2-1-MASTER-REG").update(retired_on=date(2026, 1, 15))
    first = {
        sheet: [row[: len(FIRST_HEADERS[sheet])] for row in rows[sheet][1:]]
        for sheet in FIRST_HEADERS
    }
    first["Indicateurs"] = [
        [*row[:4], "Niveau", *row[5:]] if row[1] == "IA2-1-EHESP-MASTERS" else row
        for row in first["Indicateurs"]
    ]
    first["Indicateurs"].append(
        ["IA 2-1", "NOUV-AN", "Nouveau", "u", "Par période", None, None, 10, None, None]
    )
    before = database_dump()

    refused = import_file(xlsx_file(first, first_version=True), "ancien.xlsx", user=administrator)

    assert [(error.row, error.column) for error in refused.errors] == [
        (11, "Périodicité"),
        (11, "Première période"),
    ]
    assert database_dump() == before
    first["Indicateurs"].pop()
    report = import_file(xlsx_file(first, first_version=True), "ancien.xlsx", user=administrator)
    assert report.committed, report.errors
    assert not report.has_changes
    assert report.sheets[2].absent_columns == HEADERS["Indicateurs"][10:]
    assert report.sheets[1].absent_columns == ["Interprétation"]
    assert database_dump() == before


# --- the preview: each new row's values, each changed row's old → new, bounded


def test_the_preview_gives_each_new_row_its_values_the_french_way(roadmap):
    content = xlsx_file(
        {
            "Actions": [
                ["IA 9-1", 2, "Nouvelle action", "Sur\ndeux lignes", "en cours", "HAS",
                 "DGOS; CNAM", date(2026, 1, 1), None],
            ],
            "Jalons": [["IA 9-1", "Lancement", "31/03/2026", None, ""]],
            "Mesures": [
                ["IA2-1-APP-AN", date(2026, 8, 31), "35 000", "Enquête DGOS", "Première remontée"],
            ],
            "Cibles": [["IA2-1-INVEST", "2027-12-31", 1234567.5, "Avenant", ""]],
        }
    )  # fmt: skip
    before = database_dump()

    report = import_file(content, "apercu.xlsx", dry_run=True)

    assert report.ok and not report.committed, report.errors
    assert {
        sheet.name: [row.line(row.description) for row in sheet.new] for sheet in report.sheets
    } == {
        "Actions": [
            "Ligne 2\u00a0: IA 9-1\u00a0: axe 2, titre «\u202fNouvelle action\u202f», description "
            "«\u202fSur deux lignes\u202f», "
            "statut «\u202fEn cours\u202f», pilote «\u202fHAS\u202f», partenaires «\u202fCNAM, "
            "DGOS\u202f», début 01/01/2026"
        ],
        "Jalons": ["Ligne 2\u00a0: IA 9-1 · Lancement\u00a0: échéance 31/03/2026"],
        "Mesures": [
            f"Ligne 2\u00a0: IA2-1-APP-AN au 31/08/2026\u00a0: 35{NNBSP}000{NBSP}apprenants, "
            "source «\u202fEnquête DGOS\u202f», commentaire «\u202fPremière remontée\u202f»"
        ],
        "Cibles": [
            f"Ligne 2\u00a0: IA2-1-INVEST au 31/12/2027\u00a0: cible "
            f"1{NNBSP}234{NNBSP}567,5{NBSP}€, "
            "source «\u202fAvenant\u202f»"
        ],
    }
    assert all(not row.changes for sheet in report.sheets for row in sheet.new)
    assert database_dump() == before


def test_the_preview_gives_each_changed_column_old_and_new(roadmap):
    rows = read_xlsx(export_workbook(roadmap))
    header, *actions = rows["Actions"]
    ia_2_4 = next(row for row in actions if row[0] == "IA 2-4")
    changed = dict(zip(header, ia_2_4, strict=True)) | {
        "Statut": "En cours",
        "Fin": date(2026, 12, 31),
        "Partenaires": "DGOS",
    }
    learners = Indicator.objects.get(code="IA2-1-APP-AN")
    Measurement.objects.create(
        indicator=learners, date=date(2025, 6, 30), value=Decimal("1234.5"), source="Enquête"
    )
    content = xlsx_file(
        {
            "Actions": [list(changed.values())],
            "Mesures": [["IA2-1-APP-AN", date(2025, 6, 30), 35000, "Enquête DREES", "Revue"]],
        }
    )
    before = database_dump()

    report = import_file(content, "apercu.xlsx", dry_run=True)

    assert report.ok, report.errors
    (action,) = report.sheets[0].changed
    assert (action.row, action.label) == (2, "IA 2-4")
    assert action.change_texts == [
        "Statut\u00a0: «\u202f(vide)\u202f» → «\u202fEn cours\u202f»",
        "Partenaires\u00a0: «\u202f(vide)\u202f» → «\u202fDGOS\u202f»",
        "Fin\u00a0: «\u202f(vide)\u202f» → «\u202f31/12/2026\u202f»",
    ]
    (measurement,) = report.sheets[1].changed
    assert measurement.change_texts == [
        f"Valeur\u00a0: «\u202f1{NNBSP}234,5\u202f» → «\u202f35{NNBSP}000\u202f»",
        "Source\u00a0: «\u202fEnquête\u202f» → «\u202fEnquête DREES\u202f»",
        "Commentaire\u00a0: «\u202f(vide)\u202f» → «\u202fRevue\u202f»",
    ]
    assert database_dump() == before


def test_the_preview_of_a_large_sheet_shows_its_first_rows_and_counts_the_others(
    roadmap, monkeypatch
):
    monkeypatch.setattr(spreadsheets.importing, "PREVIEW_ROWS", 2)
    rows = [
        ["IA2-1-MASTER-NUM", date(2025, month, 1), month, "Arrêté", ""] for month in range(1, 6)
    ]

    report = import_file(xlsx_file({"Mesures": rows}), "gros.xlsx", dry_run=True)

    (sheet,) = report.sheets
    assert len(sheet.new) == 5  # all counted
    assert [row.row for row in sheet.shown_new] == [2, 3]
    assert [row.values for row in sheet.new[2:]] == [[], [], []]  # never shown: not described
    assert sheet.more_new == "… et 3 autres lignes"
    assert (sheet.shown_changed, sheet.more_changed) == ([], "")
    assert sheet.preview_lines() == [
        "Nouvelles lignes\u00a0:",
        f"  Ligne 2\u00a0: IA2-1-MASTER-NUM au 01/01/2025\u00a0: 1{NBSP}parcours, source "
        f"«\u202fArrêté\u202f»",
        f"  Ligne 3\u00a0: IA2-1-MASTER-NUM au 01/02/2025\u00a0: 2{NBSP}parcours, source "
        f"«\u202fArrêté\u202f»",
        "  … et 3 autres lignes",
    ]


def test_the_rows_left_out_of_a_preview_are_counted_in_french():
    assert spreadsheets.importing.more_rows_text(1) == "… et 1 autre ligne"
    assert spreadsheets.importing.more_rows_text(1234) == f"… et 1{NNBSP}234 autres lignes"
    assert spreadsheets.PREVIEW_ROWS == 200


def test_the_dry_run_of_import_roadmap_prints_the_preview_and_writes_nothing(tmp_path, roadmap):
    path = tmp_path / "apercu.xlsx"
    row = ["IA2-1-APP-AN", date(2026, 8, 31), 35000, "Enquête DGOS", "Première remontée"]
    path.write_bytes(xlsx_file({"Mesures": [row]}))
    before = database_dump()
    out = io.StringIO()

    call_command("import_roadmap", str(path), "--dry-run", stdout=out)

    assert out.getvalue().splitlines() == [
        "Mesures\u00a0: 1 nouvelle, 0 modifiée, 0 inchangée, 0 erreur.",
        "  Nouvelles lignes\u00a0:",
        f"    Ligne 2\u00a0: IA2-1-APP-AN au 31/08/2026\u00a0: 35{NNBSP}000{NBSP}apprenants, "
        "source «\u202fEnquête DGOS\u202f», commentaire «\u202fPremière remontée\u202f»",
        "Simulation\u00a0: rien n'a été écrit.",
    ]
    assert database_dump() == before


# --- all or nothing, every error


def test_a_workbook_with_several_bad_rows_reports_every_error_and_writes_nothing(
    roadmap, administrator
):
    content = xlsx_file(
        {
            "Actions": [
                ["IA 5-1", 1, "Nouvelle action", "", "En cours", "DNS", "", None, None],
                [None] * 9,
                ["IA 5-2", 9, "Axe inconnu", "", "Terminé", "XYZ", "HAS, ABC", None, None],
                ["IA 5-3", 1, "", "", "", "", "", "32/01/2025", None],
                ["IA 5-1", 1, "Doublon", "", "", "", "", None, None],
                ["IA 5-4", 1, "Dates inversées", "", "", "", "", date(2025, 6, 1),
                 date(2025, 1, 1)],
            ],
            "Jalons": [
                ["IA 5-1", "Jalon d'une action nouvelle", date(2025, 6, 30), None],
                ["IA 9-9", "Action inconnue", date(2025, 6, 30), None],
                ["IA 2-1", "Jalon", "bientôt", None],
            ],
            "Indicateurs": [
                ["IA 2-1", "NOUVEAU", "Libellé", "u", "Cumulatif", "abc", None, None, None, ""],
            ],
            "Mesures": [
                ["IA2-1-APP-AN", date(2025, 6, 30), "70 000", "", ""],
                ["ia2-1-app-an", date(2025, 6, 30), 1, "Source", ""],
            ],
        }
    )  # fmt: skip
    before = database_dump()

    report = import_file(content, "classeur.xlsx", user=administrator)

    assert not report.committed
    assert errors_of(report) == {
        ("Actions", 4, "Axe"),
        ("Actions", 4, "Statut"),
        ("Actions", 4, "Pilote"),
        ("Actions", 4, "Partenaires"),
        ("Actions", 5, "Titre"),
        ("Actions", 5, "Début"),
        ("Actions", 6, "Code"),
        ("Actions", 7, "Fin"),
        ("Jalons", 3, "Action"),
        ("Jalons", 4, "Échéance"),
        ("Indicateurs", 2, "Valeur initiale"),
        ("Indicateurs", 2, "Cible"),
        ("Mesures", 2, "Source"),
        ("Mesures", 3, "Indicateur"),
    }
    messages = {(e.sheet, e.row, e.column): (e.value, e.message) for e in report.errors}
    assert messages["Actions", 4, "Axe"] == (
        "9",
        "Axe inconnu\u00a0: les axes de cette feuille de route sont 1, 2, 3, 4.",
    )
    assert messages["Actions", 4, "Partenaires"][1].startswith("Organisation inconnue\u00a0: ABC.")
    assert messages["Actions", 6, "Code"][1] == (
        "Doublon\u00a0: même Code qu'à la ligne 2 de cette feuille."
    )
    assert messages["Actions", 7, "Fin"][1] == "La date de fin précède la date de début."
    assert messages["Jalons", 3, "Action"][0] == "IA 9-9"
    assert (
        "Vouliez-vous dire «\u202fIA2-1-APP-AN\u202f»\u202f?"
        in messages["Mesures", 3, "Indicateur"][1]
    )
    assert str(report.errors[0]).startswith(
        "Feuille «\u202fActions\u202f», ligne 4, colonne «\u202f"
    )
    # The valid rows were checked too, and nothing at all was written.
    assert [len(sheet.new) for sheet in report.sheets] == [1, 1, 0, 0]
    assert database_dump() == before


def test_a_failed_import_writes_no_history_either(roadmap, administrator):
    ia_2_4 = Action.objects.get(code="IA 2-4")
    content = xlsx_file(
        {
            "Actions": [["IA 2-4", 2, ia_2_4.title, "", "En cours", "HAS", "", None, None]],
            "Mesures": [["INCONNU", date(2025, 1, 1), 1, "x", ""]],
        }
    )
    history = Action.history.count()
    report = import_file(content, "c.xlsx", user=administrator)
    assert not report.committed
    assert len(report.sheets[0].changed) == 1  # valid, but not written
    assert Action.history.count() == history
    assert Action.objects.get(pk=ia_2_4.pk).status == ""


# --- guard rails


def test_an_empty_file_is_refused(roadmap):
    assert (
        only_message(import_file(b"", "vide.xlsx"))
        == "Le fichier «\u202fvide.xlsx\u202f» est vide."
    )


def test_a_file_with_only_blank_cells_is_refused(roadmap):
    message = only_message(import_file(csv_file([["", "", ""], []]), "blanc.csv"))
    assert "ne contient aucune donnée" in message


def test_a_file_over_the_size_limit_is_refused(roadmap, settings):
    settings.ROADMAP_IMPORT_MAX_BYTES = 1024 * 1024
    content = csv_file([["x" * 1000]] * 1100, header=HEADERS["Jalons"])
    assert "dépasse la taille maximale de 1 Mo" in only_message(import_file(content, "g.csv"))


def test_a_file_over_the_row_limit_is_refused(roadmap, settings):
    settings.ROADMAP_IMPORT_MAX_ROWS = 3
    rows = [["IA 2-1", f"Jalon {n}", "", ""] for n in range(4)]
    for content, name in [
        (csv_file(rows, header=HEADERS["Jalons"]), "j.csv"),
        (xlsx_file({"Jalons": rows}), "j.xlsx"),
    ]:
        assert "dépasse la limite de 3 lignes" in only_message(import_file(content, name))
    assert import_file(csv_file(rows[:3], header=HEADERS["Jalons"]), "j.csv").committed


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("feuille.ods", b"PK\x03\x04...", "Format non pris en charge"),
        ("feuille", b"Code;Axe", "Format non pris en charge"),
        ("feuille.xls", OLE_MAGIC + b"\x00" * 64, "Excel 97-2003 (.xls)"),
        ("feuille.xlsx", OLE_MAGIC + b"\x00" * 64, "Excel 97-2003 (.xls)"),
        ("feuille.xlsx", b"Code;Axe;Titre\r\n", "n'est pas un classeur Excel .xlsx"),
        ("feuille.csv", xlsx_file({"Jalons": []}), "est un classeur Excel, pas un CSV"),
        ("feuille.csv", b"Action;Jalon\x00\x00\x01", "n'est pas un fichier texte CSV"),
        ("feuille.csv", b"Action;Jalon\xff\x81\x8d", "encodage du fichier"),
        ("feuille.xlsx", xlsx_file({"Jalons": []})[:500], "endommagé ou illisible"),
        ("feuille.xlsx", b"PK\x03\x04" + b"\x00" * 200, "endommagé ou illisible"),
    ],
)
def test_a_file_that_is_not_what_its_extension_says_is_refused(roadmap, name, content, message):
    assert message in only_message(import_file(content, name))


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_that_is_not_a_workbook_is_refused(roadmap):
    content = zip_of({"word/document.xml": b"<w/>"})
    assert "n'est pas un classeur Excel (.xlsx)" in only_message(import_file(content, "a.xlsx"))


def test_a_workbook_whose_xml_is_broken_is_refused(roadmap):
    content = zip_of({"[Content_Types].xml": b"<broken", "xl/workbook.xml": b"<also broken"})
    assert "endommagé ou illisible" in only_message(import_file(content, "a.xlsx"))


def test_a_password_protected_workbook_is_refused_with_its_reason(roadmap):
    # Excel encrypts an .xlsx into an OLE compound file holding an « EncryptionInfo » stream.
    content = OLE_MAGIC + b"\x00" * 512 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64
    message = only_message(import_file(content, "protege.xlsx"))
    assert "protégé par un mot de passe" in message


def test_a_zip_bomb_is_refused_before_openpyxl_reads_it(roadmap, settings, monkeypatch):
    settings.ROADMAP_IMPORT_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    content = zip_of(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"\x00" * (3 * 1024 * 1024),
        }
    )
    assert len(content) < 10_000
    opened = []
    monkeypatch.setattr(spreadsheets.openpyxl, "load_workbook", lambda *a, **k: opened.append(a))

    message = only_message(import_file(content, "bombe.xlsx"))

    assert "anormalement volumineux une fois décompressé" in message
    assert opened == []


def test_a_sheet_without_its_required_headers_is_refused(roadmap):
    content = xlsx_file({"Actions": [["Code", "Titre", "Axe"], ["IA 2-1", "x", 1]]}, headers=False)
    message = only_message(import_file(content, "a.xlsx"))
    assert message.startswith(
        "Feuille «\u202fActions\u202f», ligne 1\u00a0: Colonnes obligatoires manquantes\u00a0:"
    )
    assert "Description, Statut, Pilote, Partenaires, Début, Fin" in message


def test_a_csv_is_recognised_by_its_headers_or_told_what_is_missing(roadmap):
    content = csv_file([["IA 2-1", "Un jalon"]], header=["Action", "Jalon"])
    message = only_message(import_file(content, "jalons.csv"))
    assert "Colonnes obligatoires manquantes\u00a0: Échéance, Réalisé le" in message


def test_a_header_twice_is_refused(roadmap):
    header = [*HEADERS["Jalons"], "Jalon"]
    message = only_message(import_file(csv_file([], header=header), "j.csv"))
    assert "La colonne «\u202fJalon\u202f» apparaît deux fois (colonnes B et F)" in message


def test_unknown_sheets_are_ignored_and_named(roadmap):
    content = xlsx_file(
        {"Notes": [["Ceci n'est pas une feuille du modèle"]], "Jalons": [["", "J", "", ""]]}
    )
    report = import_file(content, "c.xlsx", dry_run=True)
    assert report.ok and report.ignored_sheets == ["Notes"]
    assert only_message(import_file(xlsx_file({"Notes": [["rien"]]}), "c.xlsx")).startswith(
        "Aucune feuille reconnue"
    )


def test_two_sheets_of_the_same_kind_are_refused(roadmap):
    rows = [["", "J", "", ""]]
    content = xlsx_file({"Jalons": rows, "Feuil2": [HEADERS["Jalons"], *rows]})
    assert "Deux feuilles correspondent à «\u202fJalons\u202f»" in only_message(
        import_file(content, "c.xlsx")
    )


# --- properties: whatever comes in, errors or a clean import, never an exception or a half


GARBAGE = st.one_of(
    st.none(),
    st.text(max_size=15),
    st.integers(min_value=-(10**22), max_value=10**22),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=date(1800, 1, 1), max_value=date(2400, 1, 1)),
    st.sampled_from(["#N/A", "=SUM(A1:A2)", NBSP, "IA 9-9", "32/13/2025", "1.234,5", "-"]),
)


def plausible(*values):
    """Mostly a value that makes sense in the column, sometimes anything at all."""
    return st.one_of(st.sampled_from(values), st.sampled_from(values), GARBAGE)


COLUMNS = {
    "Actions": [
        plausible("IA 2-1", "IA 2-4", "IA 7-1"),
        plausible(1, 2, "4", "Axe 3"),
        plausible("Titre", "Une action"),
        plausible("", "Texte\nsur deux lignes"),
        plausible("En cours", "done", "", "À RISQUE"),
        plausible("", "DNS", "has"),
        plausible("", "DGOS; HAS", "DNS, AIS"),
        plausible(None, date(2025, 1, 1), "01/01/2025"),
        plausible(None, date(2025, 12, 31), "2025-12-31"),
    ],
    "Jalons": [
        plausible("", "IA 2-1", "IA 7-1"),
        plausible("Jalon A", "Jalon B"),
        plausible(None, "30/06/2025", date(2025, 6, 30)),
        plausible(None, "2025-07-01"),
        plausible("", "Lu ainsi."),
    ],
    "Indicateurs": [
        plausible("IA 2-1", "IA 7-1"),
        plausible("IA2-1-APP-AN", "NOUVEAU-1"),
        plausible("Libellé"),
        plausible("u", "€"),
        plausible("Cumulatif", "per_period", "Niveau"),
        plausible(None, 0, "1 234,5"),
        plausible(None, "01/01/2024"),
        plausible(70000, "70 000", "12,5"),
        plausible(None, "31/12/2030"),
        plausible("", "Plus bas est mieux", "higher"),
        plausible("", "Année universitaire", "month"),
        plausible(None, "01/09/2024"),
        plausible(None, 5, "0"),
        plausible("", "IA2-1-APP-AN", "NOUVEAU-1"),
        plausible("", "Lu ainsi."),
        plausible(None, "31/12/2025"),
    ],
    "Mesures": [
        plausible("IA2-1-APP-AN", "IA2-1-APP-5ANS", "NOUVEAU-1"),
        plausible("30/06/2025", date(2025, 6, 30), "2025-12-31"),
        plausible("35 000", 12.5, -3),
        plausible("Rapport", "DGOS"),
        plausible("", "=1+1"),
    ],
    "Cibles": [
        plausible("IA2-1-APP-AN", "IA2-1-APP-5ANS", "NOUVEAU-1"),
        plausible("31/08/2026", date(2027, 8, 31)),
        plausible("75 000", 12.5),
        plausible("", "Avenant"),
        plausible("", "Lu ainsi."),
    ],
}


def sheet_rows(sheet: str):
    return st.lists(st.tuples(*COLUMNS[sheet]).map(list), max_size=3)


def as_csv_text(value) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


@st.composite
def spreadsheet_files(draw):
    if draw(st.booleans()):
        sheets = {sheet: draw(sheet_rows(sheet)) for sheet in COLUMNS}
        return "classeur.xlsx", xlsx_file(sheets)
    sheet = draw(st.sampled_from(list(COLUMNS)))
    rows = [[as_csv_text(value) for value in row] for row in draw(sheet_rows(sheet))]
    delimiter = draw(st.sampled_from([";", ","]))
    return f"{sheet}.csv", csv_file(
        rows, header=HEADERS[sheet], delimiter=delimiter, encoding="utf-8"
    )


def assert_all_or_nothing(content: bytes, name: str, user) -> None:
    before = database_dump()
    with transaction.atomic():
        report = import_file(content, name, user=user)  # must not raise
        event("importé" if report.committed else "refusé")
        if report.committed:
            assert report.ok
        else:
            assert report.errors
            assert all(str(error) for error in report.errors)
            assert database_dump() == before
        transaction.set_rollback(True)  # keep the examples independent


@DB_PROPERTY
@given(spreadsheet_files())
def test_random_cells_give_a_clean_import_or_errors_never_a_half(roadmap, administrator, file):
    name, content = file
    assert_all_or_nothing(content, name, administrator)


@DB_PROPERTY
@given(
    name=st.sampled_from(["f.xlsx", "f.csv", "f.xls", "f.txt"]),
    data=st.one_of(
        st.binary(max_size=3000),
        st.text(max_size=500).map(lambda text: text.encode("utf-8")),
    ),
)
def test_random_bytes_never_raise_nor_write_half(roadmap, administrator, name, data):
    assert_all_or_nothing(data, name, administrator)


@DB_PROPERTY
@given(cut=st.integers(min_value=0, max_value=10_000), flips=st.lists(st.integers(0, 10_000)))
def test_damaged_workbooks_never_raise_nor_write_half(roadmap, administrator, cut, flips):
    content = bytearray(template_workbook(roadmap))
    for position in flips:
        content[position % len(content)] ^= 0xFF
    assert_all_or_nothing(bytes(content[: len(content) - cut]), "abime.xlsx", administrator)


def test_milestones_written_in_batches_keep_their_first_due_date_version_and_history(
    roadmap, administrator
):
    headers = HEADERS["Jalons"]
    first = xlsx_file({"Jalons": [["IA 2-1", "Lancement", "31/03/2026", None, ""]]})
    assert import_file(first, "un.xlsx", user=administrator).committed
    milestone = Milestone.objects.get(action__code="IA 2-1", title="Lancement")
    assert (milestone.due_date, milestone.original_due_date) == (date(2026, 3, 31),) * 2
    assert milestone.roadmap == roadmap
    assert milestone.version == 1

    later = xlsx_file({"Jalons": [["IA 2-1", "Lancement", "30/06/2026", "15/06/2026", ""]]})
    report = import_file(later, "deux.xlsx", user=administrator)

    assert report.committed and len(report.sheets[0].changed) == 1
    assert headers[2] == "Échéance"
    milestone.refresh_from_db()
    assert milestone.due_date == date(2026, 6, 30)
    assert milestone.original_due_date == date(2026, 3, 31)  # the slippage stays visible
    assert milestone.done_on == date(2026, 6, 15)
    assert milestone.version == 2
    assert [
        (row.history_type, row.history_user, row.history_change_reason)
        for row in milestone.history.order_by("history_id")
    ] == [
        ("+", administrator, "Import du fichier «\u202fun.xlsx\u202f»"),
        ("~", administrator, "Import du fichier «\u202fdeux.xlsx\u202f»"),
    ]
