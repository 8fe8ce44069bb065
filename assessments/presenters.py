"""What a learner sees of a quiz and an attempt: one place for the pages and the API.

Every function returns plain data (dicts, lists, numbers, text, datetimes) that the
templates render and the API serialises with ``jsonable``. What an attempt reveals is
decided here, once, from ``quizzes.review_allows``: while an attempt is in progress only each
question's public view and the saved response go out; after it, marks, right answers and
feedback only as the quiz's review options allow. A key that must not be shown is left out,
never sent empty.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from assessments import attempts as attempt_service
from assessments import images, quizzes
from assessments.grading import rubric_holder
from assessments.models import Attempt, AttemptAnswer, AttemptState, Quiz, QuizStatus
from assessments.types import question_type
from lms.extensions import db
from lms.organisation.models import Employee

NO_INPUT = frozenset({"description"})


def jsonable(value: Any) -> Any:
    """The same data with datetimes as ISO 8601 text, for JSON."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    return value


def has_content(response: Any) -> bool:
    """Whether a parsed response answers anything (``False`` answers a true/false question)."""
    if response is None:
        return False
    if isinstance(response, dict):
        return any(has_content(item) for item in response.values())
    if isinstance(response, list | tuple | str):
        return bool(response)
    return True


def allowed(quiz: Quiz, attempt: Attempt, now: dt.datetime) -> frozenset[str]:
    """What the learner may see of this attempt now; nothing while it is in progress."""
    if attempt.state == AttemptState.IN_PROGRESS:
        return frozenset()
    return quizzes.review_allows(quiz, attempt, now)


def remaining_seconds(attempt: Attempt, now: dt.datetime) -> int | None:
    """Seconds left before the server's deadline (None without one), never negative."""
    if attempt.deadline_at is None or attempt.state != AttemptState.IN_PROGRESS:
        return None
    return max(0, int((attempt.deadline_at - now).total_seconds()))


def _outcome(fraction: float) -> str:
    if fraction >= 1 - 1e-9:
        return "correct"
    return "partial" if fraction > 1e-9 else "incorrect"


def _rubric_scores(definition: dict, scores: dict) -> list[dict[str, Any]]:
    rubric = rubric_holder(definition).get("rubric") or {}
    shown = []
    for criterion in rubric.get("criteria", []):
        if criterion["id"] not in scores:
            continue
        row = {
            "id": criterion["id"],
            "name": criterion["name"],
            "points": scores[criterion["id"]],
            "max_points": max(level["points"] for level in criterion["levels"]),
        }
        if criterion.get("name_en"):
            row["name_en"] = criterion["name_en"]
        shown.append(row)
    return shown


def question(answer: AttemptAnswer, reveal: frozenset[str], finished: bool) -> dict[str, Any]:
    """One question of an attempt: its public view, the saved response and, once the attempt
    is finished, what ``reveal`` allows."""
    version = answer.question_version
    definition = version.definition
    kind = question_type(version.type)
    shown: dict[str, Any] = {
        "slot": answer.slot,
        "type": version.type,
        "question_version_id": version.id,
        "max_marks": answer.max_marks,
        "view": kind.public_view(definition, answer.state or {}),
        "response": answer.response,
        "answered": has_content(answer.response),
        "sequence": answer.sequence,
        "saved_at": answer.saved_at,
    }
    if not finished:
        return shown
    shown["waiting_for_grading"] = bool(answer.needs_manual)
    if "marks" in reveal and not answer.needs_manual and answer.fraction is not None:
        shown["marks"] = round(answer.marks, 5)
        shown["outcome"] = _outcome(answer.fraction)
        if answer.rubric_scores:
            shown["rubric_scores"] = _rubric_scores(definition, answer.rubric_scores)
    if "right_answers" in reveal:
        right = kind.right_answer(definition)
        if right:
            shown["right_answer"] = right
    if "feedback" in reveal:
        if answer.feedback:
            shown["feedback"] = answer.feedback
        if definition.get("general_feedback"):
            shown["general_feedback"] = definition["general_feedback"]
        if answer.grader_comment:
            shown["grader_comment"] = answer.grader_comment
    return shown


def attempt(attempt: Attempt, now: dt.datetime, *, with_questions: bool = True) -> dict[str, Any]:
    """An attempt as its owner may see it now. Give it with ``answers`` and their question
    versions loaded (``queries``-style eager loading) to keep the statements bounded."""
    quiz = attempt.quiz
    reveal = allowed(quiz, attempt, now)
    finished = attempt.state != AttemptState.IN_PROGRESS
    shown: dict[str, Any] = {
        "id": attempt.id,
        "quiz_id": attempt.quiz_id,
        "number": attempt.number,
        "state": str(attempt.state),
        "started_at": attempt.started_at,
        "deadline_at": attempt.deadline_at,
        "finished_at": attempt.finished_at,
        "remaining_seconds": remaining_seconds(attempt, now),
        "review": sorted(reveal),
        "needs_grading": attempt.state == AttemptState.NEEDS_GRADING,
    }
    if "marks" in reveal and attempt.state == AttemptState.GRADED:
        shown.update(
            marks=attempt.marks,
            max_marks=attempt.max_marks,
            percent=attempt.percent,
            passed=attempt.passed,
        )
    if with_questions:
        images.preload(a.question_version for a in attempt.answers)  # one statement at most
        shown["questions"] = [question(a, reveal, finished) for a in attempt.answers]
        number = 0
        for q in shown["questions"]:  # descriptions are not numbered
            if q["type"] not in NO_INPUT:
                number += 1
            q["number"] = number if q["type"] not in NO_INPUT else None
    return shown


def unanswered(shown: dict[str, Any]) -> list[int]:
    """The numbers of the questions of an attempt (as ``attempt`` shows it) that still wait
    for an answer."""
    return [q["number"] for q in shown["questions"] if q["number"] and not q["answered"]]


def refusal(error: attempt_service.AttemptError | None) -> dict[str, Any] | None:
    if error is None:
        return None
    return {"code": error.code, "message": error.message, **error.extra}


def quiz(quiz: Quiz, person: Employee, tries: list[Attempt], now: dt.datetime) -> dict[str, Any]:
    """A quiz's settings for this person (overrides applied), their attempts, whether they
    may start one (and why not), and their grade by the quiz's grading method when every
    graded attempt may show its marks."""
    settings = attempt_service.settings_for(quiz, person)
    open_attempt = next((a for a in tries if a.state == AttemptState.IN_PROGRESS), None)
    why_not = None if open_attempt else attempt_service.can_start(quiz, person, now)
    graded = [a for a in tries if a.state == AttemptState.GRADED]
    marks_shown = bool(graded) and all("marks" in allowed(quiz, a, now) for a in graded)
    shown = quizzes.public_settings(quiz) | {
        "time_limit_seconds": settings.time_limit_seconds,
        "attempts_allowed": settings.attempts_allowed,
        "close_at": settings.close_at,
        "min_delay_seconds": quiz.min_delay_seconds,
        "attempts_used": max((a.number for a in tries), default=0),
        "open_attempt_id": open_attempt.id if open_attempt else None,
        "can_start": open_attempt is None and why_not is None,
        "refusal": refusal(why_not),
        "attempts": [attempt(a, now, with_questions=False) for a in tries],
    }
    if marks_shown:
        shown["final_grade"] = quizzes.final_grade(quiz, tries)
        shown["passed"] = any(a.passed for a in graded)
    return shown


def best_percent(quiz: Quiz, person: Employee, now: dt.datetime) -> float | None:
    """The person's best percent among graded attempts that may show their marks."""
    shown = [
        a.percent
        for a in attempts_of(quiz, person)
        if a.state == AttemptState.GRADED
        and a.percent is not None
        and "marks" in allowed(quiz, a, now)
    ]
    return max(shown, default=None)


def state_label(state: str) -> str:
    return {
        "in_progress": _("In progress"),
        "submitted": _("Submitted"),
        "needs_grading": _("Waiting for grading"),
        "graded": _("Graded"),
        "abandoned": _("Not submitted in time"),
    }.get(state, state)


def grading_method_label(method: str) -> str:
    return {
        "highest": _("Highest grade"),
        "average": _("Average grade"),
        "first": _("First attempt"),
        "last": _("Last attempt"),
    }.get(method, method)


# --- loading, eagerly, for a bounded number of statements ------------------------------------


def load_attempt(attempt_id: int) -> Attempt | None:
    """An attempt with its quiz (and the quiz's course), answers and their question versions."""
    return db.session.scalar(
        sa.select(Attempt)
        .where(Attempt.id == attempt_id)
        .options(
            joinedload(Attempt.quiz).joinedload(Quiz.course),
            selectinload(Attempt.answers).joinedload(AttemptAnswer.question_version),
        )
    )


def published_quiz(quiz_id: int) -> Quiz | None:
    return db.session.scalar(
        sa.select(Quiz)
        .where(Quiz.id == quiz_id, Quiz.status == QuizStatus.PUBLISHED)
        .options(selectinload(Quiz.slots), joinedload(Quiz.course))
    )


def attempts_of(quiz: Quiz, person: Employee) -> list[Attempt]:
    return list(
        db.session.scalars(
            sa.select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.employee_id == person.id)
            .order_by(Attempt.number)
        )
    )


def start_or_resume(quiz: Quiz, person: Employee, now: dt.datetime) -> Attempt:
    """``attempts.start``, but a refusal (limit, delay) that lost a race to a concurrent start
    resumes the attempt that start opened: between start's look for an open attempt and its
    count of attempts another request may commit one (PostgreSQL, read committed)."""
    try:
        return attempt_service.start(quiz, person, now=now)
    except attempt_service.AttemptError:
        existing = attempt_service.open_attempt(quiz, person)
        if existing is None:
            raise
        return existing
