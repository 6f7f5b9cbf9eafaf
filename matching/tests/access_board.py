"""Access expectations of the matching board (see test_access_matrix.py)."""

from matching.tests.access_common import (
    ADMIN_ACTION,
    ADMIN_PAGE,
    Case,
    expect,
    pk_of,
    post_only,
    slug_only,
)

EXPECTATIONS: dict[str, list[Case]] = {
    "matching:board": [Case("", slug_only, get=ADMIN_PAGE)],
    "matching:run": post_only(slug_only, ADMIN_ACTION, foreign=False),
    # Publishing fails here (the mentee already has a proposal): the board says why.
    "matching:publish": post_only(pk_of("run"), ADMIN_ACTION),
    "matching:suggestion_lock": post_only(pk_of("suggestion"), ADMIN_ACTION),
    "matching:suggestion_unlock": post_only(pk_of("suggestion"), ADMIN_ACTION),
    "matching:suggestion_forbid": post_only(pk_of("suggestion"), ADMIN_ACTION),
    # An empty POST re-shows the list with "Choose one of the mentors listed."
    "matching:suggestion_pick": [
        Case("", pk_of("suggestion"), get=ADMIN_PAGE, post=expect(200, 403, 403, 404), foreign=True)
    ],
    "matching:constraints": [Case("", slug_only, get=ADMIN_PAGE)],
    "matching:constraint_remove": post_only(pk_of("constraint"), ADMIN_ACTION),
}
