"""The account pages: sign-in and sign-out (with ProConnect when configured), the
administrators' invitations and people, and the page where an invited person gets in.

Views are thin: the rules live in accounts/invitations.py and accounts/proconnect.py."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import invitations, proconnect
from .forms import AcceptInvitationForm, InvitationForm, SignInForm
from .models import Invitation, User


class LoginView(auth_views.LoginView):
    """Django's sign-in by password, with the ProConnect button above it when configured.
    Passwords stay: administrators need a way in when the federation is down, and not every
    partner of the task force has a ProConnect identity (docs/contract.md « ProConnect »)."""

    authentication_form = SignInForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(proconnect_enabled=proconnect.is_configured(), **kwargs)


class LogoutView(auth_views.LogoutView):
    """Signs out here and, after a ProConnect sign-in, at the provider too."""

    def post(self, request, *args, **kwargs):
        at_provider = proconnect.logout_url(request)
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(at_provider) if at_provider else response


def administrators_only(view):
    """Sign in first; then administrators only (403 for everyone else)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_administrator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def invitations_page(request, form=None, status=200, error=""):
    return render(
        request,
        "accounts/invitations.html",
        {
            "form": form or InvitationForm(),
            "error": error,
            "invitations": Invitation.objects.select_related(
                "organisation", "invited_by", "user"
            ).order_by("-sent_at", "-pk"),
            "people": User.objects.select_related("organisation")
            .exclude(role="reader", is_superuser=False)
            .order_by("-is_active", "last_name", "first_name", "username"),
        },
        status=status,
    )


@administrators_only
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_list(request):
    if request.method != "POST":
        return invitations_page(request)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return invitations_page(request, form, 422)
    try:
        invitation = invitations.invite(
            form.cleaned_data["email"],
            form.cleaned_data["organisation"],
            form.cleaned_data["role"],
            request.user,
            request,
        )
    except invitations.InvitationRefused as refusal:
        return invitations_page(request, form, refusal.status, str(refusal))
    messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": invitation.email})
    return redirect("accounts:invitations")


@administrators_only
@require_POST
def invitation_resend(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        invitations.resend(invitation, request)
    except invitations.InvitationRefused as refusal:
        return invitations_page(request, status=refusal.status, error=str(refusal))
    messages.success(request, _("Invitation renvoyée à %(email)s.") % {"email": invitation.email})
    return redirect("accounts:invitations")


@administrators_only
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        invitations.revoke(invitation)
    except invitations.InvitationRefused as refusal:
        return invitations_page(request, status=409, error=str(refusal))
    messages.success(
        request,
        _("Invitation de %(email)s révoquée : son lien ne fonctionne plus.")
        % {"email": invitation.email},
    )
    return redirect("accounts:invitations")


@administrators_only
@require_POST
def person_active(request, pk):
    """Deactivate or reactivate an account (`active` = 0 or 1). Never deleted: what the
    person wrote stays theirs in the history; a deactivated account cannot sign in."""
    person = get_object_or_404(User, pk=pk)
    active = request.POST.get("active")
    if active not in {"0", "1"}:
        return invitations_page(request, status=422, error=_("Choix inconnu."))
    if person == request.user:
        return invitations_page(
            request, status=409, error=_("Vous ne pouvez pas désactiver votre propre compte.")
        )
    with transaction.atomic():
        person.is_active = active == "1"
        person.save(update_fields=["is_active"])
    if person.is_active:
        message = _("Le compte de %(name)s est réactivé.")
    else:
        message = _("Le compte de %(name)s est désactivé ; son historique est conservé.")
    messages.success(request, message % {"name": person.display_name})
    return redirect("accounts:invitations")


@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request, token):
    invitation = Invitation.objects.select_related("organisation").for_token(token)
    if invitation is None or invitation.state != "pending":
        return invitations.invalid_link_page(request, token)
    form = AcceptInvitationForm(invitation, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.accept(
                invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except invitations.InvitationRefused:
            return invitations.invalid_link_page(request, token)
        auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Bienvenue : votre compte est ouvert, en tant que %(role)s de %(organisation)s.")
            % {"role": user.get_role_display().lower(), "organisation": user.organisation},
        )
        return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(
        request,
        "accounts/invitation_accept.html",
        {
            "form": form,
            "invitation": invitation,
            "token": token,
            "proconnect_enabled": proconnect.is_configured(),
        },
        status=422 if form.errors else 200,
    )
