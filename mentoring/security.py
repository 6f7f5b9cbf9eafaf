"""Login protection: two-factor authentication for admins, and the session idle timeout.

Two-factor: staff (``is_staff``) and a program's admins must have an active TOTP
authenticator (allauth MFA) before they use admin pages. Staff are checked here: on the
Django admin's pages, and by :func:`require_staff` on staff pages elsewhere. Program
admins are checked in ``programs.access.get_program_access``, inside the membership query
it already makes, which raises :class:`TwoFactorRequired` (as does
:func:`refuse_admin_action` for admin-only actions). Either way the person is sent to set
it up, and comes back where they were going.
``ADMIN_MFA_REQUIRED=false`` turns the requirement off (the demo).

Idle timeout: a signed-in person's session records when they were last active, written
at most once every ``SESSION_IDLE_TOUCH`` seconds so that pages do not save the session
on every request. Past ``SESSION_IDLE_TIMEOUT`` seconds without activity they are signed
out; a form they posted is shown back to them so that nothing they typed is lost.
Background requests (the notification badge, anything sent with :data:`BACKGROUND_HEADER`)
are not activity. As the stamp can lag behind the last request by up to the touch
interval, someone is signed out after between ``timeout - touch`` and ``timeout``
seconds of inactivity.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlencode, urlsplit

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, user_logged_in
from django.core.exceptions import PermissionDenied
from django.db.models import Exists
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

if TYPE_CHECKING:
    from programs.access import ProgramAccess

TWO_FACTOR_MESSAGE = (
    "Program admins and staff need two-factor authentication. Set it up to continue."
)
# Where to go once two-factor is set up (shown on the recovery codes page).
NEXT_SESSION_KEY = "mfa_next"
# Unix time of the last activity that was recorded (see IdleTimeoutMiddleware).
ACTIVITY_SESSION_KEY = "last_activity"
# Sent by requests that poll in the background; they do not keep a session alive.
BACKGROUND_HEADER = "X-Background-Request"
# Posted fields never shown back after an idle sign-out.
_HIDDEN_FIELDS = ("csrfmiddlewaretoken", "code")  # "code": a two-factor code
_SECRET_WORDS = ("password", "secret", "token")


class TwoFactorRequired(PermissionDenied):
    """An admin without two-factor authentication asked for an admin page.

    :class:`TwoFactorMiddleware` turns it into a redirect to the set-up page; it is a
    ``PermissionDenied`` so that without the middleware it is still a refusal."""

    def __init__(self) -> None:
        super().__init__(TWO_FACTOR_MESSAGE)


def two_factor_required() -> bool:
    return bool(getattr(settings, "ADMIN_MFA_REQUIRED", True))


def totp_exists(user_id: int) -> Exists:
    """Whether person ``user_id`` has a TOTP authenticator, as an expression to fold into
    a query that is made anyway (no query of its own)."""
    return Exists(Authenticator.objects.filter(user_id=user_id, type=Authenticator.Type.TOTP))


def has_totp(user: Any) -> bool:
    """Whether ``user`` has an active TOTP authenticator (one query)."""
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def require_staff(request: HttpRequest, *, refusal: str | None = None) -> None:
    """Let only staff through, with two-factor where it is required: for every staff page
    outside the Django admin (which :class:`TwoFactorMiddleware` guards).

    Anyone else gets 404, as for a page they need not know about, or a 403 with
    ``refusal`` when one is given; staff without two-factor are sent to set it up."""
    user = request.user
    if not (user.is_authenticated and user.is_staff):
        if refusal is not None:
            raise PermissionDenied(refusal)
        raise Http404
    if two_factor_required() and not has_totp(user):
        raise TwoFactorRequired


def refuse_admin_action(access: ProgramAccess, message: str) -> NoReturn:
    """Refuse an action that only the program's admins may take: an admin without the
    two-factor it needs is sent to set it up (not a dead end), anyone else gets 403."""
    if access.needs_two_factor:
        raise TwoFactorRequired
    raise PermissionDenied(message)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _same_site_path(request: HttpRequest, url: str | None) -> str | None:
    """``url`` as a path on this site, or None if it is elsewhere (or missing)."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    # "//host/x" and "/\\host/x" are another site to a browser: one leading slash only.
    path = "/" + parts.path.lstrip("/\\")
    return f"{path}?{parts.query}" if parts.query else path


def _page_path(request: HttpRequest) -> str:
    """The page the person is on: for htmx, the page that sent the request; for a form
    posted without htmx, the page the form was on (the URL it was posted to may not even
    answer a GET), or the home page if that is not known."""
    if _is_htmx(request):
        url = request.headers.get("HX-Current-URL")
    elif request.method in ("GET", "HEAD"):
        return request.get_full_path()
    else:
        url = request.headers.get("Referer")
    return _same_site_path(request, url) or resolve_url("home")


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if _is_htmx(request):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def _with_next(url: str, next_path: str) -> str:
    return f"{url}?{urlencode({'next': next_path})}"


def two_factor_setup_redirect(request: HttpRequest) -> HttpResponse:
    """Send an admin without two-factor to set it up, and remember where they were going."""
    next_path = _same_site_path(request, _page_path(request)) or resolve_url("home")
    request.session[NEXT_SESSION_KEY] = next_path
    messages.warning(request, TWO_FACTOR_MESSAGE)
    return _redirect(request, _with_next(reverse("mfa_activate_totp"), next_path))


@cache
def _admin_paths() -> tuple[str, tuple[str, ...]]:
    """The Django admin's prefix, and its pages anyone may open (sign in and out)."""
    return reverse("admin:index"), (reverse("admin:login"), reverse("admin:logout"))


class TwoFactorMiddleware:
    """Staff without two-factor may not open the Django admin's pages; an access helper
    that finds a program admin without it raises :class:`TwoFactorRequired`, answered
    here with the same redirect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        prefix, open_paths = _admin_paths()
        # The query is made only for staff on the admin's own pages.
        if (
            request.path.startswith(prefix)
            and request.path not in open_paths
            and two_factor_required()
            and request.user.is_authenticated
            and request.user.is_staff
            and not has_totp(request.user)
        ):
            return two_factor_setup_redirect(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, TwoFactorRequired):
            return two_factor_setup_redirect(request)
        return None


# --- Idle timeout -----------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="mentoring.security.activity")
def _start_activity_clock(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """A new sign-in is activity: its session starts with the stamp (no extra write)."""
    if request is not None and hasattr(request, "session"):
        request.session[ACTIVITY_SESSION_KEY] = int(time.time())


@cache
def _background_paths() -> frozenset[str]:
    return frozenset({reverse("notification_badge")})


def is_background(request: HttpRequest) -> bool:
    """A request the page makes by itself (a poll), not something the person did."""
    return bool(request.headers.get(BACKGROUND_HEADER)) or request.path in _background_paths()


def _label(name: str) -> str:
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else name


def _typed_fields(request: HttpRequest) -> list[dict[str, str]]:
    """The text a person submitted, to copy back: no CSRF token, password or secret
    (files are not in ``request.POST``)."""
    fields: list[dict[str, str]] = []
    for name, values in request.POST.lists():
        lowered = name.lower()
        if name in _HIDDEN_FIELDS or any(word in lowered for word in _SECRET_WORDS):
            continue
        for value in values:
            if value.strip():
                fields.append(
                    {"id": f"typed-{len(fields) + 1}", "label": _label(name), "value": value}
                )
    return fields


def _passes_csrf(request: HttpRequest) -> bool:
    """Whether the posted form carries a valid CSRF token (the check CsrfViewMiddleware
    makes before any view; the idle sign-out answers before it)."""
    return CsrfViewMiddleware(_no_view).process_view(request, _no_view, (), {}) is None


def _no_view(request: HttpRequest) -> HttpResponse:
    """Stands for the view in the CSRF check (which only asks if it is exempt: no)."""
    return HttpResponse()


def idle_sign_out(request: HttpRequest, minutes: int) -> HttpResponse:
    """Sign the person out, and answer so that they can sign in again without loss.

    A form is shown back only when it passes the CSRF check: a post from another site
    must not put text of its choosing on our pages."""
    show_form = (
        request.method not in ("GET", "HEAD") and not _is_htmx(request) and _passes_csrf(request)
    )
    # Read the form before the session goes: nothing of it is written anywhere.
    typed = _typed_fields(request) if show_form else []
    back = _page_path(request)
    logout(request)
    text = f"You were signed out after {minutes} minutes without activity."
    login_url = _with_next(resolve_url(settings.LOGIN_URL), back)
    if not show_form:
        messages.info(request, text)
        return _redirect(request, login_url)
    context = {"message": text, "fields": typed, "login_url": login_url}
    return render(request, "account/idle_signed_out.html", context, status=401)


class IdleTimeoutMiddleware:
    """Signs out a person who has been inactive for ``SESSION_IDLE_TIMEOUT`` seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            last = session.get(ACTIVITY_SESSION_KEY)
            timeout = int(settings.SESSION_IDLE_TIMEOUT)
            if not isinstance(last, int):  # a session from before the timeout: start now
                session[ACTIVITY_SESSION_KEY] = now
            elif now - last > timeout:
                return idle_sign_out(request, max(1, timeout // 60))
            elif now - last >= int(settings.SESSION_IDLE_TOUCH) and not is_background(request):
                # Written at most once per interval: a session saved on every request
                # would cost a write on every page, cached ones included.
                session[ACTIVITY_SESSION_KEY] = now
        return self.get_response(request)
