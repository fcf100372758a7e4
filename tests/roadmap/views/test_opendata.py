"""Tests of the open data: `/donnees/`, the JSON and its schema, the workbook and the CSV files.

The JSON follows docs/contract.md and the schema kept in the repository
(roadmap/schemas/feuille-de-route.schema.json), checked here on the seed, on a measured roadmap
and with no roadmap at all; its figures are typed (numbers, ISO dates, null), never strings. A
per-period indicator lists each period against its own target; every indicator its dated targets
and the final one; once the final target date is past, no forecast but whether it was reached;
what the source does not say literally carries its interpretation; an action nobody has changed
has no `last_update`. It is read in as many queries for a roadmap ten times bigger, with
periods, dated targets and sums.

The workbook's last sheet « Périodes » and `/donnees/periodes.csv` (read as French Excel reads
it: semicolons, UTF-8 with a BOM) hold each period against its own target, with the figures of
the JSON, in as many queries for a roadmap ten times bigger.
"""

from __future__ import annotations

import copy
import csv
import datetime
import io
import json
from html import escape

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roadmap import progress, spreadsheets
from roadmap.caching import writing
from roadmap.models import Action, Indicator, Measurement, Milestone, Roadmap, Status, Target
from roadmap.opendata import JSON_FIELDS, SCHEMA_PATH, column_description, schema
from roadmap.views import opendata as opendata_views
from roadmap.views.opendata import size_text
from tests.support import json_schema
from tests.support.builders import (
    colleague,
    days,
    grow_everything,
    make_indicator,
    set_status,
    signed_in,
    today,
)
from tests.support.constants import SEED, SEED_ACTIONS
from tests.support.html import element, find, plain_text, tables_without_rows, text, text_of

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


def learners(data: dict) -> dict:
    """IA2-1-APP-AN, the learners trained per academic year."""
    return indicators_of(data)["IA2-1-APP-AN"]


def academic_years(first: int, last: int) -> list[str]:
    return [f"{year}/{year + 1}" for year in range(first, last + 1)]


def seeded(code: str) -> dict:
    return next(
        indicator
        for axis in SEED["axes"]
        for action in axis["actions"]
        for indicator in action.get("indicators", [])
        if indicator["code"] == code
    )


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
        (lambda d: learners(d).update(periodicity="weekly"), "is not one of"),
        (lambda d: learners(d)["periods"][0].update(state="en_cours"), "is not one of"),
        (lambda d: learners(d)["periods"][0].pop("label"), "'label' is missing"),
        (lambda d: learners(d)["targets"][0].update(value="70 000"), "type"),
        (lambda d: learners(d).update(next_target={"date": "2027-08-31"}), "'value' is missing"),
        (lambda d: d["roadmap"].update(demonstration="non"), "type"),
        (lambda d: d["roadmap"]["milestones"][0].pop("interpretation"), "is missing"),
        (lambda d: d["roadmap"].pop("license"), "'license' is missing"),
        (lambda d: d["roadmap"]["license"].update(name="CC-BY"), "is not one of"),
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
    assert indicators["IA2-1-APP-AN"]["target_date"] == "2029-08-31"
    assert indicators["IA2-1-APP-AN"]["baseline"] == 0
    assert indicators["IA2-1-PRO-AN"]["baseline"] is None


def test_the_json_holds_each_period_of_the_seed_against_its_own_target(client, roadmap):
    indicators = indicators_of(document(client))

    yearly = indicators["IA2-1-APP-AN"]
    assert yearly["periodicity"] == "academic_year"
    assert [period["label"] for period in yearly["periods"]] == academic_years(2024, 2028)
    assert yearly["periods"][0] == {
        "label": "2024/2025",
        "start": "2024-09-01",
        "end": "2025-08-31",
        "target": 70000,
        "value": None,
        "progress": None,
        "state": "past" if today() > datetime.date(2025, 8, 31) else "current",
        "reached": None,
    }
    assert {period["target"] for period in yearly["periods"]} == {70000}
    # 140 000 a year, open-ended: every academic year from 2024/2025 up to today's
    current = progress.period_containing("academic_year", today())[0].year
    professionals = indicators["IA2-1-PRO-AN"]
    assert [p["label"] for p in professionals["periods"]] == academic_years(2024, current)
    assert professionals["periods"][-1]["state"] == "current"
    assert professionals["next_target"] == {
        "date": professionals["periods"][-1]["end"],
        "value": 140000,
    }
    # the five-year total is the sum of the yearly learners, with no period of its own
    total = indicators["IA2-1-APP-5ANS"]
    assert (total["summed_from"], total["periodicity"], total["periods"]) == (
        "IA2-1-APP-AN",
        None,
        [],
    )
    for indicator in indicators.values():
        assert indicator["retired_on"] is None
        assert indicator["reached"] is None  # no final target date has passed
        assert indicator["summed_from"] is None or indicator["code"] == "IA2-1-APP-5ANS"


def test_the_json_marks_what_the_seed_interprets(client, roadmap):
    data = document(client)

    assert data["roadmap"]["interpretation"] == SEED["roadmap"]["interpretation"]
    assert data["roadmap"]["demonstration"] is False
    assert [m["interpretation"] for m in data["roadmap"]["milestones"]] == [
        m["interpretation"] for m in SEED["milestones"]
    ]
    indicators = indicators_of(data)
    for code, indicator in indicators.items():
        assert indicator["interpretation"] == seeded(code).get("interpretation"), code
    assert indicators["IA2-1-INVEST"]["interpretation"] is None
    # the final target, the only one of the seed, with its source and its reading
    assert indicators["IA2-1-APP-5ANS"]["targets"] == [
        {
            "date": "2029-08-31",
            "value": 500000,
            "source": seeded("IA2-1-APP-5ANS")["source"],
            "interpretation": seeded("IA2-1-APP-5ANS")["interpretation"],
        }
    ]
    assert indicators["IA2-1-MASTER-NUM"]["targets"][0]["date"] is None
    for action in actions_of(data).values():
        assert action["last_update"] is None  # the loading of the seed is nobody's update
        for milestone in action["milestones"]:
            assert milestone["interpretation"] is None


def test_an_action_has_a_last_update_once_a_person_changed_it(client, ia_2_1):
    set_status(ia_2_1, Status.IN_PROGRESS, colleague())

    actions = actions_of(document(client))

    changed = datetime.datetime.fromisoformat(actions["IA 2-1"]["last_update"])
    assert changed == ia_2_1.history.latest().history_date
    assert [code for code, action in actions.items() if action["last_update"]] == ["IA 2-1"]


def test_the_json_holds_the_dated_targets_and_a_period_s_own_target(client, ia_2_1):
    yearly = ia_2_1.indicators.get(code="IA2-1-APP-AN")
    total = ia_2_1.indicators.get(code="IA2-1-APP-5ANS")
    Target.objects.create(
        indicator=total, on=days(200), value=300000, source="Avenant", interpretation="Lu ainsi."
    )
    Target.objects.create(indicator=total, on=datetime.date(2025, 8, 31), value=70000)
    Target.objects.create(indicator=yearly, on=datetime.date(2025, 12, 1), value=75000)
    Measurement.objects.create(
        indicator=yearly, date=datetime.date(2025, 6, 30), value=63000, source="DGOS"
    )
    Measurement.objects.create(
        indicator=yearly, date=datetime.date(2026, 6, 30), value=75000, source="DGOS"
    )

    data = document(client)

    assert json_schema.errors(data, schema()) == []
    figures = indicators_of(data)
    assert [(t["date"], t["value"]) for t in figures["IA2-1-APP-5ANS"]["targets"]] == [
        ("2025-08-31", 70000),
        (days(200).isoformat(), 300000),
        ("2029-08-31", 500000),
    ]
    assert figures["IA2-1-APP-5ANS"]["targets"][1]["interpretation"] == "Lu ainsi."
    assert figures["IA2-1-APP-5ANS"]["targets"][0]["interpretation"] is None
    assert figures["IA2-1-APP-5ANS"]["next_target"] == {
        "date": days(200).isoformat(),
        "value": 300000,
    }
    assert figures["IA2-1-APP-5ANS"]["latest_value"] == 138000  # the sum of both years
    periods = figures["IA2-1-APP-AN"]["periods"]
    assert [(p["label"], p["target"], p["value"]) for p in periods[:2]] == [
        ("2024/2025", 70000, 63000),
        ("2025/2026", 75000, 75000),
    ]
    assert [(p["progress"], p["reached"]) for p in periods[:2]] == [(90, False), (100, True)]


def test_once_the_final_target_date_is_past_the_json_says_whether_it_was_reached(client, roadmap):
    action = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    for code, value in (("ATTEINT", 150000), ("MANQUE", 20000)):
        indicator = make_indicator(action, code, baseline_date=days(-400), target_date=days(-10))
        Measurement.objects.create(
            indicator=indicator, date=days(-20), value=value, source="Enquête"
        )
    running = make_indicator(action, "EN-COURS")
    Measurement.objects.create(indicator=running, date=days(-5), value=70000, source="Enquête")

    figures = indicators_of(document(client))

    assert [figures[code]["reached"] for code in ("ATTEINT", "MANQUE", "EN-COURS")] == [
        True,
        False,
        None,
    ]
    for code in ("ATTEINT", "MANQUE"):
        assert (figures[code]["forecast"], figures[code]["next_target"]) == (None, None)
    assert figures["EN-COURS"]["forecast"] is not None
    assert figures["EN-COURS"]["next_target"] == {"date": days(365).isoformat(), "value": 140000}


def test_a_retired_indicator_stays_in_the_json_with_its_date(client, roadmap):
    Indicator.objects.filter(code="IA2-1-MASTER-REG").update(retired_on=datetime.date(2026, 1, 15))

    assert indicators_of(document(client))["IA2-1-MASTER-REG"]["retired_on"] == "2026-01-15"


@writing()  # bulk writes send no signal: they change the data version here
def with_periods_and_targets(roadmap: Roadmap) -> None:
    """Give each action a per-quarter indicator measured in two quarters, with a quarter of its
    own target, summed by a cumulative indicator that has an intermediate target."""
    actions = list(
        Action.objects.filter(roadmap=roadmap).exclude(indicators__code__startswith="TRIM-")
    )
    quarterly = Indicator.objects.bulk_create(
        Indicator(
            roadmap=roadmap,
            action=action,
            code=f"TRIM-{action.slug}",
            label="Par trimestre",
            unit="sessions",
            kind="per_period",
            target_value=10,
            periodicity="quarter",
            periods_from=days(-400),
            period_count=8,
        )
        for action in actions
    )
    sums = Indicator.objects.bulk_create(
        Indicator(
            roadmap=roadmap,
            action=source.action,
            code=f"TOTAL-{source.action.slug}",
            label="Sur deux ans",
            unit="sessions",
            kind="cumulative",
            baseline_date=days(-400),
            target_value=80,
            target_date=days(330),
            summed_from=source,
        )
        for source in quarterly
    )
    Target.objects.bulk_create(
        Target(indicator=indicator, on=on, value=value)
        for indicator in (*quarterly, *sums)
        for on, value in ((days(-300), 12), (days(100), 40))
    )
    Measurement.objects.bulk_create(
        Measurement(indicator=indicator, date=days(back), value=value, source="Test")
        for indicator in quarterly
        for back, value in ((-300, 9), (-200, 11))
    )


@pytest.mark.usefixtures("memory_cache")
def test_the_json_takes_as_many_queries_for_a_roadmap_ten_times_bigger(client, roadmap):
    with_periods_and_targets(roadmap)
    with CaptureQueriesContext(connection) as small:
        small_data = document(client)

    grow_everything(roadmap)
    with_periods_and_targets(roadmap)
    with CaptureQueriesContext(connection) as big:
        big_data = document(client)

    assert len(big_data["axes"][0]["actions"]) == 10 * len(small_data["axes"][0]["actions"])
    sums = [i for code, i in indicators_of(big_data).items() if code.startswith("TOTAL-")]
    assert len(sums) == 10 * 17
    assert {(i["latest_value"], len(i["targets"])) for i in sums} == {(20, 3)}
    assert len(big) == len(small), [query["sql"] for query in big.captured_queries]


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
    # measured per academic year, and added up by the five-year total
    indicator = ia_2_1.indicators.get(code="IA2-1-APP-AN")
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
    assert figures["measurements"] == []  # its own: it has none, being a sum
    yearly = indicators_of(data)["IA2-1-APP-AN"]
    assert yearly["periods"][0]["value"] == 70000
    assert (yearly["periods"][0]["progress"], yearly["periods"][0]["reached"]) == (100, True)
    assert yearly["measurements"] == [
        {"date": "2025-08-31", "value": 70000, "source": "DGOS", "comment": ""}
    ]


def test_the_json_without_a_roadmap_is_valid_and_empty(client, no_roadmap):
    data = document(client)

    assert data == {"roadmap": None, "axes": []}
    assert json_schema.errors(data, schema()) == []


def test_the_json_may_be_fetched_from_any_site(client, roadmap):
    assert client.get("/donnees/feuille-de-route.json")["Access-Control-Allow-Origin"] == "*"


# --- The workbook and the CSV files -------------------------------------------------------------


def test_the_workbook_has_the_five_sheets_of_the_import_format_and_the_periods(client, roadmap):
    response = client.get("/donnees/feuille-de-route.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="feuille-de-route.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Actions", "Jalons", "Indicateurs", "Mesures", "Cibles", "Périodes"]
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


def periods_sheet(client) -> list[dict]:
    """The rows of the workbook's « Périodes » sheet, read back from /donnees/ by openpyxl."""
    response = client.get("/donnees/feuille-de-route.xlsx")
    assert response.status_code == 200
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content))["Périodes"].iter_rows(values_only=True)
    )
    assert list(rows[0]) == spreadsheets.PERIODS.columns
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def periods_csv(client) -> list[dict]:
    """/donnees/periodes.csv as French Excel opens it: a UTF-8 BOM, then `;`-separated cells."""
    response = client.get("/donnees/periodes.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="periodes.csv"'
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content[3:].decode("utf-8")), delimiter=";"))
    assert rows[0] == spreadsheets.PERIODS.columns
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def state_on(start: datetime.date, end: datetime.date) -> str:
    """The État of a period today."""
    return "passée" if end < today() else ("à venir" if start > today() else "en cours")


def test_the_periods_sheet_holds_each_period_of_the_seed_against_its_own_target(client, roadmap):
    rows = [row for row in periods_sheet(client) if row["Indicateur"] == "IA2-1-APP-AN"]

    starts = [datetime.date(year, 9, 1) for year in range(2024, 2029)]
    assert rows == [
        {
            "Indicateur": "IA2-1-APP-AN",
            "Période": f"{start.year}/{start.year + 1}",
            "Début": datetime.datetime(start.year, 9, 1),
            "Fin": datetime.datetime(start.year + 1, 8, 31),
            "Cible": 70000,
            "Valeur": None,
            "Avancement": None,
            "État": state_on(start, datetime.date(start.year + 1, 8, 31)),
            "Atteinte": None,  # nothing measured
        }
        for start in starts
    ]
    # only the per-period indicators, each period of them: the open-ended one up to today's
    json_periods = {
        code: [period["label"] for period in indicator["periods"]]
        for code, indicator in indicators_of(document(client)).items()
        if indicator["periods"]
    }
    sheet_periods = {}
    for row in periods_sheet(client):
        sheet_periods.setdefault(row["Indicateur"], []).append(row["Période"])
    assert sheet_periods == json_periods
    assert set(sheet_periods) == {"IA2-1-PRO-AN", "IA2-1-APP-AN"}


@pytest.fixture
def two_years_measured(ia_2_1):
    """IA2-1-APP-AN measured in 2024/2025 (63 000: 90 % of 70 000) and twice in 2025/2026
    (the latest, 25 000, a third of the 75 000 that a Target row sets for that year)."""
    learners = ia_2_1.indicators.get(code="IA2-1-APP-AN")
    Target.objects.create(indicator=learners, on=datetime.date(2026, 1, 1), value=75000)
    for on, value in (("2025-06-30", 63000), ("2025-12-31", 10000), ("2026-06-30", 25000)):
        Measurement.objects.create(
            indicator=learners, date=datetime.date.fromisoformat(on), value=value, source="DGOS"
        )
    return learners


def test_each_measured_year_shows_its_own_value_and_progress_in_the_workbook(
    client, two_years_measured
):
    rows = {
        row["Période"]: row for row in periods_sheet(client) if row["Indicateur"] == "IA2-1-APP-AN"
    }

    first, second = rows["2024/2025"], rows["2025/2026"]
    assert (first["Cible"], first["Valeur"], first["Avancement"]) == (70000, 63000, 90)
    assert (second["Cible"], second["Valeur"], second["Avancement"]) == (75000, 25000, 33.3)
    for row in (first, second):
        assert row["État"] == state_on(row["Début"].date(), row["Fin"].date())
    # a past period says whether it reached its target
    reached = {"passée": "non", "en cours": None, "à venir": None}
    assert [first["Atteinte"], second["Atteinte"]] == [
        reached[first["État"]],
        reached[second["État"]],
    ]
    for label in ("2026/2027", "2027/2028", "2028/2029"):
        assert (rows[label]["Cible"], rows[label]["Valeur"]) == (70000, None)
    # the same figures as the JSON
    periods = {period["label"]: period for period in learners(document(client))["periods"]}
    for label, row in rows.items():
        assert (row["Cible"], row["Valeur"]) == (periods[label]["target"], periods[label]["value"])


def test_the_periods_csv_opens_in_french_excel_with_each_year_against_its_own_target(
    client, two_years_measured
):
    rows = [row for row in periods_csv(client) if row["Indicateur"] == "IA2-1-APP-AN"]

    assert [row["Période"] for row in rows] == academic_years(2024, 2028)
    assert [
        (row["Début"], row["Fin"], row["Cible"], row["Valeur"], row["Avancement"])
        for row in rows[:3]
    ] == [
        ("2024-09-01", "2025-08-31", "70000", "63000", "90"),
        ("2025-09-01", "2026-08-31", "75000", "25000", "33,3"),  # a decimal comma
        ("2026-09-01", "2027-08-31", "70000", "", ""),
    ]
    for row in rows:
        start, end = (datetime.date.fromisoformat(row[key]) for key in ("Début", "Fin"))
        assert row["État"] == state_on(start, end)
        assert row["Atteinte"] == ("non" if row["État"] == "passée" and row["Valeur"] else "")
    assert [row["Indicateur"] for row in periods_csv(client)] == [
        row["Indicateur"] for row in periods_sheet(client)
    ]


def test_the_periods_csv_is_refused_by_the_import_which_says_why(client, two_years_measured):
    content = client.get("/donnees/periodes.csv").content
    before = Measurement.objects.count(), Target.objects.count()

    report = spreadsheets.import_file(content, "periodes.csv")

    assert not report.committed
    assert [str(error) for error in report.errors] == [
        "Le fichier «\u202fperiodes.csv\u202f» est la feuille «\u202fPériodes\u202f»\u00a0: des "
        "chiffres calculés à "
        "partir des indicateurs, de leurs mesures et de leurs cibles, qui ne s'importent pas. "
        "Pour les changer, importez les feuilles Indicateurs, Mesures ou Cibles."
    ]
    assert (Measurement.objects.count(), Target.objects.count()) == before


@pytest.mark.parametrize("url", ["/donnees/periodes.csv", "/donnees/feuille-de-route.xlsx"])
def test_the_files_answer_only_get_and_head(client, roadmap, url):
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405
    assert client.delete(url).status_code == 405


@pytest.mark.usefixtures("memory_cache")
@pytest.mark.parametrize("read", [periods_csv, periods_sheet], ids=["csv", "xlsx"])
def test_the_periods_take_as_many_queries_for_a_roadmap_ten_times_bigger(client, roadmap, read):
    with_periods_and_targets(roadmap)
    with CaptureQueriesContext(connection) as small:
        small_rows = read(client)

    grow_everything(roadmap)
    with_periods_and_targets(roadmap)
    with CaptureQueriesContext(connection) as big:
        big_rows = read(client)

    quarters = [row for row in big_rows if row["Indicateur"].startswith("TRIM-")]
    assert len(quarters) == 10 * len([r for r in small_rows if r["Indicateur"].startswith("TRIM-")])
    assert len(quarters) == 10 * 17 * 8
    assert len(big) == len(small), [query["sql"] for query in big.captured_queries]


def test_an_unknown_sheet_is_not_found(client, roadmap):
    assert client.get("/donnees/budget.csv").status_code == 404


def test_with_no_roadmap_the_files_hold_only_their_headers(client, no_roadmap):
    content = client.get("/donnees/jalons.csv").content.decode("utf-8")

    assert content.splitlines() == [",".join(spreadsheets.sheet_spec("Jalons").columns)]
    book = openpyxl.load_workbook(io.BytesIO(client.get("/donnees/feuille-de-route.xlsx").content))
    assert book["Actions"].max_row == 1
    assert book["Périodes"].max_row == 1
    assert periods_csv(client) == []


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
        "/donnees/periodes.csv",
    ):
        assert f'href="{url}"' in html
    for spec in (*spreadsheets.SHEETS, spreadsheets.PERIODS):
        section = text(element(html, f"feuille-{spec.slug}"))
        assert spec.name in section
        for column in spec.columns:
            description = column_description(spec.name, column)
            assert description and escape(str(description)) in html, f"«\u202f{column}\u202f»"
    # the derived sheet says what it is, and that the import leaves it alone
    periods = text(element(html, "classeur"))
    assert (
        "Ce sont des données dérivées\u00a0: l'import du classeur ignore cette feuille" in periods
    )
    assert "le fichier CSV est refusé à l'import" in periods
    assert "UTF-8 avec BOM, point-virgule comme séparateur, virgule décimale" in periods
    assert "roadmap.updated_at" in html
    described = " ".join(name for name, _kind, _description in JSON_FIELDS)
    for key in ("periods", "targets", "next_target", "reached", "interpretation", "summed_from",
                "retired_on", "periodicity", "last_update", "demonstration"):  # fmt: skip
        assert key in described, key
    assert tables_without_rows(html) == []


def test_the_open_data_page_without_a_roadmap_says_the_files_are_empty(client, no_roadmap):
    html = client.get("/donnees/").content.decode()

    assert "ne contiennent encore que leur structure" in html
    assert "Dernière mise à jour\u00a0: rien n'a encore été publié." in text(html)


# --- The download links and the files' headers ---------------------------------------------------

# Every file of /donnees/, its format as the page names it, and how a browser gets it.
FILES = {
    "/donnees/feuille-de-route.json": ("JSON", 'inline; filename="feuille-de-route.json"'),
    "/donnees/feuille-de-route.schema.json": (
        "JSON",
        'inline; filename="feuille-de-route.schema.json"',
    ),
    "/donnees/feuille-de-route.xlsx": ("XLSX", 'attachment; filename="feuille-de-route.xlsx"'),
    **{
        f"/donnees/{spec.slug}.csv": ("CSV", f'attachment; filename="{spec.slug}.csv"')
        for spec in (*spreadsheets.SHEETS, spreadsheets.PERIODS)
    },
}


def download_links(html: str) -> dict[str, dict]:
    """The DSFR download links of the page, by address: their attributes, their text and the
    detail (format and size) under it."""
    links = {}
    for link in find(
        html, lambda tag, attrs: tag == "a" and "fr-link--download" in attrs.get("class", "")
    ):
        outer = html[link.start : link.end]
        details = find(outer, lambda tag, attrs: attrs.get("class") == "fr-link__detail")
        assert len(details) == 1, outer
        links[link.attrs["href"]] = {
            "attrs": link.attrs,
            "text": plain_text(outer),
            "detail": text(outer[details[0].inner_start : details[0].inner_end]),
        }
    return links


@pytest.mark.parametrize("url", FILES)
def test_each_file_says_whether_a_browser_saves_it_or_shows_it_and_under_which_name(
    client, roadmap, url
):
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == FILES[url][1]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_every_file_is_a_dsfr_download_link_with_its_format_and_its_real_size(client, roadmap):
    html = client.get("/donnees/").content.decode()

    links = download_links(html)
    assert set(links) == set(FILES)
    for url, (format_label, _disposition) in FILES.items():
        link = links[url]
        name = url.removeprefix("/donnees/")
        # a click saves the file under its name, the JSON too (shown in place otherwise)
        assert link["attrs"]["download"] == name
        assert link["attrs"]["class"] == "fr-link fr-link--download"
        assert link["text"].startswith("Télécharger ") and name in link["text"]
        # the size is the one of the file the address serves now
        size = len(client.get(url).content)
        assert link["detail"] == f"{format_label} – {size_text(size)}", url
    assert links["/donnees/feuille-de-route.json"]["attrs"]["type"] == "application/json"


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (1, "1 octet"),
        (812, "812 octets"),
        (1000, "1 ko"),
        (3249, "3,2 ko"),
        (24_000, "24 ko"),
        (812_400, "812 ko"),
        (999_999, "1 Mo"),
        (1_449_000, "1,4 Mo"),
        (12_600_000, "13 Mo"),
    ],
)
def test_a_size_is_written_as_a_french_reader_says_it(size, shown):
    assert size_text(size) == shown.replace(" ", "\u00a0")


@pytest.mark.usefixtures("memory_cache")
def test_the_sizes_are_built_once_per_data_version_and_follow_every_change(
    client, ia_2_1, monkeypatch
):
    builds = []
    build = opendata_views._all_sizes
    monkeypatch.setattr(
        opendata_views, "_all_sizes", lambda request: builds.append(1) or build(request)
    )
    # GIVEN a member, whose pages are never served from the page cache
    member = signed_in(colleague(username="lecteur-connecte"))
    json_url = "/donnees/feuille-de-route.json"

    def json_detail() -> str:
        return download_links(member.get("/donnees/").content.decode())[json_url]["detail"]

    before = json_detail()
    assert len(builds) == 1
    # WHEN the page is rendered again, nothing having changed, THEN no file is built again
    assert json_detail() == before
    assert len(builds) == 1

    # WHEN a value is recorded, the JSON grows, and the page says so at once
    with writing():
        Measurement.objects.create(
            indicator=Indicator.objects.get(code="IA2-1-APP-AN"),
            date=days(-1),
            value=12345,
            source="Enquête de test, une source assez longue pour changer la taille du fichier",
            # a size shown to two figures changes for sure once the file grows by 1 ko or more
            comment="Commentaire de test. " * 80,
        )
    after = json_detail()
    assert len(builds) == 2
    size = len(client.get(json_url).content)
    assert after == f"JSON – {size_text(size)}" != before


# --- The licence: Licence Ouverte 2.0 (Etalab) ----------------------------------------------------

LICENCE = {
    "name": "Licence Ouverte 2.0 (Etalab)",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}


def test_the_json_names_its_licence(client, roadmap):
    data = document(client)

    assert data["roadmap"]["license"] == LICENCE
    assert json_schema.errors(data, schema()) == []
    assert "roadmap.license" in [name for name, _kind, _description in JSON_FIELDS]


def test_the_open_data_page_names_the_licence_of_every_file(client, roadmap):
    html = client.get("/donnees/").content.decode()

    assert text_of(html, "licence") == (
        "Licence Le JSON, le classeur et chacun des fichiers CSV sont publiés sous la Licence "
        "Ouverte 2.0 (Etalab) : réutilisation libre, y compris commerciale, en mentionnant leur "
        "source (« Feuille de route IA en santé », avec l'adresse de cette page) et la date de "
        "leur dernière mise à jour."
    )
    assert f'<a href="{LICENCE["url"]}" hreflang="fr">{LICENCE["name"]}</a>' in html
    assert text_of(html, "licence-classeur") == (
        "Le classeur et chacun de ses fichiers CSV sont sous la Licence Ouverte 2.0 (Etalab), "
        "comme le JSON."
    )


def test_the_open_data_page_without_a_roadmap_names_the_licence_too(client, no_roadmap):
    assert "Licence Ouverte 2.0 (Etalab)" in text_of(
        client.get("/donnees/").content.decode(), "licence"
    )


def test_the_workbook_carries_its_licence_in_its_description(client, roadmap):
    book = openpyxl.load_workbook(io.BytesIO(client.get("/donnees/feuille-de-route.xlsx").content))

    assert book.properties.description == (
        "Données ouvertes de la feuille de route, sous la Licence Ouverte 2.0 (Etalab)\u00a0: "
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    )
