"""Mentee-choice pages: browse mentors, request one, and answer or follow requests."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from matching import scoring, services
from matching.access import get_request
from matching.forms_requests import (
    AcceptingForm,
    DeclineRequestForm,
    MentorFilterForm,
    RequestForm,
)
from matching.models import MatchingSettings, MentorRequest
from matching.services._common import mentor_loads
from matching.services.requests import (
    can_decide,
    mentee_requests_problem,
    program_requests_problem,
)
from mentoring.forms import add_service_errors
from mentoring.security import refuse_admin_action
from mentoring.types import AuthenticatedHttpRequest
from programs.access import ProgramAccess, get_participant_membership, get_program_access
from programs.models import Membership, Topic

Role = Membership.Role
Status = MentorRequest.Status

CARDS_PER_PAGE = 12
ADMIN_PAGE_SIZE = 25


# --- Reads ------------------------------------------------------------------------------------


@dataclass
class MentorCard:
    """A mentor as one mentee sees them: fit, places left, and what they can do."""

    mentor: Membership
    score: float
    fit_pct: int
    places_left: int
    request: MentorRequest | None  # the mentee's latest request to this mentor
    blocked: str  # why the mentee cannot ask this mentor now ("" if they can)
    scored: scoring.Scored
    column: int

    @property
    def can_request(self) -> bool:
        return not self.blocked

    @functools.cached_property
    def explanation(self) -> list[dict[str, Any]]:
        # Built on demand: only the cards of the page shown need their words.
        return self.scored.explain(0, self.column)


def _mentors(mentee: Membership, *, q: str = "", topic: int | None = None) -> QuerySet[Membership]:
    mentors = Membership.objects.filter(
        program_id=mentee.program_id,
        role=Role.MENTOR,
        enrolled_at__isnull=False,
        user__is_active=True,
    ).exclude(user_id=mentee.user_id)
    if topic is not None:
        mentors = mentors.filter(topics__pk=topic)
    if q:
        topic_named = Topic.memberships.through.objects.filter(
            membership_id=OuterRef("pk"), topic__name__icontains=q
        )
        mentors = mentors.filter(
            Q(user__name__icontains=q)
            | Q(user__title__icontains=q)
            | Q(user__organisation__icontains=q)
            | Q(strengths__icontains=q)
            | Q(what_i_bring__icontains=q)
            | Exists(topic_named)
        )
    return mentors.order_by("user__name", "pk")


def _blocked(
    mentor: Membership,
    places_left: int,
    latest: MentorRequest | None,
    open_count: int,
    limit: int,
) -> str:
    """The same rules as ``request_create``, read from what the page already loaded."""
    if latest is not None and latest.status == Status.PENDING:
        return "You have asked this mentor; wait for their answer."
    if latest is not None and latest.status == Status.DECLINED:
        return "This mentor declined your request."
    if not mentor.accepting_mentees:
        return "Not taking new mentees at the moment."
    if places_left <= 0:
        return "No place left."
    if open_count >= limit:
        return f"You have {limit} open request{'s' if limit != 1 else ''}, the most allowed."
    return ""


def mentor_cards(mentee: Membership, mentors: QuerySet[Membership]) -> list[MentorCard]:
    """Cards for these mentors, best fit first (those that cannot be asked last), in a fixed
    number of queries however many mentors there are. Forbidden pairs are left out."""
    program = mentee.program
    settings = MatchingSettings.for_program(program)
    pool = scoring.load_pool(
        program, mentees=Membership.objects.filter(pk=mentee.pk), mentors=mentors
    )
    scored = scoring.score_pool(program, pool, settings=settings)
    loads = mentor_loads(program)
    latest: dict[int, MentorRequest] = {}
    for r in MentorRequest.objects.filter(mentee=mentee).order_by("-created_at", "-pk"):
        latest.setdefault(r.mentor_id, r)
    open_count = sum(1 for r in latest.values() if r.status == Status.PENDING)
    limit = settings.max_open_requests
    cards = []
    for j, mentor in enumerate(pool.mentors):
        score = float(scored.scores[0, j])
        if score == float("-inf"):
            continue
        places = max(0, mentor.effective_capacity - loads.get(mentor.pk, 0))
        cards.append(
            MentorCard(
                mentor=mentor,
                score=score,
                fit_pct=scored.fit_pct(0, j),
                places_left=places,
                request=latest.get(mentor.pk),
                blocked=_blocked(mentor, places, latest.get(mentor.pk), open_count, limit),
                scored=scored,
                column=j,
            )
        )
    cards.sort(key=lambda c: (c.places_left == 0 or not c.mentor.accepting_mentees, -c.score))
    return cards


def _viewer(access: ProgramAccess, r: MentorRequest) -> str:
    if r.mentee.user_id == access.user.pk:
        return "mentee"
    if r.mentor.user_id == access.user.pk:
        return "mentor"
    return "admin"


def _may_decide(access: ProgramAccess, r: MentorRequest) -> bool:
    return can_decide(r, access.user, is_admin=access.is_admin)


def _check_may_decide(access: ProgramAccess, r: MentorRequest, verb: str) -> None:
    """Refuse anyone who does not answer this request; an admin who lacks the two-factor
    that an admin-decided request needs is sent to set it up."""
    if _may_decide(access, r):
        return
    if r.decided_by_admin:
        refuse_admin_action(access, f"Only the program's admins can {verb} this request.")
    raise PermissionDenied(f"Only the mentor asked can {verb} this request.")


# --- Pages ------------------------------------------------------------------------------------


@login_required
def mentor_browse(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access, mentee = get_participant_membership(request.user, slug, Role.MENTEE)
    program = access.program
    context: dict[str, Any] = {"access": access, "program": program, "mentee": mentee}
    problem = mentee_requests_problem(mentee)
    context["problem"] = problem
    if problem:
        return render(request, "matching/mentor_browse.html", context)
    form = MentorFilterForm(request.GET or None, program=program)
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
    cards = mentor_cards(
        mentee, _mentors(mentee, q=(data.get("q") or "").strip(), topic=data.get("topic"))
    )
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        form=form,
        page=Paginator(cards, CARDS_PER_PAGE).get_page(request.GET.get("page")),
        query=query.urlencode(),
        filtered=bool(data.get("q") or data.get("topic")),
        limit=MatchingSettings.for_program(program).max_open_requests,
        request_form=RequestForm(),
    )
    return render(request, "matching/mentor_browse.html", context)


@login_required
def request_create(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access = get_program_access(request.user, slug)
    mentor = Membership.objects.filter(program=access.program, role=Role.MENTOR, pk=pk).first()
    if mentor is None:
        raise Http404
    mentee = access.memberships.get(Role.MENTEE)
    if mentee is None:
        raise PermissionDenied("Only mentees of this program can request a mentor.")
    problem = mentee_requests_problem(mentee)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.request_create(
                mentee=mentee, mentor=mentor, actor=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            who = "the program's admins" if sent.decided_by_admin else str(mentor.user)
            messages.success(
                request,
                f"Your request to {mentor.user} is sent. We will tell you when {who} answer"
                f"{'' if sent.decided_by_admin else 's'}.",
            )
            return redirect("matching:request", slug=slug, pk=sent.pk)
    cards = [] if problem else mentor_cards(mentee, Membership.objects.filter(pk=mentor.pk))
    return render(
        request,
        "matching/request_create.html",
        {
            "access": access,
            "program": access.program,
            "mentor": mentor,
            "card": cards[0] if cards else None,
            "problem": problem,
            "form": form,
        },
    )


@login_required
def request_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug)
    program = access.program
    context: dict[str, Any] = {"access": access, "program": program}
    mentee = access.memberships.get(Role.MENTEE)
    if mentee is not None:
        sent = list(
            MentorRequest.objects.filter(mentee=mentee).select_related("mentor__user", "pairing")
        )
        context.update(
            sent=sent,
            open_count=sum(1 for r in sent if r.is_pending),
            limit=MatchingSettings.for_program(program).max_open_requests,
            mentee_problem=mentee_requests_problem(mentee),
        )
    mentor = access.memberships.get(Role.MENTOR)
    if mentor is not None:
        received = list(
            MentorRequest.objects.filter(mentor=mentor).select_related("mentee__user", "pairing")
        )
        context.update(
            mentor=mentor,
            received_pending=[r for r in received if r.is_pending],
            received_done=[r for r in received if not r.is_pending],
            places_left=max(0, mentor.effective_capacity - services.mentor_load(mentor)),
            program_problem=program_requests_problem(program),
        )
    if access.is_admin:
        to_decide = MentorRequest.objects.filter(
            program=program, status=Status.PENDING, decided_by_admin=True
        ).select_related("mentor__user", "mentee__user")
        context["to_decide"] = Paginator(
            to_decide.order_by("respond_by", "pk"), ADMIN_PAGE_SIZE
        ).get_page(request.GET.get("page"))
    return render(request, "matching/request_list.html", context)


@login_required
def request_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, r = get_request(request.user, slug, pk)
    viewer = _viewer(access, r)
    partner = r.mentor if viewer == "mentee" else r.mentee
    partner = (
        Membership.objects.select_related("user").prefetch_related("topics").get(pk=partner.pk)
    )
    return render(
        request,
        "matching/request_detail.html",
        {
            "access": access,
            "program": access.program,
            "req": r,
            "viewer": viewer,
            "partner": partner,
            "can_decide": r.is_pending and _may_decide(access, r),
            "can_withdraw": r.is_pending and viewer == "mentee",
        },
    )


@login_required
@require_POST
def request_accept(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, r = get_request(request.user, slug, pk)
    _check_may_decide(access, r, "accept")
    try:
        r = services.request_accept(request=r, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("matching:request", slug=slug, pk=pk)
    messages.success(
        request,
        f"{r.mentor.user} now mentors {r.mentee.user}. {r.mentee.user} has been told.",
    )
    if r.pairing is not None:
        return redirect(r.pairing)
    return redirect("matching:request", slug=slug, pk=pk)


@login_required
def request_decline(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, r = get_request(request.user, slug, pk)
    _check_may_decide(access, r, "decline")
    if not r.is_pending:
        messages.error(
            request,
            f"This request is {r.get_status_display().lower()}; it can no longer be declined.",
        )
        return redirect("matching:request", slug=slug, pk=pk)
    form = DeclineRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_decline(
                request=r, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except services.TransitionError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("matching:request", slug=slug, pk=pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"You declined the request; {r.mentee.user} has been told.")
            return redirect("matching:requests", slug=slug)
    return render(
        request,
        "matching/request_decline.html",
        {"access": access, "program": access.program, "req": r, "form": form},
    )


@login_required
@require_POST
def request_withdraw(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, r = get_request(request.user, slug, pk)
    try:
        services.request_withdraw(request=r, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("matching:request", slug=slug, pk=pk)
    messages.success(request, f"You withdrew your request to {r.mentor.user}.")
    return redirect("matching:requests", slug=slug)


@login_required
@require_POST
def mentor_accepting(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    _, mentor = get_participant_membership(request.user, slug, Role.MENTOR)
    form = AcceptingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether you take new requests.")
        return redirect("matching:requests", slug=slug)
    accepting = form.cleaned_data["accepting"]
    services.mentor_set_accepting(membership=mentor, actor=request.user, accepting=accepting)
    messages.success(
        request,
        "Mentees can send you requests again."
        if accepting
        else "You take no new requests for now; the ones waiting for you stay.",
    )
    return redirect("matching:requests", slug=slug)


urlpatterns: list[URLPattern] = [
    path("mentors/", mentor_browse, name="mentors"),
    path("mentors/<int:pk>/request/", request_create, name="request_create"),
    path("requests/", request_list, name="requests"),
    path("requests/accepting/", mentor_accepting, name="mentor_accepting"),
    path("requests/<int:pk>/", request_detail, name="request"),
    path("requests/<int:pk>/accept/", request_accept, name="request_accept"),
    path("requests/<int:pk>/decline/", request_decline, name="request_decline"),
    path("requests/<int:pk>/withdraw/", request_withdraw, name="request_withdraw"),
]
