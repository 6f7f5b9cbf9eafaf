"""Access expectations of the flash pages (see test_access_matrix.py).

The matrix world's program does not offer flash mentoring (the default). The
pages still answer as below: the list and the offer say so, the new-offer page
shows that instead of a form, and booking is refused on its page. Only roles
decide the status codes; test_flash.py covers a program that offers flash.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from matching.tests.access_common import (
    MEMBERS,
    Case,
    Objects,
    World,
    expect,
    pk_of,
    post_only,
    slug_only,
)
from matching.tests.factories import FlashSlotFactory


def booked_by_mentee(w: World, o: Objects) -> dict[str, Any]:
    """A future time of ``o``'s offer booked by ``o``'s mentee (the world's slot is free)."""
    slot = FlashSlotFactory.create(
        offer=o.offer,
        starts_at=timezone.now() + dt.timedelta(days=3),
        booked_by=o.mentee,
        booked_at=timezone.now(),
    )
    return {"slug": w.slug, "pk": slot.pk}


MENTOR_PAGE = expect(403, 200, 403, 404)  # mentors only; admins are not mentors
MENTEE_PAGE = expect(403, 403, 200, 404)  # POST: the page again, saying why not

EXPECTATIONS: dict[str, list[Case]] = {
    "matching:flash": [Case("", slug_only, get=MEMBERS)],
    "matching:flash_offer_create": [Case("", slug_only, get=MENTOR_PAGE, post=MENTOR_PAGE)],
    "matching:flash_offer": [Case("", pk_of("offer"), get=MEMBERS, foreign=True)],
    # The offer's own mentor only.
    "matching:flash_offer_edit": [
        Case("", pk_of("offer"), get=MENTOR_PAGE, post=MENTOR_PAGE, foreign=True)
    ],
    # Its mentor, or an admin stepping in.
    "matching:flash_offer_close": post_only(pk_of("offer"), expect(302, 302, 403, 404)),
    "matching:flash_book": [
        Case("", pk_of("slot"), get=MENTEE_PAGE, post=MENTEE_PAGE, foreign=True)
    ],
    # The mentee who booked, or the mentor; without a reason: a message and a redirect.
    "matching:flash_cancel": post_only(booked_by_mentee, expect(403, 302, 302, 404)),
}
