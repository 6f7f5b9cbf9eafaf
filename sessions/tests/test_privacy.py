"""What each person may read in a workspace, checked on every page at once.

(a) A private note is its author's alone: its words appear on no page, file,
notification or e-mail for anyone else, whatever the privacy policy.
(b) In a metadata-only program the program's admins see figures (ratings, counts,
"held"), never the words of agendas, check-ins, notes, goals, roadmap topics, action
items, reviews or the agreement; where the policy lets admins read content they read
the words, but never a private note.
(c) Everyone outside the relationship gets 404 and reads nothing of it.

Every page is reached by walking the ``workspace`` URL patterns with the id of every
object of the workspace (see ``test_access_matrix.make_objects``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Notification
from sessions.models import Meeting, Note
from sessions.tests.test_access_matrix import (
    Matrix,
    Objects,
    app_patterns,
    marker,
    matrix_of,
)
from sessions.tests.test_access_matrix import at_when as at_when

pytestmark = pytest.mark.django_db

NON_AUTHORS = (
    "mentor",
    "admin",
    "other_mentor",
    "other_mentee",
    "member",
    "outsider",
    "anonymous",
)
OUTSIDE = ("other_mentor", "other_mentee", "member", "outsider")
# The words an admin of a metadata-only program never reads.
CONTENT = (
    "agreement",
    "agenda",
    "checkin",
    "goal",
    "roadmap",
    "action",
    "shared_note",
    "private_note",
    "review",
)
MENTOR_PRIVATE = marker("here", "NoMentorPrivate")

# Each object id a workspace URL can take, by the URL's keyword.
IDS: dict[str, Callable[[Objects], list[int]]] = {
    "mid": lambda o: [o.future.pk, o.past.pk, o.held.pk],
    "gid": lambda o: [o.goal.pk],
    "tid": lambda o: [o.topic.pk],
    "aid": lambda o: [o.action.pk],
    "rid": lambda o: [o.review.pk],
    "nid": lambda o: list(
        Note.objects.filter(workspace=o.workspace).order_by("pk").values_list("pk", flat=True)
    ),
}
# Query strings some pages read, walked too.
QUERIES: dict[str, Callable[[Objects], list[str]]] = {
    "workspace:meeting_create": lambda o: ["?log=1"],
    "workspace:actions": lambda o: ["?show=mine"],
    "workspace:action_create": lambda o: [f"?meeting={o.held.pk}"],
    "workspace:note_create": lambda o: [f"?meeting={o.held.pk}"],
}


def workspace_urls(m: Matrix, o: Objects | None = None) -> list[str]:
    """Every URL of the workspace namespace, once for each object id it can name."""
    o = o or m.here
    urls = []
    for name, pattern in sorted(app_patterns().items()):
        keys = [k for k in pattern.pattern.converters if k != "pk"]
        choices = [IDS[k](o) for k in keys]
        for ids in itertools.product(*choices):
            kwargs = {"slug": m.slug, "pk": o.workspace.pk, **dict(zip(keys, ids, strict=True))}
            url = reverse(name, kwargs=kwargs)
            urls.append(url)
            urls.extend(url + q for q in QUERIES.get(name, lambda o: [])(o))
    return urls


def other_pages(m: Matrix) -> list[str]:
    """Pages outside the workspace where a relationship shows: home, notifications,
    the pairing, the program, its participants export."""
    slug = m.slug
    return [
        reverse("home"),
        reverse("notifications"),
        reverse("matching:pairing", kwargs={"slug": slug, "pk": m.world.pairing.pk}),
        reverse("matching:pairings", kwargs={"slug": slug}),
        reverse("programs:detail", kwargs={"slug": slug}),
        reverse("programs:participants_export", kwargs={"slug": slug}),
    ]


def text_of(response: Any) -> str:
    raw: bytes = b"".join(response.streaming_content) if response.streaming else response.content
    # Unfold iCalendar lines (RFC 5545 folds at 75 octets) so no word is split.
    return raw.decode("utf-8", errors="replace").replace("\r\n ", "").replace("\n ", "")


def pages(m: Matrix, who: str, urls: list[str]) -> Iterator[tuple[str, int, str]]:
    client = m.client(who)
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        yield url, response.status_code, text_of(response)


def leaks(m: Matrix, who: str, urls: list[str], words: list[str]) -> list[tuple[str, str]]:
    """(url, word) for each of ``words`` that ``who`` reads somewhere in ``urls``."""
    return [(url, word) for url, _, text in pages(m, who, urls) for word in words if word in text]


def all_markers(o: Objects, kinds: tuple[str, ...] = CONTENT) -> list[str]:
    return [word for kind in kinds for word in o.markers.get(kind, [])]


def add_mentor_private_note(m: Matrix) -> None:
    """A private note by the mentor too, about the held meeting (the mentee's is in
    ``make_objects``); each must stay with its own author."""
    Note.objects.create(
        workspace=m.here.workspace,
        author=m.world.mentor,
        meeting=m.here.held,
        visibility=Note.Visibility.PRIVATE,
        body=MENTOR_PRIVATE,
    )
    Note.objects.filter(pk=m.here.private_note.pk).update(meeting=m.here.held)


@pytest.fixture
def matrix(at_when, world) -> Matrix:
    m = matrix_of(world)
    add_mentor_private_note(m)
    return m


@pytest.fixture
def content_matrix(at_when, content_world) -> Matrix:
    m = matrix_of(content_world)
    add_mentor_private_note(m)
    return m


# --- (a) A private note is its author's alone ---------------------------------------------


def _story(m: Matrix, capture: Any) -> None:
    """Work that notifies people, some of it about the private notes' meeting and notes."""
    w, o = m.world, m.here
    secret = o.markers["private_note"][0]
    steps: list[tuple[str, str, dict[str, Any]]] = [
        # The mentee writes another private note, then edits the first one.
        (
            "mentee",
            w.url("note_create"),
            {"body": f"{secret} again", "visibility": "private", "meeting": o.held.pk},
        ),
        (
            "mentee",
            w.url("note_edit", nid=o.private_note.pk),
            {"body": f"{secret} edited", "visibility": "private", "meeting": o.held.pk},
        ),
        (
            "mentee",
            w.url("agenda_edit", mid=o.future.pk),
            {"topics": "Saying no", "needs": ["advice"], "action": "submit"},
        ),
        (
            "mentor",
            w.url("action_create") + f"?meeting={o.held.pk}",
            {"owner": w.mentee.pk, "kind": "resource", "description": "The book"},
        ),
        (
            "mentor",
            w.url("meeting_create"),
            {"date": "2026-12-28", "start_time": "09:00", "end_time": "10:00", "medium": "phone"},
        ),
        (
            "mentee",
            w.url("review_midpoint"),
            {"value_received": 2, "value_given": 2, "working": "Little", "decision": "end"},
        ),
        ("admin", w.url("review_reopen", rid=o.review.pk), {}),
        ("mentor", w.url("extend"), {"new_end_date": "2027-04-01", "reason": "More time"}),
    ]
    with capture(execute=True):
        for who, url, data in steps:
            response = m.client(who).post(url, data)
            assert response.status_code == 302, (who, url)
            assert not any(
                msg.level == messages.ERROR for msg in get_messages(response.wsgi_request)
            ), (
                who,
                url,
            )


def _assert_private_notes_stay_with_their_authors(m: Matrix) -> None:
    o = m.here
    mentee_private = all_markers(o, ("private_note",))
    urls = workspace_urls(m) + other_pages(m)
    for who in NON_AUTHORS:
        found = leaks(m, who, urls, mentee_private)
        assert not found, f"{who} reads the mentee's private note: {found}"
    for who in ("mentee", "admin", *OUTSIDE, "anonymous"):
        found = leaks(m, who, urls, [MENTOR_PRIVATE])
        assert not found, f"{who} reads the mentor's private note: {found}"
    # Each author reads their own note.
    notes = m.world.url("notes")
    mentee_notes = m.client("mentee").get(notes).content.decode()
    assert all(word in mentee_notes for word in mentee_private)
    assert MENTOR_PRIVATE in m.client("mentor").get(notes).content.decode()


def test_a_private_note_appears_on_no_page_for_anyone_but_its_author(
    matrix, django_capture_on_commit_callbacks
):
    _story(matrix, django_capture_on_commit_callbacks)
    _assert_private_notes_stay_with_their_authors(matrix)


def test_a_private_note_stays_private_where_admins_may_read_content(
    content_matrix, django_capture_on_commit_callbacks
):
    _story(content_matrix, django_capture_on_commit_callbacks)
    _assert_private_notes_stay_with_their_authors(content_matrix)


def test_a_private_note_is_in_no_notification_and_no_e_mail(
    matrix, django_capture_on_commit_callbacks
):
    _story(matrix, django_capture_on_commit_callbacks)
    # Ending the relationship tells everyone (and may e-mail them) too.
    with django_capture_on_commit_callbacks(execute=True):
        response = matrix.client("mentor").post(
            matrix.world.url("end_early"), {"reason": "Moving abroad"}
        )
    assert response.status_code == 302
    words = [*all_markers(matrix.here, ("private_note",)), MENTOR_PRIVATE]
    notifications = list(Notification.objects.all())
    assert notifications, "the story notified nobody: the check below would prove nothing"
    assert mail.outbox, "the story e-mailed nobody: the check below would prove nothing"
    for n in notifications:
        for word in words:
            assert word not in f"{n.title} {n.body} {n.url}", n.kind
    for message in mail.outbox:
        parts = [message.subject, message.body]
        parts += [content for content, _ in getattr(message, "alternatives", [])]
        for word in words:
            assert all(word not in str(part) for part in parts), message.subject


def test_the_author_reads_their_private_note_on_the_notes_page_and_its_edit_page(matrix):
    o = matrix.here
    client = matrix.client("mentee")
    for url in (matrix.world.url("notes"), matrix.world.url("note_edit", nid=o.private_note.pk)):
        assert o.private_note.body in client.get(url).content.decode(), url


# --- (b) What a program admin reads ---------------------------------------------------------


def test_a_metadata_program_admin_reads_no_words_on_any_workspace_page(matrix):
    words = [*all_markers(matrix.here), MENTOR_PRIVATE]
    urls = workspace_urls(matrix) + other_pages(matrix)
    found = leaks(matrix, "admin", urls, words)
    assert not found, f"the admin reads the relationship's words: {found}"


def test_a_metadata_program_admin_sees_the_figures(matrix):
    client, w, o = matrix.client("admin"), matrix.world, matrix.here
    meeting = client.get(w.url("meeting", mid=o.held.pk)).content.decode()
    assert "average rating 4.5 of 5" in meeting
    assert "1 open, 0 done, 0 dropped" in meeting
    assert "Held" in client.get(w.url("meetings")).content.decode()
    assert client.get(w.url("detail")).status_code == 200
    assert client.get(w.url("goals")).status_code == 200
    # The agreement's logistics are figures, not words.
    agreement = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(w.url("agreement")).content.decode())
    )
    assert "Meet every (days) 14" in agreement
    assert "Meeting length (minutes) 60" in agreement


def test_a_content_program_admin_reads_agendas_check_ins_and_shared_notes(content_matrix):
    m = content_matrix
    o = m.here
    texts = "\n".join(text for _, _, text in pages(m, "content_admin", workspace_urls(m)))
    for kind in (k for k in CONTENT if k != "private_note"):
        missing = [word for word in o.markers[kind] if word not in texts]
        assert not missing, f"the admin of a content program does not read {kind}: {missing}"
    for word in [*all_markers(o, ("private_note",)), MENTOR_PRIVATE]:
        assert word not in texts


def test_what_an_admin_reads_differs_only_where_content_is_shown(matrix, content_matrix):
    """The same meeting page: words for a content program's admin, figures for the other."""
    for m, reads in ((matrix, False), (content_matrix, True)):
        o = m.here
        page = m.client("admin").get(m.world.url("meeting", mid=o.held.pk)).content.decode()
        assert "average rating 4.5 of 5" in page
        for word in o.markers["agenda"][:1] + o.markers["checkin"][:1]:
            assert (word in page) is reads


# --- (c) Everyone outside the relationship ---------------------------------------------------


@pytest.mark.parametrize("who", OUTSIDE)
def test_people_outside_the_relationship_get_404_and_read_nothing(matrix, who):
    words = [*all_markers(matrix.here), MENTOR_PRIVATE]
    for url, status, text in pages(matrix, who, workspace_urls(matrix)):
        assert status in (404, 405), f"{who} GET {url}: {status}"
        assert not [word for word in words if word in text], url
    # Their own pages (home, notifications) do not mention it either.
    for url, _, text in pages(matrix, who, [reverse("home"), reverse("notifications")]):
        assert not [word for word in words if word in text], url


def test_the_walk_reaches_every_page_with_every_object(matrix):
    """Guards the walk itself: it names every object and most pages answer the mentee."""
    urls = workspace_urls(matrix)
    assert len(urls) >= len(app_patterns()) + 20
    statuses = {url: status for url, status, _ in pages(matrix, "mentee", urls)}
    assert sum(1 for s in statuses.values() if s == 200) >= 25


@pytest.mark.parametrize(("fixture", "shown"), [("world", False), ("content_world", True)])
def test_a_cancellation_reason_is_words_admins_read_only_where_the_policy_allows(
    request, fixture, shown
):
    w = request.getfixturevalue(fixture)
    meeting = Meeting.objects.create(
        workspace=w.workspace,
        starts_at=timezone.now() + dt.timedelta(days=3),
        duration_minutes=30,
        status=Meeting.Status.CANCELLED,
        cancel_reason="CANCELMARKER my burnout",
    )
    url = w.url("meeting", mid=meeting.pk)
    assert "CANCELMARKER" in w.client("mentee").get(url).content.decode()
    admin_page = w.client("admin").get(url).content.decode()
    assert ("CANCELMARKER" in admin_page) is shown
    assert "Cancelled" in admin_page
