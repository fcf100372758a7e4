"""PostgreSQL stopped under load, then started again: saved copies, 503 pages, no 500, and the
service back by itself (roadmap.caching, roadmap.site.ops, docs/contract.md « Base de données
injoignable »).

Real parts only: a throwaway PostgreSQL cluster of the test's own (tests/support/servers.py,
started whatever database the test run uses, so this runs in both CI passes), prepared by the
real commands (`migrate`, `load_roadmap`, `seed_demo`); `gunicorn roadmap.site.wsgi:application`
with three sync workers, as the app is deployed; HTTP through urllib, with cookies; readers
in threads, sending requests without pause the whole time. What is proved:

- **Before.** Every page answers 200.
- **PostgreSQL stopped** (`pg_ctl stop -m fast`, which ends the workers' open connections):
  an anonymous reader of a page read before gets its saved copy, with the notice that dates it
  and otherwise the same page, for an address with unused query parameters too, and an
  open-data file byte for byte; a page nobody read before, a signed-in member's pages, an HTMX
  request, a member's edit and `/healthz` answer 503 with `Retry-After`, the French page (JSON
  for `/healthz`). The edit wrote nothing.
- **PostgreSQL started again** (same port): the very next requests answer 200, fresh pages
  without the notice, the member still signed in; no server was restarted.
- **Throughout**, among the hundreds of requests of the readers: not one 500, only 200 and 503,
  and 200 for every anonymous reader of a page read before.

The servers and the cluster are stopped at the end whatever happens; the servers' output is in
the assertion messages. Bounded: the readers stop after their count of requests or at the end.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import secrets
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.support.html import element, normalised, text
from tests.support.servers import (
    Cluster,
    ServerError,
    answers,
    free_port,
    postgres_cluster,
    start_gunicorn,
    start_postgres,
    stop_gunicorn,
    stop_postgres,
    wait_until_answering,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "mot-de-passe-demo-panne-1234"
RETRY_AFTER = "17"
# Read before the outage by anonymous readers: saved copies exist for them.
READ_BEFORE = ["/", "/axes/2/", "/actions/ia-2-4/", "/indicateurs/", "/journal/"]
CSV_FILE = "/donnees/actions.csv"
NEVER_READ = "/methode/"
READERS = 3
MAX_REQUESTS = 3000  # per reader: a bound, should the test hang


# --- HTTP


@dataclass
class Response:
    path: str
    status: int
    headers: dict
    body: bytes = field(repr=False)

    @property
    def html(self) -> str:
        return self.body.decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """One browser: its cookies; redirects answered, not followed."""

    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def cookie(self, name: str) -> str | None:
        return next((cookie.value for cookie in self.jar if cookie.name == name), None)

    def request(self, method: str, path: str, data: dict | None = None, **headers) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, method=method)
        if body is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        for name, value in headers.items():
            request.add_header(name.replace("_", "-"), value)
        try:
            with self.opener.open(request, timeout=30) as answer:
                return Response(path, answer.status, dict(answer.headers), answer.read())
        except urllib.error.HTTPError as error:
            return Response(path, error.code, dict(error.headers), error.read())

    def get(self, path: str, **headers) -> Response:
        return self.request("GET", path, **headers)

    def sign_in(self, username: str, password: str) -> None:
        form = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.html).group(1)
        done = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password},
        )
        assert done.status == 302, done.html[:2000]


# --- The cluster and the server


def manage(env: dict, log: Path, *command: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    with log.open("a") as output:
        output.write(f"$ manage.py {' '.join(command)}\n{done.stdout}{done.stderr}\n")
    assert done.returncode == 0, f"manage.py {' '.join(command)}:\n{done.stdout}{done.stderr}"


@dataclass
class Site:
    cluster: Cluster
    port: int
    log: Path
    database_url: str
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, size: int = 8000) -> str:
        return f"--- {self.log} ---\n{self.log.read_text(errors='replace')[-size:]}"


@pytest.fixture
def site(tmp_path) -> Iterator[Site]:
    """gunicorn, three sync workers, on a cluster of its own, prepared as a deployment is."""
    try:
        cluster_context = postgres_cluster(prefix="pg-panne-")
        cluster = cluster_context.__enter__()
    except (ServerError, subprocess.CalledProcessError, OSError) as error:
        pytest.fail(f"PostgreSQL ne démarre pas : {error}")
    try:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=cluster.port, user="postgres", dbname="postgres", autocommit=True
        ) as admin:
            admin.execute("CREATE DATABASE roadmap")
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "roadmap.site.settings",
                # DEBUG=0 would need `collectstatic` (more than a minute); the 503 path is the
                # same (roadmap.site.middleware), and tests/roadmap/site/test_ops.py checks the
                # production handler.
                "DEBUG": "1",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DATABASE_URL": cluster.url("roadmap"),
                "AXES_ENABLED": "0",
                "DEMO_PASSWORD": DEMO_PASSWORD,
                "FALLBACK_CACHE_DIR": str(tmp_path / "copies-enregistrees"),
                "UNAVAILABLE_RETRY_AFTER": RETRY_AFTER,
                "PYTHONUNBUFFERED": "1",
            }
        )
        log = tmp_path / "gunicorn.log"
        for command in (["migrate", "--noinput"], ["load_roadmap"], ["seed_demo"]):
            manage(env, log, *command)
        running = Site(cluster, free_port(), log, cluster.url("roadmap"))
        running.process = start_gunicorn(
            running.port,
            env,
            log,
            *("--workers", "3", "--worker-class", "sync", "--timeout", "60"),
            *("--access-logfile", "-", "--error-logfile", "-"),
        )
        try:
            wait_until_answering(
                running.process, lambda: answers(running.base + "/healthz"), 30, "gunicorn"
            )
            yield running
        except ServerError as error:
            pytest.fail(f"{error}\n{running.log_tail()}")
        finally:
            stop_gunicorn(running.process, timeout=10)
    finally:
        cluster_context.__exit__(None, None, None)


# --- The readers, sending requests the whole time


@dataclass
class Load:
    """Anonymous readers of the pages read before, and a signed-in member, in threads; each
    answer is recorded with the phase it was asked in."""

    base: str
    member_cookies: CookieJar
    phase: str = "avant"
    answers: list[tuple[str, str, str, int]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: list[threading.Thread] = field(default_factory=list)

    def count(self, phase: str) -> int:
        with self.lock:
            return sum(1 for answer in self.answers if answer[0] == phase)

    def _read(self, number: int) -> None:
        anonymous = Visitor(self.base)
        member = Visitor(self.base)
        for cookie in self.member_cookies:
            member.jar.set_cookie(cookie)
        chance = random.Random(number)  # noqa: S311 (which page to read, not a secret)
        for _ in range(MAX_REQUESTS):
            if self.stop.is_set():
                return
            phase = self.phase
            if chance.random() < 0.25:
                who, answer = "membre", member.get("/mes-actions/")
            else:
                path = chance.choice([*READ_BEFORE, f"/?utm={chance.random()}"])
                who, answer = "anonyme", anonymous.get(path)
            with self.lock:
                self.answers.append((phase, who, answer.path, answer.status))

    def start(self) -> None:
        for number in range(READERS):
            thread = threading.Thread(target=self._read, args=(number,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def wait_for(self, phase: str, count: int) -> None:
        """Until the readers sent `count` requests in `phase` (bounded by their own count)."""
        while self.count(phase) < count and any(thread.is_alive() for thread in self.threads):
            threading.Event().wait(0.05)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


@contextlib.contextmanager
def load(site: Site, member: Visitor) -> Iterator[Load]:
    running = Load(site.base, member.jar)
    running.start()
    try:
        yield running
    finally:
        running.finish()


def without_notice(page: str) -> str:
    return re.sub(
        r'<div class="fr-notice fr-notice--warning" id="copie-enregistree".*?</div>\s*'
        r"</div>\s*</div>",
        "",
        page,
        flags=re.S,
    )


def test_postgresql_stopped_then_started_under_load(site):
    anonymous = Visitor(site.base)
    member = Visitor(site.base)
    member.sign_in("has", DEMO_PASSWORD)
    # GIVEN the pages read by anonymous readers, and the member's action page open
    before = {path: anonymous.get(path) for path in [*READ_BEFORE, CSV_FILE]}
    assert {path: answer.status for path, answer in before.items()} == dict.fromkeys(before, 200)
    action_page = member.get("/actions/ia-2-4/")
    assert action_page.status == 200
    token = member.cookie("csrftoken")
    version = re.search(
        r'action="/actions/ia-2-4/statut/".*?name="version" value="(\d+)"',
        action_page.html,
        flags=re.S,
    ).group(1)

    with load(site, member) as running:
        running.wait_for("avant", 30)

        # WHEN PostgreSQL stops
        stop_postgres(site.cluster)
        running.phase = "arrêt"
        running.wait_for("arrêt", 60)
        down = {path: anonymous.get(path) for path in [*READ_BEFORE, CSV_FILE]}
        unused_parameter = anonymous.get("/?utm_source=lettre")
        never_read = anonymous.get(NEVER_READ)
        fragment = anonymous.get("/", HX_Request="true", HX_Target="filtrage")
        signed_in = member.get("/")
        edit = member.request(
            "POST",
            "/actions/ia-2-4/statut/",
            {"csrfmiddlewaretoken": token, "status": "at_risk", "version": version},
        )
        health = anonymous.get("/healthz")

        # THEN anonymous readers get the saved copies, dated, and everyone else the 503 page
        logs = site.log_tail()
        for path, answer in down.items():
            assert answer.status == 200, f"{path}\n{logs}"
            assert "no-store" in answer.headers["Cache-Control"], path
            assert "Age" in answer.headers and "Last-Modified" in answer.headers, path
        assert down[CSV_FILE].body == before[CSV_FILE].body
        for path in READ_BEFORE:
            page = down[path].html
            notice = text(element(page, "copie-enregistree"))
            assert re.fullmatch(
                r"Copie enregistrée\u00a0: le service est momentanément indisponible\u202f; "
                r"vous consultez la copie de cette page enregistrée le (1er|\d{1,2})\s\w+\s\d{4} à "
                r"\d\d:\d\d\. Elle ne montre peut-être pas les dernières mises à jour\.",
                notice,
            ), notice
            assert normalised(without_notice(page)) == normalised(before[path].html), path
        assert normalised(unused_parameter.html) == normalised(down["/"].html)
        for answer in (never_read, fragment, signed_in, edit):
            assert answer.status == 503, f"{answer.path} {answer.status}\n{logs}"
            assert answer.headers["Retry-After"] == RETRY_AFTER
            assert text(answer.html).startswith("Service momentanément indisponible"), answer.path
        assert health.status == 503
        assert health.headers["Retry-After"] == RETRY_AFTER

        # WHEN PostgreSQL starts again, nothing else restarted
        running.phase = "redémarrage"
        start_postgres(site.cluster)
        running.phase = "après"

        # THEN the very next requests are served fresh, the member still signed in
        assert anonymous.get("/healthz").status == 200, site.log_tail()
        fresh = anonymous.get("/")
        assert fresh.status == 200
        assert "copie-enregistree" not in fresh.html
        assert "no-store" not in fresh.headers["Cache-Control"]
        mine = member.get("/mes-actions/")
        assert mine.status == 200
        assert "Se déconnecter" in mine.html
        running.wait_for("après", 60)

    # AND throughout, not one 500: only 200 and 503, and 200 for every anonymous reader
    statuses = {}
    for phase, who, _path, status in running.answers:
        statuses.setdefault((phase, who), set()).add(status)
    assert all(found <= {200, 503} for found in statuses.values()), statuses
    assert statuses[("avant", "anonyme")] == {200}
    assert statuses[("arrêt", "anonyme")] == {200}, statuses
    assert 503 in statuses[("arrêt", "membre")], statuses
    assert statuses[("après", "anonyme")] == statuses[("après", "membre")] == {200}, statuses
    # AND the edit sent during the outage wrote nothing
    import psycopg

    with psycopg.connect(site.database_url) as conn:
        status = conn.execute("SELECT status FROM roadmap_action WHERE slug = 'ia-2-4'").fetchone()
    assert status[0] != "at_risk"
