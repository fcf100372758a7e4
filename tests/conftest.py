"""Shared fixtures: the seed roadmap, organisations and the three kinds of user.

The seed is loaded once per session, in the test database itself (`django_db_setup`): each
test's transaction starts from it and rolls back to it. Tests that need an empty roadmap ask for
`no_roadmap`. A transactional test (`transaction=True`, the live server's) empties the tables
when it ends; pytest-django runs those after the others, and `roadmap` loads the seed again
when it is missing. Helpers and constants shared by the tests live in tests/support/.
"""

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.utils import translation

from accounts.models import Organisation, Role, User
from roadmap.models import Action, Indicator, Measurement, Milestone, ProgressNote, Roadmap
from tests.support.constants import PASSWORD, SEED_SLUG


def load_seed() -> Roadmap:
    """The seed roadmap of the source document, loaded as `load_roadmap` does (it loads
    nothing twice: a reused test database may already hold it)."""
    call_command("load_roadmap", verbosity=0)
    return Roadmap.objects.get(slug=SEED_SLUG)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, with the seed loaded once for the whole session."""
    with django_db_blocker.unblock():
        load_seed()


@pytest.fixture
def roadmap(db) -> Roadmap:
    """The seed roadmap, loaded again when a transactional test emptied the tables."""
    return Roadmap.objects.filter(slug=SEED_SLUG).first() or load_seed()


@pytest.fixture
def no_roadmap(db) -> None:
    """An empty roadmap app: the seed deleted within the test's transaction (rolled back at
    its end), organisations included, for tests of what an empty database shows or loads."""
    for model in (ProgressNote, Action, Roadmap, Organisation):
        model.objects.all().delete()
    for model in (Action, Milestone, Indicator, Measurement):
        model.history.all().delete()  # the seed's own history, and that of the deletion


@pytest.fixture
def ia_2_1(roadmap) -> Action:
    return Action.objects.get(roadmap=roadmap, code="IA 2-1")


@pytest.fixture
def administrator(db) -> User:
    dns, _ = Organisation.objects.get_or_create(acronym="DNS")
    return User.objects.create_user(
        "administrateur", password=PASSWORD, role=Role.ADMINISTRATOR, organisation=dns
    )


def seed_member(acronym: str) -> User:
    """A member of the seed's organisation `acronym`, named membre-<acronym>."""
    return User.objects.create_user(
        f"membre-{acronym.lower()}",
        password=PASSWORD,
        role=Role.MEMBER,
        organisation=Organisation.objects.get(acronym=acronym),
    )


@pytest.fixture
def has_member(roadmap) -> User:
    """A member of the HAS, which leads IA 2-4."""
    return seed_member("HAS")


@pytest.fixture
def dns_member(roadmap) -> User:
    """A member of the DNS, a partner of IA 4-1."""
    return seed_member("DNS")


@pytest.fixture
def reader(db) -> User:
    return User.objects.create_user("lecteur", password=PASSWORD)


@pytest.fixture(autouse=True)
def _sign_in_throttling_off_by_default(settings):
    """django-axes refuses `Client.login()`, which passes no request; tests that exercise
    the lock-out turn it back on with `settings.AXES_ENABLED = True`."""
    settings.AXES_ENABLED = False


@pytest.fixture
def review_off(settings):
    """Review before publication turned off (`ROADMAP_REVIEW=0`): what a member enters
    publishes at once, for tests about something else than review (docs/domain.md
    « Relecture »)."""
    settings.ROADMAP_REVIEW = False


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
    # Local-memory caches of one location share their store, across tests too; and every test
    # starts from the same data version (the seed's, loaded once): start from an empty one.
    caches["default"].clear()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test ends back in the site's language: a request read in English (LocaleMiddleware)
    leaves English active in the thread, and the next test's French messages would be English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The real hasher is slow on purpose; tests sign people in by the hundred. Set here only,
    for every test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """One line that counts the browser tests (tests/browser/), so that CI's log says they ran.

    Here rather than in tests/browser/conftest.py: with pytest-xdist, the process that reports
    loads only this conftest."""
    outcomes = {"passed": 0, "failed": 0, "skipped": 0}
    for outcome in outcomes:
        for report in terminalreporter.stats.get(outcome, []):
            keywords = getattr(report, "keywords", {})
            if "browser" in keywords and (outcome != "passed" or report.when == "call"):
                outcomes[outcome] += 1
    errors = sum(
        1
        for report in terminalreporter.stats.get("error", [])
        if "browser" in getattr(report, "keywords", {})
    )
    if any(outcomes.values()) or errors:
        # French plurals: 0 and 1 are singular (the suite's own words, not the catalogue's).
        def count(n: int, one: str, many: str) -> str:
            return f"{n} {many if n > 1 else one}"

        terminalreporter.write_line(
            "Tests navigateur (Chromium)\u00a0: "
            f"{count(outcomes['passed'], 'réussi', 'réussis')}, "
            f"{count(outcomes['failed'], 'échoué', 'échoués')}, {errors} en erreur, "
            f"{count(outcomes['skipped'], 'ignoré', 'ignorés')}."
        )
