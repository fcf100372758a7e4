"""Open data: `/donnees/` and the files it describes, free for anyone to take away.

- `/donnees/feuille-de-route.json`: the JSON of docs/contract.md (`roadmap.opendata`), and its
  JSON Schema at `/donnees/feuille-de-route.schema.json`;
- `/donnees/feuille-de-route.xlsx`: the workbook in the import format, which re-imports unchanged;
- `/donnees/<sheet>.csv`: one sheet of it (actions, jalons, indicateurs, mesures, cibles),
  UTF-8, comma, header row;
- `/donnees/periodes.csv`: the workbook's derived sheet « Périodes » (each period of a
  per-period indicator against its own target), for French Excel: UTF-8 with a BOM,
  semicolons, decimal commas. Derived data: the import refuses it.

The workbook and CSV files are written by `roadmap.spreadsheets`, the same code as the admin's
export. With no roadmap loaded every file still answers, empty but well formed.

The workbook and the CSV files are attachments (`Content-Disposition: attachment` with their
file name): a browser saves them. The JSON and its schema are read by programs as much as by
people: they stay `inline` (with their file name), and the page's links carry `download`.

The page gives each file's format and size (the DSFR download link, « XLSX – 24 ko »): the
size of the file exactly as its view answers now, built once per data version (the version of
`roadmap.caching`, today's date, the language and the host, everything the files depend on)
and kept in the cache beside the pages, so that a render of the page builds no file when
nothing changed.
"""

from __future__ import annotations

import json

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from roadmap import caching, french, spreadsheets
from roadmap.caching import cached_for_readers
from roadmap.models import Roadmap
from roadmap.opendata import JSON_FIELDS, SCHEMA_PATH, column_description, roadmap_document
from roadmap.queries import roadmap_last_update
from roadmap.site.legal import OPEN_LICENCE

from .common import render_page

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
WORKBOOK_NAME = "feuille-de-route.xlsx"
JSON_NAME = "feuille-de-route.json"
SCHEMA_NAME = "feuille-de-route.schema.json"


def _open(response: HttpResponse) -> HttpResponse:
    # Open data: any site may fetch these files from a browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _download(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _open(response)


def _inline(response: HttpResponse, filename: str) -> HttpResponse:
    # Shown by the browser, read by programs; saved under this name if a person saves it.
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return _open(response)


# --- The files, as their views answer them


def _json_file(request: HttpRequest) -> HttpResponse:
    document = roadmap_document(
        Roadmap.objects.current(),
        timezone.localdate(),
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    # Compact: at the large size, indenting would add a third to a file of several megabytes.
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    return _inline(response, JSON_NAME)


def _schema_file() -> HttpResponse:
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    response = JsonResponse(schema, json_dumps_params={"ensure_ascii": False, "indent": 2})
    return _inline(response, SCHEMA_NAME)


def _workbook_file() -> HttpResponse:
    content = spreadsheets.export_workbook(Roadmap.objects.current(), timezone.localdate())
    return _download(
        HttpResponse(content, content_type=spreadsheets.XLSX_CONTENT_TYPE), WORKBOOK_NAME
    )


def _csv_file(sheet: str, content: bytes) -> HttpResponse:
    return _download(HttpResponse(content, content_type=CSV_CONTENT_TYPE), f"{sheet}.csv")


def _periods_csv(roadmap) -> bytes:
    return spreadsheets.export_periods_csv(roadmap, timezone.localdate())


# --- Their sizes, for the page


def _all_sizes(request: HttpRequest) -> dict[str, int]:
    """The size in bytes of every file, keyed by its address's name, each built as its view
    builds it (the sheets' CSV files all at once, as `export_csv_files` writes them)."""
    roadmap = Roadmap.objects.current()
    sizes = {
        "json": len(_json_file(request).content),
        "schema": len(_schema_file().content),
        "xlsx": len(_workbook_file().content),
        spreadsheets.PERIODS.slug: len(_periods_csv(roadmap)),
    }
    for slug, content in spreadsheets.export_csv_files(roadmap).items():
        sizes[slug] = len(_csv_file(slug, content).content)
    return sizes


def file_sizes(request: HttpRequest) -> dict[str, int]:
    """`_all_sizes`, kept with the data version: built again only once something the files
    hold has changed (a write, midnight, another language or host)."""
    token, _changed_at = caching.current_version()
    key = ":".join(
        (
            "opendata-sizes",
            token,
            timezone.localdate().isoformat(),
            get_language() or "",
            request.get_host(),
        )
    )
    sizes = cache.get(key)
    if sizes is None:
        sizes = _all_sizes(request)
        cache.set(key, sizes, caching.TIMEOUT)
    return sizes


def size_text(size: int) -> str:
    """A file's size as a reader says it, in the active language: « 812 octets », « 24 ko »,
    « 3,2 ko », « 1,4 Mo » (decimal units: 1 ko is 1 000 bytes)."""
    if size < 1000:
        amount, unit = size, ngettext("octet", "octets", size)
        return f"{french.format_number(amount, 0)}{french.NO_BREAK_SPACE}{unit}"
    if size < 999_500:  # not « 1 000 ko »
        amount, unit = size / 1000, pgettext("file size", "ko")
    else:
        amount, unit = size / 1000 / 1000, pgettext("file size", "Mo")
    # Three significant figures at most: « 3,2 ko », « 24 ko », « 812 ko ».
    decimals = 1 if amount < 10 else 0
    return f"{french.format_number(amount, decimals)}{french.NO_BREAK_SPACE}{unit}"


def _link(url: str, format_label: str, size: int | None) -> dict:
    """A file as the page's DSFR download link shows it: its address and « XLSX – 24 ko »."""
    detail = f"{format_label} – {size_text(size)}" if size is not None else format_label
    return {"url": url, "detail": detail}


def _described(spec, sizes: dict[str, int]) -> dict:
    """A sheet as the page lists it: name, CSV slug, its file's link, and each column with what
    it holds."""
    return {
        "name": spec.name,
        "slug": spec.slug,
        "file": _link(
            reverse("roadmap:opendata-csv", args=[spec.slug]), "CSV", sizes.get(spec.slug)
        ),
        "columns": [(column, column_description(spec.name, column)) for column in spec.columns],
    }


@require_safe
@cached_for_readers
def index(request: HttpRequest) -> HttpResponse:
    """`/donnees/`: the files, their formats and sizes, and what each field means."""
    roadmap = Roadmap.objects.current()
    sizes = file_sizes(request)
    sheets = [_described(spec, sizes) for spec in spreadsheets.SHEETS]
    return render_page(
        request,
        "roadmap/opendata.html",
        roadmap,
        _("Données ouvertes"),
        # The date of the data the files hold: the JSON's `roadmap.updated_at`.
        last_update=roadmap_last_update(roadmap) if roadmap else None,
        licence=OPEN_LICENCE,
        json_fields=JSON_FIELDS,
        sheets=sheets,
        periods_sheet=_described(spreadsheets.PERIODS, sizes),
        files={
            "json": _link(reverse("roadmap:opendata-json"), "JSON", sizes.get("json")),
            "schema": _link(reverse("roadmap:opendata-schema"), "JSON", sizes.get("schema")),
            "xlsx": _link(reverse("roadmap:opendata-xlsx"), "XLSX", sizes.get("xlsx")),
        },
    )


@require_safe
@cached_for_readers
def roadmap_json(request: HttpRequest) -> HttpResponse:
    return _json_file(request)


@require_safe
@cached_for_readers
def roadmap_schema(request: HttpRequest) -> HttpResponse:
    return _schema_file()


@require_safe
@cached_for_readers
def workbook(request: HttpRequest) -> HttpResponse:
    return _workbook_file()


@require_safe
@cached_for_readers
def sheet_csv(request: HttpRequest, sheet: str) -> HttpResponse:
    roadmap = Roadmap.objects.current()
    if sheet == spreadsheets.PERIODS.slug:
        content = _periods_csv(roadmap)
    elif sheet in {spec.slug for spec in spreadsheets.SHEETS}:
        content = spreadsheets.export_csv_files(roadmap)[sheet]
    else:
        raise Http404(_("Ce fichier n'existe pas."))
    return _csv_file(sheet, content)
