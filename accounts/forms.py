"""The forms of the account pages: signing in (the site's and the admin's), inviting a person,
and accepting an invitation.

Signing in: Django's `AuthenticationForm` shows the username's `maxlength` but does not validate
it, and authenticates whatever was posted; django-axes then records a failed attempt with the
username in a 255-character column, which PostgreSQL refuses (a server error). A username longer
than the account's column cannot be anyone's: the form refuses it, in French, and nothing is
recorded. The other characters of what is posted are checked by the site's input policy
(docs/contract.md).
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import Invitation, Organisation, Role, User


def _username_limit() -> int:
    return User._meta.get_field(User.USERNAME_FIELD).max_length


class _UsernameLengthChecked:
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if len(username) > _username_limit():
            # Before authenticate(): no attempt is recorded for a name no account can have.
            raise forms.ValidationError(
                _("Un identifiant compte %(limit)d caractères au plus.")
                % {"limit": _username_limit()},
                code="username_too_long",
            )
        return super().clean()


class SignInForm(_UsernameLengthChecked, AuthenticationForm):
    """The site's sign-in form (/accounts/login/)."""


class AdminSignInForm(_UsernameLengthChecked, AdminAuthenticationForm):
    """The admin's sign-in form (/admin/login/)."""


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Adresse électronique"), max_length=254)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("acronym"),
        empty_label=_("Choisir une organisation"),
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=Invitation._meta.get_field("role").choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].initial = Role.MEMBER
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class AcceptInvitationForm(forms.Form):
    """The invited person's names and password, checked by the site's password rules."""

    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("12 caractères au moins, ni trop courant ni entièrement numérique."),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, invitation: Invitation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif first:
            someone = User(
                username=self.invitation.email,
                email=self.invitation.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, someone)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
