"""Admin for users and organisations: administrators manage accounts here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Organisation, User


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
