"""What every part of the benchmark uses: the checkout's root, the log line, running a command."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command given as a list (never through a shell); raise if it fails."""
    return subprocess.run(command, check=True, **kwargs)  # noqa: S603 - fixed argument lists
