"""Access expectations of the preferences pages (see test_access_matrix.py)."""

from matching.tests.access_common import ADMIN_PAGE, Case, expect

# Each participant ranks in the role they hold; the admin holds neither, so gets 403.
# An empty POST is a valid "rank nobody": it saves and redirects.
EXPECTATIONS: dict[str, list[Case]] = {
    "matching:preferences": [
        Case(
            "mentor",
            lambda w, o: {"slug": w.slug, "role": "mentor"},
            get=expect(403, 200, 403, 404),
            post=expect(403, 302, 403, 404),
        ),
        Case(
            "mentee",
            lambda w, o: {"slug": w.slug, "role": "mentee"},
            get=expect(403, 403, 200, 404),
            post=expect(403, 403, 302, 404),
        ),
        Case(
            "unknown role",
            lambda w, o: {"slug": w.slug, "role": "admin"},
            get=expect(404, 404, 404, 404),
            post=expect(404, 404, 404, 404),
        ),
    ],
    # An empty POST fails the form's checks and shows the page again.
    "matching:settings": [
        Case(
            "",
            lambda w, o: {"slug": w.slug},
            get=ADMIN_PAGE,
            post=ADMIN_PAGE,
        )
    ],
}
