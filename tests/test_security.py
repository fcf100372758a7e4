"""Security: headers on every answer, the production checklist, sign-in throttling, health check
and the log line each write leaves behind."""

import json
import logging
import secrets

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.support.commands import run_manage
from tests.support.constants import PASSWORD


def test_every_page_carries_a_strict_content_security_policy(client, roadmap):
    response = client.get("/")
    policy = {
        name: value
        for name, _, value in (
            part.strip().partition(" ") for part in response["Content-Security-Policy"].split(";")
        )
    }
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    # Scripts only from the app itself or with this answer's nonce; no inline style at all.
    assert policy["script-src"].startswith("'self' 'nonce-")
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    nonce = policy["script-src"].split("'nonce-")[1].rstrip("'")
    html = response.content.decode()
    scripts = html.count("<script")
    assert scripts >= 2  # the DSFR and htmx
    assert html.count(f'nonce="{nonce}"') == scripts
    assert "style=" not in html


def test_answers_forbid_framing_sniffing_and_leaking_the_referrer(client, roadmap):
    response = client.get("/actions/ia-2-1/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_https_answers_carry_hsts_in_production(client, settings, roadmap):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_production_checklist_passes_with_no_warning():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="ia-sante.example.gouv.fr",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_and_the_site_is_https_only():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="ia-sante.example.gouv.fr",
    )
    assert result.stdout.strip().splitlines()[-1] == "True True True True", result.stderr


def test_password_validators_refuse_short_and_common_passwords(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("court", "motdepasse", "123456789012", "azertyuiop"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("une-phrase-de-passe-longue")


class TestSignInThrottling:
    @pytest.fixture(autouse=True)
    def throttling_on(self, settings):
        settings.AXES_ENABLED = True
        settings.AXES_FAILURE_LIMIT = 3

    def attempt(self, client, password):
        return client.post(
            reverse("login"),
            {"username": "membre-has", "password": password},
            REMOTE_ADDR="10.0.0.1",
        )

    def test_a_few_wrong_passwords_lock_the_account_out_with_a_french_message(
        self, client, has_member
    ):
        for _ in range(2):
            response = self.attempt(client, "mauvais-mot-de-passe")
            assert response.status_code == 200
            assert "Saisissez un nom d’utilisateur et un mot de passe valides" in (
                response.content.decode()
            )
        response = self.attempt(client, "mauvais-mot-de-passe")
        assert response.status_code == 429
        assert "Connexion temporairement bloquée" in response.content.decode()
        # Even the right password is refused while locked out.
        response = self.attempt(client, PASSWORD)
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        assert AccessAttempt.objects.get(username="membre-has").failures_since_start == 4

    def test_an_administrator_unlocks_the_account(self, client, has_member, administrator):
        for _ in range(3):
            self.attempt(client, "mauvais-mot-de-passe")
        admin_client = type(client)()
        admin_client.force_login(administrator)
        attempts = admin_client.get("/admin/axes/accessattempt/")
        assert attempts.status_code == 200
        assert "membre-has" in attempts.content.decode()
        attempt = AccessAttempt.objects.get(username="membre-has")
        response = admin_client.post(
            "/admin/axes/accessattempt/",
            {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
        )
        assert response.status_code == 302
        assert not AccessAttempt.objects.exists()
        response = self.attempt(client, PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(has_member.pk)

    def test_a_successful_sign_in_resets_the_count(self, client, has_member):
        self.attempt(client, "mauvais-mot-de-passe")
        self.attempt(client, "mauvais-mot-de-passe")
        assert self.attempt(client, PASSWORD).status_code == 302
        client.logout()
        self.attempt(client, "mauvais-mot-de-passe")
        self.attempt(client, "mauvais-mot-de-passe")
        assert self.attempt(client, PASSWORD).status_code == 302


def test_the_health_check_answers_ok_with_the_database_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_the_health_check_is_read_only(client, db):
    assert client.post("/healthz").status_code == 405


def test_every_write_leaves_a_structured_log_line(client, has_member, caplog):
    from roadmap.models import Action
    from roadmap.site.logs import JsonFormatter

    client.force_login(has_member)
    action = Action.objects.get(code="IA 2-4")
    with caplog.at_level(logging.INFO, logger="roadmap.writes"):
        client.post(
            reverse("roadmap:edit-status", args=[action.slug]),
            {"status": "in_progress", "version": action.version},
        )
    (record,) = [r for r in caplog.records if r.name == "roadmap.writes"]
    line = json.loads(JsonFormatter().format(record))
    assert {k: line[k] for k in ("event", "method", "path", "status", "user", "htmx")} == {
        "event": "write",
        "method": "POST",
        "path": "/actions/ia-2-4/statut/",
        "status": 302,
        "user": "membre-has",
        "htmx": False,
    }


def test_reads_leave_no_write_log_line(client, roadmap, caplog):
    with caplog.at_level(logging.INFO, logger="roadmap.writes"):
        client.get("/")
    assert not [r for r in caplog.records if r.name == "roadmap.writes"]
