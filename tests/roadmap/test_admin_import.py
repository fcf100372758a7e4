"""Tests of the spreadsheet pages of the admin.

The whole-workbook import (/admin/roadmap/importupload/): GIVEN an administrator, WHEN they
upload a workbook, THEN they see per sheet what would change and nothing is written; WHEN they
confirm, THEN everything is written at once and signed in the history. Also: the wrong method,
the anonymous visitor, the task-force member, a staff account that is not an administrator, a
bad file, an upload that is not theirs, the blank template and the export. The preview says
first that nothing is written yet; it shows each new row with its values, each changed one old →
new (« (vide) » when empty), the periods, sums, dated targets, interpretations and retirement a
file changes, the columns an older workbook leaves as they are, and the first rows of a large
sheet with the others counted. And the per-model import and export buttons of
django-import-export, in the same French format.
"""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from roadmap.models import Action, ImportUpload
from roadmap.spreadsheets import export_workbook
from tests.support.constants import PASSWORD
from tests.support.files import HEADERS, csv_file, database_dump, read_xlsx, xlsx_file
from tests.support.html import text

UPLOAD_URL = reverse("admin:roadmap_importupload_changelist")
TEMPLATE_URL = reverse("admin:roadmap_importupload_template")
EXPORT_URL = reverse("admin:roadmap_importupload_export")


def confirm_url(upload) -> str:
    return reverse("admin:roadmap_importupload_confirm", args=[upload.pk])


@pytest.fixture
def admin_client(client, administrator, roadmap):
    client.force_login(administrator)
    return client


def status_workbook(roadmap, status="En cours") -> bytes:
    ia_2_4 = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    row = ["IA 2-4", 2, ia_2_4.title, ia_2_4.description, status, "HAS", "", None, None]
    return xlsx_file(
        {"Actions": [row], "Jalons": [["IA 2-4", "Guide publié", date(2025, 12, 31), None]]}
    )


def upload(client, content: bytes, name: str = "suivi.xlsx", roadmap=None):
    data = {"file": SimpleUploadedFile(name, content)}
    if roadmap is not None:
        data["roadmap"] = roadmap.pk
    return client.post(UPLOAD_URL, data)


# --- who may use it


def test_it_sends_anonymous_visitors_to_the_login_page(client, roadmap):
    for url in (UPLOAD_URL, TEMPLATE_URL, EXPORT_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_it_sends_task_force_members_to_the_login_page(client, has_member):
    client.force_login(has_member)
    response = client.post(UPLOAD_URL, {"file": SimpleUploadedFile("a.xlsx", b"x")})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_it_forbids_staff_accounts_that_are_not_administrators(client, roadmap):
    staff = User.objects.create_user("equipe", password=PASSWORD, is_staff=True)
    client.force_login(staff)
    for url in (UPLOAD_URL, TEMPLATE_URL, EXPORT_URL):
        assert client.get(url).status_code == 403
    before = database_dump()
    assert upload(client, status_workbook(roadmap), roadmap=roadmap).status_code == 403
    assert database_dump() == before
    assert not ImportUpload.objects.exists()


def test_the_admin_index_links_to_it_for_administrators_only(admin_client, client, roadmap):
    assert UPLOAD_URL in admin_client.get(reverse("admin:index")).content.decode()
    staff = User.objects.create_user("equipe", password=PASSWORD, is_staff=True)
    client.force_login(staff)
    assert UPLOAD_URL not in client.get(reverse("admin:index")).content.decode()


# --- the happy path


def test_it_shows_the_upload_form_with_the_format_and_links(admin_client):
    response = admin_client.get(UPLOAD_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "Code · Axe · Titre · Description · Statut · Pilote · Partenaires · Début · Fin" in page
    assert TEMPLATE_URL in page and EXPORT_URL in page


def test_upload_previews_then_confirm_imports_everything_at_once(
    admin_client, administrator, roadmap
):
    before = database_dump()

    # WHEN the administrator uploads a workbook
    response = upload(admin_client, status_workbook(roadmap), roadmap=roadmap)

    # THEN they see what would change, sheet by sheet, and nothing is written yet
    assert response.status_code == 200
    page = response.content.decode()
    assert "Lignes modifiées (avant → après)" in page
    assert "À risque" not in page and "En cours" in page
    assert "Ligne 2\u00a0: IA 2-4 · Guide publié\u00a0: échéance 31/12/2025" in page
    # said before the rows, not only beside the button at the end
    notice = page.index("Aperçu\u00a0: rien n’est encore écrit dans la feuille de route.")
    assert notice < page.index("Lignes modifiées (avant → après)")
    assert database_dump() == before
    kept = ImportUpload.objects.get()
    assert (kept.uploaded_by, kept.roadmap, kept.filename) == (administrator, roadmap, "suivi.xlsx")
    assert confirm_url(kept) in page

    # WHEN they confirm
    response = admin_client.post(confirm_url(kept), {"sha256": kept.sha256})

    # THEN everything is written, signed, and the upload is forgotten
    assert response.status_code == 302
    assert response["Location"] == UPLOAD_URL
    ia_2_4 = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    assert ia_2_4.status == "in_progress"
    assert ia_2_4.milestones.get().title == "Guide publié"
    record = ia_2_4.history.latest()
    assert record.history_user == administrator
    assert record.history_change_reason == "Import du fichier «\u202fsuivi.xlsx\u202f»"
    assert not ImportUpload.objects.exists()
    message = admin_client.get(UPLOAD_URL).content.decode()
    assert "Import du fichier «\u202fsuivi.xlsx\u202f» terminé." in message


def test_the_preview_shows_periods_sums_targets_interpretations_and_retirement(
    admin_client, roadmap
):
    rows = read_xlsx(export_workbook(roadmap))
    indicators = [
        dict(zip(rows["Indicateurs"][0], row, strict=True)) for row in rows["Indicateurs"]
    ]
    changed = {
        "IA2-1-PRO-AN": {"Nombre de périodes": 4, "Interprétation": "Quatre années lues."},
        "IA2-1-INVEST": {"Retiré le": date(2026, 1, 15)},
        "IA2-1-APP-5ANS": {"Somme de": None},
    }
    sheet = [
        [changed.get(row["Code"], {}).get(column, value) for column, value in row.items()]
        for row in indicators[1:]
    ]
    content = xlsx_file(
        {
            "Indicateurs": sheet,
            "Cibles": [["IA2-1-APP-AN", date(2025, 12, 1), 75000, "Avenant", "Lue ainsi."]],
            "Jalons": [["", "Bilan national", date(2026, 6, 30), None, "Lu ainsi."]],
        }
    )
    before = database_dump()

    response = upload(admin_client, content, roadmap=roadmap)

    assert response.status_code == 200
    page = text(response.content.decode())
    for change in (
        "IA2-1-PRO-AN Nombre de périodes (vide) 4",
        "Interprétation «\u202f140 000 professionnels par an\u202f»",
        "Quatre années lues.",
        "IA2-1-INVEST Retiré le (vide) 15/01/2026",
        "IA2-1-APP-5ANS Somme de IA2-1-APP-AN (vide)",
        "Ligne 2\u00a0: IA2-1-APP-AN au 01/12/2025\u00a0: cible 75\u202f000\u00a0apprenants, "
        "source «\u202fAvenant\u202f», interprétation «\u202fLue ainsi.\u202f»",
        "Ligne 2\u00a0: Feuille de route · Bilan national\u00a0: échéance 30/06/2026, "
        "interprétation «\u202fLu ainsi.\u202f»",
    ):
        assert change in page, change
    assert database_dump() == before


def test_the_preview_of_an_older_workbook_names_the_columns_it_leaves_as_they_are(
    admin_client, roadmap
):
    row = ["IA 2-1", "IA2-1-INVEST", "Investissement", "€", "Cumulatif"]
    content = xlsx_file({"Indicateurs": [[*row, None, None, 1, None, None]]}, first_version=True)

    page = text(upload(admin_client, content, roadmap=roadmap).content.decode())

    assert (
        "Colonnes absentes du fichier, laissées telles quelles\u00a0: Périodicité, Première "
        "période, "
        "Nombre de périodes, Somme de, Interprétation, Retiré le"
    ) in page


def test_the_preview_of_a_large_sheet_shows_its_first_rows_and_counts_the_others(
    admin_client, roadmap, monkeypatch
):
    monkeypatch.setattr("roadmap.spreadsheets.importing.PREVIEW_ROWS", 3)
    rows = [
        ["IA2-1-MASTER-NUM", date(2025, month, 1), month, "Arrêté", ""] for month in range(1, 13)
    ]
    before = database_dump()

    response = upload(admin_client, xlsx_file({"Mesures": rows}), roadmap=roadmap)

    assert response.status_code == 200
    page = text(response.content.decode())
    assert "Mesures 12 nouvelles, 0 modifiée, 0 inchangée, 0 erreur." in page
    assert (
        "Ligne 4\u00a0: IA2-1-MASTER-NUM au 01/03/2025\u00a0: 3\u00a0parcours, source "
        "«\u202fArrêté\u202f» "
        "… et 9 autres lignes"
    ) in page
    assert "Ligne 5\u00a0:" not in page
    assert database_dump() == before
    assert ImportUpload.objects.count() == 1  # the whole file waits for its confirmation


def test_a_file_that_changes_nothing_is_not_kept_for_confirmation(admin_client, roadmap):
    Action.objects.get(code="IA 2-4").milestones.create(
        roadmap=roadmap, title="Guide publié", due_date=date(2025, 12, 31)
    )
    response = upload(admin_client, status_workbook(roadmap, status=""), roadmap=roadmap)
    assert response.status_code == 200
    assert "Aucun changement" in response.content.decode()
    assert not ImportUpload.objects.exists()


# --- bad input


def test_a_bad_file_shows_every_error_and_writes_nothing(admin_client, roadmap):
    content = xlsx_file(
        {
            "Actions": [["IA 2-4", 2, "x", "", "Terminé", "XYZ", "", None, None]],
            "Mesures": [["IA2-1-APP-AN", "hier", "beaucoup", "Source", ""]],
        }
    )
    before = database_dump()

    response = upload(admin_client, content, "erreurs.xlsx", roadmap=roadmap)

    assert response.status_code == 400
    page = response.content.decode()
    assert "4 erreurs\u00a0: rien n’a été importé." in page
    for shown in (
        "Statut",
        "«\u202fTerminé\u202f»",
        "Pilote",
        "«\u202fXYZ\u202f»",
        "Date attendue",
        "Nombre attendu",
    ):
        assert shown in page
    assert database_dump() == before
    assert not ImportUpload.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("classeur.xlsx", b"PK\x03\x04 pas un zip", "endommagé ou illisible"),
        ("notes.pdf", b"%PDF-1.4", "Format non pris en charge"),
        ("vide.csv", b"", "Le fichier soumis est vide."),
    ],
)
def test_a_file_that_cannot_be_read_is_a_clear_400(admin_client, roadmap, name, content, message):
    response = upload(admin_client, content, name, roadmap=roadmap)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_missing_file_is_a_clear_400(admin_client, roadmap):
    response = admin_client.post(UPLOAD_URL, {"roadmap": roadmap.pk})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()


def test_a_file_over_the_size_limit_is_refused_before_being_read(admin_client, roadmap, settings):
    settings.ROADMAP_IMPORT_MAX_BYTES = 1024 * 1024
    response = upload(admin_client, b"x" * (1024 * 1024 + 1), "gros.csv", roadmap=roadmap)
    assert response.status_code == 400
    assert "Le fichier dépasse la taille maximale de 1 Mo." in response.content.decode()


def test_wrong_methods_are_refused(admin_client, roadmap):
    upload(admin_client, status_workbook(roadmap), roadmap=roadmap)
    kept = ImportUpload.objects.get()
    assert admin_client.get(confirm_url(kept)).status_code == 405
    assert admin_client.put(UPLOAD_URL).status_code == 405
    assert admin_client.post(TEMPLATE_URL).status_code == 405
    assert Action.objects.get(code="IA 2-4").status == ""


def test_someone_elses_upload_or_a_wrong_fingerprint_imports_nothing(admin_client, client, roadmap):
    upload(admin_client, status_workbook(roadmap), roadmap=roadmap)
    kept = ImportUpload.objects.get()
    other = User.objects.create_user("autre-admin", password=PASSWORD, role="administrator")
    client.force_login(other)
    assert client.post(confirm_url(kept), {"sha256": kept.sha256}).status_code == 302
    assert admin_client.post(confirm_url(kept), {"sha256": "0" * 64}).status_code == 302
    assert Action.objects.get(code="IA 2-4").status == ""
    # And a second confirmation of an import already done imports nothing more.
    assert admin_client.post(confirm_url(kept), {"sha256": kept.sha256}).status_code == 302
    history = Action.history.count()
    response = admin_client.post(confirm_url(kept), {"sha256": kept.sha256}, follow=True)
    assert "a déjà été confirmé ou a expiré" in response.content.decode()
    assert Action.history.count() == history


def test_confirming_a_file_made_invalid_meanwhile_writes_nothing(admin_client, roadmap):
    content = xlsx_file({"Mesures": [["IA2-1-INVEST", date(2025, 6, 30), 1, "Source", ""]]})
    upload(admin_client, content, roadmap=roadmap)
    kept = ImportUpload.objects.get()
    Action.objects.get(code="IA 2-1").indicators.filter(code="IA2-1-INVEST").delete()
    before = database_dump()
    response = admin_client.post(confirm_url(kept), {"sha256": kept.sha256})
    assert response.status_code == 409
    assert "Indicateur inconnu" in response.content.decode()
    assert database_dump() == before


# --- downloads


def test_the_blank_template_downloads_as_a_workbook(admin_client):
    response = admin_client.get(TEMPLATE_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="modele-feuille-de-route.xlsx"' in response["Content-Disposition"]
    assert "Valeurs autorisées" in read_xlsx(response.content)


def test_the_roadmap_exports_as_a_workbook_in_the_import_format(admin_client):
    response = admin_client.get(EXPORT_URL)
    assert response.status_code == 200
    book = read_xlsx(response.content)
    assert book["Actions"][0] == HEADERS["Actions"]
    assert len(book["Actions"]) == 18


def test_an_unknown_roadmap_is_a_404(admin_client):
    assert admin_client.get(EXPORT_URL, {"feuille_de_route": "inconnue"}).status_code == 404


# --- the per-model buttons of django-import-export


@pytest.mark.parametrize("model", ["action", "milestone", "indicator", "measurement"])
def test_there_is_no_per_model_import_only_the_workbook_import(admin_client, model):
    # One upload path: a file of one sheet goes through the workbook import, with its guards.
    content = csv_file([["IA 2-4", "2", "x", "", "", "", "", "", ""]], header=HEADERS["Actions"])
    response = admin_client.post(
        f"/admin/roadmap/{model}/import/",
        {"import_file": SimpleUploadedFile("actions.csv", content), "format": "1"},
    )
    # The admin takes the address for an object's: never the import form.
    assert response.status_code in (302, 404)
    assert "import_file" not in response.content.decode()
    assert not ImportUpload.objects.exists()
    with pytest.raises(NoReverseMatch):
        reverse(f"admin:roadmap_{model}_import")
    page = admin_client.get(reverse(f"admin:roadmap_{model}_changelist"))
    assert page.status_code == 200
    assert f"/admin/roadmap/{model}/import/" not in page.content.decode()
    assert reverse(f"admin:roadmap_{model}_export") in page.content.decode()


def test_one_sheet_as_csv_imports_through_the_workbook_import(admin_client, roadmap):
    ia_2_4 = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    row = ["IA 2-4", "2", ia_2_4.title, ia_2_4.description, "Réalisée", "HAS", "", "", ""]
    content = csv_file([row], header=HEADERS["Actions"], encoding="cp1252")

    response = admin_client.post(
        UPLOAD_URL, {"file": SimpleUploadedFile("actions.csv", content), "roadmap": roadmap.pk}
    )

    assert response.status_code == 200
    upload = response.context["upload"]
    assert Action.objects.get(pk=ia_2_4.pk).status == ""
    response = admin_client.post(
        reverse("admin:roadmap_importupload_confirm", args=[upload.pk]), {"sha256": upload.sha256}
    )
    assert response.status_code == 302
    assert Action.objects.get(pk=ia_2_4.pk).status == "done"
    assert not ImportUpload.objects.exists()


def test_the_actions_page_exports_neutralised_xlsx(admin_client, roadmap):
    Action.objects.filter(code="IA 2-4").update(description="=1+1")
    fields = {f"actionresource_{name}": "on" for name in ("code", "title", "description")}
    response = admin_client.post(
        reverse("admin:roadmap_action_export"), {"format": "0", "resource": "0", **fields}
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == ["Code", "Titre", "Description"]
    cell = next(row[2] for row in sheet.iter_rows(min_row=2) if row[0].value == "IA 2-4")
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+1", "s", True)
