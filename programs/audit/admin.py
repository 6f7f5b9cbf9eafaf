"""The audit trail in the Django admin: to read, never to add, change or delete."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from programs.audit.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("when", "action", "actor", "actor_label", "program", "target", "ip")
    list_filter = ("action",)
    search_fields = ("actor__email", "actor_label", "target", "path", "request_id")
    list_select_related = ("actor", "program")
    date_hierarchy = "when"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
