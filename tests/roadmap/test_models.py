"""The invariants the database holds whatever writes to it, versions, history, and who may edit."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Organisation, Role, User
from roadmap.models import Action, Indicator, Measurement, Milestone
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
    indicator = ia_2_1.indicators.get(code="IA2-1-APP-5ANS")
    Measurement.objects.create(
        indicator=indicator, date=date(2025, 8, 31), value=70000, source="DGOS"
    )
    figures = indicator.figures(today=date(2025, 9, 15))
    assert figures.current == 70000
    assert round(figures.progress, 6) == 14
    assert figures.on_track is False


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
