"""The marks that tell synthetic rows apart, and `real_data()`, which looks for rows without them.

Generated usernames start with `SYNTHETIC_USER_PREFIX`, measurement sources with
`SYNTHETIC_SOURCE`; the demo accounts of `seed_demo` are not real data either.
"""

from __future__ import annotations

from django.utils.translation import ngettext

from accounts.management.commands.seed_demo import DEMO_ACCOUNTS
from accounts.models import User
from roadmap.french import grouped_number
from roadmap.models import Measurement, ProgressNote

SYNTHETIC_USER_PREFIX = "synthetique-"
SYNTHETIC_SOURCE = "Données synthétiques"
CREATION_REASON = "données synthétiques"  # the change reason of every generated creation


def real_data() -> list[str]:
    """What the database holds that this package did not write, in French (empty: safe)."""
    demo = [username for username, *_rest in DEMO_ACCOUNTS]
    measurements = Measurement.objects.exclude(source__startswith=SYNTHETIC_SOURCE).count()
    notes = ProgressNote.objects.exclude(author__username__startswith=SYNTHETIC_USER_PREFIX).count()
    users = (
        User.objects.exclude(username__startswith=SYNTHETIC_USER_PREFIX)
        .exclude(username__in=demo)
        .count()
    )
    found = [
        (measurements, ngettext("%(count)s mesure", "%(count)s mesures", measurements)),
        (
            notes,
            ngettext("%(count)s point d'avancement", "%(count)s points d'avancement", notes),
        ),
        (
            users,
            ngettext(
                "%(count)s utilisateur autre que les comptes de démonstration",
                "%(count)s utilisateurs autres que les comptes de démonstration",
                users,
            ),
        ),
    ]
    return [text % {"count": grouped_number(count)} for count, text in found if count]
