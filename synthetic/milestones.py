"""Milestones of synthetic actions: some done (on time or late), some overdue, some rescheduled."""

from __future__ import annotations

import datetime

from roadmap.models import Milestone

from .plan import ActionPlan, Run
from .words import MILESTONE_STEPS


def write_milestones(run: Run, plans: list[ActionPlan]) -> None:
    """`milestones_per_action` milestones spread over each action's span, and their history."""
    per_action = run.sizes.milestones_per_action
    rng = run.draws.rng
    objects, histories = [], []
    for plan in plans:
        if not per_action:
            break
        action = plan.action
        steps = sorted(
            rng.sample(range(len(MILESTONE_STEPS)), min(per_action, len(MILESTONE_STEPS)))
        )
        titles = [MILESTONE_STEPS[step] for step in steps]
        for extra in range(per_action - len(titles)):
            titles.append(f"Lot de déploiement n° {extra + 1}")
        span = (action.end_date - action.start_date).days
        for position, title in enumerate(titles, start=1):
            planned = action.start_date + datetime.timedelta(
                days=max(15, span * position // len(titles) + rng.randint(-20, 20))
            )
            milestone, events = plan_milestone(run, plan, title, planned)
            objects.append(milestone)
            histories.append(events)
    writer = run.writer
    objects = writer.write(Milestone, objects, "jalons")
    rows = [
        row
        for milestone, events in zip(objects, histories, strict=True)
        for row in writer.trail(
            Milestone,
            milestone,
            milestone.created_at,
            {"due_date": milestone.original_due_date, "done_on": None},
            events,
        )
    ]
    writer.write(writer.history_models[Milestone], rows)


def plan_milestone(run: Run, plan: ActionPlan, title: str, planned: datetime.date):
    """The milestone due on `planned`, and its changes as `(when, user, changed values)`."""
    draws = run.draws
    rng = draws.rng
    action = plan.action
    created = plan.created + datetime.timedelta(minutes=rng.randint(1, 600))
    due, done_on, events = planned, None, []
    last_day = plan.last_day
    draw = rng.random()
    # Rescheduled: about one milestone in eight, decided before the first due date.
    if draw < 0.12:
        when_day = draws.day_between(
            created.date() + datetime.timedelta(days=1),
            min(planned - datetime.timedelta(days=1), last_day),
        )
        if when_day <= last_day:
            due = planned + datetime.timedelta(days=rng.randint(45, 300))
            events.append((draws.moment(when_day), rng.choice(plan.authors), {"due_date": due}))
    if due <= last_day:
        # Past due: most are done, around the due date; the others are overdue.
        if rng.random() < 0.78:
            done_on = due + datetime.timedelta(days=rng.randint(-30, 45))
    elif rng.random() < 0.05:
        done_on = last_day - datetime.timedelta(days=rng.randint(0, 60))  # done early
    if done_on is not None:
        floor = (events[-1][0].date() if events else created.date()) + datetime.timedelta(days=1)
        done_on = max(min(done_on, last_day), floor)
        if done_on > last_day:
            done_on = None  # nothing happens after the action went quiet
        else:
            events.append((draws.moment(done_on), rng.choice(plan.authors), {"done_on": done_on}))
    milestone = Milestone(
        roadmap_id=action.roadmap_id,
        action=action,
        title=title,
        due_date=due,
        original_due_date=planned,
        done_on=done_on,
        source="",
        version=1 + len(events),
        created_at=created,
        updated_at=events[-1][0] if events else created,
    )
    return milestone, events
