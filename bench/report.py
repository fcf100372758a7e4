"""The benchmark's report: the markdown table printed and written to docs/benchmarks.md.

Above the keep marker the file is `make bench`'s; what follows the marker (notes written by hand)
is kept from one run to the next. Numbers are written the French way (`fmt`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from pathlib import Path

from bench.common import ROOT, run
from bench.imports import ImportResult
from bench.load import Load
from bench.render import Page, SizeResult

DOCS = ROOT / "docs" / "benchmarks.md"
KEEP_MARKER = "<!-- Tout ce qui suit cette ligne est conservé par `make bench`. -->"
GOALS = {"semence": 0.5, "grande": 0.25}
WORKER_MEMORY_GOAL_MB = 200
IMPORT_GOAL = 5.0


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError):
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = found.group(1).strip() if found else ""
    memory = ""
    with contextlib.suppress(OSError):
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kb / 1024 / 1024:.1f} Gio".replace(".", ",")
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    return f"{os.cpu_count()} cœurs ({cpu}), {memory} de mémoire ; charge au départ : {load}"


def commit() -> str:
    git = shutil.which("git")
    if git is None:
        return "inconnu"
    try:
        head = run([git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = run([git, "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    except subprocess.CalledProcessError:
        return "inconnu"
    suffix = " (plus des modifications non commitées)" if dirty.stdout.strip() else ""
    return f"`{head.stdout.strip()}`{suffix}"


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:  # None or NaN
        return "–"
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


def report(results: list[SizeResult], imported: ImportResult | None, context: dict) -> str:
    lines = [*_header(context), *_pages(results, context), *_data(results)]
    if imported is not None:
        lines += _import(imported)
    lines += ["", "## Objectifs", ""]
    lines += goals(results, imported)
    return "\n".join(lines) + "\n"


def _header(context: dict) -> list[str]:
    return [
        "# Banc d'essai des performances",
        "",
        "Produit par `make bench` (`bench/run.py`) : ne pas modifier à la main au-dessus du "
        "marqueur de fin.",
        "",
        f"- Date : {context['date']}",
        f"- Commande : `{context['command']}`",
        f"- Commit : {context['commit']}",
        f"- Machine : {context['machine']}",
        f"- Serveur : gunicorn {context['gunicorn']}, DEBUG=0, PostgreSQL {context['postgres']} "
        "(cluster jetable, fsync=off) sur la même machine",
        f"- Charge : wrk {context['wrk']}, en-tête `X-Forwarded-Proto: https` (comme derrière "
        "le proxy)",
        "",
    ]


def _pages(results: list[SizeResult], context: dict) -> list[str]:
    lines = [
        "## Pages",
        "",
        "Le ratio compare les requêtes par seconde de la page à celles de la vue nue "
        "(`/bench/bare`, même serveur, mêmes middlewares), mesurée dans la même exécution.",
        "",
        "« Rendue » est la durée d'une requête quand aucune autre ne tourne (client de test "
        "de Django, dans le processus), cache public vidé : ses requêtes SQL sont celles de la "
        "colonne ; « En cache » est la requête suivante, servie par le cache (les pages "
        "connectées ne sont jamais mises en cache). Le pic mémoire est le plus haut VmHWM des "
        "workers après la charge de cette page (un serveur neuf par page), rendu compris.",
        "",
        "| Taille | Page | Req/s | Médiane (ms) | p99 (ms) | Ratio | Requêtes SQL | "
        "Rendue (ms) | En cache (ms) | Pic worker (Mo) | Remarque |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for size in results:
        base = size.baseline
        peak = size.worker_peaks_mb[0] if size.worker_peaks_mb else None
        lines.append(
            f"| {size.name} | Vue nue `/bench/bare` | {fmt(base.rps)} | {fmt(base.median_ms, 2)} | "
            f"{fmt(base.p99_ms, 2)} | 1 | 0 | – | – | {fmt(peak, 0)} | {base.errors} |"
            if base
            else f"| {size.name} | Vue nue | – | – | – | – | – | – | – | – | non mesurée |"
        )
        lines += [_page_row(size, page, context) for page in size.pages]
    return lines


def _page_row(size: SizeResult, page: Page, context: dict) -> str:
    base = size.baseline
    load = page.load
    ratio = load.rps / base.rps if load and base and base.rps else None
    note = page.note or (load.errors if load else "")
    if load and not load.requests:
        # wrk shows zeros when no request finished: say so rather than print 0 ms.
        note = f"aucune réponse complète en {context['duration']} s" + (
            f" ; {note}" if note else ""
        )
        load = Load(0.0, float("nan"), float("nan"), 0, load.errors)
    return (
        f"| {size.name} | {page.name} `{page.path}` | "
        f"{fmt(load.rps) if load else '–'} | "
        f"{fmt(load.median_ms, 2) if load else '–'} | "
        f"{fmt(load.p99_ms, 2) if load else '–'} | "
        f"{fmt(ratio, 2) if ratio is not None else '–'} | "
        f"{page.queries if page.queries is not None else '–'} | "
        f"{fmt(page.alone_ms, 0)} | {fmt(page.cached_ms, 1)} | "
        f"{fmt(page.worker_peak_mb, 0)} | {note} |"
    )


def _data(results: list[SizeResult]) -> list[str]:
    lines = [
        "",
        "## Données et mémoire",
        "",
        "| Taille | Actions | Jalons | Indicateurs | dont par période | Cibles datées | Mesures | "
        "Points | Génération (s) | Pic mémoire d'un worker, toutes pages (Mo, VmHWM) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in results:
        c = size.counts
        peaks = fmt(max(size.worker_peaks_mb), 0) if size.worker_peaks_mb else "–"
        lines.append(
            f"| {size.name} | {fmt(c['actions'], 0)} | {fmt(c['jalons'], 0)} | "
            f"{fmt(c['indicateurs'], 0)} | {fmt(c.get('par période', 0), 0)} | "
            f"{fmt(c.get('cibles', 0), 0)} | {fmt(c['mesures'], 0)} | {fmt(c['points'], 0)} | "
            f"{fmt(size.generation_s) if size.generation_s is not None else '–'} | {peaks} |"
        )
    return lines


def _import(imported: ImportResult) -> list[str]:
    return [
        "",
        f"## Import d'un classeur de {fmt(imported.rows, 0)} mesures",
        "",
        "Aperçu puis confirmation par `roadmap.spreadsheets.import_file` (comme l'admin), "
        "contre un `bulk_create` nu des mêmes lignes (sans historique ni contrôle), "
        "dans la feuille de route courante.",
        "",
        "| bulk_create nu (s) | Aperçu (s) | Confirmation (s) | Ratio (aperçu + "
        "confirmation) / bulk_create | Remarque |",
        "| ---: | ---: | ---: | ---: | --- |",
        f"| {fmt(imported.bulk_s, 2)} | {fmt(imported.preview_s, 2)} | "
        f"{fmt(imported.confirm_s, 2)} | {fmt(imported.ratio, 1)} | {imported.note} |",
    ]


def goals(results: list[SizeResult], imported: ImportResult | None) -> list[str]:
    out = []
    by_name = {size.name: size for size in results}
    for size in results:
        goal = GOALS.get(size.name)
        if goal is None or not size.baseline:
            continue
        for page in size.pages:
            if not page.load:
                continue
            ratio = page.load.rps / size.baseline.rps
            mark = "atteint" if ratio >= goal else "**non atteint**"
            out.append(
                f"- {size.name}, {page.name} : {fmt(ratio, 2)} de la vue nue "
                f"(objectif ≥ {fmt(goal, 2)}) : {mark}"
            )
    seed, large = by_name.get("semence"), by_name.get("grande")
    if seed and large:
        for small_page, big_page in zip(seed.pages, large.pages, strict=True):
            if small_page.queries is None or big_page.queries is None:
                continue
            same = small_page.queries == big_page.queries
            out.append(
                f"- {big_page.name} : {small_page.queries} requêtes SQL à la taille semence, "
                f"{big_page.queries} à la grande : "
                + ("mêmes requêtes, atteint" if same else "**non atteint**")
            )
    if large and large.worker_peaks_mb:
        peak = max(large.worker_peaks_mb)
        mark = "atteint" if peak < WORKER_MEMORY_GOAL_MB else "**non atteint**"
        out.append(
            f"- Mémoire d'un worker à la grande taille : {fmt(peak, 0)} Mo "
            f"(objectif < {WORKER_MEMORY_GOAL_MB} Mo) : {mark}"
        )
    if imported is not None and imported.ratio is not None:
        mark = "atteint" if imported.ratio <= IMPORT_GOAL else "**non atteint**"
        out.append(
            f"- Import : {fmt(imported.ratio, 1)} × le bulk_create nu "
            f"(objectif ≤ {fmt(IMPORT_GOAL, 0)} ×) : {mark}"
        )
    return out


def write_docs(text: str) -> None:
    kept = ""
    if DOCS.exists():
        previous = DOCS.read_text("utf-8")
        if KEEP_MARKER in previous:
            kept = previous.split(KEEP_MARKER, 1)[1]
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(f"{text}\n{KEEP_MARKER}{kept or chr(10)}", "utf-8")
