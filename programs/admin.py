from django.contrib import admin

from programs.models import (
    Choice,
    Invitation,
    Membership,
    ParticipantImport,
    Program,
    Question,
    Topic,
)


class TopicInline(admin.TabularInline):
    model = Topic
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "start_date", "end_date", "matching_mode")
    list_filter = ("status", "matching_mode", "privacy_policy")
    search_fields = ("name", "slug")
    readonly_fields = ("slug", "created_by", "created_at", "updated_at")
    inlines = (TopicInline,)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "program", "role", "department", "enrolled_at")
    list_filter = ("role", "program")
    search_fields = ("user__email", "user__name", "department")
    raw_id_fields = ("user", "program")
    filter_horizontal = ("topics",)
    list_select_related = ("user", "program")


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "program", "kind", "required", "used_for_matching")
    list_filter = ("kind", "used_for_matching", "program")
    inlines = (ChoiceInline,)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "program", "role", "created_at", "accepted_at", "revoked_at")
    list_filter = ("role", "program")
    search_fields = ("email",)
    readonly_fields = ("nonce",)


@admin.register(ParticipantImport)
class ParticipantImportAdmin(admin.ModelAdmin):
    list_display = ("filename", "program", "status", "rows_total", "created_at")
    list_filter = ("status",)
    readonly_fields = ("errors",)
