"""Factories for matching; related objects share one program."""

import datetime as dt

import factory

from matching.models import Circle, CircleMember, FlashOffer, FlashSlot, MentorRequest, Pairing
from programs.models import Membership
from programs.tests.factories import MembershipFactory, ProgramFactory


class MentorFactory(MembershipFactory):
    role = Membership.Role.MENTOR
    enrolled_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))


class MenteeFactory(MembershipFactory):
    role = Membership.Role.MENTEE
    enrolled_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))


class PairingFactory(factory.django.DjangoModelFactory[Pairing]):
    class Meta:
        model = Pairing

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.SubFactory(MentorFactory, program=factory.SelfAttribute("..program"))
    mentee = factory.SubFactory(MenteeFactory, program=factory.SelfAttribute("..program"))
    status = Pairing.Status.PROPOSED
    respond_by = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=7))
    planned_end_date = factory.SelfAttribute("program.end_date")


class MentorRequestFactory(factory.django.DjangoModelFactory[MentorRequest]):
    class Meta:
        model = MentorRequest

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.SubFactory(MentorFactory, program=factory.SelfAttribute("..program"))
    mentee = factory.SubFactory(MenteeFactory, program=factory.SelfAttribute("..program"))
    note = "I would love to learn from you."
    respond_by = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=7))


class CircleFactory(factory.django.DjangoModelFactory[Circle]):
    class Meta:
        model = Circle

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Circle {n}")
    mentor = factory.SubFactory(MentorFactory, program=factory.SelfAttribute("..program"))


class CircleMemberFactory(factory.django.DjangoModelFactory[CircleMember]):
    class Meta:
        model = CircleMember

    circle = factory.SubFactory(CircleFactory)
    mentee = factory.SubFactory(MenteeFactory, program=factory.SelfAttribute("..circle.program"))
    status = CircleMember.Status.MEMBER


class FlashOfferFactory(factory.django.DjangoModelFactory[FlashOffer]):
    class Meta:
        model = FlashOffer

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.SubFactory(MentorFactory, program=factory.SelfAttribute("..program"))
    title = factory.Sequence(lambda n: f"Flash session {n}")


class FlashSlotFactory(factory.django.DjangoModelFactory[FlashSlot]):
    class Meta:
        model = FlashSlot

    offer = factory.SubFactory(FlashOfferFactory)
    # Always in the future, whenever the tests run.
    starts_at = factory.Sequence(
        lambda n: (
            dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
            + dt.timedelta(days=30, hours=n)
        )
    )
