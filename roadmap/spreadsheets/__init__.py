"""The roadmap as French spreadsheets (docs/contract.md), in and out, all or nothing.

What lives here, from the ground up, one module each:

- French values (« 70 000 », « 31/12/2025 », labels in any case or accents) are read and
  written by `roadmap.french`; `cells` turns any cell into text and shows it in a preview;
  `errors` says in French what is wrong where;
- `widgets`: one column's value, and `References`, what foreign keys point to (by code,
  number or acronym); `sheet`: what every sheet's django-import-export resource shares
  (scoped to one roadmap, rows found by natural key, every problem a row error; Jalons,
  Mesures and Cibles written in batches with their history, `BulkWritten`); `constraints`: the
  models' constraints checked without a query per row; `structure`:
  the resources of Actions, Jalons and Indicateurs (keyed by action code; action code +
  milestone title; indicator code); `dated`: those of Mesures and Cibles (indicator code +
  date); `sheets`: `SHEETS`, the five in import order. The columns added since the first
  version of the format are optional, so that older workbooks still import;
- `reading`, `read_spreadsheet`: an uploaded `.xlsx` workbook (several sheets) or one `.csv`
  sheet (recognised by its headers), with the guard rails: size, row count, zip bomb, password,
  content that is not what the extension says, missing headers;
- `importing`, `import_file`: the whole-workbook import, every row of every sheet checked and
  every error collected, written in one transaction or not at all, with a per-sheet preview
  (each new row with what it holds, each changed one with old → new, bounded for a large file);
- `writing`: exports in the same format (`export_workbook`, `export_csv_files`, `export_json`)
  and the blank template (`template_workbook`); `formats`: the django-import-export formats the
  admin uses; `uploads`: a file kept between its preview and its confirmation;
- `periods`: the derived sheet « Périodes » (each period of a per-period indicator against its
  own target, with the figures of the pages), which the workbook carries last and
  `export_periods_csv` writes for French Excel; the import skips it in a workbook and refuses
  it as a CSV.

Design notes:

- All or nothing. Sheets refer to each other (a milestone to an action created by the Actions
  sheet), so checking a row needs the rows before it. The import therefore runs for real inside
  a transaction, sheet after sheet in dependency order, and the transaction is rolled back when
  any row failed or when it is a dry run (a preview). Every error is a `ValidationError` of its
  row, which django-import-export collects without stopping, each row in its own savepoint.
- Formula injection. In xlsx, text is always written as a text cell, never a formula, and text
  that starts with `=`, `+`, `-` or `@` also gets Excel's own « quote prefix » (what typing a
  leading apostrophe does): Excel shows it as typed and never evaluates it, and the cell
  re-imports unchanged. In CSV such text gets a leading apostrophe (the OWASP advice); the CSV
  reader removes an apostrophe that precedes one of these characters or another apostrophe, so
  a CSV export re-imports unchanged too. JSON is not opened by spreadsheet programs: left as is.
- History. Every saved row carries the importing user and the reason « Import du fichier X »; a
  row that changes nothing is not saved at all (no history row, no version bump). An import never
  deletes anything: a row missing from the file is left alone.
- Axes and organisations are reference data kept in the admin: the workbook refers to them by
  number and acronym and never creates them.
"""

import openpyxl  # tests replace openpyxl.load_workbook through this name

from roadmap.french import fold, parse_date, parse_decimal

from .cells import CSV_ESCAPE, FORMULA_TRIGGERS, cell_text, clean_code, column_letter, display
from .dated import MeasurementResource, TargetResource
from .errors import CellError, SpreadsheetError, file_error
from .formats import CSVSheetFormat, SheetFormat, XLSXSheetFormat, sheet_formats
from .importing import PREVIEW_ROWS, ImportReport, RowPreview, SheetReport, import_file
from .periods import PERIODS, DerivedSheet, period_rows
from .reading import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    DEFAULT_MAX_UNCOMPRESSED_BYTES,
    EXTENSIONS,
    MAX_COLUMNS,
    MAX_ZIP_MEMBERS,
    OLE_MAGIC,
    ZIP_MAGIC,
    SheetData,
    _unescape_csv,
    import_limits,
    max_bytes,
    max_rows,
    max_uncompressed_bytes,
    read_spreadsheet,
)
from .sheet import NaturalKeyLoader, SheetResource
from .sheets import SHEETS, SheetSpec, sheet_spec
from .structure import ActionResource, IndicatorResource, MilestoneResource
from .uploads import UPLOAD_LIFETIME, keep_upload
from .widgets import ChoiceWidget
from .writing import (
    EXAMPLE,
    TEMPLATE_SHEET,
    XLSX_CONTENT_TYPE,
    csv_cell,
    export_csv_files,
    export_json,
    export_periods_csv,
    export_sheets,
    export_workbook,
    template_workbook,
    write_csv,
    write_excel_csv,
)

__all__ = [
    "CSV_ESCAPE",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_MAX_UNCOMPRESSED_BYTES",
    "EXAMPLE",
    "EXTENSIONS",
    "FORMULA_TRIGGERS",
    "MAX_COLUMNS",
    "MAX_ZIP_MEMBERS",
    "OLE_MAGIC",
    "PERIODS",
    "PREVIEW_ROWS",
    "SHEETS",
    "TEMPLATE_SHEET",
    "UPLOAD_LIFETIME",
    "XLSX_CONTENT_TYPE",
    "ZIP_MAGIC",
    "ActionResource",
    "CSVSheetFormat",
    "CellError",
    "ChoiceWidget",
    "DerivedSheet",
    "ImportReport",
    "IndicatorResource",
    "MeasurementResource",
    "MilestoneResource",
    "NaturalKeyLoader",
    "RowPreview",
    "SheetData",
    "SheetFormat",
    "SheetReport",
    "SheetResource",
    "SheetSpec",
    "SpreadsheetError",
    "TargetResource",
    "XLSXSheetFormat",
    "_unescape_csv",
    "cell_text",
    "clean_code",
    "column_letter",
    "csv_cell",
    "display",
    "export_csv_files",
    "export_json",
    "export_periods_csv",
    "export_sheets",
    "export_workbook",
    "file_error",
    "fold",
    "import_file",
    "import_limits",
    "keep_upload",
    "max_bytes",
    "max_rows",
    "max_uncompressed_bytes",
    "openpyxl",
    "parse_date",
    "parse_decimal",
    "period_rows",
    "read_spreadsheet",
    "sheet_formats",
    "sheet_spec",
    "template_workbook",
    "write_csv",
    "write_excel_csv",
]
