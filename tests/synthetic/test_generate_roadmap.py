"""`generate_roadmap` builds synthetic roadmaps of a given size and shape, the same for the same
seed, and refuses to write into a database that holds real data unless forced."""

import datetime
import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, Role, User
from roadmap import progress
from roadmap.models import (
    Action,
    Axis,
    Indicator,
    Kind,
    Measurement,
    Milestone,
    ProgressNote,
    Roadmap,
    Status,
    Target,
)
from synthetic import SYNTHETIC_SOURCE, SYNTHETIC_USER_PREFIX
from synthetic.bulk import bulk_create_as_given

# The generator writes into an empty database (or refuses real data): no seed here.
pytestmark = pytest.mark.usefixtures("no_roadmap")

DAY = datetime.date(2026, 6, 15)
SMALL = {
    "actions": 6,
    "milestones_per_action": 3,
    "indicators_per_action": 2,
    "measurements_per_indicator": 4,
    "notes_per_action": 2,
}


def generate(*args, **options) -> str:
    out = StringIO()
    call_command("generate_roadmap", *args, stdout=out, **{"date": DAY, **options})
    return out.getvalue()


def fingerprint(roadmap: Roadmap) -> dict:
    """Everything generated for `roadmap`, as plain values without ids or its own slug."""
    actions = Action.objects.filter(roadmap=roadmap)
    return {
        "axes": list(roadmap.axes.values_list("number", "short_title", "title")),
        "actions": [
            (
                action.code,
                action.title,
                action.description,
                action.objective,
                action.framework,
                action.lead.acronym if action.lead else None,
                sorted(action.partners.values_list("acronym", flat=True)),
                action.status,
                action.start_date,
                action.end_date,
                action.version,
                action.created_at,
                action.updated_at,
            )
            for action in actions.order_by("code").select_related("lead")
        ],
        "milestones": list(
            Milestone.objects.filter(roadmap=roadmap)
            .order_by("action__code", "title")
            .values_list("action__code", "title", "due_date", "original_due_date", "done_on")
        ),
        "indicators": list(
            Indicator.objects.filter(roadmap=roadmap)
            .order_by("code")
            .values_list(
                "code",
                "label",
                "unit",
                "kind",
                "direction",
                "baseline_value",
                "baseline_date",
                "target_value",
                "target_date",
                "periodicity",
                "periods_from",
                "period_count",
                "summed_from__code",
                "retired_on",
            )
        ),
        "targets": list(
            Target.objects.filter(indicator__roadmap=roadmap)
            .order_by("indicator__code", "on")
            .values_list("indicator__code", "on", "value", "source", "created_at")
        ),
        "measurements": list(
            Measurement.objects.filter(indicator__roadmap=roadmap)
            .order_by("indicator__code", "date")
            .values_list(
                "indicator__code", "date", "value", "source", "comment", "recorded_by__username"
            )
        ),
        "notes": list(
            ProgressNote.objects.filter(action__roadmap=roadmap)
            .order_by("action__code", "written_on", "done")
            .values_list("action__code", "written_on", "author__username", "done", "risks")
        ),
        "history": list(
            Action.history.filter(roadmap_id=roadmap.pk)
            .order_by("code", "history_date")
            .values_list("code", "history_type", "status", "history_date", "history_user__username")
        ),
    }


# --- Sizes -----------------------------------------------------------------------------------


def test_small_sizes_produce_exactly_the_counts_asked_for(db):
    output = generate(**SMALL, seed=5)

    roadmap = Roadmap.objects.get()
    assert roadmap.slug == "synthetique-5"
    assert Axis.objects.filter(roadmap=roadmap).count() == 4
    assert Action.objects.filter(roadmap=roadmap).count() == 6
    assert Milestone.objects.filter(roadmap=roadmap).count() == 6 * 3
    assert Indicator.objects.filter(roadmap=roadmap).count() == 6 * 2
    # A sum adds up the periods of another indicator: it has no measurement of its own.
    measured = Indicator.objects.filter(roadmap=roadmap, summed_from=None).count()
    assert Measurement.objects.filter(indicator__roadmap=roadmap).count() == measured * 4
    assert ProgressNote.objects.filter(action__roadmap=roadmap).count() == 6 * 2
    # Every row has its creation in the history, and every later change a row of its own.
    assert Indicator.history.count() == 12
    assert Measurement.history.count() == measured * 4
    assert Target.history.count() == Target.objects.count()
    assert sum(a.version for a in Action.objects.all()) == Action.history.count()
    assert sum(m.version for m in Milestone.objects.all()) == Milestone.history.count()
    assert "6 actions, " in output
    assert f"{measured * 4} mesures" in output


def test_the_generated_roadmap_becomes_the_current_one(roadmap):
    generate(**SMALL)

    current = Roadmap.objects.current()
    assert current.slug == "synthetique-1"
    assert current.source_date > roadmap.source_date
    # The seed roadmap is left as it was.
    assert Action.objects.filter(roadmap=roadmap).count() == 17


def test_a_second_roadmap_of_the_same_seed_gets_its_own_slug_and_becomes_current(db):
    generate(**SMALL)
    generate(**SMALL)

    assert Roadmap.objects.current().slug == "synthetique-1-2"
    assert Roadmap.objects.count() == 2


def test_into_adds_actions_to_an_existing_roadmap_after_its_own(roadmap):
    generate("--into", roadmap.slug, **SMALL)

    assert Roadmap.objects.count() == 1
    assert Axis.objects.count() == 4
    codes = set(Action.objects.filter(roadmap=roadmap).values_list("code", flat=True))
    assert len(codes) == 17 + 6
    # Axis 1 of the seed has IA 1-1 to IA 1-3: the generated ones come after them.
    assert {"IA 1-1", "IA 1-2", "IA 1-3", "IA 1-4"} <= codes


# --- Shape -----------------------------------------------------------------------------------


@pytest.fixture
def generated(db) -> Roadmap:
    generate(
        actions=40,
        indicators_per_action=2,
        measurements_per_indicator=12,
        notes_per_action=2,
        seed=3,
    )
    return Roadmap.objects.get()


def test_milestones_are_done_overdue_and_rescheduled(generated):
    milestones = list(Milestone.objects.filter(roadmap=generated))
    done = [m for m in milestones if m.done_on]
    overdue = [m for m in milestones if not m.done_on and m.due_date < DAY]
    assert len(done) > 20
    assert len(overdue) > 10
    assert sum(1 for m in milestones if m.slipped) > 10
    assert all(m.done_on < DAY for m in done)
    assert all(m.original_due_date for m in milestones)


def test_indicators_have_the_three_kinds_baselines_targets_and_dates(generated):
    indicators = list(Indicator.objects.filter(roadmap=generated))
    assert {i.kind for i in indicators} == set(Kind.values)
    assert {i.direction for i in indicators} == {"higher", "lower"}
    dated = [i for i in indicators if i.baseline_date and i.target_date]
    assert dated
    assert all(i.target_date > i.baseline_date for i in dated)
    assert any(i.baseline_value is None for i in indicators)
    assert all(i.target_value > 0 for i in indicators)


def test_per_period_indicators_run_by_academic_year_year_or_quarter_over_spans(generated):
    per_period = list(Indicator.objects.filter(roadmap=generated, kind=Kind.PER_PERIOD))
    assert {i.periodicity for i in per_period} == {"academic_year", "year", "quarter"}
    assert any(i.period_count is None for i in per_period)  # open-ended: up to today
    assert any(i.period_count for i in per_period)
    for indicator in per_period:
        first_day = progress.period_containing(indicator.periodicity, indicator.periods_from)[0]
        assert indicator.periods_from == first_day
        if indicator.period_count and indicator.target_date:
            periods = progress.span(
                indicator.periodicity, indicator.periods_from, indicator.period_count, DAY
            )
            assert periods[0][0] <= indicator.target_date <= periods[-1][1]
        # Each month's value is its period's running total, which starts again each period.
        by_period = {}
        for measurement in indicator.measurements.order_by("date"):
            start = progress.period_containing(indicator.periodicity, measurement.date)[0]
            assert start >= indicator.periods_from
            by_period.setdefault(start, []).append(measurement.value)
        assert len(by_period) >= 2
        for values in by_period.values():
            if len(values) >= 3:
                assert values[-1] > values[0]
    # Spans of a fixed number of periods, of several periodicities.
    assert {i.periodicity for i in per_period if i.period_count} >= {"academic_year", "quarter"}


def test_some_indicators_have_dated_targets_with_their_history(generated):
    targets = list(Target.objects.filter(indicator__roadmap=generated).select_related("indicator"))
    assert 20 <= len(targets) <= 60
    with_targets = {target.indicator for target in targets}
    assert {indicator.kind for indicator in with_targets} == set(Kind.values)
    for target in targets:
        indicator = target.indicator
        if indicator.kind == Kind.PER_PERIOD:
            # The own target of one of its periods, above the recurring one.
            assert target.value > indicator.target_value
            assert target.on >= indicator.periods_from
        else:
            assert indicator.baseline_date < target.on < indicator.target_date
        assert target.source.endswith("(données synthétiques).")
    assert Target.history.filter(history_type="+").count() == len(targets)


def test_a_few_indicators_are_sums_and_a_few_are_retired(generated):
    sums = list(Indicator.objects.filter(roadmap=generated).exclude(summed_from=None))
    assert len(sums) == 1
    for total in sums:
        source = total.summed_from
        assert (total.kind, source.kind, source.action_id) == (
            Kind.CUMULATIVE,
            Kind.PER_PERIOD,
            total.action_id,
        )
        assert not total.measurements.exists()
        assert total.target_value == source.target_value * int(total.label.split()[-2])
        total.full_clean()  # the model's own rules hold
    retired = list(Indicator.objects.filter(roadmap=generated).exclude(retired_on=None))
    assert len(retired) == 2
    for indicator in retired:
        assert indicator.retired_on < DAY
        assert indicator.measurements.filter(date__gte=indicator.retired_on).count() == 0


def test_measurements_are_monthly_marked_synthetic_and_signed(generated):
    indicator = Indicator.objects.filter(roadmap=generated, summed_from=None).first()
    dates = list(indicator.measurements.order_by("date").values_list("date", flat=True))
    assert len(dates) == 12
    for before, after in itertools.pairwise(dates):
        # Month ends, one month apart.
        assert (after + datetime.timedelta(days=1)).day == 1
        assert (after.year * 12 + after.month) - (before.year * 12 + before.month) == 1
    assert dates[-1] < DAY
    measurements = Measurement.objects.filter(indicator__roadmap=generated)
    assert not measurements.exclude(source__startswith=SYNTHETIC_SOURCE).exists()
    assert not measurements.exclude(
        recorded_by__username__startswith=SYNTHETIC_USER_PREFIX
    ).exists()


def test_actions_have_leads_partners_statuses_and_notes_by_their_organisations(generated):
    actions = list(
        Action.objects.filter(roadmap=generated).select_related("lead").prefetch_related("partners")
    )
    assert any(action.lead is None for action in actions)  # « Pilote à désigner »
    assert any(action.partners.all() for action in actions)
    assert {action.status for action in actions} <= {"", *Status.values}
    assert len({action.status for action in actions}) >= 5
    for note in ProgressNote.objects.filter(action__roadmap=generated).select_related("author"):
        involved = {note.action.lead_id, *(p.pk for p in note.action.partners.all())} - {None}
        assert note.author.username.startswith(SYNTHETIC_USER_PREFIX)
        assert note.author.role == Role.MEMBER
        if involved:  # else, with no owner at all, any member may write
            assert note.author.organisation_id in involved
        assert note.done


def test_each_status_change_is_in_the_history_by_a_member(generated):
    action = Action.objects.filter(roadmap=generated).exclude(status="").first()
    records = list(action.history.order_by("history_date"))
    assert records[0].history_type == "+"
    assert records[0].status == ""
    assert records[-1].status == action.status
    assert all(r.history_user.username.startswith(SYNTHETIC_USER_PREFIX) for r in records[1:])


# --- Determinism -----------------------------------------------------------------------------


def test_the_same_seed_and_date_give_the_same_roadmap_and_another_seed_another(db):
    generate(**SMALL, seed=11)
    generate(**SMALL, seed=11)
    generate(**SMALL, seed=12)
    first, second, other = Roadmap.objects.order_by("pk")

    assert fingerprint(first) == fingerprint(second)
    assert fingerprint(first)["actions"] != fingerprint(other)["actions"]


# --- Timestamps ------------------------------------------------------------------------------


def test_rows_keep_their_own_moments_and_the_models_keep_auto_now(generated):
    """The generated moments are in the past, on any database (the `bulk_create` path used on
    databases other than SQLite and PostgreSQL, tried here on the test's database), and the
    `auto_now` fields stay on for everybody else: nothing is switched process-wide."""
    stamps = [
        getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        for model in (Action, Milestone, Indicator, Measurement, ProgressNote)
        for f in model._meta.concrete_fields
    ]
    # created_at and updated_at of each (a progress note is versioned too, for its review)
    assert sum(stamps) == 10
    now = timezone.now()
    assert max(Action.objects.values_list("updated_at", flat=True)) < now - datetime.timedelta(
        hours=1
    )
    assert max(Measurement.objects.values_list("created_at", flat=True)) < now

    long_ago = timezone.make_aware(datetime.datetime(2020, 3, 2, 10, 30))
    indicator = Indicator.objects.filter(roadmap=generated).first()
    row = {
        "indicator_id": indicator.pk,
        "date": datetime.date(2020, 2, 29),
        "value": 12,
        "source": f"{SYNTHETIC_SOURCE} – essai",
        "version": 1,
        "created_at": long_ago,
        "updated_at": long_ago,
    }
    milestone = Milestone(
        roadmap=generated,
        action=indicator.action,
        title="Jalon daté d'avance",
        due_date=datetime.date(2020, 6, 30),
        original_due_date=datetime.date(2020, 6, 30),
        created_at=long_ago,
        updated_at=long_ago,
    )
    bulk_create_as_given(Measurement, [row])
    bulk_create_as_given(Milestone, [milestone])

    assert row["id"]  # the dict gets its primary key, as the history rows need it
    written = Measurement.objects.get(pk=row["id"])
    assert (written.created_at, written.updated_at) == (long_ago, long_ago)
    milestone.refresh_from_db()
    assert (milestone.created_at, milestone.updated_at) == (long_ago, long_ago)
    # An ordinary save afterwards is stamped « now », as in a process serving requests.
    milestone.title = "Jalon renommé"
    milestone.save()
    milestone.refresh_from_db()
    assert milestone.updated_at >= now
    assert milestone.created_at == long_ago


# --- Real data -------------------------------------------------------------------------------


def counts() -> dict:
    return {
        "roadmaps": Roadmap.objects.count(),
        "actions": Action.objects.count(),
        "users": User.objects.count(),
        "organisations": Organisation.objects.count(),
    }


def test_it_refuses_a_database_with_a_real_measurement_and_writes_nothing(ia_2_1):
    indicator = ia_2_1.indicators.first()
    indicator.measurements.create(
        date=datetime.date(2025, 6, 30), value=1200, source="Enquête de la DGOS"
    )
    before = counts()

    with pytest.raises(CommandError) as refusal:
        generate(**SMALL)

    message = str(refusal.value)
    assert "données réelles" in message
    assert "1 mesure" in message
    assert "--force" in message
    assert "Rien n'a été écrit" in message
    assert counts() == before  # nothing written


def test_it_refuses_real_users_and_their_progress_notes(ia_2_1, has_member):
    ProgressNote.objects.create(
        action=ia_2_1, author=has_member, written_on=datetime.date(2025, 5, 1), done="Lancé."
    )
    before = counts()

    with pytest.raises(CommandError) as refusal:
        generate(**SMALL)

    message = str(refusal.value)
    assert "1 point d'avancement" in message
    assert "1 utilisateur autre que les comptes de démonstration" in message
    assert counts() == before  # nothing written


def test_the_demo_accounts_and_earlier_synthetic_data_are_not_real_data(roadmap):
    dns = Organisation.objects.get(acronym="DNS")
    for username in ("admin", "dns", "has"):
        User.objects.create_user(username, role=Role.MEMBER, organisation=dns)
    generate(**SMALL)

    generate(**SMALL)

    assert Roadmap.objects.count() == 3


def test_force_writes_into_a_database_with_real_data(roadmap, has_member):
    generate("--force", **SMALL)

    assert Roadmap.objects.current().slug == "synthetique-1"


def test_sizes_and_slugs_are_checked_with_french_messages(roadmap):
    with pytest.raises(CommandError, match="Indiquez la taille"):
        generate()
    with pytest.raises(CommandError, match="n'est pas un nombre entier"):
        generate("--actions", "beaucoup")
    with pytest.raises(CommandError, match="hors limites"):
        generate("--actions", "0")
    with pytest.raises(CommandError, match="Aucune feuille de route"):
        generate("--into", "inconnue", actions=2)
    with pytest.raises(CommandError, match="existe déjà"):
        generate("--slug", roadmap.slug, actions=2)
    with pytest.raises(CommandError, match="identifiant valide"):
        generate("--slug", "pas un slug", actions=2)
    assert Roadmap.objects.count() == 1


# --- Pages -----------------------------------------------------------------------------------


def test_the_public_pages_and_my_actions_answer_on_a_generated_roadmap(client, roadmap):
    generate(**SMALL, seed=2)
    generated = Roadmap.objects.current()
    action = Action.objects.filter(roadmap=generated).order_by("code").first()
    urls = [
        reverse("roadmap:dashboard"),
        reverse("roadmap:axis", args=[1]),
        reverse("roadmap:action", args=[action.slug]),
        reverse("roadmap:indicators"),
        reverse("roadmap:method"),
        reverse("roadmap:journal"),
        reverse("roadmap:opendata"),
        reverse("roadmap:opendata-json"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    assert action.code in client.get(reverse("roadmap:dashboard")).content.decode()

    member = User.objects.get(username=f"{SYNTHETIC_USER_PREFIX}dns-1")
    client.force_login(member)
    response = client.get(reverse("roadmap:my-actions"))
    assert response.status_code == 200
