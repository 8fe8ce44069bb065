"""Item analysis (assessments.statistics): expected values are computed here, independently of
the module, with plain arithmetic on the raw lists; a few are also worked out by hand, and some
are cross-checked by a second method (computational Pearson formula, brute-force maximum
covariance, G1/G2 from the moment ratios, Cronbach's alpha from the item covariances)."""

from __future__ import annotations

import itertools
import math

import pytest

from assessments.statistics import (
    QuestionStats,
    flags,
    question_statistics,
    quiz_statistics,
)

# 8 attempts x 5 questions. q1 is easy, q4 is answered right by the weaker attempts
# (negative discrimination), the others discriminate; q3 and q5 have partial marks.
MAX_MARKS = {"q1": 1, "q2": 1, "q3": 2, "q4": 1, "q5": 3}
MARKS = [
    # q1   q2  q3   q4  q5       total
    (1.0, 1, 2.0, 0, 3.0),  # 7.0
    (1.0, 1, 1.5, 0, 2.5),  # 6.0
    (1.0, 1, 1.0, 0, 2.0),  # 5.0
    (1.0, 0, 1.0, 1, 2.0),  # 5.0
    (1.0, 1, 0.5, 1, 1.0),  # 4.5
    (1.0, 0, 1.0, 0, 1.5),  # 3.5
    (0.5, 0, 0.0, 1, 0.5),  # 2.0
    (1.0, 0, 0.5, 1, 0.0),  # 2.5
]
SLOTS = list(MAX_MARKS)
ATTEMPTS = [dict(zip(SLOTS, row, strict=True)) for row in MARKS]
COLUMN = {slot: [row[j] for row in MARKS] for j, slot in enumerate(SLOTS)}
TOTALS = [sum(row) for row in MARKS]
REST = {slot: [t - x for t, x in zip(TOTALS, COLUMN[slot], strict=True)] for slot in SLOTS}


# --- reference formulas, plain arithmetic --------------------------------------------------


def mean(xs):
    return sum(xs) / len(xs)


def cov(xs, ys):
    mx, my = mean(xs), mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (len(xs) - 1)


def var(xs):
    return cov(xs, xs)


def pearson_by_definition(xs, ys):
    return cov(xs, ys) / math.sqrt(var(xs) * var(ys))


def pearson_computational(xs, ys):
    n = len(xs)
    sx, sy = sum(xs), sum(ys)
    sxx = sum(x * x for x in xs)
    syy = sum(y * y for y in ys)
    sxy = sum(x * y for x, y in zip(xs, ys, strict=True))
    return (n * sxy - sx * sy) / math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy))


def max_cov_sorted(xs, ys):
    return cov(sorted(xs), sorted(ys))


def max_cov_brute_force(xs, ys):
    """The largest covariance over every way of pairing the ys with the xs."""
    return max(cov(xs, list(perm)) for perm in itertools.permutations(ys))


def moodle_skewness_kurtosis(ts):
    n = len(ts)
    m = mean(ts)
    m2 = sum((t - m) ** 2 for t in ts) / n
    m3 = sum((t - m) ** 3 for t in ts) / n
    m4 = sum((t - m) ** 4 for t in ts) / n
    k2 = n * m2 / (n - 1)
    k3 = n**2 * m3 / ((n - 1) * (n - 2))
    k4 = n**2 * ((n + 1) * m4 - 3 * (n - 1) * m2**2) / ((n - 1) * (n - 2) * (n - 3))
    return k3 / k2**1.5, k4 / k2**2


def g1_g2_adjusted(ts):
    """Same statistics another way: adjusted Fisher-Pearson G1 and excess kurtosis G2
    from the moment ratios g1 = m3 / m2^1.5 and g2 = m4 / m2^2 - 3."""
    n = len(ts)
    m = mean(ts)
    m2 = sum((t - m) ** 2 for t in ts) / n
    g1 = (sum((t - m) ** 3 for t in ts) / n) / m2**1.5
    g2 = (sum((t - m) ** 4 for t in ts) / n) / m2**2 - 3
    big_g1 = math.sqrt(n * (n - 1)) / (n - 2) * g1
    big_g2 = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6) if n > 3 else None
    return big_g1, big_g2


def alpha_from_variances(columns, totals):
    p = len(columns)
    return p / (p - 1) * (1 - sum(var(c) for c in columns) / var(totals))


def alpha_from_covariances(columns, totals):
    """var(T) = sum var(x_j) + 2 sum_{i<j} cov(x_i, x_j), so 1 - sum var / var(T) is the
    share of the covariances."""
    p = len(columns)
    off_diagonal = sum(cov(a, b) for a, b in itertools.combinations(columns, 2))
    return p / (p - 1) * 2 * off_diagonal / var(totals)


def by_slot(stats):
    return {q.slot: q for q in stats}


# --- the data set ---------------------------------------------------------------------------


def test_values_worked_out_by_hand():
    questions = by_slot(question_statistics(ATTEMPTS, MAX_MARKS))
    quiz = quiz_statistics(ATTEMPTS, MAX_MARKS)

    assert TOTALS == [7.0, 6.0, 5.0, 5.0, 4.5, 3.5, 2.0, 2.5]
    assert questions["q1"].facility == pytest.approx(93.75)  # 7.5 / 8
    assert questions["q3"].facility == pytest.approx(46.875)  # 7.5 / 8 / 2
    # q2 marks 1,1,1,0,1,0,0,0: deviations all +-0.5, so var = 8 * 0.25 / 7
    assert questions["q2"].sd == pytest.approx(100 * math.sqrt(2 / 7))
    assert quiz.mean == pytest.approx(35.5 / 8)
    assert quiz.median == pytest.approx((4.5 + 5.0) / 2)
    assert quiz.max_total == 8
    assert quiz.mean_percent == pytest.approx(100 * 35.5 / 8 / 8)
    # Item variances x 7: 0.21875 + 2 + 2.71875 + 2 + 7.21875 = 14.15625; totals: 20.21875.
    # alpha = 5/4 * (1 - 14.15625 / 20.21875) = 5/4 * 194/647 = 485/1294
    assert quiz.cic == pytest.approx(100 * 485 / 1294)


def test_question_statistics_match_the_formulas():
    stats = question_statistics(ATTEMPTS, MAX_MARKS)
    assert [q.slot for q in stats] == SLOTS
    for q in stats:
        xs, rest, top = COLUMN[q.slot], REST[q.slot], MAX_MARKS[q.slot]
        assert q.max_mark == top
        assert q.attempt_count == 8
        assert q.answered_count == 8
        assert q.mean_mark == pytest.approx(mean(xs))
        assert q.facility == pytest.approx(100 * mean(xs) / top)
        assert q.sd == pytest.approx(math.sqrt(var([100 * x / top for x in xs])))
        assert q.random_guess_score is None
        assert q.discrimination_index == pytest.approx(100 * pearson_by_definition(xs, rest))
        assert q.discriminative_efficiency == pytest.approx(
            100 * cov(xs, rest) / max_cov_sorted(xs, rest)
        )


def test_discrimination_cross_checked_with_the_computational_formula():
    questions = by_slot(question_statistics(ATTEMPTS, MAX_MARKS))
    for slot in SLOTS:
        by_definition = pearson_by_definition(COLUMN[slot], REST[slot])
        computational = pearson_computational(COLUMN[slot], REST[slot])
        assert by_definition == pytest.approx(computational, rel=1e-12)
        assert questions[slot].discrimination_index == pytest.approx(100 * computational)
    assert questions["q4"].discrimination_index < 0 < questions["q3"].discrimination_index


@pytest.mark.parametrize("slot", ["q3", "q4"])
def test_maximum_covariance_is_the_sorted_pairing(slot):
    xs, rest = COLUMN[slot], REST[slot]
    assert max_cov_sorted(xs, rest) == pytest.approx(max_cov_brute_force(xs, rest), rel=1e-12)
    efficiency = by_slot(question_statistics(ATTEMPTS, MAX_MARKS))[slot].discriminative_efficiency
    assert efficiency == pytest.approx(100 * cov(xs, rest) / max_cov_brute_force(xs, rest))
    assert -100 <= efficiency <= 100


def test_quiz_statistics_match_the_formulas():
    quiz = quiz_statistics(ATTEMPTS, MAX_MARKS)
    skewness, kurtosis = moodle_skewness_kurtosis(TOTALS)
    alpha = alpha_from_variances(list(COLUMN.values()), TOTALS)
    sd = math.sqrt(var(TOTALS))

    assert quiz.attempt_count == 8
    assert quiz.question_count == 5
    assert quiz.sd == pytest.approx(sd)
    assert quiz.sd_percent == pytest.approx(100 * sd / 8)
    assert quiz.skewness == pytest.approx(skewness)
    assert quiz.kurtosis == pytest.approx(kurtosis)
    assert quiz.cic == pytest.approx(100 * alpha)
    assert quiz.error_ratio == pytest.approx(100 * math.sqrt(1 - alpha))
    assert quiz.standard_error == pytest.approx(sd * math.sqrt(1 - alpha))


def test_quiz_statistics_cross_checked_by_other_methods():
    skewness, kurtosis = moodle_skewness_kurtosis(TOTALS)
    big_g1, big_g2 = g1_g2_adjusted(TOTALS)
    assert skewness == pytest.approx(big_g1, rel=1e-12)
    assert kurtosis == pytest.approx(big_g2, rel=1e-12)

    columns = list(COLUMN.values())
    assert alpha_from_variances(columns, TOTALS) == pytest.approx(
        alpha_from_covariances(columns, TOTALS), rel=1e-12
    )
    assert quiz_statistics(ATTEMPTS, MAX_MARKS).cic == pytest.approx(
        100 * alpha_from_covariances(columns, TOTALS)
    )


def test_flags_on_the_data_set():
    questions = by_slot(question_statistics(ATTEMPTS, MAX_MARKS))
    assert flags(questions["q1"]) == ["too_easy"]
    assert flags(questions["q4"]) == ["negative_discrimination"]
    assert flags(questions["q2"]) == []
    assert flags(questions["q3"]) == []
    assert flags(questions["q5"]) == []


def test_random_guess_score_is_reported_in_percent_and_flagged_when_high():
    questions = by_slot(question_statistics(ATTEMPTS, MAX_MARKS, {"q2": 0.5, "q3": 0.25}))
    assert questions["q2"].random_guess_score == pytest.approx(50)
    assert questions["q3"].random_guess_score == pytest.approx(25)
    assert questions["q5"].random_guess_score is None
    assert flags(questions["q2"]) == ["high_guess_score"]
    assert flags(questions["q3"]) == []


# --- edge cases ---------------------------------------------------------------------------


def test_no_attempts():
    quiz = quiz_statistics([], MAX_MARKS)
    assert quiz.attempt_count == 0
    assert quiz.max_total == 8
    assert quiz.mean is None and quiz.median is None and quiz.sd is None
    assert quiz.skewness is None and quiz.kurtosis is None
    assert quiz.cic is None and quiz.error_ratio is None and quiz.standard_error is None
    assert quiz.mean_percent is None
    for q in question_statistics([], MAX_MARKS):
        assert q.attempt_count == 0 and q.answered_count == 0
        assert q.mean_mark is None and q.facility is None and q.sd is None
        assert q.discrimination_index is None and q.discriminative_efficiency is None
        assert flags(q) == []


def test_one_attempt_has_no_spread_statistics():
    quiz = quiz_statistics(ATTEMPTS[:1], MAX_MARKS)
    assert quiz.mean == pytest.approx(7.0)
    assert quiz.median == pytest.approx(7.0)
    assert quiz.sd is None and quiz.skewness is None and quiz.kurtosis is None
    assert quiz.cic is None and quiz.error_ratio is None and quiz.standard_error is None
    q3 = by_slot(question_statistics(ATTEMPTS[:1], MAX_MARKS))["q3"]
    assert q3.facility == pytest.approx(100)
    assert q3.sd is None
    assert q3.discrimination_index is None and q3.discriminative_efficiency is None
    assert flags(q3) == ["too_easy"]  # a fact, but no discrimination verdict on 1 attempt


def test_skewness_needs_three_and_kurtosis_four_attempts():
    two = quiz_statistics(ATTEMPTS[:2], MAX_MARKS)
    assert two.sd == pytest.approx(math.sqrt(var(TOTALS[:2])))
    assert two.skewness is None and two.kurtosis is None
    three = quiz_statistics(ATTEMPTS[:3], MAX_MARKS)
    assert three.skewness == pytest.approx(g1_g2_adjusted(TOTALS[:3])[0])
    assert three.kurtosis is None
    four = quiz_statistics(ATTEMPTS[:4], MAX_MARKS)
    assert four.kurtosis == pytest.approx(g1_g2_adjusted(TOTALS[:4])[1])


def test_zero_variance_question_has_no_discrimination():
    attempts = [{**a, "q1": 1} for a in ATTEMPTS]  # everyone gets q1 right
    q1 = by_slot(question_statistics(attempts, MAX_MARKS))["q1"]
    assert q1.facility == pytest.approx(100)
    assert q1.sd == 0
    assert q1.discrimination_index is None
    assert q1.discriminative_efficiency is None
    assert flags(q1) == ["too_easy", "does_not_discriminate"]


def test_equal_totals_have_no_shape_or_consistency():
    max_marks = {"a": 1, "b": 1}
    attempts = [{"a": 1, "b": 0}, {"a": 0, "b": 1}, {"a": 1, "b": 0}, {"a": 0, "b": 1}]
    questions = question_statistics(attempts, max_marks)
    for q in questions:
        assert q.sd == pytest.approx(100 * math.sqrt(4 * 0.25 / 3))
        assert q.discrimination_index == pytest.approx(-100)
    quiz = quiz_statistics(attempts, max_marks)
    assert quiz.sd == 0
    assert quiz.skewness is None and quiz.kurtosis is None and quiz.cic is None
    assert quiz.error_ratio is None and quiz.standard_error is None


def test_floating_point_noise_is_not_spread():
    # The rest of the test is 0.1 + 0.2 in some attempts and 0.3 + 0.0 in others: equal marks,
    # different floats. That is no spread, so no correlation of 1e-17-sized noise.
    max_marks = {"a": 1, "b": 1, "c": 1}
    attempts = [
        {"a": 1, "b": 0.1, "c": 0.2},
        {"a": 0, "b": 0.3, "c": 0.0},
        {"a": 1, "b": 0.2, "c": 0.1},
        {"a": 0, "b": 0.0, "c": 0.3},
    ]
    a = question_statistics(attempts, max_marks)[0]
    assert a.discrimination_index is None
    assert a.discriminative_efficiency is None


def test_question_nobody_answered():
    max_marks = {**MAX_MARKS, "q6": 2}
    attempts = [{**a, "q6": None} for a in ATTEMPTS[:4]] + ATTEMPTS[4:]  # None or absent
    questions = by_slot(question_statistics(attempts, max_marks))
    q6 = questions["q6"]
    assert q6.attempt_count == 8
    assert q6.answered_count == 0
    assert q6.facility == 0
    assert q6.sd == 0
    assert q6.discrimination_index is None and q6.discriminative_efficiency is None
    assert flags(q6) == ["not_answered"]
    # The other questions are unchanged: q6 adds 0 to every total.
    assert questions["q3"].discrimination_index == pytest.approx(
        100 * pearson_by_definition(COLUMN["q3"], REST["q3"])
    )
    quiz = quiz_statistics(attempts, max_marks)
    assert quiz.question_count == 6
    assert quiz.mean == pytest.approx(mean(TOTALS))
    assert quiz.cic == pytest.approx(
        100 * 6 / 5 * (1 - sum(var(c) for c in COLUMN.values()) / var(TOTALS))
    )


def test_partly_answered_question_counts_unanswered_as_zero():
    attempts = [dict(a) for a in ATTEMPTS]
    del attempts[0]["q5"]
    q5 = by_slot(question_statistics(attempts, MAX_MARKS))["q5"]
    assert q5.answered_count == 7
    assert q5.mean_mark == pytest.approx((sum(COLUMN["q5"]) - 3.0) / 8)
    assert quiz_statistics(attempts, MAX_MARKS).mean == pytest.approx((sum(TOTALS) - 3.0) / 8)


def test_single_question_quiz():
    attempts = [{"only": x} for x in (1, 0, 1, 1, 0)]
    quiz = quiz_statistics(attempts, {"only": 1})
    assert quiz.cic is None and quiz.error_ratio is None and quiz.standard_error is None
    assert quiz.sd == pytest.approx(math.sqrt(var([1, 0, 1, 1, 0])))
    (q,) = question_statistics(attempts, {"only": 1})
    assert q.discrimination_index is None  # the rest of the test is always 0
    assert flags(q) == []  # the question varies: not its fault that nothing else does


def test_zero_maximum_mark_has_no_facility():
    (q,) = question_statistics([{"d": 0}, {"d": 0}], {"d": 0})
    assert q.facility is None and q.sd is None


def test_negative_marks_are_allowed():
    attempts = [{"a": -0.5, "b": 1}, {"a": 1, "b": 1}, {"a": 0, "b": 0}, {"a": 1, "b": 0}]
    a = question_statistics(attempts, {"a": 1, "b": 1})[0]
    assert a.facility == pytest.approx(100 * 1.5 / 4)
    assert a.discrimination_index == pytest.approx(
        100 * pearson_computational([-0.5, 1, 0, 1], [1, 1, 0, 0])
    )


@pytest.mark.parametrize(
    ("attempts", "max_marks"),
    [
        ([{"zz": 1}], {"a": 1}),  # a slot the quiz does not have
        ([{"a": 1}], {"a": -1}),  # negative maximum mark
        ([{"a": float("nan")}], {"a": 1}),
        ([{"a": "1"}], {"a": 1}),
    ],
)
def test_malformed_input_is_refused(attempts, max_marks):
    with pytest.raises(ValueError):
        question_statistics(attempts, max_marks)
    with pytest.raises(ValueError):
        quiz_statistics(attempts, max_marks)


# --- flag thresholds ------------------------------------------------------------------------


def make_stats(**overrides):
    values = {
        "slot": "q",
        "max_mark": 1.0,
        "attempt_count": 30,
        "answered_count": 30,
        "mean_mark": 0.5,
        "facility": 50.0,
        "sd": 40.0,
        "random_guess_score": None,
        "discrimination_index": 45.0,
        "discriminative_efficiency": 60.0,
    }
    values.update(overrides)
    return QuestionStats(**values)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, []),
        ({"facility": 90.0}, ["too_easy"]),
        ({"facility": 89.9}, []),
        ({"facility": 20.0}, []),
        ({"facility": 19.9}, ["too_hard"]),
        ({"facility": 0.0}, ["too_hard"]),
        ({"discrimination_index": 20.0}, []),
        ({"discrimination_index": 19.9}, ["does_not_discriminate"]),
        ({"discrimination_index": 0.0}, ["does_not_discriminate"]),
        ({"discrimination_index": -0.1}, ["negative_discrimination"]),
        ({"discrimination_index": None, "sd": 0.0}, ["does_not_discriminate"]),
        ({"discrimination_index": None}, []),  # the question varies, the rest does not
        ({"discrimination_index": -30.0, "attempt_count": 4}, []),
        ({"discrimination_index": None, "sd": 0.0, "attempt_count": 4}, []),
        ({"discrimination_index": -30.0, "attempt_count": 5}, ["negative_discrimination"]),
        ({"random_guess_score": 40.0}, []),
        ({"random_guess_score": 50.0}, ["high_guess_score"]),
        (
            {"facility": 96.0, "discrimination_index": 5.0, "random_guess_score": 50.0},
            ["too_easy", "does_not_discriminate", "high_guess_score"],
        ),
        ({"answered_count": 0, "facility": 0.0, "discrimination_index": None}, ["not_answered"]),
        ({"attempt_count": 0, "answered_count": 0, "facility": None}, []),
    ],
)
def test_flag_thresholds(overrides, expected):
    assert flags(make_stats(**overrides)) == expected
