"""The account pages in Chromium at 1280×800 and 390×844: the sign-in page with the ProConnect
button, a ProConnect refusal, the administrators' invitations page (with a form in error), the
invitation page and an expired link. axe finds no serious or critical violation, and no page is
wider than the window.

axe is injected into the page: these contexts bypass the app's CSP, for these scans only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page

from accounts.models import Invitation, Organisation, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
SIZES = {"1280x800": {"width": 1280, "height": 800}, "390x844": {"width": 390, "height": 844}}
NO_WIDER_THAN_THE_WINDOW = "() => document.documentElement.scrollWidth <= window.innerWidth"


def problems(page: Page) -> list[str]:
    results = AXE.run(page, options={"resultTypes": ["violations"]})
    found = [
        f"{page.url} — {violation['id']} ({violation['impact']}) : {' '.join(node['target'])}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
        for node in violation["nodes"]
    ]
    if not page.evaluate(NO_WIDER_THAN_THE_WINDOW):
        found.append(f"{page.url} — plus large que la fenêtre")
    return found


@pytest.fixture
def invitations(roadmap, administrator):
    has = Organisation.objects.get(acronym="HAS")

    def make(email, token, expires_in):
        return Invitation.objects.create(
            email=email,
            organisation=has,
            role=Role.MEMBER,
            invited_by=administrator,
            token_hash=Invitation.hash_token(token),
            sent_at=timezone.now(),
            expires_at=timezone.now() + expires_in,
        )

    make("en-attente@has-sante.fr", "jeton-en-attente", timedelta(days=7))
    make("expiree@has-sante.fr", "jeton-expire", timedelta(days=-1))


@pytest.mark.parametrize("size", SIZES)
def test_the_account_pages_have_no_serious_violation(
    new_context, sign_in, settings, administrator, invitations, size
):
    settings.PROCONNECT_CLIENT_ID = "service"
    settings.PROCONNECT_CLIENT_SECRET = "secret"
    settings.PROCONNECT_ISSUER = "http://127.0.0.1:9/fournisseur"
    found = []
    page = new_context(bypass_csp=True).new_page()
    page.set_viewport_size(SIZES[size])
    for path in (
        "/accounts/login/",
        "/accounts/proconnect/retour/?code=un-code&state=un-etat",
        "/accounts/invitation/jeton-en-attente/",
        "/accounts/invitation/jeton-expire/",
    ):
        page.goto(path)
        found += problems(page)

    admin = sign_in(administrator, bypass_csp=True)
    admin.set_viewport_size(SIZES[size])
    admin.goto("/accounts/invitations/")
    found += problems(admin)
    admin.get_by_label("Adresse électronique").fill("pas-une-adresse")
    admin.get_by_role("button", name="Envoyer l'invitation").click()
    admin.wait_for_load_state()
    found += problems(admin)
    assert found == []
