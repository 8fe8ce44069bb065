"""Read-only queries for HR's quiz pages: the quiz list, a quiz with its slots, the bank
search, the attempts list, and the item analysis.

Statistics are never stored. ``item_analysis`` recomputes them on demand from the graded
attempts, so they are always current when attempts are added, graded or regraded; there is
nothing to invalidate and nothing to share between processes. The work is a bounded number
of statements whatever the number of attempts (the quiz and its slots are loaded by the
caller; then one statement for the answers of the analysed attempts, and one for the
category tree when the quiz has random draws); the arithmetic is the pure functions of
``assessments.statistics``. The result is memoised for the current request only (on
``flask.g``), never in the process: several web processes serve the same quiz.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from assessments import statistics
from assessments.models import (
    Attempt,
    AttemptAnswer,
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


# --- item analysis --------------------------------------------------------------------------


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


def slot_maximum(slot: QuizSlot) -> float:
    return slot.marks * (1 if slot.question_id is not None else slot.count)


def item_analysis(quiz: Quiz, *, all_attempts: bool = False) -> ItemAnalysis:
    """The item analysis of the quiz's graded first attempts (or all graded attempts), per
    slot of the quiz as it stands. Computed on demand (see the module docstring)."""
    memo = g.setdefault("_item_analysis", {}) if has_request_context() else {}
    key = (quiz.id, all_attempts)
    if key in memo:
        return memo[key]
    slots = list(quiz.slots)
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
    memo[key] = result
    return result
