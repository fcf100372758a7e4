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
"""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from roadmap import spreadsheets
from roadmap.caching import cached_for_readers
from roadmap.models import Roadmap
from roadmap.opendata import JSON_FIELDS, SCHEMA_PATH, column_description, roadmap_document
from roadmap.queries import roadmap_last_update

from .common import render_page

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
WORKBOOK_NAME = "feuille-de-route.xlsx"


def _open(response: HttpResponse) -> HttpResponse:
    # Open data: any site may fetch these files from a browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _download(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _open(response)


def _described(spec) -> dict:
    """A sheet as the page lists it: name, CSV slug, and each column with what it holds."""
    return {
        "name": spec.name,
        "slug": spec.slug,
        "columns": [(column, column_description(spec.name, column)) for column in spec.columns],
    }


@require_safe
@cached_for_readers
def index(request: HttpRequest) -> HttpResponse:
    """`/donnees/`: the files, their formats and what each field means."""
    roadmap = Roadmap.objects.current()
    sheets = [_described(spec) for spec in spreadsheets.SHEETS]
    return render_page(
        request,
        "roadmap/opendata.html",
        roadmap,
        _("Données ouvertes"),
        # The date of the data the files hold: the JSON's `roadmap.updated_at`.
        last_update=roadmap_last_update(roadmap) if roadmap else None,
        json_fields=JSON_FIELDS,
        sheets=sheets,
        periods_sheet=_described(spreadsheets.PERIODS),
    )


@require_safe
@cached_for_readers
def roadmap_json(request: HttpRequest) -> HttpResponse:
    document = roadmap_document(
        Roadmap.objects.current(),
        timezone.localdate(),
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    # Compact: at the large size, indenting would add a third to a file of several megabytes.
    return _open(JsonResponse(document, json_dumps_params={"ensure_ascii": False}))


@require_safe
@cached_for_readers
def roadmap_schema(request: HttpRequest) -> HttpResponse:
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    return _open(JsonResponse(schema, json_dumps_params={"ensure_ascii": False, "indent": 2}))


@require_safe
@cached_for_readers
def workbook(request: HttpRequest) -> HttpResponse:
    content = spreadsheets.export_workbook(Roadmap.objects.current(), timezone.localdate())
    return _download(
        HttpResponse(content, content_type=spreadsheets.XLSX_CONTENT_TYPE), WORKBOOK_NAME
    )


@require_safe
@cached_for_readers
def sheet_csv(request: HttpRequest, sheet: str) -> HttpResponse:
    roadmap = Roadmap.objects.current()
    if sheet == spreadsheets.PERIODS.slug:
        content = spreadsheets.export_periods_csv(roadmap, timezone.localdate())
    elif sheet in {spec.slug for spec in spreadsheets.SHEETS}:
        content = spreadsheets.export_csv_files(roadmap)[sheet]
    else:
        raise Http404(_("Ce fichier n'existe pas."))
    return _download(HttpResponse(content, content_type=CSV_CONTENT_TYPE), f"{sheet}.csv")
