"""The matching board stays cheap: one form, values rounded once, nothing per row that costs."""

from __future__ import annotations

import re

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse

from matching.models import MatchConstraint, MatchRun, MatchSuggestion
from matching.selectors import _two_places
from matching.tests.factories import MentorFactory
from mentoring.models import User
from programs.models import Membership, Program

pytestmark = pytest.mark.django_db


def _draft(program: Program, mentees: int, explanation: list[dict[str, object]]) -> MatchRun:
    mentor = MentorFactory.create(program=program)
    users = User.objects.bulk_create(
        [
            User(email=f"perf{program.pk}-{i}@example.org", name=f"Mentee {i:03d}")
            for i in range(mentees)
        ]
    )
    memberships = Membership.objects.bulk_create(
        [Membership(program=program, user=u, role="mentee") for u in users]
    )
    run = MatchRun.objects.create(program=program, mentee_count=mentees, weights={"topics": 5})
    MatchSuggestion.objects.bulk_create(
        [
            MatchSuggestion(run=run, mentee=m, mentor=mentor, score=4.125, explanation=explanation)
            for m in memberships
        ]
    )
    return run


@pytest.mark.parametrize(
    "value",
    [0, 0.0, -0.001, -2, 1, 2.5, 2.675, 4.125, 4.78, 4.999, 10.005, 1 / 3, 12345.678, "3.14159"],
)
@pytest.mark.parametrize("arg", ["2", "-2"])
def test_rounding_in_the_selector_prints_what_floatformat_would(value, arg):
    assert _two_places(value, drop_zeros=arg == "-2", sep=".") == floatformat(value, arg)


def test_the_board_has_one_form_and_one_csrf_token_for_all_rows(personas):
    _draft(personas.program, 30, [{"criterion": "topics", "label": "Topic fit", "points": 4.5,
                                   "max_points": 5, "text": "Shared topics"}])  # fmt: skip
    html = (
        personas.client("admin")
        .get(reverse("matching:board", kwargs={"slug": personas.program.slug}), {"sort": "mentee"})
        .content.decode()
    )
    table = html[html.index('id="suggestion-actions"') : html.index("</table>")]
    assert table.count("csrfmiddlewaretoken") == 1
    assert len(re.findall(r"formaction=\"[^\"]+/lock/\"", table)) == 30
    assert 'Lock<span class="visually-hidden"> Mentee 000 with ' in table
    assert '4.50<span class="visually-hidden"> points</span> / 5<' in table
    assert "4.13" in table  # the score, as floatformat:2 prints it


def test_a_row_button_posts_to_its_suggestion_and_comes_back_to_the_same_page(personas):
    run = _draft(personas.program, 3, [])
    client = personas.client("admin")
    board = reverse("matching:board", kwargs={"slug": personas.program.slug})
    html = client.get(board, {"sort": "mentee"}).content.decode()
    first = run.suggestions.order_by("mentee__user__name").first()
    assert first is not None
    lock = reverse(
        "matching:suggestion_lock", kwargs={"slug": personas.program.slug, "pk": first.pk}
    )
    assert f'formaction="{lock}"' in html
    assert 'name="next" value="' + board + '?sort=mentee"' in html
    response = client.post(lock, {"next": board + "?sort=mentee"})
    assert response["Location"] == board + "?sort=mentee"
    first.refresh_from_db()
    assert first.locked


def test_explanations_are_escaped(personas):
    hostile = "<script>alert(1)</script>"
    _draft(personas.program, 1, [{"criterion": "topics", "label": hostile, "points": 1,
                                  "max_points": 2, "text": hostile}])  # fmt: skip
    html = (
        personas.client("admin")
        .get(reverse("matching:board", kwargs={"slug": personas.program.slug}))
        .content.decode()
    )
    assert hostile not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_forbidden_pairs_are_counted_across_the_whole_draft_not_just_this_page(personas):
    run = _draft(personas.program, 60, [])
    for s in run.suggestions.order_by("mentee__user__name")[55:58]:
        assert s.mentor is not None
        MatchConstraint.objects.create(
            program=personas.program, kind="forbid", mentee=s.mentee, mentor=s.mentor
        )
    html = (
        personas.client("admin")
        .get(reverse("matching:board", kwargs={"slug": personas.program.slug}), {"sort": "mentee"})
        .content.decode()
    )
    assert "3 pair(s) in this draft are now forbidden" in html
    assert "forbidden: run again" not in html  # none of them on page 1
