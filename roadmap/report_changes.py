"""« Ce qui a changé depuis la séance du … »: what differs between two council reports.

Pure Python over two frozen snapshots (the documents of `roadmap.reports`, read back with their
dates as dates): no Django, no database, so that every kind of change can be tested alone
(docs/domain.md « Rapports au Conseil »). Actions are matched by code, indicators by code,
milestones by their stable `id` (snapshots of format 2 on), so that a renamed one is one
change; against an earlier snapshot without ids (format 1), by title within their action. The
kinds of change, each in the order of the roadmap:

- a declared status that changed;
- a milestone done since, added since, renamed, or rescheduled (its due date moved);
- an indicator whose latest value changed, with the difference;
- an action with new progress notes (how many, and the latest);
- an action that nobody updated since the earlier report.

An action or an indicator that appears only in the later report has nothing to compare with:
its milestones count as added, its values are listed with no earlier value.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StatusChange:
    code: str
    title: str
    before: str | None
    after: str | None
    before_label: str
    after_label: str


@dataclass(frozen=True)
class MilestoneChange:
    code: str
    title: str
    milestone: str
    due_date: datetime.date | None
    before_due_date: datetime.date | None = None
    done_on: datetime.date | None = None
    before_title: str | None = None


@dataclass(frozen=True)
class ValueChange:
    code: str
    indicator: str
    label: str
    unit: str
    before: float | int | None
    after: float | int | None
    after_date: datetime.date | None
    difference: float | int | None


@dataclass(frozen=True)
class NotesChange:
    code: str
    title: str
    count: int
    latest: dict


@dataclass(frozen=True)
class NotUpdated:
    code: str
    title: str
    last_update: datetime.datetime | None


@dataclass(frozen=True)
class Changes:
    """What changed between the report `since` and the later one."""

    since: dict
    statuses: list[StatusChange] = field(default_factory=list)
    milestones_done: list[MilestoneChange] = field(default_factory=list)
    milestones_added: list[MilestoneChange] = field(default_factory=list)
    milestones_renamed: list[MilestoneChange] = field(default_factory=list)
    milestones_rescheduled: list[MilestoneChange] = field(default_factory=list)
    values: list[ValueChange] = field(default_factory=list)
    notes: list[NotesChange] = field(default_factory=list)
    not_updated: list[NotUpdated] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(
            self.statuses
            or self.milestones_done
            or self.milestones_added
            or self.milestones_renamed
            or self.milestones_rescheduled
            or self.values
            or self.notes
        )


def actions_of(snapshot: dict) -> list[dict]:
    """The actions of a snapshot, in the roadmap's order (axis by axis)."""
    return [action for axis in snapshot["axes"] for action in axis["actions"]]


def _difference(before, after):
    if before is None or after is None:
        return None
    difference = after - before
    # A whole difference reads as a whole number (« +12 000 », not « +12 000,0 »).
    return int(difference) if float(difference).is_integer() else difference


def _earlier_milestone(before: list[dict], by_id: bool):
    """How to find a later milestone among `before`: by its id when both snapshots hold ids,
    else by its title."""
    if by_id:
        earlier = {milestone["id"]: milestone for milestone in before}
        return lambda milestone: earlier.get(milestone.get("id"))
    earlier = {milestone["title"]: milestone for milestone in before}
    return lambda milestone: earlier.get(milestone["title"])


def _milestone_changes(
    code: str, title: str, before: list[dict], after: list[dict], changes, *, by_id: bool
):
    find = _earlier_milestone(before, by_id)
    for milestone in after:
        known = find(milestone)
        change = MilestoneChange(
            code, title, milestone["title"], milestone["due_date"], done_on=milestone["done_on"]
        )
        if known is None:
            changes.milestones_added.append(change)
            continue
        if milestone["title"] != known["title"]:
            changes.milestones_renamed.append(
                MilestoneChange(
                    code,
                    title,
                    milestone["title"],
                    milestone["due_date"],
                    done_on=milestone["done_on"],
                    before_title=known["title"],
                )
            )
        if milestone["done_on"] is not None and known["done_on"] is None:
            changes.milestones_done.append(change)
        if milestone["due_date"] != known["due_date"]:
            changes.milestones_rescheduled.append(
                MilestoneChange(
                    code,
                    title,
                    milestone["title"],
                    milestone["due_date"],
                    before_due_date=known["due_date"],
                    done_on=milestone["done_on"],
                )
            )


def _has_milestone_ids(snapshot: dict) -> bool:
    """Whether the snapshot's milestones carry their id (format 2 on; none in format 1)."""
    return all("id" in m for action in actions_of(snapshot) for m in action["milestones"])


def _value_changes(code: str, before: list[dict], after: list[dict], changes):
    earlier = {indicator["code"]: indicator for indicator in before}
    for indicator in after:
        known = earlier.get(indicator["code"])
        old = None if known is None else known["latest_value"]
        new = indicator["latest_value"]
        old_date = None if known is None else known["latest_date"]
        if (old, old_date) == (new, indicator["latest_date"]):
            continue
        changes.values.append(
            ValueChange(
                code,
                indicator["code"],
                indicator["label"],
                indicator["unit"],
                old,
                new,
                indicator["latest_date"],
                _difference(old, new),
            )
        )


def compare(earlier: dict, later: dict) -> Changes:
    """What changed from the snapshot `earlier` to the snapshot `later`."""
    changes = Changes(since=earlier["report"])
    before = {action["code"]: action for action in actions_of(earlier)}
    by_id = _has_milestone_ids(earlier) and _has_milestone_ids(later)
    for action in actions_of(later):
        code, title = action["code"], action["title"]
        known = before.get(code)
        if known is not None and known["status"] != action["status"]:
            changes.statuses.append(
                StatusChange(
                    code,
                    title,
                    known["status"],
                    action["status"],
                    known["status_label"],
                    action["status_label"],
                )
            )
        _milestone_changes(
            code,
            title,
            [] if known is None else known["milestones"],
            action["milestones"],
            changes,
            by_id=by_id,
        )
        _value_changes(
            code, [] if known is None else known["indicators"], action["indicators"], changes
        )
        new_notes = action["note_count"] - (0 if known is None else known["note_count"])
        if new_notes > 0 and action["latest_note"] is not None:
            changes.notes.append(NotesChange(code, title, new_notes, action["latest_note"]))
        if known is not None and known["last_update"] == action["last_update"]:
            changes.not_updated.append(NotUpdated(code, title, action["last_update"]))
    return changes
