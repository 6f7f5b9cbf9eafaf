"""Two-factor authentication is required of staff and program admins on admin pages.

Without an authenticator app they are sent to set one up (and come back where they were
going); the rest of the site keeps working for them. ``ADMIN_MFA_REQUIRED=false`` turns
it off.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from matching.models import MentorRequest
from matching.services._common import is_program_admin
from matching.tests.factories import (
    CircleFactory,
    CircleMemberFactory,
    MentorFactory,
    MentorRequestFactory,
)
from mentoring.security import (
    NEXT_SESSION_KEY,
    TWO_FACTOR_MESSAGE,
    _same_site_path,
)
from mentoring.tests.factories import PASSWORD, UserFactory, give_two_factor, totp_code
from programs.models import Membership, Program
from programs.tests.test_programs import program_data
from sessions.tests.conftest import make_world

pytestmark = pytest.mark.django_db

SETUP = reverse("mfa_activate_totp")

# Every kind of page that needs the program-admin role (programs, matching, sessions).
ADMIN_PAGES = [
    "programs:edit",
    "programs:admins",
    "programs:topics",
    "programs:questions",
    "programs:participants",
    "programs:import",
    "programs:invitations",
    "matching:board",
    "matching:constraints",
    "matching:settings",
    "matching:pairings",
    "health:dashboard",
    "health:pairs",
    "exports:index",
    "exports:participants",
]


def without_two_factor(user) -> None:
    Authenticator.objects.filter(user=user).delete()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_sent_to_set_up(response, next_path: str) -> None:
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == SETUP
    assert parse_qs(location.query)["next"] == [next_path]
    assert TWO_FACTOR_MESSAGE in [str(m) for m in get_messages(response.wsgi_request)]


# --- Staff on the Django admin ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/", "/admin/mentoring/user/", "/admin/programs/program/"])
def test_staff_without_two_factor_cannot_open_any_admin_page(path):
    staff = UserFactory.create(is_staff=True, is_superuser=True, two_factor=False)
    assert_sent_to_set_up(signed_in(staff).get(path), path)


def test_staff_with_two_factor_opens_the_admin(staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    assert signed_in(staff_user).get("/admin/mentoring/user/").status_code == 200


def test_the_admin_login_and_logout_stay_open_to_staff_without_two_factor():
    staff = UserFactory.create(is_staff=True, two_factor=False)
    client = signed_in(staff)
    response = client.get("/admin/login/")
    assert not response.get("Location", "").startswith(SETUP)
    response = client.post("/admin/logout/")
    assert not response.get("Location", "").startswith(SETUP)
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_to_the_admin_is_told_where_to_go():
    staff = UserFactory.create(is_staff=True, two_factor=False)
    response = signed_in(staff).get(
        "/admin/", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/admin/"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(SETUP + "?next=")


def test_non_staff_are_still_refused_by_the_admin_itself(personas):
    response = personas.client("mentee").get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- Staff on staff pages outside the Django admin -----------------------------------------

STAFF_PAGES = ["audit:all", "audit:all_csv", "programs:create"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_without_two_factor_are_sent_to_set_it_up_on_every_staff_page(name):
    staff = UserFactory.create(is_staff=True, two_factor=False)
    url = reverse(name)
    assert_sent_to_set_up(signed_in(staff).get(url), url)


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_with_two_factor_open_the_staff_pages(staff_user, name):
    assert signed_in(staff_user).get(reverse(name)).status_code == 200


def test_staff_without_two_factor_create_no_program():
    staff = UserFactory.create(is_staff=True, two_factor=False)
    response = signed_in(staff).post(reverse("programs:create"), program_data())
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    assert not Program.objects.exists()


def test_anonymous_visitors_of_the_admin_are_sent_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- Program admins on program pages --------------------------------------------------------


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_program_admin_without_two_factor_is_sent_to_set_it_up(personas, name):
    without_two_factor(personas.admin)
    url = reverse(name, args=[personas.program.slug])
    assert_sent_to_set_up(personas.client("admin").get(url), url)


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_program_admin_with_two_factor_opens_admin_pages(personas, name):
    url = reverse(name, args=[personas.program.slug])
    assert personas.client("admin").get(url).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"), [("mentor", 403), ("mentee", 403), ("outsider", 404), ("anonymous", 302)]
)
def test_other_personas_get_what_they_got_before(personas, who, status):
    # The outsider is an admin elsewhere, without two-factor: still a 404 here.
    without_two_factor(personas.outsider)
    url = reverse("health:dashboard", args=[personas.program.slug])
    response = personas.client(who).get(url)
    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


def test_a_program_they_only_administer_is_all_admin_pages(personas):
    without_two_factor(personas.admin)
    url = reverse("programs:detail", args=[personas.program.slug])
    assert_sent_to_set_up(personas.client("admin").get(url), url)


def test_an_admin_post_without_two_factor_changes_nothing(personas):
    without_two_factor(personas.admin)
    url = reverse("programs:topics", args=[personas.program.slug])
    response = personas.client("admin").post(url, {"name": "Leadership"})
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    assert not personas.program.topics.exists()
    # Not back to the URL it was posted to (a GET there could be a 405): the home page,
    # as the page the form was on is not known.
    assert_sent_to_set_up(response, reverse("home"))
    assert response.wsgi_request.session[NEXT_SESSION_KEY] == reverse("home")


def test_after_setting_up_a_form_post_goes_back_to_the_page_it_was_on(personas):
    without_two_factor(personas.admin)
    page = reverse("programs:topics", args=[personas.program.slug])
    response = personas.client("admin").post(
        page + "?tab=1", {"name": "Leadership"}, headers={"Referer": f"http://testserver{page}"}
    )
    assert_sent_to_set_up(response, page)


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("http://testserver//evil.example/a?b=1", "/evil.example/a?b=1"),
        ("http://testserver/\\evil.example/a", "/evil.example/a"),
        ("http://testserver///evil.example/", "/evil.example/"),
        ("http://testserver/programs/x/?tab=1", "/programs/x/?tab=1"),
        ("http://testserver", "/"),
    ],
)
def test_a_remembered_page_is_always_a_path_on_this_site(url, path):
    request = RequestFactory().get("/")
    found = _same_site_path(request, url)
    assert found == path
    assert url_has_allowed_host_and_scheme(found, allowed_hosts={"testserver"})


def test_a_remembered_page_from_htmx_cannot_lead_to_another_site(personas):
    without_two_factor(personas.admin)
    page = reverse("matching:board", args=[personas.program.slug])
    response = personas.client("admin").get(
        page, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver//evil.example/"}
    )
    assert response["HX-Redirect"] == f"{SETUP}?next=%2Fevil.example%2F"


def test_htmx_requests_of_program_admins_get_hx_redirect(personas):
    without_two_factor(personas.admin)
    page = reverse("matching:board", args=[personas.program.slug])
    response = personas.client("admin").get(
        page, headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"}
    )
    assert response["HX-Redirect"] == f"{SETUP}?next={page.replace('/', '%2F')}"


def test_their_own_pages_keep_working_without_two_factor(personas):
    without_two_factor(personas.admin)
    client = personas.client("admin")
    for name in ("home", "profile", "notifications", "account_email", "mfa_index"):
        assert client.get(reverse(name)).status_code == 200, name


def test_an_admin_who_mentors_keeps_their_workspace_but_not_others(db):
    world = make_world()
    # The pair's mentor also administers the program, without two-factor.
    Membership.objects.create(program=world.program, user=world.mentor, role="admin")
    client = signed_in(world.mentor)
    assert client.get(world.url("detail")).status_code == 200
    other = world.url("detail", workspace=world.other_workspace)
    assert_sent_to_set_up(client.get(other), other)
    board = reverse("matching:board", args=[world.program.slug])
    assert_sent_to_set_up(client.get(board), board)
    give_two_factor(world.mentor)
    assert client.get(other).status_code == 200


def test_the_requirement_can_be_turned_off(personas, settings):
    settings.ADMIN_MFA_REQUIRED = False
    without_two_factor(personas.admin)
    staff = UserFactory.create(is_staff=True, two_factor=False)
    url = reverse("health:dashboard", args=[personas.program.slug])
    assert personas.client("admin").get(url).status_code == 200
    assert signed_in(staff).get("/admin/").status_code == 200
    assert signed_in(staff).get(reverse("audit:all")).status_code == 200
    assert is_program_admin(personas.admin, personas.program)


# --- Admin-only actions of admins who also mentor or are mentees ---------------------------


def admin_without_two_factor(program, user) -> Client:
    """``user``, already a mentor or mentee of ``program``, also administers it without
    two-factor: their own pages work, admin-only actions need two-factor."""
    Membership.objects.create(program=program, user=user, role="admin")
    without_two_factor(user)
    return signed_in(user)


def test_an_admin_without_two_factor_cannot_accept_a_request_for_the_admins(personas):
    r = MentorRequestFactory.create(program=personas.program, decided_by_admin=True)
    user = r.mentor.user  # the mentor asked, and an admin: in hybrid mode, as an admin
    client = admin_without_two_factor(personas.program, user)
    page = reverse("matching:request", args=[personas.program.slug, r.pk])
    assert client.get(page).status_code == 200  # their own request, as its mentor
    url = reverse("matching:request_accept", args=[personas.program.slug, r.pk])
    response = client.post(url, headers={"Referer": f"http://testserver{page}"})
    assert_sent_to_set_up(response, page)
    r.refresh_from_db()
    assert r.status == MentorRequest.Status.PENDING
    assert r.pairing is None


def test_an_admin_without_two_factor_declining_a_request_is_sent_to_set_it_up(personas):
    r = MentorRequestFactory.create(program=personas.program, decided_by_admin=True)
    client = admin_without_two_factor(personas.program, r.mentor.user)
    url = reverse("matching:request_decline", args=[personas.program.slug, r.pk])
    assert_sent_to_set_up(client.get(url), url)
    r.refresh_from_db()
    assert r.status == MentorRequest.Status.PENDING


def test_a_mentor_still_may_not_answer_a_request_for_the_admins(personas):
    r = MentorRequestFactory.create(program=personas.program, decided_by_admin=True)
    client = signed_in(r.mentor.user)
    url = reverse("matching:request_accept", args=[personas.program.slug, r.pk])
    response = client.post(url)
    assert response.status_code == 403
    assert "Only the program&#x27;s admins can accept this request." in response.content.decode()


@pytest.mark.parametrize(
    ("name", "method", "on"),
    [
        ("circle_edit", "get", "circle"),
        ("circle_end", "get", "circle"),
        ("circle_member_add", "post", "circle"),
        ("circle_member_decide", "post", "seat"),
        ("circle_member_remove", "post", "seat"),
    ],
)
def test_admin_only_circle_actions_send_an_admin_without_two_factor_to_set_it_up(
    personas, name, method, on
):
    circle = CircleFactory.create(program=personas.program)
    seat = CircleMemberFactory.create(circle=circle, status="requested")
    client = admin_without_two_factor(personas.program, personas.mentee)
    url = reverse(
        f"matching:{name}", args=[personas.program.slug, (circle if on == "circle" else seat).pk]
    )
    page = circle.get_absolute_url()
    if method == "get":
        assert_sent_to_set_up(client.get(url), url)
    else:
        response = client.post(
            url, {"decision": "accept"}, headers={"Referer": f"http://testserver{page}"}
        )
        assert_sent_to_set_up(response, page)
    seat.refresh_from_db()
    assert seat.status == "requested"
    # Without the admin role it is still a plain refusal.
    assert getattr(signed_in(personas.mentor), method)(url).status_code == 403


@pytest.mark.usefixtures("page_cache_off")
@pytest.mark.parametrize("name", ["programs:topics", "programs:detail", "health:dashboard"])
def test_the_check_costs_no_query_on_program_pages(personas, settings, name):
    url = reverse(name, args=[personas.program.slug])
    client = personas.client("admin")

    def queries() -> int:
        client.get(url)  # warm-up
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    with_check = queries()
    settings.ADMIN_MFA_REQUIRED = False
    assert queries() == with_check


# --- Setting it up, with recovery codes, and on to the page -------------------------------


def test_setting_up_two_factor_leads_through_recovery_codes_back_to_the_page(personas):
    without_two_factor(personas.admin)
    client = personas.client("admin")
    health = reverse("health:dashboard", args=[personas.program.slug])
    response = client.get(health, follow=True)
    # allauth asks for the password once more before adding an authenticator.
    reauth = response.redirect_chain[-1][0]
    assert reauth.startswith(reverse("account_reauthenticate"))
    response = client.post(reauth, {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith(SETUP)
    assert client.session[NEXT_SESSION_KEY] == health
    secret = client.session[SECRET_SESSION_KEY]  # what the QR code holds
    code = format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))
    response = client.post(SETUP, {"code": code})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    page = client.get(response["Location"]).content.decode()
    assert "Unused codes" in page
    assert reverse("mfa_download_recovery_codes") in page
    assert f'href="{health}"' in page
    assert client.get(reverse("mfa_download_recovery_codes")).status_code == 200
    assert client.get(health).status_code == 200


def test_the_profile_links_to_two_factor_settings(personas):
    page = personas.client("mentee").get(reverse("profile")).content.decode()
    assert f'href="{reverse("mfa_index")}"' in page
    assert "Two-factor authentication" in page


def test_an_admin_signing_in_with_the_form_is_asked_for_the_code(personas):
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": personas.admin.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(personas.admin)})
    assert response.status_code == 302
    url = reverse("health:dashboard", args=[personas.program.slug])
    assert client.get(url).status_code == 200


def test_factories_give_admins_and_staff_two_factor_unless_told_not_to(personas, staff_user):
    has = Authenticator.objects.filter(type=Authenticator.Type.TOTP)
    assert has.filter(user=personas.admin).exists()
    assert has.filter(user=staff_user).exists()
    assert not has.filter(user=personas.mentor).exists()
    mentor = MentorFactory.create(program=personas.program)
    assert not has.filter(user=mentor.user).exists()
