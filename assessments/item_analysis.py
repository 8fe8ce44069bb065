"""The item analysis of a quiz: which slot of the quiz each graded answer belongs to, and the
statistics of each slot and of the whole quiz.

``for_quiz`` recomputes the statistics when the graded attempts change and serves them from a
cache in between. The cache is a table (``quiz_statistics_cache``), so every web process
shares it; each row carries a fingerprint of what it was computed from — the number of
graded attempts analysed, the latest grading time (grading, manual marks and regrades all
set it), the highest attempt id, and the slots with their marks and question versions — and a
row whose fingerprint differs is computed again. Reading the fingerprint is one statement;
computing is a bounded number of statements whatever the number of attempts (one for the
answers of the analysed attempts, one for the category tree when the quiz has random draws);
the arithmetic is the pure functions of ``assessments.statistics``. Writing the cache is best
effort on its own connection: a page never fails because another process was writing it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.exc import IntegrityError, OperationalError

from assessments import statistics
from assessments.models import (
    Attempt,
    AttemptAnswer,
    AttemptState,
    Question,
    QuestionCategory,
    QuestionVersion,
    Quiz,
    QuizSlot,
    QuizStatisticsCache,
)
from assessments.reports import slot_maximum
from lms import clock
from lms.db import dialect_insert
from lms.extensions import db


@dataclass
class SlotAnalysis:
    slot: QuizSlot
    stats: statistics.QuestionStats
    flags: list[str]


@dataclass
class ItemAnalysis:
    all_attempts: bool
    attempt_count: int
    slots: list[SlotAnalysis] = field(default_factory=list)
    quiz: statistics.QuizStats | None = None

    @property
    def enough(self) -> bool:
        return self.attempt_count >= 2


def random_guess_score(definition: dict) -> float | None:
    """The expected fraction of a random guess, for the types where it is plain: a true or
    false question, and a single choice (the mean credit of its options)."""
    kind = definition.get("type")
    if kind == "true_false":
        return 0.5
    if kind == "single_choice":
        options = definition.get("options") or []
        if options:
            return sum(max(0.0, float(o.get("fraction", 0))) for o in options) / len(options)
    return None


def _category_trees(slots: list[QuizSlot]) -> dict[int, set[int]]:
    """For each random slot, the categories it draws from (one statement, when any)."""
    random_slots = [s for s in slots if s.question_id is None]
    if not random_slots:
        return {}
    children: dict[int | None, list[int]] = defaultdict(list)
    for category_id, parent_id in db.session.execute(
        sa.select(QuestionCategory.id, QuestionCategory.parent_id)
    ):
        children[parent_id].append(category_id)
    trees = {}
    for slot in random_slots:
        found, todo = set(), [slot.category_id]
        while todo:
            current = todo.pop()
            if current in found:
                continue
            found.add(current)
            if slot.include_subcategories:
                todo.extend(children.get(current, []))
        trees[slot.id] = found
    return trees


def _answer_rows(quiz: Quiz, all_attempts: bool) -> list[sa.Row]:
    """Every answer of the analysed graded attempts, without the responses themselves."""
    text = sa.cast(AttemptAnswer.response, sa.Text)
    answered = sa.case((sa.and_(text.is_not(None), text != "null"), True), else_=False)
    query = (
        sa.select(
            AttemptAnswer.attempt_id,
            AttemptAnswer.slot,
            AttemptAnswer.fraction,
            answered.label("answered"),
            QuestionVersion.question_id,
            Question.category_id,
        )
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptAnswer.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(Attempt.quiz_id == quiz.id, Attempt.state == AttemptState.GRADED)
        .order_by(AttemptAnswer.attempt_id, AttemptAnswer.slot)
    )
    if not all_attempts:
        query = query.where(Attempt.number == 1)
    return list(db.session.execute(query))


def _marks_by_slot(
    slots: list[QuizSlot], rows: list[sa.Row], trees: dict[int, set[int]]
) -> list[dict[int, float | None]]:
    """One mapping slot id -> mark per attempt. An answer belongs to the fixed slot of its
    question; otherwise to the first random slot (in quiz order) that draws from its
    category and still has room in that attempt. A slot's mark is the credit earned times
    the slot's current marks; ``None`` when nothing in it was answered."""
    fixed = {s.question_id: s for s in slots if s.question_id is not None}
    random_slots = [s for s in slots if s.question_id is None]
    by_attempt: dict[int, list[sa.Row]] = defaultdict(list)
    for row in rows:
        by_attempt[row.attempt_id].append(row)
    matrix = []
    for answers in by_attempt.values():
        credit: dict[int, float] = defaultdict(float)
        answered: dict[int, bool] = defaultdict(bool)
        room = {s.id: s.count for s in random_slots}
        for row in answers:
            slot = fixed.get(row.question_id)
            if slot is None:
                slot = next(
                    (
                        s
                        for s in random_slots
                        if room[s.id] > 0 and row.category_id in trees.get(s.id, ())
                    ),
                    None,
                )
                if slot is None:
                    continue  # the question's slot was removed since
                room[slot.id] -= 1
            credit[slot.id] += row.fraction or 0.0
            answered[slot.id] = answered[slot.id] or bool(row.answered)
        matrix.append(
            {
                slot.id: credit[slot.id] * slot.marks if answered[slot.id] else None
                for slot in slots
                if slot.id in credit
            }
        )
    return matrix


def _fingerprint(quiz: Quiz, slots: list[QuizSlot], all_attempts: bool) -> str:
    query = sa.select(
        sa.func.count(Attempt.id), sa.func.max(Attempt.graded_at), sa.func.max(Attempt.id)
    ).where(Attempt.quiz_id == quiz.id, Attempt.state == AttemptState.GRADED)
    if not all_attempts:
        query = query.where(Attempt.number == 1)
    count, latest, highest = db.session.execute(query).one()
    slot_sign = ",".join(
        f"{slot.id}:{slot.marks:g}:{slot.count}:"
        f"{slot.question.current_version_id if slot.question is not None else slot.category_id}"
        for slot in slots
    )
    digest = hashlib.sha256(slot_sign.encode()).hexdigest()[:16]
    stamp = latest.isoformat() if latest else "-"
    return f"{count}|{stamp}|{highest or 0}|{digest}"


def _from_payload(slots: list[QuizSlot], payload: dict, all_attempts: bool) -> ItemAnalysis:
    by_id = {slot.id: slot for slot in slots}
    result = ItemAnalysis(all_attempts=all_attempts, attempt_count=payload["attempt_count"])
    result.slots = [
        SlotAnalysis(
            slot=by_id[row["slot_id"]],
            stats=statistics.QuestionStats(**row["stats"]),
            flags=row["flags"],
        )
        for row in payload["slots"]
    ]
    result.quiz = statistics.QuizStats(**payload["quiz"]) if payload["quiz"] else None
    return result


def _to_payload(result: ItemAnalysis) -> dict:
    return {
        "attempt_count": result.attempt_count,
        "slots": [
            {"slot_id": row.slot.id, "stats": asdict(row.stats), "flags": row.flags}
            for row in result.slots
        ],
        "quiz": asdict(result.quiz) if result.quiz else None,
    }


def _store(quiz_id: int, all_attempts: bool, fingerprint: str, payload: dict) -> None:
    """Best effort, on a connection of its own: a failed cache write loses nothing."""
    table = QuizStatisticsCache.__table__
    try:
        with db.engine.begin() as conn:
            statement = dialect_insert(table).values(
                quiz_id=quiz_id,
                all_attempts=all_attempts,
                fingerprint=fingerprint,
                payload=payload,
                computed_at=clock.now(),
            )
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["quiz_id", "all_attempts"],
                    set_={
                        "fingerprint": fingerprint,
                        "payload": payload,
                        "computed_at": clock.now(),
                    },
                )
            )
    except (OperationalError, IntegrityError):
        pass


def for_quiz(quiz: Quiz, *, all_attempts: bool = False) -> ItemAnalysis:
    """The item analysis of the quiz's graded first attempts (or all graded attempts), per
    slot of the quiz as it stands: from the cache while the graded attempts are unchanged,
    computed again otherwise (see the module docstring)."""
    memo = g.setdefault("_item_analysis", {}) if has_request_context() else {}
    key = (quiz.id, all_attempts)
    if key in memo:
        return memo[key]
    slots = list(quiz.slots)
    fingerprint = _fingerprint(quiz, slots, all_attempts)
    cached = db.session.get(QuizStatisticsCache, (quiz.id, all_attempts))
    if cached is not None and cached.fingerprint == fingerprint:
        try:
            memo[key] = _from_payload(slots, cached.payload, all_attempts)
            return memo[key]
        except (KeyError, TypeError):
            pass  # written by another version of the code: compute again
    result = _compute(quiz, slots, all_attempts)
    _store(quiz.id, all_attempts, fingerprint, _to_payload(result))
    memo[key] = result
    return result


def _compute(quiz: Quiz, slots: list[QuizSlot], all_attempts: bool) -> ItemAnalysis:
    rows = _answer_rows(quiz, all_attempts)
    matrix = _marks_by_slot(slots, rows, _category_trees(slots))
    result = ItemAnalysis(all_attempts=all_attempts, attempt_count=len(matrix))
    if slots:
        max_marks = {slot.id: slot_maximum(slot) for slot in slots}
        guesses = {
            slot.id: random_guess_score(slot.question.current_version.definition)
            for slot in slots
            if slot.question is not None and slot.question.current_version is not None
        }
        per_slot = statistics.question_statistics(matrix, max_marks, guesses)
        result.slots = [
            SlotAnalysis(slot=slot, stats=stats, flags=statistics.flags(stats))
            for slot, stats in zip(slots, per_slot, strict=True)
        ]
        result.quiz = statistics.quiz_statistics(matrix, max_marks)
    return result
