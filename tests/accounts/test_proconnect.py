"""ProConnect sign-in against a real OpenID Connect provider on the loopback (npm's
oidc-provider, tests/support/oidc.py): the flow through the provider's own pages and back to
the app's callback, and every refusal. Each refusal is a French page, a 4xx, and nobody signed
in. The whole journey in a browser is in tests/browser/test_proconnect_journey.py."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.urls import reverse

from accounts import proconnect
from accounts.models import Invitation, Organisation, Role, User
from tests.support.constants import PASSWORD
from tests.support.html import plain_text
from tests.support.oidc import oidc_provider, sign_in_at_provider, use_provider

CALLBACK = "http://testserver/accounts/proconnect/retour/"


@pytest.fixture(scope="module")
def provider():
    with oidc_provider([CALLBACK], ["http://testserver/"]) as started:
        yield started


@pytest.fixture
def configured(db, settings, provider):
    use_provider(settings, provider)
    proconnect._discovered.clear()
    provider.fault("none")
    yield provider
    provider.fault("none")


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


def start(client, query=""):
    """The app's redirect to the provider: its authorisation request."""
    response = client.get(reverse("accounts:proconnect-login") + query)
    assert response.status_code == 302
    return response["Location"]


def come_back(client, email):
    return client.get(
        sign_in_at_provider(start(client), email).replace(CALLBACK, "/accounts/proconnect/retour/")
    )


def signed_in(client):
    return "_auth_user_id" in client.session


def test_the_authorisation_request_carries_state_nonce_and_pkce(client, configured):
    url = urlparse(start(client))
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}" == configured.issuer
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["feuille-de-route-ia-sante"]
    assert query["redirect_uri"] == [CALLBACK]
    assert query["scope"] == ["openid email given_name usual_name"]
    assert query["code_challenge_method"] == ["S256"]
    state = query["state"][0]
    assert client.session["oidc_states"][state]["nonce"] == query["nonce"][0]
    assert client.session["oidc_states"][state]["code_verifier"]


def test_an_invited_agent_signs_in_to_their_account(client, configured, agent):
    response = come_back(client, "Camille.Agent@sante.gouv.fr")
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap:dashboard")
    assert client.session["_auth_user_id"] == str(agent.pk)
    agent.refresh_from_db()
    assert (agent.first_name, agent.last_name) == ("Camille", "Agent")
    assert client.session["oidc_id_token"]


def refused(response, status, words):
    assert response.status_code == status
    page = plain_text(response)
    assert "Connexion avec ProConnect refusée" in page
    assert words in page
    return page


def test_an_unknown_email_is_refused_and_told_whom_to_ask(client, configured, agent):
    response = come_back(client, "inconnu@interieur.gouv.fr")
    page = refused(response, 403, "Aucun compte ne correspond à votre identité ProConnect")
    assert "L'adresse inconnu@interieur.gouv.fr n'a pas de compte actif sur ce service." in page
    assert "Demandez une invitation à un administrateur de la feuille de route" in page
    assert not signed_in(client)
    assert User.objects.count() == 1


def test_a_deactivated_account_is_refused(client, configured, agent):
    agent.is_active = False
    agent.save()
    refused(come_back(client, agent.email), 403, "Aucun compte ne correspond")
    assert not signed_in(client)


def test_a_tampered_state_is_refused(client, configured, agent):
    back = sign_in_at_provider(start(client), agent.email)
    query = parse_qs(urlparse(back).query)
    tampered = urlencode({"code": query["code"][0], "state": "etat-falsifie"})
    response = client.get(f"/accounts/proconnect/retour/?{tampered}")
    refused(response, 400, "ne correspond à aucune connexion en cours")
    assert not signed_in(client)


def test_a_replayed_code_is_refused(client, configured, agent):
    back = sign_in_at_provider(start(client), agent.email).replace(
        CALLBACK, "/accounts/proconnect/retour/"
    )
    assert client.get(back).status_code == 302
    client.logout()
    # Replayed as is: its state has been used.
    refused(client.get(back), 400, "ne correspond à aucune connexion en cours")
    # Replayed with a fresh state of this browser: the provider refuses the used code.
    fresh_state = parse_qs(urlparse(start(client)).query)["state"][0]
    code = parse_qs(urlparse(back).query)["code"][0]
    response = client.get(
        "/accounts/proconnect/retour/?" + urlencode({"code": code, "state": fresh_state})
    )
    refused(response, 400, "n'a pas pu être vérifiée")
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("fault", "why"),
    [
        ("expired", "Signature has expired"),
        ("issuer", "token from another issuer"),
        ("audience", "token for another client"),
        ("signature", "JWS token verification failed."),
    ],
)
def test_a_bad_token_is_refused(client, configured, agent, caplog, fault, why):
    configured.fault(fault)
    response = come_back(client, agent.email)
    refused(response, 400, "L'identité transmise par ProConnect n'a pas pu être vérifiée")
    assert not signed_in(client)
    assert [
        record.getMessage() for record in caplog.records if record.name == "accounts.proconnect"
    ] == [f"ProConnect token refused: {why}"]


def test_a_pending_invitation_opens_its_account_through_proconnect(
    client, configured, administrator
):
    from accounts import invitations as module

    has = Organisation.objects.get_or_create(acronym="HAS")[0]
    invitation = Invitation.objects.create(
        email="nouvelle@has-sante.fr",
        organisation=has,
        role=Role.MEMBER,
        invited_by=administrator,
        token_hash=Invitation.hash_token("jeton"),
        sent_at=module.timezone.now(),
        expires_at=module.timezone.now() + module.timedelta(days=7),
    )
    authorize = start(client, "?invitation=jeton")
    back = sign_in_at_provider(authorize, "nouvelle@has-sante.fr")
    response = client.get(back.replace(CALLBACK, "/accounts/proconnect/retour/"))
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle@has-sante.fr")
    assert (user.organisation, user.role, user.is_active) == (has, Role.MEMBER, True)
    assert not user.has_usable_password()
    assert client.session["_auth_user_id"] == str(user.pk)
    invitation.refresh_from_db()
    assert invitation.state == "accepted"
    assert invitation.user == user


def test_without_the_settings_there_is_no_proconnect(client, agent):
    assert client.get(reverse("accounts:proconnect-login")).status_code == 404
    assert client.get(reverse("accounts:proconnect-callback")).status_code == 404
    page = client.get(reverse("login")).content.decode()
    assert "ProConnect" not in page
    assert (
        client.post(reverse("login"), {"username": "camille", "password": PASSWORD}).status_code
        == 302
    )


def test_with_the_settings_the_sign_in_page_shows_the_button(client, configured):
    page = client.get(reverse("login") + "?next=/mes-actions/").content.decode()
    assert 'href="/accounts/proconnect/connexion/?next=/mes-actions/"' in page
    assert "S&#x27;identifier avec" in page or "S'identifier avec" in page


def test_signing_out_signs_out_at_the_provider_too(client, configured, agent):
    assert come_back(client, agent.email).status_code == 302
    id_token = client.session["oidc_id_token"]
    response = client.post(reverse("logout"))
    assert not signed_in(client)
    assert response.status_code == 302
    url = urlparse(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{configured.issuer}/session/end"
    query = parse_qs(url.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/"]
    assert query["state"]


def test_signing_out_after_a_password_sign_in_stays_here(client, configured, agent):
    client.force_login(agent)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("roadmap:dashboard")
    assert not signed_in(client)


def test_the_pages_let_the_sign_out_form_reach_the_provider(client, configured):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert f"form-action 'self' {configured.issuer}" in policy


def test_without_proconnect_forms_reach_the_site_only(client, db):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    # the directives, in whatever order the policy lists them
    directives = [directive.strip() for directive in policy.split(";")]
    assert "form-action 'self'" in directives
