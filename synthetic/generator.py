"""`generate()`: a synthetic roadmap of any size, written in one transaction.

The roadmap (or the one given), its axes, the organisations and their members, then the actions,
milestones, indicators with their measurements, and progress notes, in this order: the draws
follow it, so it is part of what makes a seed give the same roadmap.
"""

from __future__ import annotations

import datetime
import time

from django.utils import timezone

from roadmap.caching import writing
from roadmap.french import grouped_number
from roadmap.models import (
    Action,
    Axis,
    Indicator,
    Measurement,
    Milestone,
    ProgressNote,
    Roadmap,
    Target,
)

from . import people
from .actions import plan_actions, write_actions
from .bulk import Writer
from .draws import Draws
from .indicators import write_indicators_and_measurements
from .milestones import write_milestones
from .plan import ActionPlan, Run
from .sizes import Report, Sizes
from .words import NOTES_DONE, NOTES_NEXT, NOTES_RISKS, THEMES


def generate(
    sizes: Sizes,
    *,
    seed: int = 1,
    today: datetime.date | None = None,
    into: Roadmap | None = None,
    slug: str | None = None,
) -> Report:
    """Write a synthetic roadmap of `sizes` (or add its actions to `into`), in one transaction.

    Checks nothing about the database: callers refuse real data first (`real_data()`).
    """
    started = time.perf_counter()
    run = Run(
        sizes,
        seed,
        Draws(seed, today or timezone.localdate()),
        Writer(Action, Milestone, Indicator, Measurement, Target),
    )
    with writing():
        roadmap = into if into is not None else new_roadmap(run, slug)
        _fill(run, roadmap)
        # Pages and caches date the roadmap by its own row too.
        Roadmap.objects.filter(pk=roadmap.pk).update(updated_at=timezone.now())
    return Report(roadmap, run.writer.counts, time.perf_counter() - started)


def _fill(run: Run, roadmap: Roadmap) -> None:
    organisations = people.organisations()
    members = people.members(organisations)
    axes = _axes(run, roadmap)
    taken_indicators = set(roadmap.indicators.values_list("code", flat=True))
    plans = plan_actions(run, roadmap, axes, organisations, members)
    write_actions(run, plans)
    write_milestones(run, plans)
    write_indicators_and_measurements(run, plans, taken_indicators)
    _write_notes(run, plans)


def new_roadmap(run: Run, slug: str | None) -> Roadmap:
    """A new roadmap, the current one (dated today or after the latest), its slug free."""
    today = run.draws.today
    latest = Roadmap.objects.current()
    source_date = max(today, latest.source_date) if latest else today
    base = slug or f"synthetique-{run.seed}"
    slug, number = base, 1
    while Roadmap.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    start = datetime.date(today.year - 3, 1, 1)
    end = datetime.date(today.year + 2, 12, 31)
    return Roadmap.objects.create(
        slug=slug,
        title=(
            f"Feuille de route synthétique ({grouped_number(run.sizes.actions)} actions, "
            f"graine {run.seed})"
        ),
        period=f"{start.year}-{end.year}",
        source_title="Données générées par generate_roadmap pour les tests et les mesures",
        source_date=source_date,
        description=(
            "Feuille de route fictive, générée automatiquement : aucune de ses données ne "
            "décrit une action réelle."
        ),
    )


def _axes(run: Run, roadmap: Roadmap) -> list[Axis]:
    """The roadmap's axes, or new ones on its themes when it has none."""
    axes = list(roadmap.axes.order_by("number"))
    if axes:
        return axes
    return Axis.objects.bulk_create(
        Axis(roadmap=roadmap, number=number, short_title=short, title=title)
        for number, (short, title) in enumerate(THEMES[: run.sizes.axis_count], start=1)
    )


def _write_notes(run: Run, plans: list[ActionPlan]) -> None:
    """`notes_per_action` dated progress notes per action, signed by its members."""
    draws = run.draws
    rng = draws.rng
    notes = []
    for plan in plans:
        first = plan.action.start_date + datetime.timedelta(days=30)
        days = sorted(
            draws.day_between(min(first, plan.last_day), plan.last_day)
            for _note in range(run.sizes.notes_per_action)
        )
        for day in days:
            number = rng.choice([3, 5, 8, 12, 20, 40])
            notes.append(
                ProgressNote(
                    action=plan.action,
                    author=rng.choice(plan.authors),
                    written_on=day,
                    done=rng.choice(NOTES_DONE).format(n=number),
                    risks=rng.choice(NOTES_RISKS),
                    next_steps=rng.choice(NOTES_NEXT).format(n=number),
                    created_at=draws.moment(day),
                )
            )
            # Published as written, never changed since (docs/domain.md « Relecture »).
            notes[-1].updated_at = notes[-1].reviewed_at = notes[-1].created_at
    run.writer.write(ProgressNote, notes, "points d'avancement")
