"""The first journey in a real browser: from a new program to an enrolled mentee."""

import re

import pytest
from django.core import mail

from mentoring.models import User
from mentoring.tests.factories import give_two_factor, totp_code
from programs import demo
from programs.models import Answer, Membership, Program, Question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, email, password):
    """Sign in through the form. Staff and program admins have set up two-factor, as they
    must to use admin pages (mentoring.security), and enter their app's code."""
    user = User.objects.get(email=email)
    admin = user.is_staff or Membership.objects.filter(user=user, role="admin").exists()
    if admin:
        give_two_factor(user)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    if admin:
        page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
        page.locator("input[name=code]").fill(totp_code(user))
        page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/")


def test_admin_creates_program_invites_and_the_invitee_signs_up_and_enrols(live_server, new_page):
    demo.seed()
    base = live_server.url

    # The demo admin creates a program.
    admin = new_page()
    sign_in(admin, base, demo.ADMIN_EMAIL, demo.DEMO_PASSWORD)
    admin.get_by_role("link", name="Programs", exact=True).click()
    admin.get_by_role("link", name="New program").click()
    admin.get_by_label("Name").fill("Women in Engineering 2027")
    admin.get_by_label("Description").fill("Peer and senior mentoring for engineers.")
    admin.get_by_label("Status").select_option("enrolling")
    admin.get_by_label("Start date").fill("2027-01-11")
    admin.get_by_label("End date").fill("2027-07-09")
    admin.get_by_role("button", name="Create program").click()
    admin.get_by_role("heading", name="Women in Engineering 2027").wait_for()
    program = Program.objects.get(name="Women in Engineering 2027")
    assert Membership.objects.filter(
        program=program, user__email=demo.ADMIN_EMAIL, role="admin"
    ).exists()

    # ... adds a matching question ...
    tabs = admin.get_by_role("navigation", name="Program administration")
    tabs.get_by_role("link", name="Enrolment questions").click()
    admin.get_by_role("link", name="Add a question").click()
    admin.get_by_role("textbox", name="Question", exact=True).fill("How do you prefer to work?")
    admin.get_by_label("Kind of answer").select_option("single")
    admin.get_by_label("Options").fill("Planned ahead\nOn the fly\nA mix")
    admin.get_by_label("An answer is required").check()
    admin.get_by_label("Used for matching").check()
    admin.get_by_label("How matching uses it").select_option("same")
    admin.get_by_role("button", name="Save question").click()
    admin.get_by_text("Question added.").wait_for()
    question = Question.objects.get(program=program)
    assert question.used_for_matching
    assert question.matching_rule == "same"

    # ... and invites a person who has no account yet.
    tabs.get_by_role("link", name="Invitations").click()
    admin.get_by_label("E-mail address").fill("jo.newcomer@example.org")
    admin.get_by_label("Role").select_option("mentee")
    admin.get_by_role("button", name="Send invitation").click()
    admin.get_by_text("Invitation sent to jo.newcomer@example.org").wait_for()
    invitation_mail = next(m for m in mail.outbox if m.to == ["jo.newcomer@example.org"])
    found = re.search(r"https?://\S+/invitations/(\S+/)", str(invitation_mail.body))
    assert found, invitation_mail.body
    path = found.group(1)

    # The invitee opens the link in their own browser, signs up and enrols.
    jo = new_page()
    jo.goto(f"{base}/invitations/{path}")
    jo.get_by_role("heading", name="You are invited to Women in Engineering 2027").wait_for()
    jo.get_by_label("Full name").fill("Jo Newcomer")
    jo.get_by_label(re.compile(r"^\s*Password\W*$")).fill("a-very-private-passphrase")
    jo.get_by_label("Password (again)").fill("a-very-private-passphrase")
    jo.get_by_role("button", name="Create account and join").click()
    jo.get_by_role("heading", name="Your enrolment as mentee").wait_for()
    jo.get_by_label("What I want to get out of this").fill("Grow into a tech lead role.")
    jo.get_by_label("My goals").fill("Lead a small project by summer.")
    jo.get_by_label("How do you prefer to work?").select_option(label="Planned ahead")
    jo.get_by_label("I have read what the program's admins can see.").check()
    jo.get_by_role("button", name="Enrol").click()
    jo.get_by_text("Thank you: you are enrolled.").wait_for()

    membership = Membership.objects.get(program=program, user__email="jo.newcomer@example.org")
    assert membership.role == "mentee"
    assert membership.enrolled_at is not None
    assert membership.user.name == "Jo Newcomer"
    answer = Answer.objects.get(membership=membership, question=question)
    assert answer.value == question.choices.get(label="Planned ahead").pk
