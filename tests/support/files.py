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
