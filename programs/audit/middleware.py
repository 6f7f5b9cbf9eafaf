"""Remember the request being served (for events recorded deeper down), and record every
403 and 404 that a view inside a program raises for a signed-in person: under that program
when they are one of its members, with no program (and the slug in the detail) otherwise.

A normal request costs a context variable set and reset: no query, no lookup.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from programs.audit import services
from programs.models import Membership

# URL keyword arguments that name a program: /programs/<slug>/..., its workspaces,
# health and exports, all of them.
PROGRAM_KWARG = "slug"
SLUG_MAX = 60


class AuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = services.current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            services.current_request.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, Http404):
            action = services.Action.ACCESS_NOT_FOUND
        elif isinstance(exception, PermissionDenied):
            action = services.Action.ACCESS_DENIED
        else:
            return None
        match = request.resolver_match
        slug = match.kwargs.get(PROGRAM_KWARG) if match is not None else None
        if not isinstance(slug, str):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # Filed under the program only when the person belongs to it: its admins read its
        # trail, and an outsider's address and browser are none of their business.
        try:
            program_id = (
                Membership.objects.filter(program__slug=slug[:SLUG_MAX], user_id=user.pk)
                .values_list("program_id", flat=True)
                .first()
            )
        except Exception:
            services.logger.exception("Could not look up the program of a refused request")
            program_id = None
        detail = {"view": match.view_name if match else "", "method": request.method or ""}
        if program_id is None:
            detail["slug"] = slug
        services.record(action, request=request, actor=user, program=program_id, detail=detail)
        # Django answers with its 403 or 404 page as before.
        return None
