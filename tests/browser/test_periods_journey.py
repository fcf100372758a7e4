"""A member of the HAS, which leads IA 2-4, keeps a per-academic-year indicator in Chromium: they
add it through the action's page, give 2025/2026 a target of its own, record a value for
2024/2025 and one for 2025/2026; then the action page, the dashboard, /indicateurs/, the JSON,
the workbook's « Périodes » sheet and periodes.csv hold each year against its own target.

The indicator has two periods, 2024/2025 and 2025/2026, both over: each one is reached or not
against its own target, and the indicator as a whole is judged on the last one.
"""

from __future__ import annotations

import csv
import datetime
import io
import re

import openpyxl
import pytest
from playwright.sync_api import Locator, Page, expect

from roadmap.models import Action, Indicator, Measurement, Target
from tests.support.browser import no_full_reload
from tests.support.builders import today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "IA2-4-MED-AN"
LABEL = "Médecins formés à l'IA par année universitaire (donnée de test)"
UNIT = "médecins"
SOURCE = "Engagement de la HAS (donnée de test)"
# The rows of the « Périodes » sheet for the indicator: Indicateur, Période, Début, Fin, Cible,
# Valeur, Avancement, État, Atteinte.
PERIODS = [
    [
        CODE,
        "2024/2025",
        datetime.date(2024, 9, 1),
        datetime.date(2025, 8, 31),
        1000,
        1200,
        100,
        "passée",
        "oui",
    ],
    [
        CODE,
        "2025/2026",
        datetime.date(2025, 9, 1),
        datetime.date(2026, 8, 31),
        1500,
        1350,
        90,
        "passée",
        "non",
    ],
]
# Numbers are grouped with a (narrow) no-break space, percentages follow one: match any space.
SPACE = r"\s"


def text(value: str) -> re.Pattern:
    return re.compile(re.escape(value).replace(r"\ ", SPACE))


def whole(value: str) -> re.Pattern:
    return re.compile(f"^{text(value).pattern}$")


@pytest.fixture
def ia_2_4(roadmap) -> Action:
    """GIVEN IA 2-4, led by the HAS, with none of its own indicators yet, on a day when
    2024/2025 and 2025/2026 are both over."""
    assert today() > datetime.date(2026, 8, 31)
    action = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    assert not action.indicators.exists()
    return action


def field(scope: Locator, label: str) -> Locator:
    """The field of `scope` whose label begins with `label` (then come « (facultatif) » and
    the field's help)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s|$)"))


def measure(page: Page, on: datetime.date, value: str, source: str, period: str) -> None:
    """Record a value of the indicator with the action page's measurement form: it is
    announced with the period it belongs to."""
    form = page.get_by_role("group").filter(has=page.get_by_text(LABEL, exact=True))
    form.get_by_text(LABEL, exact=True).click()
    field(form, "Date").fill(on.isoformat())
    field(form, "Valeur").fill(value)
    field(form, "Source").fill(source)
    form.get_by_role("button", name="Enregistrer la valeur").click()
    expect(page.get_by_role("status")).to_have_text(
        f"Valeur enregistrée pour « {LABEL} », période {period}."
    )


def expect_each_year(where: Locator) -> None:
    """`where` says 2025/2026 against its own target, missed, and 2024/2025 against the
    recurring one, reached."""
    expect(where).to_contain_text(text("1 350 médecins"))
    expect(where).to_contain_text(text("1 500 médecins"))
    expect(where).to_contain_text(
        text("2024/2025 : 1 200 médecins pour une cible de 1 000 médecins")
    )
    expect(where).to_contain_text("Cible atteinte")
    expect(where).to_contain_text("Cible non atteinte")


# What the member records publishes at once here: this journey is about periods; review before
# publication has its own (test_review_journey.py).
@pytest.mark.usefixtures("review_off")
def test_a_member_keeps_a_per_year_indicator_and_every_page_and_file_holds_each_year_against_its_own_target(  # noqa: E501
    sign_in, new_context, has_member, ia_2_4
):
    page = sign_in(has_member)
    page.goto(ia_2_4.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("IA 2-4")

    with no_full_reload(page):
        # WHEN the member adds a per-academic-year indicator, 1 000 a year over two years
        page.get_by_text("Ajouter un indicateur", exact=True).click()
        form = page.locator("form").filter(
            has=page.get_by_role("button", name="Ajouter l'indicateur")
        )
        field(form, "Intitulé").fill(LABEL)
        field(form, "Code").fill(CODE)
        field(form, "Unité").fill(UNIT)
        field(form, "Type").select_option(label="Par période")
        field(form, "Cible finale").fill("1 000")
        field(form, "Périodicité").select_option(label="Année universitaire (septembre à août)")
        field(form, "Première période").fill("2024-09-01")
        field(form, "Nombre de périodes").fill("2")
        field(form, "Source").fill(SOURCE)
        form.get_by_role("button", name="Ajouter l'indicateur").click()
        indicators = page.get_by_role("table", name="Indicateurs de l'action IA 2-4")
        expect(indicators.get_by_role("row").filter(has_text=LABEL)).to_be_visible()
        expect(page.get_by_role("status")).to_have_text(f"Indicateur « {LABEL} » ajouté.")

        # AND gives 2025/2026 a target of its own, 1 500
        page.get_by_text("Ajouter une cible", exact=True).click()
        keep = page.locator("form").filter(has=page.get_by_role("button", name="Ajouter la cible"))
        field(keep, "Une date de la période").fill("2026-06-30")
        field(keep, "Valeur visée").fill("1 500")
        field(keep, "Source").fill("Objectif relevé pour 2025/2026 (donnée de test)")
        keep.get_by_role("button", name="Ajouter la cible").click()
        expect(page.get_by_role("status")).to_have_text(
            f"Cible du 30 juin 2026 ajoutée à « {LABEL} »."
        )

        # AND records 1 200 for 2024/2025 and 1 350 for 2025/2026
        measure(
            page,
            datetime.date(2025, 6, 30),
            "1 200",
            "Bilan 2024/2025 (donnée de test)",
            "du 1er septembre 2024 au 31 août 2025",
        )
        measure(
            page,
            datetime.date(2026, 6, 30),
            "1 350",
            "Bilan 2025/2026 (donnée de test)",
            "du 1er septembre 2025 au 31 août 2026",
        )

    # THEN what was written is the indicator, its own target for 2025/2026, and both values
    indicator = Indicator.objects.get(code=CODE)
    assert (indicator.action, indicator.kind, indicator.periodicity) == (
        ia_2_4,
        "per_period",
        "academic_year",
    )
    assert (indicator.periods_from, indicator.period_count, indicator.target_value) == (
        datetime.date(2024, 9, 1),
        2,
        1000,
    )
    assert list(Target.objects.filter(indicator=indicator).values_list("on", "value")) == [
        (datetime.date(2026, 6, 30), 1500)
    ]
    assert list(
        Measurement.objects.filter(indicator=indicator)
        .order_by("date")
        .values_list("date", "value")
    ) == [(datetime.date(2025, 6, 30), 1200), (datetime.date(2026, 6, 30), 1350)]

    # AND the action page shows 2025/2026, the last year, against its own 1 500: missed with
    # 1 350 (90 %, where the recurring 1 000 would have been met), and 2024/2025 beside it
    page.reload()
    row = (
        page.get_by_role("table", name="Indicateurs de l'action IA 2-4")
        .get_by_role("row")
        .filter(has_text=LABEL)
    )
    expect_each_year(row)
    expect(row).to_contain_text(text("pour 2025/2026"))
    expect(row).to_contain_text(text("avec 1 350 médecins pour une cible de 1 500 médecins"))
    data = page.get_by_role("table", name=f"Données par période : {LABEL}")
    expect(data.get_by_role("row")).to_have_count(3)
    expect(data.get_by_role("row").nth(1)).to_have_accessible_name(
        whole("2024/2025 1 200 médecins 1 000 médecins 100 % Cible atteinte")
    )
    expect(data.get_by_role("row").nth(2)).to_have_accessible_name(
        whole("2025/2026 1 350 médecins 1 500 médecins 90 % Cible non atteinte")
    )

    # AND the dashboard, as a reader sees it, rests IA 2-4's progress on that indicator: 90 %
    reader = new_context().new_page()
    reader.goto("/")
    action_row = reader.get_by_role("region", name="Les actions, axe par axe").get_by_role(
        "row", name=re.compile(r"^IA 2-4 ")
    )
    expect(action_row).to_contain_text(text("90 %"))
    expect(action_row).to_contain_text("moyenne de 1 indicateur")

    # AND /indicateurs/ shows it with both years, each against its own target
    reader.goto("/indicateurs/")
    listed = reader.get_by_role("table", name=re.compile("^Indicateurs de la feuille de route"))
    expect_each_year(listed.get_by_role("row").filter(has_text=LABEL))

    # AND the JSON gives each period its own target, value and verdict
    document = reader.request.get("/donnees/feuille-de-route.json").json()
    (found,) = [
        item
        for axis in document["axes"]
        for action in axis["actions"]
        for item in action["indicators"]
        if item["code"] == CODE
    ]
    assert [
        {key: period[key] for key in ("label", "start", "end", "target", "value", "progress")}
        | {"state": period["state"], "reached": period["reached"]}
        for period in found["periods"]
    ] == [
        {
            "label": "2024/2025",
            "start": "2024-09-01",
            "end": "2025-08-31",
            "target": 1000,
            "value": 1200,
            "progress": 100,
            "state": "past",
            "reached": True,
        },
        {
            "label": "2025/2026",
            "start": "2025-09-01",
            "end": "2026-08-31",
            "target": 1500,
            "value": 1350,
            "progress": 90,
            "state": "past",
            "reached": False,
        },
    ]

    # AND so do the workbook's « Périodes » sheet and periodes.csv
    content = reader.request.get("/donnees/feuille-de-route.xlsx").body()
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Périodes"]
    header, *rows = sheet.iter_rows(values_only=True)
    assert header == (
        "Indicateur",
        "Période",
        "Début",
        "Fin",
        "Cible",
        "Valeur",
        "Avancement",
        "État",
        "Atteinte",
    )
    # (the workbook holds the dates as dates, at midnight)
    assert [list(row) for row in rows if row[0] == CODE] == [
        [*row[:2], *(datetime.datetime.combine(day, datetime.time()) for day in row[2:4]), *row[4:]]
        for row in PERIODS
    ]
    periods_csv = reader.request.get("/donnees/periodes.csv").body().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(periods_csv), delimiter=";"))
    assert lines[0] == list(header)  # the same nine columns
    assert [line for line in lines if line[0] == CODE] == [
        [str(value) if not isinstance(value, datetime.date) else value.isoformat() for value in row]
        for row in PERIODS
    ]
