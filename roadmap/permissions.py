"""Who may edit an action, asked of one action: the rule itself is
`Action.objects.editable_by(user)` (roadmap/models.py), which `/mes-actions/` uses for its list.
The admin is for administrators only, who may edit every action under that same rule.

Who reviews what a member proposes (docs/domain.md « Relecture ») is the rule beside it,
`reviewable_by(user)` on measurements and progress notes (roadmap/models.py): administrators,
never on their own proposal; `is_reviewer` and `can_review` ask it of a person and of one row.

Designating an action's pilots (its lead and partners) is an administrator's task
(docs/domain.md): a member edits what their organisation leads or partners, never who that is.
"""

from __future__ import annotations

from .models import Action, Reviewed, may_review


def can_edit(user, action: Action) -> bool:
    """Whether `user` may edit `action`, in one query."""
    return Action.objects.editable_by(user).filter(pk=action.pk).exists()


def can_edit_slug(user, roadmap, slug: str) -> bool:
    """Whether `user` may edit the action `slug` of `roadmap`: asked before the action page
    reads it (who may edit it previews what awaits review); no query for a reader."""
    if user is None or not user.is_authenticated:
        return False
    return Action.objects.editable_by(user).filter(roadmap=roadmap, slug=slug).exists()


def can_designate_pilots(user) -> bool:
    """Whether `user` may set the lead and partners of the actions (no query)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "is_administrator", False)
    )


def is_reviewer(user) -> bool:
    """Whether `user` reviews proposals at all (`/a-valider/`), no query."""
    return may_review(user)


def can_review(user, item: Reviewed) -> bool:
    """Whether `user` may publish or return `item` as it was read: the rule of
    `reviewable_by`, asked of one row without a query."""
    return bool(is_reviewer(user) and item.is_proposed and item.proposed_by_id != user.pk)
