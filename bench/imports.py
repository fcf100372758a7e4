"""The import benchmark: a measurements workbook previewed then confirmed through
`roadmap.spreadsheets.import_file` (as the admin does), against a bare `bulk_create` of its rows.
"""

from __future__ import annotations

import datetime
import io
import time
from dataclasses import dataclass
from decimal import Decimal


@dataclass
class ImportResult:
    rows: int
    bulk_s: float | None = None
    preview_s: float | None = None
    confirm_s: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if None in (self.bulk_s, self.preview_s, self.confirm_s):
            return None
        return (self.preview_s + self.confirm_s) / self.bulk_s


def measurement_rows(count: int) -> list[tuple]:
    """`count` new measurements of the current roadmap: the 15th of past months (generated
    measurements fall at month ends), spread over up to 500 indicators measured on their own."""
    from roadmap.models import Indicator, Roadmap

    codes = list(
        # Indicators measured on their own: a sum adds up another's periods, a retired one is
        # no longer followed.
        Indicator.objects.filter(
            roadmap=Roadmap.objects.current(), summed_from=None, retired_on=None
        )
        .order_by("code")
        .values_list("code", flat=True)[:500]
    )
    rows = []
    for index in range(count):
        months_back = index // len(codes)
        month = 2019 * 12 + 11 - months_back  # from December 2019 backwards
        day = datetime.date(month // 12, month % 12 + 1, 15)
        value = Decimal(1000 + (index * 7919) % 50_000)
        rows.append((codes[index % len(codes)], day, value, "Données synthétiques – classeur", ""))
    return rows


def workbook(rows: list[tuple]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Mesures"
    sheet.append(["Indicateur", "Date", "Valeur", "Source", "Commentaire"])
    for code, day, value, source, comment in rows:
        sheet.append([code, day, int(value), source, comment])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_benchmark(count: int, admin) -> ImportResult:
    from django.db import transaction
    from django.test import override_settings

    from roadmap.models import Indicator, Measurement, Roadmap

    result = ImportResult(count)
    try:
        from roadmap.spreadsheets import import_file
    except ImportError as error:
        result.note = f"service d'import indisponible ({error})"
        return result
    roadmap = Roadmap.objects.current()
    rows = measurement_rows(count)
    content = workbook(rows)

    ids = dict(Indicator.objects.filter(roadmap=roadmap).values_list("code", "pk"))
    with transaction.atomic():
        started = time.perf_counter()
        Measurement.objects.bulk_create(
            Measurement(
                indicator_id=ids[code],
                date=day,
                value=value,
                source=source,
                comment=comment,
                recorded_by=admin,
            )
            for code, day, value, source, comment in rows
        )
        result.bulk_s = time.perf_counter() - started
        transaction.set_rollback(True)  # the import writes the same rows next

    limits = {
        "ROADMAP_IMPORT_MAX_ROWS": count + 1,
        "ROADMAP_IMPORT_MAX_BYTES": max(len(content) * 2, 5 * 1024 * 1024),
    }
    try:
        with override_settings(**limits):
            started = time.perf_counter()
            preview = import_file(
                content, "mesures.xlsx", roadmap=roadmap, user=admin, dry_run=True
            )
            result.preview_s = time.perf_counter() - started
            if not preview.ok:
                result.note = f"aperçu refusé : {preview.errors[0]}"
                return result
            started = time.perf_counter()
            confirm = import_file(content, "mesures.xlsx", roadmap=roadmap, user=admin)
            result.confirm_s = time.perf_counter() - started
    except Exception as error:  # the import is a colleague's work in progress: note it
        result.note = f"l'import a échoué : {type(error).__name__}: {error}"
        result.preview_s = result.confirm_s = None
        return result
    written = Measurement.objects.filter(source="Données synthétiques – classeur").count()
    if not confirm.committed or written != count:
        result.note = f"confirmation incomplète : {written} lignes écrites sur {count}"
    return result
