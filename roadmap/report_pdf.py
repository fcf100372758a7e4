"""A council report's PDF: rendered once, right after its publication, and stored with it.

The PDF is drawn from the frozen snapshot like the report's page (`reports.report_context`,
compared with the report published before it), in French, by WeasyPrint, and kept in
`Report.pdf`: `/rapports/<slug>.pdf` serves those bytes and never renders (at the benchmark's
large size one rendering takes minutes: docs/benchmarks.md).

- `pdf_renderer()`: WeasyPrint's HTML class, or None where it (or Pango) is missing.
- `publish(report, version, user)`: `reports.publish` (the snapshot, in its transaction), then,
  once that is committed, `store`: a PDF that cannot be rendered leaves the report published
  without one, never undone and never an error page.
- `store(report)`: render and keep the PDF of a published report that has none (the
  `render_report_pdfs` command does it for the reports published without one).

docs/contract.md « Rapports au Conseil » says which path suits which size.
"""

from __future__ import annotations

import functools
import logging
import warnings
from typing import NamedTuple

from django.template.loader import render_to_string
from django.utils import translation

from .caching import writing
from .models import Report, ReportState
from .reports import earlier_reports, report_context
from .reports import publish as publish_snapshot
from .writes import Locked

logger = logging.getLogger(__name__)


@functools.cache
def pdf_renderer():
    """WeasyPrint's HTML class, or None where it (or its system libraries) is missing."""
    try:
        with warnings.catch_warnings():
            # Its notice that a later version will need HarfBuzz-Subset is no reason to have
            # no PDF (where warnings are errors, as in the tests).
            warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
            from weasyprint import HTML
    except (ImportError, OSError) as error:
        logger.warning("PDF renderer unavailable: %s", error)
        return None
    return HTML


def render(report: Report) -> bytes:
    """The published `report` as an A4 PDF, against the report published before it."""
    earlier = earlier_reports(report)
    since = Report.objects.defer("pdf").get(pk=earlier[0].pk) if earlier else None
    with translation.override("fr"):
        html = render_to_string("roadmap/reports/pdf.html", report_context(report, since, earlier))
        # The document holds no relative address (no image, no link to follow).
        return pdf_renderer()(string=html).write_pdf()


def store(report: Report) -> bool:
    """Render the PDF of the published `report` and keep it, unless it has one already
    (kept once, it is never rendered again); False where no renderer is installed."""
    if pdf_renderer() is None:
        return False
    content = render(report)
    # A public write: the report's page now links its PDF. Only a report still without one
    # takes it, so two renderings at once keep the first.
    with writing():
        Report.objects.filter(pk=report.pk, state=ReportState.PUBLISHED, pdf=b"").update(
            pdf=content
        )
    return True


class Publication(NamedTuple):
    locked: Locked
    pdf: bool  # whether the PDF was rendered and stored


def publish(report: Report, version: int, user, today=None) -> Publication:
    """Publish `report` (`reports.publish`), then render and store its PDF after the commit:
    the snapshot's transaction stays as short as without a PDF, and a renderer that is
    missing or fails leaves the report published without one (`render_report_pdfs` later)."""
    locked = publish_snapshot(report, version, user, today)
    if locked.stale:
        return Publication(locked, False)
    try:
        stored = store(locked.row)
    except Exception:
        # The publication stands whatever happens to its PDF: said in the log, and the
        # report's PDF address explains how to print the page meanwhile.
        logger.exception("PDF of report %s not rendered", locked.row.slug)
        stored = False
    if not stored:
        logger.warning("Report %s published without its PDF", locked.row.slug)
    return Publication(locked, stored)
