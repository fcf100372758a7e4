"""`manage.py seed_demo`: the demo accounts of docs/contract.md, for local use only.

`admin` (administrator), `dns` (task-force member of the DNS) and `has` (task-force member of
the HAS). The password comes from DEMO_PASSWORD, else one is generated and printed. Running it
again resets the three accounts to that password. Refused when DEBUG is off, so that no demo
account with a known password ever exists in production.

`--scenario` then loads the seed roadmap (when missing) and plays on it a year of task-force work
signed by these accounts, every value marked as demonstration data. `accounts` never imports the
roadmap: the year is played by the roadmap's own command, `load_roadmap --scenario`, called by name.
"""

import os
import secrets

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, User

DEMO_ACCOUNTS = [
    ("admin", Role.ADMINISTRATOR, "DNS", "Administrateur (démo)"),
    ("dns", Role.MEMBER, "DNS", "Membre DNS (démo)"),
    ("has", Role.MEMBER, "HAS", "Membre HAS (démo)"),
]


class Command(BaseCommand):
    help = "Crée les comptes de démonstration admin, dns et has (refusé si DEBUG est désactivé)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scenario",
            action="store_true",
            help=(
                "Joue aussi, sur la feuille de route de semence, une année fictive de travail de "
                "la task force (pilotes, statuts, jalons, valeurs, points d'avancement), chaque "
                "valeur marquée comme donnée de démonstration."
            ),
        )

    def handle(self, *args, scenario: bool = False, **options):
        if not settings.DEBUG:
            raise CommandError(
                _(
                    "seed_demo est refusé quand DEBUG est désactivé : "
                    "pas de comptes de démonstration en production."
                )
            )
        password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(12)
        with transaction.atomic():
            for username, role, acronym, label in DEMO_ACCOUNTS:
                organisation, _created = Organisation.objects.get_or_create(acronym=acronym)
                user, _created = User.objects.get_or_create(username=username)
                user.first_name = label
                user.role = role
                user.organisation = organisation
                user.is_active = True
                user.set_password(password)
                user.save()
        # French typography: a no-break space before « : » (accounts imports nothing of the
        # roadmap, hence no `roadmap.french.typography` here).
        self.stdout.write(self.style.SUCCESS(_("Comptes de démonstration prêts :")))
        for username, _role, acronym, label in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<6} {label} ({acronym})")
        if os.environ.get("DEMO_PASSWORD"):
            self.stdout.write(_("Mot de passe : celui de la variable DEMO_PASSWORD."))
        else:
            self.stdout.write(_("Mot de passe : %(password)s") % {"password": password})
        if scenario:
            call_command("load_roadmap", "--scenario", stdout=self.stdout, stderr=self.stderr)
