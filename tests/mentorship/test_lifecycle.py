"""A mentorship's life through the services: auto-assignment of a new hire, re-proposal when
a mentor lapses, HR's overrides, check-ins, pulse and the mentee's rating."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.mentorship import eligibility, plan, proposals, services
from lms.mentorship.models import (
    CheckIn,
    CheckInKind,
    MentorProfile,
    Mentorship,
    MentorshipKind,
    MentorshipStatus,
)
from lms.mentorship.services import MentorshipError
from lms.organisation import services as organisation
from lms.organisation.models import EmployeeStatus
from tests.mentorship.conftest import NOW, notes, open_per_mentor

TODAY = NOW.date()
DAY = dt.timedelta(days=1)


def _rows(mentee) -> list[Mentorship]:
    return list(
        db.session.scalars(
            sa.select(Mentorship).where(Mentorship.mentee_id == mentee.id).order_by(Mentorship.id)
        )
    )


def _load(person) -> int:
    profile = db.session.get(MentorProfile, person.id, populate_existing=True)
    return 0 if profile is None else profile.load


# --- a new hire with auto-assign on ---------------------------------------------------------


def test_auto_assign_starts_the_mentorship_with_its_plan(make, mentors, hr):
    eligibility.settings().auto_assign = True
    team = make.team("售后一组")
    mentor = mentors.mentor(team)
    values = {
        "employee_no": "N0001",
        "name": "新员工",
        "hire_date": dt.date(2026, 8, 31),
        "status": EmployeeStatus.ONBOARDING,
        "team": "售后一组",
    }
    hire, _password = organisation.save_employee(None, values, actor=hr, now=NOW)

    [mentorship] = _rows(hire)
    assert mentorship.mentor_id == mentor.id and mentorship.status == MentorshipStatus.ACTIVE
    assert mentorship.kind == MentorshipKind.ONBOARDING
    assert mentorship.started_on == TODAY
    assert mentorship.planned_end_on == TODAY + 90 * DAY
    assert [(c.kind, c.day, c.due_on, c.held_on) for c in mentorship.check_ins] == [
        (CheckInKind.PLANNED, day, TODAY + day * DAY, None) for day in (7, 30, 60, 90)
    ]
    assert [n.params["mentor"] for n in notes("mentor_assigned", hire)] == [mentor.name]
    assert [n.params["mentee"] for n in notes("mentee_assigned", mentor)] == [hire.name]
    assert _load(mentor) == 1


def test_auto_assign_follows_hrs_plan(make, mentors, hr):
    rules = eligibility.settings()
    rules.auto_assign, rules.onboarding_days, rules.checkin_days = True, 60, [14, 45]
    mentor = mentors.mentor()
    hire, _ = organisation.save_employee(
        None,
        {"employee_no": "N2", "name": "新人", "hire_date": TODAY, "status": "onboarding"},
        actor=hr,
        now=NOW,
    )
    [mentorship] = _rows(hire)
    assert mentorship.mentor_id == mentor.id
    assert mentorship.planned_end_on == TODAY + 60 * DAY
    assert [c.day for c in mentorship.check_ins] == [14, 45]


def test_without_auto_assign_a_new_hire_gets_a_proposal_only(make, mentors, hr):
    mentor = mentors.mentor()
    hire, _ = organisation.save_employee(
        None, {"employee_no": "N3", "name": "新人", "hire_date": TODAY}, actor=hr, now=NOW
    )
    [proposal] = _rows(hire)
    assert (proposal.mentor_id, proposal.status) == (mentor.id, MentorshipStatus.PROPOSED)
    assert proposal.check_ins == [] and proposal.started_on is None
    assert notes("mentor_assigned") == [] and _load(mentor) == 1


# --- a mentor who lapses --------------------------------------------------------------------


def _leave(mentor, hr):
    organisation.deactivate_employee(mentor, now=NOW)


def _go_on_a_plan(mentor, hr):
    organisation.save_employee(mentor, {"on_improvement_plan": True}, actor=hr, now=NOW)


def _lose_the_role(mentor, hr):
    organisation.save_employee(mentor, {"roles": {"employee"}}, actor=hr, now=NOW)


@pytest.mark.parametrize(
    ("lapse", "reason"),
    [
        (_leave, "Mentor left"),
        (_go_on_a_plan, "Mentor no longer eligible"),
        (_lose_the_role, "Mentor no longer eligible"),
    ],
)
def test_a_lapsed_mentors_mentees_are_proposed_again(make, mentors, hr, lapse, reason):
    team = make.team("售后一组")
    leaving = mentors.mentor(team, name="甲导师")
    other = mentors.mentor(make.team("售后二组"), name="乙导师")
    hires = [mentors.new_hire(team) for _ in range(2)]
    old = [services.assign(leaving, h, actor=hr, now=NOW) for h in hires]
    assert _load(leaving) == 2

    lapse(leaving, hr)

    for hire, before in zip(hires, old, strict=True):
        ended, new = _rows(hire)  # the old row is kept
        assert ended.id == before.id and ended.status == MentorshipStatus.ENDED
        assert ended.end_reason == reason and ended.ended_on == TODAY
        assert (new.mentor_id, new.status) == (other.id, MentorshipStatus.PROPOSED)
        assert new.replaces_id == ended.id
    assert open_per_mentor() == {other.id: 2}
    assert (_load(leaving), _load(other)) == (0, 2)
    [note] = notes("mentees_reproposed", hr)
    assert note.params == {"count": 2, "mentors": "甲导师"}


def test_a_lapsed_mentors_proposals_move_too_and_hr_hears_of_the_unmatched(make, mentors, hr):
    mentor = mentors.mentor()
    hire = mentors.new_hire()
    proposals.propose([hire.id], now=NOW)
    organisation.deactivate_employee(mentor, now=NOW)
    [ended] = _rows(hire)
    assert ended.status == MentorshipStatus.ENDED and ended.end_reason == "Mentor left"
    assert [n.params["count"] for n in notes("mentees_unmatched", hr)] == [1]
    assert [n.params["count"] for n in notes("mentees_reproposed", hr)] == [1]
    assert _load(mentor) == 0


def test_a_mentee_who_leaves_frees_the_place(make, mentors, hr):
    mentor = mentors.mentor()
    hire = mentors.new_hire()
    services.assign(mentor, hire, actor=hr, now=NOW)
    organisation.deactivate_employee(hire, now=NOW)
    [ended] = _rows(hire)
    assert ended.status == MentorshipStatus.ENDED and ended.end_reason == "Mentee left"
    assert _load(mentor) == 0 and notes("mentees_reproposed") == []


def test_an_unrelated_change_to_a_mentor_keeps_the_mentees(make, mentors, hr):
    mentor = mentors.mentor()
    hire = mentors.new_hire()
    services.assign(mentor, hire, actor=hr, now=NOW)
    organisation.save_employee(mentor, {"roles": {"employee", "mentor", "hr"}}, actor=hr, now=NOW)
    assert [m.status for m in _rows(hire)] == [MentorshipStatus.ACTIVE]


# --- HR assigns ------------------------------------------------------------------------------


def test_hr_overrides_a_proposal_then_replaces_the_mentor(make, mentors, hr):
    team = make.team("售后一组")
    proposed = mentors.mentor(team, name="甲")
    chosen = mentors.mentor(name="乙")
    later = mentors.mentor(name="丙")
    hire = mentors.new_hire(team)
    [proposal] = proposals.propose([hire.id], now=NOW).matched
    assert proposal.mentor_id == proposed.id

    first = services.assign(chosen, hire, actor=hr, now=NOW)
    assert proposal.status == MentorshipStatus.ENDED and proposal.end_reason == "Replaced by 乙"
    assert first.status == MentorshipStatus.ACTIVE and first.created_by_id == hr.id
    assert first.replaces_id is None  # a proposal that never started is not "replaced"
    assert (_load(proposed), _load(chosen)) == (0, 1)

    second = services.assign(later, hire, actor=hr, now=NOW + 10 * DAY)
    assert first.status == MentorshipStatus.ENDED and first.ended_on == TODAY + 10 * DAY
    assert second.status == MentorshipStatus.ACTIVE and second.replaces_id == first.id
    assert [m.id for m in _rows(hire)] == [proposal.id, first.id, second.id]
    assert (_load(proposed), _load(chosen), _load(later)) == (0, 0, 1)


def test_assigning_the_proposed_mentor_accepts_the_proposal(mentors, hr):
    mentor = mentors.mentor()
    hire = mentors.new_hire()
    [proposal] = proposals.propose([hire.id], now=NOW).matched
    assert services.assign(mentor, hire, actor=hr, now=NOW) is proposal
    assert proposal.status == MentorshipStatus.ACTIVE and len(_rows(hire)) == 1
    assert _load(mentor) == 1
    with pytest.raises(MentorshipError, match="already assigned"):
        services.assign(mentor, hire, actor=hr, now=NOW)


def test_assign_refuses_ineligible_full_and_self(make, mentors, hr):
    hire = mentors.new_hire()
    not_mentor = make.employee(hire_date=dt.date(2020, 1, 1))
    on_plan = mentors.mentor(on_improvement_plan=True)
    too_new = mentors.mentor(hire_date=dt.date(2026, 6, 1))
    for person in (not_mentor, on_plan, too_new):
        with pytest.raises(MentorshipError, match="may not mentor") as error:
            services.assign(person, hire, actor=hr, now=NOW)
        assert error.value.field == "mentor"
    with pytest.raises(MentorshipError, match="themselves"):
        services.assign(hire, hire, actor=hr, now=NOW)

    full = mentors.mentor(name="满员")
    services.set_capacity(full, 1)
    services.assign(full, mentors.new_hire(), actor=hr, now=NOW)
    with pytest.raises(MentorshipError, match="no free place"):
        services.assign(full, hire, actor=hr, now=NOW)
    assert _load(full) == 1 and _rows(hire) == []


def test_a_refused_assignment_leaves_the_current_mentor(mentors, hr):
    current = mentors.mentor()
    hire = mentors.new_hire()
    active = services.assign(current, hire, actor=hr, now=NOW)
    full = mentors.mentor()
    services.set_capacity(full, 0)
    with pytest.raises(MentorshipError, match="no free place"):
        services.assign(full, hire, actor=hr, now=NOW)
    db.session.refresh(active)
    assert active.status == MentorshipStatus.ACTIVE and active.end_reason is None
    assert (_load(current), _load(full)) == (1, 0)

    other = mentors.mentor()
    with pytest.raises(MentorshipError, match="planned end") as error:
        services.assign(other, hire, actor=hr, now=NOW, planned_end_on=TODAY)
    assert error.value.field == "planned_end_on"
    assert [(m.id, m.status) for m in _rows(hire)] == [(active.id, MentorshipStatus.ACTIVE)]
    assert (_load(current), _load(other)) == (1, 0)
    assert notes("mentor_assigned", hire) == notes("mentor_assigned")[:1]


def test_one_active_and_one_proposed_onboarding_mentorship_per_mentee(mentors, hr):
    first, second = mentors.mentor(), mentors.mentor()
    hire = mentors.new_hire()
    services.assign(first, hire, actor=hr, now=NOW)
    db.session.commit()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            Mentorship(mentor_id=second.id, mentee_id=hire.id, status=MentorshipStatus.ACTIVE)
        )
        db.session.flush()
    db.session.add(Mentorship(mentor_id=second.id, mentee_id=hire.id))  # one proposal: allowed
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Mentorship(mentor_id=first.id, mentee_id=hire.id))
        db.session.flush()
    # other kinds of mentorship are not limited
    db.session.add(
        Mentorship(
            mentor_id=second.id,
            mentee_id=hire.id,
            kind=MentorshipKind.ROTATION,
            status=MentorshipStatus.ACTIVE,
        )
    )
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Mentorship(mentor_id=first.id, mentee_id=first.id))  # nobody's own
        db.session.flush()
    assert [(m.mentor_id, m.status) for m in _rows(hire)] == [
        (first.id, MentorshipStatus.ACTIVE),
        (second.id, MentorshipStatus.PROPOSED),
        (second.id, MentorshipStatus.ACTIVE),
    ]


# --- check-ins, pulse, rating ----------------------------------------------------------------


@pytest.fixture
def running(mentors, hr) -> Mentorship:
    return services.assign(mentors.mentor(), mentors.new_hire(), actor=hr, now=NOW)


def test_check_ins_fill_the_plan_in_order_then_are_extra(running):
    mentor = running.mentor
    for day in (7, 30, 60, 90):
        later = NOW + (day + 1) * DAY
        check_in = plan.log_check_in(running, actor=mentor, now=later, notes=f"第{day}天")
        assert (check_in.kind, check_in.day) == (CheckInKind.PLANNED, day)
        assert check_in.held_on == later.date() and check_in.logged_by_id == mentor.id
    extra = plan.log_check_in(running, actor=mentor, now=NOW + 95 * DAY, held_on=TODAY)
    assert (extra.kind, extra.day, extra.due_on, extra.held_on) == (
        CheckInKind.EXTRA,
        None,
        TODAY,
        TODAY,
    )
    assert len(running.check_ins) == 5 and all(c.held_on for c in running.check_ins)


def test_check_ins_are_not_logged_ahead_of_time_nor_before_the_start(running):
    mentor = running.mentor
    with pytest.raises(MentorshipError, match="ahead of time") as error:
        plan.log_check_in(running, actor=mentor, now=NOW, held_on=TODAY + DAY)
    assert error.value.field == "held_on"
    with pytest.raises(MentorshipError, match="before the mentorship started"):
        plan.log_check_in(running, actor=mentor, now=NOW, held_on=TODAY - DAY)
    with pytest.raises(MentorshipError, match="1 to 5"):
        plan.log_check_in(running, actor=mentor, now=NOW, pulse=6)
    assert all(c.held_on is None for c in running.check_ins)
    services.end(running, reason="调岗", now=NOW)
    with pytest.raises(MentorshipError, match="while the mentorship is active"):
        plan.log_check_in(running, actor=mentor, now=NOW)


def test_a_mentee_asks_for_one_check_in_at_a_time(running):
    first = plan.request_check_in(running, note=" 有问题 ", now=NOW + 2 * DAY)
    assert (first.kind, first.due_on, first.request_note) == (
        CheckInKind.REQUESTED,
        TODAY + 2 * DAY,
        "有问题",
    )
    assert [n.params for n in notes("check_in_requested", running.mentor)] == [
        {"mentee": running.mentee.name}
    ]
    with pytest.raises(MentorshipError, match="already"):
        plan.request_check_in(running, note="again", now=NOW + 3 * DAY)
    held = plan.log_check_in(running, actor=running.mentor, now=NOW + 3 * DAY)
    assert held is first  # the request, due before day 7, is the one held
    again = plan.request_check_in(running, note="还有", now=NOW + 4 * DAY)
    assert again is not first and len(notes("check_in_requested")) == 2


def test_no_check_in_request_unless_active(mentors, hr):
    mentors.mentor()
    [proposal] = proposals.propose([mentors.new_hire().id], now=NOW, assign=False).matched
    with pytest.raises(MentorshipError, match="not active"):
        plan.request_check_in(proposal, note="", now=NOW)


def test_pulse_is_one_to_five_on_a_check_in_that_took_place(running):
    planned = running.check_ins[0]
    with pytest.raises(MentorshipError, match="not taken place"):
        plan.record_pulse(planned, pulse=3, now=NOW)
    held = plan.log_check_in(running, actor=running.mentor, now=NOW + 8 * DAY)
    for bad in (0, 6, -1):
        with pytest.raises(MentorshipError, match="1 to 5"):
            plan.record_pulse(held, pulse=bad, now=NOW + 8 * DAY)
    plan.record_pulse(held, pulse=5, now=NOW + 9 * DAY)
    assert (held.pulse, held.pulse_at) == (5, NOW + 9 * DAY)
    db.session.commit()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(sa.update(CheckIn).where(CheckIn.id == held.id).values(pulse=9))
    assert db.session.scalar(sa.select(CheckIn.pulse).where(CheckIn.id == held.id)) == 5


def test_rating_once_after_the_end_one_to_five(running):
    with pytest.raises(MentorshipError, match="once it has ended"):
        services.rate(running, rating=5, comment=None, now=NOW)
    services.sign_off(running, actor=running.mentor, now=NOW + 90 * DAY)
    for bad in (0, 6):
        with pytest.raises(MentorshipError, match="1 to 5") as error:
            services.rate(running, rating=bad, comment=None, now=NOW + 91 * DAY)
        assert error.value.field == "rating"
    services.rate(running, rating=4, comment="  很耐心  ", now=NOW + 91 * DAY)
    assert (running.rating, running.rating_comment, running.rated_at) == (
        4,
        "很耐心",
        NOW + 91 * DAY,
    )
    with pytest.raises(MentorshipError, match="already"):
        services.rate(running, rating=5, comment=None, now=NOW + 92 * DAY)
    assert running.rating == 4
    db.session.commit()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.update(Mentorship).where(Mentorship.id == running.id).values(rating=6)
        )


def test_an_ended_mentorship_can_be_rated_a_proposal_cannot(mentors, hr):
    mentors.mentor()
    hire = mentors.new_hire()
    [proposal] = proposals.propose([hire.id], now=NOW).matched
    with pytest.raises(MentorshipError, match="once it has ended"):
        services.rate(proposal, rating=3, comment="", now=NOW)
    services.end(proposal, reason="不合适", now=NOW)
    services.rate(proposal, rating=2, comment="", now=NOW)
    assert proposal.rating == 2 and proposal.rating_comment is None
