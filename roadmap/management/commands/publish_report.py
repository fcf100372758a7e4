"""`manage.py publish_report --title TITLE --meeting-date YYYY-MM-DD`: freeze and publish a
council report at once, for scripts (docs/contract.md).

The report of that session in preparation, if there is one, is the one published (its marks
« à jour pour la séance » and decisions asked kept); otherwise a report is opened and published
in the same go. Its PDF is then rendered and kept (`report_pdf.publish`). Refused, with a French
message and nothing written, when the session already has a published report or another
session's report is in preparation.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from roadmap import report_pdf
from roadmap.french import format_date
from roadmap.management.arguments import add_roadmap_option
from roadmap.models import Report, Roadmap
from roadmap.reports import default_title, open_report, report_slug


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("Date invalide : « %(value)s ». Écrivez-la AAAA-MM-JJ, par exemple 2026-03-12.")
            % {"value": value}
        ) from None


class Command(BaseCommand):
    help = (
        "Fige et publie d'un coup le rapport d'une séance du Conseil du numérique en santé : "
        "celui en préparation pour cette séance, ou un nouveau."
    )

    def add_arguments(self, parser):
        parser.add_argument("--title", help="Titre du rapport (par défaut : « Séance du … »).")
        parser.add_argument(
            "--meeting-date", required=True, metavar="AAAA-MM-JJ", help="Date de la séance."
        )
        parser.add_argument(
            "--deadline", metavar="AAAA-MM-JJ", help="Date limite des mises à jour (facultatif)."
        )
        add_roadmap_option(parser)

    def handle(self, *args, title, meeting_date, deadline, roadmap, **options):
        meeting = iso_date(meeting_date)
        deadline = iso_date(deadline) if deadline else None
        target = (
            Roadmap.objects.filter(slug=roadmap).first() if roadmap else Roadmap.objects.current()
        )
        if target is None:
            raise CommandError(_("Feuille de route introuvable."))
        existing = Report.objects.filter(slug=report_slug(meeting)).first()
        if existing is not None and existing.is_published:
            raise CommandError(
                _("Le rapport de la séance du %(date)s est déjà publié : %(title)s.")
                % {"date": format_date(meeting), "title": existing.title}
            )
        preparing = Report.objects.in_preparation(target)
        if preparing is not None and preparing.pk != getattr(existing, "pk", None):
            raise CommandError(
                _(
                    "Le rapport « %(title)s » est en préparation : publiez-le ou "
                    "supprimez-le avant d'en publier un autre."
                )
                % {"title": preparing.title}
            )
        report = existing or open_report(
            target, title or default_title(meeting), meeting, deadline, None
        )
        if existing is not None and title and title != existing.title:
            report.title = title
            report.save(update_fields=["title", "version", "updated_at"])
        # The snapshot committed, then the PDF rendered in this same process: the path for a
        # roadmap too large for a web request (minutes at the benchmark's large size).
        locked, pdf = report_pdf.publish(report, report.version, None)
        if locked.stale:
            raise CommandError(_("Le rapport a changé entre-temps : recommencez."))
        self.stdout.write(
            _("Rapport publié : %(title)s (/rapports/%(slug)s/).")
            % {"title": locked.row.title, "slug": locked.row.slug}
        )
        if not pdf:
            self.stderr.write(
                _(
                    "Son PDF n'a pas pu être produit (WeasyPrint ou Pango manque, ou son rendu a "
                    "échoué) : manage.py render_report_pdfs le produira."
                )
            )
