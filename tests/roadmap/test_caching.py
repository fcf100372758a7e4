"""The public cache: readers get kept copies, and never a stale one.

Anonymous readers are served pages and open-data files from the cache (`roadmap.caching`),
keyed by the data's version. What is proved here:
- a kept copy is really served: the second read of every page and file reads nothing but the
  data version (and, on PostgreSQL, the database cache's own table);
- after each kind of write (every inline edit of the task force, the admin, an import, a renamed
  organisation or author, a new partner), the next read of every public page and file is exactly
  what a fresh render gives, and the page the write concerns did change;
- each reader gets their own CSP nonce and CSRF token, and the token works;
- conditional requests get a 304 until the data changes, and the 304 carries no CSP header;
- signed-in users are never served a kept copy.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation
from roadmap.models import Action, DataVersion, Measurement, Milestone, ProgressNote
from tests.support.builders import Scene, days, signed_in
from tests.support.constants import PASSWORD
from tests.support.files import read_xlsx, xlsx_file
from tests.support.html import normalised

ACTION_URL = "/actions/ia-2-4/"
JSON_URL = "/donnees/feuille-de-route.json"
PAGES = [
    "/",
    "/?statut=at_risk",
    "/axes/2/",
    ACTION_URL,
    "/indicateurs/",
    "/methode/",
    "/journal/",
    "/donnees/",
]
FILES = [
    "/journal/atom.xml",
    JSON_URL,
    "/donnees/actions.csv",
    "/donnees/jalons.csv",
    "/donnees/indicateurs.csv",
    "/donnees/mesures.csv",
    "/donnees/feuille-de-route.xlsx",
]
CACHE_TABLES = ("roadmap_dataversion", "roadmap_cache")


def content_of(response) -> object:
    """What a reader gets, without what differs between two renders of the same data."""
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        return read_xlsx(response.content)  # the zip's own timestamps differ
    return normalised(response.content.decode())


def fresh(url: str) -> object:
    """The page as it is rendered now, with no kept copy."""
    cache.clear()
    response = Client().get(url)
    assert response.status_code == 200, url
    return content_of(response)


def saved(scene: Scene, name: str, *args, data: dict) -> None:
    """The member's edit, as a plain form: saved, then sent back to the action page."""
    response = scene.post(name, list(args), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def published(scene: Scene, administrator, name: str, *args, data: dict) -> None:
    """The member's proposal, then an administrator publishing it from `/a-valider/`."""
    saved(scene, name, *args, data=data)
    reviewer = Client()
    reviewer.force_login(administrator)
    [entry] = reviewer.get(reverse("roadmap:review")).context["items"]
    item = f"{entry['key']}:{entry['row'].version}"
    response = reviewer.post(reverse("roadmap:review"), {"item": item, "decision": "publish"})
    assert response.status_code == 302, response.content.decode()[:2000]


def import_status(scene: Scene, tmp_path) -> None:
    action = scene.action
    row = [action.code, 2, action.title, action.description, "Réalisée", "HAS", "", None, None]
    path = tmp_path / "suivi.xlsx"
    path.write_bytes(xlsx_file({"Actions": [row]}))
    call_command("import_roadmap", str(path), stdout=None)


def delete_in_admin(scene: Scene, administrator) -> None:
    url = reverse("admin:roadmap_milestone_delete", args=[scene.open_milestone.pk])
    response = signed_in(administrator).post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Milestone.objects.filter(pk=scene.open_milestone.pk).exists()


def rename_organisation(scene: Scene) -> None:
    has = Organisation.objects.get(acronym="HAS")
    has.name = "Haute Autorité de santé (nouveau nom)"
    has.save()


def rename_author(scene: Scene) -> None:
    scene.member.first_name, scene.member.last_name = "Dominique", "Renommé"
    scene.member.save()


# Each kind of write, and the pages and files that must change with it.
WRITES: dict[str, tuple[Callable, tuple[str, ...]]] = {
    "statut": (
        lambda s, **_: saved(
            s, "edit-status", data={"status": "at_risk", "version": s.action.version}
        ),
        (ACTION_URL, JSON_URL),
    ),
    "jalon-atteint": (
        lambda s, **_: saved(
            s,
            "edit-milestone-done",
            s.open_milestone.pk,
            data={"done": "on", "done_on": days(-1), "version": s.open_milestone.version},
        ),
        (ACTION_URL, JSON_URL),
    ),
    "jalon-rouvert": (
        lambda s, **_: saved(
            s,
            "edit-milestone-done",
            s.done_milestone.pk,
            data={"version": s.done_milestone.version},
        ),
        (ACTION_URL, JSON_URL),
    ),
    "echeance": (
        lambda s, **_: saved(
            s,
            "edit-milestone-reschedule",
            s.open_milestone.pk,
            data={"due_date": days(20), "version": s.open_milestone.version},
        ),
        (ACTION_URL, JSON_URL),
    ),
    "nouveau-jalon": (
        lambda s, **_: saved(
            s, "edit-milestone-add", data={"title": "Lancer l'appel", "due_date": days(90)}
        ),
        (ACTION_URL, JSON_URL),
    ),
    # A member's value and note show once an administrator publishes them (docs/domain.md
    # « Relecture »); the proposal alone changes nothing readers see (tests/roadmap/views/
    # test_review.py).
    "mesure": (
        lambda s, administrator, **_: published(
            s,
            administrator,
            "edit-measurement",
            s.indicator.code,
            data={"date": days(-1), "value": "70 000", "source": "Enquête HAS", "comment": ""},
        ),
        ("/indicateurs/", JSON_URL),
    ),
    "point": (
        lambda s, administrator, **_: published(
            s,
            administrator,
            "edit-note",
            data={"written_on": days(0), "done": "Consultation lancée.", "risks": ""},
        ),
        ("/journal/", JSON_URL),
    ),
    "import": (lambda s, tmp_path, **_: import_status(s, tmp_path), ("/", JSON_URL)),
    "admin-suppression": (
        lambda s, administrator, **_: delete_in_admin(s, administrator),
        ("/", JSON_URL),
    ),
    "organisme-renomme": (lambda s, **_: rename_organisation(s), (ACTION_URL,)),
    "auteur-renomme": (lambda s, **_: rename_author(s), ("/journal/",)),
    "partenaire-ajoute": (
        lambda s, **_: s.action.partners.add(Organisation.objects.create(acronym="ANS2")),
        (ACTION_URL, JSON_URL),
    ),
}


def test_a_kept_copy_is_served_without_reading_the_roadmap(
    client, scene, django_assert_max_num_queries
):
    for url in PAGES + FILES:
        first = client.get(url)
        with django_assert_max_num_queries(2) as queries:
            second = client.get(url)

        assert second.status_code == first.status_code == 200, url
        assert content_of(second) == content_of(first), url
        tables = {table for query in queries.captured_queries for table in CACHE_TABLES}
        read = [query["sql"] for query in queries.captured_queries]
        assert all(any(table in sql for table in tables) for sql in read), (url, read)


@pytest.mark.parametrize("write", WRITES)
def test_after_each_kind_of_write_every_page_and_file_shows_it_at_once(
    client, scene, administrator, tmp_path, write
):
    make_write, changed_urls = WRITES[write]
    before = {url: content_of(client.get(url)) for url in PAGES + FILES}

    make_write(scene, tmp_path=tmp_path, administrator=administrator)

    served = {url: content_of(client.get(url)) for url in PAGES + FILES}
    for url in changed_urls:
        assert served[url] != before[url], url
    for url in PAGES + FILES:
        assert served[url] == fresh(url), url


def test_a_write_through_the_orm_outside_any_view_changes_the_version(scene):
    token = DataVersion.objects.get().token

    scene.indicator.label = "Autre libellé"
    scene.indicator.save()
    after_save = DataVersion.objects.get().token
    Measurement.objects.filter(indicator=scene.indicator).first().delete()
    after_delete = DataVersion.objects.get().token

    assert len({token, after_save, after_delete}) == 3


def test_signing_in_changes_nothing_readers_see(client, scene):
    token = DataVersion.objects.get().token

    assert Client().login(username=scene.member.username, password=PASSWORD)

    assert DataVersion.objects.get().token == token


def nonce_of(response) -> tuple[str, set[str]]:
    header = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    return header, set(re.findall(r'nonce="([^"]+)"', response.content.decode()))


def csrf_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def test_each_reader_gets_their_own_nonce_and_a_csrf_token_that_works(scene):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get("/")
    page_two = second.get("/")  # the kept copy

    header_one, body_one = nonce_of(page_one)
    header_two, body_two = nonce_of(page_two)
    assert body_one == {header_one}
    assert body_two == {header_two}
    assert header_one != header_two
    assert csrf_of(page_one) != csrf_of(page_two)
    # The second reader's language form, from the kept copy, passes the CSRF check.
    response = second.post(
        reverse("set_language"), {"language": "en", "csrfmiddlewaretoken": csrf_of(page_two)}
    )
    assert response.status_code == 302
    assert second.get("/").content.decode().count("Dashboard") >= 1


def test_a_browser_that_has_the_page_gets_a_304_until_the_data_changes(client, scene):
    page = client.get(ACTION_URL)
    etag, modified = page["ETag"], page["Last-Modified"]
    assert etag.startswith('W/"')
    assert page["Cache-Control"] == "no-cache"

    again = client.get(ACTION_URL, headers={"If-None-Match": etag})
    since = client.get(ACTION_URL, headers={"If-Modified-Since": modified})
    for response in (again, since):
        assert response.status_code == 304
        assert response.content == b""
        assert response["ETag"] == etag
        # The browser keeps its page with the nonce of its first header: no new one here.
        assert "Content-Security-Policy" not in response

    saved(scene, "edit-status", data={"status": "done", "version": scene.action.version})
    changed = client.get(ACTION_URL, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Réalisée" in changed.content.decode()


def test_the_pages_of_each_language_are_kept_apart(client, scene):
    french = client.get("/")
    english = client.get("/", headers={"Accept-Language": "en"})

    assert "Tableau de bord" in french.content.decode()
    assert "Dashboard" in english.content.decode()
    assert french["ETag"] != english["ETag"]


def test_signed_in_users_are_never_served_a_kept_copy(client, scene):
    anonymous = client.get(ACTION_URL)
    member = scene.client.get(ACTION_URL)

    assert "Changer le statut" not in anonymous.content.decode()
    assert "Changer le statut" in member.content.decode()
    assert set(member["Cache-Control"].split(", ")) == {"no-cache", "private"}
    assert "ETag" not in member


def test_a_message_waiting_for_a_reader_is_not_kept_for_others(client, scene):
    client.get("/")  # a kept copy exists
    saved(scene, "edit-status", data={"status": "at_risk", "version": scene.action.version})
    scene.client.post(reverse("logout"))  # the confirmation is still waiting, in a cookie

    own = scene.client.get("/").content.decode()
    someone_else = client.get("/").content.decode()

    assert "Statut enregistré" in own
    assert "Statut enregistré" not in someone_else
    assert normalised(someone_else) == fresh("/")


def statements_of(write: Callable[[], object]) -> list[str]:
    """The tables `write` changes, in the order of its statements."""
    seen: list[str] = []

    def record(execute, sql, params, many, context):
        match = re.match(r'\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', sql)
        if match:
            seen.append(match[2])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        write()
    return [table for table in seen if table in ("roadmap_dataversion", "roadmap_progressnote")]


def test_in_a_transaction_the_version_is_changed_before_the_row(scene):
    note = ProgressNote(action=scene.action, author=scene.member, written_on=days(0), done="A")

    with transaction.atomic():
        order = statements_of(note.save)

    assert order == ["roadmap_dataversion", "roadmap_progressnote"]


@pytest.mark.django_db(transaction=True)
def test_a_lone_save_in_autocommit_changes_the_version_after_its_own_commit(roadmap, has_member):
    # Changed first, and committed on its own, the version would let a reader keep the old page
    # under the new version until the next write.
    action = Action.objects.get(code="IA 2-4")
    note = ProgressNote(action=action, author=has_member, written_on=days(0), done="Seul.")

    assert not connection.in_atomic_block
    order = statements_of(note.save)

    assert order == ["roadmap_progressnote", "roadmap_dataversion"]
