"""`make bench`: the public pages' speed, side by side with a bare Django view, at two sizes.

On a PostgreSQL cluster of its own (initdb in a temporary folder, a free loopback port, stopped
at the end whatever happens), this script migrates, loads the seed roadmap, and for each size
(the seed, then `generate_roadmap --large`):

- counts the SQL queries of each page and times one request alone, in-process (Django's test
  client, CaptureQueriesContext);
- serves the app with gunicorn on 127.0.0.1 (DEBUG=0, a random SECRET_KEY, the production
  static files storage after collectstatic into a temporary STATIC_ROOT) and drives each page
  with wrk: requests per second, median and 99th-percentile latency, and the ratio to the bare
  view (`/bench/bare`, routed when BENCH_ENDPOINTS=1) measured in the same run. Each page gets a
  fresh server, warmed up first, so that requests a slow page left queued do not slow the next;
- reads the peak memory of the gunicorn workers after each page (VmHWM in /proc/<pid>/status).

Then it imports a 10 000-row measurements workbook (preview, then confirm, through
`roadmap.spreadsheets.import_file`) and times it against a bare `bulk_create` of the same rows.
The table is printed and written to docs/benchmarks.md, with the date, the machine, the commit
and the command. A page that does not answer 200 is skipped with a note, not an error.

Run as root (as CI and `make` do here): PostgreSQL refuses root, so the cluster runs as
`postgres` through runuser; wrk is installed from Debian when missing.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import glob
import io
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
KEEP_MARKER = "<!-- Tout ce qui suit cette ligne est conservé par `make bench`. -->"
BENCH_USER = "synthetique-banc"  # a synthetic name: generate_roadmap does not count it as real
BENCH_ADMIN = "synthetique-banc-admin"
GOALS = {"semence": 0.5, "grande": 0.25}
WORKER_MEMORY_GOAL_MB = 200
IMPORT_GOAL = 5.0


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command given as a list (never through a shell); raise if it fails."""
    return subprocess.run(command, check=True, **kwargs)  # noqa: S603 - fixed argument lists


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop_on_sigterm(signum, frame):
    # Turn a kill into an exception, so that every `finally` stops what this script started.
    raise SystemExit(128 + signum)


# ---------------------------------------------------------------------------------------------
# Tools


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if os.geteuid() != 0 or apt is None:
        sys.exit("wrk est introuvable : installez-le (apt-get install wrk), puis relancez.")
    log("installation de wrk (Debian)…")
    quiet = {
        "stdout": subprocess.DEVNULL,
        "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    }
    try:
        run([apt, "install", "-y", "-q", "wrk"], **quiet)
    except subprocess.CalledProcessError:
        run([apt, "update", "-q"], **quiet)
        run([apt, "install", "-y", "-q", "wrk"], **quiet)
    return shutil.which("wrk") or sys.exit("wrk n'a pas pu être installé.")


def postgres_bin() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not candidates:
        sys.exit("PostgreSQL est introuvable (pg_ctl) : installez le paquet postgresql.")
    return Path(candidates[-1]).parent


@contextlib.contextmanager
def postgres_cluster():
    """A throwaway cluster on a free loopback port, as .ci/run makes; yields its URL."""
    bin_dir = postgres_bin()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    as_postgres = []
    if os.geteuid() == 0:
        shutil.chown(data_dir, "postgres", "postgres")
        as_postgres = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", "postgres", "--"]
    port = free_port()
    pg_ctl = [*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data_dir / "data")]
    try:
        run(
            [
                *as_postgres,
                str(bin_dir / "initdb"),
                "-D",
                str(data_dir / "data"),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            stdout=subprocess.DEVNULL,
        )
        options = (
            f"-p {port} -k {data_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        run(
            [*pg_ctl, "-l", str(data_dir / "postgres.log"), "-w", "-o", options, "start"],
            stdout=subprocess.DEVNULL,
        )
        log(f"PostgreSQL sur 127.0.0.1:{port} ({data_dir})")
        yield f"postgres://postgres@127.0.0.1:{port}/roadmap_bench", port
    finally:
        subprocess.run(  # noqa: S603 - fixed argument list
            [*pg_ctl, "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(data_dir, ignore_errors=True)
        log("PostgreSQL arrêté")


def create_database(port: int) -> None:
    import psycopg

    with psycopg.connect(
        f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True
    ) as conn:
        conn.execute("CREATE DATABASE roadmap_bench")


# ---------------------------------------------------------------------------------------------
# The server and the load


@dataclass
class Server:
    process: subprocess.Popen
    port: int

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def workers(self) -> list[int]:
        pids = []
        for status in glob.glob("/proc/[0-9]*/status"):
            with contextlib.suppress(OSError):
                text = Path(status).read_text()
                if re.search(rf"^PPid:\s+{self.process.pid}$", text, re.MULTILINE):
                    pids.append(int(status.split("/")[2]))
        return sorted(pids)

    def cpu_ticks(self) -> int:
        total = 0
        for pid in self.workers():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime + stime
        return total

    def settle(self, limit: float = 300) -> None:
        """Wait until the workers are idle: requests still queued when wrk stopped would
        otherwise slow down the next measure."""
        deadline = time.monotonic() + limit
        before = self.cpu_ticks()
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = self.cpu_ticks()
            if now - before <= 2:  # under 2 % of a core over half a second
                return
            before = now

    def peak_rss_mb(self) -> list[float]:
        """The peak resident memory of each worker (VmHWM), in MB."""
        peaks = []
        for pid in self.workers():
            with contextlib.suppress(OSError):
                text = Path(f"/proc/{pid}/status").read_text()
                found = re.search(r"^VmHWM:\s+(\d+) kB", text, re.MULTILINE)
                if found:
                    peaks.append(int(found.group(1)) / 1024)
        return peaks


@contextlib.contextmanager
def gunicorn(env: dict, args, log_file: Path):
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "roadmap.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--threads",
        str(args.threads),
        "--error-logfile",
        str(log_file),
    ]
    with log_file.open("a") as output:
        process = subprocess.Popen(  # noqa: S603 - fixed argument list
            command, cwd=ROOT, env=env, stdout=output, stderr=output, start_new_session=True
        )
    server = Server(process, port)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn s'est arrêté : voir {log_file}")
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn ne répond pas après 60 s")
            time.sleep(0.2)
        # Every worker imports the app and opens its connection before the first measure.
        while len(server.workers()) < args.workers and time.monotonic() < deadline:
            time.sleep(0.2)
        yield server
    finally:
        # SIGQUIT: stop now, dropping the requests wrk left queued (they would slow the next
        # measure), rather than SIGTERM's graceful wait.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGQUIT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def status_of(url: str, headers: dict, timeout: float = 120) -> int | None:
    """The HTTP status of one GET, redirects not followed; None when nothing came back."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback http only
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (TimeoutError, urllib.error.URLError):
        return None


@dataclass
class Load:
    rps: float
    median_ms: float
    p99_ms: float
    requests: int
    errors: str = ""


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(
    binary: str,
    url: str,
    headers: dict,
    args,
    duration: int | None = None,
    connections: int | None = None,
) -> Load:
    connections = connections or args.connections
    command = [
        binary,
        f"-t{min(args.wrk_threads, connections)}",
        f"-c{connections}",
        f"-d{duration or args.duration}s",
        "--timeout",
        "60s",
        "--latency",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = run([*command, url], capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    median = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = []
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors.append(f"{non_2xx.group(1)} réponses en erreur")
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if socket_errors:
        errors.append(f"erreurs réseau ({socket_errors.group(1)})")
    return Load(
        rps=rps,
        median_ms=_ms(median.group(1)) if median else float("nan"),
        p99_ms=_ms(p99.group(1)) if p99 else float("nan"),
        requests=requests,
        errors=", ".join(errors),
    )


# ---------------------------------------------------------------------------------------------
# In-process measures (Django set up with the same environment as the server)


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
    from roadmap.models import Action, Indicator, Measurement, Milestone, ProgressNote, Roadmap

    roadmap = Roadmap.objects.current()
    return {
        "actions": Action.objects.filter(roadmap=roadmap).count(),
        "jalons": Milestone.objects.filter(roadmap=roadmap).count(),
        "indicateurs": Indicator.objects.filter(roadmap=roadmap).count(),
        "mesures": Measurement.objects.filter(indicator__roadmap=roadmap).count(),
        "points": ProgressNote.objects.filter(action__roadmap=roadmap).count(),
    }


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
    measurements fall at month ends), spread over up to 500 indicators."""
    from roadmap.models import Indicator, Roadmap

    codes = list(
        Indicator.objects.filter(roadmap=Roadmap.objects.current())
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


# ---------------------------------------------------------------------------------------------
# The report


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
    lines = [
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
        for page in size.pages:
            load = page.load
            ratio = load.rps / base.rps if load and base and base.rps else None
            note = page.note or (load.errors if load else "")
            if load and not load.requests:
                # wrk shows zeros when no request finished: say so rather than print 0 ms.
                note = f"aucune réponse complète en {context['duration']} s" + (
                    f" ; {note}" if note else ""
                )
                load = Load(0.0, float("nan"), float("nan"), 0, load.errors)
            lines.append(
                f"| {size.name} | {page.name} `{page.path}` | "
                f"{fmt(load.rps) if load else '–'} | "
                f"{fmt(load.median_ms, 2) if load else '–'} | "
                f"{fmt(load.p99_ms, 2) if load else '–'} | "
                f"{fmt(ratio, 2) if ratio is not None else '–'} | "
                f"{page.queries if page.queries is not None else '–'} | "
                f"{fmt(page.alone_ms, 0)} | {fmt(page.cached_ms, 1)} | "
                f"{fmt(page.worker_peak_mb, 0)} | {note} |"
            )
    lines += [
        "",
        "## Données et mémoire",
        "",
        "| Taille | Actions | Jalons | Indicateurs | Mesures | Points | Génération (s) | "
        "Pic mémoire d'un worker, toutes pages (Mo, VmHWM) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in results:
        c = size.counts
        peaks = fmt(max(size.worker_peaks_mb), 0) if size.worker_peaks_mb else "–"
        lines.append(
            f"| {size.name} | {fmt(c['actions'], 0)} | {fmt(c['jalons'], 0)} | "
            f"{fmt(c['indicateurs'], 0)} | {fmt(c['mesures'], 0)} | {fmt(c['points'], 0)} | "
            f"{fmt(size.generation_s) if size.generation_s is not None else '–'} | {peaks} |"
        )
    if imported is not None:
        lines += [
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
    lines += ["", "## Objectifs", ""]
    lines += goals(results, imported)
    return "\n".join(lines) + "\n"


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


# ---------------------------------------------------------------------------------------------
# Main


def measure_size(
    name, generation_s, wrk_binary, env, args, tmp: Path, first: bool = False
) -> SizeResult:
    """Query counts in-process, then each page under load on a fresh server of its own, so
    that neither the requests a slow page left queued nor its memory spill onto the next."""
    from django.conf import settings
    from django.db import connections

    member, _admin = bench_users()
    result = SizeResult(name, roadmap_counts(), generation_s, pages_of_current_roadmap())
    log(f"{name} : requêtes SQL de chaque page…")
    count_queries(result.pages, member, warm_up=first)
    session = client_for(member).cookies[settings.SESSION_COOKIE_NAME].value
    connections.close_all()  # the server's workers are the only clients during the load

    https = {"X-Forwarded-Proto": "https"}
    bare = "/bench/bare"
    with gunicorn(env, args, tmp / "gunicorn.log") as server:
        if status_of(server.url(bare), https) != 200:
            raise RuntimeError(
                "/bench/bare ne répond pas 200 : la route de la vue nue (BENCH_ENDPOINTS=1) "
                "est-elle branchée dans roadmap/urls.py ?"
            )
        wrk(wrk_binary, server.url(bare), https, args, duration=2)  # warm up
        server.settle()
        log(f"{name} : vue nue…")
        result.baseline = wrk(wrk_binary, server.url(bare), https, args)
        result.worker_peaks_mb.append(max(server.peak_rss_mb(), default=0))
    for page in result.pages:
        cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
        headers = {**https, **cookie} if page.signed_in else https
        with gunicorn(env, args, tmp / "gunicorn.log") as server:
            wrk(wrk_binary, server.url(bare), https, args, duration=1)  # every worker up
            server.settle()
            status = status_of(server.url(page.path), headers, timeout=args.page_timeout)
            if status != 200:
                said = (
                    f"répond HTTP {status}" if status else f"ne répond pas en {args.page_timeout} s"
                )
                page.note = page.note or f"ignorée : {said} (page en chantier ?)"
                log(f"{name} : {page.path} ignorée ({said})")
                continue
            # Warm up: each worker compiles the templates and loads the translations on its first
            # requests; as many connections as threads, so that the queue left stays short. A
            # page slower than a second alone is only warmed by the request above.
            if page.alone_ms is not None and page.alone_ms < 1000:
                threads = args.workers * (args.threads if args.worker_class == "gthread" else 1)
                wrk(
                    wrk_binary,
                    server.url(page.path),
                    headers,
                    args,
                    duration=2,
                    connections=threads,
                )
                server.settle()
            log(f"{name} : {page.path}…")
            page.load = wrk(wrk_binary, server.url(page.path), headers, args)
            page.worker_peak_mb = max(server.peak_rss_mb(), default=None)
            result.worker_peaks_mb.append(page.worker_peak_mb or 0)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
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
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    started = time.monotonic()
    context = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "make bench" if os.environ.get("MAKELEVEL") else " ".join(sys.argv),
        "commit": commit(),
        "machine": machine(),
    }
    wrk_binary = ensure_wrk()
    version = subprocess.run(  # noqa: S603 - fixed argument list
        [wrk_binary, "-v"], capture_output=True, text=True, check=False
    )
    found = re.search(r"wrk (\S+)", version.stdout + version.stderr)
    context["wrk"] = (
        f"{found.group(1) if found else ''} ({args.wrk_threads} fils, {args.connections} "
        f"connexions, {args.duration} s par page)"
    )
    context["duration"] = args.duration
    context["gunicorn"] = (
        f"({args.workers} workers {args.worker_class}"
        + (f" × {args.threads} fils" if args.worker_class == "gthread" else "")
        + ")"
    )

    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        url, port = stack.enter_context(postgres_cluster())
        create_database(port)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_ROOT": str(tmp / "static"),
            "BENCH_ENDPOINTS": "1",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "roadmap.settings",
        }
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            context["postgres"] = cursor.fetchone()[0].split()[0]
        import gunicorn as gunicorn_package

        context["gunicorn"] = f"{gunicorn_package.__version__} {context['gunicorn']}"
        log("migrate, collectstatic, load_roadmap…")
        call_command("migrate", "--noinput", verbosity=0)
        call_command("collectstatic", "--noinput", verbosity=0)
        call_command("load_roadmap", verbosity=0)

        results = [measure_size("semence", None, wrk_binary, env, args, tmp, first=True)]
        imported = None
        if not args.seed_only:
            log("generate_roadmap --large…")
            began = time.perf_counter()
            call_command("generate_roadmap", "--large", "--seed", "1", verbosity=0)
            generation = time.perf_counter() - began
            results.append(measure_size("grande", generation, wrk_binary, env, args, tmp))
        if args.import_rows:
            log(f"import de {args.import_rows} mesures…")
            _member, admin = bench_users()
            imported = import_benchmark(args.import_rows, admin)
        connection.close()

    text = report(results, imported, context)
    print()
    print(text)
    if not args.no_docs:
        write_docs(text)
        log(f"écrit dans {DOCS.relative_to(ROOT)}")
    log(f"terminé en {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
