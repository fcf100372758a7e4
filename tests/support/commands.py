"""`manage.py` run as production runs it: in a process of its own, with the environment given."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`python manage.py *args`, without the SECRET_KEY and DEBUG of this environment, with
    `env` on top; its output captured as text, whatever its exit status."""
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


# Runs manage.py as its only child and reports that child's peak resident memory (Linux gives
# ru_maxrss in kilobytes): the measure of docs/contract.md's memory bound on imports.
_PEAK = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run([sys.executable, 'manage.py', *sys.argv[1:]], capture_output=True,"
    " text=True)\n"
    "sys.stdout.write(done.stdout)\n"
    "sys.stderr.write(done.stderr)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(done.returncode)\n"
)


def run_manage_measured(*args: str, **env: str) -> tuple[subprocess.CompletedProcess, float]:
    """`run_manage`, and the command's peak memory in megabytes."""
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    environment.update(env)
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    *lines, peak = done.stderr.rstrip("\n").split("\n")
    done.stderr = "\n".join(lines)
    return done, int(peak) / 1024
