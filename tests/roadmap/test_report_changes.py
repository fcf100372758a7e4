"""« Ce qui a changé depuis la séance du … » (roadmap.report_changes): each kind of change
between two snapshots, alone, and nothing else reported."""

import copy
import datetime

import pytest

from roadmap.report_changes import (
    Changes,
    MilestoneChange,
    NotesChange,
    NotUpdated,
    StatusChange,
    ValueChange,
    compare,
)

MARCH = datetime.date(2026, 3, 12)
UPDATED = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
NOTE = {"written_on": datetime.date(2026, 2, 20), "done": "Appel lancé.", "author": "Camille"}


def snapshot() -> dict:
    """Two actions on one axis: IA 2-1 with a milestone and an indicator, IA 2-4 with neither."""
    return {
        "report": {
            "title": "Séance du 12 mars 2026",
            "slug": "seance-2026-03-12",
            "meeting_date": MARCH,
        },
        "axes": [
            {
                "number": 2,
                "actions": [
                    {
                        "code": "IA 2-1",
                        "title": "Former les professionnels",
                        "status": "in_progress",
                        "status_label": "En cours",
                        "milestones": [
                            {
                                "title": "Référentiel publié",
                                "due_date": datetime.date(2026, 6, 30),
                                "done_on": None,
                            }
                        ],
                        "indicators": [
                            {
                                "code": "IA2-1-APP-AN",
                                "label": "Apprenants formés",
                                "unit": "apprenants",
                                "latest_value": 63000,
                                "latest_date": datetime.date(2026, 1, 31),
                            }
                        ],
                        "note_count": 1,
                        "latest_note": NOTE,
                        "last_update": UPDATED,
                    },
                    {
                        "code": "IA 2-4",
                        "title": "Recommandations de la HAS",
                        "status": None,
                        "status_label": "Non renseigné",
                        "milestones": [],
                        "indicators": [],
                        "note_count": 0,
                        "latest_note": None,
                        "last_update": None,
                    },
                ],
            }
        ],
    }


def action(document, code):
    return next(a for axis in document["axes"] for a in axis["actions"] if a["code"] == code)


def later(change) -> dict:
    """The next report: the same snapshot, changed by `change`, with both actions updated (so
    that « not updated since » lists nothing unless the test says so)."""
    document = copy.deepcopy(snapshot())
    for item in (action(document, "IA 2-1"), action(document, "IA 2-4")):
        item["last_update"] = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
    change(document)
    return document


def only(changes: Changes, **expected) -> None:
    """`changes` holds exactly `expected`, every other kind empty."""
    kinds = (
        "statuses",
        "milestones_done",
        "milestones_added",
        "milestones_renamed",
        "milestones_rescheduled",
        "values",
        "notes",
        "not_updated",
    )
    assert {kind: getattr(changes, kind) for kind in kinds} == {
        kind: expected.get(kind, []) for kind in kinds
    }


def test_nothing_changed_but_the_dates_of_update():
    changes = compare(snapshot(), later(lambda document: None))
    only(changes)
    assert changes.any is False
    assert changes.since["meeting_date"] == MARCH


def test_the_same_snapshot_twice_lists_every_action_as_not_updated():
    changes = compare(snapshot(), snapshot())
    only(
        changes,
        not_updated=[
            NotUpdated("IA 2-1", "Former les professionnels", UPDATED),
            NotUpdated("IA 2-4", "Recommandations de la HAS", None),
        ],
    )
    assert changes.any is False


def test_a_status_change():
    def change(document):
        action(document, "IA 2-4").update(status="at_risk", status_label="À risque")

    only(
        compare(snapshot(), later(change)),
        statuses=[
            StatusChange(
                "IA 2-4", "Recommandations de la HAS", None, "at_risk", "Non renseigné", "À risque"
            )
        ],
    )


def test_a_milestone_done():
    def change(document):
        action(document, "IA 2-1")["milestones"][0]["done_on"] = datetime.date(2026, 5, 2)

    only(
        compare(snapshot(), later(change)),
        milestones_done=[
            MilestoneChange(
                "IA 2-1",
                "Former les professionnels",
                "Référentiel publié",
                datetime.date(2026, 6, 30),
                done_on=datetime.date(2026, 5, 2),
            )
        ],
    )


def test_a_milestone_added():
    def change(document):
        action(document, "IA 2-4")["milestones"].append(
            {"title": "Guide publié", "due_date": datetime.date(2026, 9, 1), "done_on": None}
        )

    only(
        compare(snapshot(), later(change)),
        milestones_added=[
            MilestoneChange(
                "IA 2-4", "Recommandations de la HAS", "Guide publié", datetime.date(2026, 9, 1)
            )
        ],
    )


def test_a_milestone_rescheduled():
    def change(document):
        action(document, "IA 2-1")["milestones"][0]["due_date"] = datetime.date(2026, 12, 31)

    only(
        compare(snapshot(), later(change)),
        milestones_rescheduled=[
            MilestoneChange(
                "IA 2-1",
                "Former les professionnels",
                "Référentiel publié",
                datetime.date(2026, 12, 31),
                before_due_date=datetime.date(2026, 6, 30),
            )
        ],
    )


def with_ids(document: dict) -> dict:
    """The snapshot as format 2 writes it: each milestone with its stable id."""
    for number, milestone in enumerate(
        (m for item in document["axes"][0]["actions"] for m in item["milestones"]), start=41
    ):
        milestone["id"] = number
    return document


def test_a_renamed_milestone_is_one_change_not_an_addition():
    def change(document):
        with_ids(document)
        action(document, "IA 2-1")["milestones"][0]["title"] = "Référentiel national publié"

    changes = compare(with_ids(snapshot()), later(change))

    only(
        changes,
        milestones_renamed=[
            MilestoneChange(
                "IA 2-1",
                "Former les professionnels",
                "Référentiel national publié",
                datetime.date(2026, 6, 30),
                before_title="Référentiel publié",
            )
        ],
    )
    assert changes.any is True


def test_a_renamed_and_rescheduled_milestone_says_both_under_its_new_title():
    def change(document):
        with_ids(document)
        action(document, "IA 2-1")["milestones"][0].update(
            title="Référentiel national publié", due_date=datetime.date(2026, 9, 30)
        )

    changes = compare(with_ids(snapshot()), later(change))

    renamed = MilestoneChange(
        "IA 2-1",
        "Former les professionnels",
        "Référentiel national publié",
        datetime.date(2026, 9, 30),
        before_title="Référentiel publié",
    )
    rescheduled = MilestoneChange(
        "IA 2-1",
        "Former les professionnels",
        "Référentiel national publié",
        datetime.date(2026, 9, 30),
        before_due_date=datetime.date(2026, 6, 30),
    )
    only(changes, milestones_renamed=[renamed], milestones_rescheduled=[rescheduled])


def test_with_ids_a_new_milestone_of_an_old_title_is_added():
    """The id decides: a milestone deleted and another created under the same title is new."""

    def change(document):
        with_ids(document)
        action(document, "IA 2-1")["milestones"][0]["id"] = 99

    only(
        compare(with_ids(snapshot()), later(change)),
        milestones_added=[
            MilestoneChange(
                "IA 2-1",
                "Former les professionnels",
                "Référentiel publié",
                datetime.date(2026, 6, 30),
            )
        ],
    )


def test_against_a_snapshot_without_ids_milestones_are_matched_by_title():
    def change(document):
        with_ids(document)
        action(document, "IA 2-1")["milestones"][0]["due_date"] = datetime.date(2026, 12, 31)
        action(document, "IA 2-1")["milestones"].append(
            {"id": 7, "title": "Bilan", "due_date": None, "done_on": None}
        )

    # The earlier snapshot has no ids (format 1): matched by title, as it was written then.
    only(
        compare(snapshot(), later(change)),
        milestones_added=[MilestoneChange("IA 2-1", "Former les professionnels", "Bilan", None)],
        milestones_rescheduled=[
            MilestoneChange(
                "IA 2-1",
                "Former les professionnels",
                "Référentiel publié",
                datetime.date(2026, 12, 31),
                before_due_date=datetime.date(2026, 6, 30),
            )
        ],
    )


def test_an_indicator_value_with_its_change():
    def change(document):
        indicator = action(document, "IA 2-1")["indicators"][0]
        indicator.update(latest_value=70000, latest_date=datetime.date(2026, 5, 31))

    only(
        compare(snapshot(), later(change)),
        values=[
            ValueChange(
                "IA 2-1",
                "IA2-1-APP-AN",
                "Apprenants formés",
                "apprenants",
                63000,
                70000,
                datetime.date(2026, 5, 31),
                7000,
            )
        ],
    )


def test_a_new_indicator_value_has_no_earlier_value():
    def change(document):
        action(document, "IA 2-4")["indicators"].append(
            {
                "code": "IA2-4-GUIDES",
                "label": "Guides",
                "unit": "guides",
                "latest_value": 2.5,
                "latest_date": datetime.date(2026, 5, 1),
            }
        )

    only(
        compare(snapshot(), later(change)),
        values=[
            ValueChange(
                "IA 2-4",
                "IA2-4-GUIDES",
                "Guides",
                "guides",
                None,
                2.5,
                datetime.date(2026, 5, 1),
                None,
            )
        ],
    )


def test_new_notes():
    newest = {"written_on": datetime.date(2026, 5, 20), "done": "Premier bilan.", "author": "Alex"}

    def change(document):
        action(document, "IA 2-1").update(note_count=3, latest_note=newest)

    only(
        compare(snapshot(), later(change)),
        notes=[NotesChange("IA 2-1", "Former les professionnels", 2, newest)],
    )


def test_an_action_not_updated_since():
    def change(document):
        action(document, "IA 2-1")["last_update"] = UPDATED

    only(
        compare(snapshot(), later(change)),
        not_updated=[NotUpdated("IA 2-1", "Former les professionnels", UPDATED)],
    )


def test_an_action_new_in_the_later_report_brings_its_milestones_and_values():
    def change(document):
        document["axes"][0]["actions"].append(
            {
                "code": "IA 2-9",
                "title": "Nouvelle action",
                "status": "not_started",
                "status_label": "Non démarrée",
                "milestones": [{"title": "Lancement", "due_date": None, "done_on": None}],
                "indicators": [],
                "note_count": 0,
                "latest_note": None,
                "last_update": None,
            }
        )

    only(
        compare(snapshot(), later(change)),
        milestones_added=[MilestoneChange("IA 2-9", "Nouvelle action", "Lancement", None)],
    )


@pytest.mark.parametrize("before, after, difference", [(10, 12.5, 2.5), (1.5, 0.5, -1)])
def test_the_difference_of_two_values(before, after, difference):
    first, second = snapshot(), later(lambda document: None)
    action(first, "IA 2-1")["indicators"][0]["latest_value"] = before
    action(second, "IA 2-1")["indicators"][0]["latest_value"] = after
    (value,) = compare(first, second).values
    assert value.difference == difference
    assert isinstance(value.difference, type(difference))
