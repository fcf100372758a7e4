"""`manage.py render_report_pdfs`: render and keep the PDF of every published council report
that has none (docs/contract.md).

A report is published without its PDF where WeasyPrint or Pango was missing, where its
rendering failed, or when it was published before PDFs were rendered at publication. A PDF
already kept is never rendered again: it is the report's, frozen like its snapshot.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from roadmap import report_pdf
from roadmap.models import Report


class Command(BaseCommand):
    help = "Produit le PDF des rapports au Conseil publiés qui n'en ont pas."

    def handle(self, *args, **options):
        missing = list(
            Report.objects.published().filter(pdf=b"").defer("pdf").order_by("meeting_date", "pk")
        )
        if not missing:
            self.stdout.write(_("Tous les rapports publiés ont leur PDF."))
            return
        if report_pdf.pdf_renderer() is None:
            raise CommandError(
                _(
                    "WeasyPrint ou Pango manque sur ce serveur : aucun PDF ne peut être produit "
                    "(make pdf-libs)."
                )
            )
        for report in missing:
            report_pdf.store(report)
            self.stdout.write(
                _("PDF produit : %(title)s (/rapports/%(slug)s.pdf).")
                % {"title": report.title, "slug": report.slug}
            )
