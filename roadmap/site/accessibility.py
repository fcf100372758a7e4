"""The facts of the accessibility statement (`/accessibilite/`, docs/contract.md): the
compliance state, and the automated checks that run on the service, kept with their tests.

The RGAA says « non conforme » while no full audit of the service exists: that is the state
here until one is done (then its date, its rate and its auditor go here, and the state follows
its result). The automated checks are those of tests/browser/test_accessibility.py: axe-core
in Chromium, at each width of `VIEWPORTS`, on each page of `CHECKED_PAGES` (public) and
`CHECKED_MEMBER_PAGES` (signed in); that test scans these lists, so the statement names what is
checked. `AXE_CHECKED_ON` is the day those tests last passed on every page listed: move it
forward whenever they are run and pass, and never otherwise.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# « non conforme », « partiellement conforme » or « totalement conforme » (RGAA).
COMPLIANCE = pgettext_lazy("RGAA", "non conforme")
# No full RGAA audit of the service yet.
AUDITED_ON: datetime.date | None = None

AXE_CHECKED_ON = datetime.date(2026, 12, 2)
# Width × height, in CSS pixels: a desktop screen and a phone.
VIEWPORTS = ((1280, 800), (390, 844))

# Each page axe scans, as the statement names it (one address per kind of page).
CHECKED_PAGES = (
    ("/", _("le tableau de bord, avec des filtres, et avec un filtre en erreur")),
    ("/axes/1/", _("chacun des quatre axes")),
    ("/actions/ia-2-1/", _("des pages d'actions, avec leurs graphiques, jalons et points")),
    ("/indicateurs/", _("les indicateurs")),
    ("/methode/", _("la méthode de calcul")),
    ("/journal/", _("le journal")),
    ("/donnees/", _("les données ouvertes")),
    ("/accounts/login/", _("la connexion, vide et en erreur")),
    ("/accounts/password_reset/", _("la réinitialisation du mot de passe")),
    ("/accessibilite/", _("cette déclaration d'accessibilité")),
    ("/mentions-legales/", _("les mentions légales")),
    ("/donnees-personnelles/", _("les données personnelles")),
    ("/plan-du-site/", _("le plan du site")),
    ("/actions/cette-action-n-existe-pas/", _("la page d'erreur « page non trouvée »")),
)
CHECKED_MEMBER_PAGES = (
    ("/mes-actions/", _("« Mes actions »")),
    (
        "/actions/ia-2-4/",
        _(
            "une action avec tous ses formulaires ouverts, refusés par le service (avec et "
            "sans JavaScript) et en conflit"
        ),
    ),
    ("/accounts/password_change/", _("le changement de mot de passe")),
)
