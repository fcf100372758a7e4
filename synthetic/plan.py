"""What the parts of a generation share: the run (`Run`) and each action's plan (`ActionPlan`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from accounts.models import Organisation, User
from roadmap.models import Action

from .bulk import Writer
from .draws import Draws
from .sizes import Sizes


@dataclass
class Run:
    """One generation: its sizes and seed, its draws, and the writer counting its rows."""

    sizes: Sizes
    seed: int
    draws: Draws
    writer: Writer


@dataclass
class ActionPlan:
    action: Action
    partners: list[Organisation]
    authors: list[User]  # the generated members of its lead and partners
    created: datetime.datetime
    changes: list[tuple[datetime.datetime, str, User]]  # declared status changes
    last_day: datetime.date  # nothing happens to the action after this day
