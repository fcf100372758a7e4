"""Who may edit an action, asked of one action: the rule itself is
`Action.objects.editable_by(user)` (roadmap/models.py), which `/mes-actions/` uses for its list.
The admin is for administrators only, who may edit every action under that same rule.

Designating an action's pilots (its lead and partners) is an administrator's task
(docs/domain.md): a member edits what their organisation leads or partners, never who that is.
"""

from __future__ import annotations

from .models import Action


def can_edit(user, action: Action) -> bool:
    """Whether `user` may edit `action`, in one query."""
    return Action.objects.editable_by(user).filter(pk=action.pk).exists()


def can_designate_pilots(user) -> bool:
    """Whether `user` may set the lead and partners of the actions (no query)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "is_administrator", False)
    )
