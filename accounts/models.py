"""Users, the organisation each belongs to, and their role in the task force.

Three roles (docs/domain.md): an administrator (DNS secretariat) may do everything; a task-force
member updates the actions of their organisation; a reader only reads. Who may edit which
action is decided by the roadmap app, from these facts.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
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
