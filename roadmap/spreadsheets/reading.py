"""Reading an uploaded file: an .xlsx workbook (several sheets) or one .csv sheet, each
sheet recognised by its name or its headers, with the guard rails of docs/contract.md: size,
row count, zip bomb, password, content that is not what the extension says, missing headers."""

from __future__ import annotations

import codecs
import contextlib
import contextvars
import csv
import io
import logging
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

import openpyxl
import tablib
from django.conf import settings
from django.utils.translation import gettext as _

from roadmap.french import fold
from roadmap.inputs import TEXT_MAX_CHARS

from .cells import CSV_ESCAPE, FORMULA_TRIGGERS, cell_text, column_letter, display
from .errors import CellError, SpreadsheetError, file_error
from .periods import PERIODS
from .sheets import SHEETS, SheetSpec, sheet_spec

logger = logging.getLogger(__name__)


# Limits, overridable in settings (ROADMAP_IMPORT_MAX_BYTES, …). The whole roadmap is a few
# dozen rows today. The preview runs within a web request: a new row costs about 9 queries
# (≈ 7-15 ms), an unchanged one 2, so 1000 new rows stay well under a worker's timeout.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 1000
DEFAULT_MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
MAX_ZIP_MEMBERS = 1000
MAX_COLUMNS = 50  # columns read per row; the format has at most 16
EXTENSIONS = (".xlsx", ".csv")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"


# Larger limits for one import, set by `import_limits` (the `import_roadmap` command restoring
# a large backup: no web request's timeout there). The guards on content stay the same.
_LIMITS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("import_limits", default=None)


@contextlib.contextmanager
def import_limits(*, max_bytes=None, max_rows=None, max_uncompressed_bytes=None):
    """Within the block, the imports read files up to these limits (None: the settings')."""
    given = {
        "max_bytes": max_bytes,
        "max_rows": max_rows,
        "max_uncompressed_bytes": max_uncompressed_bytes,
    }
    token = _LIMITS.set({key: value for key, value in given.items() if value is not None})
    try:
        yield
    finally:
        _LIMITS.reset(token)


def _limit(name: str):
    return (_LIMITS.get() or {}).get(name)


def max_bytes() -> int:
    return _limit("max_bytes") or getattr(settings, "ROADMAP_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_rows() -> int:
    return _limit("max_rows") or getattr(settings, "ROADMAP_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def max_uncompressed_bytes() -> int:
    return _limit("max_uncompressed_bytes") or getattr(
        settings, "ROADMAP_IMPORT_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES
    )


@dataclass
class SheetData:
    """One recognised sheet of an uploaded file: its data rows, by Excel row number."""

    spec: SheetSpec
    title: str
    column_index: dict[str, int]
    rows: list[tuple[int, list]]
    ignored_columns: list[str] = field(default_factory=list)
    # Optional columns the file leaves out: what they hold stays as it is.
    absent_columns: list[str] = field(default_factory=list)

    def dataset(self) -> tablib.Dataset:
        columns = [column for column in self.spec.columns if column in self.column_index]
        dataset = tablib.Dataset(headers=columns)
        for _number, values in self.rows:
            dataset.append(
                [
                    values[index] if index < len(values) else None
                    for index in (self.column_index[column] for column in columns)
                ]
            )
        # The resource turns import-export's row count back into Excel's row numbers.
        dataset.line_numbers = [number for number, _values in self.rows]
        return dataset


@dataclass
class _RawSheet:
    title: str
    rows: list[tuple[int, list]]  # header row first, blank rows left out


def _is_blank(values) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _match_headers(header_row: list, spec: SheetSpec):
    """Map the spec's columns to positions in `header_row`: (index, missing, ignored, doubled),
    `missing` being the required columns that are not there."""
    wanted = {fold(column): column for column in spec.columns}
    index, ignored, doubled = {}, [], []
    for position, header in enumerate(header_row):
        text = cell_text(header).strip()
        if not text:
            continue  # an empty header: trailing or spacer column
        column = wanted.get(fold(text))
        if column is None:
            ignored.append(text)
        elif column in index:
            doubled.append((column, position))
        else:
            index[column] = position
    missing = [column for column in spec.required_columns if column not in index]
    return index, missing, ignored, doubled


def _recognise(raw: _RawSheet, spec: SheetSpec) -> SheetData:
    header_number, header_row = raw.rows[0]
    index, missing, ignored, doubled = _match_headers(header_row, spec)
    errors = [
        CellError(
            _("La colonne « %(column)s » apparaît deux fois (colonnes %(first)s et %(second)s).")
            % {
                "column": column,
                "first": column_letter(index[column]),
                "second": column_letter(position),
            },
            sheet=raw.title,
            row=header_number,
        )
        for column, position in doubled
    ]
    if missing:
        errors.append(
            CellError(
                _(
                    "Colonnes obligatoires manquantes : %(missing)s. La première ligne remplie "
                    "doit porter les en-têtes : %(expected)s."
                )
                % {"missing": ", ".join(missing), "expected": " · ".join(spec.columns)},
                sheet=raw.title,
                row=header_number,
            )
        )
    if errors:
        raise SpreadsheetError(errors)
    absent = [column for column in spec.columns if column not in index]
    return SheetData(spec, raw.title, index, raw.rows[1:], ignored, absent)


def _sheet_for(raw: _RawSheet, wanted: list[SheetSpec], *, alone: bool) -> SheetSpec | None:
    """Which of the `wanted` sheets `raw` is: by its name, else by its headers; None if none.

    A sheet with all of a sheet's headers is that sheet. So is the closest one when the file has
    no other sheet (`alone`: a CSV) or when it has most of its headers: then its missing headers
    are reported rather than the sheet silently ignored.
    """
    for spec in wanted:
        if fold(spec.name) == fold(raw.title):
            return spec
    scored = []
    for spec in wanted:
        index, missing, _ignored, _doubled = _match_headers(raw.rows[0][1], spec)
        scored.append((not missing, len(index), spec))
    # Of two sheets as close, the first in `wanted`: Mesures before Cibles, whose headers differ
    # by one (Commentaire, Interprétation).
    complete, matched, closest = max(scored, key=lambda item: item[:2])
    if complete or alone or matched * 2 > len(closest.required_columns):
        return closest
    return None


def _is_derived(raw: _RawSheet, *, by_name: bool) -> bool:
    """Whether `raw` is the derived sheet « Périodes » of our exports: by its name in a
    workbook (a CSV is named after its file), else by having all of its headers."""
    if by_name and fold(raw.title) == fold(PERIODS.name):
        return True
    headers = {fold(cell_text(header)) for header in raw.rows[0][1]}
    return all(fold(column) in headers for column in PERIODS.columns)


# A French UTF-8 file shows itself by the multi-byte sequences of its letters and signs: Latin
# letters (« é » is C3 A9, « œ » C5 93), no-break spaces, « ’ », « € » (E2 80 xx, E2 82 AC). A
# Windows-1252 file has none of these: « é » followed by a no-break space and « » » is E9 A0 BB,
# well-formed UTF-8 for a Chinese character, so well-formedness alone cannot tell them apart.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xc5][\x80-\xbf]|\xe2[\x80\x81][\x80-\xbf]|\xe2\x82\xac")


def _decode(content: bytes, filename: str) -> str:
    """The text of a CSV file, its encoding decided once for the whole file: UTF-8 (with or
    without BOM), else Windows-1252 when no byte of it looks like UTF-8; a file that is neither
    is refused with the row and column of its first bad byte, never decoded half one way."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise file_error(
                _(
                    "Le fichier « %(name)s » annonce un encodage Unicode "
                    "mais contient des octets invalides."
                )
                % {"name": filename}
            ) from None
    bom = content.startswith(codecs.BOM_UTF8)
    body = content[len(codecs.BOM_UTF8) :] if bom else content
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        utf8_error = error
    if (
        bom
        or _UTF8_MULTIBYTE.search(body[: utf8_error.start])
        or _UTF8_MULTIBYTE.search(body[utf8_error.end :])
    ):
        # UTF-8 elsewhere in the file: a stray byte, not another encoding. Decoding the whole
        # file as Windows-1252 would turn every accented letter into two (« Ã© »).
        raise _bad_byte(
            body,
            utf8_error.start,
            "utf-8",
            _(
                "Le fichier « %(name)s » est en UTF-8 mais contient un octet invalide (0x%(byte)s) "
                ": corrigez ce caractère, ou enregistrez le fichier à nouveau en « CSV UTF-8 »."
            ),
            filename,
        )
    try:
        # Excel's « CSV (séparateur : point-virgule) » on a French Windows.
        return body.decode("cp1252")
    except UnicodeDecodeError as error:
        raise _bad_byte(
            body,
            error.start,
            "cp1252",
            _(
                "L'encodage du fichier « %(name)s » n'est pas reconnu (octet 0x%(byte)s, ni UTF-8 "
                "ni Windows-1252) : enregistrez-le en « CSV UTF-8 » ou en CSV Windows "
                "(Windows-1252)."
            ),
            filename,
        ) from None


def _bad_byte(body: bytes, offset: int, encoding: str, message, filename: str):
    """The error for the byte at `offset`, placed at its row and column as the sheet reads
    them (records, not physical lines; columns by letter)."""
    before = body[:offset].decode(encoding, errors="replace")
    records = list(csv.reader(io.StringIO(before, newline=""), delimiter=_sniff_delimiter(before)))
    if not records or before.endswith(("\n", "\r")):
        row, column = len(records) + 1, 0
    else:
        row, column = len(records), max(len(records[-1]) - 1, 0)
    return SpreadsheetError(
        [
            CellError(
                message % {"name": filename, "byte": f"{body[offset]:02X}"},
                sheet=PurePath(filename).stem,
                row=row,
                column=column_letter(column),
            )
        ]
    )


def _unescape_csv(value: str) -> str:
    # Undo the formula neutralisation of our CSV exports (see the package docstring).
    if len(value) > 1 and value[0] == CSV_ESCAPE and value[1] in (*FORMULA_TRIGGERS, CSV_ESCAPE):
        return value[1:]
    return value


def _sniff_delimiter(text: str) -> str:
    """`;`, `,` or tab: the one that splits the first line into the most known headers."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    known = {fold(column) for spec in SHEETS for column in spec.columns}

    def score(delimiter):
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:
            return (0, 0)
        return (sum(fold(cell) in known for cell in cells), len(cells))

    return max((";", ",", "\t"), key=score)


def _read_csv(content: bytes, filename: str) -> _RawSheet:
    if content.startswith(ZIP_MAGIC) or content.startswith(OLE_MAGIC):
        raise file_error(
            _(
                "Le fichier « %(name)s » est un classeur Excel, pas un CSV : "
                "renommez-le en .xlsx ou enregistrez-le au format CSV."
            )
            % {"name": filename}
        )
    is_utf16 = content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in content and not is_utf16:
        raise file_error(
            _("Le fichier « %(name)s » n'est pas un fichier texte CSV.") % {"name": filename}
        )
    text = _decode(content, filename)
    delimiter = _sniff_delimiter(text)
    rows, limit = [], max_rows() + 1  # + the header row
    number = 0
    try:
        # Excel numbers records, not physical lines: a quoted cell may span several lines.
        for number, values in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
        ):
            if _is_blank(values):
                continue
            _refuse_long_cells(values[:MAX_COLUMNS], PurePath(filename).stem, number, filename)
            rows.append((number, [_unescape_csv(value) for value in values[:MAX_COLUMNS]]))
            if len(rows) > limit:
                raise _too_many_rows(filename)
    except csv.Error:
        raise file_error(
            _("Le fichier CSV « %(name)s » est mal formé vers la ligne %(line)d.")
            % {"name": filename, "line": number + 1}
        ) from None
    # Excel names the only sheet of a CSV file after the file.
    return _RawSheet(PurePath(filename).stem, rows)


def _too_many_rows(filename: str) -> SpreadsheetError:
    return file_error(
        _(
            "Le fichier « %(name)s » dépasse la limite de %(limit)s lignes : "
            "découpez-le en plusieurs fichiers."
        )
        % {"name": filename, "limit": display(max_rows())}
    )


def _xls_error(filename: str) -> SpreadsheetError:
    return file_error(
        _(
            "« %(name)s » est un classeur Excel 97-2003 (.xls) : enregistrez-le au format "
            "« Classeur Excel (.xlsx) »."
        )
        % {"name": filename}
    )


def _corrupt_error(filename: str) -> SpreadsheetError:
    return file_error(
        _(
            "Le classeur « %(name)s » est endommagé ou illisible : ouvrez-le dans Excel et "
            "enregistrez-le à nouveau."
        )
        % {"name": filename}
    )


def _check_xlsx_container(content: bytes, filename: str) -> None:
    """Refuse what openpyxl should not even open: other formats, password, corrupt, zip bomb."""
    if content.startswith(OLE_MAGIC):
        # Both are OLE compound files; an encrypted OOXML package holds an EncryptionInfo stream.
        if "EncryptionInfo".encode("utf-16-le") in content:
            raise file_error(
                _(
                    "Le classeur « %(name)s » est protégé par un mot de passe : enregistrez-en "
                    "une copie sans mot de passe, puis importez-la."
                )
                % {"name": filename}
            )
        raise _xls_error(filename)
    if not content.startswith(ZIP_MAGIC):
        raise file_error(
            _(
                "Le fichier « %(name)s » n'est pas un classeur Excel .xlsx valide (s'agit-il "
                "d'un CSV ? Son nom doit alors finir par .csv)."
            )
            % {"name": filename}
        )
    corrupt = _corrupt_error(filename)
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise corrupt from None
    # A zip bomb: a few kilobytes that inflate to gigabytes once openpyxl reads them.
    uncompressed = sum(member.file_size for member in members)
    if len(members) > MAX_ZIP_MEMBERS or uncompressed > max_uncompressed_bytes():
        raise file_error(
            _(
                "Le classeur « %(name)s » est anormalement volumineux une fois décompressé "
                "(%(size)d Mo, limite %(limit)d Mo) : il n'a pas été ouvert."
            )
            % {
                "name": filename,
                "size": uncompressed // (1024 * 1024),
                "limit": max_uncompressed_bytes() // (1024 * 1024),
            }
        )
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise file_error(
            _("Le fichier « %(name)s » n'est pas un classeur Excel (.xlsx).") % {"name": filename}
        )
    _refuse_xml_declarations(content, members, filename)


# Excel never writes a document type declaration: one in an .xlsx is there to declare
# entities, which expand a few kilobytes into gigabytes (« billion laughs ») or read local
# files (XXE). Looked for in every part, in the encodings XML allows, before openpyxl parses
# anything; openpyxl itself parses through defusedxml, which refuses them too.
_DECLARATIONS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_SCAN_CHUNK = 64 * 1024


def _refuse_xml_declarations(content: bytes, members, filename: str) -> None:
    overlap = max(len(marker) for marker in _DECLARATIONS)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for member in members:
            if member.is_dir():
                continue
            tail = b""
            try:
                with archive.open(member) as part:
                    while chunk := part.read(_SCAN_CHUNK):
                        window = tail + chunk
                        if any(marker in window for marker in _DECLARATIONS):
                            raise file_error(
                                _(
                                    "Le classeur « %(name)s » contient une déclaration XML "
                                    "(DOCTYPE ou ENTITY) qu'Excel n'écrit jamais : il n'a pas "
                                    "été ouvert. Enregistrez-le à nouveau depuis Excel."
                                )
                                % {"name": filename}
                            )
                        tail = window[-overlap:]
            except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, RuntimeError):
                # Unsupported compression, encrypted part, data beyond its declared size…
                raise _corrupt_error(filename) from None


def _refuse_long_cells(values, sheet: str, number: int, filename: str) -> None:
    """A cell no workbook cell can hold: refused before anything else reads it."""
    for index, value in enumerate(values):
        if isinstance(value, str) and len(value) > TEXT_MAX_CHARS:
            raise SpreadsheetError(
                [
                    CellError(
                        _(
                            "Cette cellule compte %(length)s caractères : une cellule en tient "
                            "%(limit)s au plus."
                        )
                        % {"length": display(len(value)), "limit": display(TEXT_MAX_CHARS)},
                        sheet=sheet,
                        row=number,
                        column=column_letter(index),
                    )
                ]
            )


def _read_xlsx(content: bytes, filename: str) -> list[_RawSheet]:
    _check_xlsx_container(content, filename)
    scan_limit = max(10 * max_rows(), 10_000)
    sheets = []
    try:
        # openpyxl warns about every Excel feature it does not support (data validation
        # extensions, styles…): noise for our purpose, which is reading values.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                for sheet in book.worksheets:
                    rows = []
                    for number, values in enumerate(
                        sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True),
                        start=1,
                    ):
                        if number > scan_limit:
                            raise _too_many_rows(filename)
                        if _is_blank(values):
                            continue
                        _refuse_long_cells(values, sheet.title, number, filename)
                        rows.append((number, list(values)))
                        if len(rows) > max_rows() + 1:
                            raise _too_many_rows(filename)
                    sheets.append(_RawSheet(sheet.title, rows))
            finally:
                book.close()
    except SpreadsheetError:
        raise
    except Exception:
        # openpyxl parses untrusted XML and zip data: whatever it raises (KeyError, ValueError,
        # XML parse errors…) means a file we cannot read, which the user must hear about
        # clearly, not as a server error.
        logger.info("Unreadable xlsx upload %r", filename, exc_info=True)
        raise _corrupt_error(filename) from None
    return sheets


def read_spreadsheet(content: bytes, filename: str, *, expected: str | None = None):
    """The recognised sheets of an uploaded file, in dependency order, and the ignored ones.

    An .xlsx sheet is recognised by its name (Actions, Jalons, Indicateurs, Mesures, in any case
    or accents), else by its headers; a .csv file is one sheet, recognised by its headers. With
    `expected` (a sheet name) only that sheet is looked for. The derived sheet « Périodes » of
    our exports is counted among the ignored ones in a workbook and refused as a CSV (it is
    computed, never imported). Raises SpreadsheetError listing
    every problem found, in French. Returns (sheets, ignored sheet titles).
    """
    filename = PurePath(filename or "fichier").name
    raws = _raw_sheets(content, filename)
    wanted = [sheet_spec(expected)] if expected else list(SHEETS)
    alone = len(raws) == 1 and PurePath(filename).suffix.lower() == ".csv"
    derived = [raw.title for raw in raws if _is_derived(raw, by_name=not alone)]
    if alone and derived:
        raise file_error(
            _(
                "Le fichier « %(name)s » est la feuille « %(sheet)s » : des chiffres calculés "
                "à partir des indicateurs, de leurs mesures et de leurs cibles, qui ne "
                "s'importent pas. Pour les changer, importez les feuilles Indicateurs, Mesures "
                "ou Cibles."
            )
            % {"name": filename, "sheet": PERIODS.name}
        )
    raws = [raw for raw in raws if raw.title not in derived]
    found, ignored, errors = _assign_sheets(raws, wanted, alone=alone)
    # The derived sheet of our exports is left out, as any sheet the import does not read.
    ignored = [*ignored, *derived]
    sheets = []
    for spec in wanted:
        if spec.name not in found:
            continue
        try:
            sheets.append(_recognise(found[spec.name], spec))
        except SpreadsheetError as error:
            errors.extend(error.errors)
    if not sheets and not errors:
        names = " · ".join(spec.name for spec in wanted)
        errors.append(
            CellError(
                _(
                    "Aucune feuille reconnue dans « %(name)s » : les feuilles attendues sont "
                    "%(sheets)s, avec les en-têtes du modèle."
                )
                % {"name": filename, "sheets": names}
            )
        )
    if sum(len(sheet.rows) for sheet in sheets) > max_rows():
        errors.append(_too_many_rows(filename).errors[0])
    if errors:
        raise SpreadsheetError(errors)
    return sheets, ignored


def _raw_sheets(content: bytes, filename: str) -> list[_RawSheet]:
    """The file's sheets that hold something, read as its extension says, or SpreadsheetError."""
    if not content:
        raise file_error(_("Le fichier « %(name)s » est vide.") % {"name": filename})
    if len(content) > max_bytes():
        raise file_error(
            _("Le fichier « %(name)s » dépasse la taille maximale de %(limit)d Mo.")
            % {"name": filename, "limit": max_bytes() // (1024 * 1024)}
        )
    extension = PurePath(filename).suffix.lower()
    if extension == ".xlsx":
        raws = _read_xlsx(content, filename)
    elif extension == ".csv":
        raws = [_read_csv(content, filename)]
    elif extension == ".xls":
        raise _xls_error(filename)
    else:
        raise file_error(
            _(
                "Format non pris en charge pour « %(name)s » : importez un classeur Excel "
                "(.xlsx) ou un fichier CSV (.csv)."
            )
            % {"name": filename}
        )
    raws = [raw for raw in raws if raw.rows]
    if not raws:
        raise file_error(
            _("Le fichier « %(name)s » ne contient aucune donnée.") % {"name": filename}
        )
    return raws


def _assign_sheets(raws: list[_RawSheet], wanted: list[SheetSpec], *, alone: bool):
    """Which raw sheet is which wanted sheet: (found by sheet name, ignored titles, errors)."""
    found: dict[str, _RawSheet] = {}
    ignored, errors = [], []
    for raw in raws:
        spec = _sheet_for(raw, wanted, alone=alone)
        if spec is None:
            ignored.append(raw.title)
            continue
        if spec.name in found:
            errors.append(
                CellError(
                    _(
                        "Deux feuilles correspondent à « %(sheet)s » : "
                        "« %(first)s » et « %(second)s »."
                    )
                    % {"sheet": spec.name, "first": found[spec.name].title, "second": raw.title}
                )
            )
            continue
        found[spec.name] = raw
    return found, ignored, errors
