"""Who can help you with that? Mentors in my open programs whose topics, strengths or what
they bring match what I typed, and what I may do about each of them.

Reads only, for the acting user, in a fixed number of queries however many match. A
result shows what ``mentor_browse`` shows of a mentor (name, title, organisation, topics,
strengths, whether they take mentees). The actions (book a flash session, request them as
a mentor) follow the rules of ``flash_offer`` and ``request_create``, read from what the
search already loaded; where a request is not possible, a short note says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Exists, IntegerField, Min, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from matching.models import FlashOffer, MatchConstraint, MatchingSettings, MentorRequest, Pairing
from matching.services.flash import flash_offered
from matching.services.requests import program_requests_problem
from mentoring.models import User
from programs.models import Membership, Program, Topic

Role = Membership.Role

SEARCH_STATUSES = (Program.Status.ENROLLING, Program.Status.MATCHING, Program.Status.RUNNING)
MIN_QUERY, MAX_QUERY = 2, 100
RESULTS_PER_PAGE = 10
SNIPPET = 180  # characters of strengths shown around the first match


def clean_query(raw: str | None) -> str:
    """The query as searched: spaces collapsed, at most MAX_QUERY characters."""
    return " ".join((raw or "").split())[:MAX_QUERY]


def highlight(text: str, query: str) -> list[tuple[str, bool]]:
    """``text`` cut into (part, is_a_match) pieces, matching ``query`` ignoring case."""
    if not query:
        return [(text, False)] if text else []
    pieces: list[tuple[str, bool]] = []
    at = 0
    for m in re.finditer(re.escape(query), text, flags=re.IGNORECASE):
        if m.start() > at:
            pieces.append((text[at : m.start()], False))
        pieces.append((m.group(0), True))
        at = m.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def snippet(text: str, query: str, size: int = SNIPPET) -> str:
    """Up to ``size`` characters of ``text``, around the first match if there is one."""
    text = " ".join(text.split())
    if len(text) <= size:
        return text
    found = text.casefold().find(query.casefold()) if query else -1
    start = 0 if found < size // 3 else found - size // 3
    cut = text[start : start + size]
    return ("…" if start else "") + cut + ("…" if start + size < len(text) else "")


@dataclass
class Helper:
    """One mentor, in one of my programs, who matches what I typed; and what I may do."""

    mentor: Membership
    topics: list[tuple[str, bool]]  # (name, matches), matching topics first
    strengths: list[tuple[str, bool]]
    matched_in: str  # "topics", "strengths" or "what they bring"
    flash_url: str = ""
    request_url: str = ""
    pending_url: str = ""  # my request to them, waiting for an answer
    relation: str = ""  # e.g. "Your mentor in this program"
    note: str = ""  # why I cannot request them here, in a few words

    @property
    def person(self) -> User:
        return self.mentor.user


@dataclass
class HelpSearch:
    query: str
    searched: bool  # a query long enough was given
    page: Page[Any] | None
    helpers: list[Helper]
    program_count: int  # programs searched

    @property
    def count(self) -> int:
        return self.page.paginator.count if self.page is not None else 0


def _forbidden(mentee: Membership, mentor: Membership, avoid_department: bool) -> bool:
    """The pairs scoring forbids: own manager either way, same department if the program
    says so (an admin's forbid is checked by the caller)."""
    me, them = mentee.user.email.casefold(), mentor.user.email.casefold()
    if mentee.manager_email and mentee.manager_email.casefold() == them:
        return True
    if mentor.manager_email and mentor.manager_email.casefold() == me:
        return True
    mine, theirs = mentee.department.strip().casefold(), mentor.department.strip().casefold()
    return avoid_department and bool(mine) and mine == theirs


def _request_state(
    helper: Helper,
    mentee: Membership,
    *,
    load: int,
    requests: dict[tuple[int, int], MentorRequest],
    pending_count: int,
    limit: int,
    open_with: dict[int, tuple[int, str]],
    forbidden: bool,
) -> None:
    """Fill in the helper's request link, or the reason there is none: the rules of
    ``request_create``, read from what the search already loaded."""
    mentor, program = helper.mentor, helper.mentor.program
    slug = program.slug
    mentor_now, status_now = open_with.get(mentee.pk, (None, ""))
    # A proposal is the mentor's to answer: the mentee does not learn of it here.
    if mentor_now == mentor.pk and status_now == Pairing.Status.ACTIVE:
        helper.relation = "Your mentor in this program"
        return
    latest = requests.get((mentee.pk, mentor.pk))
    if latest is not None and latest.status == MentorRequest.Status.PENDING:
        helper.pending_url = reverse("matching:request", kwargs={"slug": slug, "pk": latest.pk})
        return
    if program_requests_problem(program):
        if program.matching_mode == Program.MatchingMode.ADMIN:
            helper.note = "In this program the admins match mentors and mentees."
        else:
            helper.note = "Requests are not open in this program now."
    elif not mentee.is_enrolled:
        helper.note = "Finish your enrolment to request a mentor here."
    elif mentee.pk in open_with:
        helper.note = "You already have a mentor (or a proposal) in this program."
    elif latest is not None and latest.status == MentorRequest.Status.DECLINED:
        helper.note = "They declined your earlier request."
    elif forbidden:
        helper.note = "The program does not pair you with this mentor."
    elif not mentor.accepting_mentees:
        helper.note = "Not taking new mentees at the moment."
    elif load >= mentor.effective_capacity:
        helper.note = "No place left."
    elif pending_count >= limit:
        helper.note = f"You have {limit} open request{'s' if limit != 1 else ''}, the most allowed."
    else:
        helper.request_url = reverse(
            "matching:request_create", kwargs={"slug": slug, "pk": mentor.pk}
        )


def who_can_help(user: User, raw_query: str | None, page_number: str | None = None) -> HelpSearch:
    """Mentors in ``user``'s open programs whose topics, strengths or what they bring match
    the query: topic matches first. A fixed number of queries, however many match."""
    query = clean_query(raw_query)
    if len(query) < MIN_QUERY:
        return HelpSearch(query, False, None, [], 0)
    mine = list(Membership.objects.filter(user=user).select_related("program"))
    for m in mine:
        m.user = user  # spares a query per membership
    # People in my programs: those where I have finished enrolling (or that I run). An
    # invitation not yet taken up does not open a program's people to me.
    program_ids = {
        m.program_id
        for m in mine
        if m.program.status in SEARCH_STATUSES
        and (m.role == Role.ADMIN or m.enrolled_at is not None)
    }
    if not program_ids:
        return HelpSearch(query, True, None, [], 0)

    topic_named = Topic.memberships.through.objects.filter(
        membership_id=OuterRef("pk"), topic__name__icontains=query
    )
    mentors = (
        Membership.objects.filter(
            program_id__in=program_ids,
            role=Role.MENTOR,
            enrolled_at__isnull=False,
            user__is_active=True,  # a deleted account is nobody to ask
        )
        .exclude(user=user)
        .annotate(topic_hit=Exists(topic_named))
        .filter(
            Q(topic_hit=True) | Q(strengths__icontains=query) | Q(what_i_bring__icontains=query)
        )
        .annotate(
            rank=Case(
                When(topic_hit=True, then=Value(0)),
                When(strengths__icontains=query, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .select_related("user", "program")
        .prefetch_related("topics")
        .order_by("rank", "user__name", "program__name", "pk")
    )
    page = Paginator(mentors, RESULTS_PER_PAGE).get_page(page_number)
    found: list[Membership] = list(page.object_list)
    helpers = [_helper(m, query) for m in found]
    if helpers:
        _add_actions(helpers, mine)
    return HelpSearch(query, True, page, helpers, len(program_ids))


def _helper(mentor: Membership, query: str) -> Helper:
    needle = query.casefold()
    topics = sorted(
        ((t.name, needle in t.name.casefold()) for t in mentor.topics.all()),
        key=lambda t: (not t[1], t[0].casefold()),
    )
    if any(hit for _, hit in topics):
        matched_in = "topics"
    elif needle in mentor.strengths.casefold():
        matched_in = "strengths"
    else:
        matched_in = "what they bring"
    return Helper(
        mentor=mentor,
        topics=topics,
        strengths=highlight(snippet(mentor.strengths, query), query),
        matched_in=matched_in,
    )


def _add_actions(helpers: list[Helper], mine: list[Membership]) -> None:
    """Book-a-flash-session and request links, each only where I may use it."""
    as_mentee = {m.program_id: m for m in mine if m.role == Role.MENTEE}
    programs = {h.mentor.program_id for h in helpers} & set(as_mentee)
    if not programs:
        return
    mentor_ids = [h.mentor.pk for h in helpers if h.mentor.program_id in programs]
    mentee_ids = [as_mentee[p].pk for p in programs]
    now = timezone.now()
    free = Q(slots__booked_by__isnull=True, slots__starts_at__gt=now)
    offers: dict[int, FlashOffer] = {}
    for o in (
        FlashOffer.objects.filter(mentor_id__in=mentor_ids, active=True)
        .annotate(next_free=Min("slots__starts_at", filter=free))
        .filter(next_free__isnull=False)
        .order_by("next_free", "pk")
    ):
        offers.setdefault(o.mentor_id, o)
    loads = dict(
        Pairing.objects.filter(
            mentor_id__in=mentor_ids,
            kind=Pairing.Kind.ONE_TO_ONE,
            status__in=Pairing.OPEN_STATUSES,
        )
        .values("mentor_id")
        .annotate(n=Count("id"))
        .values_list("mentor_id", "n")
    )
    requests: dict[tuple[int, int], MentorRequest] = {}
    pending: dict[int, int] = {}
    for r in MentorRequest.objects.filter(mentee_id__in=mentee_ids).order_by("-created_at", "-pk"):
        requests.setdefault((r.mentee_id, r.mentor_id), r)
        if r.status == MentorRequest.Status.PENDING:
            pending[r.mentee_id] = pending.get(r.mentee_id, 0) + 1
    # Each of my mentee memberships with an open one-to-one pairing, and with whom.
    open_with: dict[int, tuple[int, str]] = {}
    for mentee_id, mentor_id, status in Pairing.objects.filter(
        mentee_id__in=mentee_ids, kind=Pairing.Kind.ONE_TO_ONE, status__in=Pairing.OPEN_STATUSES
    ).values_list("mentee_id", "mentor_id", "status"):
        open_with[mentee_id] = (mentor_id, status)
    settings = {s.program_id: s for s in MatchingSettings.objects.filter(program_id__in=programs)}
    forbids = set(
        MatchConstraint.objects.filter(
            mentee_id__in=mentee_ids, kind=MatchConstraint.Kind.FORBID
        ).values_list("mentee_id", "mentor_id")
    )
    for h in helpers:
        program = h.mentor.program
        mentee = as_mentee.get(program.pk)
        if mentee is None:
            continue
        offer = offers.get(h.mentor.pk)
        if offer is not None and flash_offered(program):
            h.flash_url = reverse(
                "matching:flash_offer", kwargs={"slug": program.slug, "pk": offer.pk}
            )
        rules = settings.get(program.pk) or MatchingSettings(program=program)
        _request_state(
            h,
            mentee,
            load=loads.get(h.mentor.pk, 0),
            requests=requests,
            pending_count=pending.get(mentee.pk, 0),
            limit=rules.max_open_requests,
            open_with=open_with,
            forbidden=(mentee.pk, h.mentor.pk) in forbids
            or _forbidden(mentee, h.mentor, rules.avoid_same_department),
        )
