"""Regenerate the README's screenshots from the demo, in Debian's Chromium.

``make screenshots`` runs this: a throwaway SQLite database gets the demo data and one
run of the reminder sweeps (so the pages look as they do in ``make demo``), a
development server serves it, and Playwright drives ``/usr/bin/chromium`` (never a
browser Playwright downloads) to each page, signed in as the demo person who sees it.

    .venv/bin/python docs/screenshots.py [--out docs]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from docs/: the project's modules too

from mentoring.browser import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

PASSWORD = "constellation-demo"  # noqa: S105  (the documented demo password)
SLUG = "northwind-leaders-2026"  # the demo program with five months of history
# (file name, who signs in, path, what must be on the page before the picture is taken)
SHOTS = [
    ("health-dashboard.png", "admin@demo.test", f"/programs/{SLUG}/health/", "Program health"),
    ("constellation.png", "mentee@demo.test", "/constellation/?q=negotiation", "can help with"),
    ("home.png", "mentor@demo.test", "/", "Needs you now"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own local server)
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def take(base: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for name, email, path, expect in SHOTS:
            context = browser.new_context(
                viewport={"width": 1280, "height": 900},
                device_scale_factor=1,
                locale="en-GB",
                timezone_id="Europe/London",
                reduced_motion="reduce",
            )
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign In").click()
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            page.goto(f"{base}{path}")
            page.get_by_text(expect, exact=False).first.wait_for()
            page.wait_for_load_state("networkidle")
            target = out / name
            page.screenshot(path=str(target), full_page=True)
            written.append(target)
            context.close()
        browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        print(f"error: {CHROMIUM} is missing; install Debian's chromium", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
            "DJANGO_DEBUG": "true",
            # As in `make demo`: the demo admin has no authenticator app to sign in with.
            "ADMIN_MFA_REQUIRED": "false",
            "DATABASE_URL": f"sqlite:///{tmp}/screenshots.sqlite3",
        }
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        manage(env, "run_sweeps")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/healthz")
            for path in take(base, args.out):
                print(f"screenshot {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        finally:
            server.terminate()
            server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
