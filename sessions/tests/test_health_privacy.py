"""The dashboard, its pair list and the exports show figures and names, never words.

Both pairs of the world hold one of every workspace object, each text field with its
own marker word (``test_access_matrix.make_objects``). In a metadata-only program no
marker (agenda, check-in, note, goal, review, agreement ...) appears on any page or in
any file an admin gets here; in a program whose admins may read content these pages
still show none of them (the workspace is where content is read), and a private note is
never anywhere.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from sessions.models import Note
from sessions.tests.test_access_matrix import Matrix, at_when, content_matrix, matrix

pytestmark = pytest.mark.django_db

__all__ = ["at_when", "content_matrix", "matrix"]

PAGE_QUERIES = [
    {},
    {"label": "needs_check_in"},
    {"label": "on_track"},
    {"label": "too_early"},
    {"status": "active"},
    {"reason": "no_agreement"},
    *({"figure": f} for f in ("matched", "meetings", "agendas", "ratings", "actions")),
    *({"figure": f} for f in ("reviews", "values")),
    {"kind": "one_to_one"},
]


def everything_an_admin_reads(m: Matrix) -> str:
    """Every page and file of the health and exports namespaces, as the program admin."""
    client: Any = m.client("admin")
    slug = {"slug": m.slug}
    texts = [client.get(reverse("health:dashboard", kwargs=slug)).content.decode()]
    texts.append(client.get(reverse("exports:index", kwargs=slug)).content.decode())
    for query in PAGE_QUERIES:
        response = client.get(reverse("health:pairs", kwargs=slug), query)
        assert response.status_code == 200
        texts.append(response.content.decode())
    for name in ("participants", "pairings", "engagement"):
        for query in ({}, {"kind": "one_to_one"}):
            response = client.get(reverse(f"exports:{name}", kwargs=slug), query)
            assert response.status_code == 200
            texts.append(b"".join(response.streaming_content).decode())
    return "\n".join(texts)


def markers_of(m: Matrix, *kinds: str) -> list[str]:
    found = []
    for o in (m.here, m.there):
        for kind, words in o.markers.items():
            if not kinds or kind in kinds:
                found.extend(words)
    return found


def test_a_metadata_only_program_shows_its_admins_no_words_here(matrix):
    seen = everything_an_admin_reads(matrix)
    words = markers_of(matrix)
    assert any("Ag" in w for w in words)
    assert any("Ci" in w for w in words)
    leaked = [w for w in words if w in seen]
    assert not leaked, f"content shown to the admin of a metadata-only program: {leaked}"
    assert not re.findall(r"Zq[A-Za-z]+Qz", seen)  # no marker of any kind
    # Not vacuous: the pages and files name the pairs and carry their figures.
    assert matrix.world.mentee.display_name in seen
    assert matrix.world.mentor.email in seen


def test_where_admins_may_read_content_these_pages_still_show_no_words(content_matrix):
    seen = everything_an_admin_reads(content_matrix)
    for kind in ("agenda", "checkin", "shared_note", "private_note"):
        for word in markers_of(content_matrix, kind):
            assert word not in seen, (kind, word)
    assert content_matrix.world.mentee.display_name in seen


def test_a_private_note_of_any_author_never_shows(content_matrix):
    Note.objects.create(
        workspace=content_matrix.here.workspace,
        author=content_matrix.world.mentor,
        body="ZqMentorPrivateHealthQz",
    )
    seen = everything_an_admin_reads(content_matrix)
    assert "ZqMentorPrivateHealthQz" not in seen
    assert "NoPrivate" not in seen
