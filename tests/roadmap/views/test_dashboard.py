"""Tests of the dashboard `/`: headline targets, the actions with their flags, and the filters.

The filters are plain links (the URL carries them) that HTMX applies in place: the fragment it
swaps into the page the reader had must give the same page as a fresh load of the filtered URL.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Organisation
from roadmap.models import Action, Axis, Measurement, Milestone, Roadmap, Status
from tests.support.builders import colleague, noon, set_status
from tests.support.constants import SEED_ACTIONS
from tests.support.html import assert_same_page, element, french, has_id, tables_without_rows, text
from tests.support.htmx import apply_htmx

HEADLINES = [
    ("IA2-1-APP-AN", "70 000 apprenants", " au 31 août 2025"),
    ("IA2-1-APP-5ANS", "500 000 apprenants", " au 31 août 2029"),
    ("IA2-1-PRO-AN", "140 000 professionnels", ""),
    ("IA2-1-MASTER-NUM", "15 parcours", ""),
    ("IA2-1-MASTER-JUR", "2 parcours", ""),
    ("IA2-1-MASTER-REG", "5 masters", ""),
    ("IA2-1-INVEST", "119 000 000 €", ""),
]


def page(client, url="/", **headers):
    response = client.get(url, headers=headers)
    return response, response.content.decode()


def shown_actions(html: str) -> list[str]:
    return re.findall(r'<tr id="action-([a-z0-9-]+)"', html)


def htmx(client, url):
    return page(client, url, **{"HX-Request": "true", "HX-Target": "filtrage"})


# --- Headline targets ----------------------------------------------------------------------------


def test_the_headline_targets_come_first_each_with_its_target_in_french(client, ia_2_1):
    _, html = page(client)

    section = element(html, "cibles")
    assert "Les cibles phares" in section
    codes = {indicator.code: indicator for indicator in ia_2_1.indicators.all()}
    boxes = re.findall(r'<article class="app-headline[^"]*" id="cible-(\d+)"', section)
    assert boxes == [str(codes[code].pk) for code, _, _ in HEADLINES]
    for code, target, date in HEADLINES:
        box = text(element(section, f"cible-{codes[code].pk}"))
        assert codes[code].label in box
        assert f"Cible : {french(target)}{date} " in box


def test_an_unmeasured_headline_says_who_will_provide_its_value(client, roadmap):
    _, html = page(client)

    section = text(element(html, "cibles"))
    # IA 2-1 has no named lead in the source: the task force provides the values
    assert section.count("Aucune valeur mesurée pour l'instant. Pilote à désigner") == 7
    assert "None" not in section


def test_a_measured_headline_shows_its_value_date_source_progress_and_trajectory(client, ia_2_1):
    indicator = ia_2_1.indicators.get(code="IA2-1-APP-AN")
    Measurement.objects.create(
        indicator=indicator, date=datetime.date(2025, 6, 30), value=35000, source="DGOS, enquête"
    )

    _, html = page(client)

    box = element(html, f"cible-{indicator.pk}")
    assert french("35 000 apprenants") in box
    assert "Au 30 juin 2025, source : DGOS, enquête" in text(box)
    assert '<progress class="app-progress__bar" max="100" value="50"' in box
    assert "Hors trajectoire" in box
    assert "Aucune valeur mesurée" not in box


def test_a_headline_without_dates_says_its_trajectory_cannot_be_computed(client, ia_2_1):
    indicator = ia_2_1.indicators.get(code="IA2-1-MASTER-NUM")
    Measurement.objects.create(
        indicator=indicator, date=datetime.date(2025, 9, 1), value=6, source="DGESIP"
    )

    box = text(element(page(client)[1], f"cible-{indicator.pk}"))

    assert french("6 parcours") in box
    assert french("40 %") in box
    assert "Trajectoire non calculable" in box


def test_a_roadmap_without_configured_headlines_shows_its_first_indicators(client, roadmap):
    roadmap.slug = "autre-feuille-de-route"
    roadmap.save()

    _, html = page(client)

    assert len(re.findall(r'<article class="app-headline', html)) == 6


# --- The actions ---------------------------------------------------------------------------------


def test_every_action_is_listed_with_its_last_update(client, roadmap):
    _, html = page(client)

    assert len(shown_actions(html)) == len(SEED_ACTIONS) == 17
    today = timezone.localdate().strftime("%d/%m/%Y")
    row = element(html, "action-ia-2-1")
    assert f">{today}</time>" in row
    assert "17 actions." in text(element(html, "annonce-filtres"))
    assert "Dernière mise à jour :" in text(html)


def test_an_action_row_flags_overdue_milestones_and_a_contradictory_status(client, ia_2_1):
    Milestone.objects.create(
        action=ia_2_1,
        title="Rapport annuel",
        due_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    set_status(ia_2_1, Status.IN_PROGRESS)

    row = text(element(page(client)[1], "action-ia-2-1"))

    assert "1 jalon en retard" in row
    assert "Déclarée « En cours » alors que des jalons ont dépassé leur échéance" in row


def test_an_action_without_update_for_90_days_is_flagged_stale(client, ia_2_1):
    # GIVEN IA 2-1 last updated at noon, local time, 100 days ago (as in test_my_actions)
    Action.objects.filter(pk=ia_2_1.pk).update(updated_at=noon(-100))

    _, html = page(client)

    assert "Sans mise à jour depuis 100 jours" in text(element(html, "action-ia-2-1"))
    assert "Sans mise à jour" not in text(element(html, "action-ia-2-2"))


PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    "now",
    [
        datetime.datetime(2026, 3, 29, 1, 59, tzinfo=PARIS),  # just before the spring change
        datetime.datetime(2026, 3, 29, 3, 0, tzinfo=PARIS),  # just after it
        datetime.datetime(2026, 10, 25, 2, 30, tzinfo=PARIS).replace(fold=1),  # autumn, twice
        datetime.datetime(2026, 7, 6, 0, 1, tzinfo=PARIS),  # 100 days after the spring change
        datetime.datetime(2026, 7, 6, 23, 59, tzinfo=PARIS),
        datetime.datetime(2027, 2, 2, 0, 30, tzinfo=PARIS),  # still the day before in UTC
    ],
    ids=lambda now: now.isoformat(),
)
def test_the_stale_flag_counts_the_same_days_at_any_hour_and_across_clock_changes(
    client, ia_2_1, now, monkeypatch
):
    # GIVEN the clock at a late or early hour, or around a change of time
    monkeypatch.setattr(timezone, "now", lambda: now.astimezone(datetime.UTC))
    Action.objects.filter(pk=ia_2_1.pk).update(updated_at=noon(-100))

    _, html = page(client)

    assert "Sans mise à jour depuis 100 jours" in text(element(html, "action-ia-2-1"))


# --- Filters -----------------------------------------------------------------------------------


def test_filtering_by_axis_shows_only_that_axis(client, roadmap):
    response, html = page(client, "/?axe=2")

    assert response.status_code == 200
    assert shown_actions(html) == ["ia-2-1", "ia-2-2", "ia-2-3", "ia-2-4", "ia-2-5"]
    assert has_id(html, "axe-2") and not has_id(html, "axe-1")
    assert "5 actions correspondent aux filtres." in text(element(html, "annonce-filtres"))
    assert '<option value="2" selected>Axe 2 – Prise en charge</option>' in html


def test_filtering_by_status_shows_only_the_actions_so_declared(client, roadmap):
    for code in ("IA 2-1", "IA 4-2"):
        set_status(Action.objects.get(code=code), Status.AT_RISK)

    _, html = page(client, "/?statut=at_risk")
    assert shown_actions(html) == ["ia-2-1", "ia-4-2"]

    _, html = page(client, "/?statut=non-renseigne")
    assert len(shown_actions(html)) == 15
    assert "ia-2-1" not in shown_actions(html)


@pytest.mark.parametrize(
    ("acronym", "expected"),
    [
        ("HDH", ["ia-1-3", "ia-4-1"]),  # leads IA 1-3, partners IA 4-1
        ("HAS", ["ia-2-4"]),
        ("PariSanté Campus", ["ia-4-2"]),
    ],
)
def test_filtering_by_organisation_shows_what_it_leads_or_partners(
    client, roadmap, acronym, expected
):
    response = client.get("/", {"organisation": acronym})

    assert shown_actions(response.content.decode()) == expected


def test_filters_combine(client, roadmap):
    set_status(Action.objects.get(code="IA 4-1"), Status.LATE)
    set_status(Action.objects.get(code="IA 1-3"), Status.LATE)

    _, html = page(client, "/?axe=4&statut=late&organisation=HDH")

    assert shown_actions(html) == ["ia-4-1"]
    # each filter in force is a plain link to the same view without it
    tags = element(html, "filtrage")
    assert 'href="?statut=late&amp;organisation=HDH#actions"' in tags
    assert 'href="?axe=4&amp;organisation=HDH#actions"' in tags
    assert 'href="?axe=4&amp;statut=late#actions"' in tags


def test_following_the_link_that_removes_the_last_filter_shows_everything(client, roadmap):
    _, html = page(client, "/?axe=3")

    assert 'href="./#actions"' in element(html, "filtrage")
    assert len(shown_actions(page(client, "/")[1])) == 17


def test_filters_that_match_nothing_say_so_without_an_empty_table(client, roadmap):
    _, html = page(client, "/?axe=1&statut=done")

    assert shown_actions(html) == []
    assert "Aucune action ne correspond à ces filtres." in html
    assert (
        '<a class="fr-btn fr-btn--secondary" href="./#actions">Voir toutes les actions</a>' in html
    )
    assert tables_without_rows(html) == []


@pytest.mark.parametrize("query", ["axe=9", "axe=deux", "statut=termine", "organisation=XYZ"])
def test_an_unknown_filter_value_is_a_bad_request_explained_in_french(client, roadmap, query):
    response, html = page(client, f"/?{query}")

    assert response.status_code == 400
    assert "Sélectionnez un choix valide." in html
    assert 'aria-invalid="true"' in html
    # the other filters still apply, and the page stays usable
    assert len(shown_actions(html)) == 17


def test_the_filter_form_is_a_get_form_that_htmx_enhances(client, roadmap):
    form = element(page(client)[1], "filtres")

    assert 'method="get" action="/#actions"' in form
    assert 'hx-get="/"' in form
    assert 'hx-target="#filtrage"' in form
    assert 'hx-push-url="true"' in form
    assert '<button type="submit"' in form


@pytest.mark.parametrize(
    "query", ["axe=2", "statut=non-renseigne", "organisation=HDH", "axe=1&statut=done", "axe=9"]
)
def test_the_htmx_fragment_swapped_into_the_page_gives_the_filtered_page(client, roadmap, query):
    set_status(Action.objects.get(code="IA 2-1"), Status.IN_PROGRESS)
    _, before = page(client, "/")

    response, fragment = htmx(client, f"/?{query}")
    _, fresh = page(client, f"/?{query}")

    assert "<html" not in fragment
    assert fragment.lstrip().startswith('<div id="filtrage">')
    assert_same_page(apply_htmx(before, fragment, "filtrage"), fresh)
    assert response.status_code == client.get(f"/?{query}").status_code


def test_the_fragment_and_the_page_vary_on_the_htmx_header(client, roadmap):
    response, _ = htmx(client, "/?axe=2")

    assert "HX-Request" in response["Vary"]
    assert "HX-Request" in client.get("/")["Vary"]


def test_an_htmx_history_restore_gets_the_whole_page(client, roadmap):
    _, html = page(
        client,
        "/?axe=2",
        **{"HX-Request": "true", "HX-Target": "filtrage", "HX-History-Restore-Request": "true"},
    )

    assert html.lstrip().startswith("<!DOCTYPE html>")


# --- Empty roadmaps ------------------------------------------------------------------------------


def test_a_roadmap_without_actions_or_indicators_shows_empty_states(client, no_roadmap):
    roadmap = Roadmap.objects.create(
        title="Feuille vide", slug="vide", source_title="Document", source_date="2025-01-01"
    )
    Axis.objects.create(roadmap=roadmap, number=1, short_title="Seul axe", title="Le seul axe")

    response, html = page(client)

    assert response.status_code == 200
    assert "Aucun indicateur n'est encore défini pour cette feuille de route." in text(html)
    assert "Aucune action n'est rattachée à cet axe." in text(html)
    assert "0 action." in text(element(html, "annonce-filtres"))
    assert "None" not in html
    assert tables_without_rows(html) == []


def test_organisations_without_actions_are_not_offered_as_filters(client, roadmap):
    Organisation.objects.create(acronym="ORPHELINE")

    assert "ORPHELINE" not in element(page(client)[1], "filtre-organisation")


def test_a_decimal_target_is_written_the_french_way(client, ia_2_1):
    indicator = ia_2_1.indicators.get(code="IA2-1-APP-AN")
    indicator.target_value = Decimal("70000.5")
    indicator.save()

    assert french("70 000,5 apprenants") in element(page(client)[1], f"cible-{indicator.pk}")


def test_a_signed_in_member_sees_the_same_dashboard(client, roadmap):
    client.force_login(colleague())

    response, html = page(client)

    assert response.status_code == 200
    assert len(shown_actions(html)) == 17


def test_a_large_roadmap_s_actions_come_fifty_to_a_page_and_the_filters_follow(client, roadmap):
    from tests.support.builders import grow

    grow(roadmap, 20)  # 340 actions, 20 times the seed's: 7 pages
    pages = [client.get("/", {"page": number}) for number in range(1, 8)]
    codes = [re.findall(r'<tr id="action-([\w-]+)"', page.content.decode()) for page in pages]

    assert [len(found) for found in codes] == [50] * 6 + [40]
    every = [code for found in codes for code in found]
    expected = Action.objects.order_by("axis__number", "code").values_list("slug", flat=True)
    assert every == list(expected)
    widest = max(roadmap.axes.all(), key=lambda axis: axis.actions.count())
    assert widest.actions.count() > 50
    filtered = client.get("/", {"axe": widest.number}).content.decode()
    assert f'href="?axe={widest.number}&amp;page=2"' in filtered
    assert client.get("/", {"page": 8}).status_code == 404


def test_a_large_axis_page_shows_its_actions_fifty_to_a_page(client, roadmap):
    from tests.support.builders import grow

    grow(roadmap, 20)
    widest = max(roadmap.axes.all(), key=lambda axis: axis.actions.count())
    url = widest.get_absolute_url()

    first, second = client.get(url), client.get(url, {"page": 2})

    codes = [
        re.findall(r'<tr id="action-([\w-]+)"', page.content.decode()) for page in (first, second)
    ]
    assert [len(found) for found in codes] == [50, widest.actions.count() - 50]
    assert codes[0] + codes[1] == list(
        widest.actions.order_by("code").values_list("slug", flat=True)
    )
    assert 'aria-label="Pagination"' in first.content.decode()
    assert client.get(url, {"page": 3}).status_code == 404
