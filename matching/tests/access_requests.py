"""Access expectations of the requests pages (see test_access_matrix.py).

The world's program is admin-matched (the default mode) and holds a pending
request mentee -> mentor, decided by the mentor, besides a proposed pairing of
the same two people. In an admin-matched program the mentee still reaches the
mentee-choice pages (200), which say that mentees do not choose here; mentors and
admins are not mentees, so those pages are 403 for them.
"""

from matching.tests.access_common import MEMBERS, Case, expect, post_only


# Untyped on purpose: Case is typed with the programs app's World, these get matching's.
def slug_only(w, o):
    return {"slug": w.slug}


def pk_of(attr):
    return lambda w, o: {"slug": w.slug, "pk": getattr(o, attr).pk}


MENTEE_PAGE = expect(403, 403, 200, 404)
MENTOR_ANSWERS = expect(403, 200, 403, 404)

EXPECTATIONS: dict[str, list[Case]] = {
    "matching:mentors": [Case("", slug_only, get=MENTEE_PAGE)],
    # pk is the mentor's membership; a POST without a note re-shows the form (200).
    "matching:request_create": [
        Case("", pk_of("mentor"), get=MENTEE_PAGE, post=MENTEE_PAGE, foreign=True),
        # The mentee's own membership is no mentor to request.
        Case("not a mentor", pk_of("mentee"), get=expect(404, 404, 404, 404)),
    ],
    # One page, with the sections the viewer's roles call for.
    "matching:requests": [Case("", slug_only, get=MEMBERS)],
    "matching:request": [Case("", pk_of("request"), get=MEMBERS, foreign=True)],
    # The mentor answers; the attempt fails (the mentee already has a proposal
    # from the admins) and comes back with the reason: a redirect with a message.
    # The mentee who sent it and the admins (not a hybrid program) may not answer.
    "matching:request_accept": post_only(pk_of("request"), expect(403, 302, 403, 404)),
    # A POST without a reason re-shows the form with its error (200).
    "matching:request_decline": [
        Case("", pk_of("request"), get=MENTOR_ANSWERS, post=MENTOR_ANSWERS, foreign=True)
    ],
    "matching:request_withdraw": post_only(pk_of("request"), expect(403, 403, 302, 404)),
    # A POST without a choice comes back with a message.
    "matching:mentor_accepting": post_only(slug_only, expect(403, 302, 403, 404), foreign=False),
}
