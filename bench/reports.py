"""The council reports' benchmark: at a size, the time to freeze and publish a report of the
current roadmap (`roadmap.reports.publish`), then to serve its page, its workbook and its A4 PDF
(WeasyPrint), each one request alone, in-process (the page and files are drawn from the stored
snapshot: their time grows with the roadmap, their SQL queries do not).
"""

from __future__ import annotations

import datetime
import io
import time
from dataclasses import dataclass, field

from bench.common import log


@dataclass
class ReportResult:
    size: str
    actions: int = 0
    publish_s: float | None = None
    snapshot_kb: float | None = None
    times_s: dict[str, float] = field(default_factory=dict)
    pdf_pages: int | None = None
    pdf_kb: float | None = None
    note: str = ""


def report_benchmark(size: str, admin, meeting: datetime.date) -> ReportResult:
    from bench.render import client_for
    from roadmap.models import Action, Report, Roadmap
    from roadmap.reports import default_title, open_report, publish

    roadmap = Roadmap.objects.current()
    result = ReportResult(size, Action.objects.filter(roadmap=roadmap).count())
    report = Report.objects.in_preparation(roadmap) or open_report(
        roadmap, default_title(meeting), meeting, None, admin
    )
    log(f"{size} : publication d'un rapport au Conseil…")
    started = time.perf_counter()
    locked = publish(report, report.version, admin)
    result.publish_s = time.perf_counter() - started
    if locked.stale:
        result.note = "le rapport a changé pendant sa publication"
        return result
    report.refresh_from_db()
    result.snapshot_kb = len(report.snapshot.encode()) / 1024
    client = client_for(None)
    for name, suffix in (("page", "/"), ("classeur", ".xlsx"), ("PDF", ".pdf")):
        log(f"{size} : rapport, {name}…")
        started = time.perf_counter()
        response = client.get(f"/rapports/{report.slug}{suffix}")
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            result.note += f"{name} : {response.status_code} ; "
            continue
        result.times_s[name] = elapsed
        if name == "PDF":
            from pypdf import PdfReader

            result.pdf_pages = len(PdfReader(io.BytesIO(response.content)).pages)
            result.pdf_kb = len(response.content) / 1024
    return result


def report_lines(results: list[ReportResult]) -> list[str]:
    from bench.report import fmt

    lines = [
        "",
        "## Rapports au Conseil",
        "",
        "Publication d'un rapport (l'instantané figé de toute la feuille de route), puis sa page, "
        "son classeur et son PDF A4 (WeasyPrint), chacun seul, dans le processus.",
        "",
        "| Taille | Actions | Publication (s) | Instantané (Kio) | Page (s) | Classeur (s) | "
        "PDF (s) | Pages du PDF | PDF (Kio) | Remarque |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for item in results:
        times = item.times_s
        lines.append(
            f"| {item.size} | {fmt(item.actions, 0)} | {fmt(item.publish_s, 2)} | "
            f"{fmt(item.snapshot_kb, 0)} | {fmt(times.get('page'), 2)} | "
            f"{fmt(times.get('classeur'), 2)} | {fmt(times.get('PDF'), 2)} | "
            f"{fmt(item.pdf_pages, 0)} | {fmt(item.pdf_kb, 0)} | {item.note} |"
        )
    return lines
