"""A person's own data: the page that explains it, the download, and deleting the account."""

from __future__ import annotations

from allauth.core import ratelimit
from allauth.core.internal import ratelimit as ratelimits
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mentoring.types import AuthenticatedHttpRequest
from programs.audit import services as audit
from sessions import personal_data as privacy
from sessions.forms.account import AccountDeleteForm

# The download is built in memory: a few per minute and person are plenty.
DOWNLOAD_RATE = {"data_download": "3/m/user"}


@login_required
@never_cache
@require_GET
def data_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What Constellation holds about you, what the download includes and leaves out."""
    return render(request, "account/my_data.html")


@login_required
@never_cache
@require_GET
def data_download(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everything about the signed-in person, as a zip of JSON and CSV files."""
    # allauth's public ``consume`` never limits a GET: the internal one is told to.
    allowed = ratelimits.consume(
        request,
        app="allauth.account",
        action="data_download",
        config=DOWNLOAD_RATE,
        user=request.user,
        limit_get=True,
    )
    if not allowed:
        return render(request, "account/my_data.html", {"too_many": True}, status=429)
    body = privacy.export_zip(request.user)
    audit.record(
        audit.Action.DATA_EXPORT_DOWNLOADED,
        request=request,
        actor=request.user,
        target=request.user,
        detail={"bytes": len(body)},
    )
    response = HttpResponse(body, content_type="application/zip")
    filename = privacy.export_filename(request.user)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Delete my account, after the password (and two-factor code) and a typed confirmation."""
    user = request.user
    orphaned = privacy.programs_left_without_admin(user)
    last_staff = privacy.is_last_staff(user)
    form = AccountDeleteForm(request.POST or None, user=user)
    if request.method == "POST" and not orphaned and not last_staff:
        # Guessing the password here is limited as allauth limits reauthentication.
        if not ratelimit.consume(request, action="reauthenticate", user=user):
            form.add_error(None, "Too many attempts. Wait a minute, then try again.")
        elif form.is_valid():
            try:
                privacy.account_delete(user=user)
            except (privacy.LastAdminError, PermissionDenied) as refusal:
                messages.error(request, " ".join(getattr(refusal, "messages", [str(refusal)])))
                return redirect("account_delete")
            audit.record(
                audit.Action.ACCOUNT_DELETED,
                request=request,
                actor=user,
                target=user,
                detail={"user": user.pk},
            )
            logout(request)
            return redirect("account_deleted")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "account/account_delete.html",
        {"form": form, "orphaned": orphaned, "last_staff": last_staff},
        status=status,
    )


@require_GET
def account_deleted(request: HttpRequest) -> HttpResponse:
    """The goodbye page, after the account is gone and its owner signed out."""
    return render(request, "account/account_deleted.html")
