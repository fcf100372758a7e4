"""The invariants the database holds whatever writes to it, versions, history, and who may edit."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Organisation, Role, User
from roadmap import progress
from roadmap.models import Action, Indicator, Measurement, Milestone, Target
from tests.support.constants import PASSWORD


def integrity_error(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_an_action_code_is_unique_in_its_roadmap(ia_2_1):
    integrity_error(
        lambda: Action.objects.create(axis=ia_2_1.axis, code="IA 2-1", slug="autre", title="x")
    )


def test_an_action_slug_follows_its_code_and_is_unique(ia_2_1):
    action = Action.objects.create(axis=ia_2_1.axis, code="IA 2-9", title="Nouvelle action")
    assert (action.slug, action.roadmap_id) == ("ia-2-9", ia_2_1.roadmap_id)
    integrity_error(
        lambda: Action.objects.create(axis=ia_2_1.axis, code="IA 2-10", slug="ia-2-9", title="x")
    )


def test_an_unknown_status_is_refused_by_the_database(ia_2_1):
    integrity_error(lambda: Action.objects.filter(pk=ia_2_1.pk).update(status="fini"))


def test_an_action_cannot_end_before_it_starts(ia_2_1):
    ia_2_1.start_date, ia_2_1.end_date = date(2025, 6, 1), date(2025, 1, 1)
    integrity_error(ia_2_1.save)


def test_an_indicator_code_is_unique_in_its_roadmap(ia_2_1):
    integrity_error(
        lambda: Indicator.objects.create(
            action=ia_2_1, code="IA2-1-PRO-AN", label="x", unit="x", kind="level", target_value=1
        )
    )


def test_an_indicator_target_date_follows_its_baseline_date(ia_2_1):
    indicator = ia_2_1.indicators.get(code="IA2-1-APP-5ANS")
    indicator.target_date = date(2024, 1, 1)
    integrity_error(indicator.save)


def test_an_indicator_kind_and_direction_are_checked(ia_2_1):
    integrity_error(lambda: Indicator.objects.filter(action=ia_2_1).update(kind="average"))
    integrity_error(lambda: Indicator.objects.filter(action=ia_2_1).update(direction="up"))


def test_one_measurement_per_indicator_and_date_with_a_source(ia_2_1):
    indicator = ia_2_1.indicators.get(code="IA2-1-APP-AN")
    Measurement.objects.create(indicator=indicator, date=date(2025, 8, 31), value=1, source="DGOS")
    integrity_error(
        lambda: Measurement.objects.create(
            indicator=indicator, date=date(2025, 8, 31), value=2, source="DGOS"
        )
    )
    integrity_error(
        lambda: Measurement.objects.create(
            indicator=indicator, date=date(2025, 9, 1), value=2, source=""
        )
    )


def test_milestone_titles_are_unique_per_action_and_per_roadmap(ia_2_1):
    Milestone.objects.create(action=ia_2_1, title="Lancement", due_date=date(2025, 3, 1))
    integrity_error(lambda: Milestone.objects.create(action=ia_2_1, title="Lancement"))
    # The same title on another action, or for the roadmap itself, is a different milestone.
    other = Action.objects.get(code="IA 2-2")
    Milestone.objects.create(action=other, title="Lancement")
    Milestone.objects.create(roadmap=ia_2_1.roadmap, title="Lancement")
    integrity_error(lambda: Milestone.objects.create(roadmap=ia_2_1.roadmap, title="Lancement"))


def test_a_rescheduled_milestone_keeps_its_original_due_date(ia_2_1):
    milestone = Milestone.objects.create(
        action=ia_2_1, title="Lancement", due_date=date(2025, 3, 1)
    )
    milestone.due_date = date(2025, 9, 1)
    milestone.save()
    milestone.refresh_from_db()
    assert (milestone.original_due_date, milestone.due_date, milestone.slipped) == (
        date(2025, 3, 1),
        date(2025, 9, 1),
        True,
    )
    assert milestone.is_overdue(date(2025, 9, 2)) and not milestone.is_overdue(date(2025, 9, 1))


def test_every_save_bumps_the_version_and_is_kept_in_the_history(ia_2_1, administrator):
    assert ia_2_1.version == 1
    ia_2_1.status = "in_progress"
    ia_2_1._history_user = administrator
    ia_2_1.save()
    ia_2_1.refresh_from_db()
    assert ia_2_1.version == 2
    latest, previous = ia_2_1.history.all()[:2]
    delta = latest.diff_against(previous)
    changes = {(c.field, c.old, c.new) for c in delta.changes if c.field != "version"}
    assert changes == {("status", "", "in_progress")}
    assert latest.history_user == administrator


def test_indicator_figures_come_from_its_measurements(ia_2_1):
    indicator = ia_2_1.indicators.get(code="IA2-1-MASTER-NUM")
    for on, value in ((date(2025, 6, 30), 6), (date(2025, 12, 31), 9)):
        Measurement.objects.create(indicator=indicator, date=on, value=value, source="DGOS")
    figures = indicator.figures(today=date(2026, 1, 15))
    assert (figures.current, figures.current_date) == (9, date(2025, 12, 31))
    assert figures.progress == 60
    assert (figures.target, figures.ended, figures.periods) == (15, False, ())


def test_a_per_period_indicator_holds_each_academic_year_against_its_own_target(ia_2_1):
    yearly = ia_2_1.indicators.get(code="IA2-1-APP-AN")
    for on, value in ((date(2025, 6, 30), 72_000), (date(2026, 1, 31), 35_000)):
        Measurement.objects.create(indicator=yearly, date=on, value=value, source="DGOS")
    Target.objects.create(indicator=yearly, on=date(2026, 3, 1), value=80_000, source="DGOS")

    figures = yearly.figures(today=date(2026, 2, 15))

    assert [(p.start, p.target, p.value, p.state) for p in figures.periods] == [
        (date(2024, 9, 1), 70_000, 72_000, "past"),
        (date(2025, 9, 1), 80_000, 35_000, "current"),
        (date(2026, 9, 1), 70_000, None, "future"),
        (date(2027, 9, 1), 70_000, None, "future"),
        (date(2028, 9, 1), 70_000, None, "future"),
    ]
    assert (figures.current, figures.target, figures.progress) == (35_000, 80_000, 43.75)


def test_a_sum_adds_up_the_years_of_the_indicator_it_sums_and_ignores_its_own_values(ia_2_1):
    yearly = ia_2_1.indicators.get(code="IA2-1-APP-AN")
    total = ia_2_1.indicators.get(code="IA2-1-APP-5ANS")
    for on, value in ((date(2025, 3, 31), 30_000), (date(2025, 8, 31), 70_000)):
        Measurement.objects.create(indicator=yearly, date=on, value=value, source="DGOS")
    Measurement.objects.create(indicator=total, date=date(2025, 8, 31), value=1, source="x")

    figures = total.figures(today=date(2025, 9, 15))

    assert (figures.current, figures.current_date) == (70_000, date(2025, 8, 31))
    assert round(figures.progress, 6) == 14
    assert figures.on_track is False


def test_an_indicator_definition_carries_its_dated_targets_and_its_periods(ia_2_1):
    total = ia_2_1.indicators.get(code="IA2-1-APP-5ANS")
    Target.objects.create(indicator=total, on=date(2026, 8, 31), value=200_000, source="DGOS")

    assert total.definition() == {
        "kind": "cumulative",
        "direction": "higher",
        "baseline": 0,
        "baseline_date": date(2024, 9, 1),
        "target": 500_000,
        "target_date": date(2029, 8, 31),
        "targets": [progress.Target(date(2026, 8, 31), 200_000)],
        "periodicity": None,
        "periods_from": None,
        "period_count": None,
    }
    yearly = ia_2_1.indicators.get(code="IA2-1-APP-AN").definition()
    assert (yearly["periodicity"], yearly["periods_from"], yearly["period_count"]) == (
        "academic_year",
        date(2024, 9, 1),
        5,
    )


def test_one_target_per_indicator_and_date_its_history_kept(ia_2_1, administrator):
    indicator = ia_2_1.indicators.get(code="IA2-1-APP-5ANS")
    target = Target.objects.create(indicator=indicator, on=date(2026, 8, 31), value=200_000)
    integrity_error(
        lambda: Target.objects.create(indicator=indicator, on=date(2026, 8, 31), value=1)
    )
    target.value = 250_000
    target._history_user = administrator
    target.save()
    assert [(h.value, h.history_type) for h in target.history.order_by("history_date")] == [
        (200_000, "+"),
        (250_000, "~"),
    ]


def test_a_per_period_indicator_needs_a_periodicity_and_a_first_period(ia_2_1):
    yearly = Indicator.objects.filter(code="IA2-1-APP-AN")
    integrity_error(lambda: yearly.update(periodicity=""))
    integrity_error(lambda: yearly.update(periods_from=None))
    integrity_error(lambda: yearly.update(periodicity="week"))
    integrity_error(lambda: yearly.update(period_count=0))
    level = Indicator.objects.filter(code="IA2-1-MASTER-NUM")
    integrity_error(lambda: level.update(periodicity="year", periods_from=date(2025, 1, 1)))


def test_only_a_cumulative_indicator_sums_a_per_period_one_of_its_action(ia_2_1):
    yearly = ia_2_1.indicators.get(code="IA2-1-APP-AN")
    integrity_error(
        lambda: Indicator.objects.filter(code="IA2-1-MASTER-NUM").update(summed_from=yearly)
    )
    total = ia_2_1.indicators.get(code="IA2-1-APP-5ANS")
    total.summed_from = ia_2_1.indicators.get(code="IA2-1-MASTER-NUM")
    with pytest.raises(ValidationError) as error:
        total.clean()
    assert error.value.message_dict == {
        "summed_from": [
            "Un indicateur ne peut être que la somme d'un indicateur par période de la même action."
        ]
    }


@pytest.mark.parametrize(
    ("who", "editable"),
    [
        ("anonymous", set()),
        ("reader", set()),
        ("has_member", {"IA 2-4"}),
        ("dns_member", {"IA 4-1"}),
        ("administrator", "all"),
    ],
)
def test_who_may_edit_which_action(roadmap, request, who, editable):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    codes = set(Action.objects.editable_by(user).values_list("code", flat=True))
    assert codes == (
        set(Action.objects.values_list("code", flat=True)) if editable == "all" else editable
    )


def test_an_inactive_member_edits_nothing(has_member):
    has_member.is_active = False
    has_member.save()
    assert not Action.objects.editable_by(has_member).exists()


def test_a_member_edits_an_action_both_led_and_partnered_once(roadmap, has_member):
    action = Action.objects.get(code="IA 2-4")
    action.partners.add(Organisation.objects.get(acronym="HAS"))
    assert list(Action.objects.editable_by(has_member).values_list("code", flat=True)) == ["IA 2-4"]


def test_a_member_without_organisation_is_refused_by_the_database(db):
    integrity_error(lambda: User.objects.create_user("x", password=PASSWORD, role=Role.MEMBER))


def test_decimal_targets_keep_their_exact_value(ia_2_1):
    assert ia_2_1.indicators.get(code="IA2-1-INVEST").target_value == Decimal("119000000")
