"""Factories for programs; related objects share one program."""

import datetime as dt
from typing import Any

import factory

from mentoring.tests.factories import UserFactory, give_two_factor
from programs.models import Choice, Invitation, Membership, Program, Question, Topic


class ProgramFactory(factory.django.DjangoModelFactory[Program]):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    description = "A mentoring program."
    start_date = dt.date(2026, 9, 1)
    end_date = dt.date(2027, 3, 1)
    status = Program.Status.ENROLLING


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MENTEE

    @factory.post_generation
    def two_factor(self: Any, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        """Admins have two-factor set up, as they must to use admin pages
        (``two_factor=False`` for one who has not)."""
        if create and (extracted or (self.role == Membership.Role.ADMIN and extracted is None)):
            give_two_factor(self.user)


class TopicFactory(factory.django.DjangoModelFactory[Topic]):
    class Meta:
        model = Topic

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Topic {n}")


class QuestionFactory(factory.django.DjangoModelFactory[Question]):
    class Meta:
        model = Question

    program = factory.SubFactory(ProgramFactory)
    text = factory.Sequence(lambda n: f"Question {n}?")
    kind = Question.Kind.TEXT
    position = factory.Sequence(int)


class ChoiceFactory(factory.django.DjangoModelFactory[Choice]):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    label = factory.Sequence(lambda n: f"Option {n}")
    position = factory.Sequence(int)


def _first_admin(program):
    membership = Membership.objects.filter(program=program, role="admin").first()
    return membership.user if membership else None


class InvitationFactory(factory.django.DjangoModelFactory[Invitation]):
    class Meta:
        model = Invitation

    program = factory.SubFactory(ProgramFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Membership.Role.MENTEE
    invited_by = factory.LazyAttribute(lambda o: _first_admin(o.program))
    expires_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=30))
