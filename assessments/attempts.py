"""Attempts — the integrity contract.

The server owns every clock: deadline = min(start + time limit (+ override), close time);
client timestamps are ignored. At most one open attempt per person and quiz (a partial
unique index) and attempt numbers 1..n without gaps (a unique key): a start that loses a race
re-reads and returns the open attempt, so the attempt limit holds under concurrent starts.
Saving an answer and submitting take the attempt's row lock (PostgreSQL ``FOR UPDATE``;
SQLite writers hold the database's write lock), so a save racing a submit either lands
before the grade or is refused — the grade is always computed from the answers as they
stood. Saves carry a sequence number; a stale one never overwrites a newer one. Submitting
is idempotent.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from assessments import grading
from assessments.models import (
    Attempt,
    AttemptAnswer,
    AttemptState,
    OverduePolicy,
    Question,
    QuestionCategory,
    QuestionVersion,
    Quiz,
    QuizOverride,
    QuizStatus,
)
from assessments.quizzes import counts_in_cycle
from assessments.types import ResponseError, question_type
from lms.extensions import db
from lms.organisation.models import Employee


class AttemptError(Exception):
    """A refused action: ``code`` for programs, ``status`` for HTTP, a message for people."""

    def __init__(self, code: str, message: str, status: int = 409, **extra: object):
        super().__init__(message)
        self.code, self.message, self.status, self.extra = code, message, status, extra


@dataclass(frozen=True)
class Settings:
    """The quiz's settings for one person, overrides applied."""

    time_limit_seconds: int | None
    attempts_allowed: int
    close_at: dt.datetime | None


def settings_for(quiz: Quiz, person: Employee) -> Settings:
    override = db.session.get(QuizOverride, (quiz.id, person.id))
    return Settings(
        time_limit_seconds=(
            override.time_limit_seconds
            if override and override.time_limit_seconds is not None
            else quiz.time_limit_seconds
        ),
        attempts_allowed=(
            override.attempts_allowed
            if override and override.attempts_allowed is not None
            else quiz.attempts_allowed
        ),
        close_at=override.close_at if override and override.close_at else quiz.close_at,
    )


def _lock(attempt_id: int) -> Attempt | None:
    """The attempt, row-locked until the transaction ends."""
    return db.session.scalar(
        sa.select(Attempt)
        .where(Attempt.id == attempt_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def open_attempt(quiz: Quiz, person: Employee) -> Attempt | None:
    return db.session.scalar(
        sa.select(Attempt)
        .where(
            Attempt.quiz_id == quiz.id,
            Attempt.employee_id == person.id,
            Attempt.state == AttemptState.IN_PROGRESS,
        )
        .execution_options(populate_existing=True)
    )


def can_start(quiz: Quiz, person: Employee, now: dt.datetime) -> AttemptError | None:
    """Why a new attempt cannot start now (None if it can)."""
    settings = settings_for(quiz, person)
    if quiz.status != QuizStatus.PUBLISHED:
        return AttemptError("not_available", _("This quiz is not available."), 404)
    if quiz.open_at and now < quiz.open_at:
        return AttemptError("not_open", _("This quiz opens later."), 403, opens_at=quiz.open_at)
    if settings.close_at and now >= settings.close_at:
        return AttemptError("closed", _("This quiz is closed."), 403)
    previous = db.session.execute(
        sa.select(sa.func.count(Attempt.id), sa.func.max(Attempt.finished_at)).where(
            Attempt.quiz_id == quiz.id,
            Attempt.employee_id == person.id,
            counts_in_cycle(quiz, person),
        )
    ).one()
    count, last_finished = previous
    if settings.attempts_allowed and (count or 0) >= settings.attempts_allowed:
        return AttemptError("limit", _("You have used all your attempts."), 403)
    if quiz.min_delay_seconds and last_finished is not None:
        wait_until = last_finished + dt.timedelta(seconds=quiz.min_delay_seconds)
        if now < wait_until:
            return AttemptError("delay", _("You can try again later."), 403, wait_until=wait_until)
    return None


def start(
    quiz: Quiz, person: Employee, *, now: dt.datetime, rng: random.Random | None = None
) -> Attempt:
    """Start an attempt, or return the open one. Safe under concurrent starts."""
    for _try in range(10):
        existing = open_attempt(quiz, person)
        if existing is not None:
            return existing
        refusal = can_start(quiz, person, now)
        if refusal is not None:
            # A concurrent start may have committed its attempt between the two reads; that
            # attempt is the one to resume, not a reason to refuse.
            existing = open_attempt(quiz, person)
            if existing is not None:
                return existing
            raise refusal
        number = (
            db.session.scalar(
                sa.select(sa.func.max(Attempt.number)).where(
                    Attempt.quiz_id == quiz.id, Attempt.employee_id == person.id
                )
            )
            or 0
        ) + 1
        settings = settings_for(quiz, person)
        deadline = None
        if settings.time_limit_seconds:
            deadline = now + dt.timedelta(seconds=settings.time_limit_seconds)
        if settings.close_at and (deadline is None or settings.close_at < deadline):
            deadline = settings.close_at
        questions = _draw(quiz, rng or random.Random(secrets.randbits(64)))
        attempt = Attempt(
            quiz_id=quiz.id,
            employee_id=person.id,
            number=number,
            state=AttemptState.IN_PROGRESS,
            started_at=now,
            deadline_at=deadline,
            max_marks=sum(marks for _v, marks in questions),
        )
        try:
            with db.session.begin_nested():
                db.session.add(attempt)
                db.session.flush()
        except IntegrityError:
            continue  # another start won the race: read again
        shuffle_rng = rng or random.Random(secrets.randbits(64))
        for slot, (version, marks) in enumerate(questions, 1):
            kind = question_type(version.type)
            state = kind.prepare(version.definition, shuffle_rng, quiz.shuffle_options)
            db.session.add(
                AttemptAnswer(
                    attempt_id=attempt.id,
                    slot=slot,
                    question_version_id=version.id,
                    max_marks=marks,
                    state=state,
                )
            )
        db.session.flush()
        return attempt
    raise AttemptError("busy", _("Too many people started at once; please try again."), 503)


def _category_tree(root_id: int, include_children: bool) -> list[int]:
    if not include_children:
        return [root_id]
    children: dict[int | None, list[int]] = {}
    for cid, parent in db.session.execute(
        sa.select(QuestionCategory.id, QuestionCategory.parent_id)
    ):
        children.setdefault(parent, []).append(cid)
    found, todo = [], [root_id]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _draw(quiz: Quiz, rng: random.Random) -> list[tuple[QuestionVersion, float]]:
    """The questions of a new attempt: fixed slots as they are, random slots drawn without
    repeating a question. Every question in its current version."""
    chosen: list[tuple[QuestionVersion, float]] = []
    used: set[int] = set()
    fixed_ids = [slot.question_id for slot in quiz.slots if slot.question_id is not None]
    fixed = (
        {
            q.id: q
            for q in db.session.scalars(
                sa.select(Question)
                .where(Question.id.in_(fixed_ids))
                .options(joinedload(Question.current_version))
            )
        }
        if fixed_ids
        else {}
    )
    for slot in quiz.slots:
        if slot.question_id is not None:
            question = fixed.get(slot.question_id)
            if question is None or question.current_version is None:
                raise AttemptError(
                    "broken", _("This quiz has a question that no longer exists; tell HR."), 409
                )
            chosen.append((question.current_version, slot.marks))
            used.add(question.id)
            continue
        pool = list(
            db.session.scalars(
                sa.select(QuestionVersion)
                .join(Question, Question.current_version_id == QuestionVersion.id)
                .where(
                    Question.category_id.in_(
                        _category_tree(slot.category_id, slot.include_subcategories)
                    ),
                    Question.archived.is_(False),
                    QuestionVersion.type != "description",
                    Question.id.not_in(used or {-1}),
                )
                .order_by(Question.id)
            )
        )
        if len(pool) < slot.count:
            raise AttemptError(
                "broken", _("This quiz draws more questions than its category holds; tell HR."), 409
            )
        for version in rng.sample(pool, slot.count):
            chosen.append((version, slot.marks))
            used.add(version.question_id)
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    return chosen


def _own_attempt(attempt_id: int, person: Employee) -> Attempt:
    attempt = _lock(attempt_id)
    if attempt is None or attempt.employee_id != person.id:
        raise AttemptError("not_found", _("No such attempt."), 404)
    return attempt


def _past_deadline(attempt: Attempt, now: dt.datetime) -> bool:
    return attempt.deadline_at is not None and now > attempt.deadline_at


def save_answer(
    attempt_id: int, person: Employee, slot: int, raw: object, *, sequence: int, now: dt.datetime
) -> AttemptAnswer:
    """Autosave one answer. Refused after submission or the deadline, or when stale."""
    attempt = _own_attempt(attempt_id, person)
    if attempt.state != AttemptState.IN_PROGRESS:
        raise AttemptError(
            "finished", _("This attempt has been submitted; answers can no longer change."), 409
        )
    if _past_deadline(attempt, now):
        raise AttemptError("deadline", _("Time is up; answers can no longer change."), 409)
    answer = db.session.scalar(
        sa.select(AttemptAnswer)
        .where(AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.slot == slot)
        .execution_options(populate_existing=True)
    )
    if answer is None:
        raise AttemptError("not_found", _("No such question in this attempt."), 404)
    if sequence <= answer.sequence:
        raise AttemptError(
            "stale",
            _("A newer answer has been saved already."),
            409,
            saved_sequence=answer.sequence,
        )
    version = answer.question_version
    try:
        parsed = (
            None
            if raw is None
            else question_type(version.type).parse_response(version.definition, raw)
        )
    except ResponseError as error:
        raise AttemptError("invalid", str(error), 422) from None
    answer.response, answer.sequence, answer.saved_at = parsed, sequence, now
    db.session.flush()
    return answer


# Called with (attempt, now) when an attempt is graded and passed (e.g. complete the lesson).
on_passed: list[Callable[[Attempt, dt.datetime], None]] = []


def submit(attempt_id: int, person: Employee, *, now: dt.datetime) -> Attempt:
    """Finish and grade. Idempotent: a second submit returns the graded attempt."""
    attempt = _own_attempt(attempt_id, person)
    if attempt.state != AttemptState.IN_PROGRESS:
        return attempt
    if _past_deadline(attempt, now):
        _overdue(attempt, now, by_learner=True)
        return attempt
    _finish(attempt, finished_at=now, now=now)
    return attempt


def _overdue(attempt: Attempt, now: dt.datetime, *, by_learner: bool) -> None:
    """Apply the quiz's policy to an attempt past its deadline. Auto-submit grades the
    answers saved by the deadline; a grace period lets the learner (only) submit until it
    ends, after which the attempt is abandoned; abandon keeps no grade."""
    policy = attempt.quiz.overdue_policy
    if policy == OverduePolicy.AUTOSUBMIT:
        _finish(attempt, finished_at=attempt.deadline_at, now=now)
    elif policy == OverduePolicy.GRACE:
        grace_end = attempt.deadline_at + dt.timedelta(seconds=attempt.quiz.grace_seconds)
        if now > grace_end:
            _abandon(attempt)
        elif by_learner:
            _finish(attempt, finished_at=now, now=now)
    else:
        _abandon(attempt)


def _abandon(attempt: Attempt) -> None:
    attempt.state = AttemptState.ABANDONED
    attempt.finished_at = attempt.deadline_at
    db.session.flush()


def _finish(attempt: Attempt, *, finished_at: dt.datetime, now: dt.datetime) -> None:
    attempt.state = AttemptState.SUBMITTED
    attempt.finished_at = finished_at
    complete(attempt, now=now, answers=grading.grade_automatically(attempt))


def complete(
    attempt: Attempt, *, now: dt.datetime, answers: list[AttemptAnswer] | None = None
) -> None:
    """Total the marks when nothing waits for a person; then passed or not."""
    if answers is None:
        answers = db.session.scalars(
            sa.select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)
        ).all()
    if any(a.needs_manual for a in answers):
        attempt.state = AttemptState.NEEDS_GRADING
        db.session.flush()
        return
    attempt.marks = round(sum(a.marks or 0.0 for a in answers), 5)
    attempt.percent = (
        round(100 * attempt.marks / attempt.max_marks, 2) if attempt.max_marks else 100.0
    )
    attempt.passed = attempt.percent + 1e-9 >= attempt.quiz.pass_percent
    attempt.state = AttemptState.GRADED
    attempt.graded_at = now
    db.session.flush()
    if attempt.passed:
        for hook in on_passed:
            hook(attempt, now)


def sweep_overdue(now: dt.datetime) -> int:
    """Close attempts past their deadline by their quiz's policy (the scheduler's sweep).
    Skips rows a learner is submitting right now; they finish it themselves."""
    due = db.session.scalars(
        sa.select(Attempt.id)
        .where(
            Attempt.state == AttemptState.IN_PROGRESS,
            Attempt.deadline_at.is_not(None),
            Attempt.deadline_at < now,
        )
        .order_by(Attempt.deadline_at)
        .limit(1000)
    ).all()
    closed = 0
    for attempt_id in due:
        attempt = db.session.scalar(
            sa.select(Attempt)
            .where(Attempt.id == attempt_id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        if attempt is None or attempt.state != AttemptState.IN_PROGRESS:
            continue
        _overdue(attempt, now, by_learner=False)
        if attempt.state != AttemptState.IN_PROGRESS:
            closed += 1
    return closed
