"""`manage.py typeset_catalogue`: the French catalogue, typeset from its own messages.

The messages of the code and templates are French, written with ordinary spaces (« Statut : »,
« 42 %% », « « %(title)s » »), so that they stay easy to write and to search. French pages show
them as the Imprimerie nationale sets them: `locale/fr/LC_MESSAGES/django.po` holds, for every
message that typography changes, `roadmap.french.typeset` of it (a no-break space before « : »,
a narrow one before « ; ! ? % » and inside « »), placeholders, tags and addresses untouched.
`make messages` runs this command between `makemessages` and `compilemessages`;
`tests/roadmap/test_i18n.py` checks that the catalogue is in step. polib, which reads and writes
the catalogue, is a development dependency: production only reads the compiled `.mo`.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from roadmap.french import typeset, typography

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def french(entry) -> tuple[str, ...]:
    """What the French catalogue holds for `entry`: its typeset message, or nothing where
    typography changes nothing, so that Django's own French (« anglais » for « English ») still
    answers for a message it shares with the project. A plural always has both its forms: only
    the catalogue tells gettext that French counts 0 as singular (« 0 action »)."""
    if entry.msgid_plural:
        return (typeset(entry.msgid, message=True), typeset(entry.msgid_plural, message=True))
    typeset_message = typeset(entry.msgid, message=True)
    return (typeset_message if typeset_message != entry.msgid else "",)


def typeset_entry(entry) -> bool:
    """Sets `entry`'s translation to `french(entry)`; True if that changed it."""
    before = (entry.msgstr, dict(entry.msgstr_plural), entry.fuzzy)
    if entry.msgid_plural:
        entry.msgstr_plural = dict(enumerate(french(entry)))
    else:
        (entry.msgstr,) = french(entry)
    if entry.fuzzy:
        entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    return (entry.msgstr, dict(entry.msgstr_plural), entry.fuzzy) != before


class Command(BaseCommand):
    help = "Écrit le catalogue français : chaque message avec la typographie française."

    def add_arguments(self, parser):
        parser.add_argument("--catalogue", default=str(CATALOGUE), help=str(CATALOGUE))

    def handle(self, *args, catalogue, **options):
        try:
            import polib
        except ImportError as error:  # a production install has no development dependency
            raise CommandError(typography(_("polib manque : make install-dev."))) from error
        path = Path(catalogue)
        if not path.is_file():
            raise CommandError(typography(_("Fichier introuvable : %(file)s") % {"file": path}))
        po = polib.pofile(str(path))
        changed = sum(typeset_entry(entry) for entry in po if not entry.obsolete)
        po.save(str(path))
        self.stdout.write(
            typography(
                ngettext(
                    "Catalogue français : %(count)d message mis en forme.",
                    "Catalogue français : %(count)d messages mis en forme.",
                    changed,
                )
                % {"count": changed}
            )
        )
