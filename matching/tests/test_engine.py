"""The matching engine: exact on OR-Library's assignment problems, equal to brute force on
small instances, strict about its input. No database."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from matching.engine import Assignment, greedy, solve

ORLIB = Path(__file__).parent / "data" / "orlib"
NAN = float("nan")
INF = float("inf")


# --------------------------------------------------------------------------- helpers


def brute_force(scores, capacity, locked=()):
    """Every assignment, by depth-first search: (most mentees, best total) and one witness."""
    n, m = scores.shape
    locks = dict(locked)
    load = [0] * m
    best: list[tuple[int, float, list[int] | None]] = [(-1, -INF, None)]
    choice = [-1] * n

    def allowed(i, j):
        s = scores[i, j]
        return not math.isnan(s) and s != -INF and load[j] < capacity[j]

    def visit(i, count, total):
        if i == n:
            k, t, _ = best[0]
            if count > k or (count == k and total > t + 1e-12):
                best[0] = (count, total, list(choice))
            return
        options = [locks[i]] if i in locks else [-1, *range(m)]
        for j in options:
            if j < 0:
                choice[i] = -1
                visit(i + 1, count, total)
            elif allowed(i, j):
                load[j] += 1
                choice[i] = j
                visit(i + 1, count + 1, total + float(scores[i, j]))
                load[j] -= 1
        choice[i] = -1

    visit(0, 0, 0.0)
    return best[0]


def assert_feasible(result, scores, capacity, locked=()):
    n, m = scores.shape
    mentor_of = result.mentor_of
    assert mentor_of.shape == (n,)
    assert ((mentor_of >= -1) & (mentor_of < max(m, 1))).all()
    got = np.flatnonzero(mentor_of >= 0)
    chosen = np.asarray(scores, dtype=np.float64)[got, mentor_of[got]]
    assert np.isfinite(chosen).all(), "a forbidden pair was assigned"
    load = np.bincount(mentor_of[got], minlength=m)
    assert (load <= np.asarray(capacity)).all(), "a mentor is over capacity"
    for i, j in locked:
        assert mentor_of[i] == j, f"lock ({i}, {j}) was dropped"
    assert result.n_assigned == len(got)
    assert result.total == pytest.approx(float(chosen.sum()), rel=1e-12, abs=1e-12)


def lexicographic_reference(scores, capacity):
    """Capacity expansion + linear_sum_assignment, cardinality first by a big penalty."""
    n, m = scores.shape
    allowed = np.isfinite(scores)
    spread = float(np.ptp(scores[allowed])) if allowed.any() else 0.0
    big = (spread + 1.0) * (n + 2)
    owner = np.repeat(np.arange(m), capacity)
    cost = np.where(allowed, -np.nan_to_num(scores, neginf=0.0), np.inf)[:, owner]
    cost = np.hstack([cost, np.full((n, n), big)])  # one "unassigned" column per mentee
    rows, cols = linear_sum_assignment(cost)
    real = cols < len(owner)
    return int(real.sum()), float(scores[rows[real], owner[cols[real]]].sum())


# --------------------------------------------------------------------------- OR-Library


def _orlib_cases():
    lines = (ORLIB / "OPTIMA.tsv").read_text().splitlines()[1:]
    return [tuple(line.split("\t")) for line in lines if line.strip()]


def _load_orlib(name, fmt):
    numbers = np.array((ORLIB / f"{name}.txt").read_text().split(), dtype=np.int64)
    n = int(numbers[0])
    if fmt == "dense":
        return n, -numbers[1 : 1 + n * n].reshape(n, n).astype(np.float64)
    triples = numbers[1:].reshape(-1, 3)
    scores = np.full((n, n), -np.inf)
    scores[triples[:, 0] - 1, triples[:, 1] - 1] = -triples[:, 2]
    return n, scores


@pytest.mark.parametrize(("name", "fmt", "size", "optimum"), _orlib_cases())
def test_orlib_optimum(name, fmt, size, optimum):
    n, scores = _load_orlib(name, fmt)
    assert n == int(size)
    result = solve(scores, [1] * n)
    assert result.n_assigned == n
    assert result.total == -int(optimum)
    assert result.proven
    assert sorted(result.mentor_of.tolist()) == list(range(n))
    assert_feasible(result, scores, [1] * n)


def test_orlib_has_all_twelve_instances():
    assert len(_orlib_cases()) == 12
    for name, *_ in _orlib_cases():
        assert (ORLIB / f"{name}.txt").is_file()


# --------------------------------------------------------------------------- brute force


@st.composite
def instances(draw):
    n = draw(st.integers(0, 6))
    m = draw(st.integers(0, 4))
    cell = st.one_of(
        st.integers(-5, 5).map(float),  # ties
        st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=64),
        st.just(-INF),
        st.just(NAN),
    )
    scores = np.array(draw(st.lists(cell, min_size=n * m, max_size=n * m)), dtype=np.float64)
    scores = scores.reshape(n, m)
    capacity = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    wishes = draw(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), max_size=4))
    locked: list[tuple[int, int]] = []
    load = [0] * m
    for i, j in wishes:
        if i >= n or j >= m or any(i == a for a, _ in locked):
            continue
        if np.isfinite(scores[i, j]) and load[j] < capacity[j]:
            locked.append((i, j))
            load[j] += 1
    return scores, capacity, locked


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_matches_brute_force(case):
    scores, capacity, locked = case
    before = scores.copy()
    result = solve(scores, capacity, locked=locked)
    count, total, _ = brute_force(scores, capacity, locked)
    assert result.n_assigned == count
    assert result.total == pytest.approx(total, abs=1e-9)
    assert result.proven
    assert result.bound >= result.total - 1e-9
    assert_feasible(result, scores, capacity, locked)
    np.testing.assert_array_equal(scores, before)  # the caller's array is untouched


def test_brute_force_really_searches():
    # Greedy takes mentor 0 for mentee 0 and leaves mentee 1 out; the best keeps both.
    scores = np.array([[5.0, 4.0], [3.0, -INF]])
    assert brute_force(scores, [1, 1])[:2] == (2, 7.0)
    assert greedy(scores, [1, 1]).n_assigned == 1
    # So a property test comparing greedy with brute force would fail: the check has teeth.
    assert (greedy(scores, [1, 1]).n_assigned, greedy(scores, [1, 1]).total) != (2, 7.0)


@pytest.mark.parametrize("seed", range(3))
def test_priced_path_matches_dense_reference(seed):
    # Large enough (over FULL_CANDIDATES_LIMIT entries) to go through pricing and the
    # certificate loop; popular mentors make the raw top choices collide.
    rng = np.random.default_rng(seed)
    n, m = 1000, 400
    scores = 0.5 * rng.random((n, m)) + 0.5 * rng.random(m)
    scores[rng.random((n, m)) < 0.05] = -np.inf
    capacity = rng.integers(0, 5, size=m)
    result = solve(scores, capacity)
    count, total = lexicographic_reference(scores, capacity)
    assert result.method == "lapjv-priced"
    assert result.proven
    assert result.n_assigned == count
    assert result.total == pytest.approx(total, rel=1e-9)
    assert_feasible(result, scores, capacity)


def test_priced_path_cardinality_certificate():
    # Half the mentees may only take mentors 0..4 (10 places): the maximum assigns far
    # fewer than everyone, which needs the König cover on the full matrix.
    rng = np.random.default_rng(7)
    n, m = 800, 400
    scores = rng.random((n, m))
    scores[: n // 2, 5:] = -np.inf
    capacity = np.full(m, 2)
    result = solve(scores, capacity)
    count, total = lexicographic_reference(scores, capacity)
    assert result.n_assigned == count == n // 2 + 10
    assert result.total == pytest.approx(total, rel=1e-9)
    assert result.proven
    assert_feasible(result, scores, capacity)


# --------------------------------------------------------------------------- edge cases


def test_cardinality_beats_score():
    # Mentee 0 alone on mentor 0 scores 10; both mentees placed score only 2 — and win.
    scores = np.array([[10.0, 1.0], [1.0, -INF]])
    result = solve(scores, [1, 1])
    assert result.mentor_of.tolist() == [1, 0]
    assert result.total == 2.0


def test_negative_scores_still_assigned():
    scores = np.array([[-5.0], [-1.0], [-3.0]])
    result = solve(scores, [2])
    assert result.n_assigned == 2
    assert result.total == -4.0
    assert result.mentor_of.tolist() == [-1, 0, 0]


def test_more_mentees_than_places():
    scores = np.arange(12, dtype=float).reshape(6, 2)
    result = solve(scores, [1, 2])
    assert result.n_assigned == 3
    assert result.total == brute_force(scores, [1, 2])[1]


def test_nan_is_forbidden():
    scores = np.array([[NAN, 1.0], [2.0, NAN]])
    result = solve(scores, [1, 1])
    assert result.mentor_of.tolist() == [1, 0]
    assert result.total == 3.0


@pytest.mark.parametrize("shape", [(0, 0), (0, 3), (3, 0)])
def test_empty(shape):
    scores = np.zeros(shape)
    result = solve(scores, [1] * shape[1])
    assert result.mentor_of.shape == (shape[0],)
    assert (result.mentor_of == -1).all()
    assert result.total == 0.0
    assert result.n_assigned == 0
    assert result.proven


def test_all_capacity_zero():
    result = solve(np.ones((3, 2)), [0, 0])
    assert (result.mentor_of == -1).all()
    assert result.total == 0.0


def test_all_forbidden():
    result = solve(np.full((3, 2), -INF), [2, 2])
    assert (result.mentor_of == -1).all()
    assert result.total == 0.0


def test_float32_input_is_not_copied_back_or_changed():
    rng = np.random.default_rng(1)
    scores = rng.random((40, 15)).astype(np.float32)
    scores[3, 4] = np.nan
    before = scores.copy()
    result32 = solve(scores, [3] * 15)
    result64 = solve(scores.astype(np.float64), [3] * 15)
    np.testing.assert_array_equal(scores, before, strict=True)
    assert result32.total == pytest.approx(result64.total, rel=1e-12)
    assert result32.n_assigned == 40


def test_integer_scores_and_list_input():
    result = solve([[1, 2], [3, 4]], (1, 1))
    assert result.total == 5.0


def test_locks_hold_even_against_the_optimum():
    scores = np.array([[9.0, 1.0], [1.0, 9.0]])
    free = solve(scores, [1, 1])
    assert free.total == 18.0
    locked = solve(scores, [1, 1], locked=[(0, 1)])
    assert locked.mentor_of.tolist() == [1, 0]
    assert locked.total == 2.0
    assert locked.bound >= locked.total


def test_repeated_identical_lock_is_fine():
    result = solve(np.ones((2, 2)), [1, 1], locked=[(0, 0), (0, 0)])
    assert result.mentor_of[0] == 0


def test_result_is_an_assignment():
    result = solve(np.ones((2, 2)), [1, 1])
    assert isinstance(result, Assignment)
    assert result.gap == 0.0
    assert result.iterations >= 1


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("scores", "capacity", "locked", "message"),
    [
        (np.ones(3), [1], (), r"scores must be a 2-D array"),
        (np.ones((2, 2, 2)), [1, 1], (), r"scores must be a 2-D array"),
        (np.array([["a", "b"]]), [1, 1], (), r"scores must be real numbers"),
        (np.ones((2, 3)), [1, 1], (), r"capacity has 2 entries but scores has 3 mentor columns"),
        (np.ones((2, 2)), [[1, 1]], (), r"capacity must be a 1-D sequence"),
        (np.ones((2, 2)), [1, -1], (), r"mentor 1 has negative capacity -1"),
        (np.ones((2, 2)), [1, 1.5], (), r"capacity must hold whole numbers"),
        (np.array([[1.0, INF]]), [1, 1], (), r"scores\[0, 1\] is \+inf"),
        (
            np.array([[1.0, -INF]]),
            [1, 1],
            [(0, 1)],
            r"lock \(0, 1\) is impossible: the pair is forbidden",
        ),
        (
            np.array([[1.0, NAN]]),
            [1, 1],
            [(0, 1)],
            r"lock \(0, 1\) is impossible: the pair is forbidden",
        ),
        (
            np.ones((4, 2)),
            [1, 1],
            [(3, 0), (3, 1)],
            r"lock \(3, 1\) is impossible: mentee 3 is locked to two mentors \(0 and 1\)",
        ),
        (
            np.ones((3, 8)),
            [1] * 8,
            [(0, 7), (2, 7)],
            r"mentor 7 has capacity 1 but 2 locked mentees",
        ),
        (
            np.ones((2, 2)),
            [1, 0],
            [(0, 1)],
            r"lock \(0, 1\) is impossible: mentor 1 has capacity 0",
        ),
        (np.ones((2, 2)), [1, 1], [(5, 0)], r"lock \(5, 0\) is impossible: mentee 5 is out"),
        (np.ones((2, 2)), [1, 1], [(0, 9)], r"lock \(0, 9\) is impossible: mentor 9 is out"),
        (np.ones((2, 2)), [1, 1], [(-1, 0)], r"lock \(-1, 0\) is impossible: mentee -1"),
        (np.ones((2, 2)), [1, 1], [(0,)], r"is not a \(mentee, mentor\) pair"),
    ],
)
def test_invalid_input_is_named(scores, capacity, locked, message):
    with pytest.raises(ValueError, match=message):
        solve(scores, capacity, locked=locked)


def test_greedy_validates_too():
    with pytest.raises(ValueError, match="capacity has 1 entries"):
        greedy(np.ones((2, 2)), [1])
    with pytest.raises(ValueError, match=r"\+inf"):
        greedy(np.array([[INF]]), [1])


# --------------------------------------------------------------------------- greedy


def test_greedy_is_first_come_first_served():
    scores = np.array(
        [
            [5.0, 4.0, 1.0],
            [5.0, 4.0, 1.0],
            [5.0, 4.0, 1.0],
        ]
    )
    result = greedy(scores, [1, 1, 1])
    assert result.mentor_of.tolist() == [0, 1, 2]
    assert result.total == 10.0
    assert result.method == "greedy"
    assert not result.proven


def test_greedy_skips_forbidden_and_full_and_ties_go_low():
    scores = np.array(
        [
            [NAN, 2.0, 2.0],
            [-INF, 3.0, 1.0],
            [-INF, -INF, NAN],
            [7.0, -1.0, -1.0],
        ]
    )
    result = greedy(scores, [1, 1, 2])
    assert result.mentor_of.tolist() == [1, 2, -1, 0]
    assert result.total == 2.0 + 1.0 + 7.0


def test_greedy_never_beats_the_engine():
    rng = np.random.default_rng(3)
    for _ in range(20):
        scores = rng.normal(size=(12, 5))
        scores[rng.random(scores.shape) < 0.2] = -np.inf
        capacity = rng.integers(0, 4, size=5)
        best = solve(scores, capacity)
        first = greedy(scores, capacity)
        assert_feasible(first, scores, capacity)
        assert (first.n_assigned, first.total) <= (best.n_assigned, best.total + 1e-9)


def test_greedy_empty_and_zero_capacity():
    assert greedy(np.zeros((0, 2)), [1, 1]).n_assigned == 0
    assert (greedy(np.ones((2, 2)), [0, 0]).mentor_of == -1).all()
