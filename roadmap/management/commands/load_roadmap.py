"""`manage.py load_roadmap`: load the seed roadmap of the source document, idempotently."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

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

    def handle(self, *args, file: Path, update: bool, **options):
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        report = load_seed(file, update=update)
        if not report.changed:
            self.stdout.write("Feuille de route déjà à jour : rien n'a changé.")
            return
        for label, bucket in (("créés", report.created), ("mis à jour", report.updated)):
            if bucket:
                summary = ", ".join(f"{count} {name}" for name, count in sorted(bucket.items()))
                self.stdout.write(self.style.SUCCESS(f"{label.capitalize()} : {summary}."))
