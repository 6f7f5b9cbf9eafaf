"""The participant directory's rows, drawn in one pass (25 rows of a dozen fields each
cost more through the template engine than the rest of the page)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from programs.models import Membership

register = template.Library()

DASH = "—"


def _enrolled(m: Membership) -> SafeString:
    if m.enrolled_at is None:
        return format_html('<span class="text-muted">{}</span>', "not yet")
    return format_html(
        '<span class="text-success"><i class="bi bi-check-circle-fill" aria-hidden="true"></i>'
        " {}</span>",
        format_date(timezone.localtime(m.enrolled_at), "j M"),
    )


@register.simple_tag
def directory_rows(people: Iterable[Membership], show_cohort: bool) -> SafeString:
    """One <tr> per participant: name (linked, ``m.directory_url``) and e-mail, role,
    department, cohort (``show_cohort``), topics (``m.topic_names``), enrolment date."""
    cohort = "<td>{cohort}</td>" if show_cohort else ""
    row = (
        '<tr>\n  <td><a href="{url}">{name}</a><div class="small text-muted">{email}</div></td>\n'
        "  <td>{role}</td>\n  <td>{department}</td>\n  " + cohort + '<td class="small">{topics}'
        "</td>\n  <td>{enrolled}</td>\n</tr>\n"
    )
    return format_html_join(
        "",
        row,
        (
            {
                "url": m.directory_url,  # type: ignore[attr-defined]
                "name": m.user.display_name,
                "email": m.user.email,
                "role": m.get_role_display(),
                "department": m.department or DASH,
                "cohort": m.cohort or DASH,
                "topics": m.topic_names or DASH,  # type: ignore[attr-defined]
                "enrolled": _enrolled(m),
            }
            for m in people
        ),
    )
