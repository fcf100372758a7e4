"""Review before publication (docs/domain.md « Relecture »): what a member enters is proposed,
and an administrator publishes it or returns it with a comment.

- `submission(user)`: the review fields of a measurement or a progress note that `user`
  enters or corrects: proposed when review is on (`settings.ROADMAP_REVIEW`) and `user` is not
  an administrator, else published at once; and whether the write is public (changes the data
  version, `roadmap.caching`) or private (a proposal readers cannot see);
- `indicator_values(user, indicator, values)`: what saving an indicator's definition writes:
  an administrator's (or with review off, anyone's) publishes at once; a member's new
  indicator is proposed and stays out of the public's sight (`is_public=False`); a member's
  change to a public indicator is kept apart (`proposed_values`), its published definition
  staying live;
- `decide(reviewer, items, publish=…, comment=…)`: publish or return proposed rows, all or
  nothing (publishing an indicator's change applies it): each row is locked and its version
  compared with the one the reviewer read (`writes.save_unless_changed`); when someone acted
  in between, nothing is written and `Conflict` names the rows as they are now. A
  publication is a public write; a return is not.

Who may review is the rule `reviewable_by` (roadmap/models.py); the views check it with
`permissions.can_review` before deciding.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .caching import privately, writing
from .french import format_date, format_number
from .models import (
    PROPOSED_FIELDS,
    Indicator,
    Measurement,
    ProgressNote,
    Reviewed,
    ReviewState,
    may_review,
)
from .writes import save_unless_changed

# The reviewed models, by the key the queue's forms name them with.
REVIEWED = {"indicateur": Indicator, "mesure": Measurement, "point": ProgressNote}
KEYS = {model: key for key, model in REVIEWED.items()}


def review_on() -> bool:
    return bool(getattr(settings, "ROADMAP_REVIEW", True))


def review_required(user) -> bool:
    """Whether what `user` enters awaits review: review on, and `user` no administrator."""
    return review_on() and not may_review(user)


@dataclass(frozen=True)
class Submission:
    """The review fields of an entry or a correction, and whether its write is public."""

    values: dict
    public: bool

    @property
    def proposed(self) -> bool:
        return self.values["review_state"] == ReviewState.PROPOSED


def submission(user) -> Submission:
    now = timezone.now()
    if review_required(user):
        values = {
            "review_state": ReviewState.PROPOSED,
            "proposed_by": user,
            "proposed_at": now,
            "reviewed_by": None,
            "reviewed_at": None,
        }
        return Submission(values, public=False)
    # Published at once by its author: no reviewer, published now.
    values = {
        "review_state": ReviewState.PUBLISHED,
        "proposed_by": user,
        "proposed_at": now,
        "reviewed_by": None,
        "reviewed_at": now,
        "review_comment": "",
    }
    return Submission(values, public=True)


def apply(instance: Reviewed, done: Submission) -> None:
    """Set the review fields of `done` on a new row, before it is saved."""
    for name, value in done.values.items():
        setattr(instance, name, value)


def _json(value):
    """A definition's value as `Indicator.proposed_values` keeps it (JSON has no decimal, no
    date); `Indicator.proposed_change` reads it back."""
    if isinstance(value, Indicator):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def proposed_change(indicator: Indicator, values: dict) -> dict | None:
    """The fields of `values` that differ from `indicator`'s published definition, as JSON
    values; None when nothing differs."""
    changed = {}
    for name in PROPOSED_FIELDS:
        if name not in values:
            continue
        field = Indicator._meta.get_field(name)
        value = values[name]
        current = getattr(indicator, field.attname)
        wanted = value.pk if isinstance(value, Indicator) else value
        if current != wanted:
            changed[name] = _json(value)
    return changed or None


# The names the definition form gives the fields whose model name would mislead.
FIELD_LABELS = {
    "label": _("Intitulé"),
    "target_value": _("Cible finale"),
    "target_date": _("Date de la cible finale"),
}


@dataclass(frozen=True)
class FieldChange:
    """One field of an indicator's proposal, as the queue and the action page say it:
    « Cible finale : 100 → 120 » (`old` empty for a new indicator)."""

    label: str
    old: str
    new: str


def _shown(name: str, value, named: dict) -> str:
    field = Indicator._meta.get_field(name)
    if value is None or value == "":
        return "—"
    if field.is_relation:
        source = named.get(value)
        return f"{source.code} – {source.label}" if source is not None else str(value)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if isinstance(value, Decimal):
        return format_number(value, decimals=4)
    if isinstance(value, datetime.date):
        return format_date(value)
    return str(value)


def change_sources(indicators) -> set[int]:
    """The ids of the indicators the proposals of `indicators` name as a sum's source (for
    `queries.indicators_named`, one query for a whole list)."""
    named = {indicator.summed_from_id for indicator in indicators}
    for indicator in indicators:
        named.add(indicator.proposed_change().get("summed_from_id"))
    return named - {None}


def indicator_changes(indicator: Indicator, named: dict) -> list[FieldChange]:
    """What a proposal about `indicator` changes, field by field, old → new: for a change to a
    public indicator the fields it proposes; for a new indicator its whole definition (no old
    value). `named` holds the indicators a sum's source may name (`change_sources`)."""
    changes = []
    if indicator.is_public:
        proposed = indicator.proposed_change()
        for name in PROPOSED_FIELDS:
            field = Indicator._meta.get_field(name)
            if field.attname not in proposed:
                continue
            old = getattr(indicator, field.attname)
            changes.append(
                FieldChange(
                    str(FIELD_LABELS.get(name) or capfirst(field.verbose_name)),
                    _shown(name, old, named),
                    _shown(name, proposed[field.attname], named),
                )
            )
        return changes
    for name in PROPOSED_FIELDS:
        field = Indicator._meta.get_field(name)
        value = getattr(indicator, field.attname)
        if value is None or value == "":
            continue
        label = str(FIELD_LABELS.get(name) or capfirst(field.verbose_name))
        changes.append(FieldChange(label, "", _shown(name, value, named)))
    return changes


def preview(indicators: list[Indicator]) -> list[Indicator]:
    """Apply in memory the change proposed to each public indicator of `indicators` (never
    saved): the figures of a signed-in editor's page, as they will be once published. A sum's
    new source is taken among `indicators` (their measurements already fetched). Returns the
    indicators changed."""
    by_pk = {indicator.pk: indicator for indicator in indicators}
    changed = []
    for indicator in indicators:
        if not (indicator.is_public and indicator.is_proposed and indicator.proposed_values):
            continue
        for name, value in indicator.proposed_change().items():
            if name == "summed_from_id":
                if value is None or value in by_pk:
                    indicator.summed_from = by_pk.get(value)
            else:
                setattr(indicator, name, value)
        changed.append(indicator)
    return changed


@dataclass(frozen=True)
class IndicatorWrite:
    """What saving an indicator's definition writes, and whether the write is public."""

    values: dict
    public: bool
    proposed: bool


def indicator_values(user, indicator: Indicator, values: dict) -> IndicatorWrite:
    """What `user` saving `values` as the definition of `indicator` (as read, at the version
    the form was read at) writes.

    Published at once (an administrator, or review off): the definition itself, public, and
    any change that awaited review is superseded (the form showed it). A member's change to a
    new indicator not yet published: the definition itself, proposed again. A member's change
    to a public indicator: only `proposed_values`, the published definition staying live; a
    change back to the published definition withdraws the proposal.
    """
    done = submission(user)
    if not done.proposed and indicator.is_published:
        # Nothing awaited review: the definition changes, as any administrator's edit.
        return IndicatorWrite(values, True, False)
    if not done.proposed:
        return IndicatorWrite(
            {**values, **done.values, "is_public": True, "proposed_values": None}, True, False
        )
    if not indicator.is_public:
        return IndicatorWrite({**values, **done.values}, False, True)
    change = proposed_change(indicator, values)
    if change is None:
        withdrawn = {"proposed_values": None, "review_state": ReviewState.PUBLISHED}
        return IndicatorWrite(withdrawn, False, False)
    return IndicatorWrite({**done.values, "proposed_values": change}, False, True)


@dataclass(frozen=True)
class Item:
    """A row named in a reviewer's decision, at the version the reviewer read."""

    model: type[Reviewed]
    pk: int
    version: int

    @property
    def key(self) -> str:
        return f"{KEYS[self.model]}-{self.pk}"


class Conflict(Exception):
    """Someone acted on some of the rows since the reviewer read them: nothing was written."""

    def __init__(self, rows: list[Reviewed]):
        super().__init__(rows)
        self.rows = rows


def decide(reviewer, items: list[Item], *, publish: bool, comment: str = "") -> list[Reviewed]:
    """Publish (or return, with `comment`) every one of `items`, or none of them.

    The caller has checked `permissions.can_review` on each row as read; the version
    comparison under the lock makes sure that row has not changed since.
    """
    now = timezone.now()
    values = {
        "review_state": ReviewState.PUBLISHED if publish else ReviewState.RETURNED,
        "reviewed_by": reviewer,
        "reviewed_at": now,
        "review_comment": comment,
    }
    stale, done = [], []
    with writing() if publish else privately():
        # Always locked in the same order, so that two decisions on the same rows wait for
        # one another rather than deadlock.
        for item in sorted(items, key=lambda item: (KEYS[item.model], item.pk)):
            more = _publication(item) if publish and item.model is Indicator else {}
            locked = save_unless_changed(
                item.model,
                item.pk,
                item.version,
                public=publish,
                # A returned indicator is still what readers see, as it was.
                keep_updated_at=item.model is Indicator and not publish,
                **values,
                **more,
            )
            (stale if locked.stale else done).append(locked.row)
        if stale:
            # Nothing of a decision is written when part of it is stale: the exception rolls
            # the transaction back.
            raise Conflict(stale)
    return done


def _publication(item: Item) -> dict:
    """What publishing an indicator writes besides its review fields: public, and the change
    it proposed applied to its definition. Read under the lock `save_unless_changed` takes
    again: at the reviewer's version, it is the change the reviewer read."""
    row = Indicator.objects.select_for_update().get(pk=item.pk)
    if row.version != item.version:
        return {}
    return {**row.proposed_change(), "is_public": True, "proposed_values": None}
