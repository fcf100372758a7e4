"""Council reports (docs/contract.md « Rapports au Conseil »): opened by an administrator,
prepared by the members on `/mes-actions/`, published and then frozen; read at `/rapports/`,
compared with any earlier report, downloaded as PDF, workbook and JSON.

A published report is drawn from its snapshot alone: whatever changes after its publication
(statuses, values, a renamed organisation, the method's wording) changes neither its page, nor
its PDF's text, nor its workbook, nor its JSON (byte for byte).
"""

from __future__ import annotations

import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import Organisation
from roadmap import report_pdf, reports
from roadmap.models import (
    Action,
    ActionReadiness,
    FrozenReport,
    Indicator,
    Measurement,
    Milestone,
    ProgressNote,
    Report,
    ReportState,
    ReviewState,
    Roadmap,
    Status,
)
from roadmap.reports import default_title, open_report, publish
from tests.support.builders import days, grow_everything, make_milestone, note, set_status
from tests.support.html import element, normalised, plain_text, text_of
from tests.support.htmx import apply_htmx

MARCH = datetime.date(2026, 3, 12)
JUNE = datetime.date(2026, 6, 18)
OCTOBER = datetime.date(2026, 10, 8)
PREPARATION = "/rapports/preparation/"


def opened(roadmap, user, meeting=MARCH, **fields) -> Report:
    return open_report(roadmap, default_title(meeting), meeting, fields.get("deadline"), user)


def published(roadmap, user, meeting=MARCH, *, pdf=False) -> Report:
    """The report published; with `pdf`, its PDF rendered and stored as the « Publier » button
    and `publish_report` do (a second or two: only the tests that read the PDF)."""
    report = Report.objects.in_preparation(roadmap) or opened(roadmap, user, meeting)
    if pdf:
        locked, stored = report_pdf.publish(report, report.version, user)
        assert (locked.stale, stored) == (False, True)
    else:
        assert not publish(report, report.version, user).stale
    report.refresh_from_db()
    return report


def action(code: str) -> Action:
    return Action.objects.get(code=code)


def measure(code: str, on: datetime.date, value) -> Measurement:
    return Measurement.objects.create(
        indicator=Indicator.objects.get(code=code), date=on, value=Decimal(value), source="DGOS"
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def workbook_values(content: bytes) -> dict:
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def files_of(client, slug: str) -> dict:
    page = client.get(f"/rapports/{slug}/")
    pdf = client.get(f"/rapports/{slug}.pdf")
    xlsx = client.get(f"/rapports/{slug}.xlsx")
    data = client.get(f"/rapports/{slug}.json")
    assert [r.status_code for r in (page, pdf, xlsx, data)] == [200] * 4
    assert pdf["Content-Type"] == "application/pdf"
    return {
        "page": normalised(page.content.decode()),
        "pdf": pdf_text(pdf.content),
        "xlsx": workbook_values(xlsx.content),
        "json": data.content,
    }


@pytest.fixture
def prepared(roadmap, administrator, has_member):
    """The March report: IA 2-4 in progress with a note and a milestone, IA 2-1 measured,
    IA 2-4 marked ready with a decision asked of the council."""
    set_status(action("IA 2-4"), Status.IN_PROGRESS, has_member)
    make_milestone(action("IA 2-4"), "Guide publié", due_date=days(40))
    note(action("IA 2-4"), has_member, done="Groupe de travail réuni.")
    measure("IA2-1-APP-AN", datetime.date(2025, 6, 30), 63000)
    report = opened(roadmap, administrator)
    ActionReadiness.objects.create(
        report=report,
        action=action("IA 2-4"),
        decisions="Valider le calendrier du guide.",
        ready_by=has_member,
    )
    return report


# --- Frozen


def test_a_published_report_does_not_change_when_the_data_does(
    client, roadmap, administrator, has_member, prepared, monkeypatch
):
    report = published(roadmap, administrator, pdf=True)
    stored = bytes(report.pdf)
    before = files_of(client, report.slug)
    assert "Valider le calendrier du guide." in before["pdf"]
    assert "Groupe de travail réuni." in before["page"]
    data = json.loads(before["json"])
    ia_2_4 = next(a for axis in data["axes"] for a in axis["actions"] if a["code"] == "IA 2-4")
    assert (ia_2_4["status"], ia_2_4["lead_name"], ia_2_4["ready"]) == (
        "in_progress",
        "HAS",  # the seed names it by its acronym only
        True,
    )

    # Everything changes afterwards: statuses, values, milestones, notes, an organisation's
    # name, the interpretations and the method's own wording.
    set_status(action("IA 2-4"), Status.DONE, has_member)
    set_status(action("IA 2-1"), Status.LATE, has_member)
    Measurement.objects.filter(indicator__code="IA2-1-APP-AN").update(value=1)
    measure("IA2-1-APP-AN", datetime.date(2025, 12, 31), 90000)
    milestone = Milestone.objects.get(title="Guide publié")
    milestone.due_date = days(400)
    milestone.save()
    note(action("IA 2-4"), has_member, done="Guide envoyé à la relecture.")
    Organisation.objects.filter(acronym="HAS").update(name="Autorité renommée", acronym="HAS2")
    Indicator.objects.filter(code="IA2-1-APP-AN").update(interpretation="Autre lecture.")
    Roadmap.objects.filter(pk=roadmap.pk).update(interpretation="Autre période.")
    monkeypatch.setattr(reports, "METHOD_NOTES", (("Avancement", "Une tout autre formulation."),))
    ActionReadiness.objects.filter(report=report).update(decisions="Autre décision.")

    after = files_of(client, report.slug)
    assert after["json"] == before["json"]
    assert after["xlsx"] == before["xlsx"]
    assert after["pdf"] == before["pdf"]
    assert after["page"] == before["page"]
    # The PDF served is the one stored at publication, byte for byte, and still stored.
    assert client.get(f"/rapports/{report.slug}.pdf").content == stored
    assert bytes(Report.objects.get(pk=report.pk).pdf) == stored
    # Rendered again today (as `render_report_pdfs` would), it still says what it said then.
    assert pdf_text(report_pdf.render(report)) == before["pdf"]
    # The live roadmap did change.
    live = client.get("/donnees/feuille-de-route.json").json()
    statuses = {a["code"]: a["status"] for axis in live["axes"] for a in axis["actions"]}
    assert (statuses["IA 2-4"], statuses["IA 2-1"]) == ("done", "late")


def test_a_published_report_refuses_any_change_of_its_snapshot(roadmap, administrator, prepared):
    report = published(roadmap, administrator)
    report.snapshot = report.snapshot.replace("IA 2-4", "IA 9-9")
    with pytest.raises(FrozenReport):
        report.save()
    report.refresh_from_db()
    assert "IA 9-9" not in report.snapshot


def test_the_json_is_the_stored_snapshot_with_every_section(
    client, roadmap, administrator, prepared
):
    report = published(roadmap, administrator)
    response = client.get(f"/rapports/{report.slug}.json")

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{report.slug}.json"'
    assert response.content == report.snapshot.encode()
    data = json.loads(response.content)
    assert list(data) == ["format", "report", "summary", "method", "roadmap", "axes"]
    assert data["report"]["title"] == "Séance du Conseil du numérique en santé du 12 mars 2026"
    assert data["report"]["meeting_date"] == "2026-03-12"
    assert data["summary"]["actions"] == 17
    assert data["summary"]["ready"] == 1
    assert data["summary"]["decisions"] == 1
    actions = {a["code"]: a for axis in data["axes"] for a in axis["actions"]}
    assert actions["IA 2-4"]["decisions"] == "Valider le calendrier du guide."
    assert actions["IA 2-4"]["latest_note"]["done"] == "Groupe de travail réuni."
    assert actions["IA 2-4"]["note_count"] == 1
    assert actions["IA 2-1"]["decisions"] is None
    indicator = next(i for i in actions["IA 2-1"]["indicators"] if i["code"] == "IA2-1-APP-AN")
    assert (indicator["periods"][0]["value"], indicator["periods"][0]["target"]) == (63000, 70000)
    assert indicator["periods"][0]["label"] == "2024/2025"


# --- Reading


def test_the_list_shows_the_published_reports_latest_first(client, roadmap, administrator):
    published(roadmap, administrator, MARCH)
    published(roadmap, administrator, JUNE)
    opened(roadmap, administrator, OCTOBER)

    page = client.get("/rapports/").content.decode()

    links = [line for line in element(page, "rapports").split("<a ")[1:]]
    assert [link.split('"')[1] for link in links] == [
        "/rapports/seance-2026-06-18/",
        "/rapports/seance-2026-03-12/",
    ]
    assert "octobre" not in element(page, "rapports")


def test_a_report_in_preparation_or_unknown_is_not_found(client, roadmap, administrator):
    report = opened(roadmap, administrator)
    for suffix in ("/", ".pdf", ".xlsx", ".json"):
        for slug in (report.slug, "seance-inconnue"):
            response = client.get(f"/rapports/{slug}{suffix}")
            assert response.status_code == 404, suffix


def test_the_page_compares_with_the_previous_report_or_any_earlier_one(
    client, roadmap, administrator, has_member
):
    published(roadmap, administrator, MARCH)
    set_status(action("IA 2-4"), Status.IN_PROGRESS, has_member)
    published(roadmap, administrator, JUNE)
    set_status(action("IA 2-1"), Status.AT_RISK, has_member)
    october = published(roadmap, administrator, OCTOBER)

    page = client.get(october.get_absolute_url()).content.decode()
    assert text_of(page, "changements-titre") == "Ce qui a changé depuis la séance du 18 juin 2026"
    assert plain_text(element(page, "changements-statuts")) == (
        plain_text(f"IA 2-1 {action('IA 2-1').title}\u00a0: Non renseigné → À risque")
    )

    page = client.get(october.get_absolute_url() + "?depuis=seance-2026-03-12").content.decode()
    assert text_of(page, "changements-titre") == "Ce qui a changé depuis la séance du 12 mars 2026"
    assert plain_text(element(page, "changements-statuts")) == plain_text(
        f"IA 2-1 {action('IA 2-1').title}\u00a0: Non renseigné → À risque "
        f"IA 2-4 {action('IA 2-4').title}\u00a0: Non renseigné → En cours"
    )


def test_a_milestone_renamed_between_two_reports_is_one_change(
    client, roadmap, administrator, has_member
):
    milestone = make_milestone(action("IA 2-4"), "Guide publié", due_date=days(40))
    march = published(roadmap, administrator, MARCH)
    milestone.title = "Guide national publié"
    milestone.save()
    june = published(roadmap, administrator, JUNE)

    # Each milestone of the snapshot carries its stable id.
    data = json.loads(june.snapshot)
    ia_2_4 = next(a for axis in data["axes"] for a in axis["actions"] if a["code"] == "IA 2-4")
    assert data["format"] == 2
    assert [(m["id"], m["title"]) for m in ia_2_4["milestones"]] == [
        (milestone.pk, "Guide national publié")
    ]
    page = client.get(june.get_absolute_url()).content.decode()
    assert text_of(page, "changements-jalons-renommes") == plain_text(
        "IA 2-4 Jalon renommé : « Guide publié » devient « Guide national publié »"
    )
    # Nothing else: neither added nor removed, nor any other change; the rename is an update.
    changes = element(page, "changements")
    assert [section for section in re.findall(r'id="(changements-[a-z-]+)"', changes)] == [
        "changements-titre",
        "changements-jalons-renommes",
        "changements-sans-mise-a-jour",
    ]
    assert "IA 2-4" not in text_of(page, "changements-sans-mise-a-jour")
    assert march.slug in page  # offered to compare with


@pytest.mark.parametrize("wanted", ["seance-inconnue", "seance-2026-10-08", "x" * 300])
def test_an_unknown_or_later_report_to_compare_with_is_ignored_with_a_message(
    client, roadmap, administrator, wanted
):
    published(roadmap, administrator, MARCH)
    june = published(roadmap, administrator, JUNE)
    published(roadmap, administrator, OCTOBER)

    response = client.get(june.get_absolute_url(), {"depuis": wanted})

    assert response.status_code == 200
    page = response.content.decode()
    assert "n'est pas un rapport publié avant celui-ci" in plain_text(page)
    assert text_of(page, "changements-titre") == "Ce qui a changé depuis la séance du 12 mars 2026"


def test_the_first_report_has_nothing_to_compare_with(client, roadmap, administrator):
    report = published(roadmap, administrator)
    page = client.get(report.get_absolute_url()).content.decode()
    assert text_of(page, "changements-titre") == "Ce qui a changé"
    assert "premier rapport publié" in plain_text(element(page, "changements"))
    assert 'id="comparer"' not in page


def test_the_report_pages_reject_writes(client, roadmap, administrator):
    report = published(roadmap, administrator)
    for url in ("/rapports/", report.get_absolute_url(), f"/rapports/{report.slug}.json"):
        assert client.post(url).status_code == 405


def test_without_a_pdf_renderer_the_report_publishes_and_its_pdf_says_how_to_print(
    client, roadmap, administrator, monkeypatch
):
    monkeypatch.setattr(report_pdf, "pdf_renderer", lambda: None)
    report = opened(roadmap, administrator)
    client.force_login(administrator)
    response = client.post(
        reverse("roadmap:report-publish", args=[report.slug]), {"version": report.version}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, bytes(report.pdf)) == (ReportState.PUBLISHED, b"")
    page = plain_text(client.get(report.get_absolute_url()).content.decode())
    assert "Son PDF n'a pas pu être produit sur ce serveur" in page
    client.logout()

    response = client.get(f"/rapports/{report.slug}.pdf")
    assert response.status_code == 503
    text = plain_text(response.content.decode())
    assert "Ce serveur ne peut pas produire le PDF de ce rapport." in text
    assert "Enregistrer au format PDF" in text
    page = client.get(report.get_absolute_url()).content.decode()
    assert f"{report.slug}.pdf" not in page
    assert "imprimez cette page" in plain_text(page)
    with pytest.raises(CommandError, match="WeasyPrint ou Pango manque"):
        call_command("render_report_pdfs")


def test_render_report_pdfs_renders_the_missing_pdfs_once(client, roadmap, administrator, capsys):
    march = published(roadmap, administrator, MARCH, pdf=True)
    june = published(roadmap, administrator, JUNE)  # published without its PDF
    kept = bytes(march.pdf)
    response = client.get(f"/rapports/{june.slug}.pdf")
    assert response.status_code == 503
    assert "n'a pas encore été produit" in plain_text(response.content.decode())

    call_command("render_report_pdfs")

    assert capsys.readouterr().out == (
        f"PDF produit\u00a0: {june.title} (/rapports/{june.slug}.pdf).\n"
    )
    response = client.get(f"/rapports/{june.slug}.pdf")
    assert response.status_code == 200
    assert response.content == bytes(Report.objects.get(pk=june.pk).pdf)
    assert "Ce qui a changé depuis la séance du 12 mars 2026" in " ".join(
        pdf_text(response.content).split()
    )
    # The March PDF, kept already, was left alone; a second run has nothing to do.
    assert bytes(Report.objects.get(pk=march.pk).pdf) == kept
    call_command("render_report_pdfs")
    assert capsys.readouterr().out == "Tous les rapports publiés ont leur PDF.\n"


def test_the_pdf_is_a4_with_the_report(client, roadmap, administrator, prepared):
    report = published(roadmap, administrator, pdf=True)
    # Served without a renderer: the stored bytes, never rendered again.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report_pdf, "pdf_renderer", lambda: None)
        response = client.get(f"/rapports/{report.slug}.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{report.slug}.pdf"'
    assert response.content == bytes(report.pdf)
    reader = PdfReader(io.BytesIO(response.content))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width) / 72 * 25.4), round(float(height) / 72 * 25.4)) == (210, 297)
    text = " ".join(pdf_text(response.content).split())
    assert "Séance du Conseil du numérique en santé du 12 mars 2026" in text
    assert "Décisions demandées au Conseil" in text


@pytest.mark.usefixtures("memory_cache")
def test_a_report_page_takes_as_many_queries_for_a_roadmap_ten_times_bigger(
    client, roadmap, administrator
):
    published(roadmap, administrator, MARCH)
    small_report = published(roadmap, administrator, JUNE)
    with CaptureQueriesContext(connection) as small:
        assert client.get(small_report.get_absolute_url()).status_code == 200

    grow_everything(roadmap)
    big_report = published(roadmap, administrator, OCTOBER)
    with CaptureQueriesContext(connection) as big:
        page = client.get(big_report.get_absolute_url()).content.decode()

    assert page.count('class="app-report__action"') == 170
    assert len(big) == len(small), [query["sql"] for query in big.captured_queries]


# --- Preparing and publishing


def test_an_administrator_opens_a_report(client, roadmap, administrator):
    client.force_login(administrator)
    assert "Ouvrir le rapport" in client.get(PREPARATION).content.decode()

    response = client.post(
        PREPARATION, {"meeting_date": "2026-03-12", "title": "", "deadline": "2026-03-05"}
    )

    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.title, report.slug, report.meeting_date, report.deadline, report.state) == (
        "Séance du Conseil du numérique en santé du 12 mars 2026",
        "seance-2026-03-12",
        MARCH,
        datetime.date(2026, 3, 5),
        ReportState.IN_PREPARATION,
    )
    assert report.opened_by == administrator
    page = client.get(PREPARATION).content.decode()
    # (« 0 action » once the catalogue holds the French plural; English rules until then)
    assert re.match(
        r"0 actions? sur 17 à jour pour la séance", plain_text(element(page, "avancement-seance"))
    )


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"meeting_date": ""}, "meeting_date", "Indiquez la date de la séance."),
        (
            {"meeting_date": "12 mars"},
            "meeting_date",
            "Saisissez une date, par exemple 12/03/2026.",
        ),
        (
            {"meeting_date": "2026-03-12", "deadline": "2026-03-20"},
            "deadline",
            "La date limite des mises à jour doit précéder la séance.",
        ),
        ({"meeting_date": "2026-03-12", "title": "a\x01"}, "title", "caractère de contrôle"),
    ],
)
def test_a_bad_report_form_is_refused_and_nothing_written(
    client, roadmap, administrator, data, field, message
):
    client.force_login(administrator)
    response = client.post(PREPARATION, data)
    assert response.status_code == 422
    assert message in plain_text(element(response.content.decode(), f"id_{field}-error"))
    assert not Report.objects.exists()


def test_a_second_report_for_the_same_session_or_while_one_is_prepared_is_refused(
    client, roadmap, administrator
):
    published(roadmap, administrator, MARCH)
    client.force_login(administrator)
    response = client.post(PREPARATION, {"meeting_date": "2026-03-12"})
    assert response.status_code == 422
    assert "existe déjà" in plain_text(response.content.decode())

    opened(roadmap, administrator, JUNE)
    response = client.post(PREPARATION, {"meeting_date": "2026-10-08"})
    assert response.status_code == 409
    assert Report.objects.count() == 2


def test_members_and_readers_may_not_prepare_reports(client, roadmap, has_member, reader):
    for user in (has_member, reader):
        client.force_login(user)
        assert client.get(PREPARATION).status_code == 403
        assert client.post(PREPARATION, {"meeting_date": "2026-03-12"}).status_code == 403
    client.logout()
    assert client.get(PREPARATION).status_code == 302
    assert not Report.objects.exists()


def proposed(row_kind, **fields):
    """A measurement or a note proposed by a member and not yet reviewed."""
    from django.utils import timezone

    return row_kind.objects.create(
        review_state=ReviewState.PROPOSED, proposed_at=timezone.now(), **fields
    )


def propose_some(has_member) -> None:
    """Two values of IA 2-1 and a note of IA 2-4 awaiting review; a published value and a
    returned note, which do not await it."""
    for on, value in ((datetime.date(2025, 9, 30), 64000), (datetime.date(2025, 12, 31), 66000)):
        proposed(
            Measurement,
            indicator=Indicator.objects.get(code="IA2-1-APP-AN"),
            date=on,
            value=Decimal(value),
            source="DGOS",
            proposed_by=has_member,
        )
    measure("IA2-1-APP-AN", datetime.date(2025, 6, 30), 63000)
    proposed(
        ProgressNote,
        action=action("IA 2-4"),
        author=has_member,
        written_on=datetime.date(2026, 2, 1),
        done="Relecture du guide.",
        proposed_by=has_member,
    )
    note(
        action("IA 2-4"),
        has_member,
        done="Renvoyé.",
        review_state=ReviewState.RETURNED,
        proposed_by=has_member,
    )


def test_the_preparation_shows_what_awaits_review(client, roadmap, administrator, has_member):
    opened(roadmap, administrator)
    client.force_login(administrator)
    page = client.get(PREPARATION).content.decode()
    assert text_of(page, "en-attente") == plain_text(
        "En attente de validation Aucune proposition n'attend de validation."
    )

    propose_some(has_member)
    # A member's new indicator awaits review too (a report freezes published ones only).
    Indicator.objects.create(
        roadmap=roadmap,
        action=action("IA 2-4"),
        code="IA2-4-GUIDES",
        label="Guides publiés",
        unit="guides",
        kind="cumulative",
        baseline_value=0,
        target_value=3,
        target_date=datetime.date(2027, 12, 31),
        review_state=ReviewState.PROPOSED,
        is_public=False,
        proposed_by=has_member,
    )
    page = client.get(PREPARATION).content.decode()

    section = element(page, "en-attente")
    assert plain_text(section).startswith(
        plain_text(
            "En attente de validation 4 propositions en attente de validation : le rapport ne "
            "montrera que ce qui est publié."
        )
    )
    assert text_of(page, "en-attente-actions") == plain_text(
        f"IA 2-1 {action('IA 2-1').title} : 2 valeurs "
        f"IA 2-4 {action('IA 2-4').title} : 1 point d'avancement, 1 indicateur"
    )
    assert 'href="/actions/ia-2-1/"' in section
    assert 'href="/a-valider/"' in section
    # Reading it wrote nothing: the proposals still await review.
    assert Measurement.objects.filter(review_state=ReviewState.PROPOSED).count() == 2


def test_the_preparation_takes_as_many_queries_for_a_roadmap_ten_times_bigger(
    client, roadmap, administrator, has_member
):
    opened(roadmap, administrator)
    propose_some(has_member)
    client.force_login(administrator)
    with CaptureQueriesContext(connection) as small:
        assert client.get(PREPARATION).status_code == 200

    grow_everything(roadmap)
    for code in ("IA 2-100", "IA 3-100"):
        proposed(
            ProgressNote,
            action=action(code),
            author=has_member,
            written_on=datetime.date(2026, 2, 1),
            done="Proposé.",
            proposed_by=has_member,
        )
    with CaptureQueriesContext(connection) as big:
        page = client.get(PREPARATION).content.decode()

    listed = element(page, "en-attente-actions")
    assert listed.count("<li>") == 4
    assert "IA 2-100" in listed and "IA 3-100" in listed
    assert len(big) == len(small), [query["sql"] for query in big.captured_queries]


def test_an_administrator_publishes_the_report(client, roadmap, administrator, prepared):
    client.force_login(administrator)
    url = reverse("roadmap:report-publish", args=[prepared.slug])

    response = client.post(url, {"version": prepared.version})

    assert response.status_code == 302
    assert response["Location"] == prepared.get_absolute_url()
    prepared.refresh_from_db()
    assert prepared.state == ReportState.PUBLISHED
    assert prepared.published_by == administrator
    assert json.loads(prepared.snapshot)["report"]["published_by"] == administrator.display_name
    # Its PDF rendered at publication and kept: the PDF address serves those bytes.
    assert bytes(prepared.pdf).startswith(b"%PDF-")
    assert client.get(f"/rapports/{prepared.slug}.pdf").content == bytes(prepared.pdf)
    # Published once: again is a conflict, and nothing changes.
    snapshot = prepared.snapshot
    assert client.post(url, {"version": prepared.version}).status_code == 409
    prepared.refresh_from_db()
    assert prepared.snapshot == snapshot


def test_publishing_a_report_changed_meanwhile_is_a_conflict(client, roadmap, administrator):
    report = opened(roadmap, administrator)
    client.force_login(administrator)
    url = reverse("roadmap:report-publish", args=[report.slug])
    Report.objects.get(pk=report.pk).save()  # someone else saved it

    assert client.post(url, {"version": report.version}).status_code == 409
    assert client.post(url, {"version": "x"}).status_code == 422
    report.refresh_from_db()
    assert (report.state, report.snapshot) == (ReportState.IN_PREPARATION, "")


def test_publish_report_freezes_and_publishes_at_once(roadmap, administrator, capsys):
    call_command("publish_report", "--title", "Séance de mars", "--meeting-date", "2026-03-12")

    report = Report.objects.get()
    assert (report.title, report.state) == ("Séance de mars", ReportState.PUBLISHED)
    assert bytes(report.pdf).startswith(b"%PDF-")  # rendered and kept at publication
    assert capsys.readouterr().out == (
        "Rapport publié\u00a0: Séance de mars (/rapports/seance-2026-03-12/).\n"
    )
    with pytest.raises(CommandError, match="déjà publié"):
        call_command("publish_report", "--meeting-date", "2026-03-12")
    with pytest.raises(CommandError, match="Date invalide"):
        call_command("publish_report", "--meeting-date", "12/06/2026")
    opened(roadmap, administrator, OCTOBER)
    with pytest.raises(CommandError, match="est en préparation"):
        call_command("publish_report", "--meeting-date", "2026-06-18")
    call_command("publish_report", "--meeting-date", "2026-10-08")
    assert Report.objects.published().count() == 2


# --- « À jour pour la séance » on /mes-actions/


def session_item(page: str, slug: str) -> str:
    return plain_text(element(page, f"seance-{slug}"))


def test_a_member_sees_which_actions_need_an_update_and_marks_one_ready(
    client, roadmap, administrator, has_member
):
    report = opened(roadmap, administrator)
    client.force_login(has_member)
    page = client.get("/mes-actions/").content.decode()
    assert "À mettre à jour pour la séance" in session_item(page, "ia-2-4")
    assert text_of(page, "seance-a-mettre-a-jour").startswith("1 de vos actions n'a pas changé")

    set_status(action("IA 2-4"), Status.IN_PROGRESS, has_member)
    page = client.get("/mes-actions/").content.decode()
    assert "Mise à jour, pas encore marquée" in session_item(page, "ia-2-4")

    response = client.post(
        "/actions/ia-2-4/seance/", {"seance-ia-2-4-decisions": "Arbitrer le budget."}
    )

    assert response.status_code == 302
    assert response["Location"] == "/mes-actions/#seance-ia-2-4"
    mark = ActionReadiness.objects.get()
    assert (mark.report, mark.action.code, mark.decisions, mark.ready_by) == (
        report,
        "IA 2-4",
        "Arbitrer le budget.",
        has_member,
    )
    page = client.get("/mes-actions/").content.decode()
    assert "À jour pour la séance" in session_item(page, "ia-2-4")

    # Changing the decisions asked: the mark's version, no second mark.
    response = client.post(
        "/actions/ia-2-4/seance/",
        {"seance-ia-2-4-decisions": "Arbitrer.", "seance-ia-2-4-version": mark.version},
    )
    assert response.status_code == 302
    assert list(ActionReadiness.objects.values_list("decisions", flat=True)) == ["Arbitrer."]
    stale = client.post(
        "/actions/ia-2-4/seance/",
        {"seance-ia-2-4-decisions": "Autre.", "seance-ia-2-4-version": mark.version},
    )
    assert stale.status_code == 409
    assert "entre-temps" in plain_text(stale.content.decode())
    assert list(ActionReadiness.objects.values_list("decisions", flat=True)) == ["Arbitrer."]


def test_marking_ready_with_htmx_swaps_the_same_item_as_the_page(client, roadmap, administrator):
    opened(roadmap, administrator)
    client.force_login(administrator)
    before = client.get("/mes-actions/").content.decode()

    answer = client.post(
        "/actions/ia-2-4/seance/",
        {"seance-ia-2-4-decisions": "Arbitrer le budget."},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/mes-actions/",
    )

    assert answer.status_code == 200
    after = apply_htmx(before, answer.content.decode(), "seance-ia-2-4")
    assert text_of(after, "annonce-seance") == (
        "IA 2-4 marquée à jour pour la séance du 12 mars 2026."
    )
    assert plain_text(element(after, "avancement-seance")).startswith(
        "1 action sur 17 à jour pour la séance"
    )
    fresh = client.get("/mes-actions/").content.decode()
    # the same page but for the announcement, which only an answer fills
    blank = re.compile(r'(<p id="annonce-seance"[^>]*>).*?(</p>)', re.S)
    assert normalised(blank.sub(r"\1\2", after)) == normalised(blank.sub(r"\1\2", fresh))


def test_marking_ready_refuses_bad_input_other_organisations_and_no_report(
    client, roadmap, administrator, has_member, dns_member
):
    url = "/actions/ia-2-4/seance/"
    client.force_login(has_member)
    assert client.post(url, {}).status_code == 404  # no report in preparation
    opened(roadmap, administrator)

    response = client.post(url, {"seance-ia-2-4-decisions": "x" * 5001})
    assert response.status_code == 422
    assert "5 000 caractères" in plain_text(response.content.decode())
    response = client.post(url, {"seance-ia-2-4-decisions": "a\x02"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "caractère de contrôle" in plain_text(response.content.decode())
    assert client.get(url).status_code == 405

    client.force_login(dns_member)
    assert client.post(url, {"seance-ia-2-4-decisions": "Non."}).status_code == 403
    client.logout()
    assert client.post(url, {}).status_code == 302
    assert not ActionReadiness.objects.exists()


# --- The journal and its feed


def test_a_published_report_appears_in_the_journal_and_its_feed(client, roadmap, administrator):
    call_command("publish_report", "--meeting-date", "2026-03-12")
    opened(roadmap, administrator, JUNE)  # in preparation: not in the journal

    page = client.get("/journal/").content.decode()
    entry = element(page, "rapport-seance-2026-03-12")
    assert text_of(entry, "rapport-seance-2026-03-12-titre") == (
        "Rapport publié : Séance du Conseil du numérique en santé du 12 mars 2026"
    )
    assert 'href="/rapports/seance-2026-03-12/"' in entry
    assert "juin" not in plain_text(page)

    feed = client.get("/journal/atom.xml").content.decode()
    assert (
        "<title>Rapport publié\u00a0: Séance du Conseil du numérique en santé du 12 mars 2026"
        "</title>" in feed
    )
    assert '<link href="http://testserver/rapports/seance-2026-03-12/" rel="alternate"/>' in feed


def test_the_workbook_holds_each_action_milestone_indicator_and_period(
    client, roadmap, administrator, prepared
):
    Action.objects.filter(code="IA 2-4").update(title='=HYPERLINK("http://exemple.test","clic")')
    report = published(roadmap, administrator)

    response = client.get(f"/rapports/{report.slug}.xlsx")

    assert response["Content-Disposition"] == f'attachment; filename="{report.slug}.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Rapport", "Actions", "Jalons", "Indicateurs", "Périodes"]
    rows = {row[1]: row for row in book["Actions"].iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 17
    assert rows["IA 2-4"][2:7] == (
        '=HYPERLINK("http://exemple.test","clic")',
        "En cours",
        0,
        "HAS",
        None,
    )
    assert rows["IA 2-4"][11:] == ("oui", "Valider le calendrier du guide.")
    title_cell = next(
        row[2] for row in book["Actions"].iter_rows(min_row=2) if row[1].value == "IA 2-4"
    )
    assert (title_cell.data_type, title_cell.quotePrefix) == ("s", True)
    assert ("IA 2-4", "Guide publié") in [
        row[:2] for row in book["Jalons"].iter_rows(min_row=2, values_only=True)
    ]
    periods = [r for r in book["Périodes"].iter_rows(min_row=2, values_only=True)]
    assert (
        "IA2-1-APP-AN",
        "2024/2025",
        datetime.datetime(2024, 9, 1),
        datetime.datetime(2025, 8, 31),
        70000,
        63000,
        90,
    ) == periods[[r[:2] for r in periods].index(("IA2-1-APP-AN", "2024/2025"))]


@pytest.mark.usefixtures("memory_cache")
def test_my_actions_and_the_list_take_as_many_queries_for_a_roadmap_ten_times_bigger(
    client, roadmap, administrator
):
    published(roadmap, administrator, MARCH)
    opened(roadmap, administrator, JUNE)
    client.force_login(administrator)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/mes-actions/").status_code == 200
        assert client.get("/rapports/").status_code == 200

    grow_everything(roadmap)
    for code in ("IA 2-4", "IA 2-100", "IA 3-100"):
        report = Report.objects.in_preparation(roadmap)
        ActionReadiness.objects.create(report=report, action=action(code), ready_by=administrator)
    with CaptureQueriesContext(connection) as big:
        page = client.get("/mes-actions/").content.decode()
        assert client.get("/rapports/").status_code == 200

    assert page.count('class="app-session__item') == 50  # one page of actions
    assert re.match(
        r"3 actions sur 170 à jour pour la séance", plain_text(element(page, "avancement-seance"))
    )
    assert len(big) == len(small), [query["sql"] for query in big.captured_queries]


def test_a_reader_has_no_session_to_prepare(client, roadmap, administrator, reader):
    opened(roadmap, administrator)
    client.force_login(reader)
    page = client.get("/mes-actions/").content.decode()
    assert 'id="seance"' not in page
    assert "Aucune action ne vous est confiée." in plain_text(page)
