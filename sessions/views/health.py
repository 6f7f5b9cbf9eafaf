"""The program health dashboard and the pairs behind each of its figures (program admins)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from mentoring.pagecache import cached_page, keep_until
from mentoring.types import AuthenticatedHttpRequest
from programs.access import ProgramAccess, get_program_access
from programs.models import Program
from sessions import health
from sessions.health.figures import SECONDS, cache_key, fresh

PAGE_SIZE = 25
BODY = "sessions/health/partials/_dashboard_body.html"


@dataclass(frozen=True)
class Card:
    """One figure of the dashboard, in words, with the link to the pairs behind it."""

    id: str
    title: str
    value: str
    detail: str
    help: str
    url: str


def _pct(share: health.figures.Share) -> str:
    return "—" if share.pct is None else f"{share.pct}%"


def _one(value: float | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value:.1f}{suffix}"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _cards(d: health.Dashboard, program: Program, base: str) -> list[Card]:
    pairs = reverse("health:pairs", kwargs={"slug": program.slug})

    def url(figure: str) -> str:
        return f"{pairs}?{base}figure={figure}"

    circles = " or a seat in a circle" if d.circles_counted else ""
    return [
        Card(
            "match",
            "Match rate",
            _pct(d.match),
            f"{d.match.part} of {_plural(d.match.whole, 'enrolled mentee', 'enrolled mentees')}",
            f"Enrolled mentees with an active or completed pairing{circles}.",
            url("matched"),
        ),
        Card(
            "meetings",
            "Meetings per pair per month",
            _one(d.per_month),
            f"{_plural(d.held_running, 'meeting', 'meetings')} held by "
            f"{_plural(d.running, 'running pair', 'running pairs')}",
            "Meetings held by running one-to-one pairs, divided by the months they have run "
            "(flash sessions meet once and are left out).",
            url("meetings"),
        ),
        Card(
            "agendas",
            "Agendas on time",
            _pct(d.agendas),
            f"{d.agendas.part} of {_plural(d.agendas.whole, 'held meeting', 'held meetings')}",
            "A held meeting whose agenda was submitted at least "
            f"{program.agenda_lead_hours} hours before it began (the program's agenda "
            "deadline); a meeting without an agenda counts as late.",
            url("agendas"),
        ),
        Card(
            "ratings",
            "Check-in rating",
            _one(d.rating, " of 5"),
            f"from {_plural(d.checkins, 'check-in', 'check-ins')}",
            "The average rating participants gave their meetings when they checked in "
            "afterwards (1 to 5).",
            url("ratings"),
        ),
        Card(
            "actions",
            "Action items done on time",
            _pct(d.actions),
            f"{d.actions.part} of {_plural(d.actions.whole, 'item', 'items')} due",
            "Items with a due date that were done or are past due (dropped ones aside); "
            "on time means done no later than the due date.",
            url("actions"),
        ),
        Card(
            "reviews",
            "Mid-point reviews complete",
            _pct(d.reviews),
            f"{d.reviews.part} of {_plural(d.reviews.whole, 'pair', 'pairs')} past the mid-point",
            "Pairs past their mid-point whose mentor and mentee have both sent their "
            "mid-point review (flash sessions have none).",
            url("reviews"),
        ),
        Card(
            "values",
            "Value received / given",
            f"{_one(d.value_received)} / {_one(d.value_given)}",
            f"average of {_plural(d.midpoint_reviews, 'mid-point review', 'mid-point reviews')}",
            "In the mid-point review each participant rates the value they receive and the "
            "value they give, from 1 to 5.",
            url("values"),
        ),
    ]


def _link_base(filters: health.Filters) -> str:
    """The filters as the start of a query string that more parameters can follow."""
    query = filters.query()
    return f"{query}&" if query else ""


@dataclass(frozen=True)
class Rendered:
    """The dashboard's figures as HTML, and when they were worked out."""

    computed_at: dt.datetime
    html: SafeString


def _figures_html(access: ProgramAccess, filters: health.Filters) -> Rendered:
    """The figures, rendered once per program and filters while they are cached: a busy
    dashboard costs a cache read, not a rendering of every figure and chart."""
    program = access.program
    key = cache_key(program, filters, "html")
    found = fresh(cache.get(key), Rendered)
    if found is not None:
        return found
    d = health.program_dashboard(access, filters)
    base = _link_base(filters)
    context = {
        "program": program,
        "d": d,
        "cards": _cards(d, program, base),
        "chart": d.chart(),
        "base": base,
    }
    rendered = Rendered(d.computed_at, render_to_string(BODY, context))
    age = (timezone.now() - d.computed_at).total_seconds()
    cache.set(key, rendered, max(1, SECONDS - int(age)))
    return rendered


@login_required
@require_safe
@cached_page
def dashboard(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    program = access.program
    form = health.read_filters(program, request.GET)
    filters = form.filters()
    figures = _figures_html(access, filters)
    response = render(
        request,
        "sessions/health/dashboard.html",
        {
            "access": access,
            "program": program,
            "form": form,
            "filters": filters,
            "ignored": form.ignored(),
            "body": figures.html,
            "computed_at": figures.computed_at,
        },
    )
    # The page shows the figures of their minute: not served from the cache after it.
    return keep_until(response, figures.computed_at + dt.timedelta(seconds=SECONDS))


@login_required
@require_safe
def pair_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_program_access(request.user, slug, admin=True)
    program = access.program
    form = health.read_filters(program, request.GET)
    filters = form.filters()
    selection, not_understood = health.read_selection(request.GET)
    snapshot = health.program_pairs(access, filters)
    rows = health.select(snapshot.rows, selection)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params: dict[str, Any] = {**filters.params(), **selection.params()}
    return render(
        request,
        "sessions/health/pairs.html",
        {
            "access": access,
            "program": program,
            "form": form,
            "filters": filters,
            "selection": selection,
            "ignored": form.ignored() + not_understood,
            "page": page,
            "query": urlencode(params),
            "dashboard_query": filters.query(),
            "computed_at": snapshot.computed_at,
            "cache_seconds": SECONDS,
        },
    )


urlpatterns: list[URLPattern] = [
    path("", dashboard, name="dashboard"),
    path("pairs/", pair_list, name="pairs"),
]
