"""The sign-in forms of the site and of the admin, with the username's length checked before
anyone is authenticated.

Django's `AuthenticationForm` shows the username's `maxlength` but does not validate it, and
authenticates whatever was posted; django-axes then records a failed attempt with the username
in a 255-character column, which PostgreSQL refuses (a server error). A username longer than
the account's column cannot be anyone's: the form refuses it, in French, and nothing is
recorded. The other characters of what is posted are checked by the site's input policy
(docs/contract.md).
"""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import User


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
