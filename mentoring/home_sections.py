"""The core app's own home-page section: notifications not read yet."""

from mentoring.home import SectionResult, register_section
from mentoring.models import Notification
from mentoring.types import AuthenticatedHttpRequest

SHOWN = 5


@register_section("notifications", order=5)
def unread_notifications(request: AuthenticatedHttpRequest) -> SectionResult:
    # One query: one row more than shown tells whether there are more.
    unread = list(Notification.objects.filter(user=request.user, read_at__isnull=True)[: SHOWN + 1])
    if not unread:
        return None
    return "mentoring/partials/_home_notifications.html", {
        "unread": unread[:SHOWN],
        "more": len(unread) > SHOWN,
    }
