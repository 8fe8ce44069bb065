"""The certification sweep benchmark at a tiny scale, on the test database: its data keeps the
engine's invariants, each sweep moves the rows its floor moves, and the statements it sends
do not grow with the number of holders."""

from __future__ import annotations

import sqlalchemy as sa

from bench.cert_sweep import CASES, measure, report
from bench.scale_data import build
from courses.models import Enrolment
from lms.certification.models import CertificationCycle, PersonCertification, Standing
from lms.extensions import db
from tests.conftest import wipe


def test_holders_are_certified_with_a_completed_cycle_and_course(app):
    data = build(app, people=30, courses=4, certifications=4)
    with app.app_context():
        certified = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PersonCertification)
            .join(
                CertificationCycle,
                sa.and_(
                    CertificationCycle.holder_id == PersonCertification.id,
                    CertificationCycle.number == PersonCertification.cycle_number,
                ),
            )
            .where(
                PersonCertification.status == Standing.CERTIFIED,
                CertificationCycle.completed_on == PersonCertification.certified_on,
                CertificationCycle.expires_on == PersonCertification.expires_on,
            )
        )
        completed = db.session.scalar(
            sa.select(sa.func.count(Enrolment.id)).where(Enrolment.completed_at.is_not(None))
        )
    assert data["holders"] == certified == completed == 120


# at most this many statements (notification batches aside) for four certifications, at 300
# holders as at 100,000 (the bench prints both)
STATEMENT_CAPS = {
    "windows floor": 4,
    "windows": 46,
    "windows again": 46,
    "expiry floor": 4,
    "expiry": 54,
    "expiry again": 54,
    "reminders": 18,
}


def test_sweeps_move_the_floor_rows_with_as_many_statements_at_any_size(app):
    small = measure(app, holders=120, repeat=1)
    wipe(app)
    big = measure(app, holders=300, repeat=1)
    for result in (small, big):
        for sweep in ("windows", "expiry"):
            assert result.rows(sweep) == result.rows(f"{sweep} floor") > 0
            assert result.rows(f"{sweep} again") == 0
        assert result.statements("windows floor") == result.certifications == 4
    assert 88 <= big.rows("windows") <= 92  # ~30 % of the windows open today
    assert 28 <= big.rows("expiry") <= 32  # ~10 % of the expiries come today
    for case in CASES:
        # a certification with nothing to move today skips its cycle and course statements;
        # otherwise the count is the same whatever the number of rows
        assert small.fixed_statements(case) <= big.fixed_statements(case), case
        assert big.fixed_statements(case) <= STATEMENT_CAPS[case], case
        assert small.notice_batches(case) <= big.notice_batches(case) <= 4 * 4, case
    assert big.fixed_statements("windows") > big.statements("windows floor")
    lines = report(big, small, "test")
    assert "window sweep: " in lines[1] and f"{big.rows('windows')} holders moved" in lines[1]
