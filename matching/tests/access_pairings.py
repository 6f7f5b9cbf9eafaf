"""Access expectations of the pairing pages (see test_access_matrix.py).

The world's pairing is a proposal to the mentor: the mentee does not know of it
yet, so for them it does not exist (404) until the mentor accepts.
"""

from matching.tests.access_common import (
    ADMIN_PAGE,
    MEMBERS,
    Case,
    expect,
    pk_of,
    post_only,
    slug_only,
)

EXPECTATIONS: dict[str, list[Case]] = {
    "matching:pairings": [Case("", slug_only, get=ADMIN_PAGE)],
    "matching:mine": [Case("", slug_only, get=MEMBERS)],
    "matching:pairing": [Case("", pk_of("pairing"), get=expect(200, 200, 404, 404), foreign=True)],
    # Only the proposed mentor answers; the admin may look but not accept for them.
    "matching:pairing_accept": post_only(pk_of("pairing"), expect(403, 302, 404, 404)),
    "matching:pairing_decline": [
        Case(
            "",
            pk_of("pairing"),
            get=expect(403, 200, 404, 404),
            post=expect(403, 200, 404, 404),  # 200: the form asks for a reason
            foreign=True,
        )
    ],
    # A proposal cannot be completed: the page says why.
    "matching:pairing_complete": post_only(pk_of("pairing"), expect(302, 302, 404, 404)),
    "matching:pairing_end": [
        Case(
            "",
            pk_of("pairing"),
            get=expect(200, 200, 404, 404),
            post=expect(200, 200, 404, 404),
            foreign=True,
        )
    ],
}
