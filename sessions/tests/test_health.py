"""How a relationship's health is derived: on track, needs a check-in, too early to tell."""

import datetime as dt

from sessions.selectors import (
    ENDED,
    NEEDS_CHECK_IN,
    ON_TRACK,
    TOO_EARLY,
    Facts,
    derive_health,
)

TODAY = dt.date(2026, 11, 20)


def facts(**overrides) -> Facts:
    base = {
        "open": True,
        "start": TODAY - dt.timedelta(days=40),
        "midpoint": TODAY + dt.timedelta(days=40),
        "cadence_days": 14,
        "participants": 2,
        "held": 3,
        "last_held": TODAY - dt.timedelta(days=6),
        "next_scheduled": TODAY + dt.timedelta(days=8),
        "recent_ratings": (4, 5, 4),
        "agreed": True,
    }
    return Facts(**{**base, **overrides})


def test_regular_meetings_with_good_ratings_are_on_track():
    health = derive_health(facts(), TODAY)
    assert health.status == ON_TRACK
    assert health.label == "On track"
    assert "Last met 6 days ago" in health.reasons[0]


def test_a_new_pair_without_meetings_is_too_early_to_tell():
    health = derive_health(
        facts(start=TODAY - dt.timedelta(days=5), held=0, last_held=None, agreed=False), TODAY
    )
    assert health.status == TOO_EARLY


def test_no_meeting_for_twice_the_cadence_needs_a_check_in():
    health = derive_health(facts(last_held=TODAY - dt.timedelta(days=29)), TODAY)
    assert health.status == NEEDS_CHECK_IN
    assert health.reasons == ("No meeting held for 4 weeks",)


def test_exactly_twice_the_cadence_is_still_on_track():
    assert derive_health(facts(last_held=TODAY - dt.timedelta(days=28)), TODAY).status == ON_TRACK


def test_never_meeting_after_a_long_start_needs_a_check_in():
    health = derive_health(facts(held=0, last_held=None), TODAY)
    assert health.status == NEEDS_CHECK_IN
    assert "since it started" in health.reasons[0]


def test_low_recent_ratings_need_a_check_in():
    health = derive_health(facts(recent_ratings=(2, 3, 2)), TODAY)
    assert health.status == NEEDS_CHECK_IN
    assert "Low check-in ratings lately (2.3 of 5)" in health.reasons


def test_a_single_low_rating_is_not_yet_a_trend():
    assert derive_health(facts(recent_ratings=(1,)), TODAY).status == ON_TRACK


def test_overdue_mid_point_review_needs_a_check_in():
    late = facts(midpoint=TODAY - dt.timedelta(days=15), midpoint_reviews=1)
    assert derive_health(late, TODAY).reasons == ("The mid-point review is overdue",)
    in_grace = facts(midpoint=TODAY - dt.timedelta(days=14), midpoint_reviews=1)
    assert derive_health(in_grace, TODAY).status == ON_TRACK
    done = facts(midpoint=TODAY - dt.timedelta(days=30), midpoint_reviews=2)
    assert derive_health(done, TODAY).status == ON_TRACK


def test_a_wish_to_end_and_missed_meetings_and_no_agreement_are_reasons():
    health = derive_health(facts(wants_to_end=True, last_two_missed=True, agreed=False), TODAY)
    assert health.status == NEEDS_CHECK_IN
    assert len(health.reasons) == 3


def test_an_ended_relationship_has_no_health():
    assert derive_health(facts(open=False), TODAY).status == ENDED


def test_a_flash_session_is_too_early_until_held():
    assert derive_health(facts(is_flash=True, held=0, last_held=None), TODAY).status == TOO_EARLY
    assert derive_health(facts(is_flash=True), TODAY).status == ON_TRACK
