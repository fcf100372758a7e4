"""The actions of a synthetic roadmap: codes, leads and partners, texts, dated status changes.

`plan_actions` draws every action (not written yet: milestones and indicators are planned from
them), `write_actions` writes them with their partners and their history.
"""

from __future__ import annotations

import datetime

from django.utils.text import slugify

from roadmap.models import Action, Axis, Roadmap

from .plan import ActionPlan, Run
from .words import CENTRAL, CONTEXTS, FRAMEWORKS, OBJECTS, STATUS_PATHS, STATUS_WEIGHTS, VERBS


def plan_actions(run: Run, roadmap: Roadmap, axes: list[Axis], organisations, members):
    """`run.sizes.actions` new actions spread over the axes, numbered after the existing ones."""
    taken_codes = set(roadmap.actions.values_list("code", flat=True))
    next_number = {axis.pk: 1 for axis in axes}
    for code, axis_id in roadmap.actions.values_list("code", "axis_id"):
        tail = code.rsplit("-", 1)[-1]
        if tail.isdigit() and axis_id in next_number:
            next_number[axis_id] = max(next_number[axis_id], int(tail) + 1)
    plans = []
    for index in range(run.sizes.actions):
        axis = axes[index * len(axes) // run.sizes.actions]
        while True:
            code = f"IA {axis.number}-{next_number[axis.pk]}"
            next_number[axis.pk] += 1
            if code not in taken_codes:
                break
        taken_codes.add(code)
        plans.append(plan_action(run, roadmap, axis, code, organisations, members))
    return plans


def plan_action(run: Run, roadmap, axis, code, organisations, members) -> ActionPlan:
    draws = run.draws
    rng, today = draws.rng, draws.today
    earliest = datetime.date(today.year - 3, 1, 1)
    start = draws.day_between(earliest, min(earliest + datetime.timedelta(days=900), today))
    start = min(start, today - datetime.timedelta(days=120))
    end = start + datetime.timedelta(days=rng.randint(540, 1800))
    # One action in seven was left alone for months: its facts stop well before today.
    if rng.random() < 0.15:
        quiet_since = today - datetime.timedelta(days=rng.randint(100, 400))
        last_day = max(quiet_since, start + datetime.timedelta(days=30))
    else:
        last_day = draws.yesterday
    last_day = min(last_day, draws.yesterday)

    if rng.random() < 0.1:
        lead = None  # « Pilote à désigner »
    else:
        lead = rng.choice(organisations[:CENTRAL] if rng.random() < 0.8 else organisations)
    pool = [o for o in organisations if o is not lead]
    partners = rng.sample(pool, rng.choice([0, 1, 1, 2, 2, 3]))
    involved = ([lead] if lead else []) + partners
    authors = [user for o in involved for user in members[o.pk]] or [
        user for users in members.values() for user in users
    ]
    title, description, objective = _texts(rng, involved, end)
    status = rng.choices(
        [choice for choice, _weight in STATUS_WEIGHTS],
        [weight for _choice, weight in STATUS_WEIGHTS],
    )[0]
    created = draws.moment(start - datetime.timedelta(days=rng.randint(10, 60)))
    changes = []
    path = STATUS_PATHS[status]
    if path:
        days = sorted(draws.day_between(start, last_day) for _step in path)
        changes = [
            (draws.moment(day), step, rng.choice(authors))
            for day, step in zip(days, path, strict=True)
        ]
    action = Action(
        roadmap=roadmap,
        axis=axis,
        code=code,
        slug=slugify(code),
        title=title[:500],
        description=description,
        objective=objective,
        framework=rng.choice(FRAMEWORKS),
        lead=lead,
        status=status,
        start_date=start,
        end_date=end,
        version=1 + len(changes),
        created_at=created,
        updated_at=changes[-1][0] if changes else created,
    )
    return ActionPlan(action, partners, authors, created, changes, last_day)


def _texts(rng, involved, end: datetime.date) -> tuple[str, str, str]:
    """The title, description and objective of an action."""
    subject = rng.choice(OBJECTS)
    context = rng.choice(CONTEXTS)
    title = f"{rng.choice(VERBS)} {subject} {context}"
    description = (
        f"Cette action vise à {rng.choice(VERBS).lower()} {subject} {context}. "
        f"Elle s'appuie sur les retours d'expérience des sites pionniers et associe "
        f"{', '.join(o.acronym for o in involved) or 'les acteurs concernés'}."
    )
    objective = (
        f"D'ici {end.year}, disposer d'un dispositif opérationnel et évalué, "
        f"utilisé par au moins {rng.choice([30, 50, 100, 200])} structures."
    )
    return title, description, objective


def write_actions(run: Run, plans: list[ActionPlan]) -> None:
    """The actions, their partners, and their history (each row with the partners of then)."""
    writer = run.writer
    writer.write(Action, [plan.action for plan in plans], "actions")
    through = Action.partners.through
    links = [
        through(action_id=plan.action.pk, organisation_id=partner.pk)
        for plan in plans
        for partner in plan.partners
    ]
    partner_links: dict[int, list] = {}
    for link in writer.write(through, links, None):
        partner_links.setdefault(link.action_id, []).append(link)

    rows = [
        row
        for plan in plans
        for row in writer.trail(
            Action,
            plan.action,
            plan.created,
            {"status": ""},
            ((when, user, {"status": status}) for when, status, user in plan.changes),
        )
    ]
    rows = writer.write(writer.history_models[Action], rows)
    # Each history row records the partners the action had then (always the same here).
    partner_history = (
        writer.history_models[Action]._meta.get_field("historicalaction_partners").related_model
    )
    partner_rows = [
        partner_history(
            id=link.pk,
            action_id=link.action_id,
            organisation_id=link.organisation_id,
            history_id=row.history_id,
        )
        for row in rows
        for link in partner_links.get(row.id, ())
    ]
    writer.write(partner_history, partner_rows)
