"""Test data builders: the files French administrators really send, made in memory.

No binary file is committed: each test builds what it needs.

- `xlsx_file`: an openpyxl workbook, dates as real Excel date cells, numbers as numbers;
- `csv_file`: what Excel writes on a French Windows (« CSV (séparateur : point-virgule) », in
  Windows-1252) or « CSV UTF-8 » (with its BOM), or any other separator and encoding;
- `as_french_excel_csv`: one of our CSV exports as French Excel saves it once opened
  (semicolons, Windows-1252, « 31/12/2025 », « 1234,5 »);
- `read_xlsx`: the values of a workbook, sheet by sheet, to compare two workbooks;
- `database_dump`: every row of every table of the roadmap and accounts apps (history included),
  to prove that a failed import left the database exactly as it was;
- `HEADERS`: the headers of each sheet, as docs/contract.md spells them; `FIRST_HEADERS`: those
  of the format's first version, which older workbooks still have.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime

import openpyxl
from django.apps import apps
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from roadmap.models import DataVersion, ImportUpload

FIRST_HEADERS = {
    "Actions": [
        "Code",
        "Axe",
        "Titre",
        "Description",
        "Statut",
        "Pilote",
        "Partenaires",
        "Début",
        "Fin",
    ],
    "Jalons": ["Action", "Jalon", "Échéance", "Réalisé le"],
    "Indicateurs": [
        "Action",
        "Code",
        "Indicateur",
        "Unité",
        "Type",
        "Valeur initiale",
        "Date initiale",
        "Cible",
        "Date cible",
        "Sens",
    ],
    "Mesures": ["Indicateur", "Date", "Valeur", "Source", "Commentaire"],
}
HEADERS = {
    "Actions": FIRST_HEADERS["Actions"],
    "Jalons": [*FIRST_HEADERS["Jalons"], "Interprétation"],
    "Indicateurs": [
        *FIRST_HEADERS["Indicateurs"],
        "Périodicité",
        "Première période",
        "Nombre de périodes",
        "Somme de",
        "Interprétation",
        "Retiré le",
    ],
    "Mesures": FIRST_HEADERS["Mesures"],
    "Cibles": ["Indicateur", "Date", "Valeur", "Source", "Interprétation"],
}


def xlsx_file(
    sheets: dict[str, list[list]], *, headers: bool = True, first_version: bool = False
) -> bytes:
    """A workbook with one sheet per item; rows under the sheet's headers by default (those of
    the format's first version with `first_version`).

    Python dates become Excel date cells formatted as French Excel shows them (JJ/MM/AAAA).
    """
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        known = FIRST_HEADERS if first_version else HEADERS
        if headers and title in known:
            sheet.append(known[title])
        for row in rows:
            sheet.append([_xlsx_value(value) for value in row])
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, date | datetime):
                    cell.number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value):
    # openpyxl refuses the control characters an xlsx file cannot hold.
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def csv_file(
    rows: list[list],
    *,
    header: list[str] | None = None,
    delimiter: str = ";",
    encoding: str = "cp1252",
    bom: bool = False,
) -> bytes:
    """CSV bytes as Excel writes them: CRLF line ends, quoted when needed, in `encoding`."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if header:
        writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    content = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + content) if bom else content


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DECIMAL = re.compile(r"-?\d+\.\d+")


def as_french_excel_csv(content: bytes, *, encoding: str = "cp1252") -> bytes:
    """Our UTF-8, comma-separated CSV as Excel on a French Windows saves it after opening it:
    « CSV (séparateur : point-virgule) », dates day first, decimal commas, CRLF line ends."""
    rows = []
    for row in csv.reader(io.StringIO(content.decode("utf-8"), newline="")):
        cells = []
        for cell in row:
            if match := _ISO_DATE.fullmatch(cell):
                year, month, day = match.groups()
                cell = f"{day}/{month}/{year}"
            elif _DECIMAL.fullmatch(cell):
                cell = cell.replace(".", ",")
            cells.append(cell)
        rows.append(cells)
    return csv_file(rows[1:], header=rows[0], delimiter=";", encoding=encoding)


def read_xlsx(content: bytes) -> dict[str, list[list]]:
    """Each sheet's values, row by row (trailing empty cells included), in sheet order."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {
        sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()]
        for sheet in book.worksheets
    }


def database_dump() -> dict[str, list[dict]]:
    """Every row the roadmap and accounts apps own, history and many-to-many tables included."""
    dump = {}
    for app_label in ("accounts", "roadmap"):
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True):
            if model in (ImportUpload, DataVersion):
                # The upload waiting for confirmation is not roadmap data, and the data version
                # (the public cache's key) may move on an attempt that writes nothing.
                continue
            dump[model._meta.label] = list(model.objects.order_by("pk").values())
    return dump


# --- Hostile files, as an attacker (or a broken tool) makes them from a real workbook


def actions_xlsx_as_xml(rows: list[list[str]], *, doctype: str = "") -> bytes:
    """A real workbook whose Actions sheet is written here as XML, inline strings only: what
    openpyxl would refuse to write (a cell beyond 32 767 characters, which it truncates) or
    what a hostile tool writes (`doctype`, before the root element)."""
    content = xlsx_file({"Actions": []})

    def cell(column: int, row: int, text: str) -> str:
        reference = f"{openpyxl.utils.get_column_letter(column)}{row}"
        return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'

    body = "".join(
        f'<row r="{number}">'
        + "".join(cell(column, number, text) for column, text in enumerate(values, start=1))
        + "</row>"
        for number, values in enumerate([HEADERS["Actions"], *rows], start=1)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + doctype
        + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + f"<sheetData>{body}</sheetData></worksheet>"
    )
    return _replace_part(content, "xl/worksheets/sheet1.xml", sheet.encode())


def entity_bomb_xlsx(*, levels: int = 9) -> bytes:
    """A real workbook whose sheet declares nested entities (« billion laughs »): a few
    kilobytes that a parser expanding entities turns into 10**levels characters in one cell."""
    entities = '<!ENTITY e0 "aaaaaaaaaa">' + "".join(
        f'<!ENTITY e{level} "{f"&e{level - 1};" * 10}">' for level in range(1, levels)
    )
    return actions_xlsx_as_xml(
        [["IA 1-1", "1", f"&e{levels - 1};"]], doctype=f"<!DOCTYPE worksheet [{entities}]>"
    )


def zip_bomb_xlsx(*, megabytes: int = 200) -> bytes:
    """A real workbook with one more worksheet part of `megabytes` MB of blanks, deflated to a
    few hundred kilobytes; written in pieces, so that building it holds no such string."""
    content = xlsx_file({"Actions": [["IA 1-1", 1, "Titre", "", "", "", "", "", ""]]})
    buffer = io.BytesIO(content)
    with (
        zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet9.xml", "w", force_zip64=True) as part,
    ):
        part.write(b'<?xml version="1.0"?><worksheet><sheetData>')
        blank = b" " * (1024 * 1024)
        for _ in range(megabytes):
            part.write(blank)
        part.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def _replace_part(content: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member, data if member.filename == name else source.read(member))
    return buffer.getvalue()


def large_csv(path, *, megabytes: int = 50) -> None:
    """A Mesures CSV of `megabytes` MB as French Excel writes it, written line by line."""
    line = "IA2-1-APP-AN;31/08/2026;35 000;Enquête DGOS;" + "x" * 200 + "\r\n"
    encoded = line.encode("cp1252")
    with open(path, "wb") as file:
        file.write(";".join(HEADERS["Mesures"]).encode("cp1252") + b"\r\n")
        for _ in range(megabytes * 1024 * 1024 // len(encoded) + 1):
            file.write(encoded)
