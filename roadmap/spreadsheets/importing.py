"""The whole-workbook import (`import_file`): every row of every sheet checked and every error
collected, written in one transaction or not at all, with a per-sheet preview (`ImportReport`).

Sheets refer to each other, so the import runs for real inside a transaction, sheet after sheet
in dependency order, and rolls it back when any row failed or for a preview (see the package's
docstring)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import PurePath

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export.results import RowResult

from roadmap.caching import writing
from roadmap.models import Roadmap

from .cells import display
from .errors import CellError, SpreadsheetError
from .reading import SheetData, read_spreadsheet
from .resources import SheetResource

logger = logging.getLogger(__name__)


@dataclass
class RowPreview:
    row: int
    label: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # column, old, new


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
            report.new.append(RowPreview(row_result.number, row_result.label))
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
