"""`seed_demo --scenario` plays a year of task-force work on the seed as a demonstration: pilots
chosen among the organisations the source names, statuses, milestones, values per academic year,
notes, all signed by the demo accounts, dated over the last twelve months and marked as
demonstration data; played once; refused with DEBUG off; and every page then says so."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from roadmap import progress
from roadmap.caching import writing
from roadmap.models import (
    SEED_CHANGE,
    Action,
    Indicator,
    Measurement,
    Milestone,
    ProgressNote,
    Roadmap,
    Status,
    Target,
)
from roadmap.queries import person_last_update, with_definitions, with_last_update
from roadmap.scenario import DEMO_CHANGE
from tests.support.builders import colleague, set_status
from tests.support.html import element, text

SOURCE_TEXT = (
    Path(settings.BASE_DIR) / "fixtures" / "source" / "ia-en-sante-etat-des-lieux-2025.txt"
).read_text("utf-8")
DEMO = "Démonstration\u00a0: "


@pytest.fixture(autouse=True)
def debug_on(settings, monkeypatch):
    """pytest-django runs with DEBUG off; the demonstration is for local development."""
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "un-mot-de-passe-de-demo")


def play(capsys=None) -> str:
    call_command("seed_demo", "--scenario")
    return capsys.readouterr().out if capsys else ""


def snapshot() -> dict:
    """Every row the scenario may write, and the history, as plain values."""
    models = (Roadmap, Action, Milestone, Indicator, Target, Measurement, ProgressNote)
    return {model.__name__: sorted(map(repr, model.objects.values())) for model in models} | {
        "partners": sorted(map(repr, Action.partners.through.objects.values_list())),
        "history": [
            sorted(map(repr, model.history.values()))
            for model in (Action, Milestone, Indicator, Target, Measurement)
        ],
    }


def academic_years(today: datetime.date) -> tuple[tuple, tuple, tuple]:
    """The academic year of `today`, the one before, and the one before that."""
    current = progress.period_containing(progress.ACADEMIC_YEAR, today)
    last = progress.period_containing(progress.ACADEMIC_YEAR, current[0] - datetime.timedelta(1))
    before = progress.period_containing(progress.ACADEMIC_YEAR, last[0] - datetime.timedelta(1))
    return current, last, before


# --- Refusals --------------------------------------------------------------------------------


def test_it_is_refused_when_debug_is_off_and_writes_nothing(roadmap, settings):
    settings.DEBUG = False
    before = snapshot()

    with pytest.raises(CommandError, match="refusé quand DEBUG est désactivé"):
        call_command("seed_demo", "--scenario")
    with pytest.raises(CommandError, match="pas de données fictives en production"):
        call_command("load_roadmap", "--scenario")

    assert User.objects.count() == 0
    assert snapshot() == before


def test_it_is_refused_on_a_roadmap_a_person_already_changed(roadmap, ia_2_1):
    set_status(ia_2_1, Status.AT_RISK, colleague("DNS"))
    before = snapshot()

    with pytest.raises(CommandError, match="des personnes ont déjà modifié") as refusal:
        call_command("seed_demo", "--scenario")

    assert "Rien n'a été écrit" in str(refusal.value)
    assert snapshot() == before


def test_load_roadmap_alone_cannot_play_it_without_the_demo_accounts(roadmap):
    with pytest.raises(CommandError, match="lancez seed_demo --scenario"):
        call_command("load_roadmap", "--scenario")
    assert not Roadmap.objects.get(pk=roadmap.pk).demonstration


# --- The year played -------------------------------------------------------------------------


def test_on_an_empty_database_it_loads_the_seed_creates_the_accounts_and_plays(no_roadmap, capsys):
    out = play(capsys)

    roadmap = Roadmap.objects.get()
    assert roadmap.demonstration
    assert Action.objects.filter(roadmap=roadmap).count() == 17
    assert set(User.objects.values_list("username", flat=True)) == {"admin", "dns", "has"}
    assert "Année de démonstration jouée" in out
    assert "mesures" in out and "points d'avancement" in out


def test_pilots_are_chosen_among_organisations_the_source_names_and_said_to_be_a_choice(
    roadmap,
):
    seeded = {
        action.code: (action.lead_id, set(action.partners.all()))
        for action in Action.objects.prefetch_related("partners")
    }
    play()

    owners = {}
    for action in Action.objects.select_related("lead").prefetch_related("partners"):
        if (action.lead_id, set(action.partners.all())) != seeded[action.code]:
            owners[action.code] = (
                action.lead.acronym,
                sorted(p.acronym for p in action.partners.all()),
            )
    assert owners == {
        "IA 2-1": ("DNS", ["DGOS", "EHESP"]),
        "IA 2-5": ("DGOS", []),
        "IA 4-1": ("DNS", ["AIS", "CNAM", "DGE", "DGOS", "DGRI", "DNS", "DREES", "HDH"]),
    }
    for code, (lead, partners) in owners.items():
        assert all(acronym in SOURCE_TEXT for acronym in [lead, *partners]), code
        action = Action.objects.get(code=code)
        assert seeded[code][0] is None  # only where the source names no pilot
        (said,) = [n for n in action.notes.all() if "désignée pilote" in n.done]
        assert said.done.startswith(f"{DEMO}la {lead} est désignée pilote de l'action")
        assert "C'est un choix de la démonstration" in said.done
        assert said.author.username == "admin"
    # The others still wait for a pilot.
    assert Action.objects.filter(lead=None).count() == 17 - 4 - 3  # 4 named by the source


def test_every_value_written_says_it_is_a_demonstration(roadmap):
    play()

    assert Roadmap.objects.get(pk=roadmap.pk).demonstration
    measurements = Measurement.objects.all()
    assert measurements.count() >= 10
    assert all(m.source.startswith(DEMO) and "fictive" in m.source for m in measurements)
    assert {m.recorded_by.username for m in measurements} == {"dns"}
    notes = ProgressNote.objects.all()
    assert notes.count() >= 8
    assert all(note.done.startswith(DEMO) for note in notes)
    added = Milestone.objects.exclude(action=None)
    assert added.count() >= 6
    assert all(milestone.source.startswith(DEMO) for milestone in added)
    # The source's own rows keep their source sentences.
    assert all(m.source in SOURCE_TEXT for m in Milestone.objects.filter(action=None))


def test_the_year_is_signed_by_the_demo_accounts_and_dated_over_the_last_twelve_months(roadmap):
    play()

    now = timezone.now()
    year_ago = now - datetime.timedelta(days=366)
    rows = [
        row
        for model in (Action, Milestone, Indicator, Target, Measurement)
        for row in model.history.exclude(history_change_reason=SEED_CHANGE)
    ]
    assert len(rows) >= 35
    for row in rows:
        assert row.history_change_reason == DEMO_CHANGE
        assert row.history_user.username in {"admin", "dns", "has"}
        assert year_ago < row.history_date < now - datetime.timedelta(hours=1)
    for note in ProgressNote.objects.all():
        assert year_ago < note.created_at < now
        assert note.written_on == timezone.localtime(note.created_at).date()
    # The seed counts as loaded the day before the year: its history comes first.
    for model in (Action, Milestone, Indicator):
        for created in model.history.filter(history_change_reason=SEED_CHANGE):
            assert created.history_date < year_ago + datetime.timedelta(days=1)
    # Each row's own moments are those of its last change.
    for milestone in Milestone.objects.exclude(action=None):
        assert milestone.updated_at == milestone.history.latest("history_date").history_date

    updates = dict(
        with_last_update(Action.objects.filter(roadmap=roadmap)).values_list("code", "last_update")
    )
    touched = {code for code, moment in updates.items() if moment is not None}
    assert touched == {"IA 1-3", "IA 2-1", "IA 2-4", "IA 2-5", "IA 4-1"}
    assert all(year_ago < updates[code] < now for code in touched)
    assert person_last_update(roadmap) == max(updates[code] for code in touched)


def test_statuses_and_milestones_tell_a_year_done_rescheduled_and_overdue(roadmap):
    play()
    today = timezone.localdate()

    statuses = dict(Action.objects.exclude(status="").values_list("code", "status"))
    assert statuses == {
        "IA 1-3": Status.IN_PROGRESS,
        "IA 2-1": Status.IN_PROGRESS,
        "IA 2-4": Status.IN_PROGRESS,
        "IA 2-5": Status.NOT_STARTED,
        "IA 4-1": Status.AT_RISK,
    }
    ia_2_4 = Action.objects.get(code="IA 2-4")
    assert [record.status for record in ia_2_4.history.order_by("history_date")][-3:] == [
        Status.IN_PROGRESS,
        Status.AT_RISK,
        Status.IN_PROGRESS,
    ]
    added = Milestone.objects.exclude(action=None)
    done = [m for m in added if m.done_on]
    assert len(done) >= 3
    assert all(m.done_on < today for m in done)
    assert sum(m.slipped for m in added) == 2
    assert [m.title for m in added if m.is_overdue(today)] == [
        "Publication de la stratégie d'utilisation secondaire des données de santé"
    ]
    assert any(m.due_date > today and not m.done_on for m in added)  # a next milestone


def test_the_apprentices_are_measured_per_academic_year_against_each_year_s_target(roadmap):
    play()
    today = timezone.localdate()
    _current, last, before = academic_years(today)

    indicator = with_definitions(Indicator.objects.filter(code="IA2-1-APP-AN")).get()
    periods = {period.start: period for period in indicator.figures(today).periods}
    first = datetime.date(2024, 9, 1)
    if before[0] >= first:
        assert (periods[before[0]].value, periods[before[0]].target) == (61450, 70000)
        assert periods[before[0]].reached is False
    if last[0] >= first:
        assert (periods[last[0]].value, periods[last[0]].target) == (72300, 70000)
        assert periods[last[0]].reached is True
    # Today (December 2026): 2024/2025 and 2025/2026, both closed.
    measured = {start for start, period in periods.items() if period.value is not None}
    assert len(measured & {before[0], last[0]}) == (before[0] >= first) + (last[0] >= first)
    # The five-year total adds up the years, it is measured on its own by nobody.
    five_years = with_definitions(Indicator.objects.filter(code="IA2-1-APP-5ANS")).get()
    assert not five_years.measurements.exists()
    assert five_years.figures(today).current == sum(
        period.value for period in periods.values() if period.value is not None
    )


def test_playing_it_twice_changes_nothing(roadmap, capsys):
    play()
    before = snapshot()

    out = play(capsys)

    assert "Année de démonstration déjà jouée\u00a0: rien n'a changé." in out
    assert snapshot() == before


# --- The notice on every page ----------------------------------------------------------------

NOTICE = "Données de démonstration\u00a0:"


def notice(html: str) -> str:
    return text(element(html, "demonstration"))


@pytest.mark.parametrize(
    "url", ["/", "/actions/ia-2-1/", "/indicateurs/", "/journal/", "/methode/", "/accounts/login/"]
)
def test_every_page_says_its_data_are_a_demonstration(client, roadmap, url):
    assert 'id="demonstration"' not in client.get(url).content.decode()

    play()
    html = client.get(url).content.decode()

    said = notice(html)
    assert said.startswith(NOTICE)
    assert "données fictives" in said
    assert html.count('id="demonstration"') == 1
    assert 'class="fr-notice fr-notice--info"' in html


def test_the_notice_costs_a_page_with_its_roadmap_no_query(client, roadmap, memory_cache):
    client.get("/")  # warm what a first request reads once
    with CaptureQueriesContext(connection) as plain_page:
        client.get("/actions/ia-2-4/")
    with writing():  # a new data version: the cached page is not served again
        Roadmap.objects.filter(pk=roadmap.pk).update(demonstration=True)
    with CaptureQueriesContext(connection) as demonstration_page:
        html = client.get("/actions/ia-2-4/").content.decode()

    assert notice(html).startswith(NOTICE)
    assert len(demonstration_page) == len(plain_page)
