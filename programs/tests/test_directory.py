"""The admins' participant directory, a participant's page, removal, and the CSV export."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring.models import User
from programs.models import Answer, Membership, Question, Topic
from programs.selectors import EXPORT_FIXED_COLUMNS
from programs.tests.factories import (
    ChoiceFactory,
    MembershipFactory,
    ProgramFactory,
    QuestionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

Role = Membership.Role
Kind = Question.Kind

# The most queries either page may make, whatever the number of participants.
DIRECTORY_BUDGET = 12
# The export also writes its audit event (programs.audit: every export is on the trail).
EXPORT_BUDGET = 11


def directory_url(program, **params):
    from urllib.parse import urlencode

    url = reverse("programs:participants", args=[program.slug])
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def export_url(program):
    return reverse("programs:participants_export", args=[program.slug])


def listed(response):
    return [m.user.email for m in response.context["page"].object_list]


def populate(program, n, prefix="p"):
    """``n`` participants, alternately mentor and mentee, with topics and answers."""
    topics = [TopicFactory.create(program=program, name=f"{prefix} topic {i}") for i in range(3)]
    single = QuestionFactory.create(program=program, text=f"{prefix} colour?", kind=Kind.SINGLE)
    choices = [ChoiceFactory.create(question=single, label=c) for c in ("Red", "Green")]
    text = QuestionFactory.create(program=program, text=f"{prefix} story?", kind=Kind.TEXT)
    users = User.objects.bulk_create(
        User(email=f"{prefix}{i:04}@example.org", name=f"{prefix.upper()} Person {i:04}")
        for i in range(n)
    )
    memberships = Membership.objects.bulk_create(
        Membership(
            program=program,
            user=user,
            role=Role.MENTOR if i % 2 else Role.MENTEE,
            department=("Sales", "Legal", "")[i % 3],
            enrolled_at=timezone.now() if i % 2 == 0 else None,
        )
        for i, user in enumerate(users)
    )
    Through = Membership.topics.through
    Through.objects.bulk_create(
        Through(membership_id=m.pk, topic_id=t.pk)
        for i, m in enumerate(memberships)
        for t in topics[: 1 + i % 3]
    )
    Answer.objects.bulk_create(
        a
        for i, m in enumerate(memberships)
        for a in (
            Answer(membership=m, question=single, value=choices[i % 2].pk),
            Answer(membership=m, question=text, value=f"Story {i}"),
        )
    )
    return memberships


# --- The directory --------------------------------------------------------------------------


def test_directory_lists_this_programs_participants_but_not_its_admins(personas):
    MembershipFactory.create(program=personas.other_program, role=Role.MENTEE)
    response = personas.client("admin").get(directory_url(personas.program))
    assert response.status_code == 200
    assert sorted(listed(response)) == sorted([personas.mentor.email, personas.mentee.email])
    assert response.context["page"].paginator.count == 2


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ana", {"ana@example.org"}),
        ("DIAZ", {"ana@example.org"}),
        ("lee@exa", {"lee@example.org"}),
        ("example.org", {"ana@example.org", "lee@example.org"}),
        ("nobody", set()),
    ],
)
def test_directory_searches_names_and_emails(personas, q, expected):
    MembershipFactory.create(
        program=personas.program, user__name="Ana Diaz", user__email="ana@example.org"
    )
    MembershipFactory.create(
        program=personas.program,
        role=Role.MENTOR,
        user__name="Lee Park",
        user__email="lee@example.org",
    )
    response = personas.client("admin").get(directory_url(personas.program, q=q))
    assert set(listed(response)) - {personas.mentor.email, personas.mentee.email} == expected


def test_directory_filters_by_role(personas):
    populate(personas.program, 10)
    client = personas.client("admin")
    mentors = client.get(directory_url(personas.program, role="mentor"))
    mentees = client.get(directory_url(personas.program, role="mentee"))
    assert all(m.role == Role.MENTOR for m in mentors.context["page"].object_list)
    assert all(m.role == Role.MENTEE for m in mentees.context["page"].object_list)
    assert mentors.context["page"].paginator.count == 6  # 5 + the mentor persona
    assert mentees.context["page"].paginator.count == 6


def test_directory_filters_by_topic_listing_each_person_once(personas):
    memberships = populate(personas.program, 9)
    topic = Topic.objects.get(program=personas.program, name="p topic 0")
    others = Topic.objects.filter(program=personas.program).exclude(pk=topic.pk)
    # Everyone populated has topic 0; a third of them have all three.
    response = personas.client("admin").get(directory_url(personas.program, topic=topic.pk))
    assert sorted(listed(response)) == sorted(m.user.email for m in memberships)
    assert response.context["page"].paginator.count == 9
    narrower = others.get(name="p topic 2")
    response = personas.client("admin").get(directory_url(personas.program, topic=narrower.pk))
    assert response.context["page"].paginator.count == 3


def test_directory_filters_by_department_and_enrolment(personas):
    memberships = populate(personas.program, 12)
    client = personas.client("admin")
    sales = client.get(directory_url(personas.program, department="Sales"))
    assert sorted(listed(sales)) == sorted(
        m.user.email for m in memberships if m.department == "Sales"
    )
    enrolled = client.get(directory_url(personas.program, enrolled="yes"))
    assert sorted(listed(enrolled)) == sorted(m.user.email for m in memberships if m.enrolled_at)
    not_yet = client.get(directory_url(personas.program, enrolled="no"))
    assert personas.mentee.email in listed(not_yet)
    assert all(m.enrolled_at is None for m in not_yet.context["page"].object_list)
    both = client.get(
        directory_url(personas.program, department="Sales", enrolled="yes", role="mentee")
    )
    assert sorted(listed(both)) == sorted(
        m.user.email
        for m in memberships
        if m.department == "Sales" and m.enrolled_at and m.role == Role.MENTEE
    )


def test_directory_offers_only_this_programs_topics_and_departments(personas):
    TopicFactory.create(program=personas.program, name="Ours")
    TopicFactory.create(program=personas.other_program, name="Theirs")
    MembershipFactory.create(program=personas.other_program, department="Elsewhere")
    MembershipFactory.create(program=personas.program, department="Here")
    # Admins are not in the directory, so their department would filter to nobody.
    MembershipFactory.create(program=personas.program, role=Role.ADMIN, department="Board")
    form = personas.client("admin").get(directory_url(personas.program)).context["form"]
    assert [label for _, label in form.fields["topic"].choices] == ["Any topic", "Ours"]
    assert [label for _, label in form.fields["department"].choices] == ["Any department", "Here"]


def test_another_programs_topic_is_not_a_filter(personas):
    theirs = TopicFactory.create(program=personas.other_program)
    response = personas.client("admin").get(directory_url(personas.program, topic=theirs.pk))
    assert response.status_code == 200
    assert "Ignored what was not understood: topic." in response.content.decode()


def test_a_bad_filter_does_not_drop_the_good_ones(personas):
    theirs = TopicFactory.create(program=personas.other_program)
    response = personas.client("admin").get(
        directory_url(personas.program, topic=theirs.pk, role="mentor")
    )
    people = [m.user for m in response.context["page"].object_list]
    assert people == [personas.mentor]
    assert "Ignored what was not understood: topic." in response.content.decode()


@pytest.mark.usefixtures("page_cache_off")
def test_directory_pages_hold_25_people(personas):
    populate(personas.program, 58)  # 60 with the two personas
    client = personas.client("admin")
    first = client.get(directory_url(personas.program))
    assert len(first.context["page"].object_list) == 25
    assert first.context["page"].paginator.num_pages == 3
    last = client.get(directory_url(personas.program, page=3))
    assert len(last.context["page"].object_list) == 10
    seen = set()
    for page in (1, 2, 3):
        seen |= set(listed(client.get(directory_url(personas.program, page=page))))
    assert len(seen) == 60
    # Out-of-range and nonsense page numbers still show a page.
    assert client.get(directory_url(personas.program, page=99)).context["page"].number == 3
    assert client.get(directory_url(personas.program, page="x")).context["page"].number == 1


def test_pagination_links_keep_the_filters(personas):
    populate(personas.program, 60)
    response = personas.client("admin").get(
        directory_url(personas.program, role="mentor", q="P Person", page=1)
    )
    page = response.content.decode()
    assert 'href="?role=mentor&amp;q=P+Person&amp;page=2"' in page
    assert response.context["page"].paginator.count == 30


def test_directory_shows_names_escaped(personas):
    MembershipFactory.create(
        program=personas.program, user__name="<b>Bold</b>", department="<i>x</i>"
    )
    page = personas.client("admin").get(directory_url(personas.program)).content.decode()
    assert "<b>Bold</b>" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page
    assert "&lt;i&gt;x&lt;/i&gt;" in page


def _count(client, url, consume=False):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
        if consume:
            b"".join(response.streaming_content)
    return len(ctx.captured_queries)


@pytest.fixture
def small_and_large(personas):
    """Two programs the admin persona runs: one with 10 participants, one with 200."""
    programs = []
    for size, prefix in ((10, "s"), (200, "l")):
        program = ProgramFactory.create()
        MembershipFactory.create(program=program, user=personas.admin, role=Role.ADMIN)
        populate(program, size, prefix=prefix)
        programs.append(program)
    return programs


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "person"},
        {"role": "mentee", "enrolled": "yes", "department": "Sales"},
        {"topic": "topic 0"},
        {"page": 2},
    ],
)
def test_directory_query_count_does_not_grow_with_participants(personas, small_and_large, params):
    client = personas.client("admin")
    counts = []
    for program in small_and_large:
        query = dict(params)
        if "topic" in query:
            query["topic"] = program.topics.get(name__endswith=query["topic"]).pk
        counts.append(_count(client, directory_url(program, **query)))
    assert counts[0] == counts[1], counts
    assert counts[1] <= DIRECTORY_BUDGET


# --- A participant's page and removal -------------------------------------------------------


def test_participant_page_shows_profile_topics_and_answers_as_words(personas):
    program = personas.program
    topic = TopicFactory.create(program=program, name="Negotiation")
    colour = QuestionFactory.create(program=program, text="Colour?", kind=Kind.SINGLE)
    red = ChoiceFactory.create(question=colour, label="Red")
    ChoiceFactory.create(question=colour, label="Blue")
    langs = QuestionFactory.create(program=program, text="Languages?", kind=Kind.MULTIPLE)
    en = ChoiceFactory.create(question=langs, label="English")
    fr = ChoiceFactory.create(question=langs, label="French")
    QuestionFactory.create(program=program, text="Unanswered?", kind=Kind.TEXT)
    QuestionFactory.create(program=program, text="Mentors only?", audience="mentors")
    mentee = personas.membership("mentee")
    mentee.goals_statement = "Lead well"
    mentee.department = "Sales"
    mentee.save()
    mentee.topics.add(topic)
    Answer.objects.create(membership=mentee, question=colour, value=red.pk)
    Answer.objects.create(membership=mentee, question=langs, value=[en.pk, fr.pk])
    url = reverse("programs:participant", args=[program.slug, mentee.pk])
    response = personas.client("admin").get(url)
    assert response.status_code == 200
    assert response.context["answers"] == [
        (colour, "Red"),
        (langs, "English, French"),
        (Question.objects.get(text="Unanswered?"), ""),
    ]
    page = response.content.decode()
    for text in ("Lead well", "Sales", "Negotiation", "Colour?", "Red", "English, French"):
        assert text in page
    assert "Mentors only?" not in page


def test_admin_removes_a_participant_and_their_answers(personas):
    mentee = personas.membership("mentee")
    question = QuestionFactory.create(program=personas.program)
    Answer.objects.create(membership=mentee, question=question, value="x")
    client = personas.client("admin")
    response = client.post(
        reverse("programs:participant_remove", args=[personas.program.slug, mentee.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == directory_url(personas.program)
    assert not Membership.objects.filter(pk=mentee.pk).exists()
    assert not Answer.objects.filter(question=question).exists()
    assert User.objects.filter(pk=personas.mentee.pk).exists()
    assert "is no longer a mentee" in client.get(response["Location"]).content.decode()
    assert personas.client("mentee").get(personas.program.get_absolute_url()).status_code == 404


def test_removing_one_role_keeps_the_other(personas):
    as_mentee = MembershipFactory.create(
        program=personas.program, user=personas.mentor, role=Role.MENTEE
    )
    personas.client("admin").post(
        reverse("programs:participant_remove", args=[personas.program.slug, as_mentee.pk])
    )
    assert list(
        Membership.objects.filter(program=personas.program, user=personas.mentor).values_list(
            "role", flat=True
        )
    ) == [Role.MENTOR]


def test_an_admin_is_not_removed_through_the_participant_pages(personas):
    admin = personas.membership("admin")
    MembershipFactory.create(program=personas.program, role=Role.ADMIN)
    url = reverse("programs:participant_remove", args=[personas.program.slug, admin.pk])
    assert personas.client("admin").post(url).status_code == 403
    assert Membership.objects.filter(pk=admin.pk).exists()


# --- The CSV export -------------------------------------------------------------------------


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_export_streams_a_csv_with_a_header_and_one_row_per_participant(personas):
    memberships = populate(personas.program, 20)
    MembershipFactory.create(program=personas.other_program, user__email="theirs@example.org")
    response = personas.client("admin").get(export_url(personas.program))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    date = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="{personas.program.slug}-participants-{date}.csv"'
    )
    rows = read_csv(response)
    assert rows[0] == [*EXPORT_FIXED_COLUMNS, "p colour?", "p story?"]
    emails = [row[0] for row in rows[1:]]
    assert sorted(emails) == sorted(
        [m.user.email for m in memberships] + [personas.mentor.email, personas.mentee.email]
    )
    assert personas.admin.email not in emails
    assert "theirs@example.org" not in emails


def test_export_writes_answers_as_labels(personas):
    populate(personas.program, 4)
    rows = read_csv(personas.client("admin").get(export_url(personas.program)))
    header = rows[0]
    by_email = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    first, second = by_email["p0000@example.org"], by_email["p0001@example.org"]
    assert (first["p colour?"], first["p story?"]) == ("Red", "Story 0")
    assert (second["p colour?"], second["p story?"]) == ("Green", "Story 1")
    assert first["role"] == "mentee"
    assert second["role"] == "mentor"
    assert second["capacity"] == str(personas.program.default_mentor_capacity)
    assert first["capacity"] == ""
    assert first["topics"] == "p topic 0"
    assert by_email["p0002@example.org"]["topics"] == "p topic 0; p topic 1; p topic 2"
    assert by_email[personas.mentee.email]["p colour?"] == ""


def test_export_writes_multiple_choice_answers_as_their_labels(personas):
    langs = QuestionFactory.create(program=personas.program, text="Languages?", kind=Kind.MULTIPLE)
    en = ChoiceFactory.create(question=langs, label="English")
    fr = ChoiceFactory.create(question=langs, label="French")
    scale = QuestionFactory.create(program=personas.program, text="Scale?", kind=Kind.SCALE)
    mentee = personas.membership("mentee")
    Answer.objects.create(membership=mentee, question=langs, value=[en.pk, fr.pk])
    Answer.objects.create(membership=mentee, question=scale, value=4)
    rows = read_csv(personas.client("admin").get(export_url(personas.program)))
    row = dict(zip(rows[0], next(r for r in rows if r[0] == personas.mentee.email), strict=True))
    assert row["Languages?"] == "English, French"
    assert row["Scale?"] == "4"


@pytest.mark.parametrize("dangerous", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_export_defuses_formula_like_cells(personas, dangerous):
    question = QuestionFactory.create(program=personas.program, text="=HYPERLINK(1)")
    mentee = personas.membership("mentee")
    mentee.department = dangerous
    mentee.save()
    User.objects.filter(pk=personas.mentee.pk).update(name=dangerous)
    Answer.objects.create(membership=mentee, question=question, value=dangerous)
    rows = read_csv(personas.client("admin").get(export_url(personas.program)))
    assert rows[0][-1] == "'=HYPERLINK(1)"
    row = dict(zip(rows[0], next(r for r in rows if r[0] == personas.mentee.email), strict=True))
    assert row["name"] == "'" + dangerous
    assert row["department"] == "'" + dangerous
    assert row["'=HYPERLINK(1)"] == "'" + dangerous


def test_export_query_count_does_not_grow_with_participants(personas, small_and_large):
    client = personas.client("admin")
    counts = [_count(client, export_url(p), consume=True) for p in small_and_large]
    assert counts[0] == counts[1], counts
    assert counts[1] <= EXPORT_BUDGET


def test_directory_and_export_stay_within_budget(personas, django_assert_max_num_queries):
    populate(personas.program, 200)
    client = personas.client("admin")
    with django_assert_max_num_queries(DIRECTORY_BUDGET):
        client.get(directory_url(personas.program))
    with django_assert_max_num_queries(EXPORT_BUDGET):
        b"".join(client.get(export_url(personas.program)).streaming_content)


def test_the_directory_filters_by_cohort_once_the_program_has_cohorts(client):
    program = ProgramFactory.create()
    admin = MembershipFactory.create(program=program, role=Membership.Role.ADMIN).user
    spring = MembershipFactory.create(program=program, role=Membership.Role.MENTEE, cohort="Spring")
    autumn = MembershipFactory.create(program=program, role=Membership.Role.MENTEE, cohort="Autumn")
    client.force_login(admin)
    url = reverse("programs:participants", args=[program.slug])
    page = client.get(url, {"cohort": "Spring"})
    assert page.status_code == 200
    shown = list(page.context["page"].object_list)
    assert spring in shown
    assert autumn not in shown
    assert '<label class="form-label" for="id_cohort">Cohort</label>' in page.content.decode()


def test_the_export_is_named_after_the_programs_day_not_the_viewers(client):
    import datetime as dt

    import time_machine

    program = ProgramFactory.create(timezone="Pacific/Auckland")
    admin = MembershipFactory.create(program=program, role=Role.ADMIN).user
    client.force_login(admin)
    # 20:00 UTC on 21 November is already 22 November in Auckland.
    with time_machine.travel(dt.datetime(2026, 11, 21, 20, 0, tzinfo=dt.UTC), tick=False):
        response = client.get(reverse("programs:participants_export", args=[program.slug]))
    assert f"{program.slug}-participants-2026-11-22.csv" in response["Content-Disposition"]
