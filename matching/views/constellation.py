"""The constellation page: my relationships across programs, and "who can help you with that?"

One page at ``/constellation/``, for every signed-in person and about them only (there is
no URL for anybody else's constellation). The search is a GET form on the same page; an
htmx request for it gets the results alone, and without JavaScript the whole page comes
back with them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.cache import patch_vary_headers

from matching import constellation as selectors
from mentoring.types import AuthenticatedHttpRequest

RESULTS_ID = "help-results"


@login_required
def constellation_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    search = selectors.who_can_help(request.user, request.GET.get("q"), request.GET.get("page"))
    context = {
        "search": search,
        "query": urlencode({"q": search.query}) if search.query else "",
        "min_query": selectors.MIN_QUERY,
        "max_query": selectors.MAX_QUERY,
    }
    if request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == (
        RESULTS_ID
    ):
        response = render(request, "matching/partials/_constellation_search.html", context)
    else:
        context["constellation"] = selectors.constellation(request.user)
        response = render(request, "matching/constellation.html", context)
    # The same URL answers with a fragment or a page: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


urlpatterns: list[URLPattern] = [
    path("", constellation_mine, name="mine"),
]
