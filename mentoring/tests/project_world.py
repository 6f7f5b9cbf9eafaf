"""The project-wide world the authorization matrix and the hostile-input test run in.

Two running programs, each with a program admin (with a TOTP authenticator), a mentor
and a mentee paired with a workspace holding one of every object a URL pattern can
name (agreement, goals, roadmap, meetings with an agenda and check-ins, action items,
notes, reviews), a circle with a member, a flash offer with free and booked slots, a
matching run with a suggestion, a constraint, a pending request, topics, questions, an
import, an invitation, a notification; and the seven personas:

* ``anonymous``: not signed in;
* ``outsider``: signed in, member of no program;
* ``mentee`` and ``mentor``: the pair of this program;
* ``other_admin``: program admin of the other program;
* ``admin``: program admin of this program;
* ``staff``: ``is_staff``, member of no program.

``kwargs_for(name)`` gives the URL kwargs that name this program's objects;
``kwargs_for(name, side="there")`` the same kind of object in the other program
(under the other program's slug), for the "another program's objects are 404" checks.

Build the world inside ``time_machine.travel(WHEN)``: the workspace's meetings,
reviews and dates are laid out around that moment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.contrib.auth.models import Group
from django.test import Client

from matching.models import (
    Circle,
    CircleMember,
    FlashOffer,
    FlashSlot,
    MatchConstraint,
    MatchRun,
    MatchSuggestion,
    MentorRequest,
    Pairing,
)
from matching.tests.factories import (
    CircleFactory,
    CircleMemberFactory,
    FlashOfferFactory,
    FlashSlotFactory,
    MenteeFactory,
    MentorFactory,
    MentorRequestFactory,
    PairingFactory,
)
from mentoring import notifications
from mentoring.models import Category, Notification, User
from mentoring.tests.factories import UserFactory
from programs import services as program_services
from programs.models import Invitation, Membership, ParticipantImport, Program, Question, Topic
from programs.tests.factories import (
    ChoiceFactory,
    InvitationFactory,
    MembershipFactory,
    ProgramFactory,
    QuestionFactory,
    TopicFactory,
)
from sessions.models import Meeting, RoadmapTopic, Workspace
from sessions.tests.test_access_matrix import WHEN, make_objects
from sessions.tests.test_access_matrix import Objects as WorkspaceObjects

__all__ = [
    "PERSONAS",
    "WHEN",
    "ProgramObjects",
    "World",
    "build_world",
    "give_totp",
    "snapshot",
]

PERSONAS = ("anonymous", "outsider", "mentee", "mentor", "other_admin", "admin", "staff")


def give_totp(user: User) -> None:
    """An active TOTP authenticator (and recovery codes), made as allauth's activation does,
    unless the factories gave them one already."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)  # returns the existing codes if there are some


@dataclass
class ProgramObjects:
    """One of every object a URL pattern can name, all in one program."""

    program: Program
    admin: Membership
    co_admin: Membership  # a second admin, so that removing an admin is allowed
    mentor: Membership
    mentee: Membership
    member: Membership  # a mentee in the mentor's circle
    pairing: Pairing  # active: mentor and mentee
    workspace: Workspace
    ws: WorkspaceObjects  # agreement, goal, topic, meetings, agenda, check-ins, notes ...
    topic: Topic
    question: Question
    record: ParticipantImport
    invitation: Invitation
    run: MatchRun  # a draft
    suggestion: MatchSuggestion
    constraint: MatchConstraint
    request: MentorRequest  # pending: mentee asks mentor
    circle: Circle  # led by mentor, with ``member``
    open_circle: Circle  # led by mentor, open to requests, the mentee not in it
    circle_meeting: Meeting  # in the circle's workspace, five days ahead
    seat: CircleMember  # member's seat (a member)
    asked_seat: CircleMember  # the mentee asks to join (requested)
    offer: FlashOffer  # by mentor
    slot: FlashSlot  # free
    booked: FlashSlot  # booked by the mentee
    notification: Notification  # the mentee's

    @property
    def slug(self) -> str:
        return self.program.slug


def build_program(tag: str, admin: User) -> ProgramObjects:
    """A running program offering every relationship kind, with one of every object."""
    program = ProgramFactory.create(
        name=f"Program Zq{tag}Qz",
        status=Program.Status.RUNNING,
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2027, 3, 1),
        allow_circles=True,
        allow_flash=True,
    )
    admin_m = MembershipFactory.create(program=program, user=admin, role=Membership.Role.ADMIN)
    co_admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN)
    mentor = MentorFactory.create(program=program)
    mentee = MenteeFactory.create(program=program)
    started = dt.datetime(2026, 9, 15, 9, 0, tzinfo=dt.UTC)
    pairing = PairingFactory.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        status=Pairing.Status.ACTIVE,
        started_at=started,
        respond_by=None,
    )
    workspace = Workspace.objects.get(pairing=pairing)
    ws = make_objects(workspace, mentor.user, mentee.user, tag)

    question = QuestionFactory.create(program=program, kind=Question.Kind.SINGLE)
    ChoiceFactory.create_batch(2, question=question)
    record = ParticipantImport.objects.create(
        program=program,
        uploaded_by=admin,
        filename="people.csv",
        status=ParticipantImport.Status.REJECTED,
        content="email,role\nnew@example.org,mentee\nnot-an-email,mentee\n",
        rows_total=2,
        rows_valid=1,
        errors=[{"line": 3, "email": "not-an-email", "reason": "Not an e-mail address."}],
    )
    run = MatchRun.objects.create(program=program, created_by=admin, mentee_count=1)
    circle = CircleFactory.create(program=program, mentor=mentor)
    member = MenteeFactory.create(program=program)
    seat = CircleMemberFactory.create(
        circle=circle, mentee=member, status=CircleMember.Status.MEMBER, joined_at=started
    )
    asked_seat = CircleMemberFactory.create(
        circle=circle, mentee=mentee, status=CircleMember.Status.REQUESTED
    )
    offer = FlashOfferFactory.create(program=program, mentor=mentor)
    # A second roadmap topic, so the topics can be moved.
    RoadmapTopic.objects.create(
        workspace=workspace, title="Zq second topic", created_by=mentor.user
    )
    circle_meeting = Meeting.objects.create(
        workspace=Workspace.objects.get(circle=circle),
        starts_at=WHEN + dt.timedelta(days=5),
        duration_minutes=60,
        created_by=mentor.user,
    )
    notification = Notification.objects.create(
        user=mentee.user,
        kind="test",
        key=f"world:{tag}:{mentee.pk}",
        title=f"A notification Zq{tag}Qz",
        url=f"/programs/{program.slug}/",
        email_state=Notification.EmailState.NONE,
    )
    return ProgramObjects(
        program=program,
        admin=admin_m,
        co_admin=co_admin,
        mentor=mentor,
        mentee=mentee,
        member=member,
        pairing=pairing,
        workspace=workspace,
        ws=ws,
        topic=TopicFactory.create(program=program),
        question=question,
        record=record,
        invitation=InvitationFactory.create(program=program, email=f"new@{program.slug}.org"),
        run=run,
        suggestion=MatchSuggestion.objects.create(run=run, mentee=mentee, mentor=mentor, score=5),
        constraint=MatchConstraint.objects.create(
            program=program, mentee=mentee, mentor=mentor, kind=MatchConstraint.Kind.LOCK
        ),
        request=MentorRequestFactory.create(program=program, mentor=mentor, mentee=mentee),
        circle=circle,
        open_circle=CircleFactory.create(program=program, mentor=mentor, open_to_requests=True),
        circle_meeting=circle_meeting,
        seat=seat,
        asked_seat=asked_seat,
        offer=offer,
        slot=FlashSlotFactory.create(offer=offer),
        booked=FlashSlotFactory.create(
            offer=offer,
            starts_at=WHEN + dt.timedelta(days=3),
            booked_by=mentee,
            booked_at=WHEN,
        ),
        notification=notification,
    )


# --- URL kwargs ------------------------------------------------------------------------------

Kwargs = Callable[["World", ProgramObjects], dict[str, Any]]


def _slug(w: World, o: ProgramObjects) -> dict[str, Any]:
    return {"slug": o.slug}


def _pk(get: Callable[[ProgramObjects], Any]) -> Kwargs:
    return lambda w, o: {"slug": o.slug, "pk": get(o).pk}


def _ws(**ids: Callable[[WorkspaceObjects], Any]) -> Kwargs:
    """A workspace URL: its pk, and the ids of the workspace's objects it names."""
    return lambda w, o: {
        "slug": o.slug,
        "pk": o.workspace.pk,
        **{key: get(o.ws).pk for key, get in ids.items()},
    }


def _role(role: str) -> Kwargs:
    return lambda w, o: {"slug": o.slug, "role": role}


def _none(w: World, o: ProgramObjects) -> dict[str, Any]:
    return {}


def _invitation_token(w: World, o: ProgramObjects) -> dict[str, Any]:
    return {"token": program_services.invitation_token(o.invitation)}


def _unsubscribe_token(w: World, o: ProgramObjects) -> dict[str, Any]:
    return {"token": notifications.unsubscribe_token(o.mentee.user, Category.MEETINGS)}


def _confirm_key(w: World, o: ProgramObjects) -> dict[str, Any]:
    address = EmailAddress.objects.get(user=o.mentee.user)
    return {"key": EmailConfirmationHMAC(address).key}


def _reset_key(w: World, o: ProgramObjects) -> dict[str, Any]:
    user = o.mentee.user
    return {"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)}


def _notification(w: World, o: ProgramObjects) -> dict[str, Any]:
    return {"pk": o.notification.pk}


# How each named URL pattern names its objects. Patterns with no URL kwargs need no entry;
# ``kwargs_for`` fails for a pattern with kwargs and no entry here.
URL_KWARGS: dict[str, Kwargs] = {
    # mentoring
    "notifications_unsubscribe": _unsubscribe_token,
    "notification_open": _notification,
    # allauth: valid keys (the matrix adds bogus ones)
    "account_confirm_email": _confirm_key,
    "account_reset_password_from_key": _reset_key,
    # programs
    **{
        f"programs:{name}": _slug
        for name in (
            "detail",
            "edit",
            "admins",
            "topics",
            "questions",
            "question_create",
            "participants",
            "participants_export",
            "import",
            "invitations",
        )
    },
    "programs:admin_remove": _pk(lambda o: o.co_admin),
    "programs:topic_edit": _pk(lambda o: o.topic),
    "programs:topic_delete": _pk(lambda o: o.topic),
    "programs:question_edit": _pk(lambda o: o.question),
    "programs:question_delete": _pk(lambda o: o.question),
    "programs:question_move": _pk(lambda o: o.question),
    "programs:enrol": _role("mentee"),
    "programs:participant": _pk(lambda o: o.mentee),
    "programs:participant_remove": _pk(lambda o: o.member),
    "programs:import_detail": _pk(lambda o: o.record),
    "programs:import_valid_rows": _pk(lambda o: o.record),
    "programs:invitation_resend": _pk(lambda o: o.invitation),
    "programs:invitation_revoke": _pk(lambda o: o.invitation),
    "invitations:landing": _invitation_token,
    "invitations:accept": _invitation_token,
    # matching
    **{
        f"matching:{name}": _slug
        for name in (
            "board",
            "run",
            "constraints",
            "pairings",
            "mine",
            "mentors",
            "requests",
            "mentor_accepting",
            "settings",
            "circles",
            "circle_create",
            "flash",
            "flash_offer_create",
        )
    },
    "matching:publish": _pk(lambda o: o.run),
    **{
        f"matching:suggestion_{action}": _pk(lambda o: o.suggestion)
        for action in ("lock", "unlock", "forbid", "pick")
    },
    "matching:constraint_remove": _pk(lambda o: o.constraint),
    **{
        f"matching:pairing{suffix}": _pk(lambda o: o.pairing)
        for suffix in ("", "_accept", "_decline", "_complete", "_end")
    },
    "matching:request_create": _pk(lambda o: o.mentor),
    **{
        f"matching:request{suffix}": _pk(lambda o: o.request)
        for suffix in ("", "_accept", "_decline", "_withdraw")
    },
    "matching:preferences": _role("mentee"),
    **{
        f"matching:circle{suffix}": _pk(lambda o: o.circle)
        for suffix in ("", "_edit", "_join", "_member_add", "_end")
    },
    "matching:circle_member_decide": _pk(lambda o: o.asked_seat),
    "matching:circle_member_remove": _pk(lambda o: o.seat),
    "matching:flash_offer": _pk(lambda o: o.offer),
    "matching:flash_offer_edit": _pk(lambda o: o.offer),
    "matching:flash_offer_close": _pk(lambda o: o.offer),
    "matching:flash_book": _pk(lambda o: o.slot),
    "matching:flash_cancel": _pk(lambda o: o.booked),
    # workspace
    **{
        f"workspace:{name}": _ws()
        for name in (
            "detail",
            "agreement",
            "agreement_edit",
            "agreement_accept",
            "goals",
            "goal_create",
            "roadmap",
            "meetings",
            "meeting_create",
            "actions",
            "action_create",
            "notes",
            "note_create",
            "reviews",
            "review_midpoint",
            "closure",
            "complete",
            "extend",
            "end_early",
        )
    },
    **{
        f"workspace:{name}": _ws(gid=lambda s: s.goal)
        for name in ("goal", "goal_edit", "goal_progress", "goal_status")
    },
    **{
        f"workspace:roadmap_{name}": _ws(tid=lambda s: s.topic)
        for name in ("edit", "move", "delete", "cover")
    },
    **{
        f"workspace:{name}": _ws(mid=lambda s: s.future)
        for name in ("meeting_edit", "meeting_cancel", "meeting_ics", "agenda_edit")
    },
    "workspace:agenda_item_add": _ws(mid=lambda s: s.future),
    **{
        f"workspace:{name}": _ws(mid=lambda s: s.past)
        for name in ("meeting_held", "meeting_missed")
    },
    "workspace:meeting": _ws(mid=lambda s: s.held),
    "workspace:checkin": _ws(mid=lambda s: s.held),
    **{f"workspace:action_{name}": _ws(aid=lambda s: s.action) for name in ("edit", "status")},
    # The mentor's shared note: the mentor may edit it, the mentee may read it.
    "workspace:note_edit": _ws(nid=lambda s: s.shared_note),
    "workspace:note_delete": _ws(nid=lambda s: s.shared_note),
    "workspace:review_reopen": _ws(rid=lambda s: s.review),
    # the audit trail of one program
    "audit:program": _slug,
    "audit:program_csv": _slug,
    # health and exports
    **{f"health:{name}": _slug for name in ("dashboard", "pairs")},
    **{f"exports:{name}": _slug for name in ("index", "participants", "pairings", "engagement")},
}


@dataclass
class World:
    """Both programs, their objects, and the seven personas."""

    here: ProgramObjects
    there: ProgramObjects
    users: dict[str, User | None] = field(default_factory=dict)

    def user(self, who: str) -> User | None:
        return self.users[who]

    def client(self, who: str, **client_kwargs: Any) -> Client:
        client = Client(**client_kwargs)
        user = self.users[who]
        if user is not None:
            client.force_login(user)
        return client

    def kwargs_for(self, name: str, side: str = "here") -> dict[str, Any]:
        """The URL kwargs naming this program's objects (or, ``side="there"``, the same
        kind of object in the other program, under the other program's slug)."""
        objects = self.here if side == "here" else self.there
        builder = URL_KWARGS.get(name, _none)
        return builder(self, objects)

    def foreign_kwargs_for(self, name: str) -> dict[str, Any]:
        """The other program's object ids under THIS program's slug."""
        kwargs = self.kwargs_for(name, side="there")
        if "slug" in kwargs:
            kwargs["slug"] = self.here.slug
        return kwargs


def build_world() -> World:
    """Both programs and the seven personas (call inside ``time_machine.travel(WHEN)``)."""
    admin = UserFactory.create()
    other_admin = UserFactory.create()
    staff = UserFactory.create(is_staff=True)
    for user in (admin, other_admin, staff):
        give_totp(user)
    Group.objects.create(name="Reviewers")  # so every Django admin model has an object
    here = build_program("here", admin)
    there = build_program("there", other_admin)
    users: dict[str, User | None] = {
        "anonymous": None,
        "outsider": UserFactory.create(),
        "mentee": here.mentee.user,
        "mentor": here.mentor.user,
        "other_admin": other_admin,
        "admin": admin,
        "staff": staff,
    }
    return World(here=here, there=there, users=users)


SNAPSHOT_APPS = ("mentoring", "programs", "matching", "mentoring_sessions", "account", "mfa")


def snapshot() -> dict[str, tuple[int, int]]:
    """Per table of the project's apps (and allauth's): the row count and a hash of the rows.

    Cheap enough to take around every request of the small world; two snapshots differ
    when anything was written.
    """
    state: dict[str, tuple[int, int]] = {}
    for label in SNAPSHOT_APPS:
        for model in apps.get_app_config(label).get_models():
            rows = model._default_manager.order_by("pk").values_list()
            digest = hashlib.blake2b(digest_size=16)
            count = 0
            for values in rows.iterator():
                digest.update(repr(values).encode())
                count += 1
            state[model._meta.db_table] = (count, int.from_bytes(digest.digest()))
    return state
