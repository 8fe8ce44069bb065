"""Item analysis of a quiz: question (item) and whole-test statistics, as pure functions.

No database and no Flask: the caller passes plain data and gets dataclasses back. Only the
standard library is used (``math``, ``statistics``).

The definitions follow Moodle's quiz statistics report (MoodleDocs "Quiz statistics
calculations" and "Quiz report statistics"; the report's calculators in
``question/classes/statistics/questions/calculator.php`` and
``mod/quiz/report/statistics/classes/calculator.php``).

Input
-----
``attempts``
    a sequence of attempts, each a mapping *slot id -> mark obtained*. A slot that is absent
    from an attempt, or whose mark is ``None``, was not answered in that attempt: it counts
    as a mark of 0 (as in Moodle, where an unanswered question's mark is empty and adds
    nothing) and is not counted in ``QuestionStats.answered_count``. Marks may be negative
    (negative marking); nothing below assumes a minimum of 0.
``max_marks``
    a mapping *slot id -> maximum mark*; it defines the quiz's questions and their order.
    Each attempt's total is the sum of its marks over these slots.

Notation: ``s`` attempts; for a question, ``x_i`` its mark in attempt ``i`` and ``X_i`` the
rest of the test (the attempt's total minus ``x_i``); ``T_i`` an attempt's total; ``p`` the
number of questions. Variances and covariances are sample ones (divisor ``s - 1``).

Per question (``question_statistics``)
--------------------------------------
* facility index ``F = 100 * mean(x) / max_mark`` (%);
* standard deviation ``SD = 100 * sqrt(var(x)) / max_mark`` (% of the maximum mark);
* random guess score: given by the caller as a fraction of the maximum mark (what a
  question type's ``get_random_guess_score`` returns in Moodle), reported in %;
* discrimination index ``DI = 100 * cov(x, X) / sqrt(var(x) * var(X))`` — 100 x the Pearson
  correlation between the question and the rest of the test;
* discriminative efficiency ``DE = 100 * cov(x, X) / cov_max(x, X)`` where ``cov_max`` is
  the covariance of the two lists after sorting *both* in ascending order and pairing them
  rank by rank: ``cov_max = sum((x_(k) - mean(x)) * (X_(k) - mean(X))) / (s - 1)``. By the
  rearrangement inequality this is the largest covariance any pairing of the same marks
  could give, so ``DE`` is the discrimination achieved as a share of the most this
  question could achieve given its marks and the rest-of-test marks (``DE <= 100``).

Per quiz (``quiz_statistics``), on the totals ``T`` (in marks; ``*_percent`` properties
divide by the maximum total)
-------------------------------------------------------------------------------------------
* number of attempts, mean, median (mean of the two middle totals when ``s`` is even), SD;
* skewness and kurtosis with Moodle's formulas (the k-statistics of the totals), with
  ``d_i = T_i - mean(T)`` and ``m_r = sum(d_i ** r) / s``::

      k2 = s * m2 / (s - 1)
      k3 = s**2 * m3 / ((s - 1) * (s - 2))
      k4 = s**2 * ((s + 1) * m4 - 3 * (s - 1) * m2**2) / ((s - 1) * (s - 2) * (s - 3))
      skewness = k3 / k2 ** (3 / 2)          (needs s >= 3)
      kurtosis = k4 / k2 ** 2                (excess kurtosis, needs s >= 4)

  (these are the "adjusted" sample skewness G1 and excess kurtosis G2, as in spreadsheet
  SKEW and KURT; ``k2`` is the sample variance of the totals);
* coefficient of internal consistency (Cronbach's alpha, %)
  ``CIC = 100 * p / (p - 1) * (1 - sum(var(x_j) for each question j) / k2)``;
* error ratio ``ER = 100 * sqrt(1 - CIC / 100)``;
* standard error ``SE = ER * SD / 100`` (marks).

Edge cases never raise: a statistic that cannot be computed is ``None`` — means with no
attempts; SDs, covariances and correlations with fewer than 2 attempts; skewness with fewer
than 3 and kurtosis with fewer than 4 attempts; a correlation or efficiency whose
denominator is zero (a question, or the rest of the test, on which every attempt scored the
same); CIC with fewer than 2 questions or no spread in the totals; facility and SD of a
question whose maximum mark is 0. "Every attempt scored the same" is judged with a small
tolerance, so that floating-point noise in sums of marks such as 0.1 + 0.2 is not mistaken
for real spread. Only malformed input raises ``ValueError`` (a mark for a slot that is not
in ``max_marks``, a negative maximum mark, a mark that is not a finite number).

``flags`` turns one question's statistics into review codes for HR (see its docstring).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "DISCRIMINATION_WEAK",
    "FACILITY_TOO_EASY",
    "FACILITY_TOO_HARD",
    "MIN_ATTEMPTS_FOR_DISCRIMINATION_FLAGS",
    "RANDOM_GUESS_TOO_HIGH",
    "QuestionStats",
    "QuizStats",
    "flags",
    "question_statistics",
    "quiz_statistics",
]

SlotId = Hashable
Attempt = Mapping[SlotId, float | None]

# Thresholds of ``flags`` (all in %), after the bands of MoodleDocs "Quiz report statistics".
#: Facility at or above this is Moodle's "very easy" (90-94) or "extremely easy" (95-100).
FACILITY_TOO_EASY = 90.0
#: Facility below this is Moodle's "difficult" (11-20), "very difficult" (6-10) or
#: "extremely difficult or something wrong with the question" (5 or less).
FACILITY_TOO_HARD = 20.0
#: Discrimination index below this is Moodle's "very weak discrimination" (0-19); below 0
#: Moodle says the question is "probably invalid".
DISCRIMINATION_WEAK = 20.0
#: Random guess score above this is "unsatisfactory" in the Open University's guide to these
#: statistics (the authors of Moodle's report): guessing alone earns too much.
RANDOM_GUESS_TOO_HIGH = 40.0
#: Fewer attempts than this and a correlation is noise: no discrimination code is given.
MIN_ATTEMPTS_FOR_DISCRIMINATION_FLAGS = 5

_REL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class QuestionStats:
    """Statistics of one question (slot). Percentages are 0-100; ``None`` = not computable."""

    slot: SlotId
    max_mark: float
    #: attempts included (an unanswered question counts as 0 in its attempt)
    attempt_count: int
    #: attempts in which this question has a mark
    answered_count: int
    #: mean mark, in marks
    mean_mark: float | None
    #: facility index: mean mark as a % of the maximum mark
    facility: float | None
    #: sample standard deviation of the mark, as a % of the maximum mark
    sd: float | None
    #: expected score of a random guess, as a % of the maximum mark (if the caller gave it)
    random_guess_score: float | None
    #: 100 x Pearson correlation of the mark with the rest of the test
    discrimination_index: float | None
    #: 100 x cov(mark, rest) / the largest covariance achievable with these marks
    discriminative_efficiency: float | None


@dataclass(frozen=True)
class QuizStats:
    """Whole-test statistics. Mean, median, SD and standard error are in marks."""

    attempt_count: int
    question_count: int
    #: sum of the maximum marks
    max_total: float
    mean: float | None
    median: float | None
    #: sample standard deviation of the totals
    sd: float | None
    #: Moodle's sample skewness k3 / k2^(3/2)
    skewness: float | None
    #: Moodle's sample excess kurtosis k4 / k2^2
    kurtosis: float | None
    #: coefficient of internal consistency (Cronbach's alpha), %
    cic: float | None
    #: 100 x sqrt(1 - CIC/100), %
    error_ratio: float | None
    #: SD x error ratio / 100, in marks
    standard_error: float | None

    def _percent(self, value: float | None) -> float | None:
        if value is None or self.max_total <= 0:
            return None
        return 100.0 * value / self.max_total

    @property
    def mean_percent(self) -> float | None:
        return self._percent(self.mean)

    @property
    def median_percent(self) -> float | None:
        return self._percent(self.median)

    @property
    def sd_percent(self) -> float | None:
        return self._percent(self.sd)

    @property
    def standard_error_percent(self) -> float | None:
        return self._percent(self.standard_error)


# --- input ------------------------------------------------------------------------------


def _matrix(
    attempts: Sequence[Attempt], max_marks: Mapping[SlotId, float]
) -> tuple[list[SlotId], list[list[float]], list[int]]:
    """Slots in order, one row of marks per attempt (unanswered = 0), answered count per slot."""
    slots = list(max_marks)
    for slot in slots:
        maximum = max_marks[slot]
        if not _is_finite_number(maximum) or maximum < 0:
            raise ValueError(f"maximum mark of slot {slot!r} must be a finite number >= 0")
    known = set(slots)
    rows: list[list[float]] = []
    answered = [0] * len(slots)
    for number, attempt in enumerate(attempts):
        unknown = [slot for slot in attempt if slot not in known]
        if unknown:
            raise ValueError(f"attempt {number} has marks for unknown slots {unknown!r}")
        row = []
        for j, slot in enumerate(slots):
            mark = attempt.get(slot)
            if mark is None:
                row.append(0.0)
                continue
            if not _is_finite_number(mark):
                raise ValueError(f"attempt {number}, slot {slot!r}: mark must be a finite number")
            row.append(float(mark))
            answered[j] += 1
        rows.append(row)
    return slots, rows, answered


def _is_finite_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# --- small sample statistics ------------------------------------------------------------


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _is_constant(values: Sequence[float]) -> bool:
    """True when every value is the same, up to floating-point noise."""
    low, high = min(values), max(values)
    scale = max(1.0, abs(low), abs(high))
    return high - low <= _REL_TOLERANCE * scale


def _sample_covariance(xs: Sequence[float], ys: Sequence[float]) -> float:
    mean_x, mean_y = _mean(xs), _mean(ys)
    return math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / (
        len(xs) - 1
    )


def _sample_variance(xs: Sequence[float]) -> float:
    """Sample variance; exactly 0 for a constant list (no floating-point residue)."""
    if _is_constant(xs):
        return 0.0
    return _sample_covariance(xs, xs)


# --- question statistics ----------------------------------------------------------------


def question_statistics(
    attempts: Sequence[Attempt],
    max_marks: Mapping[SlotId, float],
    random_guess_scores: Mapping[SlotId, float | None] | None = None,
) -> list[QuestionStats]:
    """Statistics of every question, in the order of ``max_marks``.

    ``random_guess_scores`` (optional) maps a slot to the expected score of a random guess as
    a fraction 0..1 of the maximum mark; it is reported as a percentage.
    """
    slots, rows, answered = _matrix(attempts, max_marks)
    guesses = random_guess_scores or {}
    s = len(rows)
    result = []
    for j, slot in enumerate(slots):
        max_mark = float(max_marks[slot])
        marks = [row[j] for row in rows]
        rest = [math.fsum(row[:j] + row[j + 1 :]) for row in rows]

        mean_mark = _mean(marks) if s else None
        facility = None
        sd = None
        if max_mark > 0 and mean_mark is not None:
            facility = 100.0 * mean_mark / max_mark
            if s >= 2:
                sd = 100.0 * math.sqrt(_sample_variance(marks)) / max_mark

        discrimination = None
        efficiency = None
        if s >= 2 and not _is_constant(marks) and not _is_constant(rest):
            covariance = _sample_covariance(marks, rest)
            discrimination = (
                100.0 * covariance / math.sqrt(_sample_variance(marks) * _sample_variance(rest))
            )
            # Both lists sorted the same way: the largest covariance these marks allow.
            covariance_max = _sample_covariance(sorted(marks), sorted(rest))
            if covariance_max > 0:
                efficiency = 100.0 * covariance / covariance_max

        guess = guesses.get(slot)
        result.append(
            QuestionStats(
                slot=slot,
                max_mark=max_mark,
                attempt_count=s,
                answered_count=answered[j],
                mean_mark=mean_mark,
                facility=facility,
                sd=sd,
                random_guess_score=None if guess is None else 100.0 * float(guess),
                discrimination_index=discrimination,
                discriminative_efficiency=efficiency,
            )
        )
    return result


# --- quiz statistics --------------------------------------------------------------------


def quiz_statistics(attempts: Sequence[Attempt], max_marks: Mapping[SlotId, float]) -> QuizStats:
    """Whole-test statistics of the attempts' totals (see the module docstring's formulas)."""
    slots, rows, _answered = _matrix(attempts, max_marks)
    s = len(rows)
    p = len(slots)
    max_total = math.fsum(float(max_marks[slot]) for slot in slots)
    totals = [math.fsum(row) for row in rows]

    mean = _mean(totals) if s else None
    median = float(statistics.median(totals)) if s else None
    sd = skewness = kurtosis = cic = error_ratio = standard_error = None

    if s >= 2 and mean is not None:
        constant = _is_constant(totals)
        deviations = [total - mean for total in totals]
        power2 = 0.0 if constant else math.fsum(d**2 for d in deviations)
        sd = math.sqrt(power2 / (s - 1))

        if not constant:
            m2 = power2 / s
            m3 = math.fsum(d**3 for d in deviations) / s
            m4 = math.fsum(d**4 for d in deviations) / s
            k2 = s * m2 / (s - 1)  # the sample variance of the totals
            if s >= 3:
                k3 = s * s * m3 / ((s - 1) * (s - 2))
                skewness = k3 / k2**1.5
            if s >= 4:
                k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
                kurtosis = k4 / (k2 * k2)
            if p >= 2:
                sum_of_mark_variance = math.fsum(
                    _sample_variance([row[j] for row in rows]) for j in range(p)
                )
                cic = 100.0 * p / (p - 1) * (1.0 - sum_of_mark_variance / k2)
                # Alpha cannot exceed 100 %; max() only absorbs rounding at that bound.
                error_ratio = 100.0 * math.sqrt(max(0.0, 1.0 - cic / 100.0))
                standard_error = error_ratio * sd / 100.0

    return QuizStats(
        attempt_count=s,
        question_count=p,
        max_total=max_total,
        mean=mean,
        median=median,
        sd=sd,
        skewness=skewness,
        kurtosis=kurtosis,
        cic=cic,
        error_ratio=error_ratio,
        standard_error=standard_error,
    )


# --- review codes -----------------------------------------------------------------------


def flags(question_stats: QuestionStats) -> list[str]:
    """Review codes for one question, for HR; the UI translates them into sentences.

    Codes, in this order (thresholds are the module constants, in %):

    * ``not_answered`` — there are attempts but nobody answered the question. It is then the
      only code: facility and discrimination say nothing about an unanswered question.
    * ``too_easy`` — facility >= ``FACILITY_TOO_EASY`` (90: Moodle's "very easy" and
      "extremely easy" bands).
    * ``too_hard`` — facility < ``FACILITY_TOO_HARD`` (20: Moodle's "difficult" band and
      below; 20-34 is "moderately difficult" and is not flagged).
    * ``negative_discrimination`` — discrimination index < 0: people who did worse on the
      rest of the test did better on this question; check the answer key and the wording
      (Moodle: "question probably invalid").
    * ``does_not_discriminate`` — discrimination index in [0, ``DISCRIMINATION_WEAK``) (20:
      Moodle's "very weak discrimination"), or no discrimination index because everyone got
      the same mark on the question (SD 0). Not given together with
      ``negative_discrimination``, nor when the index is missing only because the rest of
      the test did not vary (e.g. a one-question quiz): that is not the question's fault.
    * ``high_guess_score`` — random guess score > ``RANDOM_GUESS_TOO_HIGH`` (40).

    The two discrimination codes need at least ``MIN_ATTEMPTS_FOR_DISCRIMINATION_FLAGS``
    (5) attempts; with fewer, a correlation is noise. With no attempts there are no codes.
    """
    stats = question_stats
    if stats.attempt_count == 0:
        return []
    if stats.answered_count == 0:
        return ["not_answered"]

    codes = []
    if stats.facility is not None:
        if stats.facility >= FACILITY_TOO_EASY:
            codes.append("too_easy")
        elif stats.facility < FACILITY_TOO_HARD:
            codes.append("too_hard")

    if stats.attempt_count >= MIN_ATTEMPTS_FOR_DISCRIMINATION_FLAGS:
        index = stats.discrimination_index
        if index is not None and index < 0:
            codes.append("negative_discrimination")
        elif (index is None and stats.sd == 0) or (
            index is not None and index < DISCRIMINATION_WEAK
        ):
            codes.append("does_not_discriminate")

    if stats.random_guess_score is not None and stats.random_guess_score > RANDOM_GUESS_TOO_HIGH:
        codes.append("high_guess_score")
    return codes
