"""The public cache keeps what it has: a request that writes nothing, or an address with query
parameters the page does not read, costs no kept copy (roadmap.caching, docs/contract.md
« Cache »).

What is proved, on the database of the test run:
- a request that writes nothing (a conflict, an invalid form, the same value saved again, a
  deletion in conflict, `load_roadmap` with nothing new) leaves the data version alone, and the
  reader's kept copy is still served; a real write does change it;
- a query parameter the page does not read neither makes a copy of its own nor bypasses the
  cache: `/?x=<anything>` is served the kept copy of `/` (no query but the version's), and the
  cache holds one copy whatever the number of such addresses; the order of the parameters the
  page reads makes no second copy either, and the page's own links name the canonical address;
- the cache is bounded: every level has a maximum number of copies, and a copy larger than
  `SHARED_MAX` is served but not kept.
"""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.test import Client

from roadmap import caching
from roadmap.models import DataVersion, Status
from tests.support.builders import Scene, set_status
from tests.support.html import normalised

ACTION_URL = "/actions/ia-2-4/"


def version() -> str:
    return DataVersion.objects.get(pk=1).token


def entries() -> int:
    """How many copies the shared cache holds now."""
    backend = caches["default"]
    if hasattr(backend, "_cache"):  # local memory
        return len(backend._cache)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {backend._table}")  # noqa: S608 (a setting)
        return cursor.fetchone()[0]


def served_from_cache(url: str, django_assert_max_num_queries) -> str:
    """The page at `url` for an anonymous reader, asserted to come from a kept copy: nothing
    read but the data version and the cache's own table."""
    with django_assert_max_num_queries(2) as queries:
        response = Client().get(url)
    assert response.status_code == 200, url
    read = [query["sql"] for query in queries.captured_queries]
    assert all("roadmap_dataversion" in sql or "roadmap_cache" in sql for sql in read), read
    return response.content.decode()


def saved_by_someone_else(scene: Scene) -> None:
    """Someone else saves the action: the member's form is now at an old version."""
    scene.form_version = scene.action.version
    set_status(scene.action, Status.IN_PROGRESS)


def status_already_set(scene: Scene) -> None:
    set_status(scene.action, Status.IN_PROGRESS)
    scene.action.refresh_from_db()


def conflict(scene: Scene) -> int:
    return scene.post(
        "edit-status", [], {"status": Status.AT_RISK, "version": scene.form_version}
    ).status_code


def invalid(scene: Scene) -> int:
    return scene.post(
        "edit-status", [], {"status": "pas-un-statut", "version": scene.action.version}
    ).status_code


def same_value(scene: Scene) -> int:
    return scene.post(
        "edit-status", [], {"status": scene.action.status, "version": scene.action.version}
    ).status_code


def same_due_date(scene: Scene) -> int:
    milestone = scene.open_milestone
    return scene.post(
        "edit-milestone-reschedule",
        [milestone.pk],
        {"due_date": milestone.due_date.isoformat(), "version": milestone.version},
    ).status_code


def invalid_measurement(scene: Scene) -> int:
    target = scene.indicator
    return scene.post(
        "edit-measurement",
        [target.code],
        {"date": "", "value": "", "source": "", "comment": ""},
    ).status_code


def nothing_new_to_load(scene: Scene) -> int:
    call_command("load_roadmap", verbosity=0)
    return 0


def nothing(scene: Scene) -> None:
    pass


# Each request that writes nothing: what comes before it, the request, its status.
NOTHING_WRITTEN = {
    "conflit-409": (saved_by_someone_else, conflict, 409),
    "formulaire-invalide-422": (nothing, invalid, 422),
    "meme-statut": (status_already_set, same_value, 302),
    "meme-echeance": (nothing, same_due_date, 302),
    "mesure-invalide-422": (nothing, invalid_measurement, 422),
    "load_roadmap-sans-nouveaute": (nothing, nothing_new_to_load, 0),
}


@pytest.mark.parametrize("request_", NOTHING_WRITTEN)
def test_a_request_that_writes_nothing_leaves_the_data_version_and_the_kept_copies_alone(
    scene, request_, django_assert_max_num_queries
):
    # GIVEN a reader's kept copies of the action page and of the dashboard
    prepare, send, expected_status = NOTHING_WRITTEN[request_]
    prepare(scene)
    for url in (ACTION_URL, "/"):
        Client().get(url)
    before = version()

    # WHEN the member sends a request that writes nothing
    status = send(scene)

    # THEN the version is the same, and the copies are still served as kept
    assert status == expected_status
    assert version() == before
    for url in (ACTION_URL, "/"):
        served_from_cache(url, django_assert_max_num_queries)


def test_a_real_write_still_changes_the_version(scene):
    before = version()

    response = scene.post(
        "edit-status", [], {"status": Status.AT_RISK, "version": scene.action.version}
    )

    assert response.status_code == 302
    assert version() != before


def test_a_write_block_that_writes_nothing_changes_nothing_and_one_that_writes_does(scene):
    before = version()
    with caching.writing():
        pass
    assert version() == before

    with caching.writing():
        scene.action.refresh_from_db()
        scene.action.save()
    assert version() != before


def test_a_write_without_signals_is_seen_and_one_that_matches_no_row_is_not(scene):
    Action = type(scene.action)
    before = version()
    with caching.writing():
        Action.objects.filter(pk=-1).update(title="Aucune ligne")
    assert version() == before

    with caching.writing():
        Action.objects.filter(pk=scene.action.pk).update(title="Nouvel intitulé")
        assert version() == before  # not yet: at the end of the block, with the data
    assert version() != before


def test_changed_says_a_write_the_block_cannot_see(scene):
    before = version()
    with caching.writing():
        caching.changed()
    assert version() != before
    outside = version()
    caching.changed()
    assert version() != outside


def test_query_parameters_the_page_does_not_read_share_its_kept_copy(
    db, roadmap, django_assert_max_num_queries
):
    # GIVEN the dashboard read once, and kept
    first = Client().get("/")
    assert first.status_code == 200
    kept = entries()

    # WHEN readers ask for it with parameters it does not read, each time new ones
    pages = [
        served_from_cache(
            f"/?zqxw={uuid.uuid4().hex}&utm_source={n}", django_assert_max_num_queries
        )
        for n in range(20)
    ]

    # THEN each gets the kept copy of `/`, and the cache holds no new copy
    assert {normalised(page) for page in pages} == {normalised(first.content.decode())}
    assert entries() == kept
    # The page's own links name `/`, not the address asked for (the sign-in link's `next`).
    assert "utm_source" not in pages[0] and "zqxw" not in pages[0]


def test_the_parameters_a_page_reads_make_one_copy_whatever_their_order(
    db, roadmap, django_assert_max_num_queries
):
    first = Client().get("/?axe=2&statut=at_risk")
    assert first.status_code == 200
    kept = entries()

    again = served_from_cache("/?statut=at_risk&inconnu=1&axe=2", django_assert_max_num_queries)

    assert normalised(again) == normalised(first.content.decode())
    assert entries() == kept
    # Still the filtered page, not the dashboard's whole list.
    unfiltered = Client().get("/").content.decode()
    assert normalised(unfiltered) != normalised(again)


def test_the_indicators_sort_is_still_read(db, roadmap):
    by_progress = Client().get("/indicateurs/?tri=avancement&ordre=desc&x=1").content.decode()
    by_code = Client().get("/indicateurs/?tri=indicateur").content.decode()

    assert normalised(by_progress) != normalised(by_code)
    cache.clear()
    alone = Client().get("/indicateurs/?tri=avancement&ordre=desc").content.decode()
    assert normalised(by_progress) == normalised(alone)


def test_every_level_of_the_cache_is_bounded():
    for name, config in settings.CACHES.items():
        if config["BACKEND"].endswith("RedisCache"):
            continue  # bounded by the Redis server's own maxmemory (README, deployment)
        assert config.get("OPTIONS", {}).get("MAX_ENTRIES", 0) > 0, name


def test_a_copy_larger_than_the_bound_is_served_but_not_kept(db, roadmap, monkeypatch):
    page = Client().get("/")
    assert page.status_code == 200
    cache.clear()
    monkeypatch.setattr(caching, "SHARED_MAX", len(page.content) - 1)

    again = Client().get("/")

    assert normalised(again.content.decode()) == normalised(page.content.decode())
    assert entries() == 0
