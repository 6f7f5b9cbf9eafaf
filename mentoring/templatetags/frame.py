"""What every page's frame needs, cheaply: URLs and static files resolved once per process.

``{% url %}`` and ``{% static %}`` redo the same work on every request (a resolver walk, a
manifest lookup) for answers that never change while the URLconf, the script prefix and
the storage stay the same. These tags remember each answer under all of those, and forget
everything when a test changes the settings they depend on.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=4096)
def _reverse(
    urlconf: str | None, prefix: str, language: str | None, name: str, args: tuple[Any, ...]
) -> str:
    return reverse(name, urlconf=urlconf, args=args or None)


def cached_reverse(name: str, *args: Any) -> str:
    """``reverse(name, args=args)``, remembered per URLconf, script prefix and language.

    For URLs whose arguments come from a small set (no arguments, a program's slug)."""
    return _reverse(get_urlconf(), get_script_prefix(), get_language(), name, args)


@lru_cache(maxsize=256)
def _static(path: str) -> str:
    return static(path)


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _reverse.cache_clear()
    if setting in ("STATIC_URL", "STATIC_ROOT", "STORAGES", "STATICFILES_DIRS", "DEBUG"):
        _static.cache_clear()


@register.simple_tag
def fixed_url(name: str, *args: Any) -> str:
    """``{% url name arg... %}`` for URLs that depend only on their (few) arguments."""
    return cached_reverse(name, *args)


@register.simple_tag
def fixed_static(path: str) -> str:
    """``{% static path %}``, looked up once per process."""
    return _static(path)


def section_link(path: str, url: str, label: str, css: str, *, section: bool = True) -> str:
    """A link in a navigation list, as ``partials/_section_link.html`` draws it:
    aria-current="page" when it is the page shown, aria-current="true" when the page
    shown belongs to its section (with ``section``, any page under its URL)."""
    if path == url:
        return format_html(
            '<a class="{} active" aria-current="page" href="{}">{}</a>', css, url, label
        )
    if section and url in path:
        return format_html(
            '<a class="{} active" aria-current="true" href="{}">{}</a>', css, url, label
        )
    return format_html('<a class="{}" href="{}">{}</a>', css, url, label)
