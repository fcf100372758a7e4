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
