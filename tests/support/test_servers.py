"""The shared server helpers of tests/support/servers.py: free ports, readiness, shutdown.

Real processes and a real HTTP server on the loopback; no mock.
"""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import threading

import pytest

from tests.support.servers import (
    ServerError,
    answers,
    free_port,
    stop_gunicorn,
    wait_until_answering,
)


def sleeper() -> subprocess.Popen:
    """A process in a group of its own, with a child, as gunicorn's arbiter and workers.

    Both quit on SIGQUIT, as gunicorn does: a shell's background job inherits SIGQUIT ignored,
    which would leave the stop to its time-out."""
    quit_at_once = "import os, signal; signal.signal(signal.SIGQUIT, lambda *_: os._exit(0)); "
    code = (
        f"{quit_at_once}import subprocess, sys, time; "
        f"subprocess.Popen([sys.executable, '-c', '{quit_at_once}import time; time.sleep(60)']); "
        "time.sleep(60)"
    )
    return subprocess.Popen([sys.executable, "-c", code], start_new_session=True)


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/healthz" else 503)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_free_port_can_be_bound():
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_answers_is_true_only_for_a_200(http_server):
    assert answers(f"{http_server}/healthz")
    assert not answers(f"{http_server}/autre")
    assert not answers(f"http://127.0.0.1:{free_port()}/healthz")  # nobody listens


def test_the_wait_ends_when_ready_and_fails_when_the_server_exits_or_is_late():
    process = sleeper()
    try:
        calls = []
        wait_until_answering(process, lambda: calls.append(1) or len(calls) == 3, timeout=30)
        assert len(calls) == 3
        with pytest.raises(ServerError, match="does not answer after"):
            wait_until_answering(process, lambda: False, timeout=0.3, name="essai")
    finally:
        stop_gunicorn(process, timeout=5)
    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    exited.wait()
    with pytest.raises(ServerError, match="exited while starting"):
        wait_until_answering(exited, lambda: False, timeout=30)


def test_stop_ends_the_process():
    process = sleeper()
    stop_gunicorn(process, timeout=5)
    assert process.poll() is not None
