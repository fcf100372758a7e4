"""What every public page and file promises a reader, checked on each of them.

- each answers 200 to an anonymous reader, on the seed (where nothing is measured yet), on a
  roadmap with nothing in it, and (for the pages of the whole roadmap) with no roadmap at all;
- no « None » and no table without rows is ever shown: an empty state says what is missing;
- a title, a breadcrumb (but on the home page) and « Dernière mise à jour » on every page;
- a number of SQL queries that does not grow with the roadmap: the same at the seed's size and
  at ten times that size (actions, milestones, indicators, measurements, notes, status changes).
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from accounts.models import Organisation
from roadmap.models import Action, Axis, Indicator, Roadmap, Target
from tests.support.builders import grow_everything
from tests.support.html import element, tables_without_rows, text

# Every public page, and the most queries it may issue for an anonymous reader.
# Queries of a render, counting the one that reads the data version (roadmap.caching); the
# bounds of the dashboard, an axis and an action are derived in test_public.py. /indicateurs/:
# the data version, the roadmap, the readings, the indicators with both kinds of targets (3), the
# measurements of the page and of the indicators its sums add up, the last change a person made
# to them and the navigation's axes.
PAGES = {
    "/": 25,
    "/?axe=2&statut=non-renseigne&organisation=HDH": 25,
    "/axes/2/": 12,
    "/actions/ia-2-1/": 17,
    "/indicateurs/": 9,
    "/indicateurs/?tri=avancement&ordre=desc": 9,
    "/methode/": 6,
    "/journal/": 6,  # with the published council reports
    # With the sizes of its files, built once per data version (roadmap/views/opendata.py):
    # the data version again and the queries of the JSON, the workbook and the CSV files.
    "/donnees/": 36,
}
# The JSON file counts the two prefetches of targets too (roadmap.opendata, whose keys for
# periods and targets are on their way: its bound is theirs to settle).
FILES = {
    "/donnees/feuille-de-route.json": 12,
    "/donnees/feuille-de-route.schema.json": 1,
    "/donnees/feuille-de-route.xlsx": 11,  # with Périodes: indicators, targets, readings
    "/donnees/actions.csv": 8,
    "/donnees/jalons.csv": 8,
    "/donnees/indicateurs.csv": 8,
    "/donnees/mesures.csv": 8,
    "/donnees/periodes.csv": 5,
    "/journal/atom.xml": 5,  # with the published council reports
}
ROADMAP_WIDE = [
    "/",
    "/indicateurs/",
    "/methode/",
    "/journal/",
    "/donnees/",
    *FILES,
]


def empty_roadmap() -> Roadmap:
    """A roadmap with one axis and one action that has nothing yet: no owner, milestone,
    indicator, note, status."""
    roadmap = Roadmap.objects.create(
        title="Feuille de route vide",
        slug="vide",
        source_title="Document",
        source_date="2025-01-01",
    )
    axis = Axis.objects.create(roadmap=roadmap, number=1, short_title="Axe", title="Le seul axe")
    Action.objects.create(axis=axis, code="IA 1-1", title="Une action sans rien")
    return roadmap


def readable(response) -> str:
    """The page, checked to answer without « None » nor an empty table, with its date of last
    update."""
    assert response.status_code == 200
    html = response.content.decode()
    assert "None" not in html
    assert tables_without_rows(html) == []
    assert LAST_UPDATE.search(text(element(html, "derniere-mise-a-jour")))
    return html


# What a page says of its last update: a date, or that no person has changed it yet (the
# seed's loading is no update), or, with nothing to show, that nothing is published.
LAST_UPDATE = re.compile(
    r"^(Dernière mise à jour\u00a0: \d{1,2}(er)?\s\w+\s\d{4}|Pas encore mis à jour"
    r"|Dernière mise à jour\u00a0: rien n'a encore été publié\.)$"
)


@pytest.mark.parametrize("url", [*PAGES, "/actions/ia-4-1/", "/axes/1/"])
def test_every_page_of_the_seed_answers_without_none_nor_empty_table(client, roadmap, url):
    html = readable(client.get(url))

    assert "<title>" in html
    # on every page but the home page, which has none (DSFR)
    home = url == "/" or url.startswith("/?")
    assert ('class="fr-breadcrumb"' in html) is not home


@pytest.mark.parametrize("url", [*PAGES, "/actions/ia-1-1/", "/axes/1/"])
def test_every_page_of_an_empty_roadmap_answers_with_empty_states(client, no_roadmap, url):
    empty_roadmap()
    url = url.replace("/axes/2/", "/axes/1/").replace("ia-2-1", "ia-1-1")
    url = url.replace("axe=2&statut=non-renseigne&organisation=HDH", "axe=1&statut=non-renseigne")

    readable(client.get(url))


@pytest.mark.parametrize("url", ROADMAP_WIDE)
def test_the_pages_of_the_whole_roadmap_answer_before_any_roadmap_is_loaded(
    client, no_roadmap, url
):
    response = client.get(url)

    assert response.status_code == 200
    body = response.content.decode(errors="replace")
    assert "None" not in body
    if response["Content-Type"].startswith("text/html"):
        assert tables_without_rows(body) == []
        assert LAST_UPDATE.search(text(element(body, "derniere-mise-a-jour")))


@pytest.mark.parametrize("url", [*FILES])
def test_every_file_of_the_seed_answers(client, roadmap, url):
    response = client.get(url)

    assert response.status_code == 200
    if url.startswith("/donnees/"):
        assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("url", [*PAGES, *FILES])
def test_every_page_refuses_posts(client, roadmap, url):
    response = client.post(url)

    assert response.status_code == 405


@pytest.mark.usefixtures("memory_cache")
@pytest.mark.parametrize(
    ("url", "bound"),
    [pytest.param(url, bound) for url, bound in [*PAGES.items(), *FILES.items()]],
)
def test_every_page_issues_as_many_queries_for_a_roadmap_ten_times_bigger(
    client, roadmap, django_assert_max_num_queries, url, bound
):
    Organisation.objects.get_or_create(acronym="HDH")
    with django_assert_max_num_queries(bound) as small:
        assert client.get(url).status_code == 200

    grow_everything(roadmap)
    # Every grown indicator with a dated target: a row in every prefetch of the targets.
    Target.objects.bulk_create(
        Target(indicator=indicator, on=timezone.localdate(), value=500)
        for indicator in Indicator.objects.filter(roadmap=roadmap, code__startswith="IND-")
    )
    with django_assert_max_num_queries(bound) as big:
        response = client.get(url)
    assert response.status_code == 200
    assert len(big) == len(small), [query["sql"] for query in big.captured_queries]
