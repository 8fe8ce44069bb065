"""The mentor's dashboard and mentee page, and the new hire's page about their mentor."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from assessments import attempts
from courses.enrolment import enrol
from lms import clock
from lms.extensions import db
from lms.mentorship import plan, services
from lms.mentorship.models import CheckIn, Mentorship, MentorshipGoal, MentorshipStatus
from lms.organisation.models import EmployeeStatus
from tests.assessments.conftest import QuizFactory, essay
from tests.conftest import csrf_token, login
from tests.courses.conftest import CatalogueFactory
from tests.mentorship.conftest import NOW
from tests.test_query_counts import count_statements

LATER = NOW + dt.timedelta(days=10)


@pytest.fixture
def pair(make, mentors, at_now):
    """A mentor and a new hire in the same team (led by a team lead), assigned at NOW."""
    lead = make.employee("lead", roles={"supervisor"})
    team = make.team("售后一组", lead=lead)
    mentor = mentors.mentor(team, username="mentor", name="王导师", phone="13800000001")
    hire = mentors.new_hire(team, username="hire", name="李新人")
    mentorship = services.assign(mentor, hire, actor=None, now=NOW)
    db.session.flush()
    return mentor, hire, mentorship


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_dashboard_lists_mentees_with_their_signals(client, sign_in, pair):
    mentor, hire, mentorship = pair
    plan.log_check_in(mentorship, actor=mentor, now=NOW, notes="第一次", pulse=2)
    sign_in(mentor)
    with clock.frozen(LATER):
        html = _page(client, "/mentoring")
    assert 'data-mentee="' + hire.employee_no + '"' in html
    assert f"/mentoring/mentees/{hire.employee_no}" in html
    assert "Low pulse" in html and "Not signing in" in html
    assert "2/5" in html
    assert "No mentees yet" not in html
    assert 'data-testid="grading-card"' in html


def test_dashboard_empty_state_and_past_mentees(client, sign_in, make, mentors, pair):
    mentor, hire, mentorship = pair
    services.sign_off(mentorship, actor=mentor, now=NOW)
    sign_in(mentor)
    html = _page(client, "/mentoring")
    assert "No mentees yet: HR assigns new hires to you from the matching board" in html
    assert 'data-testid="past-mentees"' in html and hire.name in html


def test_dashboard_grading_card_shows_mentees_answers_only(client, sign_in, make, pair):
    mentor, hire, _mentorship = pair
    outsider = make.employee(team=hire.team)  # in the mentor's team, but not a mentee
    quiz = QuizFactory().quiz(definitions=[essay(1)])
    answered = {}
    for person in (hire, outsider):
        attempt = attempts.start(quiz, person, now=NOW)
        attempts.save_answer(attempt.id, person, 1, "您好，我理解您的心情。", sequence=1, now=NOW)
        attempts.submit(attempt.id, person, now=NOW)
        answered[person.id] = attempt.answers[0].id
    sign_in(mentor)
    html = _page(client, "/mentoring")
    assert f"/grading/answers/{answered[hire.id]}" in html
    assert f"/grading/answers/{answered[outsider.id]}" not in html


def test_another_mentor_gets_404(client, sign_in, mentors, pair):
    _mentor, hire, mentorship = pair
    other = mentors.mentor(username="other")
    sign_in(other)
    assert client.get(f"/mentoring/mentees/{hire.employee_no}").status_code == 404
    assert hire.name not in _page(client, "/mentoring")
    token = csrf_token(client, "/mentoring")
    for path in ("check-ins", "goals", "sign-off"):
        response = client.post(
            f"/mentoring/{mentorship.id}/{path}", data={"title": "x", "csrf_token": token}
        )
        assert response.status_code == 404, path
    assert db.session.get(Mentorship, mentorship.id).status == MentorshipStatus.ACTIVE


def test_the_mentee_and_strangers_get_404(client, sign_in, make, pair):
    _mentor, hire, _mentorship = pair
    sign_in(hire)
    assert client.get(f"/mentoring/mentees/{hire.employee_no}").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    lead_elsewhere = make.employee("elsewhere", roles={"supervisor"})
    sign_in(lead_elsewhere)
    assert client.get(f"/mentoring/mentees/{hire.employee_no}").status_code == 404


def _completed_and_rated(pair):
    mentor, _hire, mentorship = pair
    plan.log_check_in(mentorship, actor=mentor, now=NOW, notes="沟通顺畅", actions="多练习")
    services.sign_off(mentorship, actor=mentor, now=NOW)
    services.rate(mentorship, rating=4, comment="很有帮助", now=NOW)


def test_team_lead_sees_notes_but_not_the_rating(client, sign_in, pair):
    _completed_and_rated(pair)
    _mentor, hire, _mentorship = pair
    sign_in(db.session.scalar(sa.select(type(hire)).where(type(hire).username == "lead")))
    html = _page(client, f"/mentoring/mentees/{hire.employee_no}")
    assert "沟通顺畅" in html and "多练习" in html
    assert "很有帮助" not in html and 'data-testid="rating"' not in html


def test_the_mentor_never_sees_the_rating(client, sign_in, pair):
    _completed_and_rated(pair)
    mentor, hire, _mentorship = pair
    sign_in(mentor)
    html = _page(client, f"/mentoring/mentees/{hire.employee_no}")
    assert "沟通顺畅" in html
    assert "很有帮助" not in html and 'data-testid="rating"' not in html


def test_hr_sees_the_rating(client, sign_in, make, pair):
    _completed_and_rated(pair)
    _mentor, hire, _mentorship = pair
    sign_in(make.employee("hr", roles={"hr"}))
    html = _page(client, f"/mentoring/mentees/{hire.employee_no}")
    assert "很有帮助" in html and "4/5" in html


def test_mentor_logs_a_check_in_with_a_pulse(client, sign_in, pair):
    mentor, hire, mentorship = pair
    sign_in(mentor)
    url = f"/mentoring/mentees/{hire.employee_no}"
    token = csrf_token(client, url)
    with clock.frozen(LATER):
        response = client.post(
            f"/mentoring/{mentorship.id}/check-ins",
            data={
                "csrf_token": token,
                "held_on": "2026-09-08",
                "notes": "熟悉了退换货流程",
                "actions": "下周练习投诉处理",
                "pulse": "4",
            },
        )
        assert response.status_code == 302 and response.location.endswith(url)
        html = _page(client, url)
    assert "熟悉了退换货流程" in html and "下周练习投诉处理" in html and "4/5" in html
    check_in = db.session.scalar(sa.select(CheckIn).where(CheckIn.held_on.is_not(None)))
    assert (check_in.day, check_in.held_on, check_in.pulse) == (7, dt.date(2026, 9, 8), 4)
    assert check_in.logged_by_id == mentor.id


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"held_on": "2026-09-08", "pulse": "9"}, "Not a valid choice"),
        ({"held_on": "2026-12-31", "pulse": ""}, "A check-in cannot be logged ahead of time."),
        ({"held_on": "2026-08-01", "pulse": "3"}, "This is before the mentorship started."),
        ({"held_on": "", "pulse": "3"}, "This field is required."),
    ],
)
def test_bad_check_in_re_renders_with_the_error(client, sign_in, pair, values, message):
    mentor, hire, mentorship = pair
    sign_in(mentor)
    token = csrf_token(client, f"/mentoring/mentees/{hire.employee_no}")
    with clock.frozen(LATER):
        response = client.post(
            f"/mentoring/{mentorship.id}/check-ins",
            data={"csrf_token": token, "notes": "备注", **values},
        )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and 'data-testid="check-in-form"' in html
    assert "备注" in html  # what was typed is kept
    assert (
        db.session.scalar(sa.select(sa.func.count(CheckIn.id)).where(CheckIn.held_on.is_not(None)))
        == 0
    )


def test_goals_added_and_marked_done(client, sign_in, pair):
    mentor, hire, mentorship = pair
    sign_in(mentor)
    url = f"/mentoring/mentees/{hire.employee_no}"
    token = csrf_token(client, url)
    response = client.post(
        f"/mentoring/{mentorship.id}/goals",
        data={"csrf_token": token, "title": "独立处理退款", "due_on": "2026-10-01"},
    )
    assert response.status_code == 302
    goal = db.session.scalar(sa.select(MentorshipGoal))
    assert goal.title == "独立处理退款" and goal.due_on == dt.date(2026, 10, 1)
    assert "独立处理退款" in _page(client, url)
    empty = client.post(f"/mentoring/{mentorship.id}/goals", data={"csrf_token": token})
    assert empty.status_code == 400 and "This field is required." in empty.get_data(as_text=True)
    done = client.post(
        f"/mentoring/goals/{goal.id}/status", data={"csrf_token": token, "status": "done"}
    )
    assert done.status_code == 302
    db.session.refresh(goal)
    assert goal.status == "done" and goal.completed_at is not None
    bad = client.post(
        f"/mentoring/goals/{goal.id}/status", data={"csrf_token": token, "status": "won"}
    )
    assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)
    assert (
        client.post("/mentoring/goals/999999/status", data={"csrf_token": token}).status_code == 404
    )


def test_sign_off_makes_the_mentee_active_and_the_record_read_only(client, sign_in, pair):
    mentor, hire, mentorship = pair
    sign_in(mentor)
    url = f"/mentoring/mentees/{hire.employee_no}"
    html = _page(client, url)
    assert "Sign off onboarding" in html
    token = csrf_token(client, url)
    response = client.post(f"/mentoring/{mentorship.id}/sign-off", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.refresh(hire)
    db.session.refresh(mentorship)
    assert hire.status == EmployeeStatus.ACTIVE
    assert mentorship.status == MentorshipStatus.COMPLETED

    html = _page(client, url)
    assert 'data-testid="check-in-form"' not in html and "Sign off onboarding" not in html
    assert "read-only" in html
    goal = MentorshipGoal(mentorship_id=mentorship.id, title="旧目标")
    db.session.add(goal)
    db.session.flush()
    for path, data in [
        (f"/mentoring/{mentorship.id}/check-ins", {"held_on": "2026-09-01"}),
        (f"/mentoring/{mentorship.id}/goals", {"title": "新目标"}),
        (f"/mentoring/goals/{goal.id}/status", {"status": "done"}),
        (f"/mentoring/{mentorship.id}/sign-off", {}),
    ]:
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 404, path


def test_sign_off_without_the_token_re_renders(client, sign_in, pair):
    mentor, hire, mentorship = pair
    sign_in(mentor)
    response = client.post(f"/mentoring/{mentorship.id}/sign-off", data={})
    assert response.status_code == 400
    db.session.refresh(mentorship)
    assert mentorship.status == MentorshipStatus.ACTIVE


# --- the new hire -------------------------------------------------------------------------


def test_no_mentor_yet(client, sign_in, make, at_now):
    sign_in(make.employee("alone"))
    html = _page(client, "/my-mentor")
    assert "HR assigns you a mentor" in html
    assert 'data-testid="my-mentor-card"' not in _page(client, "/")


def test_new_hire_sees_the_mentor_and_asks_for_a_check_in_once(client, sign_in, pair):
    mentor, hire, mentorship = pair
    sign_in(hire)
    home = _page(client, "/")
    assert 'data-testid="my-mentor-card"' in home and "王导师" in home
    html = _page(client, "/my-mentor")
    assert "王导师" in html and "13800000001" in html and "售后一组" in html
    token = csrf_token(client, "/my-mentor")
    first = client.post("/my-mentor/request", data={"csrf_token": token, "note": "想聊聊排班"})
    assert first.status_code == 302
    html = _page(client, "/my-mentor")
    assert 'data-testid="request-pending"' in html
    requested = db.session.scalar(sa.select(CheckIn).where(CheckIn.kind == "requested"))
    assert requested.request_note == "想聊聊排班"
    second = client.post("/my-mentor/request", data={"csrf_token": token, "note": "再问一次"})
    assert second.status_code == 400
    assert "You have asked for a check-in already" in second.get_data(as_text=True)
    assert (
        db.session.scalar(sa.select(sa.func.count(CheckIn.id)).where(CheckIn.kind == "requested"))
        == 1
    )


def test_pulse_on_a_held_check_in_only_by_the_mentee(client, sign_in, make, pair):
    mentor, hire, mentorship = pair
    check_in = plan.log_check_in(mentorship, actor=mentor, now=NOW, actions="多听录音")
    planned = next(c for c in mentorship.check_ins if c.held_on is None)
    sign_in(hire)
    html = _page(client, "/my-mentor")
    assert "多听录音" in html and "How are you doing? 1-5" in html
    token = csrf_token(client, "/my-mentor")
    response = client.post(
        f"/my-mentor/check-ins/{check_in.id}/pulse", data={"csrf_token": token, "pulse": "2"}
    )
    assert response.status_code == 302
    db.session.refresh(check_in)
    assert check_in.pulse == 2
    bad = client.post(
        f"/my-mentor/check-ins/{check_in.id}/pulse", data={"csrf_token": token, "pulse": "7"}
    )
    assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)
    not_held = client.post(
        f"/my-mentor/check-ins/{planned.id}/pulse", data={"csrf_token": token, "pulse": "3"}
    )
    assert not_held.status_code == 400
    assert "This check-in has not taken place yet." in not_held.get_data(as_text=True)

    client.post("/logout", data={"csrf_token": token})
    sign_in(mentor)
    token = csrf_token(client, "/mentoring")
    response = client.post(
        f"/my-mentor/check-ins/{check_in.id}/pulse", data={"csrf_token": token, "pulse": "5"}
    )
    assert response.status_code == 404


def test_rating_after_completion_once_and_only_by_the_mentee(client, sign_in, pair):
    mentor, hire, mentorship = pair
    sign_in(hire)
    assert 'data-testid="rate"' not in _page(client, "/my-mentor")
    token = csrf_token(client, "/my-mentor")
    early = client.post(
        f"/my-mentor/{mentorship.id}/rate", data={"csrf_token": token, "rating": "5"}
    )
    assert early.status_code == 400
    assert "You can rate a mentorship once it has ended." in early.get_data(as_text=True)

    services.sign_off(mentorship, actor=mentor, now=NOW)
    html = _page(client, "/my-mentor")
    assert 'data-testid="rate"' in html and "your mentor does not" in html
    assert "HR assigns you a mentor" in html  # no active mentor any more
    missing = client.post(f"/my-mentor/{mentorship.id}/rate", data={"csrf_token": token})
    assert missing.status_code == 400
    response = client.post(
        f"/my-mentor/{mentorship.id}/rate",
        data={"csrf_token": token, "rating": "5", "comment": "耐心细致"},
    )
    assert response.status_code == 302
    db.session.refresh(mentorship)
    assert (mentorship.rating, mentorship.rating_comment) == (5, "耐心细致")
    assert 'data-testid="rate"' not in _page(client, "/my-mentor")

    client.post("/logout", data={"csrf_token": token})
    sign_in(mentor)
    token = csrf_token(client, "/mentoring")
    stranger = client.post(
        f"/my-mentor/{mentorship.id}/rate", data={"csrf_token": token, "rating": "1"}
    )
    assert stranger.status_code == 404


# --- statement counts ---------------------------------------------------------------------


def _more_mentees(make, mentors, mentor, team, count: int, course) -> None:
    for _ in range(count):
        hire = mentors.new_hire(team)
        mentorship = services.assign(mentor, hire, actor=None, now=NOW)
        plan.log_check_in(mentorship, actor=mentor, now=NOW, notes="好", pulse=3)
        plan.add_goal(mentorship, title="目标", due_on=None, now=NOW)
        enrol(hire, course, now=NOW, due_on=dt.date(2026, 9, 20))


def test_dashboard_statements_do_not_grow_with_mentees(app, make, mentors, at_now):
    team = make.team()
    mentor = mentors.mentor(team, username="mentor")
    services.set_capacity(mentor, 20)
    course = CatalogueFactory().course()
    _more_mentees(make, mentors, mentor, team, 3, course)
    db.session.commit()
    client = app.test_client()
    login(client, "mentor")

    def measure() -> int:
        with count_statements() as statements:
            html = _page(client, "/mentoring")
        assert html.count("data-mentee=") >= 3
        return len(statements)

    measure()
    small = measure()
    _more_mentees(make, mentors, mentor, team, 9, course)
    db.session.commit()
    large = measure()
    assert large == small, f"{small} statements with 3 mentees, {large} with 12"


def test_mentee_page_statements_do_not_grow_with_check_ins(client, sign_in, pair):
    mentor, hire, mentorship = pair
    sign_in(mentor)
    url = f"/mentoring/mentees/{hire.employee_no}"

    def measure() -> int:
        with count_statements() as statements:
            _page(client, url)
        return len(statements)

    plan.log_check_in(mentorship, actor=mentor, now=NOW, notes="一")
    plan.add_goal(mentorship, title="目标一", due_on=None, now=NOW)
    measure()
    small = measure()
    for n in range(6):
        plan.log_check_in(mentorship, actor=mentor, now=NOW, notes=f"第{n}次", pulse=4)
        plan.add_goal(mentorship, title=f"目标{n}", due_on=None, now=NOW)
    large = measure()
    assert large == small, f"{small} statements, then {large}"


def test_check_in_notes_reach_the_mentee_but_no_colleague(client, sign_in, make, pair):
    mentor, hire, mentorship = pair
    plan.log_check_in(mentorship, actor=mentor, now=NOW, notes="私下沟通的情况", actions="多练习")
    colleague = make.employee("colleague", team=hire.team, roles={"mentor"})
    sign_in(hire)
    assert "私下沟通的情况" in _page(client, "/my-mentor")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    sign_in(colleague)  # same team, a mentor too, but not this mentee's
    assert "私下沟通的情况" not in _page(client, "/my-mentor")
    assert client.get(f"/mentoring/mentees/{hire.employee_no}").status_code == 404
    assert "私下沟通的情况" not in _page(client, "/mentoring")
