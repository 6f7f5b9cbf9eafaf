"""The frame of a program's pages: its administration tabs, drawn in one pass."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from mentoring.templatetags.frame import cached_reverse, section_link
from programs.models import Program

register = template.Library()

# (URL name, label, shown when the program has this switched on, under the URL = section).
# Every program page is under the overview's URL, so the overview is never a section.
TABS: tuple[tuple[str, str, str | None, bool], ...] = (
    ("programs:detail", "Overview", None, False),
    ("programs:participants", "Participants", None, True),
    ("matching:board", "Matching", None, True),
    ("matching:pairings", "Pairings", None, True),
    ("matching:circles", "Circles", "allow_circles", True),
    ("matching:flash", "Flash", "allow_flash", True),
    ("health:dashboard", "Health", None, True),
    ("exports:index", "Exports", None, True),
    ("programs:invitations", "Invitations", None, True),
    ("programs:import", "Import", None, True),
    ("programs:questions", "Enrolment questions", None, True),
    ("programs:topics", "Topics", None, True),
    ("programs:admins", "Admins", None, True),
    ("programs:edit", "Settings", None, True),
    ("audit:program", "Audit trail", None, True),
)


def admin_tabs(program: Program, path: str) -> SafeString:
    links = (
        section_link(path, cached_reverse(name, program.slug), label, "nav-link", section=section)
        for name, label, switch, section in TABS
        if switch is None or getattr(program, switch)
    )
    items = format_html_join("\n    ", '<li class="nav-item">{}</li>', ((link,) for link in links))
    return mark_safe(  # noqa: S308 - every part is escaped above
        '<nav aria-label="Program administration" class="mb-4">\n'
        '  <ul class="nav nav-tabs program-tabs flex-wrap">\n'
        f"    {items}\n"
        "  </ul>\n"
        "</nav>"
    )


@register.simple_tag(takes_context=True)
def program_admin_tabs(context: dict[str, Any], program: Program | None = None) -> SafeString:
    """The tabs of a program's administration, the current one marked (aria-current)."""
    request = context.get("request")
    return admin_tabs(program or context["program"], request.path if request else "")
