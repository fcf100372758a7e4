"""Two app servers on one database: a write through one is seen at once through the other.

What is proved, with real parts only (two `gunicorn roadmap.site.wsgi:application` processes, one
sync worker each, on 127.0.0.1; HTTP through urllib; no mock): an anonymous reader whose pages
and open-data file are cached by server B sees, on the very next request to B, a status change
and a progress note that a task-force member has just saved through server A, with the real
sign-in form and the real edit forms. No sleep and no retry between the write and the read.

Why two processes: the public cache (roadmap.caching) lives in the process on SQLite (Django's
local-memory cache: A cannot tell B's cache anything) and in the database on PostgreSQL (the
`roadmap_cache` table, shared). In both cases the only thing that keeps B from serving its old
copy is the data version (`DataVersion`) that every write changes in its own transaction, and
that every cached read checks first. A test client in one process could not tell these apart.

- **The database.** The servers need committed data that they and the set-up commands see, so
  the test does not use pytest-django's test database (rolled back, or flushed under the test's
  feet): it makes a database of its own, prepared by the real commands in subprocesses
  (`migrate`, `load_roadmap`, `seed_demo`). On SQLite, a file in `tmp_path`. On PostgreSQL, a
  fresh database created next to the test database with the same credentials (psycopg, through
  the `postgres` maintenance database), dropped at the end.
- **The same Host.** Every request says `Host: localhost`, as a reverse proxy in front of
  several app servers would: the cache key holds the full address, so on PostgreSQL A and B
  really share their cached copies (on distinct ports they would never meet in the cache).
- **A control.** Before the member's write, the action's title is changed behind the app's back
  (plain SQL, no version change). B keeps answering its cached copy, which shows the pages
  really come from the cache (a test passing because nothing is cached would prove nothing);
  A shows the new title on SQLite (its own, empty, cache) and B's copy on PostgreSQL (the shared
  cache). The member's write then shows the new title and status everywhere.
- **The action.** The HAS member of `seed_demo` (`has`) edits the actions the HAS leads or
  partners (`Action.objects.editable_by`): IA 2-4 in the seed, whereas IA 2-1 has no lead yet.

Both servers are stopped at the end whatever happens; their output (gunicorn's log, the access
log and the app's JSON log) is in a file per server, shown in every assertion's message.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from roadmap.models import Action
from tests.support.html import element, form_fields, text
from tests.support.servers import (
    ServerError,
    answers,
    free_port,
    start_gunicorn,
    stop_gunicorn,
    wait_until_answering,
)

ROOT = Path(__file__).resolve().parents[2]
HOST = "localhost"
DEMO_PASSWORD = "mot-de-passe-demo-deux-serveurs-1234"
MEMBER = "has"  # seed_demo's member of the HAS
SLUG = "ia-2-4"  # led by the HAS in the seed roadmap
ACTION_PAGE = f"/actions/{SLUG}/"
JSON_FILE = "/donnees/feuille-de-route.json"
DASHBOARD = "/"
STATUS_LABELS = {"": "Non renseigné", "in_progress": "En cours", "at_risk": "À risque"}
START_TIMEOUT = 30


# --- The database


@dataclass
class Database:
    vendor: str
    url: str
    connect_kwargs: dict

    def execute(self, sql: str, params: tuple) -> int:
        """Run one statement outside the app (no signal, no version change); rows changed."""
        if self.vendor == "sqlite":
            with contextlib.closing(sqlite3.connect(**self.connect_kwargs)) as conn, conn:
                return conn.execute(sql.replace("%s", "?"), params).rowcount
        import psycopg

        with psycopg.connect(**self.connect_kwargs) as conn:
            return conn.execute(sql, params).rowcount


def _postgres_admin(credentials: dict):
    """A connection for CREATE/DROP DATABASE: the maintenance database, else the test's own."""
    import psycopg

    try:
        return psycopg.connect(dbname="postgres", autocommit=True, **credentials)
    except psycopg.OperationalError:
        return psycopg.connect(
            dbname=connection.settings_dict["NAME"], autocommit=True, **credentials
        )


@pytest.fixture
def database(tmp_path) -> Iterator[Database]:
    """An empty database of the test's own, on the same engine as the test run."""
    if connection.vendor == "sqlite":
        path = tmp_path / "deux-serveurs.sqlite3"
        yield Database("sqlite", f"sqlite:///{path}", {"database": path})
        return
    if connection.vendor != "postgresql":
        pytest.skip(f"no two-server set-up for {connection.vendor}")
    from psycopg import sql

    params = connection.settings_dict
    # libpq's own options (sslmode…) from the URL's query; Django's (pool, isolation_level…)
    # are not strings, and assume_role is Django's too.
    options = {
        key: value
        for key, value in params.get("OPTIONS", {}).items()
        if isinstance(value, str) and key != "assume_role"
    }
    credentials = {
        key: str(value)
        for key, value in {
            "user": params["USER"],
            "password": params["PASSWORD"],
            "host": params["HOST"],
            "port": params["PORT"],
            **options,
        }.items()
        if value
    }
    name = f"roadmap_deux_serveurs_{uuid.uuid4().hex[:12]}"
    with _postgres_admin(credentials) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    quote = lambda value: urllib.parse.quote(str(value or ""), safe="")  # noqa: E731
    user = quote(params["USER"]) + (f":{quote(params['PASSWORD'])}" if params["PASSWORD"] else "")
    port = f":{params['PORT']}" if params["PORT"] else ""
    url = f"postgres://{user}@{quote(params['HOST'])}{port}/{name}"
    if options:
        url += "?" + urllib.parse.urlencode(options)
    try:
        yield Database("postgresql", url, {"dbname": name, "autocommit": True, **credentials})
    finally:
        with _postgres_admin(credentials) as admin:
            force = " WITH (FORCE)" if admin.info.server_version >= 130000 else ""
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}" + force).format(sql.Identifier(name))
            )


# --- The servers


@dataclass
class Server:
    name: str
    port: int
    log: Path
    process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def log_tail(self, size: int = 6000) -> str:
        try:
            content = self.log.read_text(errors="replace")
        except OSError as error:
            return f"(log of server {self.name} unreadable: {error})"
        return f"--- log of server {self.name} ({self.log}) ---\n{content[-size:]}"


@dataclass
class Servers:
    a: Server
    b: Server

    def logs(self) -> str:
        return f"\n{self.a.log_tail()}\n{self.b.log_tail()}"


def server_environment(database: Database) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "roadmap.site.settings",
            "DEBUG": "1",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database.url,
            "AXES_ENABLED": "0",
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "PYTHONUNBUFFERED": "1",
        }
    )
    # Review before publication off: the member's note publishes at once, the cache between
    # servers being what is tested here (docs/domain.md « Relecture »).
    env["ROADMAP_REVIEW"] = "0"
    return env


def prepare(env: dict, log: Path) -> None:
    """The database as a deployment makes it: migrated, seed roadmap, demo accounts."""
    for command in (["migrate", "--noinput"], ["load_roadmap"], ["seed_demo"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        with log.open("a") as output:
            output.write(f"$ manage.py {' '.join(command)}\n{done.stdout}{done.stderr}\n")
        assert done.returncode == 0, (
            f"manage.py {' '.join(command)} failed ({done.returncode}):\n"
            f"{done.stdout}\n{done.stderr}"
        )


def start(server: Server, env: dict) -> None:
    server.process = start_gunicorn(
        server.port,
        env,
        server.log,
        *("--workers", "1", "--worker-class", "sync"),
        *("--access-logfile", "-", "--error-logfile", "-"),
    )


def wait_until_healthy(server: Server) -> None:
    def healthy() -> bool:
        return answers(server.url("/healthz"), {"Host": HOST})

    try:
        wait_until_answering(server.process, healthy, START_TIMEOUT, f"gunicorn {server.name}")
    except ServerError as error:
        pytest.fail(f"{error}\n{server.log_tail()}")


def stop(*servers: Server) -> None:
    """Quick shutdown of every server (all signalled first, then waited for)."""
    stop_gunicorn(*(s.process for s in servers if s.process is not None), timeout=10)


@pytest.fixture
def servers(database, tmp_path) -> Iterator[Servers]:
    """Two gunicorn processes, one sync worker each, on the same prepared database."""
    env = server_environment(database)
    prepare(env, tmp_path / "preparation.log")
    pair = Servers(
        Server("A", free_port(), tmp_path / "serveur-a.log"),
        Server("B", free_port(), tmp_path / "serveur-b.log"),
    )
    try:
        for server in (pair.a, pair.b):
            start(server, env)
        for server in (pair.a, pair.b):
            wait_until_healthy(server)
        yield pair
    finally:
        stop(pair.a, pair.b)


# --- HTTP, as a browser does it


@dataclass
class Response:
    method: str
    path: str
    server: str
    status: int
    headers: Message
    body: bytes = field(repr=False)

    @property
    def html(self) -> str:
        return self.body.decode()

    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag")

    def __str__(self) -> str:
        return f"{self.method} {self.path} via {self.server} → {self.status}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """One browser: its own cookies; redirects are answered, not followed."""

    def __init__(self, servers: Servers):
        self.servers = servers
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def cookie(self, name: str) -> str | None:
        return next((cookie.value for cookie in self.jar if cookie.name == name), None)

    def request(
        self, server: Server, method: str, path: str, data: dict | None = None, **headers
    ) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(server.url(path), data=body, method=method)
        request.add_header("Host", HOST)
        if body is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
            request.add_header("Origin", f"http://{HOST}")
        for name, value in headers.items():
            request.add_header(name.replace("_", "-"), value)
        try:
            with self.opener.open(request, timeout=30) as answer:
                return Response(
                    method, path, server.name, answer.status, answer.headers, answer.read()
                )
        except urllib.error.HTTPError as error:
            with error:
                return Response(method, path, server.name, error.code, error.headers, error.read())
        except OSError as error:
            raise AssertionError(
                f"{method} {path} via {server.name}: no answer ({error}).{self.servers.logs()}"
            ) from error

    def get(self, server: Server, path: str, **headers) -> Response:
        return self.request(server, "GET", path, **headers)

    def post(self, server: Server, path: str, data: dict) -> Response:
        return self.request(server, "POST", path, data)


# --- What a reader sees


def status_on_action_page(html: str) -> str:
    """The declared status in the summary box (#resume): its badge, the first of the box."""
    box = element(html, "resume")
    badge = box.split('<p class="fr-badge', 1)
    assert len(badge) == 2, f"no status badge in the summary box:\n{box}"
    return text(badge[1].split(">", 1)[1].split("</p>", 1)[0])


def status_on_dashboard(html: str) -> str:
    row = element(html, f"action-{SLUG}")
    badge = row.split('<p class="fr-badge', 1)
    assert len(badge) == 2, f"no status badge in the dashboard row of {SLUG}:\n{row}"
    return text(badge[1].split(">", 1)[1].split("</p>", 1)[0])


def action_in_json(document: dict) -> dict:
    found = [
        action for axis in document["axes"] for action in axis["actions"] if action["slug"] == SLUG
    ]
    assert len(found) == 1, f"{SLUG} appears {len(found)} times in the JSON file"
    return found[0]


# --- The test


def test_a_write_through_one_server_is_seen_at_once_through_the_other(servers, database):
    a, b = servers.a, servers.b
    logs = servers.logs
    reader = Visitor(servers)  # anonymous, with the cookies a browser keeps (csrftoken)

    def read(server: Server, path: str, **headers) -> Response:
        answer = reader.get(server, path, **headers)
        assert answer.status in {200, 304}, f"{answer}{logs()}"
        if answer.status == 200:
            assert answer.etag, f"{answer}: an anonymous read carries an ETag{logs()}"
            assert "no-cache" in answer.headers.get("Cache-Control", ""), (
                f"{answer}: Cache-Control {answer.headers.get('Cache-Control')!r}{logs()}"
            )
        return answer

    # 1. The anonymous reader reads through B, twice: the second answer comes from B's cache,
    #    under the same ETag, and B answers 304 to a browser that has it.
    first = {path: read(b, path) for path in (ACTION_PAGE, JSON_FILE, DASHBOARD)}
    for path, answer in first.items():
        again = read(b, path)
        assert again.status == 200, f"{again}{logs()}"
        assert again.etag == answer.etag, (
            f"{path}: B's second answer has ETag {again.etag}, the first {answer.etag}{logs()}"
        )
        not_modified = read(b, path, If_None_Match=answer.etag)
        assert not_modified.status == 304, (
            f"{not_modified}: nothing changed, B should answer 304 to its own ETag{logs()}"
        )
    old_status = action_in_json(first[JSON_FILE].json())["status"] or ""
    assert status_on_action_page(first[ACTION_PAGE].html) == STATUS_LABELS[old_status]
    assert status_on_dashboard(first[DASHBOARD].html) == STATUS_LABELS[old_status]
    new_status = "at_risk" if old_status == "in_progress" else "in_progress"
    new_label = STATUS_LABELS[new_status]

    # 2. Control: the title changed behind the app's back (no new data version). B keeps its
    #    cached copies, so what B answers really comes from its cache. A has its own cache on
    #    SQLite (empty: a fresh render shows the new title) and shares B's on PostgreSQL.
    marker = f"(titre changé hors application {uuid.uuid4().hex[:8]})"
    changed = database.execute(
        f"UPDATE {Action._meta.db_table} SET title = title || %s WHERE slug = %s",  # noqa: S608
        (f" {marker}", SLUG),
    )
    assert changed == 1, f"the raw UPDATE changed {changed} rows"
    cached = read(b, ACTION_PAGE)
    assert marker not in cached.html, (
        f"{cached}: B rendered the page again although the data version did not change: "
        f"is the page cached at all?{logs()}"
    )
    assert cached.etag == first[ACTION_PAGE].etag, f"{cached}{logs()}"
    cached_json = read(b, JSON_FILE)
    assert marker not in action_in_json(cached_json.json())["title"], f"{cached_json}{logs()}"
    through_a = read(a, ACTION_PAGE)
    if database.vendor == "sqlite":
        assert marker in through_a.html, (
            f"{through_a}: on SQLite, A's local-memory cache is its own and empty: A should "
            f"render the page afresh{logs()}"
        )
    else:
        assert marker not in through_a.html, (
            f"{through_a}: on PostgreSQL, A should answer the copy B put in the shared "
            f"database cache{logs()}"
        )

    # 3. The HAS member signs in through A with the real sign-in form.
    member = Visitor(servers)
    login = member.get(a, "/accounts/login/")
    assert login.status == 200, f"{login}{logs()}"
    fields = form_fields(login.html, "/accounts/login/")
    assert fields and fields.get("csrfmiddlewaretoken"), f"no sign-in form:\n{login.html}"
    assert member.cookie("csrftoken"), "the sign-in page sets no csrftoken cookie"
    signed_in = member.post(
        a, "/accounts/login/", {**fields, "username": MEMBER, "password": DEMO_PASSWORD}
    )
    assert signed_in.status == 302, f"{signed_in}: sign-in refused?\n{signed_in.html}{logs()}"
    assert member.cookie(settings.SESSION_COOKIE_NAME), f"{signed_in}: no session cookie"

    # 4. The member changes the status through A, as a plain form: version and CSRF token read
    #    from the action page, then a redirect back to the page.
    page = member.get(a, ACTION_PAGE)
    assert page.status == 200, f"{page}{logs()}"
    assert "private" in page.headers.get("Cache-Control", ""), f"{page}: a member's page is private"
    status_url = f"/actions/{SLUG}/statut/"
    fields = form_fields(page.html, status_url)
    assert fields is not None, (
        f"{page}: no status form for {MEMBER!r}: may the HAS member still edit {SLUG}?"
    )
    assert fields.get("version", "").isdigit(), f"status form without a version: {fields}"
    saved = member.post(
        a,
        status_url,
        {
            "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
            "version": fields["version"],
            "status": new_status,
        },
    )
    assert saved.status == 302, f"{saved}: the status change was not saved\n{saved.html}{logs()}"
    assert saved.headers["Location"].startswith(ACTION_PAGE), (
        f"{saved} → {saved.headers['Location']}"
    )

    # 5. At once, through B: the page, the dashboard and the JSON file show the new status (and
    #    the title changed in 2, since they are rendered afresh); the old ETags get a 200.
    after = read(b, ACTION_PAGE)
    assert after.status == 200, f"{after}{logs()}"
    assert status_on_action_page(after.html) == new_label, (
        f"{after}: B shows « {status_on_action_page(after.html)} », A saved « {new_label} »: "
        f"stale page{logs()}"
    )
    assert marker in after.html, f"{after}: B's page is not rendered afresh{logs()}"
    assert after.etag != first[ACTION_PAGE].etag, f"{after}: the ETag did not change{logs()}"

    dashboard = read(b, DASHBOARD)
    assert dashboard.status == 200, f"{dashboard}{logs()}"
    assert status_on_dashboard(dashboard.html) == new_label, (
        f"{dashboard}: the dashboard row of {SLUG} shows « {status_on_dashboard(dashboard.html)} »,"
        f" A saved « {new_label} »: stale dashboard{logs()}"
    )

    document = read(b, JSON_FILE)
    assert document.status == 200, f"{document}{logs()}"
    in_json = action_in_json(document.json())
    assert (in_json["status"], in_json["status_label"]) == (new_status, new_label), (
        f"{document}: {SLUG} has status {in_json['status']!r} ({in_json['status_label']!r}), "
        f"A saved {new_status!r}: stale JSON file{logs()}"
    )
    assert marker in in_json["title"], f"{document}: the JSON file is not made afresh{logs()}"

    for path, before in first.items():
        answer = read(b, path, If_None_Match=before.etag)
        assert answer.status == 200, (
            f"{answer}: with the ETag from before the write, B must answer the new version, "
            f"not 304{logs()}"
        )
        assert answer.etag and answer.etag != before.etag, (
            f"{answer}: ETag {answer.etag}, same as before the write{logs()}"
        )
        assert read(b, path, If_None_Match=answer.etag).status == 304, (
            f"{path}: B should answer 304 to its new ETag{logs()}"
        )
    # The writer's own server, for anonymous readers, too.
    assert status_on_action_page(read(a, ACTION_PAGE).html) == new_label, logs()

    # 6. A progress note written through A appears at once on B's action page.
    page = member.get(a, ACTION_PAGE)
    assert page.status == 200, f"{page}{logs()}"
    note_url = f"/actions/{SLUG}/points/"
    fields = form_fields(page.html, note_url)
    assert fields is not None, f"{page}: no progress-note form for {MEMBER!r}"
    note_text = f"Point écrit sur le serveur A {uuid.uuid4().hex[:10]}"
    saved = member.post(
        a,
        note_url,
        {
            "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
            "written_on": timezone.localdate().isoformat(),
            "done": note_text,
            "risks": "Aucun risque identifié.",
            "next_steps": "Relire le guide.",
        },
    )
    assert saved.status == 302, f"{saved}: the note was not published\n{saved.html}{logs()}"
    with_note = read(b, ACTION_PAGE)
    assert with_note.status == 200, f"{with_note}{logs()}"
    assert note_text in element(with_note.html, "points"), (
        f"{with_note}: the note published through A is missing on B's page: stale page{logs()}"
    )
    assert with_note.etag != after.etag, f"{with_note}: the ETag did not change{logs()}"
    assert status_on_action_page(with_note.html) == new_label, logs()
