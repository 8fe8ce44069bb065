"""HR's mentorship pages (matching board, mentor list, rules, outcomes) and the team lead's
list of their people's mentorships, through HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.mentorship import eligibility, proposals, services
from lms.mentorship.models import MentorProfile, Mentorship, MentorshipStatus
from tests.conftest import csrf_from
from tests.mentorship.conftest import NOW
from tests.test_query_counts import count_statements

pytestmark = pytest.mark.usefixtures("at_now")


def _post(client, page: str, url: str, data: dict | None = None):
    """Post a form the way the page would, with the page's CSRF token."""
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def _text(response) -> str:
    return response.get_data(as_text=True)


def _mentorships() -> list[Mentorship]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Mentorship).order_by(Mentorship.id)))


@pytest.fixture
def hr_client(hr, sign_in):
    return sign_in(hr)


# --- the matching board ---------------------------------------------------------------


def test_board_lists_an_unmatched_hire(make, mentors, hr_client):
    team = make.team("售后一组")
    mentor = mentors.mentor(team, name="老王")
    mentors.new_hire(team, name="小李", employee_no="N0001")
    page = _text(hr_client.get("/mentoring/board"))
    assert 'data-employee="N0001"' in page and "小李" in page
    assert "Propose mentors" in page
    assert f'data-mentor="{mentor.employee_no}"' in page  # the capacity table
    assert "0 / 3" in page


def test_board_empty_states_say_what_to_do(mentors, hr_client):
    page = _text(hr_client.get("/mentoring/board"))
    assert 'data-testid="hires-empty"' in page
    assert 'data-testid="proposals-empty"' in page
    assert 'data-testid="mentors-empty"' in page


def test_propose_creates_a_proposal_shown_with_reasons(make, mentors, hr_client):
    team = make.team("售后一组")
    mentor = mentors.mentor(team, name="老王")
    hire = mentors.new_hire(team, name="小李")
    mentors.new_hire(make.team(), name="小张")
    eligibility.set_default_capacity(eligibility.settings(), 1)  # one place: one stays unmatched
    response = _post(hr_client, "/mentoring/board", "/mentoring/board/propose")
    assert response.status_code == 302
    [proposal] = _mentorships()
    assert proposal.status == MentorshipStatus.PROPOSED
    assert (proposal.mentor_id, proposal.mentee_id) == (mentor.id, hire.id)
    page = _text(hr_client.get("/mentoring/board"))
    assert "1 proposals, 1 left unmatched (no eligible mentor with a free place)" in page
    assert f'data-proposal="{proposal.id}"' in page
    assert "Same team" in page and "Score" in page  # the reasons macro
    assert "No eligible mentor has a free place" in page  # 小张 waits for a place


def test_accept_activates_the_proposal(make, mentors, hr_client):
    team = make.team()
    mentors.mentor(team)
    hire = mentors.new_hire(team)
    [proposal] = proposals.propose([hire.id], now=NOW).matched
    response = _post(hr_client, "/mentoring/board", f"/mentoring/{proposal.id}/accept")
    assert response.status_code == 302
    [mentorship] = _mentorships()
    assert mentorship.status == MentorshipStatus.ACTIVE
    assert mentorship.started_on == NOW.date() and len(mentorship.check_ins) == 4
    page = _text(hr_client.get("/mentoring/board"))
    assert "now mentors" in page and 'data-testid="proposals-empty"' in page


def test_accept_twice_is_refused_with_a_message(make, mentors, hr_client):
    team = make.team()
    mentors.mentor(team)
    hire = mentors.new_hire(team)
    [proposal] = proposals.propose([hire.id], now=NOW).matched
    services.activate(proposal, actor=None, now=NOW)
    response = _post(hr_client, "/mentoring/board", f"/mentoring/{proposal.id}/accept")
    assert response.status_code == 302
    assert "Only a proposal can be accepted." in _text(hr_client.get("/mentoring/board"))


def test_accept_all_accepts_the_proposals_shown(make, mentors, hr_client):
    team = make.team()
    mentors.mentor(team)
    hires = [mentors.new_hire(team) for _ in range(2)]
    proposals.propose([h.id for h in hires], now=NOW)
    page = _text(hr_client.get("/mentoring/board"))
    ids = [str(m.id) for m in _mentorships()]
    response = hr_client.post(
        "/mentoring/board/accept-all", data={"csrf_token": csrf_from(page), "proposal": ids}
    )
    assert response.status_code == 302
    assert [m.status for m in _mentorships()] == [MentorshipStatus.ACTIVE] * 2


def test_override_assigns_another_mentor_and_the_proposal_ends(make, mentors, hr_client):
    team = make.team()
    first = mentors.mentor(team, name="老王")
    other = mentors.mentor(make.team(), name="老赵")
    hire = mentors.new_hire(team, employee_no="N0007")
    [proposal] = proposals.propose([hire.id], now=NOW).matched
    assert proposal.mentor_id == first.id
    page = _text(hr_client.get("/mentoring/board"))
    assert f'<option value="{other.id}">' in page  # the override select
    response = hr_client.post(
        "/mentoring/board/assign",
        data={"csrf_token": csrf_from(page), "mentee": "N0007", "mentor": str(other.id)},
    )
    assert response.status_code == 302
    old, new = _mentorships()
    assert old.status == MentorshipStatus.ENDED and old.end_reason
    assert (new.mentor_id, new.status) == (other.id, MentorshipStatus.ACTIVE)
    assert db.session.get(MentorProfile, first.id).load == 0
    assert db.session.get(MentorProfile, other.id).load == 1


def test_override_with_an_ineligible_mentor_shows_the_message(make, mentors, hr_client):
    hire = mentors.new_hire(make.team(), employee_no="N0008")
    nobody = make.employee(name="新人甲", hire_date=dt.date(2026, 6, 1))
    _post(
        hr_client,
        "/mentoring/board",
        "/mentoring/board/assign",
        {"mentee": hire.employee_no, "mentor": str(nobody.id)},
    )
    assert "may not mentor now" in _text(hr_client.get("/mentoring/board"))
    assert _mentorships() == []


def test_non_hr_gets_403_on_hr_pages(make, mentors, sign_in):
    lead = make.employee("lead", roles={"supervisor", "mentor"})
    client = sign_in(lead)
    for url in ("/mentoring/board", "/mentoring/eligibility", "/mentoring/settings"):
        assert client.get(url).status_code == 403, url
    assert client.get("/mentoring/outcomes").status_code == 403
    assert _post(client, "/", "/mentoring/board/propose").status_code == 403


def test_board_statements_do_not_grow_with_hires_and_mentors(make, mentors, hr_client):
    posts = [make.post() for _ in range(2)]
    teams = [make.team() for _ in range(3)]

    def populate(n: int) -> None:
        for i in range(n):
            mentors.mentor(teams[i % 3], post=posts[i % 2])
        hires = [mentors.new_hire(teams[i % 3], post=posts[i % 2]) for i in range(n)]
        proposals.propose([h.id for h in hires[: n // 2 + 1]], now=NOW)

    def measure() -> int:
        with count_statements() as statements:
            assert hr_client.get("/mentoring/board").status_code == 200
        return len(statements)

    populate(3)
    small = measure()
    populate(12)
    assert measure() == small
    assert small <= 20


# --- eligibility and capacity ---------------------------------------------------------


def test_eligibility_lists_mentors_with_a_tick_per_rule(make, mentors, hr_client):
    ok = mentors.mentor(name="合格导师")
    planned = mentors.mentor(name="改进计划中", on_improvement_plan=True)
    page = _text(hr_client.get("/mentoring/eligibility"))
    assert ok.name in page and planned.name in page
    row = page.split(f'data-mentor="{planned.employee_no}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-rule="no_plan"' in row
    assert row.split('data-rule="no_plan"', 1)[1].split("</td>")[0].count('data-check="no"') == 1
    assert "Not eligible" in row


def test_capacity_is_saved_and_reset(make, mentors, hr_client):
    mentor = mentors.mentor()
    url = f"/mentoring/eligibility/{mentor.employee_no}/capacity"
    _post(hr_client, "/mentoring/eligibility", url, {"capacity": "5", "action": "save"})
    db.session.expire_all()
    assert db.session.get(MentorProfile, mentor.id).capacity == 5
    assert "(own)" in _text(hr_client.get("/mentoring/eligibility"))
    _post(hr_client, "/mentoring/eligibility", url, {"capacity": "5", "action": "reset"})
    db.session.expire_all()
    profile = db.session.get(MentorProfile, mentor.id)
    assert (profile.capacity, profile.capacity_limit) == (None, 3)


def test_capacity_below_the_load_is_refused_with_the_message(make, mentors, hr_client):
    team = make.team()
    mentor = mentors.mentor(team, name="老王")
    hires = [mentors.new_hire(team) for _ in range(2)]
    proposals.propose([h.id for h in hires], now=NOW)
    url = f"/mentoring/eligibility/{mentor.employee_no}/capacity"
    response = _post(hr_client, "/mentoring/eligibility", url, {"capacity": "1", "action": "save"})
    assert response.status_code == 302
    page = _text(hr_client.get("/mentoring/eligibility"))
    assert "老王 has 2 mentees now" in page
    db.session.expire_all()
    assert db.session.get(MentorProfile, mentor.id).capacity_limit == 3


def test_capacity_needs_a_number(make, mentors, hr_client):
    mentor = mentors.mentor()
    url = f"/mentoring/eligibility/{mentor.employee_no}/capacity"
    _post(hr_client, "/mentoring/eligibility", url, {"capacity": "", "action": "save"})
    assert "Give a number of places" in _text(hr_client.get("/mentoring/eligibility"))
    _post(hr_client, "/mentoring/eligibility", url, {"capacity": "99", "action": "save"})
    assert "between 0 and 50" in _text(hr_client.get("/mentoring/eligibility"))


# --- the rules ------------------------------------------------------------------------


def _settings_form(**changes) -> dict:
    data = {
        "min_tenure_months": "12",
        "required_course": "",
        "default_capacity": "3",
        "onboarding_days": "90",
        "checkin_days": "7, 30, 60, 90",
        "weight_team": "30",
        "weight_post": "15",
        "weight_shift": "20",
        "weight_load": "20",
        "weight_results": "15",
        "action": "save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_settings_form_saves_weights(mentors, hr_client):
    page = _text(hr_client.get("/mentoring/settings"))
    assert 'value="7, 30, 60, 90"' in page
    form = _settings_form(weight_team="80", weight_results="0", checkin_days="14，45、7")
    response = _post(hr_client, "/mentoring/settings", "/mentoring/settings", form)
    assert response.status_code == 302
    db.session.expire_all()
    rules = eligibility.settings()
    assert rules.weights == {"team": 80, "post": 15, "shift": 20, "load": 20, "results": 0}
    assert rules.checkin_days == [7, 14, 45]
    assert "The mentoring rules have been saved." in _text(hr_client.get("/mentoring/settings"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"checkin_days": "7, thirty"}, "Write whole days separated by commas"),
        ({"checkin_days": "0, 30"}, "Check-in days start at day 1."),
        ({"checkin_days": "7, 120"}, "Check-in days are between 1 and the length of onboarding."),
        ({"checkin_days": ""}, "Write whole days separated by commas"),
        ({"weight_load": "101"}, "between 0 and 100"),
    ],
)
def test_settings_form_refuses_bad_check_in_days_and_weights(mentors, hr_client, changes, message):
    form = _settings_form(weight_team="99", **changes)
    response = _post(hr_client, "/mentoring/settings", "/mentoring/settings", form)
    assert response.status_code == 200
    assert message in _text(response)
    db.session.expire_all()
    assert eligibility.settings().weights["team"] == 30  # nothing saved


def test_preview_shows_the_eligible_count_without_saving(make, mentors, hr_client):
    mentors.mentor(name="老导师", hire_date=dt.date(2020, 1, 1))
    mentors.mentor(name="新导师", hire_date=dt.date(2025, 1, 1))  # 20 months at NOW
    form = _settings_form(min_tenure_months="24", action="preview")
    response = _post(hr_client, "/mentoring/settings", "/mentoring/settings", form)
    assert response.status_code == 200
    page = _text(response)
    assert "Now: 2 of the 2 people on the mentor list may mentor." in page
    assert "Under these rules: 1 of 2." in page
    lost = page.split("Would no longer be eligible", 1)[1].split("</ul>", 1)[0]
    assert "新导师" in lost and "老导师" not in lost
    assert 'value="24"' in page  # the form keeps what was entered
    db.session.expire_all()
    assert eligibility.settings().min_tenure_months == 12


def test_settings_keep_a_required_course(make, mentors, hr_client):
    from tests.courses.conftest import CatalogueFactory

    course = CatalogueFactory().course("mentor-training", lessons=1)
    page = _text(hr_client.get("/mentoring/settings"))
    assert f'<option value="{course.id}">' in page
    form = _settings_form(required_course=str(course.id))
    _post(hr_client, "/mentoring/settings", "/mentoring/settings", form)
    db.session.expire_all()
    assert eligibility.settings().required_course_id == course.id


# --- outcomes -------------------------------------------------------------------------


def _finished(mentor, mentee, status, days: int, rating=None, comment=None) -> Mentorship:
    started = NOW.date() - dt.timedelta(days=100)
    row = Mentorship(
        mentor_id=mentor.id,
        mentee_id=mentee.id,
        status=status,
        proposed_at=NOW - dt.timedelta(days=101),
        started_on=started,
        planned_end_on=started + dt.timedelta(days=90),
        ended_on=started + dt.timedelta(days=days),
        rating=rating,
        rating_comment=comment,
        rated_at=NOW if rating else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_outcomes_for_a_small_known_set(make, mentors, hr_client):
    mentor = mentors.mentor(name="老王")
    hires = [make.employee() for _ in range(3)]
    _finished(mentor, hires[0], MentorshipStatus.COMPLETED, 60, 4, "很有帮助")
    _finished(mentor, hires[1], MentorshipStatus.COMPLETED, 80, 5)
    _finished(mentor, hires[2], MentorshipStatus.ENDED, 20)
    page = _text(hr_client.get("/mentoring/outcomes"))
    assert 'data-testid="completion-rate">67%<' in page
    assert 'data-testid="average-rating">4.5<' in page
    assert 'data-testid="median-days">70 days<' in page
    assert 'data-testid="active-count">0<' in page
    row = page.split(f'data-mentor-id="{mentor.id}"', 1)[1].split("</tr>", 1)[0]
    assert "老王" in row and "67%" in row and "4.5" in row
    assert "很有帮助" in page  # HR reads the comments


def test_outcomes_empty(mentors, hr_client):
    page = _text(hr_client.get("/mentoring/outcomes"))
    assert 'data-testid="outcomes-empty"' in page and "No ratings yet" in page


# --- the team lead's list -------------------------------------------------------------


def test_team_lead_sees_only_their_teams_mentorships_and_no_rating(make, mentors, sign_in):
    lead = make.employee("lead", roles={"supervisor"})
    mine, theirs = make.team(lead=lead), make.team()
    mentor = mentors.mentor(theirs, name="老王")
    own_hire = mentors.new_hire(mine, name="我的新人")
    other_hire = mentors.new_hire(theirs, name="别人的新人")
    done = make.employee(team=mine, name="已结束的新人")
    own = services.assign(mentor, own_hire, actor=None, now=NOW)
    services.assign(mentor, other_hire, actor=None, now=NOW)
    _finished(mentor, done, MentorshipStatus.COMPLETED, 80, 2, "不太满意的评论")
    client = sign_in(lead)
    page = _text(client.get("/mentoring/team"))
    assert "我的新人" in page and "别人的新人" not in page
    assert "已结束的新人" not in page  # past ones only when asked for
    page = _text(client.get("/mentoring/team?show=all"))
    assert "我的新人" in page and "已结束的新人" in page and "别人的新人" not in page
    assert "不太满意的评论" not in page and "★" not in page and "Rating" not in page
    assert "End early" not in page  # ending is HR's
    assert _post(client, "/", f"/mentoring/{own.id}/end", {"reason": "x"}).status_code == 403
    assert client.get("/mentoring/board").status_code == 403


def test_team_page_shows_progress_and_at_risk_badges(make, mentors, hr_client):
    team = make.team()
    mentor = mentors.mentor(team)
    hire = mentors.new_hire(team, name="小李")
    hire.created_at = NOW - dt.timedelta(days=30)  # and has never signed in
    mentorship = services.assign(mentor, hire, actor=None, now=NOW - dt.timedelta(days=30))
    page = _text(hr_client.get("/mentoring/team"))
    row = page.split(f'data-mentorship="{mentorship.id}"', 1)[1].split("</tr>", 1)[0]
    assert "小李" in row and "No check-in" in row and "Not signing in" in row
    assert "No training assigned" in row
    assert "End early" in row  # HR may end it


def test_hr_ends_a_mentorship_early_with_a_reason(make, mentors, hr_client):
    team = make.team()
    mentor = mentors.mentor(team)
    mentorship = services.assign(mentor, mentors.new_hire(team), actor=None, now=NOW)
    url = f"/mentoring/{mentorship.id}/end"
    _post(hr_client, "/mentoring/team", url, {"reason": "  "})
    assert "Give a reason for ending the mentorship." in _text(hr_client.get("/mentoring/team"))
    assert _mentorships()[0].status == MentorshipStatus.ACTIVE
    _post(hr_client, "/mentoring/team", url, {"reason": "调岗"})
    [ended] = _mentorships()
    assert (ended.status, ended.end_reason) == (MentorshipStatus.ENDED, "调岗")
    assert db.session.get(MentorProfile, mentor.id).load == 0
    assert _post(hr_client, "/mentoring/team", "/mentoring/999999/end").status_code == 404
