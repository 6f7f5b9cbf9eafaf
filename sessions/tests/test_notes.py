"""Notes: private to their author (always), or shared with the relationship."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from matching.models import Pairing
from mentoring.tests.test_templates_a11y import assert_accessible
from sessions.models import Meeting, Note
from sessions.selectors_reviews import notes_count
from sessions.services import notes as services
from sessions.services._common import TransitionError
from sessions.tests.conftest import STRANGERS

pytestmark = pytest.mark.django_db

SECRET = "my private worry about the promotion"
SHARED = "agreed to read Radical Candor"


def note(world, who: str = "mentor", body: str = SECRET, visibility: str = "private", **kw):
    return Note.objects.create(
        workspace=kw.pop("workspace", world.workspace),
        author=getattr(world, who),
        body=body,
        visibility=visibility,
        **kw,
    )


def meeting(workspace) -> Meeting:
    return Meeting.objects.create(
        workspace=workspace,
        starts_at=dt.datetime(2026, 11, 10, 15, 0, tzinfo=dt.UTC),
        duration_minutes=45,
        status=Meeting.Status.HELD,
    )


def end(world) -> None:
    Pairing.objects.filter(pk=world.pairing.pk).update(status=Pairing.Status.COMPLETED)


# --- Who reaches the pages ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("mentor", 200),
        ("mentee", 200),
        ("admin", 200),
        *STRANGERS,
    ],
)
def test_who_may_open_the_notes_page(world, who, status):
    assert world.client(who).get(world.url("notes")).status_code == status


def test_anonymous_is_sent_to_sign_in(world):
    n = note(world)
    for url in (
        world.url("notes"),
        world.url("note_create"),
        world.url("note_edit", nid=n.pk),
        world.url("note_delete", nid=n.pk),
    ):
        response = world.client("anonymous").get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["other_mentor", "other_mentee", "outsider"])
def test_people_outside_the_relationship_get_404_on_every_note_url(world, who):
    n = note(world, visibility="shared", body=SHARED)
    client = world.client(who)
    assert client.get(world.url("note_create")).status_code == 404
    assert (
        client.post(world.url("note_create"), {"body": "x", "visibility": "shared"}).status_code
        == 404
    )
    assert client.get(world.url("note_edit", nid=n.pk)).status_code == 404
    assert client.post(world.url("note_delete", nid=n.pk)).status_code == 404
    assert Note.objects.filter(pk=n.pk).exists()


def test_the_notes_pages_are_accessible(world):
    n = note(world, body="A <b>first</b> note", meeting=meeting(world.workspace))
    client = world.client("mentor")
    html = assert_accessible(client.get(world.url("notes")))
    assert "A &lt;b&gt;first&lt;/b&gt; note" in html
    assert_accessible(client.get(world.url("note_create")))
    assert_accessible(client.get(world.url("note_edit", nid=n.pk)))
    assert_accessible(client.post(world.url("note_create"), {"body": "", "visibility": "shared"}))
    assert_accessible(world.client("admin").get(world.url("notes")))


# --- Private notes: their author's alone, always ------------------------------------------


@pytest.mark.parametrize("fixture", ["world", "content_world"])
@pytest.mark.parametrize("who", ["mentee", "admin"])
def test_a_private_note_never_appears_for_anyone_but_its_author(request, fixture, who):
    world = request.getfixturevalue(fixture)
    n = note(world)
    client = world.client(who)
    for name in ("notes", "reviews", "closure"):
        response = client.get(world.url(name))
        assert response.status_code == 200
        assert SECRET not in response.content.decode()
    assert client.get(world.url("note_edit", nid=n.pk)).status_code == 404
    assert client.post(world.url("note_delete", nid=n.pk)).status_code == 404
    assert (
        client.post(
            world.url("note_edit", nid=n.pk), {"body": "taken over", "visibility": "shared"}
        ).status_code
        == 404
    )
    n.refresh_from_db()
    assert (n.body, n.visibility) == (SECRET, "private")
    assert SECRET in world.client("mentor").get(world.url("notes")).content.decode()


def test_the_notes_page_does_not_count_private_notes_for_admins(world):
    note(world)
    note(world, visibility="shared", body=SHARED)
    html = world.client("admin").get(world.url("notes")).content.decode()
    assert "1 note shared in this relationship" in html
    assert SHARED not in html


# --- Shared notes -------------------------------------------------------------------------


def test_a_shared_note_is_read_by_the_partner(world):
    note(world, visibility="shared", body=SHARED)
    assert SHARED in world.client("mentee").get(world.url("notes")).content.decode()


def test_admins_read_shared_notes_only_where_the_privacy_policy_allows(world, content_world):
    note(world, visibility="shared", body=SHARED)
    note(content_world, visibility="shared", body=SHARED)
    assert SHARED not in world.client("admin").get(world.url("notes")).content.decode()
    assert SHARED in content_world.client("admin").get(content_world.url("notes")).content.decode()


def test_a_partner_who_reads_a_shared_note_cannot_change_or_delete_it(content_world):
    world = content_world
    n = note(world, visibility="shared", body=SHARED)
    for who in ("mentee", "admin"):
        client = world.client(who)
        assert client.get(world.url("note_edit", nid=n.pk)).status_code == 403
        response = client.post(
            world.url("note_edit", nid=n.pk), {"body": "rewritten", "visibility": "shared"}
        )
        assert response.status_code == 403
        assert client.post(world.url("note_delete", nid=n.pk)).status_code == 403
    n.refresh_from_db()
    assert n.body == SHARED


def test_the_edit_button_shows_only_on_my_own_notes(world):
    mine = note(world, who="mentee", visibility="shared", body="mine")
    theirs = note(world, who="mentor", visibility="shared", body="theirs")
    html = world.client("mentee").get(world.url("notes")).content.decode()
    assert world.url("note_edit", nid=mine.pk) in html
    assert world.url("note_edit", nid=theirs.pk) not in html


# --- Writing notes ------------------------------------------------------------------------


def test_a_participant_adds_a_note_about_a_meeting(world):
    m = meeting(world.workspace)
    response = world.client("mentee").post(
        world.url("note_create"),
        {"body": "  Ask about the stretch project  ", "visibility": "shared", "meeting": m.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == world.url("notes")
    n = Note.objects.get()
    assert (n.author, n.body, n.visibility, n.meeting) == (
        world.mentee,
        "Ask about the stretch project",
        "shared",
        m,
    )


def test_a_circle_member_shares_a_note_with_the_circle(world):
    ws = world.circle_workspace
    response = world.client("member").post(
        world.url("note_create", workspace=ws), {"body": "Thanks all", "visibility": "shared"}
    )
    assert response.status_code == 302
    assert (
        "Thanks all"
        in world.client("mentor").get(world.url("notes", workspace=ws)).content.decode()
    )


def test_a_note_needs_a_body(world):
    response = world.client("mentor").post(
        world.url("note_create"), {"body": "   ", "visibility": "private"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    assert not Note.objects.exists()


def test_an_oversized_note_is_refused_next_to_the_field(world):
    response = world.client("mentor").post(
        world.url("note_create"), {"body": "x" * 10_001, "visibility": "private"}
    )
    assert response.status_code == 200
    assert "at most 10000 characters" in " ".join(response.context["form"].errors["body"])
    assert not Note.objects.exists()


def test_a_note_cannot_point_at_another_relationships_meeting(world):
    theirs = meeting(world.other_workspace)
    response = world.client("mentor").post(
        world.url("note_create"), {"body": "x", "visibility": "private", "meeting": theirs.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["meeting"]
    with pytest.raises(ValidationError) as exc:
        services.note_create(wa=world.access("mentor"), body="x", meeting=theirs)
    assert "meeting" in exc.value.message_dict
    assert not Note.objects.exists()


def test_html_in_a_note_is_shown_escaped(world):
    world.client("mentor").post(
        world.url("note_create"), {"body": "<script>alert(1)</script>", "visibility": "private"}
    )
    html = world.client("mentor").get(world.url("notes")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_admins_do_not_write_notes(content_world):
    world = content_world
    response = world.client("admin").post(
        world.url("note_create"), {"body": "x", "visibility": "shared"}
    )
    assert response.status_code == 403
    assert not Note.objects.exists()
    html = world.client("admin").get(world.url("notes")).content.decode()
    assert "Add a note" not in html


def test_the_author_edits_and_deletes_their_note(world):
    n = note(world, visibility="private")
    client = world.client("mentor")
    response = client.post(
        world.url("note_edit", nid=n.pk), {"body": "Rewritten", "visibility": "shared"}
    )
    assert response.status_code == 302
    n.refresh_from_db()
    assert (n.body, n.visibility) == ("Rewritten", "shared")
    assert n.updated_at > n.created_at
    assert client.post(world.url("note_delete", nid=n.pk)).status_code == 302
    assert not Note.objects.filter(pk=n.pk).exists()


def test_delete_is_post_only(world):
    n = note(world)
    assert world.client("mentor").get(world.url("note_delete", nid=n.pk)).status_code == 405
    assert Note.objects.filter(pk=n.pk).exists()


def test_an_edit_with_bad_input_changes_nothing(world):
    n = note(world, visibility="shared", body=SHARED)
    response = world.client("mentor").post(
        world.url("note_edit", nid=n.pk), {"body": "y" * 10_001, "visibility": "shared"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    n.refresh_from_db()
    assert n.body == SHARED


# --- Once the relationship has ended ------------------------------------------------------


def test_an_ended_relationship_takes_no_new_notes(world):
    end(world)
    response = world.client("mentor").post(
        world.url("note_create"), {"body": "late", "visibility": "private"}
    )
    assert response.status_code == 200
    assert "read-only" in " ".join(response.context["form"].non_field_errors())
    assert not Note.objects.exists()
    with pytest.raises(TransitionError):
        services.note_create(wa=world.access("mentor"), body="late")


def test_after_the_end_the_author_still_tidies_their_private_notes(world):
    private = note(world, visibility="private")
    shared = note(world, visibility="shared", body=SHARED)
    end(world)
    client = world.client("mentor")
    html = client.get(world.url("notes")).content.decode()
    assert SECRET in html
    assert SHARED in html
    assert world.url("note_edit", nid=private.pk) in html
    assert world.url("note_edit", nid=shared.pk) not in html
    response = client.post(
        world.url("note_edit", nid=private.pk), {"body": "tidied", "visibility": "private"}
    )
    assert response.status_code == 302
    private.refresh_from_db()
    assert private.body == "tidied"
    # Sharing it now would add to an ended relationship: refused, nothing changes.
    response = client.post(
        world.url("note_edit", nid=private.pk), {"body": "now shared", "visibility": "shared"}
    )
    assert response.status_code == 200
    private.refresh_from_db()
    assert (private.body, private.visibility) == ("tidied", "private")
    # Shared notes are part of the record: not rewritten, not hidden, not deleted.
    response = client.post(
        world.url("note_edit", nid=shared.pk), {"body": "rewritten", "visibility": "private"}
    )
    assert response.status_code == 200
    shared.refresh_from_db()
    assert (shared.body, shared.visibility) == (SHARED, "shared")
    response = client.post(world.url("note_delete", nid=shared.pk), follow=True)
    assert Note.objects.filter(pk=shared.pk).exists()
    assert "shared notes stay as they are" in response.content.decode()
    assert client.post(world.url("note_delete", nid=private.pk)).status_code == 302
    assert not Note.objects.filter(pk=private.pk).exists()


def test_the_service_refuses_a_reader_who_is_not_the_author(content_world):
    n = note(content_world, visibility="shared", body=SHARED)
    with pytest.raises(PermissionDenied):
        services.note_update(
            wa=content_world.access("mentee"), note=n, body="x", visibility="shared"
        )
    with pytest.raises(PermissionDenied):
        services.note_delete(wa=content_world.access("admin"), note=n)


# --- The count for the overview -----------------------------------------------------------


def test_notes_count_counts_what_the_viewer_may_read(
    world, content_world, django_assert_num_queries
):
    for w in (world, content_world):
        note(w)
        note(w, visibility="shared", body=SHARED)
        note(w, who="mentee")
    wa = world.access("mentor")
    with django_assert_num_queries(1):
        assert notes_count(wa) == 2
    assert notes_count(world.access("mentee")) == 2
    assert notes_count(world.access("admin")) == 0
    assert notes_count(content_world.access("admin")) == 1
