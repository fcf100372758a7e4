"""`manage.py export_roadmap FILE [--roadmap SLUG]`: the roadmap in the import format.

The format follows FILE's extension: .xlsx (one workbook: the five sheets of the import format
and the derived « Périodes », which the import skips), .json, or .csv (one
file per sheet beside FILE: feuille.csv gives feuille-actions.csv, feuille-jalons.csv,
feuille-indicateurs.csv, feuille-mesures.csv and feuille-cibles.csv).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from roadmap.management.arguments import add_file_argument, add_roadmap_option
from roadmap.models import Roadmap
from roadmap.spreadsheets import export_csv_files, export_json, export_workbook


class Command(BaseCommand):
    help = (
        "Exporte la feuille de route dans le format d'import. Le format suit l'extension de "
        "FILE : .xlsx (un classeur : les cinq feuilles, plus la feuille calculée Périodes, que "
        "l'import ignore), .json, ou .csv (un fichier par feuille, "
        "UTF-8, séparateur virgule : FILE-actions.csv, FILE-jalons.csv, FILE-indicateurs.csv, "
        "FILE-mesures.csv et FILE-cibles.csv, à côté de FILE)."
    )

    def add_arguments(self, parser):
        add_file_argument(parser, "Fichier à écrire (.xlsx, .json ou .csv).")
        add_roadmap_option(parser)

    def handle(self, *args, file: Path, roadmap: str | None, **options):
        target = (
            Roadmap.objects.filter(slug=roadmap).first() if roadmap else Roadmap.objects.current()
        )
        if target is None:
            raise CommandError(_("Feuille de route introuvable."))
        extension = file.suffix.lower()
        if extension == ".xlsx":
            written = {file: export_workbook(target)}
        elif extension == ".json":
            written = {file: export_json(target)}
        elif extension == ".csv":
            written = {
                file.with_name(f"{file.stem}-{slug}.csv"): content
                for slug, content in export_csv_files(target).items()
            }
        else:
            raise CommandError(
                _("Extension non prise en charge : « %(ext)s ». Utilisez .xlsx, .json ou .csv.")
                % {"ext": file.suffix or file.name}
            )
        if not file.parent.is_dir():
            raise CommandError(_("Dossier introuvable : %(dir)s") % {"dir": file.parent})
        for path, content in written.items():
            path.write_bytes(content)
            self.stdout.write(_("Écrit : %(path)s") % {"path": path})
