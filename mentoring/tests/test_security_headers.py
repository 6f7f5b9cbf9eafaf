"""Every response carries the security headers: a Content Security Policy without inline
script, style or eval, no framing, no sniffing, a same-origin referrer; pages served from
the page cache too."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_protected(response) -> None:
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    everything = " ".join(" ".join(v) for v in directives.values())
    assert "unsafe-inline" not in everything
    assert "unsafe-eval" not in everything
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("url_name", ["account_login", "healthz", "home"])
def test_anonymous_pages_and_redirects_carry_the_headers(client, url_name):
    assert_protected(client.get(reverse(url_name)))


def test_a_page_served_from_the_page_cache_carries_them_too(personas):
    client = personas.client("mentee")
    url = reverse("home")
    first = client.get(url)
    again = client.get(url)
    assert first.status_code == again.status_code == 200
    assert_protected(first)
    assert_protected(again)


def test_an_error_page_carries_them(personas):
    response = personas.client("outsider").get(f"/programs/{personas.program.slug}/manage/")
    assert response.status_code in (403, 404)
    assert_protected(response)


def test_the_pages_hold_no_inline_script_or_style(personas):
    for who in ("mentee", "mentor", "admin"):
        body = personas.client(who).get(reverse("home")).content.decode()
        assert "<script>" not in body
        assert "<script " not in body.replace("<script src=", "")
        assert "<style" not in body
        assert " style=" not in body
        assert " onclick=" not in body
