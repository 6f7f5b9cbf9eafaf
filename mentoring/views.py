"""Views of the core app: home page, profile, error pages (health checks: mentoring.ops)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from mentoring import home, notifications, services
from mentoring.forms import NotificationPreferencesForm, ProfileForm
from mentoring.models import Category, Notification, User
from mentoring.pagecache import cached_page
from mentoring.types import AuthenticatedHttpRequest


@login_required
@cached_page
def home_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "mentoring/home.html", {"sections": home.sections_for(request)})


@login_required
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    # The form works on a copy: a refused edit must not show up in the navbar.
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=request.user.pk))
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(user=request.user, **form.cleaned_data)
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    return render(request, "mentoring/profile_edit.html", {"form": form})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors or database: the error may come from either.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)


@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(Notification.objects.filter(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "mentoring/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark one of my notifications read and go to the thing it is about."""
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    notifications.notifications_mark_read(user=request.user, pks=[note.pk])
    safe = url_has_allowed_host_and_scheme(
        note.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(note.url if note.url and safe else "notifications")


@login_required
@require_POST
def notification_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = notifications.notifications_mark_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return redirect("notifications")


@login_required
def notification_preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = NotificationPreferencesForm(
        request.POST or None, initial=notifications.preferences_of(request.user)
    )
    if request.method == "POST" and form.is_valid():
        notifications.preferences_set(user=request.user, modes=form.cleaned_data)
        messages.success(request, "Your notification choices are saved.")
        return redirect("notification_preferences")
    return render(request, "mentoring/notification_preferences.html", {"form": form})


# The link in every e-mail works without signing in, and mail clients that support
# one-click unsubscribe (RFC 8058) POST to it without a CSRF token: the signed token
# is the proof.
@csrf_exempt
def notification_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = notifications.read_unsubscribe_token(token)
    user = User.objects.filter(pk=found[0], is_active=True).first() if found else None
    if found is None or user is None:
        return render(request, "mentoring/unsubscribe.html", {"invalid": True}, status=404)
    category = Category(found[1])
    done = request.method == "POST"
    if done:
        notifications.preferences_set(user=user, modes={category.value: "in_app"})
    return render(
        request,
        "mentoring/unsubscribe.html",
        {"category": category, "done": done, "email": user.email},
    )


@login_required
@require_GET
def notification_badge(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The unread count next to the bell, fetched after the page (no cost to every page)."""
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    return render(request, "partials/_notification_badge.html", {"unread": unread})
