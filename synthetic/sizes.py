"""How big a roadmap to make (`Sizes`, the benchmark's `LARGE`), what was written (`Report`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from roadmap.models import Roadmap

from .words import THEMES


@dataclass(frozen=True)
class Sizes:
    """How big a roadmap to generate: everything is per action, so counts are exact."""

    actions: int
    milestones_per_action: int = 5
    indicators_per_action: int = 3
    measurements_per_indicator: int = 24
    notes_per_action: int = 3
    axes: int | None = None

    @property
    def axis_count(self) -> int:
        if self.axes:
            return self.axes
        # A handful of axes, and more as the roadmap grows (1 000 actions: 10 axes).
        return 4 if self.actions <= 200 else min(len(THEMES), math.ceil(self.actions / 100))


# The benchmark's large size (docs/benchmarks.md): 1 000 actions, 5 000 milestones, 3 000
# indicators (about a third per period, by academic year, year or quarter; some with dated
# targets, a few sums, a few retired), ~100 000 measurements.
LARGE = Sizes(
    actions=1000,
    milestones_per_action=5,
    indicators_per_action=3,
    measurements_per_indicator=34,
    notes_per_action=4,
)


@dataclass
class Report:
    """The roadmap written, the rows written by kind (French names, in writing order), the time."""

    roadmap: Roadmap
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
