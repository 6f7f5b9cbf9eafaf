"""The core app's own home-page sections: what needs you now, and notifications not read yet."""

# The SQL here is assembled from constants only (table and column names from the
# models); every value comes in as a query parameter.
# ruff: noqa: S608

from mentoring.home import SectionResult, build, columns, fetch, needs_for, register_section
from mentoring.models import Notification
from mentoring.types import AuthenticatedHttpRequest

SHOWN = 5
FIELDS = ("id", "user", "kind", "category", "title", "url", "created_at", "read_at")
# Unread ones, newest first: the (user, read_at) index; one row more than shown tells
# whether there are more. Written in SQL, as the page's other reads (mentoring.home).
_UNREAD = (
    f'SELECT {columns(Notification, "n", FIELDS)} FROM "{Notification._meta.db_table}" n'
    f" WHERE n.user_id = %(user)s AND n.read_at IS NULL"
    f" ORDER BY n.created_at DESC, n.id DESC LIMIT {SHOWN + 1}"
)
# A list longer than this stops being a to-do list; the rest waits on the pages below.
NEEDS_SHOWN = 15


@register_section("needs-you", order=10)
def needs_you_now(request: AuthenticatedHttpRequest) -> SectionResult:
    needs = needs_for(request)
    if not needs:
        return None
    return "mentoring/partials/_home_needs_you.html", {
        "needs": needs[:NEEDS_SHOWN],
        "hidden": max(0, len(needs) - NEEDS_SHOWN),
    }


@register_section("notifications", order=60)
def unread_notifications(request: AuthenticatedHttpRequest) -> SectionResult:
    unread = [
        build(Notification, row, "n", FIELDS) for row in fetch(_UNREAD, {"user": request.user.pk})
    ]
    if not unread:
        return None
    return "mentoring/partials/_home_notifications.html", {
        "unread": unread[:SHOWN],
        "more": len(unread) > SHOWN,
    }
