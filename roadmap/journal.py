"""The journal of the roadmap: its latest progress notes, changes of declared status and
published council reports.

Shown at `/journal/` and published as an Atom feed (`roadmap.feeds`), so that readers can follow
the roadmap. Both read the same entries, in a fixed number of queries: the latest notes in one,
the latest status changes in one (see `roadmap.history.status_changes`), the latest published
council reports in one. Only published notes
appear, at the moment they were published, with who published them when a reviewer did
(docs/domain.md « Relecture »).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse

from .history import Entry, status_changes
from .models import ProgressNote, Report, Roadmap
from .queries import journal_notes

JOURNAL_SHOWN = 50

NOTE = "note"
STATUS = "status"
REPORT = "report"
SHARED_WITH_HISTORY = ("action_code", "action_slug", "action_title", "author", "organisation")


@dataclass(frozen=True)
class JournalEntry:
    key: str  # unique and stable, for anchors and the feed's ids
    kind: str  # NOTE or STATUS
    when: datetime.datetime  # when it was published or saved: the journal's order
    action_code: str
    action_slug: str
    action_title: str
    author: str
    organisation: str
    note: ProgressNote | None = None
    change: Entry | None = None
    report: Report | None = None
    # Who published the note, when a reviewer did (« Camille Martin (DNS) »).
    published_by: str = ""

    @property
    def url(self) -> str:
        if self.report is not None:
            return self.report.get_absolute_url()
        anchor = f"#point-{self.note.pk}" if self.note else "#historique"
        return reverse("roadmap:action", args=[self.action_slug]) + anchor

    @property
    def by(self) -> str:
        if self.author and self.organisation:
            return f"{self.author} ({self.organisation})"
        return self.author

    @classmethod
    def from_note(cls, note: ProgressNote) -> JournalEntry:
        author, action, reviewer = note.author, note.action, note.reviewed_by
        published_by = ""
        if reviewer is not None:
            published_by = reviewer.display_name
            if reviewer.organisation_id:
                published_by = f"{published_by} ({reviewer.organisation.acronym})"
        return cls(
            key=f"point-{note.pk}",
            kind=NOTE,
            when=getattr(note, "published_at", None) or note.created_at,
            published_by=published_by,
            action_code=action.code,
            action_slug=action.slug,
            action_title=action.title,
            author=author.display_name,
            organisation=author.organisation.acronym if author.organisation_id else "",
            note=note,
        )

    @classmethod
    def from_change(cls, change: Entry) -> JournalEntry:
        # A history entry already says which action, by whom: the same fields, the same names.
        shared = {name: getattr(change, name) for name in SHARED_WITH_HISTORY}
        return cls(key=change.key, kind=STATUS, when=change.when, change=change, **shared)


def _from_report(report: Report) -> JournalEntry:
    by = report.published_by
    return JournalEntry(
        key=f"rapport-{report.slug}",
        kind=REPORT,
        when=report.published_at,
        action_code="",
        action_slug="",
        action_title="",
        author=by.display_name if by else "",
        organisation=by.organisation.acronym if by and by.organisation_id else "",
        report=report,
    )


def journal_entries(roadmap: Roadmap | None, limit: int = JOURNAL_SHOWN) -> list[JournalEntry]:
    """The latest progress notes and status changes of `roadmap`, newest first."""
    if roadmap is None:
        return []
    entries = [JournalEntry.from_note(note) for note in journal_notes(roadmap, limit)]
    entries += [JournalEntry.from_change(change) for change in status_changes(roadmap, limit)]
    reports = (
        Report.objects.published()
        .filter(roadmap=roadmap)
        .select_related("published_by__organisation")
        .defer("snapshot", "pdf")
        .order_by("-published_at", "-pk")[:limit]
    )
    entries += [_from_report(report) for report in reports]
    entries.sort(key=lambda entry: (entry.when, entry.key), reverse=True)
    return entries[:limit]
