"""The import checks the models' constraints without a query per row (`RowConstraints`), and
says exactly what Django's own check says, for every constraint of every imported model: each
broken rule below is compared with `Model.validate_constraints`, and a row that breaks none
costs no query once the sheet has read the values already taken."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from roadmap import progress
from roadmap.models import Action, Indicator, Milestone, Target
from roadmap.spreadsheets.constraints import RowConstraints


def django_errors(instance, exclude=()) -> dict:
    try:
        instance.validate_constraints(exclude=set(exclude))
    except ValidationError as error:
        return error.message_dict
    return {}


def row_errors(checker: RowConstraints, instance, exclude=()) -> dict:
    try:
        checker.validate(instance, exclude=set(exclude))
    except ValidationError as error:
        return error.message_dict
    return {}


def new_action(roadmap, **values) -> Action:
    existing = Action.objects.get(roadmap=roadmap, code="IA 2-1")
    action = Action(roadmap=roadmap, axis=existing.axis, title="Nouvelle action")
    for name, value in {"code": "IA 9-9", "slug": "ia-9-9", **values}.items():
        setattr(action, name, value)
    return action


def new_indicator(roadmap, **values) -> Indicator:
    action = Action.objects.get(roadmap=roadmap, code="IA 2-1")
    indicator = Indicator(
        roadmap=roadmap,
        action=action,
        code="IA2-1-NOUVEAU",
        label="Nouvel indicateur",
        kind=progress.CUMULATIVE,
    )
    for name, value in values.items():
        setattr(indicator, name, value)
    return indicator


def action_cases(roadmap):
    return [
        new_action(roadmap),
        new_action(roadmap, code="IA 2-1", slug="autre"),  # the code of an existing action
        new_action(roadmap, code="ia 2-1", slug="ia-2-1"),  # another code, the same slug
        new_action(roadmap, status="inventé"),
        new_action(
            roadmap, start_date=datetime.date(2026, 5, 1), end_date=datetime.date(2026, 4, 1)
        ),
        new_action(roadmap, start_date=datetime.date(2026, 5, 1), end_date=None),
    ]


def indicator_cases(roadmap):
    existing = Indicator.objects.filter(roadmap=roadmap).first()
    first = datetime.date(2024, 9, 1)
    return [
        new_indicator(roadmap),
        new_indicator(roadmap, code=existing.code),
        new_indicator(roadmap, kind="inventé"),
        new_indicator(roadmap, direction="inventé"),
        new_indicator(
            roadmap,
            baseline_date=datetime.date(2026, 1, 1),
            target_date=datetime.date(2026, 1, 1),
        ),
        new_indicator(roadmap, kind=progress.PER_PERIOD),
        new_indicator(
            roadmap, kind=progress.PER_PERIOD, periodicity="academic_year", periods_from=first
        ),
        new_indicator(roadmap, periodicity="academic_year", periods_from=first),
        new_indicator(
            roadmap,
            kind=progress.PER_PERIOD,
            periodicity="academic_year",
            periods_from=first,
            period_count=0,
        ),
        new_indicator(roadmap, kind=progress.LEVEL, summed_from=existing),
        new_indicator(roadmap, summed_from=existing),
    ]


def test_each_broken_constraint_is_reported_in_django_s_own_words(roadmap):
    ia_2_1 = Action.objects.get(roadmap=roadmap, code="IA 2-1")
    Milestone.objects.create(roadmap=roadmap, action=ia_2_1, title="Cadrage")
    of_the_roadmap = Milestone.objects.filter(roadmap=roadmap, action__isnull=True).first()
    indicator = Indicator.objects.filter(roadmap=roadmap).first()
    Target.objects.create(indicator=indicator, on=datetime.date(2026, 6, 30), value=Decimal(5))
    cases = [
        *action_cases(roadmap),
        Milestone(roadmap=roadmap, action=ia_2_1, title="Cadrage"),
        Milestone(roadmap=roadmap, action=ia_2_1, title="Autre jalon"),
        Milestone(roadmap=roadmap, action=None, title="Cadrage"),  # not the action's
        Milestone(roadmap=roadmap, action=None, title=of_the_roadmap.title),
        Milestone(roadmap=roadmap, action=ia_2_1, title=of_the_roadmap.title),
        *indicator_cases(roadmap),
        Target(indicator=indicator, on=datetime.date(2026, 6, 30), value=Decimal(1)),
        Target(indicator=indicator, on=datetime.date(2026, 7, 31), value=Decimal(1)),
    ]
    broken = 0
    for instance in cases:
        expected = django_errors(instance)
        broken += bool(expected)
        assert row_errors(RowConstraints(type(instance)), instance) == expected, instance
    assert (broken, len(cases)) == (15, 24)  # every case but the nine valid ones


def test_a_column_already_found_wrong_is_not_checked_again(roadmap):
    action = new_action(
        roadmap,
        code="IA 2-1",
        start_date=datetime.date(2026, 5, 1),
        end_date=datetime.date(2026, 4, 1),
    )
    exclude = {"code", "end_date"}
    assert row_errors(RowConstraints(Action), action, exclude) == django_errors(action, exclude)
    assert row_errors(RowConstraints(Action), action, exclude) == {}


def test_rows_that_break_nothing_cost_no_query(roadmap, django_assert_num_queries):
    checker = RowConstraints(Indicator)
    rows = [new_indicator(roadmap, code=f"IA2-1-N{number}") for number in range(50)]
    checker.validate(new_indicator(roadmap, code="IA2-1-PREMIER"), exclude=set())
    with django_assert_num_queries(0):
        for row in rows:
            checker.validate(row, exclude=set())


def test_a_row_with_the_values_of_a_row_checked_before_it_is_checked_in_the_database(roadmap):
    checker = RowConstraints(Milestone)
    action = Action.objects.get(roadmap=roadmap, code="IA 2-1")
    first = Milestone(roadmap=roadmap, action=action, title="Même titre")
    checker.validate(first, exclude=set())
    first.save()
    second = Milestone(roadmap=roadmap, action=action, title="Même titre")
    assert row_errors(checker, second) == django_errors(second) != {}


@pytest.mark.parametrize("model", [Action, Milestone, Indicator, Target])
def test_an_existing_row_does_not_collide_with_itself(roadmap, model):
    instance = model.objects.filter(
        **{"indicator__roadmap" if model is Target else "roadmap": roadmap}
    ).first()
    if instance is None:  # the seed has no dated target
        indicator = Indicator.objects.filter(roadmap=roadmap).first()
        instance = Target.objects.create(
            indicator=indicator, on=datetime.date(2026, 6, 30), value=Decimal(5)
        )
    assert row_errors(RowConstraints(model), instance) == {}
