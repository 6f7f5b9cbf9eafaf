"""Shared fixtures: the personas every view is tested with, and service guards.

Personas, as in healthchecks' BaseTestCase: a program with its admin, a mentor
and a mentee; an outsider who is signed in but belongs to another program;
and the anonymous visitor.
"""

import copy
import os
import uuid
from dataclasses import dataclass

import pytest
from django.test import Client

from mentoring.browser import CHROMIUM, CHROMIUM_FLAGS
from mentoring.models import User
from mentoring.tests.factories import UserFactory
from programs.models import Membership, Program
from programs.tests.factories import MembershipFactory, ProgramFactory

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_service(name: str, reachable: bool, detail: str = "") -> None:
    """Skip a test whose service is missing, except in CI, where that is a failure."""
    if reachable:
        return
    message = f"{name} is not reachable{': ' + detail if detail else ''}"
    if IN_CI:
        pytest.fail(f"{message} (CI must run every service test)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets its own cache namespace (rate limits, MFA codes ...).

    Clearing the cache instead would flush a shared Redis database.
    """
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture
def page_cache_off(settings):
    """Render every page (mentoring.pagecache off): query budgets measure what a page
    costs to build, and tests that read ``response.context`` need it built. What the
    cache costs and when it serves is tested in mentoring/tests/test_pagecache.py."""
    settings.PAGE_CACHE = False


@dataclass
class Personas:
    program: Program
    admin: User
    mentor: User
    mentee: User
    outsider: User
    other_program: Program

    def client(self, who: str) -> Client:
        client = Client()
        if who != "anonymous":
            client.force_login(getattr(self, who))
        return client

    def membership(self, who: str) -> Membership:
        user = getattr(self, who)
        return Membership.objects.get(program=self.program, user=user)


@pytest.fixture
def personas(db) -> Personas:
    program = ProgramFactory.create()
    admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    mentor = MembershipFactory.create(program=program, role=Membership.Role.MENTOR).user
    mentee = MembershipFactory.create(program=program, role=Membership.Role.MENTEE).user
    other = ProgramFactory.create()
    # The outsider is an admin elsewhere: a powerful user, just not here.
    outsider = MembershipFactory.create(program=other, role=Membership.Role.ADMIN).user
    return Personas(program, admin, mentor, mentee, outsider, other)


@pytest.fixture
def staff_user(db) -> User:
    return UserFactory.create(is_staff=True)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never Playwright's own download)."""
    require_service("Chromium", os.path.exists(CHROMIUM), f"install Debian's chromium ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test still
    # talks to the database synchronously, which is safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (separate cookies), closed afterwards. A test
    whose pages broke the Content Security Policy (Chromium says so on the console, for
    a blocked script, style, font, image or connection) fails."""
    contexts = []
    refused: list[str] = []

    def watch(message) -> None:
        if "Content Security Policy" in message.text:
            refused.append(f"{message.location.get('url', '')}: {message.text}")

    def open_page():
        context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
        context.set_default_timeout(15_000)
        context.on("console", watch)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    assert not refused, "the Content Security Policy refused:\n" + "\n".join(refused)
