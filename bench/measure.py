"""One size measured end to end: query counts in-process, then each page under load on a fresh
server of its own, so that neither the requests a slow page left queued nor its memory spill onto
the next. The bare view (`/bench/bare`, routed when BENCH_ENDPOINTS=1) is the baseline.
"""

from __future__ import annotations

from pathlib import Path

from bench.common import log
from bench.load import wrk
from bench.render import (
    Page,
    SizeResult,
    bench_users,
    client_for,
    count_queries,
    pages_of_current_roadmap,
    roadmap_counts,
)
from bench.server import gunicorn, status_of

HTTPS = {"X-Forwarded-Proto": "https"}
BARE = "/bench/bare"


def measure_size(
    name, generation_s, wrk_binary, env, args, tmp: Path, first: bool = False
) -> SizeResult:
    from django.conf import settings
    from django.db import connections

    member, _admin = bench_users()
    result = SizeResult(name, roadmap_counts(), generation_s, pages_of_current_roadmap())
    log(f"{name} : requêtes SQL de chaque page…")
    count_queries(result.pages, member, warm_up=first)
    session = client_for(member).cookies[settings.SESSION_COOKIE_NAME].value
    connections.close_all()  # the server's workers are the only clients during the load

    _measure_baseline(result, wrk_binary, env, args, tmp)
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
    for page in result.pages:
        headers = {**HTTPS, **cookie} if page.signed_in else HTTPS
        _measure_page(result, page, headers, wrk_binary, env, args, tmp)
    return result


def _measure_baseline(result: SizeResult, wrk_binary, env, args, tmp: Path) -> None:
    with gunicorn(env, args, tmp / "gunicorn.log") as server:
        if status_of(server.url(BARE), HTTPS) != 200:
            raise RuntimeError(
                "/bench/bare ne répond pas 200 : la route de la vue nue (BENCH_ENDPOINTS=1) "
                "est-elle branchée dans roadmap/site/urls.py ?"
            )
        wrk(wrk_binary, server.url(BARE), HTTPS, args, duration=2)  # warm up
        server.settle()
        log(f"{result.name} : vue nue…")
        result.baseline = wrk(wrk_binary, server.url(BARE), HTTPS, args)
        result.worker_peaks_mb.append(max(server.peak_rss_mb(), default=0))


def _measure_page(
    result: SizeResult, page: Page, headers: dict, wrk_binary, env, args, tmp: Path
) -> None:
    with gunicorn(env, args, tmp / "gunicorn.log") as server:
        wrk(wrk_binary, server.url(BARE), HTTPS, args, duration=1)  # every worker up
        server.settle()
        status = status_of(server.url(page.path), headers, timeout=args.page_timeout)
        if status != 200:
            said = f"répond HTTP {status}" if status else f"ne répond pas en {args.page_timeout} s"
            page.note = page.note or f"ignorée : {said} (page en chantier ?)"
            log(f"{result.name} : {page.path} ignorée ({said})")
            return
        # Warm up: each worker compiles the templates and loads the translations on its first
        # requests; as many connections as threads, so that the queue left stays short. A
        # page slower than a second alone is only warmed by the request above.
        if page.alone_ms is not None and page.alone_ms < 1000:
            threads = args.workers * (args.threads if args.worker_class == "gthread" else 1)
            wrk(wrk_binary, server.url(page.path), headers, args, duration=2, connections=threads)
            server.settle()
        log(f"{result.name} : {page.path}…")
        page.load = wrk(wrk_binary, server.url(page.path), headers, args)
        page.worker_peak_mb = max(server.peak_rss_mb(), default=None)
        result.worker_peaks_mb.append(page.worker_peak_mb or 0)
