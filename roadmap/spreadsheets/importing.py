"""The whole-workbook import (`import_file`): every row of every sheet checked and every error
collected, written in one transaction or not at all, with a per-sheet preview (`ImportReport`).

Sheets refer to each other, so the import runs for real inside a transaction, sheet after sheet
in dependency order, and rolls it back when any row failed or for a preview (see the package's
docstring). The report is also the preview: per sheet, each new row with the values it brings
and each changed row with old → new, bounded for a large file (`PREVIEW_ROWS`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import PurePath

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export.results import RowResult

from roadmap.caching import writing
from roadmap.french import grouped_number
from roadmap.models import Roadmap

from .cells import display
from .errors import CellError, SpreadsheetError
from .reading import SheetData, read_spreadsheet
from .sheet import SheetResource

logger = logging.getLogger(__name__)


# The rows a preview shows per sheet, of the new ones and of the changed ones: the others are
# counted (« … et 1 234 autres lignes »), so that a large file gives a page of bounded size.
PREVIEW_ROWS = 200


def change_text(column: str, old: str, new: str) -> str:
    """« Statut : « (vide) » → « En cours » »: one changed column, before and after."""
    empty = _("(vide)")
    return _("%(column)s : « %(old)s » → « %(new)s »") % {
        "column": column,
        "old": old or empty,
        "new": new or empty,
    }


def more_rows_text(count: int) -> str:
    """« … et 1 234 autres lignes »: the rows of a sheet a preview leaves out."""
    return ngettext("… et %(count)s autre ligne", "… et %(count)s autres lignes", count) % {
        "count": grouped_number(count)
    }


@dataclass
class RowPreview:
    """One new or changed row of a sheet, as its preview shows it: its line in the sheet (as
    Excel numbers it), its name, and what it brings: for a new row, each filled column as read
    (`values`, « 35 000 apprenants », « source « Enquête DGOS » »); for a changed row, each
    changed column, before and after, written the French way (`changes`, empty as "")."""

    row: int
    label: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # column, old, new
    values: list[str] = field(default_factory=list)

    @property
    def description(self) -> str:
        """« IA2-1-APP-AN au 31/08/2026 : 35 000 apprenants, source « Enquête DGOS » »."""
        if not self.values:
            return self.label
        return _("%(label)s : %(values)s") % {
            "label": self.label,
            "values": ", ".join(self.values),
        }

    @property
    def change_texts(self) -> list[str]:
        """Each change as « Statut : « (vide) » → « En cours » »."""
        return [change_text(column, old, new) for column, old, new in self.changes]

    def line(self, text: str) -> str:
        return _("Ligne %(row)d : %(text)s") % {"row": self.row, "text": text}


@dataclass
class SheetReport:
    """What an import does (or would do) to one sheet's rows."""

    name: str
    title: str
    new: list[RowPreview] = field(default_factory=list)
    changed: list[RowPreview] = field(default_factory=list)
    unchanged: int = 0
    errors: list[CellError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    absent_columns: list[str] = field(default_factory=list)  # optional, left as they are

    @property
    def counts(self) -> str:
        """« 2 nouvelles, 1 modifiée, 14 inchangées, 0 erreur » (rows of the sheet)."""
        new, changed, errors = len(self.new), len(self.changed), len(self.errors)
        return ", ".join(
            [
                ngettext("%(count)d nouvelle", "%(count)d nouvelles", new) % {"count": new},
                ngettext("%(count)d modifiée", "%(count)d modifiées", changed) % {"count": changed},
                ngettext("%(count)d inchangée", "%(count)d inchangées", self.unchanged)
                % {"count": self.unchanged},
                ngettext("%(count)d erreur", "%(count)d erreurs", errors) % {"count": errors},
            ]
        )

    @property
    def summary(self) -> str:
        return _("%(sheet)s : %(counts)s.") % {"sheet": self.name, "counts": self.counts}

    # The preview, bounded: the first PREVIEW_ROWS rows of each kind, the others counted.

    @property
    def shown_new(self) -> list[RowPreview]:
        return self.new[:PREVIEW_ROWS]

    @property
    def shown_changed(self) -> list[RowPreview]:
        return self.changed[:PREVIEW_ROWS]

    @property
    def more_new(self) -> str:
        """« … et 1 234 autres lignes » when the preview leaves new rows out, else ""."""
        left = len(self.new) - PREVIEW_ROWS
        return more_rows_text(left) if left > 0 else ""

    @property
    def more_changed(self) -> str:
        left = len(self.changed) - PREVIEW_ROWS
        return more_rows_text(left) if left > 0 else ""

    def preview_lines(self) -> list[str]:
        """The preview as lines of text (`import_roadmap`'s output): each new row with what it
        holds, then each change of each changed row, bounded like the page."""
        lines = []
        if self.new:
            lines.append(_("Nouvelles lignes :"))
            lines += ["  " + row.line(row.description) for row in self.shown_new]
            if self.more_new:
                lines.append("  " + self.more_new)
        if self.changed:
            lines.append(_("Lignes modifiées (avant → après) :"))
            for row in self.shown_changed:
                lines += ["  " + row.line(f"{row.label} · {change}") for change in row.change_texts]
            if self.more_changed:
                lines.append("  " + self.more_changed)
        return lines


@dataclass
class ImportReport:
    """The outcome of `import_file`: per-sheet preview, every error, and whether it was written."""

    filename: str
    roadmap: Roadmap | None = None
    dry_run: bool = False
    sheets: list[SheetReport] = field(default_factory=list)
    file_errors: list[CellError] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def errors(self) -> list[CellError]:
        return [*self.file_errors, *(error for sheet in self.sheets for error in sheet.errors)]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return any(sheet.new or sheet.changed for sheet in self.sheets)


class _Rollback(Exception):
    """Leaves the import's transaction without keeping anything."""


def _sheet_report(sheet: SheetData, resource: SheetResource, result) -> SheetReport:
    report = SheetReport(
        sheet.spec.name,
        sheet.title,
        ignored_columns=sheet.ignored_columns,
        absent_columns=sheet.absent_columns,
    )
    for row_result in result.rows:
        if row_result.import_type == RowResult.IMPORT_TYPE_NEW:
            report.new.append(
                RowPreview(row_result.number, row_result.label, values=row_result.values)
            )
        elif row_result.import_type == RowResult.IMPORT_TYPE_UPDATE:
            report.changed.append(
                RowPreview(row_result.number, row_result.label, row_result.changes)
            )
        elif row_result.import_type == RowResult.IMPORT_TYPE_SKIP:
            report.unchanged += 1
    for error in result.base_errors:
        report.errors.append(CellError(str(error.error), sheet=sheet.title))
    for invalid in result.invalid_rows:
        values = dict(zip(result.diff_headers, invalid.values, strict=False))
        for key, messages in invalid.error_dict.items():
            column = resource.column_for(key)
            # A column the file leaves out has no value to show.
            value = values.get(column) if column in sheet.column_index else None
            for message in messages:
                report.errors.append(
                    CellError(
                        message,
                        sheet=sheet.title,
                        row=resource.line_number(invalid.number),
                        column=column,
                        value=display(value),
                    )
                )
    for error_row in result.error_rows:
        for error in error_row.errors:
            # Not a validation error: a database refusal that validation did not foresee.
            logger.warning("Unexpected import error: %r", error.error)
            report.errors.append(
                CellError(
                    _("Cette ligne n'a pas pu être enregistrée (%(error)s).")
                    % {"error": type(error.error).__name__},
                    sheet=sheet.title,
                    row=resource.line_number(error_row.number),
                )
            )
    # Rows may be imported in another order than the sheet's (a sum's source first).
    report.new.sort(key=lambda row: row.row)
    report.changed.sort(key=lambda row: row.row)
    report.errors.sort(key=lambda error: error.row or 0)
    return report


def import_file(
    content: bytes,
    filename: str,
    *,
    roadmap: Roadmap | None = None,
    user=None,
    dry_run: bool = False,
) -> ImportReport:
    """Import an uploaded spreadsheet into `roadmap` (the current one by default), all or nothing.

    Never raises for bad input: the report lists every error, and then nothing was written.
    With `dry_run`, nothing is written either way and the report is the preview.
    """
    filename = PurePath(filename or "fichier").name
    report = ImportReport(filename, dry_run=dry_run)
    try:
        sheets, report.ignored_sheets = read_spreadsheet(content, filename)
    except SpreadsheetError as error:
        report.file_errors = error.errors
        return report
    report.roadmap = roadmap if roadmap is not None else Roadmap.objects.current()
    if report.roadmap is None:
        report.file_errors = [CellError(_("Aucune feuille de route où importer."))]
        return report
    try:
        with writing():
            for sheet in sheets:
                resource = sheet.spec.resource_class(
                    roadmap=report.roadmap, user=user, file_name=filename
                )
                resource.described_rows = PREVIEW_ROWS
                result = resource.import_data(
                    sheet.dataset(),
                    dry_run=False,  # rolled back below: see the package docstring
                    raise_errors=False,
                    use_transactions=True,
                    user=user,
                    file_name=filename,
                )
                report.sheets.append(_sheet_report(sheet, resource, result))
            if dry_run or not report.ok:
                raise _Rollback
    except _Rollback:
        pass
    else:
        report.committed = True
    return report
