"""Downloading everything Constellation holds about you: one zip of JSON and CSV files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from matching.models import Pairing
from mentoring.models import Notification, NotificationPreference, User
from programs.audit.models import Event
from programs.models import Answer, Invitation, Question
from sessions import personal_data as privacy
from sessions.models import (
    ActionItem,
    Agenda,
    Agreement,
    AgreementRevision,
    CheckIn,
    DateChange,
    Goal,
    Meeting,
    Note,
    Review,
    Workspace,
)
from sessions.tests.conftest import World, make_world

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "mentor", "mentee", "outsider"]


@pytest.fixture
def world(db) -> World:
    """A running pair, a second pair and a circle in one program (sessions' test world)."""
    return make_world()


def read_zip(content: bytes) -> tuple[dict, dict[str, list[dict[str, str]]], str]:
    """The zip's data.json, its CSVs (parsed), and every file's text joined."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    texts = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    data = json.loads(texts["data.json"])
    tables = {
        name: list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
        for name, text in texts.items()
        if name.startswith("csv/")
    }
    return data, tables, "\n".join(texts.values())


def fill(world: World, n: int, *, mark: str = "") -> None:
    """Give the pair ``n`` meetings (agenda, both check-ins), goals, actions and notes."""
    ws: Workspace = world.workspace
    mentor, mentee = world.mentor, world.mentee
    start = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)
    if not Agreement.objects.filter(workspace=ws).exists():
        Agreement.objects.create(
            workspace=ws,
            purpose=f"Purpose by mentee{mark}",
            mentee_success="s",
            mentor_success="s",
            cadence_days=14,
            meeting_minutes=60,
            confidentiality="c",
            planned_end_date=ws.end_date,
            drafted_by=mentee,
        )
    for i in range(n):
        meeting = Meeting.objects.create(
            workspace=ws,
            starts_at=start + dt.timedelta(days=14 * i),
            duration_minutes=60,
            status=Meeting.Status.HELD,
        )
        Agenda.objects.create(
            meeting=meeting,
            author=mentee,
            topics=f"Agenda topics {i}{mark}",
            status=Agenda.Status.SUBMITTED,
            submitted_at=meeting.starts_at - dt.timedelta(days=3),
        )
        for author, rating in ((mentee, 4), (mentor, 5)):
            CheckIn.objects.create(
                meeting=meeting,
                author=author,
                useful=f"Useful for {author.pk} #{i}{mark}",
                next_steps="n",
                before_next="b",
                rating=rating,
            )
        Goal.objects.create(
            workspace=ws,
            title=f"Goal {i}{mark}",
            specific="s",
            measurable="m",
            achievable="a",
            relevant="r",
            target_date=dt.date(2027, 1, 1),
            created_by=mentee,
        )
        ActionItem.objects.create(
            workspace=ws, meeting=meeting, owner=mentee, description=f"Action {i}{mark}"
        )
        Note.objects.create(workspace=ws, author=mentee, body=f"Mentee private {i}{mark}")
        Note.objects.create(workspace=ws, author=mentor, body=f"Mentor private {i}{mark}")
        Note.objects.create(
            workspace=ws,
            author=mentor,
            body=f"Mentor shared {i}{mark}",
            visibility=Note.Visibility.SHARED,
        )
    Review.objects.get_or_create(
        workspace=ws,
        author=mentee,
        kind=Review.Kind.MIDPOINT,
        defaults={"value_received": 5, "value_given": 4, "working": f"Review words{mark}"},
    )


def give_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


# --- Who gets what ----------------------------------------------------------------------


@pytest.mark.parametrize("who", PERSONAS)
def test_every_signed_in_persona_sees_the_page_and_downloads_their_own_data(personas, who):
    user = getattr(personas, who)
    client = personas.client(who)
    page = client.get(reverse("account_data"))
    assert page.status_code == 200
    assert reverse("account_data_download") in page.content.decode()

    response = client.get(reverse("account_data_download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="constellation-data-')
    assert response["Content-Disposition"].endswith('.zip"')
    assert "no-store" in response["Cache-Control"]
    data, tables, _ = read_zip(response.content)
    assert data["account"]["email"] == user.email
    others = {getattr(personas, o).email for o in PERSONAS if o != who}
    assert all(row["email"] not in others for row in tables["csv/email_addresses.csv"])
    slugs = {p["program"]["slug"] for p in data["programs"]}
    expected = personas.other_program.slug if who == "outsider" else personas.program.slug
    assert slugs == {expected}
    (event,) = Event.objects.filter(action=Event.Action.DATA_EXPORT_DOWNLOADED)
    assert event.actor_id == user.pk
    assert event.target == f"mentoring.User#{user.pk}"


@pytest.mark.parametrize("name", ["account_data", "account_data_download"])
def test_anonymous_is_sent_to_sign_in(personas, name):
    response = personas.client("anonymous").get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_page_links_to_your_data(personas):
    body = personas.client("mentee").get(reverse("profile")).content.decode()
    assert reverse("account_data") in body
    assert reverse("account_delete") in body


# --- What the zip holds ---------------------------------------------------------------


def test_zip_holds_the_mentees_words_and_not_the_partners_private_ones(world):
    fill(world, 2)
    mentee = world.mentee
    secret = give_totp(mentee)
    NotificationPreference.objects.create(user=mentee, category="meetings", mode="digest")
    Notification.objects.create(user=mentee, key="k1", title="Your mentor accepted")
    Notification.objects.create(user=world.mentor, key="k2", title="Mentor's own notice")
    question = Question.objects.create(program=world.program, text="Favourite tool?")
    Answer.objects.create(
        membership=world.pairing.mentee, question=question, value="=HYPERLINK(evil)"
    )

    response = world.client("mentee").get(reverse("account_data_download"))
    data, tables, everything = read_zip(response.content)

    assert data["format"] == privacy.FORMAT
    assert data["two_factor"][0]["method"] == "TOTP Authenticator"
    assert secret not in everything
    assert mentee.password not in everything
    assert "password" not in data["account"]
    assert "Mentee private 0" in everything
    assert "Mentor shared 1" in everything
    assert "Mentor private" not in everything
    assert f"Useful for {world.mentor.pk}" not in everything  # the partner's check-in
    assert f"Useful for {mentee.pk} #1" in everything
    assert "Mentor's own notice" not in everything
    assert "Your mentor accepted" in everything
    assert "Review words" in everything

    program = next(p for p in data["programs"] if p["program"]["slug"] == world.program.slug)
    assert [p["partner"] for p in program["pairings"]] == [world.mentor.display_name]
    assert len(program["meetings"]) == 2
    assert {n["body"] for n in program["notes"]} == {
        "Mentee private 0",
        "Mentee private 1",
        "Mentor shared 0",
        "Mentor shared 1",
    }
    assert program["agreements"][0]["drafted_by_you"] is True
    # Other relationships of the program (the second pair, the circle) are not theirs.
    assert {w["workspace"] for w in program["workspaces"]} == {world.workspace.pk}

    # Every CSV parses, has a header, and neutralises formulas.
    assert tables["csv/meetings.csv"][0].keys() >= {"program", "workspace", "starts_at"}
    assert tables["csv/enrolment_answers.csv"][0]["answer"] == "'=HYPERLINK(evil)"
    assert len(tables["csv/notes.csv"]) == 4


def test_times_are_in_the_persons_time_zone(world):
    fill(world, 1)
    User.objects.filter(pk=world.mentee.pk).update(timezone="America/New_York")
    response = world.client("mentee").get(reverse("account_data_download"))
    data, _, _ = read_zip(response.content)
    meeting = data["programs"][0]["meetings"][0]
    assert meeting["starts_at"] == "2026-10-01T05:00:00-04:00"


def test_an_ended_relationship_is_included(world):
    fill(world, 1)
    world.pairing.status = "completed"
    world.pairing.save(update_fields=["status"])
    response = world.client("mentor").get(reverse("account_data_download"))
    data, _, everything = read_zip(response.content)
    assert data["programs"][0]["pairings"][0]["status"] == "Completed"
    assert "Mentor private 0" in everything
    assert "Mentee private" not in everything


def test_the_admin_does_not_get_the_pairs_words(world):
    fill(world, 1)
    _, _, everything = read_zip(world.client("admin").get(reverse("account_data_download")).content)
    assert "Mentee private" not in everything
    assert "Mentor shared" not in everything
    assert "Agenda topics" not in everything


def test_two_factor_shows_only_that_it_is_on(world):
    give_totp(world.mentor)
    data = privacy.export_data(world.mentor)
    (method,) = data["two_factor"]
    assert set(method) == {"method", "set_up_at", "last_used_at"}
    assert Authenticator.objects.filter(user=world.mentor).count() == 1


# --- What it costs ----------------------------------------------------------------------


# A fixed number of queries, whatever the size (about one per section).
BUDGET = 40


@pytest.mark.parametrize("size", [1, 12])
def test_the_download_costs_the_same_number_of_queries_at_any_size(
    world, size, django_assert_max_num_queries, page_cache_off
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fill(world, 1)
    client = world.client("mentee")
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("account_data_download"))
    fill(world, size, mark="+")
    with django_assert_max_num_queries(BUDGET):
        response = client.get(reverse("account_data_download"))
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("account_data_download"))
    data, _, _ = read_zip(response.content)
    assert len(data["programs"][0]["meetings"]) == 1 + size
    assert len(large) == len(small)


# --- Only what the person may see ---------------------------------------------------------


def _invitation(world: World, email: str, message: str) -> Invitation:
    return Invitation.objects.create(
        program=world.program,
        email=email,
        role="mentor",
        message=message,
        invited_by=world.admin,
        expires_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )


def test_an_added_but_unverified_address_does_not_bring_someone_elses_invitations(world):
    _invitation(world, "victim@corp.example", "Secret plan for the victim")
    _invitation(world, "second@corp.example", "For my verified second address")
    mentee = world.mentee
    EmailAddress.objects.create(user=mentee, email="Victim@corp.example", verified=False)
    EmailAddress.objects.create(user=mentee, email="second@corp.example", verified=True)
    _data, _tables, everything = read_zip(
        world.client("mentee").get(reverse("account_data_download")).content
    )
    assert "Secret plan for the victim" not in everything
    assert "For my verified second address" in everything
    # Deleting the account leaves the victim's invitation as it was.
    privacy.account_delete(user=mentee)
    kept = Invitation.objects.get(email="victim@corp.example")
    assert kept.message == "Secret plan for the victim"


def test_the_mentor_does_not_get_the_mentees_draft_agenda(world):
    meeting = Meeting.objects.create(
        workspace=world.workspace,
        starts_at=dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC),
        duration_minutes=60,
    )
    Agenda.objects.create(meeting=meeting, author=world.mentee, topics="Draft only me")
    _, _, mentor_sees = read_zip(
        world.client("mentor").get(reverse("account_data_download")).content
    )
    assert "Draft only me" not in mentor_sees
    _, _, mentee_sees = read_zip(
        world.client("mentee").get(reverse("account_data_download")).content
    )
    assert "Draft only me" in mentee_sees
    Agenda.objects.filter(meeting=meeting).update(status=Agenda.Status.SUBMITTED)
    _, _, mentor_sees = read_zip(
        world.client("mentor").get(reverse("account_data_download")).content
    )
    assert "Draft only me" in mentor_sees


def test_date_changes_agreement_versions_notification_lines_and_why_you_fit(world):
    fill(world, 1)
    agreement = Agreement.objects.get(workspace=world.workspace)
    AgreementRevision.objects.create(
        agreement=agreement, version=1, terms={"purpose": "First purpose words"}
    )
    DateChange.objects.create(
        workspace=world.workspace,
        old_end_date=world.workspace.end_date,
        new_end_date=world.workspace.end_date + dt.timedelta(days=30),
        old_midpoint_date=world.workspace.midpoint_date,
        new_midpoint_date=world.workspace.midpoint_date,
        reason="A month more for the launch",
        changed_by=world.mentor,
    )
    Notification.objects.create(
        user=world.mentee, key="k-lines", title="T", lines=["A line of the notice"]
    )
    why = [
        {
            "criterion": "topics",
            "label": "Shared topics",
            "points": 2,
            "max_points": 3,
            "text": "They both care about data",
            "you_text": "You both care about data",
        }
    ]
    Pairing.objects.filter(pk=world.pairing.pk).update(explanation=why)
    data, tables, _everything = read_zip(
        world.client("mentee").get(reverse("account_data_download")).content
    )
    program = data["programs"][0]
    assert program["date_changes"][0]["reason"] == "A month more for the launch"
    assert program["agreement_revisions"][0]["terms"] == {"purpose": "First purpose words"}
    assert data["notifications"][0]["lines"] == ["A line of the notice"]
    pairing = next(p for p in program["pairings"] if p["your_role"] == "Mentee")
    assert pairing["why_you_fit"][0]["text"] == "You both care about data"
    assert {"date_changes.csv", "agreement_revisions.csv"} <= {n[4:] for n in tables}
    _, _, mentor_sees = read_zip(
        world.client("mentor").get(reverse("account_data_download")).content
    )
    assert "They both care about data" in mentor_sees


def test_more_than_a_few_downloads_a_minute_are_refused(world):
    client = world.client("mentee")
    for _ in range(3):
        assert client.get(reverse("account_data_download")).status_code == 200
    refused = client.get(reverse("account_data_download"))
    assert refused.status_code == 429
    assert "Wait a minute, then try again" in refused.content.decode()
    # Someone else is not held up.
    assert world.client("mentor").get(reverse("account_data_download")).status_code == 200
