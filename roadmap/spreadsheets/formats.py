"""django-import-export formats: the admin's per-model export of one sheet, written as the
whole workbook is (`writing`). There is no per-model import: every upload goes through the
whole-workbook import (`importing`), its one guarded path."""

from __future__ import annotations

from import_export.formats import base_formats

from roadmap.french import fold

from .writing import XLSX_CONTENT_TYPE, new_book, workbook_bytes, write_csv, write_sheet


class SheetFormat(base_formats.Format):
    """One sheet read and written the way this package does (header matching, French values,
    guard rails, formula neutralisation). `sheet_name` is bound by `sheet_formats`."""

    sheet_name = ""
    extension = ""
    content_type = "application/octet-stream"

    def __init__(self, encoding=None):
        self.encoding = encoding  # import-export passes one; our writers use their own

    def get_title(self):
        return self.extension

    def get_extension(self):
        return self.extension

    def get_content_type(self):
        return self.content_type

    def can_import(self):
        return False

    def can_export(self):
        return True


class XLSXSheetFormat(SheetFormat):
    extension = "xlsx"
    content_type = XLSX_CONTENT_TYPE

    def export_data(self, dataset, **kwargs):
        book = new_book()
        write_sheet(book, self.sheet_name or "Feuille", list(dataset.headers or []), dataset)
        return workbook_bytes(book)


class CSVSheetFormat(SheetFormat):
    extension = "csv"
    content_type = "text/csv"

    def export_data(self, dataset, **kwargs):
        return write_csv(list(dataset.headers or []), dataset)


def sheet_formats(sheet_name: str) -> list[type[SheetFormat]]:
    """The formats of the admin page of one sheet's model."""
    return [
        type(f"{cls.__name__}{fold(sheet_name).title()}", (cls,), {"sheet_name": sheet_name})
        for cls in (XLSXSheetFormat, CSVSheetFormat)
    ]
