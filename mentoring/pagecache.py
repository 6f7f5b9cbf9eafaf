"""Whole pages cached per viewer, keyed by what the database has committed.

``@cached_page`` (under ``@login_required``) serves a GET from the cache when nothing the
viewer may see has changed since it was rendered for them. The key holds:

* the viewer, the URL with its query, host and scheme, time zone and language;
* the change stamps (``mentoring.stamps``) of the viewer's own rows and of the program
  in the URL (``slug``), or without one of every program they belong to; database
  triggers move them on any write, however it is made, so a page is never older than
  the last committed change it could show;
* the minute (``PAGE_CACHE_SECONDS``): wording that follows the clock ("due in 2 hours",
  "no meeting for 3 weeks") is at most that old;
* the build (the code, templates and static manifest this process runs).

A view may also say when its page stops being current (``keep_until``): the health
dashboard's figures are worked out once a minute, and its page is not served past then.

Pages are kept in the cache (Redis when ``REDIS_URL`` is set) for two time buckets, and
each process also remembers the last 64 it kept or served.

A page is rendered and not served from the cache when the request carries messages to
show, comes from htmx, or the cache is off (``PAGE_CACHE=false``). Only complete 200
responses are kept. The CSRF token in a kept page is replaced with a marker and a fresh
one for the requesting browser is put back on each hit, so pages are shared by one
viewer's browsers and a form posted from a cached page passes the CSRF check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache as django_cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import (  # type: ignore[attr-defined]  # private, stable since 4.0
    _unmask_cipher_token,
    get_token,
)
from django.utils import timezone, translation

from mentoring import stamps
from mentoring.models import User

CSRF_MARK = b"\x00csrf-token\x00"
_TOKEN = re.compile(rb"[A-Za-z0-9]{64}")
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Cache-Control")

View = Callable[..., HttpResponse]


@cache
def build() -> str:
    """What this process runs: the ``CONSTELLATION_BUILD`` variable, or a digest of the
    code, templates, requirements and collected-static manifest as they are on disk."""
    if os.environ.get("CONSTELLATION_BUILD"):
        return os.environ["CONSTELLATION_BUILD"]
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    roots = [base / name for name in ("mentoring", "programs", "matching", "sessions")]
    roots.append(base / "templates")
    files = [base / "requirements.txt"]
    for root in roots:
        files += [p for p in root.rglob("*") if p.suffix in (".py", ".html", ".txt", ".svg")]
    static_root = getattr(settings, "STATIC_ROOT", None)
    if static_root:
        files.append(Path(static_root) / "staticfiles.json")
    for path in sorted(files):
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size};".encode())
    return digest.hexdigest()[:16]


def _seconds() -> int:
    """The time bucket; 0 (or less) turns the cache off."""
    if not getattr(settings, "PAGE_CACHE", True):
        return 0
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 60))


def _pending_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(messages.get_messages(request)) > 0


def page_key(request: HttpRequest, view: str, program: str | None = None) -> str | None:
    """The cache key of this request's page, or None when it must be rendered. A page
    under a program (``program``: its slug) depends on that program and the viewer's own
    rows; any other, on every program the viewer belongs to."""
    user = getattr(request, "user", None)
    seconds = _seconds()
    if (
        seconds <= 0
        or request.method != "GET"
        or user is None
        or not user.is_authenticated
        or request.headers.get("HX-Request")
        or _pending_messages(request)
    ):
        return None
    # Each viewer's minute starts at their own second, so kept pages do not all expire
    # at once.
    bucket = (int(timezone.now().timestamp()) + user.pk % seconds) // seconds
    parts = [
        view,
        request.scheme or "",
        request.get_host(),
        request.get_full_path(),
        str(user.pk),
        str(timezone.get_current_timezone_name()),
        translation.get_language() or "",
        str(bucket),
        build(),
        stamps.read(user.pk, program),
    ]
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _keepable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and getattr(response, "is_rendered", True)
    )


def _mark_tokens(request: HttpRequest, body: bytes) -> bytes:
    """``body`` with every CSRF token of this request's secret replaced by the marker."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return body

    def swap(match: re.Match[bytes]) -> bytes:
        token = match.group(0)
        return CSRF_MARK if _unmask_cipher_token(token.decode()) == secret else token

    return _TOKEN.sub(swap, body)


_UNTIL = "_page_cache_until"


def keep_until(response: HttpResponse, moment: dt.datetime) -> HttpResponse:
    """Serve ``response`` from the cache only before ``moment``: for a page showing
    figures that are themselves kept for a while (the health dashboard's), whose expiry
    the change stamps cannot see."""
    setattr(response, _UNTIL, moment.timestamp())
    return response


def _current(kept: dict[str, Any]) -> bool:
    until = kept.get("until")
    return until is None or timezone.now().timestamp() < until


def _serve(request: HttpRequest, kept: dict[str, Any]) -> HttpResponse:
    body: bytes = kept["body"]
    if CSRF_MARK in body:
        body = body.replace(CSRF_MARK, get_token(request).encode())
    response = HttpResponse(body)
    for header, value in kept["headers"]:
        response[header] = value
    return response


class _Recent:
    """The last pages this process kept or served, by their full cache key: a page one
    worker has just served is likely asked of it again, and this saves the trip to the
    cache server. The key says everything the page depends on, so an entry is never
    stale, only no longer asked for; the oldest go first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def put(self, key: str, item: dict[str, Any]) -> None:
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_recent = _Recent(64)


def forget() -> None:
    """Drop the pages this process remembers (they stay in the shared cache)."""
    _recent.clear()


def _get(key: str) -> dict[str, Any] | None:
    full = django_cache.make_key(key)  # with the cache's prefix and version
    kept = _recent.get(full)
    if kept is None or not _current(kept):  # another process may have a newer one
        kept = django_cache.get(key)
        if kept is not None:
            _recent.put(full, kept)
    return kept


def _set(key: str, kept: dict[str, Any]) -> None:
    django_cache.set(key, kept, 2 * _seconds())
    _recent.put(django_cache.make_key(key), kept)


def cached_page(view: View) -> View:
    """Serve ``view``'s GET pages from the cache while nothing the viewer sees has changed."""
    name = f"{view.__module__}.{view.__qualname__}"

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        slug = kwargs.get("slug")
        key = page_key(request, name, slug if isinstance(slug, str) else None)
        if key is None:
            return view(request, *args, **kwargs)
        kept = _get(key)
        if kept is not None and _current(kept):
            return _serve(request, kept)
        # The user was read before the stamps were: read them again, so that nothing
        # on the page is older than the key says.
        user = User.objects.filter(pk=cast(int, request.user.pk), is_active=True).first()
        if user is None:  # gone meanwhile: the page as the request found it, not kept
            return view(request, *args, **kwargs)
        request.user = user
        timezone.activate(user.tzinfo)
        response = view(request, *args, **kwargs)
        if _keepable(response):
            kept = {
                "body": _mark_tokens(request, response.content),
                "headers": [(h, response[h]) for h in _KEPT_HEADERS if h in response],
                "until": getattr(response, _UNTIL, None),
            }
            _set(key, kept)
        return response

    return wrapped
