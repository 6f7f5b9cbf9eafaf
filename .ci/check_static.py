"""Production static files work: after collectstatic, real pages answer with hashed URLs.

Run by `make check-static` with production settings: DJANGO_DEBUG=false, a
generated secret key, DJANGO_ALLOWED_HOSTS including testserver, and a
temporary DJANGO_STATIC_ROOT and database. It migrates, runs collectstatic and
then fails unless the sign-in page, a signed-in home page and a missing page
(404) render with every /static/ URL a hashed name from the manifest that
WhiteNoise serves, and /healthz answers 200, over plain HTTP too.

With debug off the manifest storage raises for any file that collectstatic did
not collect, which turns every page into a 500: this is what catches it.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]

# ManifestStaticFilesStorage inserts the first 12 hex digits of the MD5 of the content.
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
STATIC_URLS = re.compile(r"""(?:src|href)=["'](/static/[^"'?#]+)""")


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
    django.setup()

    from django.conf import settings
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from mentoring.models import User

    problems: list[str] = []

    def check(ok: bool, message: str) -> bool:
        sys.stdout.write(f"{'ok  ' if ok else 'FAIL'} {message}\n")
        if not ok:
            problems.append(message)
        return ok

    if not check(not settings.DEBUG, "DEBUG is off (production settings)"):
        return 1
    if not check(
        isinstance(staticfiles_storage, ManifestFilesMixin),
        f"static files use manifest storage ({settings.STORAGES['staticfiles']['BACKEND']})",
    ):
        return 1
    if not check("testserver" in settings.ALLOWED_HOSTS, "ALLOWED_HOSTS includes testserver"):
        return 1

    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    manifest = settings.STATIC_ROOT / "staticfiles.json"
    if not check(manifest.is_file(), f"collectstatic wrote {manifest}"):
        return 1
    sys.stdout.write(
        f"     {len(json.loads(manifest.read_text())['paths'])} files in the manifest\n"
    )

    app_css = staticfiles_storage.url("css/app.css")
    check(bool(HASHED.search(app_css)), f"css/app.css has a hashed URL ({app_css})")

    # Report a server error as its status code, as a browser would see it.
    client = Client(raise_request_exception=False)
    served: set[str] = set()

    def page(url: str, expected: int, label: str) -> None:
        try:
            response = client.get(url, secure=True)
        except Exception as exc:  # the error page itself failed to render
            check(False, f"{label} {url} raised {exc!r}")
            return
        if not check(
            response.status_code == expected, f"{label} {url} answers {response.status_code}"
        ):
            return
        html = response.content.decode()
        urls = sorted(set(STATIC_URLS.findall(html)))
        check(app_css in html, f"{label}: links the hashed {app_css}")
        unhashed = [u for u in urls if not HASHED.search(u)]
        check(
            bool(urls) and not unhashed,
            f"{label}: all {len(urls)} /static/ URLs are hashed"
            + (f": not {unhashed}" if unhashed else ""),
        )
        for static_url in urls:
            if static_url in served:
                continue
            served.add(static_url)
            asset = client.get(static_url, secure=True)
            asset.close()
            check(asset.status_code == 200, f"{static_url} served ({asset.status_code})")

    page(reverse("account_login"), 200, "sign-in page")
    page("/no-such-page-here/", 404, "missing page")
    user = User.objects.create_user(email="check-static@example.org")
    client.force_login(user)
    page(reverse("home"), 200, "signed-in home page")
    client.logout()

    # The load balancer's health check comes over plain HTTP: no redirect.
    for secure in (True, False):
        response = client.get(reverse("healthz"), secure=secure)
        scheme = "https" if secure else "http"
        check(
            response.status_code == 200 and response.json() == {"status": "ok"},
            f"/healthz over {scheme} answers {response.status_code}",
        )

    if problems:
        sys.stdout.write(f"\ncheck-static FAILED: {len(problems)} problem(s)\n")
        return 1
    sys.stdout.write("\ncheck-static passed\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
