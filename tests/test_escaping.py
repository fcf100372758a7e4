"""Hostile text from users and spreadsheets is shown as text everywhere, never run.

A title, a note, a source, a comment or an organisation's name may hold HTML, script or a
spreadsheet formula. Every page, feed and export must show it escaped (or neutralised for
Excel), never as markup or a live link.
"""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Organisation
from roadmap.models import Action, Measurement, Milestone, ProgressNote

SCRIPT = "<script>alert('titre')</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
LINK = "javascript:alert(document.cookie)"
FORMULA = '=HYPERLINK("http://exemple.test","clic")'
RAW = (SCRIPT, IMAGE, "<img src=x")


@pytest.fixture
def hostile(roadmap, administrator):
    action = Action.objects.get(code="IA 2-4")
    action.title = f"Guides {SCRIPT}"
    action.description = f"Description {IMAGE}"
    action.status = "in_progress"
    action._history_user = administrator
    action.save()
    action.lead.name = f"Haute {SCRIPT}"
    action.lead.save()
    Milestone.objects.create(action=action, title=f"Jalon {IMAGE}", due_date=date(2025, 1, 1))
    indicator = action.indicators.create(
        code="IA2-4-HOSTILE",
        label=f"Indicateur {SCRIPT}",
        unit=f"u{IMAGE}",
        kind="level",
        target_value=10,
    )
    Measurement.objects.create(
        indicator=indicator,
        date=date(2025, 6, 30),
        value=4,
        source=LINK,
        comment=FORMULA,
        recorded_by=administrator,
    )
    ProgressNote.objects.create(
        action=action,
        author=administrator,
        written_on=date(2025, 7, 1),
        done=f"Fait {SCRIPT}",
        risks=IMAGE,
        next_steps=LINK,
    )
    return action


def assert_escaped(html: str, where: str):
    for raw in RAW:
        assert raw not in html, f"{where} shows {raw!r} unescaped"
    assert f'href="{LINK}"' not in html and f"href='{LINK}'" not in html, where


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/axes/2/",
        "/actions/ia-2-4/",
        "/indicateurs/",
        "/journal/",
        "/mes-actions/",
    ],
)
def test_pages_show_hostile_text_escaped(client, hostile, administrator, url):
    client.force_login(administrator)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert_escaped(html, url)


def test_the_action_page_shows_the_hostile_text_itself(client, hostile):
    html = client.get("/actions/ia-2-4/").content.decode()
    assert "&lt;script&gt;alert(&#x27;titre&#x27;)&lt;/script&gt;" in html
    assert "onerror=alert(1)&gt;" in html


def test_the_atom_feed_escapes_hostile_text(client, hostile):
    response = client.get(reverse("roadmap:journal-feed"))
    assert response.status_code == 200
    assert_escaped(response.content.decode(), "atom")


def test_the_json_carries_hostile_text_as_plain_strings(client, hostile):
    data = client.get(reverse("roadmap:opendata-json")).json()
    actions = [a for axis in data["axes"] for a in axis["actions"]]
    assert f"Guides {SCRIPT}" in [a["title"] for a in actions]
    assert client.get(reverse("roadmap:opendata-json"))["Content-Type"].startswith(
        "application/json"
    )


def test_csv_exports_neutralise_formulas(client, hostile):
    response = client.get(reverse("roadmap:opendata-csv", args=["mesures"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    comments = [row[-1] for row in rows[1:]]
    assert f"'{FORMULA}" in comments
    assert FORMULA not in comments


def test_the_workbook_export_never_holds_a_live_formula(client, hostile):
    response = client.get(reverse("roadmap:opendata-xlsx"))
    workbook = load_workbook(io.BytesIO(response.content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
    comments = [row[-1] for row in workbook["Mesures"].iter_rows(min_row=2, values_only=True)]
    assert FORMULA in comments  # kept as text, Excel shows it as typed


def test_the_admin_escapes_hostile_text(client, hostile, administrator):
    client.force_login(administrator)
    for url in (
        "/admin/roadmap/action/",
        f"/admin/roadmap/action/{hostile.pk}/change/",
        f"/admin/roadmap/action/{hostile.pk}/history/",
        "/admin/roadmap/measurement/",
        "/admin/accounts/organisation/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), url)
    assert Organisation.objects.get(acronym="HAS").name == f"Haute {SCRIPT}"
