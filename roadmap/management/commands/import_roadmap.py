"""`manage.py import_roadmap FILE [--dry-run] [--roadmap SLUG] [--user USERNAME]
[--max-rows N] [--max-megabytes N]`.

Imports a workbook (.xlsx) or one sheet (.csv) in the format of docs/contract.md, all or nothing:
exit code 0 when imported (or, with --dry-run, importable), else non-zero with every error
listed on stderr and nothing written. The file's size is checked before it is read. The
limits are the admin page's unless raised for this import (`--max-rows`, `--max-megabytes`:
restoring a large backup, README); the guards on what a file holds stay the same.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from roadmap.management.arguments import add_file_argument, add_roadmap_option
from roadmap.models import Roadmap
from roadmap.spreadsheets import import_file, import_limits, max_bytes


class Command(BaseCommand):
    help = (
        "Importe un classeur Excel (.xlsx : feuilles Actions, Jalons, Indicateurs, Mesures, "
        "Cibles) ou "
        "une feuille en CSV (.csv) dans la feuille de route, tout ou rien : à la moindre erreur, "
        "rien n'est écrit et chaque erreur est listée (feuille, ligne, colonne, valeur)."
    )

    def add_arguments(self, parser):
        add_file_argument(parser, "Fichier .xlsx ou .csv à importer.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Vérifie le fichier et montre ce qui changerait, sans rien écrire.",
        )
        add_roadmap_option(parser)
        parser.add_argument(
            "--max-rows",
            type=int,
            metavar="N",
            help="Nombre de lignes au plus (par défaut : la limite de la page d'import).",
        )
        parser.add_argument(
            "--max-megabytes",
            type=int,
            metavar="N",
            help=(
                "Taille au plus du fichier, en Mo, et dix fois plus une fois décompressé "
                "(par défaut : les limites de la page d'import)."
            ),
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Utilisateur à qui l'historique attribue l'import.",
        )

    def handle(
        self,
        *args,
        file: Path,
        dry_run: bool,
        roadmap: str | None,
        user,
        max_rows=None,
        max_megabytes=None,
        **options,
    ):
        if not file.is_file():
            raise CommandError(_("Fichier introuvable : %(file)s") % {"file": file})
        target = None
        if roadmap:
            target = Roadmap.objects.filter(slug=roadmap).first()
            if target is None:
                raise CommandError(
                    _("Feuille de route inconnue : « %(slug)s ».") % {"slug": roadmap}
                )
        importer = None
        if user:
            importer = get_user_model().objects.filter(username=user).first()
            if importer is None:
                raise CommandError(_("Utilisateur inconnu : « %(user)s ».") % {"user": user})

        megabytes = max_megabytes * 1024 * 1024 if max_megabytes else None
        with import_limits(
            max_rows=max_rows,
            max_bytes=megabytes,
            max_uncompressed_bytes=megabytes and 10 * megabytes,
        ):
            # Refused before it is read into memory (a 50 MB file is not read at all).
            if file.stat().st_size > max_bytes():
                raise CommandError(
                    _("Le fichier « %(name)s » dépasse la taille maximale de %(limit)d Mo.")
                    % {"name": file.name, "limit": max_bytes() // (1024 * 1024)}
                )
            report = import_file(
                file.read_bytes(), file.name, roadmap=target, user=importer, dry_run=dry_run
            )
        for sheet in report.sheets:
            self.stdout.write(sheet.summary)
            if sheet.absent_columns:
                self.stdout.write(
                    "  "
                    + _("Colonnes absentes du fichier, laissées telles quelles : %(columns)s")
                    % {"columns": ", ".join(sheet.absent_columns)}
                )
            for line in sheet.preview_lines():
                self.stdout.write("  " + line)
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(
                ngettext(
                    "%(count)d erreur : rien n'a été importé.",
                    "%(count)d erreurs : rien n'a été importé.",
                    len(report.errors),
                )
                % {"count": len(report.errors)}
            )
        if dry_run:
            self.stdout.write(_("Simulation : rien n'a été écrit."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Import de « %(name)s » terminé dans « %(roadmap)s ».")
                    % {"name": report.filename, "roadmap": report.roadmap}
                )
            )
