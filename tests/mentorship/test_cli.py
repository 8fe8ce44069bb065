"""``lms mentors match``: a dry run shows the proposals and writes nothing; --apply writes."""

from __future__ import annotations

import sqlalchemy as sa

from lms.extensions import db
from lms.mentorship import eligibility, proposals, services
from lms.mentorship.models import MentorProfile, Mentorship, MentorshipStatus
from lms.notifications.models import Notification


def company(make, mentors):
    """Two mentors with one place each, three new hires: one is left without a mentor."""
    make.employee(roles={"hr"})
    team = make.team("售后一组")
    first = mentors.mentor(team, employee_no="M001", name="王导师")
    second = mentors.mentor(employee_no="M002", name="李导师")
    for person in (first, second):
        services.set_capacity(person, 1)
    hires = [mentors.new_hire(team, employee_no=f"N00{i}", name=f"新人{i}") for i in range(1, 4)]
    db.session.commit()
    return first, second, hires


def counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(sa.select(sa.func.count(Mentorship.id))),
        db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(MentorProfile.load), 0))),
        db.session.scalar(sa.select(sa.func.count(Notification.id))),
    )


def test_dry_run_shows_proposals_and_writes_nothing(runner, make, mentors, at_now):
    company(make, mentors)
    before = counts()
    result = runner.invoke(args=["mentors", "match"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "N001 新人1 -> M001 王导师" in out  # oldest hire first, the same team wins
    assert "N002 新人2 -> M002 李导师" in out
    assert "team: 30.0" in out and "shift: 20.0" in out and "score " in out
    assert "No mentor with a free place for 1 new hires:" in out and "N003 新人3" in out
    assert "Dry run: 2 proposals, nothing written" in out
    assert counts() == before == (0, 0, 0)


def test_dry_run_leaves_no_capacity_rows(runner, make, mentors, at_now):
    mentors.mentor()
    mentors.new_hire()
    db.session.commit()
    result = runner.invoke(args=["mentors", "match"])
    assert result.exit_code == 0 and "Dry run: 1 proposals" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MentorProfile)) == 0


def test_apply_writes_proposals(runner, make, mentors, at_now):
    first, second, hires = company(make, mentors)
    result = runner.invoke(args=["mentors", "match", "--apply"])
    assert result.exit_code == 0, result.output
    assert "2 proposals written" in result.output and "N003 新人3" in result.output
    db.session.expire_all()
    made = db.session.scalars(sa.select(Mentorship).order_by(Mentorship.mentee_id)).all()
    assert [(m.mentee_id, m.mentor_id) for m in made] == [
        (hires[0].id, first.id),
        (hires[1].id, second.id),
    ]
    assert {m.status for m in made} == {MentorshipStatus.PROPOSED}
    assert all(m.score and m.reasons for m in made)
    assert counts()[1:] == (2, 1)  # both places taken; HR told that one hire has no mentor
    again = runner.invoke(args=["mentors", "match", "--apply"])
    assert again.exit_code == 0 and "0 proposals written" in again.output
    assert "N003 新人3" in again.output and counts()[0] == 2


def test_apply_assigns_when_hr_chose_auto_assign(runner, make, mentors, at_now):
    mentor = mentors.mentor(employee_no="M009")
    mentors.new_hire(employee_no="N009")
    eligibility.settings().auto_assign = True
    db.session.commit()
    result = runner.invoke(args=["mentors", "match", "--apply"])
    assert result.exit_code == 0, result.output
    assert "N009" in result.output and "1 mentors assigned" in result.output
    made = db.session.scalar(sa.select(Mentorship))
    assert made.status == MentorshipStatus.ACTIVE and made.mentor_id == mentor.id
    assert len(made.check_ins) == 4


def test_nothing_to_match(runner, mentors, at_now):
    db.session.commit()
    result = runner.invoke(args=["mentors", "match"])
    assert result.exit_code == 0 and "Every new hire has a mentor" in result.output


def test_propose_without_apply_writes_no_mentorship(make, mentors, at_now):
    """What the dry run relies on: only capacity rows may appear, no proposal, no load."""
    company(make, mentors)
    report = proposals.propose(None, now=at_now, apply=False)
    assert len(report.matched) == 2 and len(report.unmatched) == 1
    db.session.flush()
    assert not any(isinstance(obj, Mentorship) for obj in db.session)
    assert counts() == (0, 0, 0)
