"""The council reports' benchmark: at a size, the time to freeze and publish a report of the
current roadmap (`roadmap.reports.publish`, the snapshot), then to render its A4 PDF once
(`roadmap.report_pdf.store`, as publication does after its commit: WeasyPrint), and to serve
its page, its workbook and its stored PDF, each one request alone, in-process.

The report measured is the roadmap's second: compared with a first one published just before,
so that its « Ce qui a changé » holds what an unchanged roadmap lists (every action « sans mise
à jour depuis »), the heaviest case. The PDF is rendered in a forked child process, so that its
peak memory (VmHWM) is that of the rendering alone, beside the resident memory it started with.

`make bench BENCH_ARGS=--reports-only` runs this alone, at the seed size (the baseline) and the
large one, and writes its section of docs/benchmarks.md.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import log

# The reports' section of docs/benchmarks.md, between these two lines: rewritten by each run
# that measures the reports (the whole benchmark, or `--reports-only`), wherever it stands.
BEGIN = "<!-- Rapports au Conseil : début (make bench) -->"
END = "<!-- Rapports au Conseil : fin -->"


@dataclass
class ReportResult:
    size: str
    actions: int = 0
    publish_s: float | None = None
    snapshot_kb: float | None = None
    render_s: float | None = None
    render_cpu_s: float | None = None
    rss_before_mb: float | None = None
    peak_mb: float | None = None
    times_s: dict[str, float] = field(default_factory=dict)
    queries: dict[str, int] = field(default_factory=dict)
    pdf_pages: int | None = None
    pdf_kb: float | None = None
    note: str = ""


def _status_mb(key: str) -> float | None:
    """VmRSS or VmHWM of this process, in MiB."""
    try:
        status = Path("/proc/self/status").read_text("ascii")
    except OSError:
        return None
    found = re.search(rf"^{key}:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) / 1024 if found else None


def render_in_child(report_pk: int) -> dict:
    """Render and store the report's PDF in a forked child; its wall and CPU time, its
    resident memory before and its peak. The parent's connection is closed first: the child
    opens its own."""
    from django.db import connection

    connection.close()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        outcome = {}
        try:
            os.close(read_end)
            from roadmap.models import Report
            from roadmap.report_pdf import store

            outcome["rss_before_mb"] = _status_mb("VmRSS")
            report = Report.objects.defer("pdf").get(pk=report_pk)
            started, cpu = time.perf_counter(), time.process_time()
            outcome["stored"] = store(report)
            outcome["render_s"] = time.perf_counter() - started
            outcome["render_cpu_s"] = time.process_time() - cpu
            outcome["peak_mb"] = _status_mb("VmHWM")
            connection.close()
        except Exception as error:  # said in the table, never a crash of the whole run
            outcome["error"] = f"{type(error).__name__}: {error}"[:200]
        finally:
            os.write(write_end, json.dumps(outcome).encode())
            os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks) or b"{}")


def _of_the_cache(sql: str) -> bool:
    # its table, and the transaction around a write there (BEGIN and COMMIT as psycopg sends
    # them, or a savepoint inside a transaction)
    return "roadmap_cache" in sql or sql.startswith(
        ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")
    )


def report_benchmark(size: str, admin, meeting: datetime.date) -> ReportResult:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.render import client_for
    from roadmap.models import Action, Report, Roadmap
    from roadmap.reports import default_title, open_report, publish

    roadmap = Roadmap.objects.current()
    result = ReportResult(size, Action.objects.filter(roadmap=roadmap).count())
    if Report.objects.published().filter(roadmap=roadmap).exists() is False:
        # The earlier report it is compared with (its PDF is not rendered).
        earlier = meeting - datetime.timedelta(days=90)
        first = open_report(roadmap, default_title(earlier), earlier, None, admin)
        publish(first, first.version, admin)
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
    log(f"{size} : rendu du PDF ({result.actions} actions)…")
    rendered = render_in_child(report.pk)
    if not rendered.get("stored"):
        result.note = rendered.get("error") or "PDF non produit (WeasyPrint ou Pango absent)"
    result.render_s = rendered.get("render_s")
    result.render_cpu_s = rendered.get("render_cpu_s")
    result.rss_before_mb = rendered.get("rss_before_mb")
    result.peak_mb = rendered.get("peak_mb")
    client = client_for(None)
    # What a process reads once and keeps (the site's settings, the navigation) is read by
    # another page first, so that each count below is the report's own, at every size.
    client.get("/")
    for name, suffix in (("page", "/"), ("classeur", ".xlsx"), ("PDF", ".pdf")):
        log(f"{size} : rapport, {name}…")
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/rapports/{report.slug}{suffix}")
        elapsed = time.perf_counter() - started
        # Bounded: the same count whatever the roadmap's size. Those of the shared cache are
        # left out (its table, and the savepoint around a write there): a copy too big to keep
        # (over SHARED_MAX) is not written, so they differ from one size to the other.
        result.queries[name] = sum(
            1 for query in queries.captured_queries if not _of_the_cache(query["sql"])
        )
        if response.status_code != 200:
            result.note += f"{name} : {response.status_code} ; "
            continue
        result.times_s[name] = elapsed
        if name == "PDF":
            from pypdf import PdfReader

            result.pdf_pages = len(PdfReader(io.BytesIO(response.content)).pages)
            result.pdf_kb = len(response.content) / 1024
    return result


def report_lines(results: list[ReportResult], context: dict | None = None) -> list[str]:
    from bench.report import fmt

    lines = [BEGIN, "", "## Rapports au Conseil", ""]
    if context:
        lines += [
            f"- Date : {context['date']} ; commande : `{context['command']}` ; commit : "
            f"{context['commit']}",
            f"- Machine : {context['machine']}",
            "",
        ]
    lines += [
        "Pour chaque taille, un premier rapport est publié, puis un second, comparé avec le "
        "premier (toutes ses actions sont « sans mise à jour depuis ») : la publication de ce "
        "second rapport (son instantané), le rendu unique de son PDF A4 (WeasyPrint, dans un "
        "processus fils : durée, temps CPU, mémoire résidente au départ et pic VmHWM), puis sa "
        "page, son classeur et son PDF gardé, servis chacun seul, dans le processus, avec le "
        "nombre de requêtes SQL de chacun, hors celles du cache partagé (sa table, et la "
        "transaction d'une écriture : une copie trop grande pour y être gardée n'y est pas "
        "écrite) : le même à chaque taille.",
        "",
        "| Taille | Actions | Publication (s) | Instantané (Kio) | Rendu du PDF (s) | "
        "CPU du rendu (s) | Mémoire au départ (Mo) | Pic du rendu (Mo) | Pages du PDF | "
        "PDF (Kio) | Page (s) | Classeur (s) | PDF servi (s) | Requêtes SQL (page, classeur, "
        "PDF) | Remarque |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: | --- |",
    ]
    for item in results:
        times = item.times_s
        lines.append(
            f"| {item.size} | {fmt(item.actions, 0)} | {fmt(item.publish_s, 2)} | "
            f"{fmt(item.snapshot_kb, 0)} | {fmt(item.render_s, 1)} | "
            f"{fmt(item.render_cpu_s, 1)} | {fmt(item.rss_before_mb, 0)} | "
            f"{fmt(item.peak_mb, 0)} | {fmt(item.pdf_pages, 0)} | {fmt(item.pdf_kb, 0)} | "
            f"{fmt(times.get('page'), 2)} | {fmt(times.get('classeur'), 2)} | "
            f"{fmt(times.get('PDF'), 3)} | "
            f"{', '.join(str(item.queries.get(name, '–')) for name in ('page', 'classeur', 'PDF'))}"
            f" | {item.note} |"
        )
    return [*lines, "", END]


def write_section(lines: list[str]) -> None:
    """Put the reports' section into docs/benchmarks.md in place of the one it holds, else
    just above the keep marker (the rest of the file left as it is)."""
    from bench.report import DOCS, KEEP_MARKER

    text = DOCS.read_text("utf-8") if DOCS.exists() else ""
    section = "\n".join(lines)
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        text = before + section + rest.split(END, 1)[1]
    elif KEEP_MARKER in text:
        before, after = text.split(KEEP_MARKER, 1)
        text = before.rstrip("\n") + "\n\n" + section + "\n\n" + KEEP_MARKER + after
    else:
        text = text + "\n" + section + "\n"
    DOCS.write_text(text, "utf-8")
