"""What operators and load balancers rely on (roadmap.site.ops, docs/contract.md
« Base de données injoignable »).

- `/healthz` answers over plain HTTP, 200 or 503, even where every other page is redirected to
  HTTPS (a load balancer probes each app server directly, over HTTP);
- the 503 page is French, says to come back, carries `Retry-After`, and renders without the
  database (no context processor, no user);
- the client's address for sign-in throttling (accounts.throttling.client_ip) is read from
  X-Forwarded-For only through TRUSTED_PROXIES, from its right end.

The database really stopped under load is tests/roadmap/test_database_down.py; the proxy in
front, tests/accounts/test_throttling_proxy.py.
"""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from accounts.throttling import client_ip
from roadmap.site import ops
from tests.support.html import text


@pytest.fixture
def https_only(settings):
    """The production setting: every plain HTTP request is redirected to HTTPS."""
    settings.SECURE_SSL_REDIRECT = True


def test_the_health_check_answers_over_plain_http(client, db, https_only):
    page = client.get("/")
    health = client.get("/healthz")

    assert page.status_code == 301
    assert page["Location"].startswith("https://")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok"}


def test_the_health_check_over_https_is_the_same(client, db, https_only):
    assert client.get("/healthz", secure=True).status_code == 200


def test_the_unavailable_page_is_french_and_says_when_to_come_back(settings):
    settings.UNAVAILABLE_RETRY_AFTER = 42

    response = ops.unavailable()

    assert response.status_code == 503
    assert response["Retry-After"] == "42"
    assert "no-store" in response["Cache-Control"]
    assert text(response.content.decode()) == (
        "Service momentanément indisponible - Feuille de route IA en santé "
        "Service momentanément indisponible "
        "La base de données ne répond pas pour l’instant. Rien n’a été enregistré\u202f; "
        "réessayez dans quelques instants. "
        "Retour au tableau de bord"
    )


def test_the_server_error_handler_answers_503_for_an_unreachable_database(settings):
    request = RequestFactory().get("/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = ops.server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.UNAVAILABLE_RETRY_AFTER)


def test_the_server_error_handler_keeps_the_500_page_for_anything_else():
    request = RequestFactory().get("/")
    try:
        raise ValueError("boom")
    except ValueError:
        response = ops.server_error(request)
    assert response.status_code == 500
    assert "Erreur inattendue" in response.content.decode()


def request_from(remote: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/accounts/login/", **headers)


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "client"),
    [
        # No trusted proxy: the header is anyone's, and ignored.
        ([], "203.0.113.9", "198.51.100.1", "203.0.113.9"),
        # Through the trusted proxy: the address it appended.
        (["10.0.0.2"], "10.0.0.2", "198.51.100.1", "198.51.100.1"),
        # A client's own forged entry is on the left: never believed.
        (["10.0.0.2"], "10.0.0.2", "192.0.2.77, 198.51.100.1", "198.51.100.1"),
        # Two trusted proxies, given as a network: the first address that is not one of them.
        (["10.0.0.0/8"], "10.0.0.2", "192.0.2.77, 198.51.100.1, 10.0.0.3", "198.51.100.1"),
        # A connection from elsewhere with a header: the connection's address.
        (["10.0.0.2"], "203.0.113.9", "198.51.100.1", "203.0.113.9"),
        # Through the proxy, but no header or garbage: the proxy's own address.
        (["10.0.0.2"], "10.0.0.2", None, "10.0.0.2"),
        (["10.0.0.2"], "10.0.0.2", "pas-une-adresse", "10.0.0.2"),
        # IPv6, and a port-less bracketed form.
        (["::1"], "::1", "2001:db8::5", "2001:db8::5"),
        (["::1"], "::1", "[2001:db8::6]", "2001:db8::6"),
    ],
)
def test_the_client_address_is_read_through_trusted_proxies_only(
    settings, trusted, remote, forwarded, client
):
    settings.TRUSTED_PROXIES = trusted

    assert client_ip(request_from(remote, forwarded)) == client
