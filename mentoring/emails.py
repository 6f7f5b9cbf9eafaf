"""One helper renders and sends every e-mail.

An e-mail called ``name`` has three templates in ``templates/emails/``:
``<name>-subject.txt``, ``<name>-body-text.txt`` and ``<name>-body-html.html``.
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def render(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Return (subject, text body, html body) of the e-mail ``name``."""
    ctx = {"site_url": settings.SITE_URL, **context}
    # One line, whatever the template's whitespace.
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", ctx).split())
    text = render_to_string(f"emails/{name}-body-text.txt", ctx)
    html = render_to_string(f"emails/{name}-body-html.html", ctx)
    return subject, text, html


def send(
    name: str,
    to: str | Sequence[str],
    context: dict[str, Any],
    *,
    headers: dict[str, str] | None = None,
    attachments: Sequence[tuple[str, bytes | str, str]] = (),
) -> None:
    """Render the e-mail ``name`` with ``context`` and send it to ``to``."""
    subject, text, html = render(name, context)
    recipients = [to] if isinstance(to, str) else list(to)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()
