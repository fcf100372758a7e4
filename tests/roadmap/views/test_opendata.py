"""Tests of the open data: `/donnees/`, the JSON and its schema, the workbook and the CSV files.

The JSON follows docs/contract.md and the schema kept in the repository
(roadmap/schemas/feuille-de-route.schema.json), checked here on the seed, on a measured roadmap
and with no roadmap at all; its figures are typed (numbers, ISO dates, null), never strings.
"""

from __future__ import annotations

import copy
import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.utils import timezone

from roadmap import progress, spreadsheets
from roadmap.models import Measurement, Milestone, Status
from roadmap.opendata import COLUMN_DESCRIPTIONS, SCHEMA_PATH, schema
from tests.support import json_schema
from tests.support.builders import colleague, set_status
from tests.support.constants import SEED, SEED_ACTIONS
from tests.support.html import element, tables_without_rows, text

SEED_FIGURES = {
    "IA2-1-PRO-AN": 140000,
    "IA2-1-APP-AN": 70000,
    "IA2-1-APP-5ANS": 500000,
    "IA2-1-MASTER-NUM": 15,
    "IA2-1-MASTER-JUR": 2,
    "IA2-1-MASTER-REG": 5,
    "IA2-1-INVEST": 119000000,
}


def document(client) -> dict:
    response = client.get("/donnees/feuille-de-route.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def indicators_of(data: dict) -> dict[str, dict]:
    return {
        indicator["code"]: indicator
        for axis in data["axes"]
        for action in axis["actions"]
        for indicator in action["indicators"]
    }


def actions_of(data: dict) -> dict[str, dict]:
    return {action["code"]: action for axis in data["axes"] for action in axis["actions"]}


# --- The schema and its checker ------------------------------------------------------------------


def test_the_schema_kept_in_the_repository_is_served_as_it_is(client, db):
    response = client.get("/donnees/feuille-de-route.schema.json")

    assert response.status_code == 200
    assert json.loads(response.content) == json.loads(SCHEMA_PATH.read_text("utf-8"))


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda d: d["axes"][1]["actions"][0]["indicators"][0].update(target="140000"), "type"),
        (lambda d: d["axes"][0].pop("number"), "'number' is missing"),
        (lambda d: d["axes"][0]["actions"][0].update(status="en_cours"), "is not one of"),
        (lambda d: d["axes"][0]["actions"][0].update(progress=120), "120 > 100"),
        (lambda d: d["roadmap"].update(source_date="11/02/2025"), "is not a date"),
        (lambda d: d["roadmap"].update(extra=1), "'extra' is not allowed"),
        (lambda d: d["axes"][0]["actions"][0].update(partners=[None]), "type"),
    ],
)
def test_the_schema_checker_rejects_what_the_schema_forbids(client, roadmap, breakage, message):
    data = document(client)
    assert json_schema.errors(data, schema()) == []

    broken = copy.deepcopy(data)
    breakage(broken)

    found = json_schema.errors(broken, schema())
    assert len(found) == 1 and message in found[0], found


# --- The JSON ------------------------------------------------------------------------------------


def test_the_json_of_the_seed_follows_the_schema(client, roadmap):
    assert json_schema.errors(document(client), schema()) == []


def test_the_json_holds_the_seed_s_targets_as_numbers(client, roadmap):
    indicators = indicators_of(document(client))

    for code, target in SEED_FIGURES.items():
        assert indicators[code]["target"] == target
        assert type(indicators[code]["target"]) is int
    assert indicators["IA2-1-APP-AN"]["target_date"] == "2025-08-31"
    assert indicators["IA2-1-APP-AN"]["baseline"] == 0
    assert indicators["IA2-1-PRO-AN"]["baseline"] is None


def test_the_json_holds_every_axis_and_action_of_the_seed(client, roadmap):
    data = document(client)

    assert data["roadmap"]["title"] == SEED["roadmap"]["title"]
    assert data["roadmap"]["source_date"] == "2025-02-11"
    assert [axis["number"] for axis in data["axes"]] == [1, 2, 3, 4]
    actions = actions_of(data)
    assert list(actions) == [action["code"] for _, action in SEED_ACTIONS]
    # no status declared, nothing measured: null, never a made-up value
    for action in actions.values():
        assert action["status"] is None
        assert action["status_label"] == "Non renseigné"
        assert action["progress"] is None
    assert actions["IA 1-3"]["lead"] == "HDH"
    assert actions["IA 2-1"]["lead"] is None
    assert actions["IA 4-1"]["partners"] == sorted(SEED["axes"][3]["actions"][0]["partners"])
    assert actions["IA 2-1"]["url"] == "http://testserver/actions/ia-2-1/"
    # the milestones of the roadmap itself
    assert [m["title"] for m in data["roadmap"]["milestones"]] == [
        m["title"] for m in SEED["milestones"]
    ]


def test_the_json_holds_the_figures_computed_for_the_pages(client, ia_2_1):
    indicator = ia_2_1.indicators.get(code="IA2-1-APP-5ANS")
    Measurement.objects.create(
        indicator=indicator, date=datetime.date(2025, 8, 31), value=70000, source="DGOS"
    )
    Milestone.objects.create(
        action=ia_2_1, title="Bilan", due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    set_status(ia_2_1, Status.IN_PROGRESS, colleague())

    data = document(client)

    assert json_schema.errors(data, schema()) == []
    action = actions_of(data)["IA 2-1"]
    assert action["status"] == "in_progress"
    assert action["status_label"] == "En cours"
    assert action["progress"] == 0  # one milestone, not done
    assert action["overdue_milestones"] == 1
    assert action["milestones"][0]["overdue"] is True
    figures = indicators_of(data)["IA2-1-APP-5ANS"]
    assert figures["latest_value"] == 70000
    assert figures["latest_date"] == "2025-08-31"
    assert figures["progress"] == 14
    assert figures["on_track"] is False
    assert figures["expected"] == pytest.approx(500000 * 364 / 1825)
    assert figures["forecast"] == pytest.approx(
        progress.forecast(
            70000,
            datetime.date(2025, 8, 31),
            datetime.date(2024, 9, 1),
            0,
            datetime.date(2029, 8, 31),
        )
    )
    assert figures["measurements"] == [
        {"date": "2025-08-31", "value": 70000, "source": "DGOS", "comment": ""}
    ]


def test_the_json_without_a_roadmap_is_valid_and_empty(client, no_roadmap):
    data = document(client)

    assert data == {"roadmap": None, "axes": []}
    assert json_schema.errors(data, schema()) == []


def test_the_json_may_be_fetched_from_any_site(client, roadmap):
    assert client.get("/donnees/feuille-de-route.json")["Access-Control-Allow-Origin"] == "*"


# --- The workbook and the CSV files -------------------------------------------------------------


def test_the_workbook_has_the_four_sheets_of_the_import_format(client, roadmap):
    response = client.get("/donnees/feuille-de-route.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="feuille-de-route.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Actions", "Jalons", "Indicateurs", "Mesures"]
    actions = list(book["Actions"].iter_rows(values_only=True))
    assert list(actions[0]) == spreadsheets.sheet_spec("Actions").columns
    assert [row[0] for row in actions[1:]] == [action["code"] for _, action in SEED_ACTIONS]


@pytest.mark.parametrize("spec", spreadsheets.SHEETS, ids=lambda spec: spec.slug)
def test_each_sheet_is_a_utf8_comma_separated_csv_with_a_header_row(client, roadmap, spec):
    response = client.get(f"/donnees/{spec.slug}.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{spec.slug}.csv"'
    content = response.content.decode("utf-8")
    assert not content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content), delimiter=","))
    assert rows[0] == spec.columns


def test_the_actions_csv_holds_every_action_in_french(client, roadmap):
    content = client.get("/donnees/actions.csv").content.decode("utf-8")

    rows = list(csv.DictReader(io.StringIO(content)))
    assert [row["Code"] for row in rows] == [action["code"] for _, action in SEED_ACTIONS]
    ia_2_1 = next(row for row in rows if row["Code"] == "IA 2-1")
    assert ia_2_1["Titre"] == SEED["axes"][1]["actions"][0]["title"]
    assert ia_2_1["Pilote"] == ""


def test_an_unknown_sheet_is_not_found(client, roadmap):
    assert client.get("/donnees/budget.csv").status_code == 404


def test_with_no_roadmap_the_files_hold_only_their_headers(client, no_roadmap):
    content = client.get("/donnees/jalons.csv").content.decode("utf-8")

    assert content.splitlines() == [",".join(spreadsheets.sheet_spec("Jalons").columns)]
    book = openpyxl.load_workbook(io.BytesIO(client.get("/donnees/feuille-de-route.xlsx").content))
    assert book["Actions"].max_row == 1


# --- The page ----------------------------------------------------------------------------------


def test_the_open_data_page_links_every_file_and_describes_every_column(client, roadmap):
    response = client.get("/donnees/")

    assert response.status_code == 200
    html = response.content.decode()
    for url in (
        "/donnees/feuille-de-route.json",
        "/donnees/feuille-de-route.schema.json",
        "/donnees/feuille-de-route.xlsx",
        *(f"/donnees/{spec.slug}.csv" for spec in spreadsheets.SHEETS),
    ):
        assert f'href="{url}"' in html
    for spec in spreadsheets.SHEETS:
        section = text(element(html, f"feuille-{spec.slug}"))
        assert spec.name in section
        for column in spec.columns:
            assert COLUMN_DESCRIPTIONS.get(column), f"no description for « {column} »"
    assert "roadmap.updated_at" in html
    assert tables_without_rows(html) == []


def test_the_open_data_page_without_a_roadmap_says_the_files_are_empty(client, no_roadmap):
    html = client.get("/donnees/").content.decode()

    assert "ne contiennent encore que leur structure" in html
    assert "Dernière mise à jour : rien n'a encore été publié." in text(html).replace("&#x27;", "'")
