"""What the audit trail hears without being called: sign-ins, two-factor changes, and
changes to a person's staff, superuser and active flags (whoever saves them: the Django
admin, a command, a service).

Roles (``Membership`` rows, every role), a program's privacy policy and the removal of an
authenticator are recorded here too for whoever else writes them (the Django admin, a
shell): the services that record them with their own actor and detail are decorated with
``services.records()``, and allauth's own two-factor pages send allauth's signals, so each
change is recorded once. Bulk writes (``bulk_create``, ``update()``) send no signal: the
participant import, the one bulk writer of memberships, records itself as a whole.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.http import HttpRequest

from programs.audit import services

Action = services.Action

STAFF_FLAGS = ("is_staff", "is_superuser", "is_active")
# Where the sign-in forms put what the person typed; never the password.
LOGIN_KEYS = ("email", "login", "username")


def on_logged_in(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **kw: Any
) -> None:
    services.record(Action.LOGIN_SUCCEEDED, request=request, actor=user)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any
) -> None:
    typed = next((credentials[k] for k in LOGIN_KEYS if isinstance(credentials.get(k), str)), "")
    services.record(
        Action.LOGIN_FAILED, request=request, actor_label=typed, detail={"stage": "password"}
    )


def on_mfa_failed(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **kw: Any
) -> None:
    authenticator = kw.get("authenticator")
    services.record(
        Action.LOGIN_FAILED,
        request=request,
        actor=user,
        detail={"stage": "two-factor", "type": getattr(authenticator, "type", "")},
    )


def _mfa(action: str, request: HttpRequest | None, user: Any, authenticator: Any) -> None:
    services.record(
        action,
        request=request,
        actor=user,
        target=authenticator,
        detail={"type": getattr(authenticator, "type", "")},
    )


def on_authenticator_added(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **kw: Any
) -> None:
    authenticator = kw.get("authenticator")
    codes = getattr(authenticator, "type", "") == "recovery_codes"
    action = Action.MFA_RECOVERY_CODES_GENERATED if codes else Action.MFA_ACTIVATED
    _mfa(action, request, user, authenticator)


def on_authenticator_removed(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **kw: Any
) -> None:
    _mfa(Action.MFA_DEACTIVATED, request, user, kw.get("authenticator"))


def on_authenticator_reset(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **kw: Any
) -> None:
    _mfa(Action.MFA_RECOVERY_CODES_GENERATED, request, user, kw.get("authenticator"))


def before_user_save(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    """Remember the flags as stored, when this save may change them (one query)."""
    update_fields = kw.get("update_fields")
    if raw or instance.pk is None or instance._state.adding:
        return
    if update_fields is not None and not set(update_fields) & set(STAFF_FLAGS):
        return
    instance._audit_flags = (
        sender._default_manager.filter(pk=instance.pk).values(*STAFF_FLAGS).first()
    )


def after_user_save(
    sender: Any, instance: Any, created: bool = False, raw: bool = False, **kw: Any
) -> None:
    if raw:
        return
    before = instance.__dict__.pop("_audit_flags", None)
    if created:
        # A new account is news only when it comes with powers.
        before = {"is_staff": False, "is_superuser": False, "is_active": True}
    if before is None:
        return
    changes = {
        flag: [before[flag], getattr(instance, flag)]
        for flag in STAFF_FLAGS
        if before[flag] != getattr(instance, flag)
    }
    if changes:
        services.record(
            Action.STAFF_CHANGED,
            target=instance,
            detail={"user": instance.pk, **changes},
        )


# --- Roles, privacy policies and authenticators, whoever changes them ----------------------

MEMBERSHIP_FIELDS = ("program_id", "user_id", "role")


def _role(action: str, membership: Any, program_id: Any, user_id: Any, role: str) -> None:
    if services.recorded_by_caller(action):
        return
    services.record(
        action, program=program_id, target=membership, detail={"user": user_id, "role": role}
    )


def before_membership_save(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    """Remember who held which role in which program, when this save may change it."""
    update_fields = kw.get("update_fields")
    if raw or instance.pk is None or instance._state.adding:
        return
    if update_fields is not None and not {"program", "user", "role"} & set(update_fields):
        return
    instance._audit_role = (
        sender._default_manager.filter(pk=instance.pk).values(*MEMBERSHIP_FIELDS).first()
    )


def after_membership_save(
    sender: Any, instance: Any, created: bool = False, raw: bool = False, **kw: Any
) -> None:
    if raw:
        return
    before = instance.__dict__.pop("_audit_role", None)
    now = {field: getattr(instance, field) for field in MEMBERSHIP_FIELDS}
    if not created and (before is None or before == now):
        return
    if before is not None:
        _role(
            Action.ROLE_REVOKED, instance, before["program_id"], before["user_id"], before["role"]
        )
    _role(Action.ROLE_GRANTED, instance, now["program_id"], now["user_id"], now["role"])


def after_membership_delete(sender: Any, instance: Any, **kw: Any) -> None:
    _role(Action.ROLE_REVOKED, instance, instance.program_id, instance.user_id, instance.role)


def before_program_save(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    """Remember the privacy policy as stored, when this save may change it (one query)."""
    update_fields = kw.get("update_fields")
    if raw or instance.pk is None or instance._state.adding:
        return
    if update_fields is not None and "privacy_policy" not in update_fields:
        return
    if services.recorded_by_caller(Action.PRIVACY_POLICY_CHANGED):
        return
    instance._audit_policy = (
        sender._default_manager.filter(pk=instance.pk)
        .values_list("privacy_policy", flat=True)
        .first()
    )


def after_program_save(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    if raw or "_audit_policy" not in instance.__dict__:
        return
    before = instance.__dict__.pop("_audit_policy")
    if before is not None:
        services.record_change(
            Action.PRIVACY_POLICY_CHANGED,
            before=before,
            after=instance.privacy_policy,
            program=instance,
            target=instance,
        )


def _in_allauth_view() -> bool:
    """The request being served is one of allauth's pages (or its API), whose flows send
    allauth's signals: its removals are recorded by ``on_authenticator_removed``, and the
    codes a regeneration replaces are not turned off."""
    request = services.current_request.get()
    match = getattr(request, "resolver_match", None) if request is not None else None
    module = getattr(getattr(match, "func", None), "__module__", "") or ""
    return module.startswith("allauth.")


def after_authenticator_delete(sender: Any, instance: Any, **kw: Any) -> None:
    if _in_allauth_view():
        return
    services.record(
        Action.MFA_DEACTIVATED,
        target=instance,
        detail={"user": instance.user_id, "type": instance.type},
    )


def connect() -> None:
    from allauth.mfa import signals as mfa
    from allauth.mfa.models import Authenticator

    from programs.models import Membership, Program

    user_model = get_user_model()
    user_logged_in.connect(on_logged_in, dispatch_uid="audit.login")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
    mfa.authenticator_added.connect(on_authenticator_added, dispatch_uid="audit.mfa_added")
    mfa.authenticator_removed.connect(on_authenticator_removed, dispatch_uid="audit.mfa_removed")
    mfa.authenticator_reset.connect(on_authenticator_reset, dispatch_uid="audit.mfa_reset")
    mfa.authentication_failed.connect(on_mfa_failed, dispatch_uid="audit.mfa_failed")
    pre_save.connect(before_user_save, sender=user_model, dispatch_uid="audit.user_flags")
    post_save.connect(after_user_save, sender=user_model, dispatch_uid="audit.user_flags")
    pre_save.connect(before_membership_save, sender=Membership, dispatch_uid="audit.role")
    post_save.connect(after_membership_save, sender=Membership, dispatch_uid="audit.role")
    post_delete.connect(after_membership_delete, sender=Membership, dispatch_uid="audit.role")
    pre_save.connect(before_program_save, sender=Program, dispatch_uid="audit.policy")
    post_save.connect(after_program_save, sender=Program, dispatch_uid="audit.policy")
    post_delete.connect(
        after_authenticator_delete, sender=Authenticator, dispatch_uid="audit.mfa_deleted"
    )
