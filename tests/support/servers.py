"""Throwaway servers on the loopback: a PostgreSQL cluster, and gunicorn serving the app.

The one home of "start a throwaway PostgreSQL cluster" (`postgres_cluster`) and "start an app
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

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


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
        yield Cluster(port, data_dir)
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
