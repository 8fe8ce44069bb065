"""Read-only queries for HR's quiz pages: the quiz list, a quiz with its slots, the bank
search and the attempts list. The item analysis is in ``assessments.item_analysis``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from assessments.models import (
    Attempt,
    AttemptState,
    Question,
    QuestionCategory,
    QuestionTag,
    QuestionVersion,
    Quiz,
    QuizOverride,
    QuizSlot,
)
from courses.models import Course, CourseVersion, Lesson, Module, VersionStatus
from lms.extensions import db
from lms.organisation.models import Employee

# --- the quiz list --------------------------------------------------------------------------

QUIZ_SORTS = ("title", "status", "questions", "attempts", "pass_rate", "created")


@dataclass
class QuizListFilter:
    q: str = ""
    status: str | None = None
    sort: str = "created"
    descending: bool = True


def _question_counts() -> sa.Subquery:
    """Questions per quiz: a fixed slot is one, a random draw its count."""
    return (
        sa.select(
            QuizSlot.quiz_id,
            sa.func.sum(
                sa.case((QuizSlot.question_id.is_not(None), 1), else_=QuizSlot.count)
            ).label("questions"),
        )
        .group_by(QuizSlot.quiz_id)
        .subquery()
    )


def _attempt_counts() -> sa.Subquery:
    """Attempts per quiz, and the people graded and the people who passed."""
    return (
        sa.select(
            Attempt.quiz_id,
            sa.func.count(Attempt.id).label("attempts"),
            sa.func.count(
                sa.distinct(sa.case((Attempt.state == AttemptState.GRADED, Attempt.employee_id)))
            ).label("graded_people"),
            sa.func.count(
                sa.distinct(sa.case((Attempt.passed.is_(True), Attempt.employee_id)))
            ).label("passed_people"),
        )
        .group_by(Attempt.quiz_id)
        .subquery()
    )


def quiz_list_query(f: QuizListFilter) -> sa.Select:
    query = sa.select(Quiz).options(joinedload(Quiz.course))
    if f.q:
        like = f"%{f.q.strip()}%"
        query = query.where(sa.or_(Quiz.title.ilike(like), Quiz.title_en.ilike(like)))
    if f.status:
        query = query.where(Quiz.status == f.status)
    if f.sort == "questions":
        counts = _question_counts()
        query = query.outerjoin(counts, counts.c.quiz_id == Quiz.id)
        key = sa.func.coalesce(counts.c.questions, 0)
    elif f.sort in ("attempts", "pass_rate"):
        counts = _attempt_counts()
        query = query.outerjoin(counts, counts.c.quiz_id == Quiz.id)
        key = (
            sa.func.coalesce(counts.c.attempts, 0)
            if f.sort == "attempts"
            else sa.func.coalesce(
                counts.c.passed_people * 1.0 / sa.func.nullif(counts.c.graded_people, 0), -1
            )
        )
    else:
        key = {
            "title": Quiz.title,
            "status": Quiz.status,
            "created": Quiz.created_at,
        }.get(f.sort, Quiz.created_at)
    return query.order_by(key.desc() if f.descending else key, Quiz.id.desc())


@dataclass(frozen=True)
class QuizFigures:
    questions: int = 0
    attempts: int = 0
    graded_people: int = 0
    passed_people: int = 0

    @property
    def pass_rate(self) -> float | None:
        if not self.graded_people:
            return None
        return 100.0 * self.passed_people / self.graded_people


def quiz_figures(quiz_ids: list[int]) -> dict[int, QuizFigures]:
    """Questions, attempts and the pass rate (people passed / people graded) of these
    quizzes, in two statements."""
    if not quiz_ids:
        return {}
    questions = _question_counts()
    attempts = _attempt_counts()
    question_rows = dict(
        db.session.execute(
            sa.select(questions.c.quiz_id, questions.c.questions).where(
                questions.c.quiz_id.in_(quiz_ids)
            )
        ).all()
    )
    attempt_rows = {
        row.quiz_id: row
        for row in db.session.execute(sa.select(attempts).where(attempts.c.quiz_id.in_(quiz_ids)))
    }
    figures = {}
    for quiz_id in quiz_ids:
        row = attempt_rows.get(quiz_id)
        figures[quiz_id] = QuizFigures(
            questions=int(question_rows.get(quiz_id) or 0),
            attempts=row.attempts if row else 0,
            graded_people=row.graded_people if row else 0,
            passed_people=row.passed_people if row else 0,
        )
    return figures


# --- one quiz -------------------------------------------------------------------------------


def quiz_with_slots(quiz_id: int) -> Quiz | None:
    """The quiz with its course, its slots, their questions (current versions, tags) and
    categories: three statements."""
    return db.session.scalar(
        sa.select(Quiz)
        .where(Quiz.id == quiz_id)
        .options(
            joinedload(Quiz.course),
            selectinload(Quiz.slots).options(
                joinedload(QuizSlot.question).joinedload(Question.current_version),
                joinedload(QuizSlot.category),
            ),
        )
    )


def category_choices(locale: str) -> list[tuple[int, str]]:
    """Every category as (id, "Parent / Child"), sorted by path (one statement)."""
    categories = db.session.scalars(sa.select(QuestionCategory)).all()
    by_id = {c.id: c for c in categories}

    def path(category: QuestionCategory) -> str:
        names, seen = [], set()
        walker: QuestionCategory | None = category
        while walker is not None and walker.id not in seen:
            seen.add(walker.id)
            names.append(walker.display_name(locale))
            walker = by_id.get(walker.parent_id) if walker.parent_id else None
        return " / ".join(reversed(names))

    return sorted(((c.id, path(c)) for c in categories), key=lambda pair: pair[1])


def lesson_choices(locale: str) -> list[tuple[int, str, str]]:
    """Every lesson a quiz can follow, as (course id, lesson key, "Course — Lesson"): the
    lessons of each course's current version, or of its draft while it has none (one
    statement)."""
    english = locale == "en"
    rows = db.session.execute(
        sa.select(
            Course.id,
            Course.slug,
            CourseVersion.title,
            CourseVersion.title_en,
            Lesson.key,
            Lesson.title,
            Lesson.title_en,
        )
        .join(
            CourseVersion,
            sa.and_(
                CourseVersion.course_id == Course.id,
                sa.or_(
                    CourseVersion.id == Course.current_version_id,
                    sa.and_(
                        Course.current_version_id.is_(None),
                        CourseVersion.status == VersionStatus.DRAFT,
                    ),
                ),
            ),
        )
        .join(Module, Module.version_id == CourseVersion.id)
        .join(Lesson, Lesson.module_id == Module.id)
        .order_by(Course.slug, Module.position, Lesson.position)
    )
    return [
        (
            course_id,
            key,
            f"{(title_en if english and title_en else title) or slug}"
            f" — {(lesson_en if english and lesson_en else lesson) or key}",
        )
        for course_id, slug, title, title_en, key, lesson, lesson_en in rows
    ]


def question_search(text: str, *, exclude: set[int], limit: int = 20) -> list[Question]:
    """Questions of the bank (not archived) whose title, stem, case or a tag contains the
    text, newest first (one statement)."""
    text = text.strip()
    if not text:
        return []
    like = f"%{text}%"
    definition = QuestionVersion.definition
    tagged = sa.select(QuestionTag.question_id).where(QuestionTag.tag.ilike(like))
    query = (
        sa.select(Question)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(
            Question.archived.is_(False),
            sa.or_(
                definition["title"].as_string().ilike(like),
                definition["stem"].as_string().ilike(like),
                definition["stem_en"].as_string().ilike(like),
                definition["case"].as_string().ilike(like),
                Question.id.in_(tagged),
            ),
        )
        .options(
            contains_eager(Question.current_version),
            joinedload(Question.category),
        )
        .order_by(Question.id.desc())
        .limit(limit)
    )
    if exclude:
        query = query.where(Question.id.not_in(exclude))
    return list(db.session.scalars(query).unique())


def overrides_of(quiz: Quiz) -> list[tuple[QuizOverride, Employee]]:
    return [
        (override, person)
        for override, person in db.session.execute(
            sa.select(QuizOverride, Employee)
            .join(Employee, Employee.id == QuizOverride.employee_id)
            .where(QuizOverride.quiz_id == quiz.id)
            .order_by(Employee.employee_no)
        )
    ]


# --- attempts -------------------------------------------------------------------------------

ATTEMPT_SORTS = ("person", "number", "state", "percent", "started", "finished")


@dataclass
class AttemptFilter:
    state: str | None = None
    sort: str = "started"
    descending: bool = True


def attempt_list_query(quiz: Quiz, f: AttemptFilter) -> sa.Select:
    """Everyone's attempts at the quiz with the person, in one statement per page."""
    query = (
        sa.select(Attempt)
        .join(Employee, Employee.id == Attempt.employee_id)
        .where(Attempt.quiz_id == quiz.id)
        .options(contains_eager(Attempt.employee))
    )
    if f.state:
        query = query.where(Attempt.state == f.state)
    key = {
        "person": Employee.name,
        "number": Attempt.number,
        "state": Attempt.state,
        "percent": Attempt.percent,
        "started": Attempt.started_at,
        "finished": Attempt.finished_at,
    }.get(f.sort, Attempt.started_at)
    key = key.desc() if f.descending else key
    if f.sort in ("percent", "finished"):  # empty values last in both directions
        key = key.nulls_last()
    return query.order_by(key, Attempt.id.desc())


def slot_maximum(slot: QuizSlot) -> float:
    """The most marks the slot gives: its marks, times the count of a random draw."""
    return slot.marks * (1 if slot.question_id is not None else slot.count)
