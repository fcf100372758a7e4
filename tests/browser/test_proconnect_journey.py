"""ProConnect in Chromium, against a real OpenID Connect provider on the loopback (npm's
oidc-provider, tests/support/oidc.py): an invited agent clicks « S'identifier avec ProConnect »,
signs in on the provider's own page, comes back signed in, and signs out here and at the
provider; an agent nobody invited is refused with the French page and stays signed out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts import proconnect
from accounts.models import Organisation, Role, User
from tests.support.constants import PASSWORD
from tests.support.oidc import oidc_provider, use_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def provider(live_server):
    with oidc_provider(
        [f"{live_server.url}/accounts/proconnect/retour/"], [f"{live_server.url}/"]
    ) as started:
        yield started


@pytest.fixture
def configured(settings, provider):
    use_provider(settings, provider)
    proconnect._discovered.clear()
    provider.fault("none")
    return provider


@pytest.fixture
def agent(db):
    dns, _ = Organisation.objects.get_or_create(acronym="DNS")
    return User.objects.create_user(
        "camille",
        email="camille.agent@sante.gouv.fr",
        password=PASSWORD,
        role=Role.MEMBER,
        organisation=dns,
    )


def sign_in_with_proconnect(page: Page, provider, email: str):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="S'identifier avec ProConnect").click()
    # The provider's own page.
    expect(page).to_have_url(re.compile("^" + re.escape(provider.issuer)))
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill("peu-importe")
    with page.expect_response(re.compile(r"/accounts/proconnect/retour/")) as callback:
        page.get_by_role("button", name="Sign-in").click()
    return callback.value


def test_an_invited_agent_signs_in_and_out_with_proconnect(page: Page, configured, agent):
    callback = sign_in_with_proconnect(page, configured, agent.email)
    assert callback.status == 302
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".app-header-user").first).to_have_text("Camille Agent")
    expect(page.get_by_role("link", name="Mes actions")).to_be_visible()

    page.get_by_role("button", name="Se déconnecter").click()
    # The provider asks to confirm its own sign-out, then sends the browser back here.
    expect(page).to_have_url(re.compile("^" + re.escape(configured.issuer)))
    page.get_by_role("button", name=re.compile("Yes, sign me out", re.IGNORECASE)).click()
    # Back on the dashboard, with the `state` of the sign-out request.
    expect(page).to_have_url(re.compile(r"^http://localhost:\d+/\?state=[\w-]+$"))
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()


def test_an_agent_nobody_invited_is_refused(page: Page, configured, agent):
    callback = sign_in_with_proconnect(page, configured, "personne@culture.gouv.fr")
    assert callback.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion avec ProConnect refusée")
    expect(page.get_by_role("alert")).to_contain_text(
        "L'adresse personne@culture.gouv.fr n'a pas de compte actif sur ce service."
    )
    expect(page.get_by_role("alert")).to_contain_text("Demandez une invitation à un administrateur")
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    assert User.objects.filter(email__iexact="personne@culture.gouv.fr").count() == 0


def test_without_proconnect_the_sign_in_page_has_no_button(page: Page, agent):
    page.goto("/accounts/login/")
    expect(page.get_by_role("link", name="S'identifier avec ProConnect")).to_have_count(0)
    page.get_by_label("Identifiant").fill(agent.username)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator(".app-header-user").first).to_have_text("camille")
