"""Change stamps (database triggers) and the whole-page cache built on them.

A cached page must never be older than the last committed change it could show: every
write, however it is made (save, update, bulk_create, delete, raw SQL), moves the stamps
of the scopes it touches, and nothing else's.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib import messages
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring import pagecache, stamps
from mentoring.models import User
from programs.models import Membership, Program
from sessions.models import Agenda, Meeting
from sessions.tests.conftest import make_world

pytestmark = pytest.mark.django_db


def read(user: User) -> str:
    return stamps.read(user.pk)


def test_every_stamped_table_belongs_to_a_scope():
    """A table with no way to a program or a person would change pages without moving a
    stamp: a new model must be reachable (or this test says which is not)."""
    orphans = [
        m._meta.db_table for m in stamps.stamped_models() if not stamps.scope_selects(m, "t")
    ]
    assert orphans == []


def test_triggers_are_installed_on_every_stamped_table():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name LIKE 'pagestamp_%%'"
            )
        else:
            cursor.execute("SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger'")
        installed = {row[0] for row in cursor.fetchall()}
    assert {m._meta.db_table for m in stamps.stamped_models()} <= installed


def test_any_kind_of_write_moves_the_viewers_stamps_and_only_theirs():
    world = make_world()
    mentee, outsider = world.mentee, world.outsider
    meeting = Meeting.objects.create(
        workspace=world.workspace,
        starts_at=timezone.now() + dt.timedelta(days=2),
        duration_minutes=45,
    )

    def moves(write) -> tuple[bool, bool]:
        before = read(mentee), read(outsider)
        write()
        after = read(mentee), read(outsider)
        return before[0] != after[0], before[1] != after[1]

    later = timezone.now() + dt.timedelta(days=3)
    assert moves(lambda: Meeting.objects.filter(pk=meeting.pk).update(starts_at=later)) == (
        True,
        False,
    )
    assert moves(
        lambda: Agenda.objects.bulk_create([Agenda(meeting=meeting, author=mentee, topics="x")])
    ) == (True, False)
    assert moves(lambda: Agenda.objects.filter(meeting=meeting).delete()) == (True, False)

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE mentoring_sessions_meeting SET duration_minutes = 50 WHERE id = %s",
                [meeting.pk],
            )

    assert moves(raw) == (True, False)
    # The outsider's program: the mentee's stamps stay.
    assert moves(
        lambda: Program.objects.filter(memberships__user=outsider).update(name="Elsewhere")
    ) == (False, True)
    # A read moves nothing.
    assert moves(lambda: list(Meeting.objects.all())) == (False, False)


def test_a_persons_own_rows_and_name_move_their_programs_stamps():
    world = make_world()
    before = read(world.admin)
    User.objects.filter(pk=world.mentee.pk).update(name="Renamed Person")
    assert read(world.admin) != before  # the admin's program shows the mentee's name
    mine, theirs = read(world.mentee), read(world.admin)
    world.mentee.notifications.create(title="Hello", category="workspace")
    assert read(world.mentee) != mine
    assert read(world.admin) == theirs  # someone else's notification


def test_signing_in_moves_no_one_elses_stamps():
    world = make_world()
    mine, theirs = read(world.mentee), read(world.admin)
    User.objects.filter(pk=world.mentee.pk).update(last_login=timezone.now())
    User.objects.filter(pk=world.mentee.pk).update(password="md5$x$rehashed")
    assert (read(world.mentee), read(world.admin)) == (mine, theirs)
    User.objects.filter(pk=world.mentee.pk).update(title="Analyst", last_login=None)
    assert read(world.mentee) != mine
    assert read(world.admin) != theirs


def test_a_page_under_a_program_depends_on_that_program_alone():
    world = make_world()
    elsewhere = Program.objects.get(memberships__user=world.outsider)
    Membership.objects.create(program=elsewhere, user=world.admin, role=Membership.Role.MENTOR)
    slug = world.program.slug
    here = stamps.read(world.admin.pk, slug)
    everywhere = read(world.admin)
    Program.objects.filter(pk=elsewhere.pk).update(name="Another name")
    assert stamps.read(world.admin.pk, slug) == here
    assert read(world.admin) != everywhere  # the home page shows both
    Program.objects.filter(pk=world.program.pk).update(name="This name")
    assert stamps.read(world.admin.pk, slug) != here


def test_leaving_a_program_changes_the_key_even_of_a_program_never_written_since():
    """A database upgraded to the stamps has no row for most programs yet: the list of
    scopes itself must change when someone leaves."""
    world = make_world()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM mentoring_pagestamp")
    before = read(world.mentee)
    assert f"p{world.program.pk}=0" in before
    with connection.cursor() as cursor:  # as an older trigger would: no stamp at all
        cursor.execute("DELETE FROM mentoring_pagestamp")
    Membership.objects.filter(user=world.mentee, program=world.program).delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM mentoring_pagestamp")
    assert read(world.mentee) != before


def test_the_triggers_come_off_for_migrations_and_back_after():
    world = make_world()

    def meet() -> None:
        Meeting.objects.create(
            workspace=world.workspace, starts_at=timezone.now(), duration_minutes=30
        )

    stamps.uninstall()
    before = read(world.mentee)
    meet()
    assert read(world.mentee) == before  # no trigger: nothing counted
    stamps.install()
    meet()
    assert read(world.mentee) != before


def test_a_rolled_back_write_leaves_the_stamps():
    world = make_world()
    before = read(world.mentee)
    with transaction.atomic():
        Meeting.objects.filter(workspace=world.workspace).update(duration_minutes=10)
        transaction.set_rollback(True)
    assert read(world.mentee) == before


def test_compaction_folds_rows_and_keeps_every_sum():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL keeps a row per writing transaction (CI runs this there)")
    world = make_world()
    for minutes in (30, 40, 50):  # three savepoints: the same transaction, one row
        with transaction.atomic():
            Meeting.objects.filter(workspace=world.workspace).update(duration_minutes=minutes)
    before = read(world.mentee)
    with connection.cursor() as cursor:
        # Rows as other transactions leave them: one per transaction id.
        cursor.execute(
            "INSERT INTO mentoring_pagestamp (scope, tx, weight) VALUES (%s, -1, 2), (%s, -2, 3)",
            [f"p{world.program.pk}", f"p{world.program.pk}"],
        )
    grown = read(world.mentee)
    assert grown != before
    assert stamps.compact() >= 2
    assert read(world.mentee) == grown
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM mentoring_pagestamp WHERE scope = %s", [f"p{world.program.pk}"]
        )
        assert cursor.fetchone()[0] == 1


# --- The page cache ----------------------------------------------------------------


def queries(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_a_page_is_served_from_the_cache_until_something_it_shows_changes():
    world = make_world()
    client = world.client("mentee")
    url = reverse("home")
    first, _ = queries(client, url)
    hit, body = queries(client, url)
    # The session, the user and the stamps: nothing of the page itself.
    assert hit == 3 < first
    assert "Renamed Mentor" not in body
    User.objects.filter(pk=world.mentor.pk).update(name="Renamed Mentor")
    miss, body = queries(client, url)
    assert miss > hit
    assert "Renamed Mentor" in body
    assert queries(client, url)[0] == hit


def test_each_viewer_has_their_own_page():
    world = make_world()
    url = reverse("workspace:detail", kwargs={"slug": world.program.slug, "pk": world.workspace.pk})
    mentee, mentor = world.client("mentee"), world.client("mentor")
    for client in (mentee, mentor):
        client.get(url)
    for client, who in ((mentee, world.mentee), (mentor, world.mentor)):
        hit, body = queries(client, url)
        assert hit == 3
        assert f"</i> {who.display_name}" in body  # the navbar names who is signed in
    # The outsider gets 404, and a 404 is never kept.
    outsider = world.client("outsider")
    assert outsider.get(url).status_code == 404
    assert outsider.get(url).status_code == 404
    # A mentee removed from the program loses the page at once.
    Membership.objects.filter(user=world.mentee, program=world.program).delete()
    assert mentee.get(url).status_code == 404


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_the_csrf_token_of_a_cached_page_belongs_to_the_browser_that_gets_it():
    world = make_world()
    url = reverse("home")
    # Three browsers of the same person (signing in writes to the person's row).
    one, two, three = (Client(enforce_csrf_checks=True) for _ in range(3))
    for client in (one, two, three):
        client.force_login(world.mentee)
    one.get(url)
    assert queries(one, url)[0] == 3
    # The second, without a CSRF cookie yet: the kept page, with a token made for it
    # (and the cookie that goes with it).
    with CaptureQueriesContext(connection) as captured:
        page = two.get(url)
    assert len(captured) == 3
    body = page.content.decode()
    assert "\x00" not in body
    tokens = set(TOKEN.findall(body))
    assert len(tokens) == 1
    assert "csrftoken" in page.cookies
    assert tokens.isdisjoint(TOKEN.findall(one.get(url).content.decode()))
    # The form on the kept page posts.
    signed_out = two.post(reverse("account_logout"), {"csrfmiddlewaretoken": tokens.pop()})
    assert signed_out.status_code == 302
    # A token from the other browser's page does not pass here.
    three = Client(enforce_csrf_checks=True)
    three.force_login(world.mentee)
    three.get(url)
    foreign = TOKEN.findall(one.get(url).content.decode())[0]
    assert (
        three.post(reverse("account_logout"), {"csrfmiddlewaretoken": foreign}).status_code == 403
    )


def test_a_page_with_messages_to_show_is_rendered_and_not_kept(rf):
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage

    world = make_world()
    client = world.client("mentee")
    url = reverse("home")
    client.get(url)
    hit, _ = queries(client, url)
    # A message left for the next page (as a form's redirect leaves it).
    storage = CookieStorage(rf.get("/"))
    client.cookies[storage.cookie_name] = storage._encode(  # type: ignore[attr-defined]
        [Message(messages.SUCCESS, "Your agenda is saved.")]
    )
    shown, body = queries(client, url)
    assert shown > hit
    assert "Your agenda is saved." in body
    again, body = queries(client, url)
    assert again == hit
    assert "Your agenda is saved." not in body


def test_htmx_requests_and_posts_are_never_served_from_the_cache():
    world = make_world()
    client = world.client("mentee")
    url = reverse("home")
    client.get(url)
    hit, _ = queries(client, url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, headers={"HX-Request": "true"})
    assert len(captured) > hit


def test_wording_that_follows_the_clock_is_at_most_a_minute_old(settings):
    world = make_world()
    client = world.client("mentee")
    url = reverse("home")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.get(url)
        hit, _ = queries(client, url)
        traveller.shift(dt.timedelta(seconds=settings.PAGE_CACHE_SECONDS))
        assert queries(client, url)[0] > hit


def test_the_dashboard_is_not_served_past_its_figures_minute(settings):
    # However long the viewer's bucket, the page goes with the figures it shows.
    settings.PAGE_CACHE_SECONDS = 3600
    world = make_world()
    client = world.client("admin")
    url = reverse("health:dashboard", kwargs={"slug": world.program.slug})
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    with time_machine.travel(start + dt.timedelta(seconds=5), tick=False) as traveller:
        client.get(url)
        hit, _ = queries(client, url)
        assert hit == 3
        traveller.shift(dt.timedelta(seconds=59))
        assert queries(client, url)[0] == hit
        traveller.shift(dt.timedelta(seconds=1))
        assert queries(client, url)[0] > hit
        assert queries(client, url)[0] == hit


def test_the_cache_can_be_turned_off(settings):
    settings.PAGE_CACHE = False
    world = make_world()
    client = world.client("mentee")
    url = reverse("home")
    first, _ = queries(client, url)
    assert queries(client, url)[0] == first


def test_the_build_names_the_code_on_disk(monkeypatch):
    pagecache.build.cache_clear()
    monkeypatch.setenv("CONSTELLATION_BUILD", "release-42")
    assert pagecache.build() == "release-42"
    pagecache.build.cache_clear()
    monkeypatch.delenv("CONSTELLATION_BUILD")
    assert re.fullmatch(r"[0-9a-f]{16}", pagecache.build())
    pagecache.build.cache_clear()


def test_the_beat_folds_the_stamps():
    from mentoring.celery import app
    from mentoring.tasks import compact_page_stamps

    assert app.conf.beat_schedule["compact-page-stamps"]["task"] == compact_page_stamps.name
    make_world()
    assert compact_page_stamps.delay().get() >= 0


def test_the_redis_cache_keeps_one_client_per_server():
    """Django builds a Redis client per operation (some 170 callbacks filled each time);
    ours keeps one, for reads and writes alike on a single server."""
    from mentoring.cache import RedisCache

    backend = RedisCache("redis://127.0.0.1:6379/15", {})._cache  # type: ignore[attr-defined]
    client = backend.get_client("k")
    assert backend.get_client("other") is client
    assert backend.get_client("k", write=True) is client


def test_a_process_serves_the_pages_it_just_kept_from_its_own_memory(monkeypatch):
    world = make_world()
    client = world.client("mentee")
    url = reverse("home")
    client.get(url)
    asked = []

    class Watched:
        def __getattr__(self, name):
            asked.append(name)
            return getattr(real, name)

    real = pagecache.django_cache
    monkeypatch.setattr(pagecache, "django_cache", Watched())
    assert queries(client, url)[0] == 3
    assert "get" not in asked
