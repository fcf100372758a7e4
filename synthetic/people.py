"""The organisations of a synthetic roadmap and their generated task-force members.

Both are looked up before they are created, so that several generations share them; the members'
names are drawn from their position, not from the seed, and nobody can sign in as one of them.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

from accounts.models import Organisation, Role, User

from .marks import SYNTHETIC_USER_PREFIX
from .words import CENTRAL, FIRST_NAMES, LAST_NAMES, ORGANISATIONS


def organisations() -> list[Organisation]:
    existing = {o.acronym: o for o in Organisation.objects.all()}
    missing = [
        Organisation(acronym=acronym, name=name)
        for acronym, name in ORGANISATIONS
        if acronym not in existing
    ]
    for organisation in Organisation.objects.bulk_create(missing):
        existing[organisation.acronym] = organisation
    return [existing[acronym] for acronym, _name in ORGANISATIONS]


def members(organisations: list[Organisation]) -> dict[int, list[User]]:
    """One or two generated task-force members per organisation, named deterministically."""
    wanted = []
    for index, organisation in enumerate(organisations):
        for number in range(1, 3 if index < CENTRAL else 2):
            serial = len(wanted)
            wanted.append(
                (
                    f"{SYNTHETIC_USER_PREFIX}{slugify(organisation.acronym)}-{number}",
                    FIRST_NAMES[(serial * 7) % len(FIRST_NAMES)],
                    LAST_NAMES[(serial * 11) % len(LAST_NAMES)],
                    organisation,
                )
            )
    existing = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
    unusable = make_password(None)  # nobody signs in as a generated member
    missing = [
        User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@exemple.invalid",
            role=Role.MEMBER,
            organisation=organisation,
            password=unusable,
        )
        for username, first, last, organisation in wanted
        if username not in existing
    ]
    for user in User.objects.bulk_create(missing):
        existing[user.username] = user
    by_organisation: dict[int, list[User]] = {}
    for username, _first, _last, organisation in wanted:
        by_organisation.setdefault(organisation.pk, []).append(existing[username])
    return by_organisation
