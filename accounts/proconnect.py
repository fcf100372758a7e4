"""ProConnect sign-in: the State's identity federation for its agents (OpenID Connect).

Built on mozilla-django-oidc (docs/architecture.md says why), configured from three settings
only, `PROCONNECT_CLIENT_ID`, `PROCONNECT_CLIENT_SECRET` and `PROCONNECT_ISSUER`; every endpoint
comes from the issuer's discovery document (`<issuer>/.well-known/openid-configuration`), read
when first needed and kept for an hour. Without the three settings nothing here answers (404)
and the sign-in page shows no ProConnect button.

The flow is the authorisation code flow with `state`, `nonce` and PKCE (S256). What the library
leaves out is checked here: the ID token and the userinfo (a signed JWT at ProConnect, refused
otherwise) must come from the configured issuer, for this client, unexpired, signed by one of the
provider's published keys, and name the same subject.

Only invited people get in (docs/contract.md « ProConnect »): an identity whose email matches an
active account signs in to that account; an identity that follows a pending invitation creates
its account; anyone else is refused with a French page that says whom to ask. Each refusal is a
4xx page and leaves nobody signed in.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import invitations
from .models import Invitation, User

LOGGER = logging.getLogger(__name__)

# The session key of the invitation being accepted through ProConnect (set on the invitation
# page, read once by the callback).
INVITATION_SESSION_KEY = "proconnect_invitation"
DISCOVERY_TTL = 3600

# mozilla-django-oidc's settings, fixed here: what ProConnect expects of a service provider.
LIBRARY_SETTINGS = {
    "OIDC_RP_SIGN_ALGO": "RS256",
    "OIDC_RP_SCOPES": "openid email given_name usual_name",
    "OIDC_USE_NONCE": True,
    "OIDC_USE_PKCE": True,
    "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
    "OIDC_STORE_ID_TOKEN": True,  # for the logout at the provider (id_token_hint)
    "OIDC_CREATE_USER": False,  # only invited people get in
    "OIDC_AUTHENTICATION_CALLBACK_URL": "accounts:proconnect-callback",
    "OIDC_REDIRECT_FIELD_NAME": "next",
    "OIDC_TIMEOUT": 10,
}
# Which endpoint of the discovery document each library setting names.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class ProviderUnavailable(Exception):
    """The discovery document could not be read, or does not describe the configured issuer."""


def is_configured() -> bool:
    return bool(
        settings.PROCONNECT_CLIENT_ID
        and settings.PROCONNECT_CLIENT_SECRET
        and settings.PROCONNECT_ISSUER
    )


def issuer() -> str:
    return settings.PROCONNECT_ISSUER.rstrip("/")


_discovered: dict[str, tuple[float, dict]] = {}
_discovery_lock = threading.Lock()


def discovery() -> dict:
    """The issuer's discovery document, read at most once an hour per process."""
    url = f"{issuer()}/.well-known/openid-configuration"
    with _discovery_lock:
        cached = _discovered.get(url)
        if cached and cached[0] > time.monotonic():
            return cached[1]
    try:
        response = requests.get(url, timeout=LIBRARY_SETTINGS["OIDC_TIMEOUT"])
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(str(error)) from error
    # A document that names another issuer describes another provider (OpenID Connect
    # Discovery 1.0, §4.3): none of its endpoints is trusted.
    if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != issuer():
        raise ProviderUnavailable("the discovery document names another issuer")
    missing = [key for key in (*DISCOVERED.values(), "end_session_endpoint") if key not in document]
    if missing:
        raise ProviderUnavailable(f"the discovery document has no {', '.join(missing)}")
    with _discovery_lock:
        _discovered[url] = (time.monotonic() + DISCOVERY_TTL, document)
    return document


def library_setting(attr: str, *default):
    """A mozilla-django-oidc setting: from the discovery document, the PROCONNECT_* settings,
    the fixed choices above, or Django's settings, in that order."""
    if attr in DISCOVERED:
        return discovery()[DISCOVERED[attr]]
    if attr == "OIDC_RP_CLIENT_ID":
        return settings.PROCONNECT_CLIENT_ID
    if attr == "OIDC_RP_CLIENT_SECRET":
        return settings.PROCONNECT_CLIENT_SECRET
    if attr in LIBRARY_SETTINGS:
        return LIBRARY_SETTINGS[attr]
    return import_from_settings(attr, *default)


def refuse(request: HttpRequest, reason: str, email: str = "") -> HttpResponse:
    """The French page of a refused ProConnect sign-in; nobody stays signed in."""
    if request.user.is_authenticated:
        auth.logout(request)
    status = {"unknown_email": 403, "unavailable": 502}.get(reason, 400)
    return render(
        request,
        "registration/proconnect_refused.html",
        {"reason": reason, "email": email},
        status=status,
    )


class ProConnectBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, made strict (issuer, audience, signed userinfo) and
    limited to invited people. It reads nothing until a ProConnect callback calls it: the
    password sign-in never touches the provider."""

    get_settings = staticmethod(library_setting)

    def __init__(self, *args, **kwargs):
        # The library reads the endpoints here; they are read when a callback needs them.
        self.UserModel = User

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs or not is_configured():
            return None  # a password sign-in, or ProConnect is off
        try:
            for attr in (
                "OIDC_OP_TOKEN_ENDPOINT",
                "OIDC_OP_USER_ENDPOINT",
                "OIDC_OP_JWKS_ENDPOINT",
                "OIDC_RP_CLIENT_ID",
                "OIDC_RP_CLIENT_SECRET",
                "OIDC_RP_SIGN_ALGO",
            ):
                setattr(self, attr, self.get_settings(attr))
            self.OIDC_RP_IDP_SIGN_KEY = None
            return super().authenticate(request, **kwargs)
        except ProviderUnavailable:
            request.proconnect_refusal = "unavailable"
        except requests.HTTPError as error:
            # The token endpoint refuses a code used twice, expired or issued to another client.
            LOGGER.warning("ProConnect refused the exchange: %s", error)
            request.proconnect_refusal = "token"
        except requests.RequestException:
            request.proconnect_refusal = "unavailable"
        except (SuspiciousOperation, jwt.InvalidTokenError, ValueError, KeyError) as error:
            LOGGER.warning("ProConnect token refused: %s", error)
            request.proconnect_refusal = "token"
        return None

    def verify_token(self, token, **kwargs):
        """The signature (by the library, which also checks the expiry and the nonce), then
        the issuer and the audience, which it does not check."""
        if not token:
            raise SuspiciousOperation("no token")
        payload = super().verify_token(token, **kwargs)
        if str(payload.get("iss", "")).rstrip("/") != issuer():
            raise SuspiciousOperation("token from another issuer")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if settings.PROCONNECT_CLIENT_ID not in audiences:
            raise SuspiciousOperation("token for another client")
        if len(audiences) > 1 and payload.get("azp") != settings.PROCONNECT_CLIENT_ID:
            raise SuspiciousOperation("token authorised for another client")
        if "exp" not in payload:
            raise SuspiciousOperation("token without expiry")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """ProConnect answers the userinfo as a signed JWT: anything else is refused."""
        response = requests.get(
            self.OIDC_OP_USER_ENDPOINT,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=self.get_settings("OIDC_TIMEOUT"),
        )
        response.raise_for_status()
        if not response.headers.get("content-type", "").lower().startswith("application/jwt"):
            raise SuspiciousOperation("userinfo is not a signed JWT")
        claims = self.verify_token(response.text)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo of another subject")
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        email = str(claims.get("email") or "").strip()
        if not email:
            raise SuspiciousOperation("no email in the userinfo")
        self.request.proconnect_email = email
        users = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
        if len(users) == 1:
            return self.update_user(users[0], claims)
        if users:
            LOGGER.warning("Two active accounts share the email of a ProConnect identity")
            self.request.proconnect_refusal = "unknown_email"
            return None
        invitation = self.pending_invitation()
        if invitation is not None and invitation.email.lower() == email.lower():
            return invitations.accept(
                invitation,
                first_name=str(claims.get("given_name") or ""),
                last_name=str(claims.get("usual_name") or ""),
            )
        self.request.proconnect_refusal = "unknown_email"
        return None

    def pending_invitation(self) -> Invitation | None:
        invitation_id = self.request.session.pop(INVITATION_SESSION_KEY, None)
        if invitation_id is None:
            return None
        return Invitation.objects.usable().filter(pk=invitation_id).first()

    def update_user(self, user, claims):
        """The names ProConnect gives fill those still empty; nothing else changes."""
        changed = []
        for field, claim in (("first_name", "given_name"), ("last_name", "usual_name")):
            if not getattr(user, field) and claims.get(claim):
                setattr(user, field, str(claims[claim])[:150])
                changed.append(field)
        if changed:
            user.save(update_fields=changed)
        return user


class ConfiguredOnly:
    """ProConnect's views answer 404 while ProConnect is not configured."""

    get_settings = staticmethod(library_setting)

    def dispatch(self, request, *args, **kwargs):
        if not is_configured():
            raise Http404(_("La connexion avec ProConnect n'est pas configurée."))
        return super().dispatch(request, *args, **kwargs)


class LoginView(ConfiguredOnly, OIDCAuthenticationRequestView):
    """Sends the browser to ProConnect, with `state`, `nonce` and the PKCE challenge kept in
    the session. `?invitation=<token>` accepts that invitation on the way back."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderUnavailable:
            return refuse(request, "unavailable")
        self.OIDC_RP_CLIENT_ID = settings.PROCONNECT_CLIENT_ID
        token = request.GET.get("invitation", "")
        if token:
            invitation = Invitation.objects.usable().for_token(token)
            if invitation is None:
                return invitations.invalid_link_page(request, token)
            request.session[INVITATION_SESSION_KEY] = invitation.pk
        return super().get(request)


class CallbackView(ConfiguredOnly, OIDCAuthenticationCallbackView):
    """Back from ProConnect: signed in, or refused with the French page."""

    def get(self, request):
        if request.GET.get("error"):
            response = super().get(request)
            return refuse(request, "cancelled") if response.status_code == 302 else response
        if "oidc_states" not in request.session or "code" not in request.GET:
            return refuse(request, "state")
        try:
            return super().get(request)
        except SuspiciousOperation:
            # A `state` that this browser's session did not send: a forged or replayed answer.
            return refuse(request, "state")

    def login_failure(self):
        return refuse(
            self.request,
            getattr(self.request, "proconnect_refusal", "token"),
            getattr(self.request, "proconnect_email", ""),
        )


def logout_url(request: HttpRequest) -> str | None:
    """Where to send a person who signed in with ProConnect when they sign out: the
    provider's end-session endpoint, back to the dashboard. None when they did not (or the
    provider cannot be reached: they are signed out here all the same)."""
    id_token = request.session.get("oidc_id_token")
    if not id_token or not is_configured():
        return None
    try:
        endpoint = discovery()["end_session_endpoint"]
    except ProviderUnavailable:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": secrets.token_urlsafe(16),
            "post_logout_redirect_uri": request.build_absolute_uri(
                reverse(settings.LOGOUT_REDIRECT_URL)
            ),
        }
    )
    return f"{endpoint}?{query}"
