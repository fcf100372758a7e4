"""The builders keep their promises: a grown roadmap has rows in every prefetch of the pages,
and the furnished scene has something in every section of IA 2-4."""

from __future__ import annotations

from accounts.models import Role
from roadmap.models import Action, Measurement, Milestone, ProgressNote
from tests.support.builders import (
    colleague,
    days,
    furnished_scene,
    grow,
    grow_everything,
    history_of,
    set_status,
)


def test_grow_makes_the_roadmap_ten_times_bigger_with_a_row_in_every_prefetch(roadmap):
    seed_actions = Action.objects.filter(roadmap=roadmap).count()

    grow(roadmap)

    grown = Action.objects.filter(roadmap=roadmap).exclude(code__regex=r"^IA \d-\d$")
    assert Action.objects.filter(roadmap=roadmap).count() == 10 * seed_actions
    for action in grown.prefetch_related("partners", "milestones", "indicators__measurements"):
        assert action.partners.count() == 2
        assert {m.done_on is None for m in action.milestones.all()} == {True, False}
        assert [i.measurements.count() for i in action.indicators.all()] == [2]


def test_grow_everything_gives_each_action_a_note_and_two_status_changes(roadmap):
    grow_everything(roadmap, factor=2)

    actions = Action.objects.filter(roadmap=roadmap)
    assert ProgressNote.objects.count() == actions.count()
    assert set(actions.values_list("status", flat=True)) == {"at_risk"}


def test_a_colleague_is_a_named_member_of_their_organisation(db):
    user = colleague("HAS")

    assert (user.get_full_name(), user.role, user.organisation.acronym) == (
        "Camille Martin",
        Role.MEMBER,
        "HAS",
    )


def test_set_status_saves_as_the_edit_views_do_signed_by_its_user(ia_2_1):
    user = colleague()

    set_status(ia_2_1, "in_progress", user)

    assert history_of(ia_2_1, "status")[-1] == ("~", "in_progress", "camille")


def test_the_furnished_scene_has_something_in_every_section(roadmap, has_member):
    scene = furnished_scene(roadmap, has_member)

    assert scene.action.code == "IA 2-4"
    assert scene.open_milestone.done_on is None and scene.done_milestone.done_on == days(-41)
    assert Milestone.objects.filter(action=scene.action).count() == 2
    assert Measurement.objects.filter(indicator=scene.indicator).count() == 1
    assert ProgressNote.objects.filter(action=scene.action).exists()
    assert "Premier atelier." in scene.page()
