"""Throwaway servers on the loopback: a PostgreSQL cluster, and gunicorn serving the app.

The one home of "start a throwaway PostgreSQL cluster" (`postgres_cluster`, stopped and started
again by `stop_postgres` / `start_postgres`), "put nginx in front" (`start_nginx`) and "start an app
server on a free port and wait until it answers" (`start_gunicorn`, `wait_until_answering`,
`stop_gunicorn`), for the benchmark (bench/) and the tests that need real servers
(tests/roadmap/test_two_servers.py). No Django and no pytest here: the callers turn a
`ServerError` into their own failure.

Run as root (as CI and `make` do here), PostgreSQL refuses root: the cluster then runs as
`postgres` through runuser.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


class ServerError(RuntimeError):
    """A server that exited or did not answer in time (the message says which)."""


def free_port() -> int:
    """A TCP port of 127.0.0.1 free right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- PostgreSQL


@dataclass(frozen=True)
class Cluster:
    port: int
    data_dir: Path
    # pg_ctl's own command (as `postgres` when run as root) and the server's options.
    pg_ctl: tuple[str, ...] = ()
    options: str = ""

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


def stop_postgres(cluster: Cluster) -> None:
    """Stop the cluster's server now (« fast »: open sessions are ended), its data kept."""
    _run([*cluster.pg_ctl, "-m", "fast", "-w", "stop"])


def start_postgres(cluster: Cluster) -> None:
    """Start the stopped cluster again, on the same port, and wait until it accepts sessions."""
    log = str(cluster.data_dir / "postgres.log")
    _run([*cluster.pg_ctl, "-l", log, "-w", "-o", cluster.options, "start"])


def postgres_bin() -> Path:
    """The folder of PostgreSQL's server programs (pg_ctl on the PATH, else the newest
    /usr/lib/postgresql/*/bin)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not candidates:
        raise ServerError("PostgreSQL est introuvable (pg_ctl) : installez le paquet postgresql.")
    return Path(candidates[-1]).parent


@contextlib.contextmanager
def postgres_cluster(prefix: str = "pg-", settings: str = "") -> Iterator[Cluster]:
    """A cluster of its own (initdb in a temporary folder, trust for `postgres`, fsync off) on a
    free loopback port, stopped and removed at the end whatever happens. `settings`: more
    server options, e.g. "-c synchronous_commit=off"."""
    bin_dir = postgres_bin()
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    as_postgres = []
    if os.geteuid() == 0:
        shutil.chown(data_dir, "postgres", "postgres")
        as_postgres = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", "postgres", "--"]
    port = free_port()
    pg_ctl = [*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data_dir / "data")]
    initdb = [*as_postgres, str(bin_dir / "initdb"), "-D", str(data_dir / "data")]
    options = (
        f"-p {port} -k {data_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
        f"-c full_page_writes=off {settings}"
    ).strip()
    try:
        _run([*initdb, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"])
        _run([*pg_ctl, "-l", str(data_dir / "postgres.log"), "-w", "-o", options, "start"])
        yield Cluster(port, data_dir, tuple(pg_ctl), options)
    finally:
        subprocess.run(
            [*pg_ctl, "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


# --- nginx


NGINX = Path("/usr/sbin/nginx")


def start_nginx(port: int, upstream: int, folder: Path) -> subprocess.Popen:
    """Debian's nginx on 127.0.0.1:`port`, in the foreground, as the reverse proxy in front of
    the app server on 127.0.0.1:`upstream`: it appends the client's address to
    X-Forwarded-For, as the README's deployment section asks. Its configuration, logs and
    temporary files are in `folder`; stop it with `stop_gunicorn` (its process group)."""
    if not NGINX.exists():
        raise ServerError("nginx est introuvable (/usr/sbin/nginx) : apt-get install nginx.")
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "nginx.conf"
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    config.write_text(
        f"""
daemon off;
master_process off;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} info;
events {{ worker_connections 64; }}
http {{
    access_log {folder / "access.log"};
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""
    )
    with (folder / "output.log").open("a") as output:
        return subprocess.Popen(
            [str(NGINX), "-c", str(config), "-p", str(folder), "-e", str(folder / "error.log")],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


# --- gunicorn


def start_gunicorn(port: int, env: dict, log: Path, *options: str) -> subprocess.Popen:
    """`gunicorn roadmap.site.wsgi:application` on 127.0.0.1:`port`, in a process group of its own,
    its output appended to `log`; `options` are gunicorn's (workers, worker class…)."""
    command = [
        str(GUNICORN),
        "roadmap.site.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        # Two arbiters would otherwise share one control socket, ~/.gunicorn/gunicorn.ctl.
        "--no-control-socket",
        *options,
    ]
    with log.open("a") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def answers(url: str, headers: dict | None = None) -> bool:
    """Whether a GET of `url` answers 200 within 2 seconds."""
    request = urllib.request.Request(url, headers=headers or {})
    with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=2) as response:
        return response.status == 200
    return False


def wait_until_answering(
    process: subprocess.Popen, ready: Callable[[], bool], timeout: float, name: str = "gunicorn"
) -> None:
    """Return once `ready()` is true; raise `ServerError` if `process` exits or `timeout`
    seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise ServerError(f"{name} exited while starting (code {process.returncode}).")
        if ready():
            return
        if time.monotonic() > deadline:
            raise ServerError(f"{name} does not answer after {timeout:g} s.")
        time.sleep(0.1)


def stop_gunicorn(*processes: subprocess.Popen, timeout: float = 20) -> None:
    """Quick shutdown of every server (all signalled first, then waited for). SIGQUIT: stop
    now, dropping queued requests, rather than SIGTERM's graceful wait."""
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGQUIT)
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        # The workers are in the arbiter's process group: nothing of it may survive.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
