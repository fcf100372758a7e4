"""Review before publication (docs/domain.md « Relecture »): what a member enters is proposed,
and an administrator publishes it or returns it with a comment.

- `submission(user)`: the review fields of a measurement or a progress note that `user`
  enters or corrects: proposed when review is on (`settings.ROADMAP_REVIEW`) and `user` is not
  an administrator, else published at once; and whether the write is public (changes the data
  version, `roadmap.caching`) or private (a proposal readers cannot see);
- `decide(reviewer, items, publish=…, comment=…)`: publish or return proposed rows, all or
  nothing: each row is locked and its version compared with the one the reviewer read
  (`writes.save_unless_changed`); when someone acted in between, nothing is written and
  `Conflict` names the rows as they are now. A publication is a public write; a return is not.

Who may review is the rule `reviewable_by` (roadmap/models.py); the views check it with
`permissions.can_review` before deciding.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .caching import privately, writing
from .models import Measurement, ProgressNote, Reviewed, ReviewState, may_review
from .writes import save_unless_changed

# The reviewed models, by the key the queue's forms name them with.
REVIEWED = {"mesure": Measurement, "point": ProgressNote}
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
            locked = save_unless_changed(
                item.model, item.pk, item.version, public=publish, **values
            )
            (stale if locked.stale else done).append(locked.row)
        if stale:
            # Nothing of a decision is written when part of it is stale: the exception rolls
            # the transaction back.
            raise Conflict(stale)
    return done
