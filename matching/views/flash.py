"""Matching pages: flash mentoring.

Slot times are shown in the viewer's time zone (the middleware activates it);
a mentor types new times in their own zone.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from matching import services
from matching.access import get_flash_offer, get_flash_slot
from matching.forms_flash import FlashBookForm, FlashCancelForm, FlashFilterForm, FlashOfferForm
from matching.models import FlashOffer, FlashSlot
from matching.services.flash import booking_refusal, flash_offered, free_future_slots
from mentoring.forms import add_service_errors
from mentoring.types import AuthenticatedHttpRequest
from programs.access import get_participant_membership, get_program_access
from programs.models import Membership

Role = Membership.Role
PAGE_SIZE = 20
OFFER_FIELDS = ["title", "topic", "description", "length_minutes", "medium"]


def _offer_url(slug: str, pk: int) -> str:
    return reverse("matching:flash_offer", kwargs={"slug": slug, "pk": pk})


def _with_slot_counts(offers: QuerySet[FlashOffer]) -> QuerySet[FlashOffer]:
    now = timezone.now()
    # An aggregate drops the model's default ordering; pages need a stable one.
    return offers.order_by("-created_at", "-id").annotate(
        free_count=Count(
            "slots", filter=Q(slots__booked_by__isnull=True, slots__starts_at__gt=now)
        ),
        booked_count=Count(
            "slots", filter=Q(slots__booked_by__isnull=False, slots__starts_at__gt=now)
        ),
    )


@login_required
def flash_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug)
    program = access.program
    now = timezone.now()
    offers = FlashOffer.objects.filter(program=program).select_related("mentor__user", "topic")
    context: dict[str, object] = {
        "access": access,
        "program": program,
        "offered": flash_offered(program),
    }
    if access.is_admin:
        context["all_page"] = Paginator(_with_slot_counts(offers), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    mentor = access.memberships.get(Role.MENTOR)
    if mentor is not None:
        upcoming = FlashSlot.objects.filter(starts_at__gt=now).select_related("booked_by__user")
        context["my_offers"] = _with_slot_counts(offers.filter(mentor=mentor)).prefetch_related(
            Prefetch(
                "slots",
                queryset=upcoming.filter(booked_by__isnull=False),
                to_attr="upcoming_bookings",
            )
        )
    mentee = access.memberships.get(Role.MENTEE)
    if mentee is not None:
        context["my_bookings"] = (
            FlashSlot.objects.filter(booked_by=mentee, starts_at__gt=now)
            .select_related("offer__mentor__user", "offer__topic")
            .order_by("starts_at")
        )
        if context["offered"]:
            form = FlashFilterForm(request.GET or None, program=program)
            bookable = (
                _with_slot_counts(offers.filter(active=True))
                .filter(Q(free_count__gt=0))
                .exclude(mentor__user=request.user)
                .prefetch_related(
                    Prefetch(
                        "slots",
                        queryset=FlashSlot.objects.filter(free_future_slots(now)),
                        to_attr="free_slots",
                    )
                )
            )
            topic = form.cleaned_data.get("topic") if form.is_valid() else None
            if topic is not None:
                bookable = bookable.filter(topic=topic)
                context["query"] = f"topic={topic.pk}"
            context["filter_form"] = form
            context["bookable_page"] = Paginator(bookable, PAGE_SIZE).get_page(
                request.GET.get("page")
            )
    return render(request, "matching/flash_list.html", context)


@login_required
def flash_offer_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access, mentor = get_participant_membership(request.user, slug, Role.MENTOR)
    program = access.program
    context: dict[str, object] = {"access": access, "program": program}
    if not flash_offered(program):
        return render(request, "matching/flash_offer_form.html", context)
    form = FlashOfferForm(request.POST or None, program=program, tz=request.user.tzinfo)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.flash_offer_create(
                mentor=mentor, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{offer.title}” is offered; mentees can book it now.")
            return redirect(_offer_url(slug, offer.pk))
    context["form"] = form
    return render(request, "matching/flash_offer_form.html", context)


@login_required
def flash_offer_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, offer = get_flash_offer(request.user, slug, pk)
    now = timezone.now()
    is_mine = offer.mentor.user_id == request.user.pk
    mentee = access.memberships.get(Role.MENTEE)
    slots = list(offer.slots.select_related("booked_by__user"))
    rows = []
    for slot in slots:
        slot.offer = offer  # spare a query per slot
        mine = mentee is not None and slot.booked_by_id == mentee.pk
        rows.append(
            {
                "slot": slot,
                "past": slot.starts_at <= now,
                "mine": mine,
                # Who booked is the pair's business, and the admins' (they see who is matched).
                "show_booker": is_mine or access.is_admin,
                # The note and the pairing are the pair's own.
                "show_details": slot.is_booked and (mine or is_mine),
                "can_cancel": slot.is_booked and slot.starts_at > now and (mine or is_mine),
                "can_book": mentee is not None and not booking_refusal(slot, request.user, now),
            }
        )
    return render(
        request,
        "matching/flash_offer_detail.html",
        {
            "access": access,
            "program": access.program,
            "offer": offer,
            "rows": rows,
            "is_mine": is_mine,
            "can_close": offer.active and (is_mine or access.is_admin),
            "offered": flash_offered(access.program),
            "cancel_form": FlashCancelForm(),
        },
    )


@login_required
def flash_offer_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, offer = get_flash_offer(request.user, slug, pk)
    if offer.mentor.user_id != request.user.pk:
        raise PermissionDenied("Only the mentor who made this offer can change it.")
    free = offer.slots.filter(booked_by__isnull=True)
    form = FlashOfferForm(
        request.POST or None,
        program=access.program,
        tz=request.user.tzinfo,
        free_slots=free,
        initial=model_to_dict(offer, fields=OFFER_FIELDS),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.flash_offer_update(
                offer=offer,
                actor=request.user,
                add_slots=data.pop("slots"),
                remove_slots=data.pop("remove"),
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your offer is saved.")
            return redirect(_offer_url(slug, offer.pk))
    return render(
        request,
        "matching/flash_offer_form.html",
        {"access": access, "program": access.program, "offer": offer, "form": form},
    )


@login_required
@require_POST
def flash_offer_close(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, offer = get_flash_offer(request.user, slug, pk)
    if offer.mentor.user_id != request.user.pk and not access.is_admin:
        raise PermissionDenied("Only the offer's mentor or the program's admins can close it.")
    try:
        services.flash_offer_close(offer=offer, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The offer is closed to new bookings; bookings made stay.")
    return redirect(_offer_url(slug, offer.pk))


@login_required
def flash_book(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    access, slot = get_flash_slot(request.user, slug, pk)
    get_participant_membership(request.user, slug, Role.MENTEE)
    form = FlashBookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flash_book(slot=slot, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                "Booked. The meeting details will be in your flash pairing with "
                f"{slot.offer.mentor.user}; the mentor is told.",
            )
            return redirect(_offer_url(slug, slot.offer_id))
    return render(
        request,
        "matching/flash_book.html",
        {
            "access": access,
            "program": access.program,
            "slot": slot,
            "offer": slot.offer,
            "refusal": booking_refusal(slot, request.user),
            "form": form,
        },
    )


@login_required
@require_POST
def flash_cancel(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    _, slot = get_flash_slot(request.user, slug, pk)
    booker = slot.booked_by.user_id if slot.booked_by else None
    if request.user.pk not in (slot.offer.mentor.user_id, booker):
        raise PermissionDenied("Only the mentee who booked and the mentor can cancel a booking.")
    form = FlashCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why you cancel, in a few words (under 1,000 characters).")
        return redirect(_offer_url(slug, slot.offer_id))
    try:
        services.flash_cancel_booking(slot=slot, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The booking is cancelled and the time is free again.")
    return redirect(_offer_url(slug, slot.offer_id))


urlpatterns: list[URLPattern] = [
    path("flash/", flash_list, name="flash"),
    path("flash/new/", flash_offer_create, name="flash_offer_create"),
    path("flash/<int:pk>/", flash_offer_detail, name="flash_offer"),
    path("flash/<int:pk>/edit/", flash_offer_edit, name="flash_offer_edit"),
    path("flash/<int:pk>/close/", flash_offer_close, name="flash_offer_close"),
    path("flash/slots/<int:pk>/book/", flash_book, name="flash_book"),
    path("flash/slots/<int:pk>/cancel/", flash_cancel, name="flash_cancel"),
]
