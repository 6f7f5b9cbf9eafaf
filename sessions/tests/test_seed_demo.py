"""seed_demo: refuses with debug off, is idempotent, and leaves working demo logins."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from mentoring import sweeps
from mentoring.models import Notification, User
from programs import demo
from programs.models import Answer, Invitation, Membership, Program, Question, Topic

DEMO_LOGINS = [demo.ADMIN_EMAIL, demo.MENTOR_EMAIL, demo.MENTEE_EMAIL]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (User, EmailAddress, Program, Membership, Topic, Question, Answer, Invitation)
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_seed_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as excinfo:
        seed()
    message = str(excinfo.value)
    assert "DJANGO_DEBUG=true" in message
    assert "--allow-production" in message
    assert demo.ADMIN_EMAIL in message
    assert not User.objects.exists()
    assert not Program.objects.exists()


@pytest.mark.django_db
def test_seed_demo_runs_when_debug_is_on(settings):
    settings.DEBUG = True
    output = seed()
    assert "Created the demo program" in output
    assert demo.DEMO_PASSWORD in output
    for email in DEMO_LOGINS:
        assert email in output
    assert Program.objects.filter(slug=demo.DEMO_SLUG).exists()


@pytest.mark.django_db
def test_seed_demo_with_allow_production_runs_when_debug_is_off(settings):
    settings.DEBUG = False
    output = seed("--allow-production")
    assert "Created the demo program" in output
    assert User.objects.filter(email=demo.ADMIN_EMAIL, is_staff=True).exists()


@pytest.mark.django_db
def test_seeding_twice_creates_nothing_new(settings):
    settings.DEBUG = True
    seed()
    first = counts()
    assert first["User"] > 0
    assert first["Membership"] > 0
    assert first["Answer"] > 0
    output = seed()
    assert "Found the demo program" in output
    assert counts() == first


@pytest.mark.django_db
def test_demo_logins_exist_with_verified_emails_and_the_documented_password(settings):
    settings.DEBUG = True
    seed()
    program = Program.objects.get(slug=demo.DEMO_SLUG)
    roles = {
        demo.ADMIN_EMAIL: Membership.Role.ADMIN,
        demo.MENTOR_EMAIL: Membership.Role.MENTOR,
        demo.MENTEE_EMAIL: Membership.Role.MENTEE,
    }
    for email, role in roles.items():
        user = User.objects.get(email=email)
        assert user.check_password(demo.DEMO_PASSWORD), email
        assert EmailAddress.objects.filter(
            user=user, email=email, verified=True, primary=True
        ).exists(), email
        assert Membership.objects.filter(program=program, user=user, role=role).exists(), email
    assert User.objects.get(email=demo.ADMIN_EMAIL).is_staff
    assert not User.objects.get(email=demo.MENTOR_EMAIL).is_staff
    assert not User.objects.get(email=demo.MENTEE_EMAIL).is_staff


@pytest.mark.django_db
@pytest.mark.parametrize("email", DEMO_LOGINS)
def test_demo_login_signs_in_through_the_login_page(settings, email):
    settings.DEBUG = True
    seed()
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": email, "password": demo.DEMO_PASSWORD}
    )
    # A verified address goes straight home; an unverified one would be sent
    # to the e-mail confirmation page instead.
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_the_demo_pair_has_a_workspace_a_few_weeks_in(settings):
    import datetime as dt

    from django.utils import timezone

    from sessions.models import Agenda, CheckIn, Meeting, Workspace

    settings.DEBUG = True
    seed()
    workspace = Workspace.objects.get(
        pairing__mentor__user__email=demo.MENTOR_EMAIL,
        pairing__mentee__user__email=demo.MENTEE_EMAIL,
    )
    assert workspace.agreement.is_accepted
    assert workspace.goals.count() == 2
    assert workspace.roadmap.filter(covered_in__isnull=True).count() >= 1
    held = workspace.meetings.filter(status=Meeting.Status.HELD)
    assert held.count() == 2
    for meeting in held:
        assert meeting.agenda.status == Agenda.Status.SUBMITTED
        assert CheckIn.objects.filter(meeting=meeting).count() == 2
        assert meeting.actions.exists()
    [upcoming] = workspace.meetings.filter(
        status=Meeting.Status.SCHEDULED, starts_at__gt=timezone.now()
    )
    lead = dt.timedelta(hours=workspace.program.agenda_lead_hours)
    assert timezone.now() < upcoming.starts_at < timezone.now() + lead  # its agenda is due
    assert not Agenda.objects.filter(meeting=upcoming).exists()
    # Seeding again changes nothing.
    before = Meeting.objects.count(), CheckIn.objects.count()
    seed()
    assert (Meeting.objects.count(), CheckIn.objects.count()) == before


@pytest.mark.django_db
def test_the_demo_mentee_reaches_the_workspace_from_home(settings):
    settings.DEBUG = True
    seed()
    client = Client()
    client.force_login(User.objects.get(email=demo.MENTEE_EMAIL))
    home = client.get(reverse("home")).content.decode()
    assert "is your mentor" in home
    assert "File your agenda" in home


@pytest.mark.django_db
def test_the_demos_reminders_show_every_kind_once(settings, django_capture_on_commit_callbacks):
    """README, "Reminders": right after seeding, run_sweeps has something of every sweep
    to send (in the console and the notification centre), and nothing the second time."""
    settings.DEBUG = True
    # Inside the demo people's contact hours (07:00-22:00 London), so the e-mails go now.
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)):
        seed()
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("run_sweeps", stdout=out)
        first = dict(line.split(" ", 1) for line in out.getvalue().splitlines()[:-1])
        assert first.pop("chore=expire_overdue") == "changed=2"
        # The page cache's stamps are folded on PostgreSQL only (one row each on SQLite).
        assert first.pop("chore=compact_page_stamps").startswith("changed=")
        assert set(first) == {f"sweep={name}" for name in sweeps.names()}
        silent = [name for name, sent in first.items() if sent == "sent=0"]
        assert silent == []
        assert len(mail.outbox) >= len(first)
        kinds = set(Notification.objects.values_list("kind", flat=True))
        expiry = {"proposal_expiring", "request_expiring", "pairing_expired", "request_expired"}
        assert expiry <= kinds
        again = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("run_sweeps", stdout=again)
        assert all(line.endswith("=0") for line in again.getvalue().splitlines())
