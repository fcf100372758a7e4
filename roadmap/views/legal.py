"""The pages every French State site must have, linked from the footer of every page
(docs/contract.md « Les pages obligatoires »): the accessibility statement, the legal notice,
the personal data page and the site map.

Their facts come from `roadmap.site.accessibility` and `roadmap.site.legal` (the settings of
the deployment); a fact that is not configured is left out, and administrators see the list of
what is missing (`missing_facts`) on the page that needs it. Like every public page, they are
kept in the cache for readers (`cached_for_readers`); the site map lists the current
roadmap's axes and actions in a fixed number of queries (`roadmap.queries.sitemap_axes`).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from roadmap.caching import cached_for_readers
from roadmap.models import Roadmap
from roadmap.queries import sitemap_axes
from roadmap.site import accessibility as statement
from roadmap.site import legal

from .common import render_page

# The Défenseur des droits' own channels, for the recourse of the accessibility statement
# (as the RGAA's model statement gives them).
DEFENSEUR_DES_DROITS = {
    "form": "https://formulaire.defenseurdesdroits.fr/",
    "delegates": "https://www.defenseurdesdroits.fr/carte-des-delegues",
    "phone": "09 69 39 00 00",
    "address": "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07",
}
# The CNIL, the authority a person may complain to about their personal data.
CNIL_COMPLAINT = "https://www.cnil.fr/fr/adresser-une-plainte"


def missing_facts(request: HttpRequest, names) -> list[legal.Fact]:
    """What the page `names` is missing, for administrators only (the public sees no gap)."""
    user = request.user
    if not (user.is_authenticated and user.is_administrator):
        return []
    return legal.missing(names)


def _page(request, template: str, title: str, **more) -> HttpResponse:
    roadmap = Roadmap.objects.current()
    return render_page(request, template, roadmap, title, **more)


@require_safe
@cached_for_readers
def accessibility(request: HttpRequest) -> HttpResponse:
    """`/accessibilite/`: the RGAA accessibility statement."""
    return _page(
        request,
        "roadmap/legal/accessibility.html",
        _("Déclaration d'accessibilité"),
        compliance=statement.COMPLIANCE,
        audited_on=statement.AUDITED_ON,
        checked_on=statement.AXE_CHECKED_ON,
        viewports=statement.VIEWPORTS,
        checked_pages=statement.CHECKED_PAGES,
        checked_member_pages=statement.CHECKED_MEMBER_PAGES,
        facts=legal.facts(legal.ACCESSIBILITY_FACTS),
        missing=missing_facts(request, legal.ACCESSIBILITY_FACTS),
        defenseur=DEFENSEUR_DES_DROITS,
    )


@require_safe
@cached_for_readers
def legal_notice(request: HttpRequest) -> HttpResponse:
    """`/mentions-legales/`: publisher, director of publication, host, as configured."""
    return _page(
        request,
        "roadmap/legal/legal_notice.html",
        _("Mentions légales"),
        facts=legal.facts(legal.LEGAL_NOTICE_FACTS),
        missing=missing_facts(request, legal.LEGAL_NOTICE_FACTS),
        licence=legal.OPEN_LICENCE,
    )


@require_safe
@cached_for_readers
def personal_data(request: HttpRequest) -> HttpResponse:
    """`/donnees-personnelles/`: what the service keeps about people, why, for how long, the
    rights and whom to write to; the cookies it needs."""
    return _page(
        request,
        "roadmap/legal/personal_data.html",
        _("Données personnelles"),
        facts=legal.facts(legal.PERSONAL_DATA_FACTS),
        missing=missing_facts(request, legal.PERSONAL_DATA_FACTS),
        retention=legal.retention(),
        cookies=legal.cookies(),
        cnil_complaint=CNIL_COMPLAINT,
    )


@require_safe
@cached_for_readers
def sitemap(request: HttpRequest) -> HttpResponse:
    """`/plan-du-site/`: every public page, the current roadmap's axes and actions, and the
    signed-in person's own pages."""
    roadmap = Roadmap.objects.current()
    # The navigation's axes are the site map's: read once, with their actions.
    axes = sitemap_axes(roadmap)
    return render_page(request, "roadmap/legal/sitemap.html", roadmap, _("Plan du site"), axes=axes)
