from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from mentoring.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "name", "organisation", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "name", "organisation")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "title", "organisation", "timezone", "bio")}),
        (
            "Contact boundaries",
            {
                "fields": (
                    "contact_channels",
                    "contact_days",
                    "contact_hours_start",
                    "contact_hours_end",
                )
            },
        ),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")
