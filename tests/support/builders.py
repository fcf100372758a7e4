"""Rows and people to test with, and roadmaps grown bigger than the seed.

Plain code rather than `synthetic.generate`: the generator builds a roadmap of its own at
random, while these grow the seed roadmap in place (its actions keep the codes the tests look up)
and promise what the query-count tests need: every grown action has a row in each prefetch of
the pages (a done and an overdue milestone, two partners, an indicator with two measurements).

- dates: `today`, `days(n)`, `noon(n)`;
- people: `colleague` (a task-force member named Camille Martin), `signed_in` (a client of its own);
- rows: `make_milestone`, `make_indicator`, `note`, `set_status`; `history_of` reads them back;
- sizes: `grow`, `grow_action`, `grow_everything`, and `furnish` (rows for many actions at once);
- `Scene` / `furnished_scene`: IA 2-4 with something in every section, its member signed in.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, Role, User
from roadmap.caching import writing
from roadmap.models import (
    Action,
    Indicator,
    Measurement,
    Milestone,
    ProgressNote,
    Roadmap,
    Status,
)
from tests.support.constants import PASSWORD
from tests.support.htmx import htmx_headers

# --- Dates ---------------------------------------------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate()


def days(count: int) -> datetime.date:
    """The date `count` days from today (in the past when negative)."""
    return today() + datetime.timedelta(days=count)


def noon(count: int) -> datetime.datetime:
    """Noon, local time, `count` days from today: a moment whose number of calendar days from
    now no clock change and no late or early hour of the test run can shift."""
    return timezone.make_aware(datetime.datetime.combine(days(count), datetime.time(12)))


# --- People --------------------------------------------------------------------------------------


def colleague(organisation: str = "DGOS", username: str = "camille", **fields) -> User:
    """A task-force member of `organisation` (created when missing), named Camille Martin."""
    values = {"first_name": "Camille", "last_name": "Martin", **fields}
    return User.objects.create_user(
        username,
        password=PASSWORD,
        role=Role.MEMBER,
        organisation=Organisation.objects.get_or_create(acronym=organisation)[0],
        **values,
    )


def signed_in(user: User) -> Client:
    """A browser of its own, signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


# --- Rows ----------------------------------------------------------------------------------------


def make_milestone(action: Action, title: str = "Publier le référentiel", **fields) -> Milestone:
    fields.setdefault("due_date", days(30))
    return Milestone.objects.create(action=action, title=title, **fields)


def make_indicator(action: Action, code: str = "IA2-4-PROS", **fields) -> Indicator:
    """An indicator going from 0 to 140 000 professionals over two years, half of it elapsed."""
    values = {
        "label": "Professionnels informés des recommandations",
        "unit": "professionnels",
        "kind": "cumulative",
        "baseline_value": Decimal(0),
        "baseline_date": days(-365),
        "target_value": Decimal(140000),
        "target_date": days(365),
        **fields,
    }
    if values["kind"] == "per_period":
        # A per-period indicator needs its periods: calendar years from its baseline date.
        values.setdefault("periodicity", "year")
        values.setdefault("periods_from", values["baseline_date"] or days(-365))
    return Indicator.objects.create(action=action, code=code, **values)


def set_status(action: Action, status: str, user: User | None = None) -> None:
    """Change an action's status as the edit views do: a save signed by `user`."""
    action.refresh_from_db()
    action.status = status
    action._history_user = user
    action.save()


def note(action: Action, author: User, done: str = "Travaux lancés.", **fields) -> ProgressNote:
    fields.setdefault("written_on", timezone.localdate())
    return ProgressNote.objects.create(action=action, author=author, done=done, **fields)


def history_of(obj, *fields: str) -> list[tuple]:
    """Every history row of `obj`, oldest first: (type, *fields, username of who saved)."""
    return [
        (
            record.history_type,
            *(getattr(record, field) for field in fields),
            record.history_user.username if record.history_user else None,
        )
        for record in obj.history.select_related("history_user").order_by("history_id")
    ]


# --- Sizes ---------------------------------------------------------------------------------------


@writing()  # bulk writes send no signal: they change the data version here
def grow(roadmap: Roadmap, factor: int = 10) -> None:
    """Make the roadmap `factor` times bigger: more actions, milestones, indicators, measurements.

    Every new action has a done milestone, an overdue one, two partners and an indicator with two
    measurements, so that each prefetch of the pages has rows to fetch.
    """
    organisations = list(Organisation.objects.all()[:2])
    new_actions = []
    for axis in roadmap.axes.all():
        for index in range(axis.actions.count() * (factor - 1)):
            code = f"IA {axis.number}-{100 + index}"
            new_actions.append(
                Action(
                    roadmap=roadmap,
                    axis=axis,
                    code=code,
                    slug=code.lower().replace(" ", "-"),
                    title=f"Action supplémentaire {code}",
                    lead=organisations[0],
                )
            )
    Action.objects.bulk_create(new_actions)
    new_actions = list(Action.objects.filter(code__in=[a.code for a in new_actions]))
    furnish(
        roadmap,
        new_actions,
        partners=organisations,
        milestones=(
            ("Jalon réalisé", days(-30), today()),
            ("Jalon en retard", days(-10), None),
        ),
        indicator={
            "label": "Indicateur supplémentaire",
            "unit": "apprenants",
            "kind": "cumulative",
            "target_value": Decimal(1000),
        },
        measurements=((1, 10), (2, 10)),
    )


def furnish(roadmap, actions, *, partners, milestones, indicator: dict, measurements) -> None:
    """Give each of `actions`, in bulk: the `partners`, the `milestones` ((title, due date,
    done on) each), an indicator of the `indicator` fields, coded IND-<slug>, and its
    `measurements` ((days ago, value) each). Bulk writes send no signal: the caller changes
    the data version when pages are cached (`writing()`)."""
    Action.partners.through.objects.bulk_create(
        Action.partners.through(action=action, organisation=organisation)
        for action in actions
        for organisation in partners
    )
    Milestone.objects.bulk_create(
        Milestone(roadmap=roadmap, action=action, title=title, due_date=due, done_on=done)
        for action in actions
        for title, due, done in milestones
    )
    indicators = Indicator.objects.bulk_create(
        Indicator(roadmap=roadmap, action=action, code=f"IND-{action.slug}", **indicator)
        for action in actions
    )
    Measurement.objects.bulk_create(
        Measurement(indicator=item, date=days(-back), value=value, source="Test")
        for item in indicators
        for back, value in measurements
    )


@writing()  # bulk writes send no signal: they change the data version here
def grow_action(action: Action, factor: int = 10) -> None:
    """Give `action` many milestones, partners, indicators and measurements."""
    today = timezone.localdate()
    for index in range(factor):
        Milestone.objects.create(
            action=action, title=f"Jalon {index}", due_date=today + datetime.timedelta(days=index)
        )
        organisation = Organisation.objects.create(acronym=f"ORG-{index}")
        action.partners.add(organisation)
        indicator = Indicator.objects.create(
            action=action,
            code=f"{action.code}-EXTRA-{index}",
            label=f"Indicateur {index}",
            unit="parcours",
            kind="level",
            target_value=10,
        )
        for days in (1, 2):
            Measurement.objects.create(
                indicator=indicator,
                date=today - datetime.timedelta(days=days),
                value=days,
                source="Test",
            )


def grow_everything(roadmap: Roadmap, factor: int = 10) -> None:
    """`grow` the roadmap `factor` times, and give each action a note and two status changes, so
    that the journal and the history have `factor` times more to show too."""
    grow(roadmap, factor)
    author = User.objects.filter(role=Role.MEMBER).first() or colleague(username="auteur-10x")
    for action in Action.objects.filter(roadmap=roadmap):
        note(action, author, written_on=timezone.localdate() - datetime.timedelta(days=3))
        set_status(action, Status.IN_PROGRESS, author)
        set_status(action, Status.AT_RISK, author)


# --- A furnished action page ---------------------------------------------------------------------


@dataclass
class Scene:
    """IA 2-4 with something in every section, and a member of the HAS on its page."""

    action: Action
    open_milestone: Milestone
    done_milestone: Milestone
    indicator: Indicator
    member: User
    client: Client

    def page(self) -> str:
        response = self.client.get(self.action.get_absolute_url())
        assert response.status_code == 200
        return response.content.decode()

    def post(self, name: str, args: list, data: dict, *, with_htmx: bool = False):
        url = reverse(f"roadmap:{name}", args=[self.action.slug, *args])
        headers = htmx_headers(self.action) if with_htmx else {}
        return self.client.post(url, data, **headers)


def furnished_scene(roadmap, member: User) -> Scene:
    """IA 2-4 of `roadmap` with an open and a done milestone, a measured indicator and a
    note, and `member` (of the HAS) signed in."""
    action = Action.objects.get(roadmap=roadmap, code="IA 2-4")
    open_milestone = make_milestone(action, "Publier le référentiel", due_date=days(-5))
    done_milestone = make_milestone(
        action, "Réunir le comité", due_date=days(-40), done_on=days(-41)
    )
    indicator = make_indicator(action)
    Measurement.objects.create(
        indicator=indicator, date=days(-100), value=20000, source="Enquête", recorded_by=member
    )
    ProgressNote.objects.create(
        action=action, author=member, written_on=days(-20), done="Premier atelier."
    )
    return Scene(action, open_milestone, done_milestone, indicator, member, signed_in(member))
