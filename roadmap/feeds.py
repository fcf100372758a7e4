"""The journal as an Atom feed (`/journal/atom.xml`): follow the roadmap from a feed reader.

The same entries as `/journal/` (`roadmap.journal`): the latest progress notes, changes of
declared status and published council reports, newest first, each linking to its action or
its report.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from .french import format_date
from .journal import NOTE, REPORT, JournalEntry, journal_entries
from .models import Roadmap


class JournalFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs) -> Roadmap | None:
        return Roadmap.objects.current()

    def title(self, roadmap) -> str:
        return _("Journal de la feuille de route IA en santé")

    def subtitle(self, roadmap) -> str:
        return _("Les derniers points d'avancement et changements de statut des actions.")

    def link(self, roadmap) -> str:
        return reverse("roadmap:journal")

    def feed_url(self, roadmap) -> str:
        return reverse("roadmap:journal-feed")

    def feed_guid(self, roadmap) -> str:
        # Stable, whatever the language the feed is read in.
        return reverse("roadmap:journal-feed")

    def items(self, roadmap) -> list[JournalEntry]:
        return journal_entries(roadmap)

    def item_title(self, entry: JournalEntry) -> str:
        if entry.kind == REPORT:
            return _("Rapport publié : %(title)s") % {"title": entry.report.title}
        if entry.kind == NOTE:
            return _("%(code)s : point d'avancement du %(date)s") % {
                "code": entry.action_code,
                "date": _date(entry.note.written_on),
            }
        return _("%(code)s : %(headline)s") % {
            "code": entry.action_code,
            "headline": entry.change.headline,
        }

    def item_description(self, entry: JournalEntry) -> str:
        if entry.kind == REPORT:
            return linebreaks(
                _(
                    "Le rapport de la séance du %(date)s au Conseil du numérique en "
                    "santé : où en est chaque action, ce qui a changé depuis la séance "
                    "précédente et les décisions demandées au Conseil."
                )
                % {"date": _date(entry.report.meeting_date)},
                autoescape=True,
            )
        if entry.kind == NOTE:
            note = entry.note
            parts = [_("Ce qui a été fait : %(text)s") % {"text": note.done}]
            if note.risks:
                parts.append(_("Risques : %(text)s") % {"text": note.risks})
            if note.next_steps:
                parts.append(_("Prochaines étapes : %(text)s") % {"text": note.next_steps})
            if entry.published_by:
                parts.append(_("Publié par %(by)s.") % {"by": entry.published_by})
            # The feed's summaries are HTML: the texts are escaped, their line breaks kept.
            return "".join(linebreaks(part, autoescape=True) for part in parts)
        return linebreaks(str(entry.change), autoescape=True)

    def item_link(self, entry: JournalEntry) -> str:
        return entry.url

    def item_guid(self, entry: JournalEntry) -> str:
        return f"{reverse('roadmap:journal')}#{entry.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, entry: JournalEntry):
        return entry.when

    def item_updateddate(self, entry: JournalEntry):
        return entry.when

    def item_author_name(self, entry: JournalEntry) -> str | None:
        return entry.by or None


def _date(value) -> str:
    return format_date(value)  # « 1er décembre 2026 »
