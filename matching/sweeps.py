"""Matching's reminder sweeps: proposals and mentor requests about to expire.

Each sweep only *finds* (see ``mentoring.sweeps``): given ``at`` it returns the notices
due then, and the core records each once and e-mails it as its recipient prefers. Both
ask the ``(status, respond_by)`` index for what is still waiting and expires within
``WINDOW``, so their cost follows what is about to expire, not what exists. Expiry
itself is ``matching.expire_overdue``, whose events tell people once it happened.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse

from matching.models import MentorRequest, Pairing
from matching.services.pairings import pairings_expire_overdue
from matching.services.requests import requests_expire_overdue
from mentoring.models import Category, User
from mentoring.notifications import Notice
from mentoring.sweeps import chore, sweep
from programs.models import Membership

__all__ = ["proposals_expiring", "requests_expiring"]

# A reminder goes out when the answer is due within this.
WINDOW = dt.timedelta(hours=24)
# Someone asked less than this ago has just been told the deadline: no reminder yet, so
# a one-day deadline gets its reminder half-way, not minutes after the proposal.
FRESH = dt.timedelta(hours=12)


@chore("expire_overdue")
def expire_overdue(at: dt.datetime) -> int:
    """Proposals and requests past their deadline expire; their events tell people."""
    return len(pairings_expire_overdue(now=at)) + len(requests_expire_overdue(now=at))


def _deadline(moment: dt.datetime, user: User) -> str:
    """ "Tue 24 Nov, 14:00 (Europe/London)": the deadline in the recipient's time zone."""
    tz = user.tzinfo
    local = moment.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} ({tz.key})"


@sweep("proposals_expiring")
def proposals_expiring(at: dt.datetime) -> list[Notice]:
    """A proposal expires within a day: its mentor is reminded, once, to answer."""
    proposals = (
        Pairing.objects.filter(
            status=Pairing.Status.PROPOSED,
            respond_by__gt=at,
            respond_by__lte=at + WINDOW,
            created_at__lte=at - FRESH,
            mentor__user__is_active=True,
        )
        .select_related("program", "mentor__user", "mentee__user")
        .order_by("respond_by", "pk")
    )
    notices = []
    for p in proposals:
        assert p.respond_by is not None  # noqa: S101 (the query asks for a deadline)
        mentor, mentee = p.mentor.user, p.mentee.user
        notices.append(
            Notice(
                user=mentor,
                kind="proposal_expiring",
                key=f"proposal_expiring:{p.pk}:u{mentor.pk}",
                title=f"{p.program.name}: please answer the proposal to mentor {mentee}",
                category=Category.MATCHING,
                lines=(
                    f"The proposal that you mentor {mentee} expires on "
                    f"{_deadline(p.respond_by, mentor)}.",
                    f"If you do not answer by then, the admins will match {mentee} with "
                    "someone else.",
                ),
                url=p.get_absolute_url(),
                action="Accept or decline",
            )
        )
    return notices


def _admins(program_ids: set[int]) -> dict[int, list[User]]:
    """The active admins of these programs, in one query."""
    admins: dict[int, list[User]] = defaultdict(list)
    if not program_ids:
        return admins
    rows = (
        Membership.objects.filter(
            program_id__in=program_ids, role=Membership.Role.ADMIN, user__is_active=True
        )
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    for m in rows:
        admins[m.program_id].append(m.user)
    return admins


@sweep("requests_expiring")
def requests_expiring(at: dt.datetime) -> list[Notice]:
    """A mentor request expires within a day: whoever decides it (the mentor, or in
    hybrid mode the program's admins) is reminded, once, to answer."""
    requests = list(
        MentorRequest.objects.filter(
            status=MentorRequest.Status.PENDING,
            respond_by__gt=at,
            respond_by__lte=at + WINDOW,
            created_at__lte=at - FRESH,
        )
        .select_related("program", "mentor__user", "mentee__user")
        .order_by("respond_by", "pk")
    )
    admins = _admins({r.program_id for r in requests if r.decided_by_admin})
    notices = []
    for r in requests:
        assert r.respond_by is not None  # noqa: S101 (the query asks for a deadline)
        mentor, mentee = r.mentor.user, r.mentee.user
        url = reverse("matching:request", kwargs={"slug": r.program.slug, "pk": r.pk})
        if r.decided_by_admin:
            for admin in admins.get(r.program_id, []):
                notices.append(
                    Notice(
                        user=admin,
                        kind="request_expiring",
                        key=f"request_expiring:{r.pk}:u{admin.pk}",
                        title=f"{r.program.name}: {mentee}'s request for {mentor} is waiting",
                        category=Category.ADMIN,
                        lines=(
                            f"{mentee} asked for {mentor} as their mentor, and the admins "
                            f"decide. The request expires on {_deadline(r.respond_by, admin)}.",
                            f"If nobody answers by then, {mentee} will have to ask again.",
                        ),
                        url=url,
                        action="Accept or decline",
                    )
                )
        elif mentor.is_active:
            notices.append(
                Notice(
                    user=mentor,
                    kind="request_expiring",
                    key=f"request_expiring:{r.pk}:u{mentor.pk}",
                    title=f"{r.program.name}: {mentee} is waiting for your answer",
                    category=Category.MATCHING,
                    lines=(
                        f"{mentee} asked you to be their mentor. The request expires on "
                        f"{_deadline(r.respond_by, mentor)}.",
                        f"If you do not answer by then, {mentee} will ask someone else.",
                    ),
                    url=url,
                    action="Accept or decline",
                )
            )
    return notices
