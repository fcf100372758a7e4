"""Users, the organisation each belongs to, and their role in the task force.

Three roles (docs/domain.md): an administrator (DNS secretariat) may do everything; a task-force
member updates the actions of their organisation; a reader only reads. Who may edit which
action is decided by the roadmap app, from these facts.
"""

import hashlib

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A body that leads or partners actions (DNS, DGOS, HAS, an ARS, …)."""

    acronym = models.CharField(_("sigle"), max_length=40, unique=True)
    name = models.CharField(
        _("nom complet"),
        max_length=255,
        blank=True,
        help_text=_("Laisser vide si le document source ne donne que le sigle."),
    )

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.acronym

    @property
    def display_name(self) -> str:
        if self.name and self.name != self.acronym:
            return f"{self.name} ({self.acronym})"
        return self.acronym


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrateur")
    MEMBER = "member", _("Membre de la task force")
    READER = "reader", _("Lecteur")


class User(AbstractUser):
    """A person who signs in. The role, not Django's flags, says what they may do."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.READER)

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            # A member edits the actions of their organisation: without one, the role means nothing.
            models.CheckConstraint(
                condition=~Q(role="member") | Q(organisation__isnull=False),
                name="member_has_organisation",
                violation_error_message=_(
                    "Un membre de la task force doit appartenir à une organisation."
                ),
            ),
        ]

    @property
    def display_name(self) -> str:
        """How the app names the user: their full name, else their username."""
        return self.get_full_name() or self.get_username()

    @property
    def is_administrator(self) -> bool:
        return self.is_active and (self.is_superuser or self.role == Role.ADMINISTRATOR)

    @property
    def is_member(self) -> bool:
        return self.is_active and self.role == Role.MEMBER and self.organisation_id is not None

    def save(self, *args, **kwargs):
        # Administrators manage the data in the Django admin, which needs is_staff.
        if self.role == Role.ADMINISTRATOR:
            self.is_staff = True
        super().save(*args, **kwargs)

    def has_perm(self, perm, obj=None) -> bool:
        # The administrator role grants every permission, like a superuser, without
        # maintaining Django permission rows for each model.
        if self.is_administrator:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.is_administrator:
            return True
        return super().has_module_perms(app_label)


INVITATION_VALIDITY_DAYS = 7


class InvitationQuerySet(models.QuerySet):
    def usable(self):
        """Invitations whose link still works: neither accepted, revoked nor expired."""
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )

    def pending(self):
        """Neither accepted nor revoked (an expired one may be sent again)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def for_token(self, token: str):
        """The invitation of a link's token, or None. Only the token's hash is kept."""
        return self.filter(token_hash=Invitation.hash_token(token)).first()


class Invitation(models.Model):
    """An administrator invites a person (docs/domain.md « Invitation »): their email, the
    organisation and role they will have; a single-use link, valid 7 days from its last sending.
    Nothing is deleted: accepted, revoked and expired invitations stay as the record of who
    invited whom."""

    email = models.EmailField(_("adresse électronique"))
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT
    )
    role = models.CharField(
        _("rôle"),
        max_length=20,
        choices=[
            (Role.MEMBER.value, Role.MEMBER.label),
            (Role.ADMINISTRATOR.value, Role.ADMINISTRATOR.label),
        ],
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User,
        verbose_name=_("invité par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_sent",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyée le"))
    send_count = models.PositiveIntegerField(_("envois"), default=1)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_accepted",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def state(self) -> str:
        """`accepted`, `revoked`, `expired` or `pending`."""
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def state_label(self) -> str:
        return {
            "accepted": _("Acceptée"),
            "revoked": _("Révoquée"),
            "expired": _("Expirée"),
            "pending": _("En attente"),
        }[self.state]
