"""Tests of the dashboard `/`: the summary, headline targets, the actions with their flags, and
the filters.

The filters are plain links (the URL carries them) that HTMX applies in place: the fragment it
swaps into the page the reader had must give the same page as a fresh load of the filtered URL.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Organisation
from roadmap.models import (
    Action,
    Axis,
    Indicator,
    Measurement,
    Milestone,
    Roadmap,
    Status,
    Target,
)
from roadmap.progress import period_containing
from tests.support.builders import (
    colleague,
    days,
    make_indicator,
    make_milestone,
    noon,
    set_status,
)
from tests.support.constants import SEED_ACTIONS
from tests.support.html import (
    assert_same_page,
    attributes_of,
    element,
    french,
    french_date,
    has_id,
    tables_without_rows,
    text,
    written_date,
)
from tests.support.htmx import apply_htmx


def current_year() -> tuple[datetime.date, str]:
    """The first day of the academic year containing today, and its label (« 2026/2027 »)."""
    start, _ = period_containing("academic_year", timezone.localdate())
    return start, f"{start.year}/{start.year + 1}"


# Each headline's target as its card states it: a per-year indicator, this year's own.
HEADLINES = [
    ("IA2-1-APP-AN", f"Cible {current_year()[1]}\u00a0:", "70 000 apprenants", ""),
    ("IA2-1-APP-5ANS", "Cible\u00a0:", "500 000 apprenants", " au 31\u00a0août\u00a02029"),
    ("IA2-1-PRO-AN", f"Cible {current_year()[1]}\u00a0:", "140 000 professionnels", ""),
    ("IA2-1-MASTER-NUM", "Cible\u00a0:", "15 parcours", ""),
    ("IA2-1-MASTER-JUR", "Cible\u00a0:", "2 parcours", ""),
    ("IA2-1-MASTER-REG", "Cible\u00a0:", "5 masters", ""),
    ("IA2-1-INVEST", "Cible\u00a0:", "119 000 000 €", ""),
]


def updated(action: Action, moment: datetime.datetime) -> None:
    """A person's change to `action` (its status, by Camille Martin), dated `moment`."""
    set_status(action, Status.IN_PROGRESS, colleague(username=f"camille-{action.slug}"))
    action.history.filter(history_id=action.history.latest("history_id").history_id).update(
        history_date=moment
    )


def page(client, url="/", **headers):
    response = client.get(url, headers=headers)
    return response, response.content.decode()


def shown_actions(html: str) -> list[str]:
    return re.findall(r'<tr id="action-([a-z0-9-]+)"', html)


def htmx(client, url):
    return page(client, url, **{"HX-Request": "true", "HX-Target": "filtrage"})


# --- The summary --------------------------------------------------------------------------------

NNBSP = "\u202f"  # narrow no-break space, before « ; » (French typography)
NBSP = "\u00a0"  # no-break space, before « : »


def summary_links(html: str) -> dict[str, tuple[str, str]]:
    """The summary's figures: id -> (its words, where it links)."""
    section = element(html, "synthese")
    ids = re.findall(r'<a class="app-summary__link" href="[^"]*" id="([^"]+)"', section)
    return {
        ident: (text(element(section, ident)), attributes_of(section, ident)["href"])
        for ident in ids
    }


def test_the_summary_of_the_seed_says_nothing_is_declared_measured_or_updated_yet(client, roadmap):
    _, html = page(client)

    assert text(element(html, "synthese-phrase")) == (
        f"Aucune des 17 actions n'a encore de statut déclaré{NNBSP}; "
        f"1 jalon a dépassé son échéance{NNBSP}; "
        f"aucun des 9 indicateurs n'est encore mesuré{NNBSP}; pas encore de mise à jour."
    )
    # the roadmap's own « Publication de la feuille de route » (20 June 2025) is not done
    assert summary_links(html) == {
        "synthese-statut-unset": ("17 sans statut déclaré", "/?statut=non-renseigne#actions"),
        "synthese-jalons-en-retard": ("1 jalon en retard", "/#jalons-feuille-de-route"),
        "synthese-indicateurs-on_track": ("0 dans la trajectoire", ANCHOR_DESC),
        "synthese-indicateurs-off_track": ("0 hors trajectoire", ANCHOR_ASC),
        "synthese-indicateurs-not_measured": ("9 non mesurés", "/indicateurs/#tableau-indicateurs"),
    }
    assert text(element(element(html, "synthese"), "derniere-mise-a-jour")) == (
        "Pas encore mis à jour"
    )


ANCHOR_DESC = "/indicateurs/?tri=avancement&ordre=desc#tableau-indicateurs"
ANCHOR_ASC = "/indicateurs/?tri=avancement&ordre=asc#tableau-indicateurs"


@pytest.fixture
def at_work(roadmap) -> None:
    """GIVEN two actions in progress (declared by a member today), one at risk, an overdue
    milestone on IA 2-4 besides the roadmap's own, an indicator of IA 2-4 off its trajectory
    and a master count measured without dates to hold it against."""
    member = colleague()
    for code, status in (("IA 2-1", Status.IN_PROGRESS), ("IA 3-1", Status.IN_PROGRESS)):
        set_status(Action.objects.get(code=code), status, member)
    set_status(Action.objects.get(code="IA 4-2"), Status.AT_RISK, member)
    ia_2_4 = Action.objects.get(code="IA 2-4")
    make_milestone(ia_2_4, "Cadrer le guide", due_date=days(-3))
    make_milestone(ia_2_4, "Publier le guide", due_date=days(30))
    # 10 000 professionals halfway through a two-year road to 140 000: far below 70 000
    off = make_indicator(ia_2_4)
    Measurement.objects.create(indicator=off, date=days(0), value=10000, source="HAS")
    Measurement.objects.create(
        indicator=roadmap.indicators.get(code="IA2-1-MASTER-NUM"),
        date=datetime.date(2025, 9, 1),
        value=6,
        source="DGESIP",
    )


@pytest.mark.usefixtures("at_work")
def test_the_summary_counts_statuses_overdue_milestones_and_indicators_off_track(client):
    _, html = page(client)

    assert text(element(html, "synthese-phrase")) == (
        f"Sur 17 actions, 2 en cours, 1 à risque et 14 sans statut déclaré{NNBSP}; "
        f"2 jalons ont dépassé leur échéance{NNBSP}; "
        f"1 indicateur sur 10 est hors trajectoire{NNBSP}; "
        f"dernière mise à jour le {french_date(timezone.localdate())}."
    )
    assert summary_links(html) == {
        "synthese-statut-in_progress": ("2 en cours", "/?statut=in_progress#actions"),
        "synthese-statut-at_risk": ("1 à risque", "/?statut=at_risk#actions"),
        "synthese-statut-unset": ("14 sans statut déclaré", "/?statut=non-renseigne#actions"),
        # in two places: the list of actions, each row flagging its own
        "synthese-jalons-en-retard": ("2 jalons en retard", "/#actions"),
        "synthese-indicateurs-on_track": ("0 dans la trajectoire", ANCHOR_DESC),
        "synthese-indicateurs-off_track": ("1 hors trajectoire", ANCHOR_ASC),
        "synthese-indicateurs-not_measured": ("8 non mesurés", "/indicateurs/#tableau-indicateurs"),
        "synthese-indicateurs-no_trajectory": (
            "1 sans trajectoire",
            "/indicateurs/#tableau-indicateurs",
        ),
    }
    where = element(html, "synthese-jalons")
    assert f"2 jalons en retard dans{NBSP}: IA 2-4" in text(where)
    assert '<a href="/actions/ia-2-4/#jalons">IA 2-4</a>' in where
    assert '<a href="/#jalons-feuille-de-route">feuille de route</a>' in where
    # the last update, in the summary, leads to the journal of the changes
    update = element(element(html, "synthese"), "derniere-mise-a-jour")
    assert '<a href="/journal/"><time datetime="' in update
    assert text(update) == f"Dernière mise à jour\u00a0: {written_date(timezone.localdate())}"


@pytest.mark.usefixtures("at_work")
def test_each_figure_of_the_summary_links_to_the_list_it_counts(client):
    links = summary_links(page(client)[1])

    for ident in (
        "synthese-statut-in_progress",
        "synthese-statut-at_risk",
        "synthese-statut-unset",
    ):
        words, url = links[ident]
        count = int(words.split()[0])
        assert len(shown_actions(page(client, url)[1])) == count
    # the overdue milestones: IA 2-4's own list, and the roadmap's timeline on the dashboard
    ia_2_4 = page(client, "/actions/ia-2-4/")[1]
    assert "Échéance dépassée" in text(element(ia_2_4, "jalons"))
    assert "Échéance dépassée" in text(element(page(client)[1], "jalons-feuille-de-route"))
    # the indicators off track first, least advanced first
    _, listing = page(client, links["synthese-indicateurs-off_track"][1])
    rows = re.findall(r'<tr id="indicateur-(\d+)"', listing)
    assert rows[0] == str(Indicator.objects.get(code="IA2-4-PROS").pk)
    assert "Hors trajectoire" in text(element(listing, f"indicateur-{rows[0]}"))


@pytest.mark.usefixtures("at_work")
def test_the_summary_speaks_of_the_whole_roadmap_whatever_the_filters(client):
    _, everything = page(client)
    _, filtered = page(client, "/?axe=1")
    _, fragment = htmx(client, "/?axe=1")

    assert element(filtered, "synthese") == element(everything, "synthese")
    # the filters' HTMX fragment leaves it where it is, unchanged
    assert "synthese" not in fragment


def test_the_summary_comes_first_under_the_title_with_the_last_update(client, roadmap):
    _, html = page(client)

    main = html[html.index("<h1") :]
    order = [main.index(mark) for mark in ('id="synthese"', 'class="fr-text--lead"', 'id="cibles"')]
    assert order == sorted(order)
    assert main.index("</h1>") < order[0] < main.index('id="derniere-mise-a-jour"') < order[1]
    # the home page has no breadcrumb (DSFR): nothing between the header and the title
    assert 'class="fr-breadcrumb"' not in html


def test_a_single_action_or_indicator_is_counted_in_the_singular(client, no_roadmap):
    roadmap = Roadmap.objects.create(
        title="Petite feuille", slug="petite", source_title="Document", source_date="2025-01-01"
    )
    axis = Axis.objects.create(roadmap=roadmap, number=1, short_title="Seul axe", title="Axe")
    action = Action.objects.create(axis=axis, code="A 1", title="Seule action")
    make_indicator(action, code="A1-IND")

    _, html = page(client)

    assert text(element(html, "synthese-phrase")) == (
        f"Son action n'a pas encore de statut déclaré{NNBSP}; "
        f"aucun jalon n'a dépassé son échéance{NNBSP}; "
        f"son indicateur n'est pas encore mesuré{NNBSP}; "
        # rows written outside the seed's loader count as a person's update
        f"dernière mise à jour le {french_date(timezone.localdate())}."
    )
    assert text(element(html, "synthese-jalons-en-retard")) == "Aucun jalon en retard"
    assert "1 non mesuré" in text(element(html, "synthese-indicateurs"))


def test_an_empty_roadmap_s_summary_says_it_has_nothing_yet(client, no_roadmap):
    Roadmap.objects.create(
        title="Feuille vide", slug="vide", source_title="Document", source_date="2025-01-01"
    )

    _, html = page(client)

    assert text(element(html, "synthese-phrase")) == (
        f"La feuille de route ne compte encore aucune action{NNBSP}; "
        f"aucun jalon n'a dépassé son échéance{NNBSP}; "
        f"aucun indicateur n'est encore suivi{NNBSP}; pas encore de mise à jour."
    )
    assert "Aucune action" in text(element(html, "synthese-actions"))


# --- Headline targets ----------------------------------------------------------------------------


def test_the_headline_targets_come_first_each_with_its_target_in_french(client, ia_2_1):
    _, html = page(client)

    section = element(html, "cibles")
    assert "Les cibles phares" in section
    codes = {indicator.code: indicator for indicator in ia_2_1.indicators.all()}
    boxes = re.findall(r'<article class="app-headline[^"]*" id="cible-(\d+)"', section)
    assert boxes == [str(codes[code].pk) for code, _, _, _ in HEADLINES]
    for code, words, target, date in HEADLINES:
        box = text(element(section, f"cible-{codes[code].pk}"))
        assert box.startswith(f"{codes[code].label} {words} {french(target)}{date} ")


def test_an_unmeasured_headline_says_who_will_provide_its_value(client, roadmap):
    _, html = page(client)

    section = text(element(html, "cibles"))
    # IA 2-1 has no named lead in the source: the task force provides the values
    assert section.count("Aucune valeur mesurée pour l'instant. Pilote à désigner") == 7
    assert "None" not in section


def test_a_measured_headline_shows_its_value_date_source_progress_and_trajectory(client, ia_2_1):
    # GIVEN 35 000 learners this academic year, a month in, and 65 000 in 2024/2025
    indicator = ia_2_1.indicators.get(code="IA2-1-APP-AN")
    start, label = current_year()
    on = min(timezone.localdate(), start + datetime.timedelta(days=30))
    Measurement.objects.create(indicator=indicator, date=on, value=35000, source="DGOS, enquête")
    Measurement.objects.create(
        indicator=indicator, date=datetime.date(2025, 6, 30), value=65000, source="DGOS"
    )

    _, html = page(client)

    box = element(html, f"cible-{indicator.pk}")
    words = text(box)
    # THEN the card holds this year against its own target, then the past years beside it
    assert f"Cible {label}\u00a0: {french('70 000 apprenants')} " in words
    assert f" {french('35 000 apprenants')} Au {written_date(on)}" in words
    assert "source\u00a0: DGOS, enquête" in words
    assert '<progress class="app-progress__bar" max="100" value="50"' in box
    assert f"{french('50 %')} de la cible {label} Dans la trajectoire" in words
    assert (
        f"Périodes passées\u00a0: 2024/2025\u00a0: {french('65 000 apprenants')} pour une cible de "
        f"{french('70 000 apprenants')} Cible non atteinte"
    ) in words
    assert "Aucune valeur mesurée" not in box
    # AND the five-year total sums the years, from the same measurements and source
    total = text(element(html, f"cible-{ia_2_1.indicators.get(code='IA2-1-APP-5ANS').pk}"))
    assert f" {french('100 000 apprenants')} Au {written_date(on)}" in total
    assert "source\u00a0: DGOS, enquête" in total
    assert f"{french('20 %')} " in total


def test_every_interpreted_headline_carries_its_rule(client, ia_2_1):
    _, html = page(client)

    for code, _, _, _ in HEADLINES:
        indicator = ia_2_1.indicators.get(code=code)
        box = text(element(html, f"cible-{indicator.pk}"))
        if indicator.interpretation:
            assert f"Interprétation {indicator.interpretation}" in box
        else:
            assert "Interprétation" not in box
    assert not ia_2_1.indicators.get(code="IA2-1-INVEST").interpretation


def test_every_headline_quotes_the_source_sentence_of_its_target(client, ia_2_1):
    _, html = page(client)

    for code, _, _, _ in HEADLINES:
        indicator = ia_2_1.indicators.get(code=code)
        assert indicator.source
        quoted = element(html, f"cible-{indicator.pk}-source")
        assert f"<q>{escape(indicator.source)}</q>" in quoted
        assert text(quoted) == f"Source de la cible\u00a0: {text(escape(indicator.source))}"


def test_an_interpreted_intermediate_target_carries_its_rule_on_its_card(client, ia_2_1):
    indicator = ia_2_1.indicators.get(code="IA2-1-MASTER-NUM")
    indicator.target_date = days(700)
    indicator.baseline_date = days(-100)
    indicator.baseline_value = 0
    indicator.save()
    Target.objects.create(
        indicator=indicator, on=days(200), value=5, interpretation="Un tiers à mi-parcours."
    )

    box = text(element(page(client)[1], f"cible-{indicator.pk}"))

    assert "Cible intermédiaire : 5 parcours au" in box.replace(NBSP, " ")
    assert "Interprétation Un tiers à mi-parcours." in box


def test_a_headline_without_dates_says_its_trajectory_cannot_be_computed(client, ia_2_1):
    indicator = ia_2_1.indicators.get(code="IA2-1-MASTER-NUM")
    Measurement.objects.create(
        indicator=indicator, date=datetime.date(2025, 9, 1), value=6, source="DGESIP"
    )

    box = text(element(page(client)[1], f"cible-{indicator.pk}"))

    assert french("6 parcours") in box
    assert french("40\u202f%") in box
    assert "Trajectoire non calculable" in box


def test_a_roadmap_without_configured_headlines_shows_its_first_indicators(client, roadmap):
    roadmap.slug = "autre-feuille-de-route"
    roadmap.save()

    _, html = page(client)

    assert len(re.findall(r'<article class="app-headline', html)) == 6


# --- The actions ---------------------------------------------------------------------------------


def test_every_action_is_listed_not_yet_updated_until_a_person_changes_it(client, roadmap):
    # GIVEN the seed as loaded: the loader is no person, nothing is updated yet
    _, html = page(client)

    assert len(shown_actions(html)) == len(SEED_ACTIONS) == 17
    for slug in shown_actions(html):
        assert text(element(html, f"action-{slug}")).endswith(" Pas encore mis à jour")
    assert text(element(html, "derniere-mise-a-jour")) == "Pas encore mis à jour"
    assert "17 actions." in text(element(html, "annonce-filtres"))

    # WHEN a member declares the status of IA 2-1
    set_status(Action.objects.get(code="IA 2-1"), Status.IN_PROGRESS, colleague())

    _, html = page(client)
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert text(element(html, "action-ia-2-1")).endswith(f" {today}")
    assert text(element(html, "action-ia-2-2")).endswith(" Pas encore mis à jour")
    assert text(element(html, "derniere-mise-a-jour")).startswith("Dernière mise à jour\u00a0: ")


def test_each_axis_list_is_a_labelled_region_and_each_cell_carries_its_column_label(
    client, roadmap
):
    listing = element(page(client)[1], "actions-axe-2")

    # a region the keyboard reaches, should it scroll; on a phone each row is a card, each
    # cell under its column's label (static/css/app.css)
    region = re.search(r'<div class="fr-table__container" ([^>]*)>', listing).group(1)
    assert unescape(region) == 'tabindex="0" role="region" aria-label="Actions de l\'axe 2"'
    assert 'class="app-actions-table app-stack"' in listing
    cells = re.findall(r'data-label="([^"]+)"', element(listing, "action-ia-2-4"))
    assert cells == ["Pilote", "Statut", "Avancement", "Prochain jalon", "Mise à jour"]


def test_an_action_row_shows_its_progress_with_the_counts_it_rests_on(client, ia_2_1):
    Milestone.objects.create(
        action=ia_2_1,
        title="Premier bilan",
        due_date=datetime.date(2025, 3, 31),
        done_on=datetime.date(2025, 3, 28),
    )

    _, html = page(client)

    assert f"{french('100 %')} 1 sur 1 jalon réalisé " in text(element(html, "action-ia-2-1"))
    # an action with neither milestone nor indicator is not measured, and says why
    assert "Non mesuré aucun jalon ni indicateur " in text(element(html, "action-ia-2-2"))


def test_an_action_row_flags_overdue_milestones_and_a_contradictory_status(client, ia_2_1):
    Milestone.objects.create(
        action=ia_2_1,
        title="Rapport annuel",
        due_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    set_status(ia_2_1, Status.IN_PROGRESS)

    row = text(element(page(client)[1], "action-ia-2-1"))

    assert "1 jalon en retard" in row
    assert "Déclarée «\u202fEn cours\u202f» alors que des jalons ont dépassé leur échéance" in row


def test_an_action_without_update_for_90_days_is_flagged_stale(client, ia_2_1):
    # GIVEN IA 2-1 last updated by a person at noon, local time, 100 days ago, and IA 2-2 today
    updated(ia_2_1, noon(-100))
    updated(Action.objects.get(code="IA 2-2"), noon(0))

    _, html = page(client)

    assert "Sans mise à jour depuis 100 jours" in text(element(html, "action-ia-2-1"))
    assert "mise à jour" not in text(element(html, "action-ia-2-2")).replace("Mise à jour", "")
    # AND an action nobody ever updated is stale too
    assert "Jamais mise à jour" in text(element(html, "action-ia-2-3"))


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
    updated(ia_2_1, noon(-100))

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


# --- The roadmap's own milestones ---------------------------------------------------------------


def test_the_roadmap_s_own_milestones_are_a_timeline_with_their_interpretations(client, roadmap):
    _, html = page(client)

    timeline = element(html, "jalons-feuille-de-route-frise")
    assert timeline.startswith('<ol class="app-timeline"')
    done, late = Milestone.objects.filter(roadmap=roadmap, action=None).order_by("due_date")
    assert re.findall(r'<li class="app-timeline__step ([^"]*)" id="jalon-(\d+)"', timeline) == [
        ("app-timeline__step--done", str(done.pk)),
        ("app-timeline__step--overdue", str(late.pk)),
    ]
    assert text(element(timeline, f"jalon-{done.pk}")) == (
        "Publication de l’état des lieux «\u202fIA en santé\u202f» Échéance\u00a0: "
        "11\u00a0février\u00a02025 "
        f"Interprétation {done.interpretation} Réalisé le 11\u00a0février\u00a02025"
    )
    assert text(element(timeline, f"jalon-{late.pk}")) == (
        "Publication de la feuille de route de l’IA en santé Échéance\u00a0: "
        "20\u00a0juin\u00a02025 "
        f"Interprétation {late.interpretation} Échéance dépassée Non réalisé"
    )


def test_the_roadmap_s_period_carries_its_interpretation(client, roadmap):
    _, html = page(client)

    assert (
        "Période\u00a0: 2023-2027 Interprétation La période «\u202f2023-2027\u202f» est celle du "
        "plan "
        "Numérique en santé"
    ) in text(html)


def test_a_roadmap_without_own_milestones_says_so(client, roadmap):
    Milestone.objects.filter(roadmap=roadmap, action=None).delete()

    section = text(element(page(client)[1], "jalons-feuille-de-route"))

    assert section == (
        "Les jalons de la feuille de route "
        "Aucun jalon n'est défini pour la feuille de route elle-même."
    )


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


# --- The source's own words ---------------------------------------------------------------------


def test_the_roadmap_s_description_is_quoted_with_its_document_and_date(client, roadmap):
    assert roadmap.description.startswith("Ce document, intitulé")

    _, html = page(client)

    quote = element(html, "feuille-de-route-citation")
    assert quote.startswith('<figure class="fr-quote')
    (blockquote,) = re.findall(r"<blockquote>(.*?)</blockquote>", quote, re.S)
    # between guillemets, a narrow no-break space inside each, no lang on a French page
    said = text(blockquote)
    assert said.startswith(f"«{NNBSP}Ce document, intitulé")
    assert said.endswith(f"{NNBSP}»")
    assert said == text(f"«{NNBSP}{escape(roadmap.description)}{NNBSP}»")
    (caption,) = re.findall(r"<figcaption>(.*?)</figcaption>", quote, re.S)
    assert f"<cite>{escape(roadmap.source_title)}</cite>" in caption
    assert (
        "<time "
        f'datetime="{roadmap.source_date:%Y-%m-%d}">{written_date(roadmap.source_date)}</time>'
        in caption
    )
    assert 'lang="fr"' not in quote


def test_a_roadmap_without_description_has_no_quote(client, roadmap):
    roadmap.description = ""
    roadmap.save()

    _, html = page(client)

    assert not has_id(html, "feuille-de-route-citation")
    assert "fr-quote" not in html
