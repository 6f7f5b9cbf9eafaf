"""Matching pages: circles.

Circles stay visible and can be wound down (ended, left, requests declined)
when a program stops offering them; only new circles and new members need
the program to offer circles.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from matching import services
from matching.access import get_circle, get_circle_member
from matching.forms_circles import (
    CircleAddMemberForm,
    CircleDecideForm,
    CircleEndForm,
    CircleForm,
    CircleJoinForm,
)
from matching.models import Circle, CircleMember
from matching.services.circles import (
    NOT_OFFERED,
    can_manage_circle,
    circles_offered,
    leads,
    with_member_counts,
)
from mentoring.forms import add_service_errors
from mentoring.security import refuse_admin_action
from mentoring.types import AuthenticatedHttpRequest
from programs.access import ProgramAccess, get_participant_membership, get_program_access
from programs.models import Membership

Seat = CircleMember.Status
Role = Membership.Role
PAGE_SIZE = 20


def _error(request: AuthenticatedHttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _join_refusal(
    circle: Circle, access: ProgramAccess, seat: CircleMember | None, taken: int
) -> str:
    """Why this mentee cannot ask to join, in words (empty if they can)."""
    if not circles_offered(circle.program):
        return NOT_OFFERED
    if circle.status != Circle.Status.ACTIVE:
        return "This circle has ended."
    if leads(access.user, circle):
        return "You lead this circle."
    if seat is not None and seat.status == Seat.MEMBER:
        return ""
    if seat is not None and seat.status == Seat.REQUESTED:
        return "You have asked to join; the circle's mentor will answer."
    if seat is not None and seat.status == Seat.DECLINED:
        return "Your request to join was declined."
    if not circle.open_to_requests:
        return "This circle does not take requests to join."
    if taken >= circle.max_mentees:
        return "This circle is full."
    mentee = access.memberships.get(Role.MENTEE)
    if mentee is not None and not mentee.is_enrolled:
        return "Finish your enrolment as a mentee to join circles."
    return ""


@login_required
def circle_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug)
    program = access.program
    circles = with_member_counts(
        Circle.objects.filter(program=program).select_related("program", "mentor__user", "topic")
    ).order_by("name", "id")
    context: dict[str, object] = {
        "access": access,
        "program": program,
        "offered": circles_offered(program),
    }
    if access.is_admin:
        context["page"] = Paginator(circles, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "matching/circle_list.html", context)
    mine = [m.pk for m in access.participant_memberships]
    seats = {
        s.circle_id: s
        for s in CircleMember.objects.filter(mentee_id__in=mine).exclude(status=Seat.LEFT)
    }
    joined = [pk for pk, s in seats.items() if s.status in (Seat.MEMBER, Seat.REQUESTED)]
    my_circles = list(circles.filter(Q(mentor_id__in=mine) | Q(pk__in=joined)))
    for circle in my_circles:
        seat = seats.get(circle.pk)
        circle.my_status = seat.get_status_display() if seat else "You lead it"  # type: ignore[attr-defined]
    context["my_circles"] = my_circles
    mentee = access.memberships.get(Role.MENTEE)
    if mentee is not None and context["offered"]:
        open_circles = (
            circles.filter(status=Circle.Status.ACTIVE, open_to_requests=True)
            .filter(Q(places_left__gt=0))
            .exclude(pk__in=list(seats))
            .exclude(mentor__user=request.user)
        )
        context["open_page"] = Paginator(open_circles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "matching/circle_list.html", context)


@login_required
def circle_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    program = access.program
    context: dict[str, object] = {"access": access, "program": program}
    if not circles_offered(program):
        return render(request, "matching/circle_form.html", context)
    form = CircleForm(request.POST or None, program=program, with_mentees=True)
    if request.method == "POST" and form.is_valid():
        try:
            circle = services.circle_create(
                program=program, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"The circle “{circle.name}” is created; its people are told."
            )
            return redirect(circle)
    context["form"] = form
    return render(request, "matching/circle_form.html", context)


@login_required
def circle_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, circle = get_circle(request.user, slug, pk)
    manage = can_manage_circle(request.user, circle, is_admin=access.is_admin)
    seats = list(circle.members.select_related("mentee__user"))
    members = [s for s in seats if s.status == Seat.MEMBER]
    mentee = access.memberships.get(Role.MENTEE)
    my_seat = next((s for s in seats if mentee and s.mentee_id == mentee.pk), None)
    is_member = my_seat is not None and my_seat.status == Seat.MEMBER
    active = circle.status == Circle.Status.ACTIVE
    context: dict[str, object] = {
        "access": access,
        "program": access.program,
        "circle": circle,
        "manage": manage,
        "can_edit": active and manage,
        "members": members,
        "places_left": max(circle.max_mentees - len(members), 0),
        "see_members": manage or is_member,
        "pending": [s for s in seats if s.status == Seat.REQUESTED] if manage else [],
        "my_seat": my_seat,
        "active": active,
        "offered": circles_offered(access.program),
    }
    if mentee is not None:
        refusal = _join_refusal(circle, access, my_seat, len(members))
        context["join_refusal"] = refusal
        if not refusal and not is_member:
            context["join_form"] = CircleJoinForm()
    if access.is_admin and active and context["offered"]:
        context["add_form"] = CircleAddMemberForm(circle=circle)
    return render(request, "matching/circle_detail.html", context)


@login_required
def circle_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, circle = get_circle(request.user, slug, pk)
    if not can_manage_circle(request.user, circle, is_admin=access.is_admin):
        refuse_admin_action(
            access, "Only this program's admins and the circle's mentor can edit it."
        )
    context: dict[str, object] = {"access": access, "program": access.program, "circle": circle}
    if circle.status != Circle.Status.ACTIVE:
        return render(request, "matching/circle_form.html", context)
    fields = ["name", "description", "mentor", "topic", "max_mentees", "open_to_requests"]
    form = CircleForm(
        request.POST or None,
        program=access.program,
        as_admin=access.is_admin,
        initial=model_to_dict(circle, fields=fields),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.circle_update(circle=circle, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The circle is saved.")
            return redirect(circle)
    context["form"] = form
    return render(request, "matching/circle_form.html", context)


@login_required
@require_POST
def circle_join(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, circle = get_circle(request.user, slug, pk)
    get_participant_membership(request.user, slug, Role.MENTEE)
    form = CircleJoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Keep your note under 1,000 characters.")
        return redirect(circle)
    try:
        services.circle_request_join(circle=circle, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "You asked to join; the circle's mentor will answer.")
    return redirect(circle)


@login_required
@require_POST
def circle_member_add(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, circle = get_circle(request.user, slug, pk)
    if not access.is_admin:
        refuse_admin_action(access, "Only this program's admins can add mentees to a circle.")
    form = CircleAddMemberForm(request.POST, circle=circle)
    if not form.is_valid():
        messages.error(request, "Choose a mentee of this program who is not in the circle yet.")
        return redirect(circle)
    try:
        seat = services.circle_add_member(circle=circle, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"{seat.mentee.user} is now in the circle.")
    return redirect(circle)


@login_required
@require_POST
def circle_member_decide(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, seat = get_circle_member(request.user, slug, pk)
    circle = seat.circle
    if not can_manage_circle(request.user, circle, is_admin=access.is_admin):
        refuse_admin_action(access, "Only the circle's mentor or the program's admins can decide.")
    form = CircleDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to accept or decline.")
        return redirect(circle)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.circle_decide(member=seat, actor=request.user, accept=accept)
    except ValidationError as exc:
        _error(request, exc)
    else:
        verb = "is now in the circle" if accept else "was declined"
        messages.success(request, f"{seat.mentee.user} {verb}; they are told.")
    return redirect(circle)


@login_required
@require_POST
def circle_member_remove(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, seat = get_circle_member(request.user, slug, pk)
    is_self = seat.mentee.user_id == request.user.pk
    if not is_self and not access.is_admin:
        refuse_admin_action(access, "Only the mentee or the program's admins can do that.")
    was_request = seat.status == Seat.REQUESTED
    try:
        services.circle_leave(member=seat, actor=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        if is_self:
            messages.success(
                request, "Your request is withdrawn." if was_request else "You left the circle."
            )
        else:
            messages.success(request, f"{seat.mentee.user} is no longer in the circle.")
    return redirect(seat.circle)


@login_required
def circle_end(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, circle = get_circle(request.user, slug, pk)
    if not can_manage_circle(request.user, circle, is_admin=access.is_admin):
        refuse_admin_action(access, "Only the circle's mentor or the program's admins can end it.")
    form = CircleEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.circle_end(
                circle=circle,
                actor=request.user,
                completed=form.cleaned_data["outcome"] == "completed",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The circle is closed; its members are told.")
            return redirect(circle)
    return render(
        request,
        "matching/circle_end.html",
        {"access": access, "program": access.program, "circle": circle, "form": form},
    )


urlpatterns: list[URLPattern] = [
    path("circles/", circle_list, name="circles"),
    path("circles/new/", circle_create, name="circle_create"),
    path("circles/<int:pk>/", circle_detail, name="circle"),
    path("circles/<int:pk>/edit/", circle_edit, name="circle_edit"),
    path("circles/<int:pk>/join/", circle_join, name="circle_join"),
    path("circles/<int:pk>/members/add/", circle_member_add, name="circle_member_add"),
    path("circles/<int:pk>/end/", circle_end, name="circle_end"),
    path("circles/members/<int:pk>/decide/", circle_member_decide, name="circle_member_decide"),
    path("circles/members/<int:pk>/remove/", circle_member_remove, name="circle_member_remove"),
]
