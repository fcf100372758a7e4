"""`manage.py load_roadmap`: load the seed roadmap of the source document, idempotently.

With `--scenario` (what `seed_demo --scenario` runs, once the demo accounts exist), it then plays a
year of task-force work on it as a demonstration (`roadmap.scenario`): refused when DEBUG is off,
like the demo accounts, so that no invented value ever reaches a production database.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from roadmap.french import typography
from roadmap.models import Roadmap
from roadmap.scenario import DEMO_USERS, ScenarioRefused, play
from roadmap.seed import DEFAULT_SEED, load_seed


class Command(BaseCommand):
    help = "Charge la feuille de route « IA en santé » du document source (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", type=Path, default=DEFAULT_SEED, help="Fichier JSON de la feuille de route."
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Réécrit aussi les champs issus du document source qui auraient été modifiés.",
        )
        parser.add_argument(
            "--scenario",
            action="store_true",
            help=(
                "Joue ensuite une année fictive de travail de la task force, signée par les "
                "comptes de démonstration (seed_demo --scenario) ; refusé si DEBUG est désactivé."
            ),
        )

    def handle(self, *args, file: Path, update: bool, scenario: bool, **options):
        if scenario and not settings.DEBUG:
            raise CommandError(
                typography(
                    _(
                        "Le scénario de démonstration est refusé quand DEBUG est désactivé : "
                        "pas de données fictives en production."
                    )
                )
            )
        if not file.is_file():
            raise CommandError(typography(_("Fichier introuvable : %(file)s") % {"file": file}))
        report = load_seed(file, update=update)
        if not report.changed:
            self.stdout.write(typography(_("Feuille de route déjà à jour : rien n'a changé.")))
        for label, bucket in (
            (_("Créés : %(summary)s."), report.created),
            (_("Mis à jour : %(summary)s."), report.updated),
        ):
            if bucket:
                summary = report.summary(bucket)
                self.stdout.write(self.style.SUCCESS(typography(label % {"summary": summary})))
        if scenario:
            self.play(report.roadmap)

    def play(self, roadmap: Roadmap) -> None:
        users = {user.username: user for user in User.objects.filter(username__in=DEMO_USERS)}
        missing = [username for username in DEMO_USERS if username not in users]
        if missing:
            raise CommandError(
                typography(
                    _(
                        "Comptes de démonstration absents (%(accounts)s) : lancez "
                        "seed_demo --scenario, qui les crée avant de jouer le scénario."
                    )
                    % {"accounts": ", ".join(missing)}
                )
            )
        try:
            played = play(roadmap, users)
        except ScenarioRefused as refusal:
            raise CommandError(str(refusal)) from None
        if not played.played:
            self.stdout.write(typography(_("Année de démonstration déjà jouée : rien n'a changé.")))
            return
        # French counts 0 and 1 in the singular: ngettext, never `count == 1`.
        summary = ", ".join(
            f"{count} {ngettext(singular, plural, count)}"
            for (singular, plural), count in played.counts.items()
        )
        self.stdout.write(
            self.style.SUCCESS(
                typography(
                    _(
                        "Année de démonstration jouée (données fictives, signées admin, dns et "
                        "has) : %(summary)s."
                    )
                    % {"summary": summary}
                )
            )
        )
