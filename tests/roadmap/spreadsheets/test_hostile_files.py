"""Hostile uploads (docs/contract.md, « Limites des saisies ») by the two upload paths, the admin's
workbook import and `import_roadmap`: entity expansion, a zip bomb, a 50 MB CSV, a cell beyond
what a workbook holds, a CSV in no single encoding. Each is refused in French, stores nothing
(no waiting upload, no row), and the command stays under 200 MB of memory, measured in a
process of its own."""

from __future__ import annotations

import secrets

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from roadmap.models import Action, ImportUpload, Measurement
from roadmap.spreadsheets import import_file
from tests.support.commands import run_manage_measured
from tests.support.files import (
    HEADERS,
    actions_xlsx_as_xml,
    csv_file,
    database_dump,
    entity_bomb_xlsx,
    large_csv,
    xlsx_file,
    zip_bomb_xlsx,
)

UPLOAD_URL = reverse("admin:roadmap_importupload_changelist")
MEMORY_LIMIT_MB = 200
DECLARATION = "contient une déclaration XML (DOCTYPE ou ENTITY)"


def errors_of(report) -> list[str]:
    return [str(error) for error in report.errors]


def test_an_entity_bomb_is_refused_before_it_is_parsed(roadmap):
    before = database_dump()

    report = import_file(entity_bomb_xlsx(), "bombe.xlsx", dry_run=False)

    assert [DECLARATION in error for error in errors_of(report)] == [True]
    assert not report.committed
    assert database_dump() == before


def test_a_zip_bomb_is_refused_from_its_declared_sizes(roadmap):
    report = import_file(zip_bomb_xlsx(megabytes=30), "bombe.xlsx")

    assert errors_of(report) == [
        "Le classeur «\u202fbombe.xlsx\u202f» est anormalement volumineux une fois décompressé "
        "(30 Mo, limite 20 Mo)\u00a0: il n'a pas été ouvert."
    ]


def test_a_cell_longer_than_a_workbook_cell_is_refused_where_it_is(roadmap):
    # openpyxl truncates what it writes at 32 767 characters: the sheet is written as XML.
    content = actions_xlsx_as_xml([["IA 1-1", "1", "Titre", "x" * 32_768]])

    report = import_file(content, "long.xlsx")

    assert errors_of(report) == [
        "Feuille «\u202fActions\u202f», ligne 2, colonne «\u202fD\u202f»\u00a0: Cette cellule "
        "compte 32\u202f768 "
        "caractères\u00a0: une cellule en tient 32\u202f767 au plus."
    ]


def test_a_text_longer_than_its_column_is_refused_with_the_limit(roadmap):
    content = xlsx_file({"Actions": [["IA 1-1", 1, "T" * 501, "", "", "", "", "", ""]]})

    report = import_file(content, "long.xlsx")

    assert len(report.errors) == 1
    assert report.errors[0].column == "Titre"
    assert "500" in report.errors[0].message


@pytest.mark.parametrize(
    ("hostile", "expected"),
    [
        (entity_bomb_xlsx, DECLARATION),
        (lambda: zip_bomb_xlsx(megabytes=30), "anormalement volumineux"),
    ],
)
def test_the_admin_upload_refuses_hostile_workbooks_and_keeps_nothing(
    client, administrator, roadmap, hostile, expected
):
    client.force_login(administrator)
    before = database_dump()

    response = client.post(
        UPLOAD_URL, {"file": SimpleUploadedFile("bombe.xlsx", hostile()), "roadmap": roadmap.pk}
    )

    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not ImportUpload.objects.exists()
    assert database_dump() == before


def test_the_admin_upload_refuses_a_50_mb_csv_unread(client, administrator, roadmap, tmp_path):
    client.force_login(administrator)
    path = tmp_path / "mesures.csv"
    large_csv(path, megabytes=50)

    with path.open("rb") as file:
        response = client.post(UPLOAD_URL, {"file": file, "roadmap": roadmap.pk})

    assert response.status_code == 400
    assert "Le fichier dépasse la taille maximale de 5 Mo." in response.content.decode()
    assert not ImportUpload.objects.exists()
    assert not Measurement.objects.filter(source="Enquête DGOS").exists()


# --- Encodings: decided once for the whole file


def test_a_utf8_csv_with_one_stray_windows_1252_byte_is_refused_at_that_byte(roadmap):
    # It used to be decoded as Windows-1252 from end to end: « EnquÃªte UTF-8 Ã© ».
    rows = [["IA 2-4", "Jalon déjà là", "31/12/2026", ""], ["IA 2-4", "Enquête", "", ""]]
    content = csv_file(rows, header=HEADERS["Jalons"][:4], encoding="utf-8")
    content = content.replace("Enquête".encode(), b"Enqu\xeate")
    before = database_dump()

    report = import_file(content, "jalons.csv")

    assert errors_of(report) == [
        "Feuille «\u202fjalons\u202f», ligne 3, colonne «\u202fB\u202f»\u00a0: Le fichier "
        "«\u202fjalons.csv\u202f» est en UTF-8 "
        "mais contient un octet invalide (0xEA)\u00a0: corrigez ce caractère, ou enregistrez le "
        "fichier à nouveau en «\u202fCSV UTF-8\u202f»."
    ]
    assert database_dump() == before


@pytest.mark.parametrize("bom", [False, True])
def test_utf8_with_or_without_bom_and_windows_1252_are_each_read_whole(roadmap, bom):
    rows = [["IA 2-4", "Enquête à mener", "31/12/2026", ""]]
    header = HEADERS["Jalons"][:4]
    for content in (
        csv_file(rows, header=header, encoding="utf-8", bom=bom),
        csv_file(rows, header=header, encoding="cp1252"),
    ):
        report = import_file(content, "jalons.csv", dry_run=True)
        assert report.ok, errors_of(report)
        assert report.sheets[0].new[0].label.endswith("Enquête à mener")


def test_a_windows_1252_file_whose_bytes_happen_to_form_utf8_is_read_as_windows_1252(roadmap):
    # « é », a no-break space and « » » are E9 A0 BB in Windows-1252: well-formed UTF-8 for
    # « 辻 », which is no French text; the file's other accents are not UTF-8 at all.
    rows = [["IA 2-4", "Jalon « IA en santé\u00a0» à mener", "31/12/2026", ""]]
    content = csv_file(rows, header=HEADERS["Jalons"][:4], encoding="cp1252")
    assert b"\xe9\xa0\xbb" in content

    report = import_file(content, "jalons.csv", dry_run=True)

    assert report.ok, errors_of(report)
    assert report.sheets[0].new[0].label.endswith("Jalon « IA en santé\u00a0» à mener")


def test_a_file_in_neither_encoding_is_refused_with_its_first_bad_byte(roadmap):
    content = b"Action;Jalon\r\nIA 2-4;Jalon\r\n" + b"IA 2-4;J\x81\r\n"

    report = import_file(content, "jalons.csv")

    assert errors_of(report) == [
        "Feuille «\u202fjalons\u202f», ligne 3, colonne «\u202fB\u202f»\u00a0: L'encodage du "
        "fichier «\u202fjalons.csv\u202f» "
        "n'est pas reconnu (octet 0x81, ni UTF-8 ni Windows-1252)\u00a0: enregistrez-le en "
        "«\u202fCSV "
        "UTF-8\u202f» ou en CSV Windows (Windows-1252)."
    ]


# --- The command, in a process of its own: refused, nothing stored, memory bounded


@pytest.mark.parametrize(
    ("name", "build", "expected"),
    [
        ("bombe-entites.xlsx", lambda path: path.write_bytes(entity_bomb_xlsx()), DECLARATION),
        (
            "bombe-zip.xlsx",
            lambda path: path.write_bytes(zip_bomb_xlsx(megabytes=200)),
            "anormalement volumineux",
        ),
        ("mesures.csv", lambda path: large_csv(path, megabytes=50), "taille maximale de 5 Mo"),
    ],
)
def test_import_roadmap_refuses_hostile_files_under_200_mb(tmp_path, name, build, expected):
    path = tmp_path / name
    build(path)

    done, peak_mb = run_manage_measured(
        "import_roadmap", str(path), DEBUG="1", SECRET_KEY=secrets.token_urlsafe(50)
    )

    assert done.returncode != 0
    assert expected in done.stderr
    assert peak_mb < MEMORY_LIMIT_MB, f"{name}: {peak_mb:.0f} Mo"
    print(f"{name} ({path.stat().st_size // 1024} Ko): {peak_mb:.0f} Mo au plus")


def test_nothing_is_half_written_by_a_refused_workbook(roadmap):
    before = database_dump()
    rows = [["IA 2-4", 2, "Titre changé", "", "", "", "", "", ""]]
    # A good Actions sheet, and a bad byte-level cell in Jalons: all or nothing.
    content = xlsx_file({"Actions": rows, "Jalons": [["IA 2-4", "J" * 600, "31/12/2026", ""]]})

    report = import_file(content, "classeur.xlsx")

    assert not report.ok
    assert Action.objects.get(code="IA 2-4").title != "Titre changé"
    assert database_dump() == before
