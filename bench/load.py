"""The load: wrk (installed from Debian when missing) driving one URL, its figures parsed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass

from bench.common import log, run


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


def wrk_version(binary: str) -> str:
    version = subprocess.run(  # noqa: S603 - fixed argument list
        [binary, "-v"], capture_output=True, text=True, check=False
    )
    found = re.search(r"wrk (\S+)", version.stdout + version.stderr)
    return found.group(1) if found else ""
