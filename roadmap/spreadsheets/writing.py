"""Writing the roadmap in the import format: the .xlsx workbook, one CSV file per sheet, JSON,
and the blank template to fill in. Text that a spreadsheet program would run as a formula is
neutralised (see the package's docstring); every export re-imports unchanged.

The workbook also carries the derived sheet « Périodes » (`periods`), which the import skips,
and `export_periods_csv` writes it alone, for French Excel: it is read, never imported."""

from __future__ import annotations

import codecs
import csv
import io
import json
from datetime import date
from decimal import Decimal

import openpyxl
import tablib
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Font

from accounts.models import Organisation
from roadmap.french import number_text, plain_number
from roadmap.models import (
    STATUS_UNSET_LABEL,
    Axis,
    Direction,
    Kind,
    Periodicity,
    Roadmap,
    Status,
)
from roadmap.site.legal import OPEN_LICENCE

from .cells import CSV_ESCAPE, FORMULA_TRIGGERS, column_letter, display
from .periods import PERIODS, period_rows
from .sheet import SheetResource
from .sheets import SHEETS, SheetSpec

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_SHEET = "Valeurs autorisées"
EXAMPLE = "EXEMPLE"


def _resource(spec: SheetSpec, roadmap: Roadmap) -> SheetResource:
    return spec.resource_class(roadmap=roadmap)


def export_sheets(roadmap: Roadmap) -> list[tuple[SheetSpec, tablib.Dataset]]:
    """Every sheet of `roadmap`, as datasets of native values (dates, numbers, text)."""
    exported = []
    for spec in SHEETS:
        resource = _resource(spec, roadmap)
        exported.append((spec, resource.export(resource.export_queryset())))
    return exported


def csv_cell(value) -> str:
    """A value as written in our CSV files: ISO dates, plain numbers, neutralised text."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return number_text(value)
    text = str(value)
    if text.startswith((*FORMULA_TRIGGERS, CSV_ESCAPE)):
        return CSV_ESCAPE + text
    return text


def write_csv(headers: list[str], rows) -> bytes:
    """UTF-8 (no BOM), comma-separated, a header row: what open data tools expect."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def excel_csv_cell(value) -> str:
    """A value as French Excel reads it: a decimal comma (« 28,6 », which a decimal point would
    turn into a date), otherwise as `csv_cell`."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return number_text(value).replace(".", ",")
    return csv_cell(value)


def write_excel_csv(headers: list[str], rows) -> bytes:
    """UTF-8 with a BOM, semicolon-separated, CRLF: what French Excel opens as columns, with
    its accents, on a double click."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([excel_csv_cell(value) for value in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def _excel_number(value):
    value = plain_number(value)
    if isinstance(value, int):
        return value
    as_float = float(value)
    # Excel holds binary floats: a decimal it cannot hold exactly is kept as text, which
    # re-imports exactly, rather than silently rounded.
    return as_float if Decimal(repr(as_float)) == value else number_text(value)


def _write_cell(sheet, row: int, column: int, value) -> None:
    cell = sheet.cell(row=row, column=column)
    if value is None or value == "":
        return
    if isinstance(value, date):
        cell.value = value
        cell.number_format = "DD/MM/YYYY"
        return
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        number = _excel_number(value)
        if not isinstance(number, str):
            cell.value = number
            cell.number_format = "#,##0" if isinstance(number, int) else "#,##0.0###"
            return
        value = number
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
    cell.value = text
    cell.data_type = "s"  # always text: openpyxl would write « =… » as a formula
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


def write_sheet(book, title: str, headers: list[str], rows) -> None:
    sheet = book.create_sheet(title)
    bold = Font(bold=True)
    widths = [len(header) for header in headers]
    for column, header in enumerate(headers, start=1):
        sheet.cell(row=1, column=column, value=header).font = bold
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            _write_cell(sheet, row_number, column, value)
            widths[column - 1] = max(widths[column - 1], min(len(display(value)), 60))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[column_letter(column - 1)].width = width + 2
    sheet.freeze_panes = "A2"


def workbook_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def new_book():
    book = openpyxl.Workbook()
    book.remove(book.active)
    return book


def export_workbook(roadmap: Roadmap | None, today: date | None = None) -> bytes:
    """The roadmap as an .xlsx workbook in the import format: it re-imports unchanged. Its last
    sheet, « Périodes », is derived (each period against its own target on `today`, by default
    the local date) and skipped by the import."""
    book = new_book()
    # The open data's licence, in the file's own description (File > Properties in Excel).
    book.properties.description = (
        _("Données ouvertes de la feuille de route, sous la %(name)s : %(url)s") % OPEN_LICENCE
    )
    for spec, dataset in export_sheets(roadmap):
        write_sheet(book, spec.name, dataset.headers, dataset)
    write_sheet(book, PERIODS.name, PERIODS.columns, period_rows(roadmap, today or _today()))
    # Said where a person reading the sheet looks first; the reader ignores comments.
    book[PERIODS.name]["A1"].comment = Comment(
        _(
            "Feuille calculée à partir des autres (chaque période face à sa propre cible) : "
            "l'import l'ignore. Changez plutôt les feuilles Indicateurs, Mesures et Cibles."
        ),
        "Feuille de route",
    )
    return workbook_bytes(book)


def _today() -> date:
    return timezone.localdate()


def export_periods_csv(roadmap: Roadmap | None, today: date | None = None) -> bytes:
    """The Périodes sheet alone as a CSV for French Excel (`write_excel_csv`): derived data,
    which the import refuses."""
    return write_excel_csv(PERIODS.columns, period_rows(roadmap, today or _today()))


def export_csv_files(roadmap: Roadmap) -> dict[str, bytes]:
    """One CSV file per sheet, keyed by the sheet's slug (actions, jalons, indicateurs, mesures,
    cibles)."""
    return {
        spec.slug: write_csv(dataset.headers, dataset) for spec, dataset in export_sheets(roadmap)
    }


def _json_value(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


def export_json(roadmap: Roadmap | None) -> bytes:
    """The sheets as JSON: {"roadmap": {...}, "sheets": {"Actions": [{"Code": …}, …], …}}."""
    data = {
        "roadmap": {"slug": roadmap.slug, "title": roadmap.title} if roadmap else None,
        "sheets": {
            spec.name: [dict(zip(dataset.headers, row, strict=True)) for row in dataset]
            for spec, dataset in export_sheets(roadmap)
        },
    }
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_value).encode("utf-8")


def _example_rows(roadmap: Roadmap) -> dict[str, list]:
    """One valid example row per sheet, which refer to each other, clearly named as examples."""
    axis = Axis.objects.filter(roadmap=roadmap).order_by("number").first()
    acronyms = list(Organisation.objects.order_by("acronym").values_list("acronym", flat=True))
    action_code, indicator_code = f"{EXAMPLE} 1", f"{EXAMPLE}-1"
    with translation.override("fr"):
        status, kind = str(Status.IN_PROGRESS.label), str(Kind.CUMULATIVE.label)
        direction = str(Direction.HIGHER.label)
    return {
        "Actions": [
            action_code,
            axis.number if axis else 1,
            _("Exemple : intitulé de l'action (ligne à supprimer avant l'import)"),
            _("Exemple : ce que l'action doit accomplir."),
            status,
            acronyms[0] if acronyms else "",
            ", ".join(acronyms[1:3]),
            date(2025, 1, 1),
            date(2025, 12, 31),
        ],
        "Jalons": [action_code, _("Exemple : premier jalon"), date(2025, 6, 30), None, ""],
        "Indicateurs": [
            action_code,
            indicator_code,
            _("Exemple : professionnels formés"),
            _("professionnels"),
            kind,
            0,
            date(2025, 1, 1),
            70000,
            date(2025, 12, 31),
            direction,
            "",
            None,
            None,
            "",
            _(
                "Exemple : départ à 0 au 1er janvier 2025, la source ne donnant pas de "
                "valeur initiale."
            ),
            None,
        ],
        "Mesures": [
            indicator_code,
            date(2025, 6, 30),
            35000,
            _("Exemple : rapport d'activité du premier semestre"),
            "",
        ],
        "Cibles": [
            indicator_code,
            date(2025, 6, 30),
            30000,
            _("Exemple : la moitié de la cible à mi-parcours"),
            "",
        ],
    }


def _allowed_values(roadmap: Roadmap) -> list[list]:
    rows = [
        [_("Mode d'emploi")],
        [
            _(
                "Remplissez une ligne par action, jalon, indicateur, mesure ou cible datée, sous "
                "les en-têtes."
            )
        ],
        [
            _("Les lignes d'exemple (« %(example)s ») sont à supprimer avant l'import.")
            % {"example": EXAMPLE}
        ],
        [_("L'import ne supprime jamais rien : une ligne absente du fichier reste inchangée.")],
        [_("Une seule erreur et rien n'est importé : toutes les erreurs sont listées.")],
        [],
        [_("Colonne"), _("Valeur autorisée"), _("Code accepté aussi")],
    ]
    with translation.override("fr"):
        rows.append(["Statut", str(STATUS_UNSET_LABEL), _("(cellule vide)")])
        for column, choices in (
            ("Statut", Status),
            ("Type", Kind),
            ("Sens", Direction),
            ("Périodicité", Periodicity),
        ):
            rows.extend([column, str(label), code] for code, label in choices.choices)
    rows.append(["Sens", _("(cellule vide) : Plus haut est mieux"), ""])
    rows.extend(
        [
            [
                "Périodicité, Première période, Nombre de périodes",
                _(
                    "Pour un indicateur « Par période » seulement : la périodicité, une date de "
                    "la première période, le nombre de périodes (vide : jusqu'à aujourd'hui)"
                ),
                "",
            ],
            [
                "Somme de",
                _(
                    "Pour un indicateur cumulatif : le code d'un indicateur par période de la "
                    "même action, dont il additionne les périodes (ses propres mesures sont alors "
                    "refusées)"
                ),
                "",
            ],
            ["Retiré le", _("Date à laquelle l'indicateur n'est plus suivi ; vide : suivi"), ""],
            [
                "Interprétation",
                _("La règle suivie quand une valeur n'est pas écrite telle quelle dans la source"),
                "",
            ],
            [
                "Cibles",
                _(
                    "Les cibles datées avant la cible finale (colonnes Cible et Date cible des "
                    "Indicateurs) ; pour un indicateur par période, la cible propre de la "
                    "période qui contient la date"
                ),
                "",
            ],
        ]
    )
    rows.extend(
        ["Axe", axis.number, axis.short_title]
        for axis in Axis.objects.filter(roadmap=roadmap).order_by("number")
    )
    rows.extend(
        ["Pilote, Partenaires", org.acronym, org.name]
        for org in Organisation.objects.order_by("acronym")
    )
    rows.extend(
        [
            ["Partenaires", _("Sigles séparés par des virgules ou des points-virgules"), ""],
            [_("Dates"), _("31/12/2025, 2025-12-31 ou une date Excel"), ""],
            [_("Nombres"), _("70 000, 1 234,5 ou 1234.5"), ""],
            ["Jalons : Action", _("Vide pour un jalon de la feuille de route elle-même"), ""],
        ]
    )
    return rows


def template_workbook(roadmap: Roadmap) -> bytes:
    """The blank workbook to fill in: the five sheets with one example row each, and the
    allowed values (statuses, kinds, directions, periodicities, axes, organisations,
    formats)."""
    book = new_book()
    examples = _example_rows(roadmap)
    for spec in SHEETS:
        write_sheet(book, spec.name, spec.columns, [examples[spec.name]])
    sheet = book.create_sheet(TEMPLATE_SHEET)
    for number, row in enumerate(_allowed_values(roadmap), start=1):
        for column, value in enumerate(row, start=1):
            _write_cell(sheet, number, column, value)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 60
    sheet.column_dimensions["C"].width = 40
    return workbook_bytes(book)
