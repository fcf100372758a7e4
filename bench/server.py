"""The app under load: gunicorn on a free port (tests/support/servers.py), its workers watched.

A fresh server per page, ready once it answers and all its workers are up; idle again before a
measure (`settle`); the peak memory of its workers (VmHWM in /proc/<pid>/status).
"""

from __future__ import annotations

import contextlib
import glob
import re
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.support import servers

START_TIMEOUT = 60


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
    """A gunicorn of `args.workers` workers, ready; stopped at once at the end (requests wrk
    left queued would slow the next measure)."""
    port = servers.free_port()
    process = servers.start_gunicorn(
        port,
        env,
        log_file,
        *("--workers", str(args.workers), "--worker-class", args.worker_class),
        *("--threads", str(args.threads), "--error-logfile", "-"),
    )
    server = Server(process, port)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        https = {"X-Forwarded-Proto": "https"}
        try:
            servers.wait_until_answering(
                process, lambda: servers.answers(server.url("/healthz"), https), START_TIMEOUT
            )
        except servers.ServerError as error:
            raise RuntimeError(f"{error} Voir {log_file}.") from error
        # Every worker imports the app and opens its connection before the first measure.
        while len(server.workers()) < args.workers and time.monotonic() < deadline:
            time.sleep(0.2)
        yield server
    finally:
        servers.stop_gunicorn(process)


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
