"""Admin for users and organisations: administrators manage accounts here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Invitation, Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["acronym", "name"]
    search_fields = ["acronym", "name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "organisation",
        "role",
        "is_active",
    ]
    list_filter = ["role", "organisation", "is_active"]
    list_select_related = ["organisation"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Task force"), {"fields": ("organisation", "role")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Task force"), {"fields": ("email", "organisation", "role")}),
    )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only record of who invited whom; invitations are made and sent from
    /accounts/invitations/ (or `manage.py invite`), which send the email."""

    list_display = ["email", "organisation", "role", "sent_at", "expires_at", "accepted_at"]
    list_filter = ["role", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["email"]
    readonly_fields = [field.name for field in Invitation._meta.fields]

    def has_add_permission(self, request):
        return False
