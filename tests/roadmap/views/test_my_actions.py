"""`/mes-actions/`: the actions a member may update, most urgent first, with what needs attention.

Overdue milestones first, then statuses the facts contradict, then no update for 90 days, then
indicators off their trajectory; flags in French; an empty state for readers; a number of SQL
queries that does not grow with the number of actions. The main navigation leads there for
task-force members and administrators only.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation
from roadmap.models import (
    Action,
    Measurement,
    ProgressNote,
    Roadmap,
    Status,
)
from tests.support.builders import days, furnish, make_indicator, make_milestone, noon
from tests.support.html import element, plain_text, text

URL = "/mes-actions/"


def action(code: str) -> Action:
    return Action.objects.get(code=code)


@pytest.fixture
def has_actions(roadmap) -> None:
    """Five actions of the HAS, each with one kind of trouble (or none), so that the order
    of urgency is the reverse of the order of their codes."""
    has = Organisation.objects.get(acronym="HAS")
    for code in ("IA 1-1", "IA 1-2", "IA 3-1", "IA 4-3"):
        action(code).partners.add(has)
    # IA 4-3: a milestone past its due date.
    make_milestone(action("IA 4-3"), "Signer la convention", due_date=days(-3))
    # IA 3-1: declared done, with a milestone still open.
    contradicted = action("IA 3-1")
    contradicted.status = Status.DONE
    contradicted.save()
    make_milestone(contradicted, "Publier le bilan", due_date=days(20))
    # IA 2-4 (led by the HAS): last changed by a person 100 days ago.
    stale = action("IA 2-4")
    stale.status = Status.IN_PROGRESS
    stale.save()
    stale.history.filter(history_id=stale.history.latest("history_id").history_id).update(
        history_date=noon(-100)
    )
    # IA 1-1: an indicator far below its trajectory (10 000 of 140 000, halfway through).
    indicator = make_indicator(action("IA 1-1"), code="IA1-1-PROS")
    Measurement.objects.create(indicator=indicator, date=days(-1), value=10000, source="Enquête")
    # IA 1-2: nothing to report.


def rows(response) -> list[str]:
    """The text of each row of the table, in order."""
    html = response.content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [plain_text(row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_an_anonymous_user_is_sent_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/mes-actions/"


def test_a_member_sees_the_actions_of_their_organisation_most_urgent_first(
    client, has_actions, has_member
):
    client.force_login(has_member)

    response = client.get(URL)

    assert response.status_code == 200
    # Only the HAS's actions (not IA 4-1, of which the DNS is a partner), most urgent first.
    assert [summary.action.code for summary, _ in response.context["items"]] == [
        "IA 4-3",
        "IA 3-1",
        "IA 2-4",
        "IA 1-1",
        "IA 1-2",
    ]
    table = rows(response)
    assert [row.split(" ", 2)[:2] for row in table] == [
        ["IA", "4-3"],
        ["IA", "3-1"],
        ["IA", "2-4"],
        ["IA", "1-1"],
        ["IA", "1-2"],
    ]
    # Each with its pilot, its progress and the counts it rests on, its next milestone, the
    # last change a person made, and what needs attention, in French.
    changed = f"{days(0):%d/%m/%Y}"
    assert table[0].endswith(
        "Pilote à désigner Non renseigné 0 % 0 sur 1 jalon réalisé "
        f"Signer la convention Échéance : {days(-3):%d/%m/%Y} {changed} 1 jalon en retard"
    )
    assert table[1].endswith(
        "Pilote à désigner Réalisée 0 % 0 sur 1 jalon réalisé "
        f"Publier le bilan Échéance : {days(20):%d/%m/%Y} {changed} "
        "Déclarée « Réalisée » alors que des jalons ne sont pas réalisés"
    )
    assert table[2].endswith(
        "HAS En cours Non mesuré aucun jalon ni indicateur Aucun jalon à venir "
        f"{days(-100):%d/%m/%Y} Sans mise à jour depuis 100 jours"
    )
    # an indicator off track is named, with its value
    assert table[3].endswith(
        "Pilote à désigner Non renseigné 7 % moyenne de 1 indicateur Aucun jalon à venir "
        f"{changed} 1 indicateur hors trajectoire "
        "Professionnels informés des recommandations : 10 000 professionnels, hors trajectoire"
    )
    assert table[4].endswith(
        "Pilote à désigner Non renseigné Non mesuré aucun jalon ni indicateur Aucun jalon à venir "
        f"{changed} Rien à signaler"
    )
    page = plain_text(response)
    assert "Les actions que vous pouvez mettre à jour au titre de : HAS." in page
    assert "4 actions demandent votre attention ; elles apparaissent en premier." in page
    assert '<a href="/actions/ia-4-3/">' in response.content.decode()


def test_an_action_with_more_overdue_milestones_comes_first(client, has_actions, has_member):
    # GIVEN IA 1-2 now has two overdue milestones, one more than IA 4-3
    for title in ("Installer le comité", "Rendre l'avis"):
        make_milestone(action("IA 1-2"), title, due_date=days(-1))
    client.force_login(has_member)

    response = client.get(URL)

    assert [summary.action.code for summary, _ in response.context["items"]][:2] == [
        "IA 1-2",
        "IA 4-3",
    ]
    assert rows(response)[0].endswith("2 jalons en retard")


def test_a_member_of_a_partner_organisation_sees_the_actions_it_partners(
    client, roadmap, dns_member
):
    client.force_login(dns_member)

    response = client.get(URL)

    assert [summary.action.code for summary, _ in response.context["items"]] == ["IA 4-1"]
    assert rows(response)[0].startswith("IA 4-1")


def test_an_administrator_sees_every_action(client, roadmap, administrator):
    client.force_login(administrator)

    response = client.get(URL)

    codes = [summary.action.code for summary, _ in response.context["items"]]
    assert sorted(codes) == sorted(Action.objects.values_list("code", flat=True))
    assert len(codes) == 17


def test_a_reader_sees_that_no_action_is_theirs(client, roadmap, reader):
    client.force_login(reader)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["items"] == []
    assert "<tbody>" not in response.content.decode()
    assert "Aucune action ne vous est confiée." in plain_text(response)


# --- The link in the main navigation ------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str | None]] = []
        self.open: tuple[dict, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.open = (dict(attrs), [])

    def handle_data(self, data):
        if self.open is not None:
            self.open[1].append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self.open is not None:
            attrs, parts = self.open
            self.links.append(
                (" ".join("".join(parts).split()), attrs["href"], attrs.get("aria-current"))
            )
            self.open = None


def main_navigation(response) -> list[tuple[str, str, str | None]]:
    """The links of the « Menu principal »: (label, address, aria-current), in order."""
    parser = _Links()
    parser.feed(element(response.content.decode(), "navigation"))
    parser.close()
    return parser.links


def axis_links(roadmap: Roadmap) -> list[tuple[str, str, None]]:
    return [
        (f"Axe {axis.number} – {axis.short_title}", f"/axes/{axis.number}/", None)
        for axis in roadmap.axes.order_by("number")
    ]


PAGES_FOR_EVERYONE = [
    ("Indicateurs", "/indicateurs/", None),
    ("Journal", "/journal/", None),
    ("Rapports au Conseil", "/rapports/", None),
    ("Méthode de calcul", "/methode/", None),
    ("Données ouvertes", "/donnees/", None),
]


@pytest.mark.parametrize("user", ["has_member", "administrator"])
def test_the_main_navigation_leads_members_and_administrators_to_their_actions(
    client, roadmap, user, request
):
    client.force_login(request.getfixturevalue(user))
    # An administrator also reviews: « À valider » follows (docs/domain.md « Relecture »).
    review = [("À valider", "/a-valider/", None)] if user == "administrator" else []

    # On the dashboard, « Mes actions » comes second, not marked as the current page
    assert main_navigation(client.get("/")) == [
        ("Tableau de bord", "/", "page"),
        ("Mes actions", URL, None),
        *review,
        *axis_links(roadmap),
        *PAGES_FOR_EVERYONE,
    ]
    # On their list, it is the current page
    assert main_navigation(client.get(URL)) == [
        ("Tableau de bord", "/", None),
        ("Mes actions", URL, "page"),
        *review,
        *PAGES_FOR_EVERYONE,
    ]


def test_the_main_navigation_has_no_link_to_my_actions_for_a_reader(client, roadmap, reader):
    client.force_login(reader)

    assert main_navigation(client.get("/")) == [
        ("Tableau de bord", "/", "page"),
        *axis_links(roadmap),
        *PAGES_FOR_EVERYONE,
    ]
    assert main_navigation(client.get(URL)) == [("Tableau de bord", "/", None), *PAGES_FOR_EVERYONE]


def test_the_main_navigation_has_no_link_to_my_actions_for_an_anonymous_visitor(client, roadmap):
    assert main_navigation(client.get("/actions/ia-2-4/")) == [
        ("Tableau de bord", "/", None),
        *[
            (label, url, "true" if url == "/axes/2/" else None)
            for label, url, _current in axis_links(roadmap)
        ],
        *PAGES_FOR_EVERYONE,
    ]


def test_it_rejects_post(client, roadmap, has_member):
    client.force_login(has_member)

    response = client.post(URL)

    assert response.status_code == 405


def grow(roadmap: Roadmap, count: int) -> None:
    """`count` more actions led by the HAS, each with milestones, an indicator with
    measurements, a partner and a note, so that each prefetch of the page has rows to fetch."""
    has = Organisation.objects.get(acronym="HAS")
    dns = Organisation.objects.get(acronym="DNS")
    author = has.members.first()
    axes = list(roadmap.axes.all())
    Action.objects.bulk_create(
        Action(
            roadmap=roadmap,
            axis=axes[index % len(axes)],
            code=f"IA 9-{index}",
            slug=f"ia-9-{index}",
            title=f"Action supplémentaire {index}",
            lead=has,
        )
        for index in range(count)
    )
    actions = list(Action.objects.filter(code__startswith="IA 9-"))
    furnish(
        roadmap,
        actions,
        partners=[dns],
        milestones=(("Fait", days(-30), days(-31)), ("En retard", days(-2), None)),
        indicator=dict(
            label="Indicateur",
            unit="apprenants",
            kind="level",
            baseline_value=Decimal(0),
            baseline_date=days(-100),
            target_value=Decimal(100),
            target_date=days(100),
        ),
        measurements=((1, 1), (2, 2)),
    )
    ProgressNote.objects.bulk_create(
        ProgressNote(action=action, author=author, written_on=days(-1), done="Fait.")
        for action in actions
    )


def test_the_number_of_queries_does_not_grow_with_the_number_of_actions(
    client, has_actions, has_member
):
    client.force_login(has_member)
    client.get(URL)  # the session and the translations are loaded once and for all

    with CaptureQueriesContext(connection) as few:
        small = client.get(URL)
    grow(Roadmap.objects.get(), 40)
    with CaptureQueriesContext(connection) as many:
        large = client.get(URL)

    assert len(small.context["items"]) == 5
    assert len(large.context["items"]) == 45
    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]


def test_an_administrator_s_long_list_comes_fifty_actions_to_a_page_most_urgent_first(
    client, roadmap, administrator, has_member
):
    grow(roadmap, 60)  # 60 actions with an overdue milestone, before the seed's 17
    client.force_login(administrator)

    first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert [len(page.context["items"]) for page in (first, second)] == [50, 27]
    codes = [s.action.code for page in (first, second) for s, _ in page.context["items"]]
    assert len(set(codes)) == 77
    assert all(code.startswith("IA 9-") for code in codes[:60])
    assert first.context["needing_attention"] == second.context["needing_attention"]
    assert 'aria-label="Pagination"' in first.content.decode()


@pytest.mark.parametrize("page", ["3", "0", "trois"])
def test_a_page_of_my_actions_that_does_not_exist_is_not_found(
    client, roadmap, administrator, has_member, page
):
    grow(roadmap, 60)
    client.force_login(administrator)

    response = client.get(URL, {"page": page})

    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()


def test_an_action_nobody_updated_says_so_and_is_stale(client, roadmap, has_member):
    # GIVEN IA 2-4 as the seed loaded it: the loader is no person
    client.force_login(has_member)

    (row,) = rows(client.get(URL))

    assert row.endswith(
        "HAS Non renseigné Non mesuré aucun jalon ni indicateur Aucun jalon à venir "
        "Pas encore mis à jour Jamais mise à jour"
    )


def test_a_per_year_indicator_off_track_is_named_with_its_year(client, roadmap, has_member):
    # GIVEN a per-year indicator of IA 2-4, far below this year's line
    indicator = make_indicator(
        action("IA 2-4"),
        code="IA2-4-AN",
        kind="per_period",
        periodicity="year",
        periods_from=days(-800),
        baseline_date=None,
        target_date=None,
        target_value=Decimal(1200),
    )
    # 2 today, when even on 1 January the year's line from 0 to 1 200 is past 3
    Measurement.objects.create(indicator=indicator, date=days(0), value=2, source="Enquête")
    client.force_login(has_member)

    (row,) = rows(client.get(URL))

    assert row.endswith(
        "1 indicateur hors trajectoire Professionnels informés des recommandations : "
        f"2 professionnels en {days(0).year}, hors trajectoire vers la cible de 1 200 "
        "professionnels"
    )


def attention_sentence(response) -> str:
    return text(element(response, "mes-actions-attention"))


def test_one_action_needing_attention_is_told_in_the_singular(client, roadmap, has_member):
    # GIVEN IA 2-4 as the seed loaded it, never updated by a person: it needs attention
    client.force_login(has_member)

    response = client.get(URL)

    assert response.context["needing_attention"] == 1
    assert attention_sentence(response) == (
        "1 action demande votre attention\u202f; elle apparaît en premier."
    )


def test_no_action_needing_attention_is_told_without_a_count(client, roadmap, has_member):
    # GIVEN IA 2-4 just updated by a person, with nothing to report
    stale = action("IA 2-4")
    stale.status = Status.IN_PROGRESS
    stale.save()
    client.force_login(has_member)

    response = client.get(URL)

    assert response.context["needing_attention"] == 0
    (row,) = rows(response)
    assert row.endswith("Rien à signaler")
    assert attention_sentence(response) == (
        "Aucune de vos actions ne demande votre attention pour l'instant."
    )
    assert "0 action" not in plain_text(response)
