"""`manage.py generate_roadmap`: a synthetic roadmap of any size, for benchmarks and tests.

    python manage.py generate_roadmap --actions 50 --seed 7
    python manage.py generate_roadmap --large              # the benchmark's large size
    python manage.py generate_roadmap --actions 20 --into ia-en-sante-2025

A new roadmap becomes the current one (its source date is the latest); `--into SLUG` adds the
actions to an existing roadmap instead. Refused on a database that holds real data unless
`--force`. The shape and the marks that tell synthetic rows apart are in the `synthetic` package.
"""

from __future__ import annotations

import argparse
import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from roadmap.french import grouped_number, typography
from roadmap.models import Roadmap
from synthetic import LARGE, Sizes, generate, real_data

DEFAULTS = Sizes(actions=0)
MAX_ACTIONS = 100_000
MAX_PER_ACTION = 1000


def _counted(name: str, count: int) -> str:
    """« 1 action », « 1 200 jalons »: the generator counts its rows under plural French names
    (`synthetic`), which French puts in the singular for 0 and 1, through ngettext."""
    number = grouped_number(count)
    forms = {
        "actions": ngettext("%(count)s action", "%(count)s actions", count),
        "jalons": ngettext("%(count)s jalon", "%(count)s jalons", count),
        "indicateurs": ngettext("%(count)s indicateur", "%(count)s indicateurs", count),
        "cibles datées": ngettext("%(count)s cible datée", "%(count)s cibles datées", count),
        "mesures": ngettext("%(count)s mesure", "%(count)s mesures", count),
        "points d'avancement": ngettext(
            "%(count)s point d'avancement", "%(count)s points d'avancement", count
        ),
        "lignes d'historique": ngettext(
            "%(count)s ligne d'historique", "%(count)s lignes d'historique", count
        ),
    }
    return forms[name] % {"count": number} if name in forms else f"{number} {name}"


def _count(maximum: int, minimum: int = 0):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"« {text} » n'est pas un nombre entier.") from None
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(
                f"{value} hors limites : entre {minimum} et {grouped_number(maximum)}."
            )
        return value

    return parse


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"« {text} » n'est pas une date au format AAAA-MM-JJ."
        ) from None


class Command(BaseCommand):
    help = (
        "Génère une feuille de route synthétique de la taille voulue (bancs d'essai, tests). "
        "Refusé sur une base qui contient des données réelles, sauf avec --force."
    )

    def add_arguments(self, parser):
        per_action = _count(MAX_PER_ACTION)
        parser.add_argument(
            "--actions", type=_count(MAX_ACTIONS, 1), help="Nombre d'actions à générer."
        )
        parser.add_argument(
            "--large",
            action="store_true",
            help=(
                "La grande taille du banc d'essai : 1 000 actions, 5 jalons, 3 indicateurs, "
                "34 mesures mensuelles et 4 points d'avancement par action (les autres options "
                "l'emportent)."
            ),
        )
        parser.add_argument(
            "--milestones-per-action",
            type=per_action,
            help=f"Jalons par action (défaut : {DEFAULTS.milestones_per_action}).",
        )
        parser.add_argument(
            "--indicators-per-action",
            type=per_action,
            help=f"Indicateurs par action (défaut : {DEFAULTS.indicators_per_action}).",
        )
        parser.add_argument(
            "--measurements-per-indicator",
            type=per_action,
            help=(
                "Mesures mensuelles par indicateur "
                f"(défaut : {DEFAULTS.measurements_per_indicator})."
            ),
        )
        parser.add_argument(
            "--notes-per-action",
            type=per_action,
            help=f"Points d'avancement par action (défaut : {DEFAULTS.notes_per_action}).",
        )
        parser.add_argument(
            "--axes",
            type=_count(12, 1),
            help="Nombre d'axes d'une nouvelle feuille de route (défaut : selon la taille).",
        )
        parser.add_argument(
            "--seed",
            type=_count(2**31),
            default=1,
            help="Graine du tirage : même graine et même date, même feuille de route (défaut : 1).",
        )
        parser.add_argument(
            "--date",
            type=_date,
            help="Date de référence AAAA-MM-JJ, d'où tout est daté (défaut : aujourd'hui).",
        )
        parser.add_argument(
            "--into",
            metavar="SLUG",
            help="Ajoute les actions à cette feuille de route au lieu d'en créer une.",
        )
        parser.add_argument(
            "--slug",
            help="Identifiant de la nouvelle feuille de route (défaut : synthetique-GRAINE).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Écrit même dans une base qui contient des données réelles.",
        )

    def handle(self, *args, **options):
        base = LARGE if options["large"] else DEFAULTS
        actions = options["actions"] or base.actions
        if not actions:
            raise CommandError("Indiquez la taille : --actions N, ou --large.")
        if options["into"] and (options["slug"] or options["axes"]):
            raise CommandError(
                "--into ajoute à une feuille de route existante : sans --slug ni --axes."
            )
        sizes = Sizes(
            actions=actions,
            milestones_per_action=_pick(options, "milestones_per_action", base),
            indicators_per_action=_pick(options, "indicators_per_action", base),
            measurements_per_indicator=_pick(options, "measurements_per_indicator", base),
            notes_per_action=_pick(options, "notes_per_action", base),
            axes=options["axes"],
        )
        if options["slug"]:
            try:
                validate_slug(options["slug"])
            except ValidationError:
                raise CommandError(
                    f"« {options['slug']} » n'est pas un identifiant valide : lettres, chiffres, "
                    "tirets et soulignés seulement."
                ) from None
            if Roadmap.objects.filter(slug=options["slug"]).exists():
                raise CommandError(
                    f"La feuille de route « {options['slug']} » existe déjà : choisissez un autre "
                    f"--slug, ou complétez-la avec --into {options['slug']}."
                )
        into = None
        if options["into"]:
            into = Roadmap.objects.filter(slug=options["into"]).first()
            if into is None:
                raise CommandError(f"Aucune feuille de route d'identifiant « {options['into']} ».")
        if not options["force"]:
            found = real_data()
            if found:
                raise CommandError(
                    "Refusé : cette base contient des données réelles ("
                    + ", ".join(found)
                    + "). generate_roadmap est fait pour une base de test ou de banc d'essai ; "
                    "relancez avec --force pour écrire quand même. Rien n'a été écrit."
                )
        report = generate(
            sizes, seed=options["seed"], today=options["date"], into=into, slug=options["slug"]
        )
        if options["verbosity"] == 0:
            return
        summary = ", ".join(_counted(name, count) for name, count in report.counts.items())
        seconds = f"{report.seconds:.1f}".replace(".", ",")
        self.stdout.write(
            self.style.SUCCESS(
                typography(
                    _("Feuille de route « %(title)s » (%(slug)s) : %(summary)s, en %(seconds)s s.")
                    % {
                        "title": report.roadmap.title,
                        "slug": report.roadmap.slug,
                        "summary": summary,
                        "seconds": seconds,
                    }
                )
            )
        )


def _pick(options: dict, name: str, base: Sizes) -> int:
    value = options[name]
    return getattr(base, name) if value is None else value
