"""Who may edit an action, asked of one action: the rule itself is
`Action.objects.editable_by(user)` (roadmap/models.py), which `/mes-actions/` uses for its list.
The admin is for administrators only, who may edit every action under that same rule."""

from __future__ import annotations

from .models import Action


def can_edit(user, action: Action) -> bool:
    """Whether `user` may edit `action`, in one query."""
    return Action.objects.editable_by(user).filter(pk=action.pk).exists()
