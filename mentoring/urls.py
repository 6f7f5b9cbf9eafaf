"""Root URLs."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from mentoring import ops, views

# Django admin logs in through allauth, so rate limits and 2FA apply there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Constellation administration"
admin.site.site_title = "Constellation"

urlpatterns = [
    path("", views.home_page, name="home"),
    path("profile/", views.profile_edit, name="profile"),
    path("account/", include("sessions.urls_account")),
    path("healthz", ops.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/badge/", views.notification_badge, name="notification_badge"),
    path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
    path(
        "notifications/preferences/",
        views.notification_preferences,
        name="notification_preferences",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        views.notification_unsubscribe,
        name="notifications_unsubscribe",
    ),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("accounts/", include("allauth.urls")),
    path("programs/", include("programs.urls")),
    path("programs/<slug:slug>/", include("matching.urls")),
    path("programs/<slug:slug>/workspaces/", include("sessions.urls")),
    path("programs/<slug:slug>/health/", include("sessions.urls_health")),
    path("programs/<slug:slug>/exports/", include("sessions.urls_exports")),
    path("constellation/", include("matching.urls_constellation")),
    path("", include("programs.audit.urls")),  # /audit/ and /programs/<slug>/audit/
    path("invitations/", include("programs.invitation_urls")),
    path("admin/", admin.site.urls),
]

handler400 = "mentoring.views.bad_request"
handler403 = "mentoring.views.permission_denied"
handler404 = "mentoring.views.page_not_found"
handler500 = "mentoring.views.server_error"
