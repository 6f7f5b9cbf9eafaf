"""The home page's core: sections and needs registered by the apps, and the helpers of its
hand-written reads (they must read the same on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from mentoring import home, home_sections
from mentoring.home import Need, build, columns, fast_reverse, fetch, is_in, when
from mentoring.models import Notification
from mentoring.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The tests' SQL is assembled from table names and fixed words; values are parameters.
# ruff: noqa: S608

T0 = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def test_needs_are_ordered_overdue_first_then_by_due_then_undated():
    needs = [
        Need("undated", "/a/", due=None, weight=1),
        Need("later", "/b/", due=T0 + dt.timedelta(days=3)),
        Need("sooner, heavier", "/c/", due=T0 + dt.timedelta(days=1), weight=60),
        Need("sooner, lighter", "/d/", due=T0 + dt.timedelta(days=1), weight=10),
        Need("overdue", "/e/", due=T0 - dt.timedelta(days=5), overdue=True),
    ]
    ordered = [n.text for n in sorted(needs, key=Need.sort_key)]
    assert ordered == ["overdue", "sooner, lighter", "sooner, heavier", "later", "undated"]


def test_every_registered_provider_feeds_one_list(rf, monkeypatch):
    monkeypatch.setattr(home, "_needs", {})

    @home.register_needs("one")
    def one(request):
        return [Need("from one", "/1/", due=T0)]

    @home.register_needs("two")
    def two(request):
        return [Need("from two", "/2/", due=T0 - dt.timedelta(hours=1))]

    request = rf.get("/")
    assert [n.text for n in home.needs_for(request)] == ["from two", "from one"]


def test_a_long_list_says_how_many_more_there_are(rf, monkeypatch):
    monkeypatch.setattr(home, "_needs", {})
    home.register_needs("many")(lambda request: [Need(f"n{i}", "/x/") for i in range(20)])
    result = home_sections.needs_you_now(rf.get("/"))
    assert result is not None
    _template, context = result
    assert len(context["needs"]) == home_sections.NEEDS_SHOWN
    assert context["hidden"] == 20 - home_sections.NEEDS_SHOWN
    monkeypatch.setattr(home, "_needs", {})
    assert home_sections.needs_you_now(rf.get("/")) is None


@pytest.mark.parametrize("format_string", list(home._FORMATS))
@pytest.mark.parametrize("tz", ["Europe/London", "Asia/Tokyo", "America/Los_Angeles"])
def test_times_read_as_the_date_filter_writes_them(format_string, tz):
    with timezone.override(zoneinfo.ZoneInfo(tz)):
        for hours in range(0, 24 * 400, 37):  # every weekday, month and the DST changes
            moment = T0 + dt.timedelta(hours=hours)
            local = timezone.localtime(moment)
            assert when(moment, format_string) == dateformat.format(local, format_string)
            assert when(local.date(), "j M Y") == dateformat.format(local.date(), "j M Y")


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("workspace:detail", {"slug": "a-program", "pk": 7}),
        ("workspace:meeting", {"slug": "p-900000002", "pk": 12, "mid": 900000003}),
        ("workspace:goal", {"slug": "x", "pk": 1, "gid": 2}),
        ("matching:mentors", {"slug": "z9"}),
        ("home", {}),
    ],
)
def test_fast_reverse_gives_what_reverse_gives(name, kwargs):
    assert fast_reverse(name, **kwargs) == reverse(name, kwargs=kwargs)
    assert fast_reverse(name, **kwargs) == reverse(name, kwargs=kwargs)  # from what it keeps


def test_a_hand_written_read_takes_lists_of_any_length():
    users = [UserFactory.create() for _ in range(3)]
    table = f'"{users[0]._meta.db_table}"'
    for chosen in ([], users[:1], users):
        params: dict[str, object] = {}
        where = is_in("u.id", "ids", [u.pk for u in chosen], params)
        rows = fetch(f"SELECT u.id AS pk FROM {table} u WHERE {where} ORDER BY u.id", params)
        assert [row["pk"] for row in rows] == [u.pk for u in chosen]


def test_build_makes_instances_that_load_what_was_not_read():
    user = UserFactory.create(name="Ada Lovelace", title="Analyst")
    note = Notification.objects.create(
        user=user, kind="k", key="k:1", title="Hello", body="Body words", created_at=T0
    )
    fields = ("id", "user", "title", "created_at", "read_at")
    table = f'"{Notification._meta.db_table}"'
    [row] = fetch(
        f"SELECT {columns(Notification, 'n', fields)} FROM {table} n WHERE n.id = %(pk)s",
        {"pk": note.pk},
    )
    built = build(Notification, row, "n", fields)
    assert (built.pk, built.user_id, built.title) == (note.pk, user.pk, "Hello")
    assert built.read_at is None
    assert built.created_at == T0
    assert built.created_at.tzinfo is not None
    with CaptureQueriesContext(connection) as ctx:
        assert built.body == "Body words"  # deferred: read when asked for
    assert len(ctx.captured_queries) == 1


def test_unread_notifications_are_the_viewers_own_newest_first():
    me, someone = UserFactory.create(), UserFactory.create()
    for i in range(7):
        Notification.objects.create(
            user=me, kind="k", key=f"me:{i}", title=f"Mine {i}", url="/programs/",
            created_at=T0 + dt.timedelta(minutes=i),
        )  # fmt: skip
    Notification.objects.create(user=me, kind="k", key="read", title="Read one", read_at=T0)
    Notification.objects.create(user=someone, kind="k", key="theirs", title="Theirs")
    client = Client()
    client.force_login(me)
    html = client.get(reverse("home")).content.decode()
    shown = [f"Mine {i}" for i in range(7) if f"Mine {i}" in html]
    assert shown == [f"Mine {i}" for i in range(2, 7)]
    assert html.index("Mine 6") < html.index("Mine 2")
    assert "Read one" not in html
    assert "Theirs" not in html
    assert "(more unread)" in html
