"""What the audit trail hears without being called: sign-ins, two-factor changes, and
changes to a person's staff, superuser and active flags (whoever saves them: the Django
admin, a command, a service)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save, pre_save
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


def connect() -> None:
    from allauth.mfa import signals as mfa

    user_model = get_user_model()
    user_logged_in.connect(on_logged_in, dispatch_uid="audit.login")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
    mfa.authenticator_added.connect(on_authenticator_added, dispatch_uid="audit.mfa_added")
    mfa.authenticator_removed.connect(on_authenticator_removed, dispatch_uid="audit.mfa_removed")
    mfa.authenticator_reset.connect(on_authenticator_reset, dispatch_uid="audit.mfa_reset")
    mfa.authentication_failed.connect(on_mfa_failed, dispatch_uid="audit.mfa_failed")
    pre_save.connect(before_user_save, sender=user_model, dispatch_uid="audit.user_flags")
    post_save.connect(after_user_save, sender=user_model, dispatch_uid="audit.user_flags")
