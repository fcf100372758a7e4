"""In-process measures of the pages (Django set up with the same environment as the server).

The pages measured (those of the current roadmap, its heaviest action page), the benchmark's
users, and for each page its SQL queries and the time of one request alone, rendered and then
served from the public cache.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bench.load import Load

BENCH_USER = "synthetique-banc"  # a synthetic name: generate_roadmap does not count it as real
BENCH_ADMIN = "synthetique-banc-admin"


@dataclass
class Page:
    name: str
    path: str
    signed_in: bool = False
    queries: int | None = None
    alone_ms: float | None = None  # one request at a time, in-process, rendered
    cached_ms: float | None = None  # the same, served from the public cache
    status: int | None = None
    load: Load | None = None
    worker_peak_mb: float | None = None
    note: str = ""


@dataclass
class SizeResult:
    name: str
    counts: dict[str, int]
    generation_s: float | None
    pages: list[Page] = field(default_factory=list)
    baseline: Load | None = None
    worker_peaks_mb: list[float] = field(default_factory=list)


def bench_users():
    from accounts.models import Organisation, Role, User

    dns, _ = Organisation.objects.get_or_create(acronym="DNS")
    member, _ = User.objects.update_or_create(
        username=BENCH_USER,
        defaults={"role": Role.MEMBER, "organisation": dns, "first_name": "Banc d'essai"},
    )
    admin, _ = User.objects.update_or_create(
        username=BENCH_ADMIN, defaults={"role": Role.ADMINISTRATOR, "organisation": dns}
    )
    return member, admin


def client_for(user=None):
    from django.test import Client

    # The host and scheme the server sees behind its TLS-terminating proxy.
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    if user is not None:
        client.force_login(user)
    return client


def pages_of_current_roadmap() -> list[Page]:
    from django.db.models import Count

    from roadmap.models import Action, Roadmap

    roadmap = Roadmap.objects.current()
    # The heaviest action page of the roadmap: most milestones and indicators.
    action = (
        Action.objects.filter(roadmap=roadmap)
        .annotate(weight=Count("milestones", distinct=True) + Count("indicators", distinct=True))
        .order_by("-weight", "code")
        .first()
    )
    return [
        Page("Tableau de bord", "/"),
        Page(f"Action ({action.code})", f"/actions/{action.slug}/"),
        Page("Indicateurs", "/indicateurs/"),
        Page("Données JSON", "/donnees/feuille-de-route.json"),
        Page("Mes actions (connecté)", "/mes-actions/", signed_in=True),
    ]


def count_queries(pages: list[Page], member, warm_up: bool = True) -> None:
    """The queries and the duration of each page rendered, one request at a time (the public
    cache emptied first), then the duration of the next request, served from the cache. A first
    request compiles the templates (kept by the cached loader: needed once per process)."""
    from django.core.cache import caches
    from django.db import connection

    anonymous, signed_in = client_for(), client_for(member)
    for page in pages:
        client = signed_in if page.signed_in else anonymous
        try:
            if warm_up:
                client.get(page.path)
            for kept in caches.all():  # the shared cache and this process's own copies
                kept.clear()
            queries = []

            def count(execute, sql, params, many, context, queries=queries):
                queries.append(sql)
                return execute(sql, params, many, context)

            started = time.perf_counter()
            # Counted at the cursor: with DEBUG off, Django's query log may hold nothing.
            with connection.execute_wrapper(count):
                response = client.get(page.path)
            page.alone_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            client.get(page.path)
            page.cached_ms = (time.perf_counter() - started) * 1000
        except Exception as error:  # a page under construction must not stop the run
            page.note = f"erreur dans la page : {type(error).__name__}"
            continue
        page.status = response.status_code
        if response.status_code == 200:
            page.queries = len(queries)


def roadmap_counts() -> dict[str, int]:
    from roadmap.models import (
        Action,
        Indicator,
        Measurement,
        Milestone,
        ProgressNote,
        Roadmap,
        Target,
    )

    roadmap = Roadmap.objects.current()
    indicators = Indicator.objects.filter(roadmap=roadmap)
    return {
        "actions": Action.objects.filter(roadmap=roadmap).count(),
        "jalons": Milestone.objects.filter(roadmap=roadmap).count(),
        "indicateurs": indicators.count(),
        # The large size has periods and dated targets: the pages are measured with them.
        "par période": indicators.filter(kind="per_period").count(),
        "cibles": Target.objects.filter(indicator__roadmap=roadmap).count(),
        "mesures": Measurement.objects.filter(indicator__roadmap=roadmap).count(),
        "points": ProgressNote.objects.filter(action__roadmap=roadmap).count(),
    }
