"""What is wrong in an uploaded file, in French: `CellError` (where and why) and
`SpreadsheetError` (the file cannot be read at all)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass
class CellError:
    """One thing wrong in an uploaded file: where (sheet, row as Excel numbers it, column),
    the bad value and why, in French. File-level problems have no sheet or row."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(_("feuille « %(sheet)s »") % {"sheet": self.sheet})
        if self.row:
            where.append(_("ligne %(row)d") % {"row": self.row})
        if self.column:
            where.append(_("colonne « %(column)s »") % {"column": self.column})
        if self.value:
            where.append(_("valeur « %(value)s »") % {"value": self.value})
        if not where:
            return self.message
        return _("%(where)s : %(message)s") % {
            "where": _sentence(", ".join(where)),
            "message": self.message,
        }


class SpreadsheetError(Exception):
    """The file cannot be read as a roadmap spreadsheet; `errors` says why, in French."""

    def __init__(self, errors: list[CellError]):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


def file_error(message: str) -> SpreadsheetError:
    """A problem of the file as a whole (no sheet, no row)."""
    return SpreadsheetError([CellError(message)])
