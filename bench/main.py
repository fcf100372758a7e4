"""The benchmark's steps: options, the run's context, a prepared database, the sizes, the report.

Run through bench/run.py (`make bench`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import secrets
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, log
from bench.imports import import_benchmark
from bench.load import ensure_wrk, wrk_version
from bench.measure import measure_size
from bench.render import bench_users
from bench.report import DOCS, commit, machine, report, write_docs
from bench.reports import report_benchmark, report_lines, write_section
from tests.support.servers import postgres_cluster

SETTINGS = "-c synchronous_commit=off"  # on top of the cluster's fsync=off
DESCRIPTION = (
    "`make bench`: the public pages' speed, side by side with a bare Django view, at two sizes."
)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--duration", type=int, default=10, help="secondes de wrk par page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3, help="workers gunicorn")
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=2, help="fils par worker gthread")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument(
        "--page-timeout", type=int, default=120, help="secondes pour qu'une page réponde seule"
    )
    parser.add_argument("--seed-only", action="store_true", help="sans la grande taille")
    parser.add_argument("--no-docs", action="store_true", help="n'écrit pas docs/benchmarks.md")
    parser.add_argument(
        "--reports-only",
        action="store_true",
        help="seulement les rapports au Conseil (publication, page, classeur, PDF), sans wrk",
    )
    return parser.parse_args()


def _stop_on_sigterm(signum, frame):
    # Turn a kill into an exception, so that every `finally` stops what this script started.
    raise SystemExit(128 + signum)


def main() -> None:
    args = arguments()
    if args.reports_only:
        return reports_only(args)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    started = time.monotonic()
    context = _context(args)
    wrk_binary = ensure_wrk()
    context["wrk"] = (
        f"{wrk_version(wrk_binary)} ({args.wrk_threads} fils, {args.connections} "
        f"connexions, {args.duration} s par page)"
    )
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        env = _prepared_database(stack, tmp, context)
        from django.core.management import call_command
        from django.db import connection

        results = [measure_size("semence", None, wrk_binary, env, args, tmp, first=True)]
        imported = None
        if not args.seed_only:
            log("generate_roadmap --large…")
            began = time.perf_counter()
            call_command("generate_roadmap", "--large", "--seed", "1", verbosity=0)
            generation = time.perf_counter() - began
            results.append(measure_size("grande", generation, wrk_binary, env, args, tmp))
        _member, admin = bench_users()
        # A council report at the largest size measured (its PDF's time is the figure).
        reports = [report_benchmark(results[-1].name, admin, datetime.date(2026, 3, 12))]
        if args.import_rows:
            log(f"import de {args.import_rows} mesures…")
            _member, admin = bench_users()
            imported = import_benchmark(args.import_rows, admin)
        connection.close()

    text = report(results, imported, context) + "\n".join(report_lines(reports)) + "\n"
    print()
    print(text)
    if not args.no_docs:
        write_docs(text)
        log(f"écrit dans {DOCS.relative_to(ROOT)}")
    log(f"terminé en {time.monotonic() - started:.0f} s")


def reports_only(args) -> None:
    """`--reports-only`: the council reports' benchmark alone, at the seed size (the baseline)
    and the large one, printed and written as the reports' section of docs/benchmarks.md (the
    rest of the file left as it is)."""
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    context = _context(args)
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        _prepared_database(stack, tmp, context)
        from django.core.management import call_command
        from django.db import connection

        _member, admin = bench_users()
        reports = [report_benchmark("semence", admin, datetime.date(2026, 3, 12))]
        if not args.seed_only:
            log("generate_roadmap --large…")
            call_command("generate_roadmap", "--large", "--seed", "1", verbosity=0)
            reports.append(report_benchmark("grande", admin, datetime.date(2026, 6, 18)))
        connection.close()
    lines = report_lines(reports, context)
    print("\n".join(lines))
    if not args.no_docs:
        write_section(lines)
        log(f"écrit dans {DOCS.relative_to(ROOT)}")


def _context(args) -> dict:
    """What the report says of the run (the versions of wrk, PostgreSQL and gunicorn are added
    once they are there)."""
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "make bench" if os.environ.get("MAKELEVEL") else " ".join(sys.argv),
        "commit": commit(),
        "machine": machine(),
        "duration": args.duration,
        "gunicorn": (
            f"({args.workers} workers {args.worker_class}"
            + (f" × {args.threads} fils" if args.worker_class == "gthread" else "")
            + ")"
        ),
    }


def _prepared_database(stack: contextlib.ExitStack, tmp: Path, context: dict) -> dict:
    """A throwaway cluster (stopped with `stack`), Django set up on it, migrated, the static
    files collected, the seed roadmap loaded; the servers' environment."""
    stack.callback(log, "PostgreSQL arrêté")  # once the cluster is stopped (callbacks: LIFO)
    cluster = stack.enter_context(postgres_cluster(prefix="bench-pg-", settings=SETTINGS))
    log(f"PostgreSQL sur 127.0.0.1:{cluster.port} ({cluster.data_dir})")
    _create_database(cluster.url("postgres"))
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url("roadmap_bench"),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(tmp / "static"),
        "BENCH_ENDPOINTS": "1",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "roadmap.site.settings",
    }
    os.environ.update(env)
    import django

    django.setup()
    import gunicorn
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        context["postgres"] = cursor.fetchone()[0].split()[0]
    context["gunicorn"] = f"{gunicorn.__version__} {context['gunicorn']}"
    log("migrate, collectstatic, load_roadmap…")
    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    call_command("load_roadmap", verbosity=0)
    return env


def _create_database(maintenance_url: str) -> None:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE roadmap_bench")
