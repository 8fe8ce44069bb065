"""Grading: automatic on submission, by a person for essays and rubric questions, and
regrading after a question is fixed — every manual mark and regrade audited."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from assessments.models import (
    Attempt,
    AttemptAnswer,
    AttemptState,
    GradeChange,
    Question,
    QuestionVersion,
)
from assessments.types import question_type
from assessments.types.manual import grade_with_rubric
from lms.extensions import db
from lms.organisation.models import Employee, Team


class GradingError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def grade_answer_automatically(answer: AttemptAnswer) -> None:
    version = answer.question_version
    result = question_type(version.type).grade(version.definition, answer.response)
    answer.fraction = None if result.fraction is None else min(1.0, max(0.0, result.fraction))
    answer.feedback = result.feedback or None
    answer.needs_manual = result.fraction is None


def grade_automatically(attempt: Attempt) -> list[AttemptAnswer]:
    """Grade every answer the machine can (one statement to load them with their versions);
    returns the answers so the caller can total them without reading them again."""
    answers = list(
        db.session.scalars(
            sa.select(AttemptAnswer)
            .where(AttemptAnswer.attempt_id == attempt.id)
            .options(joinedload(AttemptAnswer.question_version))
        )
    )
    for answer in answers:
        grade_answer_automatically(answer)
    db.session.flush()
    return answers


def may_grade(grader: Employee, attempt: Attempt) -> bool:
    """HR always; otherwise whom the quiz names: the learner's supervisor or team lead, or a
    mentor of the learner's team or the learner's own mentor."""
    if attempt.employee_id == grader.id:
        return False  # nobody grades their own answers
    if grader.has_role("hr", "admin"):
        return True
    learner = attempt.employee
    role = attempt.quiz.grader_role
    if role == "supervisor" and grader.has_role("supervisor"):
        return learner.supervisor_id == grader.id or (
            learner.team is not None and learner.team.lead_id == grader.id
        )
    if role == "mentor" and grader.has_role("mentor", "supervisor"):
        if learner.team_id is not None and learner.team_id == grader.team_id:
            return True
        if learner.supervisor_id == grader.id:
            return True
        return attempt.employee_id in set(db.session.scalars(_mentees_of(grader.id)))
    return False


def _mentees_of(grader_id: int) -> sa.Select:
    """The people this grader mentors now (any kind of active mentorship)."""
    from lms.mentorship.models import Mentorship, MentorshipStatus

    return sa.select(Mentorship.mentee_id).where(
        Mentorship.mentor_id == grader_id, Mentorship.status == MentorshipStatus.ACTIVE
    )


def grading_queue_query(grader: Employee) -> sa.Select:
    """Answers waiting for a person, oldest first, limited to what this grader may grade."""
    query = (
        sa.select(AttemptAnswer)
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .join(Employee, Employee.id == Attempt.employee_id)
        .where(
            AttemptAnswer.needs_manual.is_(True),
            Attempt.state == AttemptState.NEEDS_GRADING,
            Attempt.employee_id != grader.id,
        )
        .order_by(Attempt.finished_at, AttemptAnswer.slot)
    )
    if grader.has_role("hr", "admin"):
        return query
    from assessments.models import Quiz

    query = query.join(Quiz, Quiz.id == Attempt.quiz_id).outerjoin(
        Team, Team.id == Employee.team_id
    )
    supervised = sa.or_(Employee.supervisor_id == grader.id, Team.lead_id == grader.id)
    same_team = sa.and_(Employee.team_id.is_not(None), Employee.team_id == grader.team_id)
    clauses = []
    if grader.has_role("supervisor"):
        clauses.append(sa.and_(Quiz.grader_role == "supervisor", supervised))
    if grader.has_role("mentor", "supervisor"):
        mentored = Employee.id.in_(_mentees_of(grader.id))
        clauses.append(
            sa.and_(Quiz.grader_role == "mentor", sa.or_(same_team, supervised, mentored))
        )
    return query.where(sa.or_(*clauses)) if clauses else query.where(sa.false())


def grade_manually(
    answer: AttemptAnswer,
    grader: Employee,
    *,
    now: dt.datetime,
    fraction: float | None = None,
    rubric_scores: dict | None = None,
    comment: str | None = None,
) -> Attempt:
    """Score an answer that waits for a person (directly, or criterion by criterion with
    its rubric). When the last one is scored the attempt is graded."""
    from assessments import attempts

    attempt = db.session.scalar(
        sa.select(Attempt)
        .where(Attempt.id == answer.attempt_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if not may_grade(grader, attempt):
        raise GradingError(_("You may not grade this attempt."))
    if attempt.state not in (AttemptState.NEEDS_GRADING, AttemptState.GRADED):
        raise GradingError(_("This attempt is not waiting for grading."))
    definition = answer.question_version.definition
    rubric = _rubric_of(definition)
    if rubric is not None:
        if not isinstance(rubric_scores, dict):
            raise GradingError(_("Score every criterion of the rubric."), "rubric")
        try:
            fraction = grade_with_rubric(rubric_holder(definition), rubric_scores)
        except (ValueError, KeyError, TypeError) as error:
            raise GradingError(
                _("Score every criterion of the rubric: %(e)s", e=str(error)), "rubric"
            ) from None
    if fraction is None or not 0 <= fraction <= 1:
        raise GradingError(_("Give a mark between 0 and the question's maximum."), "marks")
    db.session.add(
        GradeChange(
            answer_id=answer.id,
            old_fraction=answer.fraction,
            new_fraction=fraction,
            reason="manual",
            changed_by_id=grader.id,
            changed_at=now,
        )
    )
    answer.fraction = _combine_with_parts(definition, answer, fraction)
    answer.rubric_scores = rubric_scores
    answer.grader_comment = (comment or "").strip() or None
    answer.graded_by_id, answer.graded_at, answer.needs_manual = grader.id, now, False
    db.session.flush()
    attempts.complete(attempt, now=now)
    if attempt.state == AttemptState.GRADED:
        from lms.notifications import notify

        notify(
            attempt.employee,
            "attempt_graded",
            now=now,
            params={
                "quiz": attempt.quiz.title,
                "percent": attempt.percent,
                "attempt_id": attempt.id,
            },
        )
    return attempt


def _rubric_of(definition: dict) -> dict | None:
    if definition.get("type") == "essay":
        return definition.get("rubric")
    if definition.get("type") == "scenario":
        for part in definition.get("parts", []):
            if part["question"].get("type") == "essay" and part["question"].get("rubric"):
                return part["question"]["rubric"]
    return None


def rubric_holder(definition: dict) -> dict:
    """The essay definition that carries the rubric (the question, or a scenario's part)."""
    if definition.get("type") == "essay":
        return definition
    for part in definition.get("parts", []):
        if part["question"].get("type") == "essay" and part["question"].get("rubric"):
            return part["question"]
    return definition


def _combine_with_parts(definition: dict, answer: AttemptAnswer, manual: float) -> float:
    """For a scenario, the manual mark is its essay part's; the others stay automatic."""
    if definition.get("type") != "scenario":
        return manual
    result = question_type("scenario").grade(definition, answer.response)
    parts = result.details.get("parts", {})
    total = sum(p["weight"] for p in definition["parts"])
    score = 0.0
    for part in definition["parts"]:
        automatic = parts.get(part["id"])
        score += part["weight"] * (manual if automatic is None else automatic)
    return min(1.0, max(0.0, score / total)) if total else 0.0


def regrade_question(question: Question, *, actor: Employee | None, now: dt.datetime) -> int:
    """After a fix (a new version), grade again every automatically graded answer given an
    earlier version of the same type, with the fixed definition; audit old and new marks and
    recompute the attempts' totals. Returns how many answers changed."""
    from assessments import attempts

    current = question.current_version
    changed = 0
    affected: set[int] = set()
    answers = db.session.scalars(
        sa.select(AttemptAnswer)
        .join(QuestionVersion, QuestionVersion.id == AttemptAnswer.question_version_id)
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(
            QuestionVersion.question_id == question.id,
            QuestionVersion.type == current.type,
            AttemptAnswer.needs_manual.is_(False),
            Attempt.state.in_([AttemptState.GRADED, AttemptState.NEEDS_GRADING]),
        )
    ).all()
    for answer in answers:
        result = question_type(current.type).grade(current.definition, answer.response)
        if result.fraction is None or abs((answer.fraction or 0) - result.fraction) < 1e-9:
            continue
        db.session.add(
            GradeChange(
                answer_id=answer.id,
                old_fraction=answer.fraction,
                new_fraction=result.fraction,
                reason="regrade",
                changed_by_id=actor.id if actor else None,
                changed_at=now,
            )
        )
        answer.fraction, answer.feedback = result.fraction, result.feedback or None
        changed += 1
        affected.add(answer.attempt_id)
    db.session.flush()
    for attempt_id in affected:
        attempt = db.session.get(Attempt, attempt_id)
        if attempt.state == AttemptState.GRADED:
            attempts.complete(attempt, now=now)
    return changed
