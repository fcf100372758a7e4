"""Shared fixtures: the seed roadmap, organisations and the three kinds of user."""

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command

from accounts.models import Organisation, Role, User
from roadmap.models import Action, Roadmap

PASSWORD = "mot-de-passe-de-test-1234"


@pytest.fixture
def roadmap(db) -> Roadmap:
    """The seed roadmap of the source document, loaded as `load_roadmap` does."""
    call_command("load_roadmap", verbosity=0)
    return Roadmap.objects.get(slug="ia-en-sante-2025")


@pytest.fixture
def ia_2_1(roadmap) -> Action:
    return Action.objects.get(roadmap=roadmap, code="IA 2-1")


@pytest.fixture
def administrator(db) -> User:
    dns, _ = Organisation.objects.get_or_create(acronym="DNS")
    return User.objects.create_user(
        "administrateur", password=PASSWORD, role=Role.ADMINISTRATOR, organisation=dns
    )


@pytest.fixture
def has_member(roadmap) -> User:
    """A member of the HAS, which leads IA 2-4."""
    return User.objects.create_user(
        "membre-has",
        password=PASSWORD,
        role=Role.MEMBER,
        organisation=Organisation.objects.get(acronym="HAS"),
    )


@pytest.fixture
def dns_member(roadmap) -> User:
    """A member of the DNS, a partner of IA 4-1."""
    return User.objects.create_user(
        "membre-dns",
        password=PASSWORD,
        role=Role.MEMBER,
        organisation=Organisation.objects.get(acronym="DNS"),
    )


@pytest.fixture
def reader(db) -> User:
    return User.objects.create_user("lecteur", password=PASSWORD)


@pytest.fixture(autouse=True)
def _sign_in_throttling_off_by_default(settings):
    """django-axes refuses `Client.login()`, which passes no request; tests that exercise
    the lock-out turn it back on with `settings.AXES_ENABLED = True`."""
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty public cache when it lives in memory: it outlives the
    test's rolled-back transaction, and a test that writes only through `bulk_create` changes no
    data version (roadmap.caching) that would keep another test's pages apart from its own.
    The database cache (PostgreSQL) is rolled back with the test, and clearing it would be a
    query, which pytest-django refuses to tests without database access."""
    if not isinstance(caches["default"], DatabaseCache):
        cache.clear()
    if "local" in settings.CACHES:
        caches["local"].clear()


@pytest.fixture
def memory_cache(settings):
    """Django's cache in this process's memory, whatever the database: a count of a page's
    queries then holds the page's own, not those of the database cache (PostgreSQL), which
    reads and writes its table a constant number of times per request."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "query-counts",
        }
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The real hasher is slow on purpose; tests sign people in by the hundred."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
