"""Access expectations of the circles pages (see test_access_matrix.py).

The matrix world's program does not offer circles (the default). The pages
still answer as below: lists and details say so, forms show that instead of a
form, and actions are refused with a message and a redirect. Only roles and
the program decide the status codes; test_circles.py covers a program that
offers circles.
"""

from __future__ import annotations

from typing import Any

from matching.models import CircleMember
from matching.tests.access_common import (
    ADMIN_ACTION,
    ADMIN_PAGE,
    MEMBERS,
    Case,
    Kwargs,
    Objects,
    World,
    expect,
    pk_of,
    post_only,
    slug_only,
)
from matching.tests.factories import CircleMemberFactory


def seat_of_mentee(status: str) -> Kwargs:
    """A seat of ``o``'s mentee in ``o``'s circle (made on demand: the world has none)."""

    def kwargs(w: World, o: Objects) -> dict[str, Any]:
        seat = CircleMemberFactory.create(circle=o.circle, mentee=o.mentee, status=status)
        return {"slug": w.slug, "pk": seat.pk}

    return kwargs


# The circle's own mentor manages it, as admins do.
MANAGERS_PAGE = expect(200, 200, 403, 404)
MANAGERS_ACTION = expect(302, 302, 403, 404)

EXPECTATIONS: dict[str, list[Case]] = {
    "matching:circles": [Case("", slug_only, get=MEMBERS)],
    # POST: the form again, with what is missing (here: that circles are not offered).
    "matching:circle_create": [Case("", slug_only, get=ADMIN_PAGE, post=ADMIN_PAGE)],
    "matching:circle": [Case("", pk_of("circle"), get=MEMBERS, foreign=True)],
    "matching:circle_edit": [
        Case("", pk_of("circle"), get=MANAGERS_PAGE, post=MANAGERS_PAGE, foreign=True)
    ],
    # Only mentees ask to join; here the answer is "not offered", with a redirect.
    "matching:circle_join": post_only(pk_of("circle"), expect(403, 403, 302, 404)),
    "matching:circle_member_add": post_only(pk_of("circle"), ADMIN_ACTION),
    "matching:circle_end": [
        Case("", pk_of("circle"), get=MANAGERS_PAGE, post=MANAGERS_PAGE, foreign=True)
    ],
    "matching:circle_member_decide": post_only(
        seat_of_mentee(CircleMember.Status.REQUESTED), MANAGERS_ACTION
    ),
    # The mentee leaves their own seat, or an admin removes it; the circle's mentor cannot.
    "matching:circle_member_remove": post_only(
        seat_of_mentee(CircleMember.Status.MEMBER), expect(302, 403, 302, 404)
    ),
}
