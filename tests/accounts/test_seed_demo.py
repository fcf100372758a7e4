"""`seed_demo` creates the three demo accounts, and is refused in production."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Role, User


@pytest.fixture(autouse=True)
def debug_on(settings):
    """pytest-django runs with DEBUG off; the demo accounts are for local development."""
    settings.DEBUG = True


def test_it_creates_the_demo_accounts_with_the_given_password(db, monkeypatch, capsys):
    monkeypatch.setenv("DEMO_PASSWORD", "un-mot-de-passe-de-demo")
    call_command("seed_demo")
    accounts = {
        u.username: (u.role, u.organisation.acronym)
        for u in User.objects.select_related("organisation")
    }
    assert accounts == {
        "admin": (Role.ADMINISTRATOR, "DNS"),
        "dns": (Role.MEMBER, "DNS"),
        "has": (Role.MEMBER, "HAS"),
    }
    assert all(u.check_password("un-mot-de-passe-de-demo") for u in User.objects.all())
    assert "un-mot-de-passe-de-demo" not in capsys.readouterr().out


def test_without_demo_password_it_generates_and_prints_one(db, monkeypatch, capsys):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("seed_demo")
    password = capsys.readouterr().out.split("Mot de passe\u00a0: ")[1].strip()
    assert len(password) >= 12
    assert User.objects.get(username="dns").check_password(password)


def test_running_it_twice_keeps_three_accounts(db, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "un-mot-de-passe-de-demo")
    call_command("seed_demo")
    call_command("seed_demo")
    assert User.objects.count() == 3


def test_it_is_refused_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refusé quand DEBUG est désactivé"):
        call_command("seed_demo")
    assert User.objects.count() == 0
