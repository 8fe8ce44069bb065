"""The life of one mentorship, through the services."""

from __future__ import annotations

import sqlalchemy as sa

from lms.extensions import db
from lms.mentorship import plan, proposals, services
from lms.mentorship.models import MentorProfile, Mentorship, MentorshipStatus
from lms.organisation.models import EmployeeStatus
from tests.mentorship.conftest import NOW


def test_propose_accept_check_in_sign_off(make, mentors):
    team = make.team("售后一组")
    mentor = mentors.mentor(team)
    hire = mentors.new_hire(team)
    report = proposals.propose([hire.id], now=NOW)
    assert [m.mentor_id for m in report.matched] == [mentor.id] and not report.unmatched
    proposal = report.matched[0]
    assert proposal.status == MentorshipStatus.PROPOSED
    assert {r["factor"] for r in proposal.reasons} == {"team", "post", "shift", "load", "results"}
    assert db.session.get(MentorProfile, mentor.id).load == 1

    services.activate(proposal, actor=None, now=NOW)
    assert [c.day for c in proposal.check_ins] == [7, 30, 60, 90]
    check_in = plan.log_check_in(proposal, actor=mentor, now=NOW, notes="好", pulse=4)
    assert check_in.day == 7 and check_in.pulse == 4

    services.sign_off(proposal, actor=mentor, now=NOW)
    db.session.refresh(hire)
    assert hire.status == EmployeeStatus.ACTIVE
    db.session.expire_all()
    assert db.session.get(MentorProfile, mentor.id).load == 0
    assert db.session.scalar(sa.select(Mentorship.status)) == MentorshipStatus.COMPLETED
