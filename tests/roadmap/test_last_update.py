"""« Dernière mise à jour » is the last change a person made (docs/domain.md): null after the seed
is loaded, moved by an edit of the action, a milestone, an indicator, a target, a measurement or a
progress note, never by `load_roadmap --update`. The suite runs on SQLite and on PostgreSQL: the
same assertions hold on both (`Greatest` treats nulls differently there, `queries._greatest`)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from roadmap.models import Action, Indicator, Measurement, Milestone, Status, Target
from roadmap.queries import person_last_update, with_last_update
from tests.support.builders import colleague, make_milestone, note, set_status


@pytest.fixture
def camille(roadmap):
    return colleague("DNS")


def last_updates(roadmap) -> dict[str, datetime.datetime | None]:
    return dict(
        with_last_update(Action.objects.filter(roadmap=roadmap)).values_list("code", "last_update")
    )


def apprentices(action: Action) -> Indicator:
    return action.indicators.get(code="IA2-1-APP-AN")


# Each edit a person makes, on IA 2-1, returning the moment it was recorded.


def edit_action(action, user):
    set_status(action, Status.IN_PROGRESS, user)
    return action.history.latest("history_date").history_date


def add_milestone(action, user):
    milestone = Milestone(action=action, title="Premier bilan", due_date=datetime.date(2026, 3, 31))
    milestone._history_user = user
    milestone.save()
    return milestone.history.get().history_date


def tick_milestone(action, user):
    milestone = make_milestone(action, "Premier bilan")
    milestone.done_on = datetime.date(2025, 11, 15)
    milestone._history_user = user
    milestone.save()
    return milestone.history.latest("history_date").history_date


def edit_indicator(action, user):
    indicator = apprentices(action)
    indicator.target_value = Decimal(75000)
    indicator._history_user = user
    indicator.save()
    return indicator.history.latest("history_date").history_date


def add_target(action, user):
    target = Target(indicator=apprentices(action), on=datetime.date(2026, 8, 31), value=72000)
    target._history_user = user
    target.save()
    return target.history.get().history_date


def add_measurement(action, user):
    measurement = Measurement(
        indicator=apprentices(action),
        date=datetime.date(2025, 8, 31),
        value=Decimal(52000),
        source="Enquête de la DGOS",
        recorded_by=user,
    )
    measurement._history_user = user
    measurement.save()
    return measurement.history.get().history_date


def delete_measurement(action, user):
    measurement = Measurement.objects.create(
        indicator=apprentices(action), date=datetime.date(2025, 8, 31), value=1, source="DGOS"
    )
    measurement._history_user = user
    measurement.delete()
    return Measurement.history.filter(history_type="-").get().history_date


def write_note(action, user):
    return note(action, user, "Formations recensées.").created_at


EDITS = [
    edit_action,
    add_milestone,
    tick_milestone,
    edit_indicator,
    add_target,
    add_measurement,
    delete_measurement,
    write_note,
]


def test_after_the_seed_is_loaded_no_action_has_a_last_update(roadmap):
    updates = last_updates(roadmap)
    assert len(updates) == 17
    assert set(updates.values()) == {None}
    assert person_last_update(roadmap) is None
    for axis in roadmap.axes.all():
        assert person_last_update(roadmap, axis) is None


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__)
def test_each_change_a_person_makes_is_the_action_s_last_update(roadmap, ia_2_1, camille, edit):
    moment = edit(ia_2_1, camille)

    updates = last_updates(roadmap)
    assert updates.pop("IA 2-1") == moment
    assert set(updates.values()) == {None}  # the other actions are untouched
    assert person_last_update(roadmap) == moment
    assert person_last_update(roadmap, ia_2_1.axis) == moment
    assert person_last_update(roadmap, roadmap.axes.get(number=1)) is None


def test_the_latest_of_several_changes_wins(roadmap, ia_2_1, camille):
    add_measurement(ia_2_1, camille)
    moment = write_note(ia_2_1, camille)
    set_status(Action.objects.get(code="IA 4-1"), Status.NOT_STARTED, camille)
    latest = Action.objects.get(code="IA 4-1").history.latest("history_date").history_date

    updates = last_updates(roadmap)
    assert (updates["IA 2-1"], updates["IA 4-1"]) == (moment, latest)
    assert person_last_update(roadmap) == latest


def test_a_change_to_the_roadmap_s_own_milestone_is_the_roadmap_s_not_an_action_s(roadmap, camille):
    milestone = Milestone.objects.get(
        roadmap=roadmap, action=None, title="Publication de la feuille de route de l’IA en santé"
    )
    milestone.done_on = datetime.date(2025, 7, 10)
    milestone._history_user = camille
    milestone.save()

    assert set(last_updates(roadmap).values()) == {None}
    assert person_last_update(roadmap) == milestone.history.latest("history_date").history_date


def test_the_seed_s_update_is_no_one_s_update(roadmap, ia_2_1):
    # Rows changed behind the seed's back (no history): `--update` rewrites them, in its name.
    Action.objects.filter(pk=ia_2_1.pk).update(title="Titre abîmé")
    Indicator.objects.filter(code="IA2-1-APP-AN").update(target_value=1)
    Milestone.objects.filter(action=None).update(source="Source abîmée")
    history = Action.history.count() + Indicator.history.count() + Milestone.history.count()

    call_command("load_roadmap", "--update", verbosity=0)

    assert Action.history.count() + Indicator.history.count() + Milestone.history.count() == (
        history + 1 + 1 + 2
    )
    assert set(last_updates(roadmap).values()) == {None}
    assert person_last_update(roadmap) is None


def test_the_seed_s_update_leaves_a_person_s_last_update_as_it_was(roadmap, ia_2_1, camille):
    moment = edit_indicator(ia_2_1, camille)  # 75 000 instead of the source's 70 000

    call_command("load_roadmap", "--update", verbosity=0)

    assert apprentices(ia_2_1).target_value == 70000
    assert last_updates(roadmap)["IA 2-1"] == moment
    assert person_last_update(roadmap) == moment
