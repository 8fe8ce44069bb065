"""The demo's certifications: three Chinese certifications over the starter library, holders in
every state with months of history, rows the engine agrees with (its sweeps find nothing to
do), the demo agent's compliance renewal open, and a second load changing nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import sqlalchemy as sa

from courses import enrolment
from courses.models import Enrolment, LessonCompletion
from courses.queries import version_outline
from lms import clock
from lms.certification import completion, cycles, dates, queries, renewal
from lms.certification.models import (
    Certification,
    CertificationCycle,
    CertificationRule,
    CycleCourse,
    EnrolmentHistory,
    LessonCompletionHistory,
    PersonCertification,
)
from lms.demo_certification import (
    COMPLIANCE,
    EMOTIONAL,
    Plan,
    _renewal_due,
    _wanted,
    load_certification,
    simulate,
)
from lms.extensions import db
from lms.notifications.models import Notification
from lms.organisation.models import Employee

NOW = dt.datetime(2027, 3, 15, 2, 0, tzinfo=dt.UTC)  # inside the product-knowledge window
TABLES = (
    Certification,
    CertificationRule,
    PersonCertification,
    CertificationCycle,
    CycleCourse,
    EnrolmentHistory,
    LessonCompletionHistory,
    Enrolment,
    LessonCompletion,
    Notification,
)


def snapshot() -> tuple:
    db.session.expire_all()
    rows = tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in TABLES
    )
    standings = db.session.execute(
        sa.select(
            PersonCertification.id,
            PersonCertification.status,
            PersonCertification.cycle_number,
            PersonCertification.expires_on,
        ).order_by(PersonCertification.id)
    ).all()
    lapsed = db.session.scalar(
        sa.select(sa.func.count()).where(CertificationCycle.lapsed_on.is_not(None))
    )
    courses = db.session.execute(
        sa.select(
            Enrolment.id, Enrolment.completed_at, Enrolment.reopened_at, Enrolment.due_on
        ).order_by(Enrolment.id)
    ).all()
    return rows, tuple(standings), lapsed, tuple(courses)


def holder_of(username: str, slug: str) -> PersonCertification:
    return db.session.scalar(
        sa.select(PersonCertification)
        .join(Employee, Employee.id == PersonCertification.employee_id)
        .join(Certification, Certification.id == PersonCertification.certification_id)
        .where(Employee.username == username, Certification.slug == slug)
    )


def test_the_demo_certifications(app, runner):
    with clock.frozen(NOW):
        result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    today = NOW.date()
    found = {c.slug: c for c in db.session.scalars(sa.select(Certification))}
    assert {c.title for c in found.values()} == {
        "产品知识季度复训",
        "合规与隐私年度认证",
        "情绪健康季度复训",
    }
    product = found["product-knowledge-quarterly"]
    compliance = found["compliance-privacy-annual"]
    emotional = found["emotional-health-quarterly"]
    assert (product.expiry_base, product.fixed_dates, product.min_active_days) == (
        "fixed",
        ["01-01", "04-01", "07-01", "10-01"],
        30,
    )
    assert (compliance.active_months, compliance.expiry_base) == (12, "expiry")
    assert (emotional.active_months, emotional.window_days, emotional.expiry_base) == (
        3,
        14,
        "completion",
    )
    assert [c.course.slug for c in product.courses] == ["product-knowledge-seasonal-update"]
    rules = db.session.scalars(sa.select(CertificationRule)).all()
    assert Counter(r.certification_id for r in rules) == {product.id: 2, compliance.id: 1}
    assert all(r.post_id is None for r in rules if r.certification_id == compliance.id)

    counts = queries.state_counts(today)
    states = Counter()
    for certification in found.values():
        mine = counts[certification.id]
        assert mine["certified"] + mine.get("due", 0) > sum(mine.values()) / 2, mine
        states.update(mine)
    assert {"certified", "due", "expired", "assigned", "in_progress"} <= set(states)
    assert counts[compliance.id]["expired"] >= 1 and counts[emotional.id]["due"] >= 1
    lengths = Counter(
        db.session.scalars(
            sa.select(sa.func.count())
            .select_from(CertificationCycle)
            .group_by(CertificationCycle.holder_id)
        )
    )
    assert {2, 3, 4} <= set(lengths)  # one to three past cycles
    assert db.session.scalar(
        sa.select(sa.func.count()).where(CertificationCycle.lapsed_on.is_not(None))
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EnrolmentHistory))

    mine = holder_of("mentor", "compliance-privacy-annual")  # the renew flow to show
    assert mine.state(today) == "due" and mine.window_opens_on <= today < mine.expires_on
    assert sum(c.completed_on is not None for c in mine.cycles) >= 2
    assert holder_of("mentor", "product-knowledge-quarterly") is not None
    newhire = db.session.scalars(
        sa.select(PersonCertification)
        .join(Employee, Employee.id == PersonCertification.employee_id)
        .where(Employee.username == "newhire")
    ).all()
    assert len(newhire) == 3 and {h.state(today) for h in newhire} == {"assigned"}

    before = snapshot()
    for certification in found.values():  # the engine has nothing left to do today
        assert completion.certify(certification, now=NOW) == []
        assert cycles.open_windows(certification, now=NOW) == 0
        assert cycles.expire(certification, now=NOW) == 0
    assert snapshot() == before
    with clock.frozen(NOW):
        again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "already present" in again.output
    load_certification(NOW, db.session.scalar(sa.select(Employee).where(Employee.username == "hr")))
    assert snapshot() == before

    mine = holder_of("mentor", "compliance-privacy-annual")
    expires_on = mine.expires_on
    course_id = renewal.renew(mine, now=NOW)
    assert course_id == compliance.courses[0].course_id
    record = db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.employee_id == mine.employee_id, Enrolment.course_id == course_id
        )
    )
    assert record.completed_at is None
    for lesson in version_outline(record.version_id).lessons:
        enrolment.complete_lesson(record, lesson, now=NOW)
    db.session.commit()
    mine = holder_of("mentor", "compliance-privacy-annual")
    assert mine.state(today) == "certified"
    assert mine.expires_on == dates.add_months(expires_on, 12)  # renewed in time


def test_the_demo_agent_is_due_whatever_the_date():
    rules = dates.Rules(12, 30, "expiry")
    quarterly = dates.Rules(3, 14, "completion")
    for n in range(0, 730, 23):
        now = dt.datetime(2026, 1, 1, 3, tzinfo=dt.UTC) + dt.timedelta(days=n)
        for spec, r in ((COMPLIANCE, rules), (EMOTIONAL, quarterly)):
            assigned_at = now - dt.timedelta(days=spec.since)

            def make(plan, assigned_at=assigned_at, now=now, r=r, n=n):
                return simulate(r, assigned_at, 30, plan, now, lessons=4, seed=n)

            line = _wanted(make, Plan(1, [20 if r is rules else 13] * 12), _renewal_due)
            assert line.state() == "due", (spec.slug, now)
            assert 5 <= (now.date() - line.window_opens_on).days <= 14
            opened = [c.opened_at for c in line.cycles]
            assert opened == sorted(opened) and line.cycles[-1].completed_at is None
