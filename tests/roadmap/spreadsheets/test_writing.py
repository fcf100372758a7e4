"""Tests of roadmap.spreadsheets: French values, exports, the round trip, and the history.

- French numbers, dates and labels are read the way French spreadsheets write them, and
  refused with a French message otherwise (also as hypothesis properties);
- exports have the French headers of docs/contract.md, real dates, and neutralised formulas;
- export → import into an empty roadmap → export gives the same workbook, CSV and JSON, through
  a real .xlsx and through the CSV files as French Excel saves them, with periods, dated targets,
  sums, interpretations and a retired indicator;
- an import is recorded in the history (who, why), and a row that changes nothing is not saved;
- the blank template is valid and lists the allowed values.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Organisation
from roadmap.models import Action, Indicator, Measurement, Milestone, Status, Target
from roadmap.spreadsheets import (
    ChoiceWidget,
    _unescape_csv,
    csv_cell,
    display,
    export_csv_files,
    export_json,
    export_periods_csv,
    export_workbook,
    fold,
    import_file,
    parse_date,
    parse_decimal,
    template_workbook,
)
from roadmap.spreadsheets.periods import PERIODS
from tests.support.files import HEADERS, as_french_excel_csv, csv_file, read_xlsx, xlsx_file

NBSP, NNBSP = "\u00a0", "\u202f"


# --- French values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("70 000", Decimal("70000")),
        (f"70{NBSP}000", Decimal("70000")),
        (f"70{NNBSP}000", Decimal("70000")),
        ("1 234,5", Decimal("1234.5")),
        ("1234.5", Decimal("1234.5")),
        ("-12,25", Decimal("-12.25")),
        ("\u221212", Decimal("-12")),  # the minus sign some tools write
        ("  42  ", Decimal("42")),
        ("", None),
        (None, None),
        (70000, Decimal("70000")),
        (1234.5, Decimal("1234.5")),
        (0.1 + 0.2, Decimal("0.3")),  # Excel's binary noise, under the 4 decimals kept
    ],
)
def test_it_reads_french_numbers(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize(
    "text", ["abc", "1.234,5", "12,", "1,2,3", "70 000 €", "#N/A", "nan", True, date(2025, 1, 1)]
)
def test_it_refuses_what_is_not_a_number_in_french(text):
    with pytest.raises(ValueError, match="Nombre attendu"):
        parse_decimal(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31/12/2025", date(2025, 12, 31)),
        ("1/2/2025", date(2025, 2, 1)),
        ("2025-12-31", date(2025, 12, 31)),
        ("31.12.2025", date(2025, 12, 31)),
        ("2025-12-31 00:00:00", date(2025, 12, 31)),
        (datetime(2025, 12, 31), date(2025, 12, 31)),  # an Excel date cell, as openpyxl reads it
        (date(2025, 12, 31), date(2025, 12, 31)),
        ("", None),
        (None, None),
    ],
)
def test_it_reads_french_dates(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/2025", "n'existe pas"),
        ("12/31/2025", "n'existe pas"),  # day first, as in France
        ("demain", "Date attendue"),
        (45657, "Date attendue"),  # an Excel serial without a date format: not guessed
        ("31/12/0202", "Année hors limites"),
    ],
)
def test_it_refuses_what_is_not_a_date_in_french(value, message):
    with pytest.raises(ValueError, match=message):
        parse_date(value)


def test_headers_and_labels_match_whatever_the_case_accents_and_spaces():
    assert fold("  RÉALISÉ  le ") == fold("Réalisé le") == fold("realise le")
    assert fold("Échéance") == fold("ECHEANCE")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("En cours", "in_progress"),
        ("EN COURS", "in_progress"),
        ("in_progress", "in_progress"),
        ("a risque", "at_risk"),
        ("À RISQUE", "at_risk"),
        ("Réalisée", "done"),
        ("realisee", "done"),
        ("Non renseigné", ""),
        ("", ""),
    ],
)
def test_statuses_are_read_by_french_label_or_code(text, code):
    assert ChoiceWidget(Status, blank_labels=["Non renseigné"]).clean(text) == code


def test_an_unknown_status_lists_the_allowed_labels():
    with pytest.raises(ValueError) as error:
        ChoiceWidget(Status).clean("Terminé")
    assert "Valeurs possibles\u00a0: Non démarrée, En cours, À risque" in str(error.value)


@given(
    st.one_of(
        st.none(),
        st.text(max_size=20),
        st.integers(),
        st.floats(),
        st.decimals(),
        st.booleans(),
        st.dates(),
        st.datetimes(),
    )
)
def test_parsers_return_a_value_or_a_french_error_never_anything_else(value):
    for parse in (parse_decimal, parse_date):
        try:
            parse(value)
        except ValueError as error:
            assert str(error)


@given(st.decimals(min_value=-(10**15), max_value=10**15, places=4, allow_nan=False))
def test_numbers_written_by_exports_or_previews_read_back_the_same(number):
    assert parse_decimal(csv_cell(number)) == number
    assert parse_decimal(display(number)) == number  # « 1 234,5 » with narrow no-break spaces


# --- a roadmap with everything a workbook can hold


@pytest.fixture
def busy_roadmap(roadmap):
    """The seed roadmap after some months of work: statuses, owners, milestones, measurements,
    negative and decimal values, text that a spreadsheet would take for a formula, dated targets
    (intermediate, and a period's own), a quarterly indicator summed by one listed before it, a
    retired indicator and interpretations. The seed brings per-period indicators and a sum."""
    orgs = {org.acronym: org for org in Organisation.objects.all()}
    ia_2_1 = Action.objects.get(roadmap=roadmap, code="IA 2-1")
    ia_2_1.status = Status.IN_PROGRESS
    ia_2_1.lead = orgs["DGOS"]
    ia_2_1.start_date, ia_2_1.end_date = date(2024, 9, 1), date(2029, 8, 31)
    ia_2_1.description = '=HYPERLINK("http://exemple.test") n\'est pas une formule\nLigne 2'
    ia_2_1.save()
    ia_2_1.partners.set([orgs["HAS"], orgs["PariSanté Campus"]])
    Action.objects.filter(roadmap=roadmap, code="IA 2-4").update(status=Status.AT_RISK)
    Milestone.objects.create(
        roadmap=roadmap,
        action=ia_2_1,
        title="+2 masters ouverts",
        due_date=date(2025, 9, 1),
        done_on=date(2025, 9, 15),
    )
    Milestone.objects.create(roadmap=roadmap, action=ia_2_1, title="Bilan à fixer")
    learners = Indicator.objects.get(roadmap=roadmap, code="IA2-1-APP-AN")
    Measurement.objects.create(
        indicator=learners,
        date=date(2025, 6, 30),
        value=Decimal("35000"),
        source="@DGOS rapport",
        comment="-5 % par rapport à la cible",
    )
    Measurement.objects.create(
        indicator=Indicator.objects.get(roadmap=roadmap, code="IA2-1-INVEST"),
        date=date(2025, 1, 31),
        value=Decimal("-1234.5678"),
        source="'Source entre apostrophes",
    )
    Target.objects.create(
        indicator=learners,
        on=date(2025, 12, 31),
        value=75000,
        source="Avenant DGOS",
        interpretation="La cible de 2025/2026, relevée par l'avenant.",
    )
    Target.objects.create(
        indicator=Indicator.objects.get(roadmap=roadmap, code="IA2-1-APP-5ANS"),
        on=date(2027, 8, 31),
        value=Decimal("280000.5"),
        source="",
    )
    total = Indicator.objects.create(
        action=ia_2_1,
        code="IA2-1-TRIM-TOTAL",
        label="Sessions sur deux ans",
        unit="sessions",
        kind="cumulative",
        baseline_value=0,
        baseline_date=date(2025, 1, 1),
        target_value=80,
        target_date=date(2026, 12, 31),
        position=0,  # before its source, in the sheet too
    )
    quarterly = Indicator.objects.create(
        action=ia_2_1,
        code="IA2-1-TRIM",
        label="Sessions par trimestre",
        unit="sessions",
        kind="per_period",
        target_value=10,
        periodicity="quarter",
        periods_from=date(2025, 1, 1),
        period_count=8,
        interpretation="« Dix sessions par trimestre », pendant deux ans.",
        position=20,
    )
    total.summed_from = quarterly
    total.save()
    Measurement.objects.create(
        indicator=quarterly, date=date(2025, 3, 31), value=9, source="Bilan T1"
    )
    Indicator.objects.filter(code="IA2-1-MASTER-REG").update(retired_on=date(2026, 1, 15))
    Milestone.objects.filter(title="Bilan à fixer").update(
        interpretation="=Aucune date dans la source."
    )
    return roadmap


def wipe(roadmap):
    """Empty the roadmap of what the workbook holds; axes and organisations stay."""
    Action.objects.filter(roadmap=roadmap).delete()
    Milestone.objects.filter(roadmap=roadmap).delete()


# --- exports


def test_the_workbook_has_the_french_sheets_and_headers_of_the_design(busy_roadmap):
    book = read_xlsx(export_workbook(busy_roadmap))
    assert list(book) == ["Actions", "Jalons", "Indicateurs", "Mesures", "Cibles", "Périodes"]
    for sheet, rows in book.items():
        assert rows[0] == (PERIODS.columns if sheet == "Périodes" else HEADERS[sheet])
    assert len(book["Actions"]) == 1 + 17
    assert book["Cibles"][1:] == [
        ["IA2-1-APP-5ANS", datetime(2027, 8, 31), 280000.5, None, None],
        [
            "IA2-1-APP-AN",
            datetime(2025, 12, 31),
            75000,
            "Avenant DGOS",
            "La cible de 2025/2026, relevée par l'avenant.",
        ],
    ]


def test_the_indicators_sheet_holds_periods_sums_interpretations_and_retirement(busy_roadmap):
    rows = read_xlsx(export_workbook(busy_roadmap))["Indicateurs"]
    by_code = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    learners = by_code["IA2-1-APP-AN"]
    assert [learners[column] for column in HEADERS["Indicateurs"][10:15]] == [
        "Année universitaire (septembre à août)",
        datetime(2024, 9, 1),
        5,
        None,
        Indicator.objects.get(code="IA2-1-APP-AN").interpretation,
    ]
    assert by_code["IA2-1-PRO-AN"]["Nombre de périodes"] is None  # open-ended
    assert by_code["IA2-1-APP-5ANS"]["Somme de"] == "IA2-1-APP-AN"
    assert by_code["IA2-1-APP-5ANS"]["Périodicité"] is None
    assert by_code["IA2-1-TRIM"]["Périodicité"] == "Trimestre"
    assert by_code["IA2-1-MASTER-REG"]["Retiré le"] == datetime(2026, 1, 15)
    assert by_code["IA2-1-MASTER-NUM"]["Retiré le"] is None
    # the sum listed before the quarterly indicator it adds up, as the action orders them
    codes = [row[1] for row in rows[1:]]
    assert codes.index("IA2-1-TRIM-TOTAL") < codes.index("IA2-1-TRIM")
    milestones = read_xlsx(export_workbook(busy_roadmap))["Jalons"]
    assert ["IA 2-1", "Bilan à fixer", None, None, "=Aucune date dans la source."] in milestones


def test_the_workbook_holds_real_dates_numbers_and_french_labels(busy_roadmap):
    book = openpyxl.load_workbook(io.BytesIO(export_workbook(busy_roadmap)))
    actions = {row[0].value: row for row in book["Actions"].iter_rows(min_row=2)}
    ia_2_1 = actions["IA 2-1"]
    assert [cell.value for cell in ia_2_1[4:7]] == ["En cours", "DGOS", "HAS, PariSanté Campus"]
    assert ia_2_1[7].value == datetime(2024, 9, 1)
    assert ia_2_1[7].is_date and ia_2_1[7].number_format == "DD/MM/YYYY"
    assert ia_2_1[1].value == 2  # the axis, a number
    indicators = {row[1].value: row for row in book["Indicateurs"].iter_rows(min_row=2)}
    assert indicators["IA2-1-APP-AN"][7].value == 70000
    assert indicators["IA2-1-APP-AN"][4].value == "Par période"
    assert indicators["IA2-1-APP-AN"][9].value == "Plus haut est mieux"
    measures = list(book["Mesures"].iter_rows(min_row=2, values_only=True))
    assert measures[1][:3] == ("IA2-1-INVEST", datetime(2025, 1, 31), -1234.5678)


def test_text_that_looks_like_a_formula_is_written_as_inert_text_in_xlsx(busy_roadmap):
    book = openpyxl.load_workbook(io.BytesIO(export_workbook(busy_roadmap)))
    cells = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value[:1] in "=+-@"
    ]
    assert {cell.value[:1] for cell in cells} == {"=", "+", "-", "@"}
    for cell in cells:
        # A text cell with Excel's « quote prefix »: shown as typed, never evaluated.
        assert cell.data_type == "s"
        assert cell.quotePrefix is True


def test_text_that_looks_like_a_formula_gets_an_apostrophe_in_csv(busy_roadmap):
    files = {
        name: content.decode("utf-8") for name, content in export_csv_files(busy_roadmap).items()
    }
    assert (
        '"\'=HYPERLINK(""http://exemple.test"") n\'est pas une formule\nLigne 2"'
        in files["actions"]
    )
    assert "'+2 masters ouverts" in files["jalons"]
    assert "'@DGOS rapport,'-5 % par rapport à la cible" in files["mesures"]
    assert "''Source entre apostrophes" in files["mesures"]
    assert ",-1234.5678," in files["mesures"]  # numbers are numbers, not neutralised text


def test_csv_exports_are_utf8_comma_separated_with_a_header_row(busy_roadmap):
    files = export_csv_files(busy_roadmap)
    assert list(files) == ["actions", "jalons", "indicateurs", "mesures", "cibles"]
    first_line = files["actions"].split(b"\r\n")[0]
    assert first_line == "Code,Axe,Titre,Description,Statut,Pilote,Partenaires,Début,Fin".encode()
    assert not files["actions"].startswith(b"\xef\xbb\xbf")
    assert b"2024-09-01" in files["actions"]


ON_15_JANUARY_2026 = date(2026, 1, 15)


def test_the_periods_sheet_holds_each_period_against_its_own_target(busy_roadmap):
    book = openpyxl.load_workbook(io.BytesIO(export_workbook(busy_roadmap, ON_15_JANUARY_2026)))
    sheet = book["Périodes"]
    rows = list(sheet.iter_rows(values_only=True))

    assert list(rows[0]) == PERIODS.columns
    # the derived sheet says so where one looks first, and is written like the others
    assert "l'import l'ignore" in sheet["A1"].comment.text
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert sheet["C2"].is_date and sheet["C2"].number_format == "DD/MM/YYYY"
    learners = [list(row) for row in rows[1:] if row[0] == "IA2-1-APP-AN"]
    assert learners == [
        # 35 000 measured on 30 June 2025: half of its year's 70 000, not reached
        ["IA2-1-APP-AN", "2024/2025", datetime(2024, 9, 1), datetime(2025, 8, 31),
         70000, 35000, 50, "passée", "non"],
        # its own target (a Target row dated within it), nothing measured yet
        ["IA2-1-APP-AN", "2025/2026", datetime(2025, 9, 1), datetime(2026, 8, 31),
         75000, None, None, "en cours", None],
        ["IA2-1-APP-AN", "2026/2027", datetime(2026, 9, 1), datetime(2027, 8, 31),
         70000, None, None, "à venir", None],
        ["IA2-1-APP-AN", "2027/2028", datetime(2027, 9, 1), datetime(2028, 8, 31),
         70000, None, None, "à venir", None],
        ["IA2-1-APP-AN", "2028/2029", datetime(2028, 9, 1), datetime(2029, 8, 31),
         70000, None, None, "à venir", None],
    ]  # fmt: skip
    quarters = [row[1:] for row in rows[1:] if row[0] == "IA2-1-TRIM"]
    assert [row[0] for row in quarters] == [f"T{n} {y}" for y in (2025, 2026) for n in range(1, 5)]
    assert quarters[0][3:] == (10, 9, 90, "passée", "non")
    # only the per-period indicators, in the order the action lists them
    assert [row[0] for row in rows[1:]] == (
        ["IA2-1-PRO-AN"] * 2 + ["IA2-1-APP-AN"] * 5 + ["IA2-1-TRIM"] * 8
    )


def test_a_retired_per_period_indicator_keeps_its_periods(busy_roadmap):
    Indicator.objects.filter(code="IA2-1-TRIM").update(retired_on=date(2025, 12, 31))

    rows = read_xlsx(export_workbook(busy_roadmap, ON_15_JANUARY_2026))["Périodes"]

    assert len([row for row in rows if row[0] == "IA2-1-TRIM"]) == 8


def test_the_periods_csv_is_for_french_excel(busy_roadmap):
    Measurement.objects.create(
        indicator=Indicator.objects.get(code="IA2-1-TRIM"),
        date=date(2025, 5, 15),
        value=Decimal("2.5"),
        source="=Bilan T2",
    )
    content = export_periods_csv(busy_roadmap, ON_15_JANUARY_2026)

    assert content.startswith(b"\xef\xbb\xbf")
    lines = content[3:].decode("utf-8").split("\r\n")
    assert lines[0] == "Indicateur;Période;Début;Fin;Cible;Valeur;Avancement;État;Atteinte"
    assert "IA2-1-APP-AN;2024/2025;2024-09-01;2025-08-31;70000;35000;50;passée;non" in lines
    assert "IA2-1-APP-AN;2025/2026;2025-09-01;2026-08-31;75000;;;en cours;" in lines
    # decimals with a comma, as French Excel reads numbers
    assert "IA2-1-TRIM;T2 2025;2025-04-01;2025-06-30;10;2,5;25;passée;non" in lines


def test_the_periods_are_the_same_in_any_language(busy_roadmap):
    with translation.override("en"):
        english = export_periods_csv(busy_roadmap, ON_15_JANUARY_2026)
    assert english == export_periods_csv(busy_roadmap, ON_15_JANUARY_2026)
    assert "passée".encode() in english


def test_json_export_has_iso_dates_and_json_numbers(busy_roadmap):
    data = json.loads(export_json(busy_roadmap))
    assert data["roadmap"]["slug"] == "ia-en-sante-2025"
    ia_2_1 = next(row for row in data["sheets"]["Actions"] if row["Code"] == "IA 2-1")
    assert ia_2_1["Début"] == "2024-09-01"
    assert ia_2_1["Axe"] == 2
    target = next(row for row in data["sheets"]["Indicateurs"] if row["Code"] == "IA2-1-APP-AN")
    assert target["Cible"] == 70000
    assert target["Valeur initiale"] == 0


# --- round trip


def test_an_export_reimports_unchanged(busy_roadmap, administrator):
    for name, content in [
        ("feuille.xlsx", export_workbook(busy_roadmap)),
        *((f"feuille-{slug}.csv", data) for slug, data in export_csv_files(busy_roadmap).items()),
    ]:
        report = import_file(content, name, user=administrator, dry_run=True)
        assert report.ok, report.errors
        assert not report.has_changes, [(s.name, s.new, s.changed) for s in report.sheets]
        # the derived sheet is left out of the import
        assert report.ignored_sheets == (["Périodes"] if name.endswith(".xlsx") else [])
        assert "Périodes" not in [sheet.name for sheet in report.sheets]


def test_round_trip_export_import_into_an_empty_roadmap_export_gives_the_same_workbook(
    busy_roadmap, administrator
):
    workbook, csv_files = export_workbook(busy_roadmap), export_csv_files(busy_roadmap)
    json_before = json.loads(export_json(busy_roadmap))
    wipe(busy_roadmap)
    assert not Action.objects.exists()

    report = import_file(workbook, "feuille.xlsx", user=administrator)

    assert report.committed, report.errors
    assert [len(sheet.new) for sheet in report.sheets] == [17, 4, 11, 3, 2]
    assert read_xlsx(export_workbook(busy_roadmap)) == read_xlsx(workbook)
    assert export_csv_files(busy_roadmap) == csv_files
    assert json.loads(export_json(busy_roadmap)) == json_before
    total = Indicator.objects.get(code="IA2-1-TRIM-TOTAL")
    assert (total.summed_from.code, total.summed_from.period_count) == ("IA2-1-TRIM", 8)


def test_round_trip_through_the_csv_files_one_sheet_at_a_time(busy_roadmap, administrator):
    csv_files = export_csv_files(busy_roadmap)
    wipe(busy_roadmap)
    for slug, content in csv_files.items():  # in dependency order
        report = import_file(content, f"feuille-{slug}.csv", user=administrator)
        assert report.committed, report.errors
    assert export_csv_files(busy_roadmap) == csv_files


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_round_trip_through_the_csv_files_as_french_excel_saves_them(
    busy_roadmap, administrator, encoding
):
    if encoding == "cp1252":
        # Windows-1252 has no narrow no-break space (« 100 % », « ; »): Excel writes « ? » in
        # its place, a loss of its own. Texts that fit in Windows-1252 must come back unchanged.
        narrow = 0
        for model, column in (
            (Indicator, "interpretation"),
            (Milestone, "interpretation"),
            (Target, "interpretation"),
            (Milestone, "title"),
        ):
            for row in model.objects.filter(**{f"{column}__contains": "\u202f"}):
                setattr(row, column, getattr(row, column).replace("\u202f", "\u00a0"))
                row.save()
                narrow += 1
        assert narrow > 0
    csv_files = export_csv_files(busy_roadmap)
    excel = {
        slug: as_french_excel_csv(content, encoding=encoding) for slug, content in csv_files.items()
    }
    assert b";31/08/2029;" in excel["indicateurs"] and b";-1234,5678;" in excel["mesures"]
    wipe(busy_roadmap)

    for slug, content in excel.items():
        report = import_file(content, f"{slug}.csv", user=administrator)
        assert report.committed, report.errors

    assert export_csv_files(busy_roadmap) == csv_files


def test_the_seed_goes_through_the_workbook_and_back_unchanged(roadmap, administrator):
    workbook = export_workbook(roadmap)
    json_before = json.loads(export_json(roadmap))
    wipe(roadmap)

    report = import_file(workbook, "semence.xlsx", user=administrator)

    assert report.committed, report.errors
    assert [len(sheet.new) for sheet in report.sheets] == [17, 2, 9, 0, 0]
    assert json.loads(export_json(roadmap)) == json_before
    learners = Indicator.objects.get(code="IA2-1-APP-AN")
    assert (learners.periodicity, learners.periods_from, learners.period_count) == (
        "academic_year",
        date(2024, 9, 1),
        5,
    )
    assert learners.interpretation.startswith("«\u202f70 000 apprenants […] formés\u202f»")
    assert Indicator.objects.get(code="IA2-1-APP-5ANS").summed_from == learners


# --- what an import stores, and its history


def actions_sheet(roadmap, changed_row: list) -> list[list]:
    """The Actions rows of `roadmap` as exported, with `changed_row` instead of its action's."""
    rows = read_xlsx(export_workbook(roadmap))["Actions"][1:]
    return [changed_row if row[0] == changed_row[0] else row for row in rows]


def test_an_import_is_signed_in_the_history_and_unchanged_rows_are_not_saved(
    roadmap, administrator
):
    ia_2_1 = Action.objects.get(roadmap=roadmap, code="IA 2-1")
    row = [
        "IA 2-1",
        2,
        ia_2_1.title,
        ia_2_1.description,
        "En cours",
        "DGOS",
        "HAS; DNS",
        date(2025, 1, 1),
        None,
    ]
    content = xlsx_file({"Actions": actions_sheet(roadmap, row)})
    versions = dict(Action.objects.values_list("code", "version"))
    history = Action.history.count()

    report = import_file(content, "suivi.xlsx", user=administrator)

    assert report.committed
    assert [len(report.sheets[0].changed), report.sheets[0].unchanged] == [1, 16]
    ia_2_1.refresh_from_db()
    assert (ia_2_1.status, ia_2_1.lead.acronym, ia_2_1.start_date) == (
        "in_progress",
        "DGOS",
        date(2025, 1, 1),
    )
    assert sorted(ia_2_1.partners.values_list("acronym", flat=True)) == ["DNS", "HAS"]
    # One history row for the one changed action, signed, with the partners it now has.
    assert Action.history.count() == history + 1
    record = ia_2_1.history.latest()
    assert record.history_user == administrator
    assert record.history_change_reason == "Import du fichier «\u202fsuivi.xlsx\u202f»"
    assert sorted(p.organisation.acronym for p in record.partners.all()) == ["DNS", "HAS"]
    assert ia_2_1.version == versions["IA 2-1"] + 1
    others = dict(Action.objects.exclude(code="IA 2-1").values_list("code", "version"))
    assert others == {code: v for code, v in versions.items() if code != "IA 2-1"}

    # The same file again changes nothing and writes nothing.
    again = import_file(content, "suivi.xlsx", user=administrator)
    assert again.committed and not again.has_changes
    assert Action.history.count() == history + 1


def test_the_preview_shows_old_and_new_values(roadmap, administrator):
    ia_2_4 = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    row = ["IA 2-4", 2, ia_2_4.title, ia_2_4.description, "À risque", "HAS", "", None, None]
    report = import_file(xlsx_file({"Actions": [row]}), "a.xlsx", user=administrator, dry_run=True)
    (changed,) = report.sheets[0].changed
    assert changed.label == "IA 2-4"
    assert changed.changes == [("Statut", "", "À risque")]
    assert Action.objects.get(pk=ia_2_4.pk).status == ""  # a preview writes nothing


def test_new_measurements_are_recorded_by_the_importing_user(roadmap, administrator):
    content = xlsx_file(
        {"Mesures": [["IA2-1-APP-AN", date(2025, 6, 30), 35000, "Rapport DGOS", ""]]}
    )
    assert import_file(content, "m.xlsx", user=administrator).committed
    measurement = Measurement.objects.get()
    assert measurement.recorded_by == administrator
    assert measurement.history.get().history_user == administrator


def test_measurements_written_in_batches_keep_their_history_versions_and_dates(
    roadmap, administrator, has_member
):
    # The Mesures sheet is written in bulk: what save() and simple-history would do per row
    # must still happen: a signed history row per change, a new version, a new date of change.
    indicator = Indicator.objects.get(code="IA2-1-APP-AN")
    kept = Measurement.objects.create(
        indicator=indicator,
        date=date(2025, 3, 31),
        value=10000,
        source="Enquête",
        recorded_by=has_member,
    )
    changed = Measurement.objects.create(
        indicator=indicator,
        date=date(2025, 4, 30),
        value=15000,
        source="Enquête",
        recorded_by=has_member,
    )
    read_at = changed.version
    rows = [
        ["IA2-1-APP-AN", date(2025, 3, 31), 10000, "Enquête", ""],
        ["IA2-1-APP-AN", date(2025, 4, 30), 16000, "Enquête corrigée", ""],
        ["IA2-1-APP-AN", date(2025, 5, 31), 20000, "Rapport DGOS", "Provisoire"],
    ]

    report = import_file(xlsx_file({"Mesures": rows}), "mesures.xlsx", user=administrator)

    assert report.committed
    sheet = report.sheets[0]
    assert [len(sheet.new), len(sheet.changed), sheet.unchanged] == [1, 1, 1]
    kept_after = Measurement.objects.get(pk=kept.pk)
    assert (kept_after.version, kept_after.updated_at) == (kept.version, kept.updated_at)
    changed.refresh_from_db()
    assert (changed.value, changed.source, changed.version) == (
        16000,
        "Enquête corrigée",
        read_at + 1,
    )
    assert changed.updated_at > kept.updated_at
    assert changed.recorded_by == has_member  # who first recorded it stays
    new = Measurement.objects.get(date=date(2025, 5, 31))
    assert (new.value, new.source, new.comment, new.recorded_by) == (
        20000,
        "Rapport DGOS",
        "Provisoire",
        administrator,
    )
    for measurement, kind in ((changed, "~"), (new, "+")):
        record = measurement.history.latest()
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            kind,
            administrator,
            "Import du fichier «\u202fmesures.xlsx\u202f»",
        )
        assert (record.value, record.version) == (measurement.value, measurement.version)
    assert kept_after.history.count() == 1


def measurement_rows(count: int) -> list[list]:
    # Not on a sum: its values are those of the indicator it adds up.
    measured = Indicator.objects.filter(summed_from=None).order_by("code")
    codes = list(measured.values_list("code", flat=True))
    return [
        [
            codes[n % len(codes)],
            date(2020 + n // 120, n // 10 % 12 + 1, 1 + n % 10),
            n,
            "Enquête",
            "",
        ]
        for n in range(count)
    ]


def test_ten_times_more_measurements_cost_hardly_more_queries(roadmap, administrator):
    # Written in batches: more rows only mean more INSERT batches (SQLite caps the parameters
    # of one statement), never a query or two per row as a save each would.
    queries = []
    for count in (30, 300):
        content = xlsx_file({"Mesures": measurement_rows(count)})
        with CaptureQueriesContext(connection) as captured:
            report = import_file(content, f"{count}.xlsx", user=administrator)
        assert report.committed
        queries.append(len(captured))
        Measurement.objects.all().delete()

    assert (queries[1] - queries[0]) * 20 < 300 - 30, queries


def test_new_indicators_follow_their_actions_others_in_sheet_order(roadmap, administrator):
    rows = [
        ["IA 2-1", code, f"Indicateur {code}", "u", "Niveau", None, None, 1, None, None]
        for code in ("Z-NOUVEAU", "A-NOUVEAU")
    ]
    assert import_file(xlsx_file({"Indicateurs": rows}), "i.xlsx").committed
    codes = list(
        Indicator.objects.filter(action__code="IA 2-1")
        .order_by("position")
        .values_list("code", flat=True)
    )
    assert codes[-2:] == ["Z-NOUVEAU", "A-NOUVEAU"]
    assert Indicator.objects.get(code="Z-NOUVEAU").direction == "higher"  # empty Sens


def test_a_milestone_without_action_belongs_to_the_roadmap(roadmap):
    rows = [[None, "Conseil du numérique en santé", "30/06/2025", None]]
    assert import_file(csv_file(rows, header=HEADERS["Jalons"]), "j.csv").committed
    milestone = Milestone.objects.get(title="Conseil du numérique en santé")
    assert (milestone.roadmap, milestone.action, milestone.due_date) == (
        roadmap,
        None,
        date(2025, 6, 30),
    )


# --- the blank template


def test_the_template_has_one_valid_example_row_per_sheet_and_the_allowed_values(roadmap):
    content = template_workbook(roadmap)
    book = read_xlsx(content)
    assert list(book) == [
        "Actions",
        "Jalons",
        "Indicateurs",
        "Mesures",
        "Cibles",
        "Valeurs autorisées",
    ]
    for sheet in HEADERS:
        assert book[sheet][0] == HEADERS[sheet]
        assert len(book[sheet]) == 2
    allowed = {value for row in book["Valeurs autorisées"] for value in row if value}
    assert {"En cours", "in_progress", "Cumulatif", "Plus bas est mieux", "DGOS"} <= allowed
    assert {"Non renseigné", "PariSanté Campus", 4} <= allowed
    assert {"Année universitaire (septembre à août)", "academic_year", "Trimestre"} <= allowed

    report = import_file(content, "modele.xlsx", dry_run=True)
    assert report.ok, report.errors
    assert [len(sheet.new) for sheet in report.sheets] == [1, 1, 1, 1, 1]
    assert report.ignored_sheets == ["Valeurs autorisées"]


@given(st.text(max_size=40))
def test_any_text_survives_the_round_trip_through_a_csv_cell(text):
    assert _unescape_csv(csv_cell(text)) == text
