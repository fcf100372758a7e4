"""Tests of the public pages: the dashboard `/`, `/axes/<number>/` and `/actions/<slug>/`.

What an anonymous reader sees of the seed roadmap (every action under its axis, owners, targets in
French formatting with their source sentences), what an empty database shows, the errors (404,
405), the shared layout (DSFR header, sign-in, assets served by the app) and a number of SQL
queries that does not grow with the size of the roadmap.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Organisation, Role, User
from roadmap.models import Action, Indicator, Measurement, Milestone, Roadmap, Status, Target
from roadmap.permissions import can_edit
from roadmap.progress import period_containing
from roadmap.summaries import editing_organisations
from roadmap.templatetags.roadmap_tags import number, percent, quantity
from tests.support.builders import grow, grow_action
from tests.support.constants import PASSWORD, SEED, SEED_ACTIONS, seed_indicator
from tests.support.html import element, french, has_id, text, written_date

# The most queries each page may issue for an anonymous reader, whatever the roadmap's size.
# Dashboard: the data version (roadmap.caching), the roadmap, its axes, the organisations
# (filters), 2 for the page of actions (their count, then their ids), 5 for the actions and
# their figures (actions, milestones, indicators, their dated targets and those of the
# indicators they sum), 1 for the readings (of every indicator), 5 for the headline targets
# (indicators, the two kinds of targets, the two kinds of measurements), 1 for the roadmap's own
# milestones, 2 for the last change a person made (to the actions, to the roadmap's own
# milestones) and 5 for the summary (the actions counted by status, every milestone's dates, the
# indicators still followed with the two kinds of targets).
DASHBOARD_MAX_QUERIES = 25
# The axis page: the data version, the roadmap, the axes, the page of actions (2), the actions
# and their figures (5), the readings and the axis's last update by a person.
AXIS_MAX_QUERIES = 12
# The action page: the data version, the roadmap, the action, its partners, milestones,
# indicators, both kinds of targets and of measurements, its notes, its history (5:
# roadmap.history) and the axes of the navigation.
ACTION_MAX_QUERIES = 17


def with_targets(roadmap: Roadmap) -> None:
    """Give every indicator grown by `grow` an intermediate dated target, so that the large
    size has a row in every prefetch of the targets (the seed's per-year indicators and their
    sum have theirs in the others)."""
    Target.objects.bulk_create(
        Target(indicator=indicator, on=timezone.localdate(), value=500)
        for indicator in Indicator.objects.filter(roadmap=roadmap, code__startswith="IND-")
    )


def html_of(response) -> str:
    return response.content.decode()


def words(html: str, element_id: str) -> str:
    """The text of the element with `element_id`, its no-break spaces kept (`french`)."""
    return text(element(html, element_id))


def fragment(html: str, element_id: str, closing_tag: str) -> str:
    """The markup of the element with `element_id`, up to its first `closing_tag`."""
    start = html.index(f'id="{element_id}"')
    return html[start : html.index(closing_tag, start)]


# --- The dashboard -------------------------------------------------------------------------------


def test_an_anonymous_reader_sees_every_action_of_the_seed_under_its_axis(client, roadmap):
    # GIVEN the seed roadmap, WHEN an anonymous reader opens the dashboard
    response = client.get("/")

    # THEN the page answers, with the roadmap's title, source document and date
    assert response.status_code == 200
    html = html_of(response)
    assert escape(SEED["roadmap"]["title"]) in html
    assert escape(SEED["roadmap"]["source_title"]) in html
    assert "11\u00a0février\u00a02025" in html
    # AND each of the 4 axes lists its own actions, each with its exact title and a link to it
    assert len(SEED["axes"]) == 4
    assert len(SEED_ACTIONS) == 17
    for axis in SEED["axes"]:
        section = fragment(html, f"axe-{axis['number']}", "</section>")
        assert f"Axe {axis['number']} – {escape(axis['short_title'])}" in section
        assert escape(axis["title"]) in section
        assert section.count('<tr id="action-') == len(axis["actions"])
        for action in axis["actions"]:
            slug = action["code"].lower().replace(" ", "-")
            row = fragment(section, f"action-{slug}", "</tr>")
            assert f">{action['code']}<" in row
            assert f'<a href="/actions/{slug}/">{escape(action["title"])}</a>' in row


def test_the_dashboard_shows_each_action_s_lead_status_progress_and_next_milestone(client, roadmap):
    # GIVEN the seed, where IA 1-3 is led by the HDH and IA 2-1 has no named lead
    html = html_of(client.get("/"))

    ia_1_3 = fragment(html, "action-ia-1-3", "</tr>")
    assert 'title="Plateforme des Données de Santé">HDH</abbr>' in ia_1_3
    assert "Pilote à désigner" not in ia_1_3
    ia_2_1 = fragment(html, "action-ia-2-1", "</tr>")
    assert "Pilote à désigner" in ia_2_1
    # AND no status is declared, nothing is measured, no milestone is planned
    for _, action in SEED_ACTIONS:
        row = fragment(html, "action-" + action["code"].lower().replace(" ", "-"), "</tr>")
        assert "Non renseigné" in row
        assert "Non mesuré" in row
        assert "Aucun jalon à venir" in row


def test_the_dashboard_shows_a_declared_status_as_a_coloured_badge(client, ia_2_1):
    ia_2_1.status = Status.IN_PROGRESS
    ia_2_1.save()

    row = fragment(html_of(client.get("/")), "action-ia-2-1", "</tr>")

    assert '<p class="fr-badge fr-badge--sm fr-badge--info">En cours</p>' in row
    assert "Non renseigné" not in row


def test_the_dashboard_shows_milestone_progress_and_the_next_overdue_milestone(client, ia_2_1):
    # GIVEN an action with one milestone done, one overdue and one to come
    today = timezone.localdate()
    Milestone.objects.create(
        action=ia_2_1,
        title="Premier bilan",
        due_date=today - datetime.timedelta(days=40),
        done_on=today - datetime.timedelta(days=41),
    )
    Milestone.objects.create(
        action=ia_2_1, title="Rapport annuel", due_date=today - datetime.timedelta(days=5)
    )
    Milestone.objects.create(
        action=ia_2_1, title="Bilan final", due_date=today + datetime.timedelta(days=60)
    )

    row = fragment(html_of(client.get("/")), "action-ia-2-1", "</tr>")

    # THEN its progress is the share of milestones done, as a bar and a figure
    assert '<progress class="app-progress__bar" max="100" value="33"' in row
    assert french("33\u202f%") in row
    # AND its next milestone is the overdue one, flagged
    assert "Rapport annuel" in row
    assert "Bilan final" not in row
    assert "Échéance dépassée" in row


def test_an_empty_database_shows_an_empty_state_and_no_none(client, no_roadmap):
    # GIVEN no roadmap at all
    assert not Roadmap.objects.exists()

    response = client.get("/")

    assert response.status_code == 200
    html = html_of(response)
    assert "Aucune feuille de route n'est chargée pour le moment." in html
    assert "Les administrateurs du service chargent la feuille de route" in html
    assert "None" not in html
    assert '<tr id="action-' not in html


def test_the_pages_of_an_empty_database_are_not_found(client, no_roadmap):
    assert client.get("/axes/1/").status_code == 404
    assert client.get("/actions/ia-2-1/").status_code == 404


# --- One axis ------------------------------------------------------------------------------------


def test_an_axis_page_shows_the_axis_and_only_its_actions(client, roadmap):
    response = client.get("/axes/2/")

    assert response.status_code == 200
    html = html_of(response)
    axis = SEED["axes"][1]
    assert f'<h1 class="fr-mb-2w">Axe 2 – {escape(axis["short_title"])}</h1>' in html
    assert escape(axis["title"]) in html
    assert html.count('<tr id="action-') == 5
    for action in axis["actions"]:
        assert escape(action["title"]) in html
    assert "IA 1-1" not in html
    # AND the navigation marks this axis as the current page
    assert re.search(r'href="/axes/2/"\s+aria-current="page"', html)
    assert not re.search(r'href="/axes/1/"\s+aria-current', html)


@pytest.mark.parametrize("number", [0, 5, 99])
def test_an_unknown_axis_is_not_found(client, roadmap, number):
    assert client.get(f"/axes/{number}/").status_code == 404


# --- One action ----------------------------------------------------------------------------------


EXPECTED_TARGETS = {
    "IA2-1-PRO-AN": "140 000 professionnels",
    "IA2-1-APP-AN": "70 000 apprenants",
    "IA2-1-APP-5ANS": "500 000 apprenants",
    "IA2-1-MASTER-NUM": "15 parcours",
    "IA2-1-MASTER-JUR": "2 parcours",
    "IA2-1-MASTER-REG": "5 masters",
    "IA2-1-EHESP-DIR": "100\u202f%",
    "IA2-1-EHESP-MASTERS": "5 masters",
    "IA2-1-INVEST": "119 000 000 €",
}


def test_the_action_page_shows_each_target_in_french_with_its_source_sentence(client, ia_2_1):
    response = client.get("/actions/ia-2-1/")

    assert response.status_code == 200
    html = html_of(response)
    indicators = {indicator.code: indicator for indicator in ia_2_1.indicators.all()}
    assert set(indicators) == set(EXPECTED_TARGETS)
    for code, target in EXPECTED_TARGETS.items():
        seed = seed_indicator(code)
        row = fragment(html, f"indicateur-{indicators[code].pk}", "</tr>")
        assert escape(seed["label"]) in row
        assert f'<span class="app-nowrap">{french(target)}</span>' in row
        assert f"Source\u00a0: <q>{escape(seed['source'])}</q>" in row
        assert "Aucune valeur mesurée" in row
    # AND the dated targets show their date, the per-year ones the end of this year, the others
    # say so
    _, end = period_containing("academic_year", timezone.localdate())
    per_year = fragment(html, f"indicateur-{indicators['IA2-1-APP-AN'].pk}", "</tr>")
    assert f"{end:%d/%m/%Y}" in per_year
    assert "31/08/2029" in fragment(html, f"indicateur-{indicators['IA2-1-APP-5ANS'].pk}", "</tr>")
    assert "Non précisée" in fragment(html, f"indicateur-{indicators['IA2-1-INVEST'].pk}", "</tr>")


def test_the_action_page_shows_the_kind_of_each_indicator(client, ia_2_1):
    html = html_of(client.get("/actions/ia-2-1/"))
    indicators = {indicator.code: indicator for indicator in ia_2_1.indicators.all()}

    for code, kind in (
        (
            "IA2-1-APP-AN",
            'Par période<br><span class="fr-text--xs">'
            "Année universitaire (septembre à août)</span>",
        ),
        ("IA2-1-APP-5ANS", "Cumulatif"),
        ("IA2-1-MASTER-NUM", "Niveau"),
    ):
        cell = f'<td data-label="Type">{kind}</td>'
        assert cell in fragment(html, f"indicateur-{indicators[code].pk}", "</tr>")


def test_the_action_page_shows_the_texts_of_the_source_with_their_line_breaks(client, ia_2_1):
    html = html_of(client.get("/actions/ia-2-1/"))

    assert '<h2 class="fr-h4">Objectif</h2>' in html
    assert '<h2 class="fr-h4">Cadre</h2>' in html
    first, second = (escape(line) for line in ia_2_1.objective.split("\n"))
    assert f"<p>{first}<br>{second}</p>" in html
    assert escape(ia_2_1.framework) in html


def test_the_action_page_shows_the_current_value_and_progress_of_a_measured_indicator(
    client, ia_2_1
):
    indicator = ia_2_1.indicators.get(code="IA2-1-APP-AN")
    start, _ = period_containing("academic_year", timezone.localdate())
    on = min(timezone.localdate(), start + datetime.timedelta(days=30))
    Measurement.objects.create(indicator=indicator, date=on, value=35000, source="DGOS")

    html = html_of(client.get("/actions/ia-2-1/"))
    row = fragment(html, f"indicateur-{indicator.pk}", "</tr>")

    assert french("35 000 apprenants") in row
    assert f"au {on:%d/%m/%Y}" in row
    assert french("50\u202f%") in row
    assert "Aucune valeur mesurée" not in row
    # a month into the year, 35 000 is above the line from 0 to 70 000 over the year
    assert "Dans la trajectoire" in row
    # AND the action, which has no milestone, progresses as the mean of its two measured
    # indicators: this year's learners (50 %) and the five years' total they add to (7 %)
    assert f"{french('29 %')} moyenne de 2 indicateurs mesurés sur 9" in words(
        html_of(client.get("/")), "action-ia-2-1"
    )


def test_the_action_page_shows_the_lead_organisation(client, roadmap):
    html = html_of(client.get("/actions/ia-1-3/"))

    assert "Plateforme des Données de Santé (HDH)" in html
    assert "Pilote à désigner" not in html


def test_the_action_page_says_a_lead_is_to_be_named_when_the_source_names_none(client, roadmap):
    html = html_of(client.get("/actions/ia-2-1/"))

    assert "Pilote à désigner" in html
    assert "Aucun partenaire désigné" in html


# --- Who may edit an action ----------------------------------------------------------------------


def editors_line(client, slug: str) -> str | None:
    html = html_of(client.get(f"/actions/{slug}/"))
    return text(element(html, "modifiable-par")) if has_id(html, "modifiable-par") else None


def test_a_member_who_may_not_edit_an_action_is_told_who_may(client, roadmap, dns_member):
    client.force_login(dns_member)

    # IA 2-4 is led by the HAS alone; IA 4-1 has no lead and eight partners, the DNS among them
    assert editors_line(client, "ia-2-4") == (
        "Modifiable par les membres de l'organisation HAS et par les administrateurs."
    )
    assert editors_line(client, "ia-4-1") is None
    assert editors_line(client, "ia-2-1") == (
        "Pilote à désigner\u00a0: seuls les administrateurs peuvent la modifier."
    )


def test_every_organisation_of_the_pilots_is_named_lead_first(client, roadmap, has_member):
    action = Action.objects.get(code="IA 1-3")  # led by the HDH
    action.partners.set(Organisation.objects.filter(acronym__in=["DNS", "ARS"]))
    client.force_login(has_member)

    # the partners as « En bref » lists them, by acronym
    assert editors_line(client, "ia-1-3") == (
        "Modifiable par les membres des organisations HDH, ARS et DNS et par les administrateurs."
    )


def test_no_line_for_those_who_may_edit_nor_for_an_anonymous_reader(
    client, roadmap, has_member, administrator
):
    assert editors_line(client, "ia-2-4") is None
    client.force_login(has_member)
    assert editors_line(client, "ia-2-4") is None
    client.force_login(administrator)
    assert editors_line(client, "ia-2-1") is None


def test_a_signed_in_reader_without_an_organisation_is_told_who_may_edit(client, roadmap, reader):
    client.force_login(reader)

    assert editors_line(client, "ia-1-3") == (
        "Modifiable par les membres de l'organisation HDH et par les administrateurs."
    )


def test_the_organisations_named_are_exactly_those_whose_members_may_edit(roadmap):
    # The wording is derived from the inputs of the one rule (`editable_by`): it cannot drift.
    Action.objects.get(code="IA 1-3").partners.add(Organisation.objects.get(acronym="DNS"))
    organisations = list(Organisation.objects.all())
    members = {
        organisation.pk: User.objects.create_user(
            f"membre-{organisation.pk}", role=Role.MEMBER, organisation=organisation
        )
        for organisation in organisations
    }
    for action in Action.objects.filter(roadmap=roadmap).prefetch_related("partners"):
        named = {organisation.pk for organisation in editing_organisations(action)}
        allowed = {
            organisation.pk
            for organisation in organisations
            if can_edit(members[organisation.pk], action)
        }
        assert named == allowed, action.code


def test_en_bref_comes_before_the_texts_of_the_action(client, ia_2_1):
    html = html_of(client.get("/actions/ia-2-1/"))

    # status, progress and pilots first, at every size (the page's order is the reading order)
    facts = html.index('id="resume"')
    assert html.index("</h1>") < facts < html.index(">Objectif</h2>")
    assert facts < html.index(">Description</h2>")


def test_the_action_page_lists_the_eight_partners_of_ia_4_1(client, roadmap):
    html = html_of(client.get("/actions/ia-4-1/"))

    start = html.index('<ul class="app-partners">')
    names = re.findall(r"<li>(.*?)</li>", html[start : html.index("</ul>", start)])
    expected = [
        organisation.display_name
        for organisation in Organisation.objects.filter(
            acronym__in=SEED["axes"][3]["actions"][0]["partners"]
        )
    ]
    assert len(expected) == 8
    assert sorted(names) == sorted(escape(name) for name in expected)


def test_the_action_page_shows_milestones_as_a_timeline_of_their_states(client, ia_2_1):
    today = timezone.localdate()
    done = Milestone.objects.create(
        action=ia_2_1,
        title="Premier bilan",
        due_date=datetime.date(2025, 3, 31),
        done_on=datetime.date(2025, 3, 28),
    )
    late = Milestone.objects.create(
        action=ia_2_1, title="Rapport annuel", due_date=today - datetime.timedelta(days=1)
    )
    coming = Milestone.objects.create(
        action=ia_2_1, title="Bilan final", due_date=datetime.date(2026, 1, 15)
    )
    coming.due_date = today + datetime.timedelta(days=1)  # rescheduled
    coming.save()

    html = html_of(client.get("/actions/ia-2-1/"))

    # THEN the milestones are an ordered list, earliest due first, each step with its state
    timeline = element(html, "jalons-frise")
    assert timeline.startswith(
        '<ol class="app-timeline" id="jalons-frise" aria-labelledby="jalons-frise-titre">'
    )
    assert re.findall(r'<li class="app-timeline__step ([^"]*)" id="jalon-(\d+)"', timeline) == [
        ("app-timeline__step--done", str(done.pk)),
        ("app-timeline__step--overdue", str(late.pk)),
        ("app-timeline__step--upcoming app-timeline__step--rescheduled", str(coming.pk)),
    ]
    assert words(html, f"jalon-{done.pk}") == (
        "Premier bilan Échéance\u00a0: 31\u00a0mars\u00a02025 Réalisé le 28\u00a0mars\u00a02025"
    )
    assert words(html, f"jalon-{late.pk}") == (
        f"Rapport annuel Échéance\u00a0: {written_date(late.due_date)} Échéance dépassée Non "
        f"réalisé"
    )
    # AND a rescheduled one shows its first due date, struck out
    assert words(html, f"jalon-{coming.pk}") == (
        f"Bilan final Échéance\u00a0: {written_date(coming.due_date)} "
        "(replanifié, initialement le 15\u00a0janvier\u00a02026 ) À venir Non réalisé"
    )
    assert '<del><time datetime="2026-01-15">15\u00a0janvier\u00a02026</time></del>' in timeline
    assert "<table" not in element(html, "jalons")


def test_the_action_page_shows_progress_with_its_counts_and_no_update_yet(client, roadmap):
    html = html_of(client.get("/actions/ia-2-2/"))

    assert words(html, "derniere-mise-a-jour") == "Pas encore mis à jour"
    assert "Avancement Non mesuré aucun jalon ni indicateur Pilote" in words(html, "resume")


def test_an_interpreted_milestone_date_carries_its_rule(client, ia_2_1):
    milestone = Milestone.objects.create(
        action=ia_2_1,
        title="Rapport d'étape",
        due_date=datetime.date(2027, 6, 20),
        interpretation="«\u202fAvant l'été 2027\u202f» est lu comme le 20\u00a0juin\u00a02027.",
    )

    html = html_of(client.get("/actions/ia-2-1/"))

    assert words(html, f"jalon-{milestone.pk}") == (
        "Rapport d'étape Échéance\u00a0: 20\u00a0juin\u00a02027 Interprétation «\u202fAvant l'été "
        "2027\u202f» est lu "
        "comme le 20\u00a0juin\u00a02027. À venir Non réalisé"
    )


def test_every_interpreted_indicator_of_the_action_page_carries_its_rule(client, ia_2_1):
    html = html_of(client.get("/actions/ia-2-1/"))

    for indicator in ia_2_1.indicators.all():
        row = words(html, f"indicateur-{indicator.pk}")
        if indicator.interpretation:
            assert f"Interprétation {indicator.interpretation}" in row
        else:
            assert "Interprétation" not in row
    # The sum says what it adds up
    total = ia_2_1.indicators.get(code="IA2-1-APP-5ANS")
    assert (
        "Somme des périodes de l'indicateur «\u202fApprenants professionnels de santé et "
        "médico-sociaux formés par an, dès la rentrée universitaire 2024/2025\u202f»\u00a0: ses "
        "propres mesures ne comptent pas."
    ) in words(html, f"indicateur-{total.pk}")


def test_each_past_year_is_held_against_its_own_target(client, ia_2_1):
    # GIVEN 2024/2025 with its own, higher target, reached; 2025/2026 missed
    indicator = ia_2_1.indicators.get(code="IA2-1-APP-AN")
    Target.objects.create(indicator=indicator, on=datetime.date(2025, 8, 31), value=80000)
    for on, value in ((datetime.date(2025, 6, 30), 81000), (datetime.date(2026, 6, 30), 60000)):
        Measurement.objects.create(indicator=indicator, date=on, value=value, source="DGOS")

    row = words(html_of(client.get("/actions/ia-2-1/")), f"indicateur-{indicator.pk}")

    start, _ = period_containing("academic_year", timezone.localdate())
    expected = ["Périodes passées\u00a0:"]
    expected.append(
        f"2024/2025\u00a0: {french('81 000 apprenants')} pour une cible de "
        f"{french('80 000 apprenants')} Cible atteinte"
    )
    expected.append(
        f"2025/2026\u00a0: {french('60 000 apprenants')} pour une cible de "
        f"{french('70 000 apprenants')} Cible non atteinte"
    )
    expected.extend(
        f"{year}/{year + 1}\u00a0: aucune valeur mesurée, pour une cible de "
        f"{french('70 000 apprenants')}"
        for year in range(2026, start.year)
    )
    assert " ".join(expected) in row


def test_progress_toward_an_intermediate_target_and_the_final_one(client, ia_2_1):
    # GIVEN 119 M€ by the end of 2029, 50 M€ by 31 August 2027, 6 M€ spent
    indicator = ia_2_1.indicators.get(code="IA2-1-INVEST")
    indicator.baseline_date = datetime.date(2024, 1, 1)
    indicator.target_date = datetime.date(2029, 12, 31)
    indicator.save()
    Target.objects.create(
        indicator=indicator,
        on=datetime.date(2027, 8, 31),
        value=50_000_000,
        interpretation="La moitié environ à mi-parcours.",
    )
    Measurement.objects.create(
        indicator=indicator, date=datetime.date(2026, 6, 30), value=6_000_000, source="DGOS"
    )

    row = words(html_of(client.get("/actions/ia-2-1/")), f"indicateur-{indicator.pk}")

    assert (
        f"{french('119 000 000 €')} Cible intermédiaire\u00a0: {french('50 000 000 €')} au "
        f"31/08/2027 "
        "Interprétation La moitié environ à mi-parcours. 31/12/2029"
    ) in row
    assert (
        f"{french('12 %')} de la cible intermédiaire du 31\u00a0août\u00a02027\u202f; "
        f"{french('5 %')} de la cible finale Hors trajectoire"
    ) in row


def test_after_the_final_target_date_it_says_reached_or_not_and_forecasts_nothing(client, ia_2_1):
    indicator = ia_2_1.indicators.get(code="IA2-1-INVEST")
    indicator.baseline_date = datetime.date(2023, 1, 1)
    indicator.target_date = datetime.date(2025, 12, 31)
    indicator.save()
    Measurement.objects.create(
        indicator=indicator, date=datetime.date(2025, 6, 30), value=100_000_000, source="DGOS"
    )

    html = html_of(client.get("/actions/ia-2-1/"))
    row = words(html, f"indicateur-{indicator.pk}")

    assert row.endswith(
        f"Cible non atteinte avec {french('100 000 000 €')} pour une cible de "
        f"{french('119 000 000 €')}"
    )
    assert "trajectoire" not in row
    assert "Prévision" not in words(html, f"graphique-{indicator.pk}")

    Measurement.objects.create(
        indicator=indicator, date=datetime.date(2025, 11, 30), value=20_000_000, source="DGOS"
    )
    row = words(html_of(client.get("/actions/ia-2-1/")), f"indicateur-{indicator.pk}")
    assert row.endswith(
        f"Cible atteinte avec {french('120 000 000 €')} pour une cible de {french('119 000 000 €')}"
    )


def test_a_retired_indicator_is_listed_apart_and_counts_for_nothing(client, ia_2_1):
    # GIVEN two measured indicators, one of them retired
    kept = ia_2_1.indicators.get(code="IA2-1-MASTER-NUM")
    gone = ia_2_1.indicators.get(code="IA2-1-MASTER-JUR")
    Measurement.objects.create(indicator=kept, date=datetime.date(2025, 9, 1), value=6, source="X")
    Measurement.objects.create(indicator=gone, date=datetime.date(2025, 9, 1), value=2, source="X")
    gone.retired_on = datetime.date(2026, 3, 2)
    gone.save()

    html = html_of(client.get("/actions/ia-2-1/"))

    assert f'id="indicateur-{gone.pk}"' not in html
    assert words(html, f"indicateur-retire-{gone.pk}") == (
        "Nouveaux parcours de masters juristes, retiré le 2\u00a0mars\u00a02026"
    )
    # AND the action's progress is its one tracked measured indicator's, 40 %
    assert (f"Avancement {french('40 %')} moyenne de 1 indicateur mesuré sur 8 ") in words(
        html, "resume"
    )
    headline_ids = re.findall(r'id="cible-(\d+)"', html_of(client.get("/")))
    assert str(gone.pk) not in headline_ids


def test_an_unknown_action_is_not_found(client, roadmap):
    assert client.get("/actions/ia-9-9/").status_code == 404


def test_a_text_typed_by_a_member_is_escaped_never_trusted(client, ia_2_1):
    ia_2_1.objective = "<script>alert('x')</script>"
    ia_2_1.save()

    html = html_of(client.get("/actions/ia-2-1/"))

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


# --- Every page ----------------------------------------------------------------------------------


def every_public_url() -> list[str]:
    return [
        "/",
        *(f"/axes/{axis['number']}/" for axis in SEED["axes"]),
        *(f"/actions/{action['code'].lower().replace(' ', '-')}/" for _, action in SEED_ACTIONS),
    ]


def test_no_public_page_of_the_seed_shows_a_literal_none(client, roadmap):
    for url in every_public_url():
        response = client.get(url)
        assert response.status_code == 200, url
        assert "None" not in html_of(response), url


@pytest.mark.parametrize("url", ["/", "/axes/2/", "/actions/ia-2-1/"])
def test_the_public_pages_refuse_to_be_posted_to(client, roadmap, url):
    response = client.post(url)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("url", ["/", "/axes/2/", "/actions/ia-2-1/"])
def test_the_public_pages_answer_head_requests(client, roadmap, url):
    assert client.head(url).status_code == 200


def test_the_layout_is_a_french_state_service_served_by_the_app(client, roadmap):
    html = html_of(client.get("/"))

    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert '<html lang="fr"' in html
    assert "<title>Tableau de bord - Feuille de route IA en santé</title>" in html
    assert '<p class="fr-logo">République<br>française</p>' in html
    assert '<p class="fr-header__service-title">Feuille de route IA en santé</p>' in html
    assert "Suivi de la task force IA en santé" in html
    assert "Ministère chargé de la santé" in html
    assert 'href="#content"' in html
    assert '<main id="content" role="main">' in html
    # every script and stylesheet comes from the app itself, none from a CDN
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer nonce="' in html
    assert "/static/dsfr/dist/dsfr/dsfr.min.css" in html
    assert "/static/dsfr/dist/dsfr/dsfr.module.min.js" in html
    assert "/static/css/app.css" in html
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', html)


def test_the_header_invites_an_anonymous_reader_to_sign_in(client, roadmap):
    html = html_of(client.get("/actions/ia-2-1/"))

    assert 'href="/accounts/login/?next=/actions/ia-2-1/">Se connecter</a>' in html
    assert "Se déconnecter" not in html


def test_the_header_shows_a_signed_in_user_and_a_sign_out_form(client, roadmap, has_member):
    has_member.first_name, has_member.last_name = "Camille", "Martin"
    has_member.save()
    client.force_login(has_member)

    html = html_of(client.get("/"))

    assert "Camille Martin" in html
    assert '<form method="post" action="/accounts/logout/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Se déconnecter</button>" in html
    assert ">Se connecter</a>" not in html


def test_the_sign_out_form_signs_out_and_returns_to_the_dashboard(client, roadmap, has_member):
    client.force_login(has_member)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_the_sign_in_page_is_a_french_dsfr_form(client, db):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    html = html_of(response)
    assert "<title>Se connecter - Feuille de route IA en santé</title>" in html
    assert '<label class="fr-label" for="id_username">Identifiant</label>' in html
    assert '<label class="fr-label" for="id_password">Mot de passe</label>' in html
    assert 'type="submit" class="fr-btn">Se connecter</button>' in html
    assert (
        '<a class="fr-link" href="/accounts/password_reset/">Mot de passe oublié\u202f?</a>' in html
    )
    assert "fr-alert--error" not in html


def test_a_wrong_password_is_reported_in_french(client, has_member):
    response = client.post(
        "/accounts/login/", {"username": has_member.username, "password": "mauvais"}
    )

    assert response.status_code == 200
    html = html_of(response)
    assert "fr-alert--error" in html
    assert "La connexion a échoué" in html
    assert "Saisissez un nom d’utilisateur et un mot de passe valides." in html
    assert f'value="{has_member.username}"' in html


def test_a_right_password_signs_in_and_returns_to_the_page_asked_for(client, has_member):
    response = client.post(
        "/accounts/login/?next=/axes/2/",
        {"username": has_member.username, "password": PASSWORD, "next": "/axes/2/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/axes/2/"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("140000.0000"), "140 000"),
        (Decimal("119000000.0000"), "119 000 000"),
        (Decimal("1234.5000"), "1 234,5"),
        (Decimal("100"), "100"),
        (Decimal("0.0000"), "0"),
        (33.3333, "33,33"),
        (None, ""),
        ("", ""),
        ("pas un nombre", ""),
        (float("nan"), ""),
    ],
)
def test_numbers_are_written_the_french_way_and_unknown_ones_not_at_all(value, expected):
    assert number(value) == french(expected)


def test_quantities_and_percentages_keep_their_unit_on_the_same_line():
    assert quantity(Decimal("119000000.0000"), "€") == french("119 000 000 €")
    assert quantity(Decimal("15.0000"), "parcours") == french("15 parcours")
    assert quantity(None, "€") == ""
    assert percent(33.3333) == french("33\u202f%")
    assert percent(99.5) == french("100\u202f%")
    assert percent(None) == ""


# --- Bounded queries ----------------------------------------------------------------------------


@pytest.mark.usefixtures("memory_cache")
def test_the_dashboard_issues_as_many_queries_for_a_roadmap_ten_times_bigger(
    client, roadmap, django_assert_max_num_queries
):
    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES) as small:
        assert client.get("/").status_code == 200

    grow(roadmap)
    with_targets(roadmap)
    assert Action.objects.count() == 170
    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES) as big:
        response = client.get("/")
    assert response.status_code == 200
    html = html_of(response)
    assert html.count('<tr id="action-') == 50  # the first page of them
    assert "170 actions." in html
    assert len(big) == len(small)


def grow_ia_2_1_and_its_roadmap(roadmap: Roadmap) -> None:
    grow_action(Action.objects.get(roadmap=roadmap, code="IA 2-1"))
    grow_with_targets(roadmap)


def grow_with_targets(roadmap: Roadmap) -> None:
    grow(roadmap)
    with_targets(roadmap)


# The axis page, then the action page: their bound, how they grow ten times, and the rows
# shown then (the first page of 50 actions; all the action's milestones and indicators).
GROWN_PAGES = {
    "axis": ("/axes/2/", AXIS_MAX_QUERIES, grow_with_targets, {'<tr id="action-': 50}),
    "action": (
        "/actions/ia-2-1/",
        ACTION_MAX_QUERIES,
        grow_ia_2_1_and_its_roadmap,
        {'<li class="app-timeline__step': 10, '<tr id="indicateur-': 19},
    ),
}


@pytest.mark.usefixtures("memory_cache")
@pytest.mark.parametrize("page", GROWN_PAGES)
def test_an_axis_or_action_page_issues_as_many_queries_for_a_roadmap_ten_times_bigger(
    client, roadmap, django_assert_max_num_queries, page
):
    url, bound, grow_it, rows = GROWN_PAGES[page]
    with django_assert_max_num_queries(bound) as small:
        assert client.get(url).status_code == 200

    grow_it(roadmap)
    with django_assert_max_num_queries(bound) as big:
        response = client.get(url)
    html = html_of(response)
    assert {row: html.count(row) for row in rows} == rows
    assert len(big) == len(small)
