"""Sign-in throttling behind a real reverse proxy: one client's failures lock out that client
only, and a forged X-Forwarded-For is not believed (accounts.throttling, README « Déploiement »).

Real parts only: Debian's nginx on 127.0.0.1, in front of `gunicorn roadmap.site.wsgi`, which
trusts it (`TRUSTED_PROXIES=127.0.0.1`); django-axes on, 3 failures allowed. Three clients
connect to nginx from three loopback addresses of their own (127.0.0.2, .3, .4: the whole
127.0.0.0/8 is this machine's), as three people behind the proxy would from theirs. The
database is a SQLite file of the test's own (the proxy and the address do not depend on the
engine), made by `migrate`, with one account.

- Client A fails 3 times: A is locked out, even with the right password.
- Client B, same account, signs in with the right password: not locked out.
- Client C fails 3 times while claiming, in its own X-Forwarded-For, to be B: B can still sign
  in, and the refused attempts are recorded under A's and C's real addresses, none under the
  forged one.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.servers import (
    NGINX,
    ServerError,
    free_port,
    start_gunicorn,
    start_nginx,
    stop_gunicorn,
    wait_until_answering,
)

ROOT = Path(__file__).resolve().parents[2]
USERNAME = "camille"
PASSWORD = "mot-de-passe-correct-1234"
WRONG = "mauvais-mot-de-passe"
LIMIT = 3


@dataclass
class Proxy:
    port: int
    database: Path
    logs: list[Path]

    def log_tail(self) -> str:
        return "\n".join(
            f"--- {log} ---\n{log.read_text(errors='replace')[-4000:]}"
            for log in self.logs
            if log.exists()
        )


class Client:
    """One person's browser behind the proxy: connects from its own loopback address."""

    def __init__(self, proxy: Proxy, address: str):
        self.proxy = proxy
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None, **headers):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.proxy.port, timeout=30, source_address=(self.address, 0)
        )
        body = urllib.parse.urlencode(data) if data is not None else None
        headers = {name.replace("_", "-"): value for name, value in headers.items()}
        headers["Host"] = "localhost"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode(errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, content
        finally:
            connection.close()

    def sign_in(self, password: str, **headers) -> int:
        """The sign-in form, as a browser sends it; the answer's status (302: signed in)."""
        self.cookies.clear()
        _status, form = self.request("GET", "/accounts/login/", **headers)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        status, _content = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": USERNAME, "password": password},
            **headers,
        )
        return status


def manage(env: dict, *command: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, f"manage.py {' '.join(command)}:\n{done.stdout}{done.stderr}"


@pytest.fixture(scope="module")
def proxy(tmp_path_factory) -> Iterator[Proxy]:
    """nginx in front of gunicorn, for the module's tests (each uses clients of its own)."""
    tmp_path = tmp_path_factory.mktemp("proxy")
    if not NGINX.exists() and not os.environ.get("CI"):
        pytest.skip("nginx absent (apt-get install nginx ; .ci/run l'installe)")
    database = tmp_path / "proxy.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "roadmap.site.settings",
            "DEBUG": "1",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "DATABASE_URL": f"sqlite:///{database}",
            "AXES_ENABLED": "1",
            "AXES_FAILURE_LIMIT": str(LIMIT),
            "TRUSTED_PROXIES": "127.0.0.1",
            "FALLBACK_CACHE_DIR": str(tmp_path / "copies"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    manage(env, "migrate", "--noinput")
    manage(
        env,
        "shell",
        "-c",
        f"from accounts.models import User; User.objects.create_user({USERNAME!r}, "
        f"password={PASSWORD!r})",
    )
    app_port, proxy_port = free_port(), free_port()
    log = tmp_path / "gunicorn.log"
    running = Proxy(proxy_port, database, [log, tmp_path / "nginx" / "error.log"])
    app = start_gunicorn(
        app_port,
        env,
        log,
        *("--workers", "1", "--access-logfile", "-", "--error-logfile", "-"),
    )
    nginx = None
    try:
        wait_until_answering(app, lambda: _answers(app_port), 30, "gunicorn")
        nginx = start_nginx(proxy_port, app_port, tmp_path / "nginx")
        wait_until_answering(nginx, lambda: _answers(proxy_port), 30, "nginx")
        yield running
    except ServerError as error:
        pytest.fail(f"{error}\n{running.log_tail()}")
    finally:
        stop_gunicorn(*(process for process in (nginx, app) if process is not None), timeout=10)


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz", headers={"Host": "localhost"})
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def attempts(database: Path) -> dict[str, int]:
    """The refused attempts django-axes recorded: failures by client address."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT ip_address, failures_since_start FROM axes_accessattempt WHERE username = ?",
            (USERNAME,),
        ).fetchall()
    return dict(rows)


def test_one_clients_failures_do_not_lock_another_client_out(proxy):
    a, b = Client(proxy, "127.0.0.2"), Client(proxy, "127.0.0.3")
    assert attempts(proxy.database) == {}

    # WHEN A gets the password wrong as many times as allowed
    statuses = [a.sign_in(WRONG) for _ in range(LIMIT)]

    # THEN A is locked out, even with the right password, and B signs in
    assert statuses[:-1] == [200] * (LIMIT - 1), proxy.log_tail()
    assert a.sign_in(PASSWORD) != 302
    assert b.sign_in(PASSWORD) == 302, proxy.log_tail()
    assert attempts(proxy.database) == {"127.0.0.2": LIMIT + 1}


def test_a_forged_forwarded_address_is_not_believed(proxy):
    b, c = Client(proxy, "127.0.0.3"), Client(proxy, "127.0.0.4")

    # WHEN C fails as many times as allowed, each time claiming to be B
    for _ in range(LIMIT):
        c.sign_in(WRONG, X_Forwarded_For="127.0.0.3")

    # THEN C is locked out under its own address, and B still signs in
    assert c.sign_in(PASSWORD, X_Forwarded_For="127.0.0.3") != 302
    assert b.sign_in(PASSWORD) == 302, proxy.log_tail()
    recorded = attempts(proxy.database)
    assert recorded["127.0.0.4"] == LIMIT + 1
    assert "127.0.0.3" not in recorded
