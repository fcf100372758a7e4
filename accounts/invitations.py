"""Invitations: who may get in, and the email that lets them (docs/contract.md « Invitations »).

An administrator invites a person (email, organisation, role) from /accounts/invitations/ or
with `manage.py invite`; the person receives a French email (text and HTML) with a link valid
7 days, used once, to set a password or to sign in with ProConnect. Sending again makes a new
link (the previous one stops working) valid 7 days more; revoking stops it at once. Accepting
creates the account, or gives back its access to a deactivated account of the same address,
whose history stays its own.
"""

from __future__ import annotations

import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import INVITATION_VALIDITY_DAYS, Invitation, Organisation, Role, User


class InvitationRefused(Exception):
    """An invitation that cannot be made: the message says why, in French."""

    status = 409


class EmailNotSent(InvitationRefused):
    """The SMTP relay refused or did not answer: nothing was recorded."""

    status = 503


def site_url(request: HttpRequest | None = None) -> str:
    """The public address that emails link to: SITE_URL, else that of the request."""
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    raise InvitationRefused(
        _("SITE_URL doit être défini pour que le lien de l'invitation mène au service.")
    )


def check_can_invite(email: str) -> None:
    if User.objects.filter(email__iexact=email, is_active=True).exists():
        raise InvitationRefused(
            _("Un compte actif existe déjà pour l'adresse %(email)s.") % {"email": email}
        )
    if Invitation.objects.pending().filter(email__iexact=email).exists():
        raise InvitationRefused(
            _(
                "Une invitation attend déjà une réponse de %(email)s : renvoyez-la depuis "
                "la liste des invitations."
            )
            % {"email": email}
        )


def invite(
    email: str,
    organisation: Organisation,
    role: str,
    invited_by: User | None,
    request: HttpRequest | None = None,
) -> Invitation:
    """Record the invitation and send its email; nothing is recorded if it cannot be sent."""
    email = email.strip()
    base = site_url(request)
    with transaction.atomic():
        check_can_invite(email)
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        invitation = Invitation.objects.create(
            email=email,
            organisation=organisation,
            role=role,
            invited_by=invited_by,
            token_hash=Invitation.hash_token(token),
            sent_at=now,
            expires_at=now + timedelta(days=INVITATION_VALIDITY_DAYS),
        )
        send(invitation, token, base)
    return invitation


def resend(invitation: Invitation, request: HttpRequest | None = None) -> Invitation:
    """A new link, valid 7 days from now; the previous link stops working."""
    if invitation.state in {"accepted", "revoked"}:
        raise InvitationRefused(_("Cette invitation a déjà été acceptée ou révoquée."))
    base = site_url(request)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state in {"accepted", "revoked"}:
            raise InvitationRefused(_("Cette invitation a déjà été acceptée ou révoquée."))
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        invitation.token_hash = Invitation.hash_token(token)
        invitation.sent_at = now
        invitation.expires_at = now + timedelta(days=INVITATION_VALIDITY_DAYS)
        invitation.send_count += 1
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "send_count"])
        send(invitation, token, base)
    return invitation


def revoke(invitation: Invitation) -> Invitation:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state == "accepted":
            raise InvitationRefused(
                _("Cette invitation a déjà été acceptée : désactivez plutôt le compte.")
            )
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
    return invitation


def send(invitation: Invitation, token: str, base: str) -> None:
    """The French email, text and HTML, through the configured SMTP relay."""
    context = {
        "invitation": invitation,
        "link": base + reverse("accounts:invitation-accept", args=[token]),
        "site_url": base,
        "role_label": str(Role(invitation.role).label).lower(),
        "inviter": invitation.invited_by.display_name if invitation.invited_by else "",
        "validity_days": INVITATION_VALIDITY_DAYS,
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("accounts/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("accounts/email/invitation.html", context), "text/html"
    )
    try:
        message.send()
    except (OSError, smtplib.SMTPException) as error:
        # Raised inside the caller's transaction: the invitation is not recorded either.
        raise EmailNotSent(
            _(
                "Le courriel n'a pas pu être envoyé (%(error)s) : rien n'est enregistré, "
                "réessayez plus tard."
            )
            % {"error": error.__class__.__name__}
        ) from error


def accept(
    invitation: Invitation, *, first_name: str = "", last_name: str = "", password=None
) -> User:
    """Use the invitation once: the account it names, active, in its organisation and role.

    `password` None leaves the account without one (ProConnect only)."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state != "pending":
            raise InvitationRefused(_("Ce lien d'invitation ne fonctionne plus."))
        user = User.objects.filter(email__iexact=invitation.email).order_by("pk").first()
        if user is None:
            user = User(username=unique_username(invitation.email), email=invitation.email)
        user.is_active = True
        user.organisation = invitation.organisation
        user.role = invitation.role
        user.first_name = first_name[:150] or user.first_name
        user.last_name = last_name[:150] or user.last_name
        if password is not None:
            user.set_password(password)
        elif not user.pk:
            user.set_unusable_password()
        user.save()
        invitation.accepted_at = timezone.now()
        invitation.user = user
        invitation.save(update_fields=["accepted_at", "user"])
    return user


def unique_username(email: str) -> str:
    """The email as the username, made unique should another account already use it."""
    base = email.lower()[:140]
    candidate, counter = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        counter += 1
        candidate = f"{base}-{counter}"
    return candidate


def invalid_link_page(request: HttpRequest, token: str) -> HttpResponse:
    """Why a link does not work (expired, revoked, already used, unknown): 410 or 404."""
    invitation = Invitation.objects.for_token(token)
    state = invitation.state if invitation else "unknown"
    status = 404 if invitation is None else 410
    return render(
        request,
        "accounts/invitation_invalid.html",
        {"state": state, "invitation": invitation},
        status=status,
    )
