"""Each requirement kind against its edge cases: met, partly met, not met, with the evidence
and the months to close (evaluated through ``readiness.evaluate``, in English)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale

from lms.career import readiness
from lms.career.readiness import Status
from lms.extensions import db
from lms.organisation.models import PostChange
from tests.career import factories as cf

TODAY = dt.date(2026, 11, 15)
AUG, SEP, OCT, NOV = (cf.month(TODAY, k) for k in (-3, -2, -1, 0))


@pytest.fixture
def posts(make):
    return make.post("客服专员", level=1), make.post("客服组长", level=3)


@pytest.fixture
def person(make, posts):
    return make.employee(post=posts[0], hire_date=dt.date(2024, 3, 1), name="李娜")


def judge(person, posts, kind, **fields):
    """The one finding of a step holding one requirement."""
    step = cf.step(person.post, cf.post(level=2))
    cf.requirement(step, kind, **fields)
    with force_locale("en"):
        found = readiness.evaluate([(person.id, step.id)], TODAY)[(person.id, step.id)]
    assert len(found.findings) == 1
    return found.findings[0]


def assert_met(finding):
    assert finding.status == Status.MET
    assert finding.progress == 1.0 and finding.months_to_close == 0


# --- course ----------------------------------------------------------------------------


def test_course_not_enrolled_enrolled_and_completed(make, posts, person):
    course = cf.course("投诉处理", "Complaint Handling", lessons=2)
    finding = judge(person, posts, "course", course=course)
    assert finding.status == Status.NOT_MET and finding.progress == 0.0
    assert finding.label == "Course 《Complaint Handling》 completed"
    assert finding.evidence == "Not enrolled yet"
    assert finding.course_id == course.id and finding.months_to_close == 1

    other = make.employee(post=posts[0])
    cf.enrol(other, course, lessons_done=1)
    half = judge(other, posts, "course", course=course)
    assert half.status == Status.PARTLY and half.progress == 0.5
    assert half.evidence == "Enrolled: 1 of 2 lessons done"

    third = make.employee(post=posts[0])
    cf.enrol(third, course, lessons_done=2)
    done = judge(third, posts, "course", course=course)
    assert_met(done)
    assert done.evidence.startswith("Completed on ")


def test_course_enrolled_not_started_is_partly_met(posts, person):
    course = cf.course(lessons=3)
    cf.enrol(person, course)
    finding = judge(person, posts, "course", course=course)
    assert finding.status == Status.PARTLY and 0 < finding.progress < 0.5
    assert finding.evidence == "Enrolled, not started yet"


# --- certification ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires_on", "status", "evidence"),
    [
        (TODAY - dt.timedelta(days=1), Status.NOT_MET, "Expired on Nov 14, 2026"),
        (TODAY, Status.NOT_MET, "Expired on Nov 15, 2026"),  # no longer valid from this day
        (TODAY + dt.timedelta(days=1), Status.MET, "Valid until Nov 15, 2026"),  # last day
        (TODAY + dt.timedelta(days=2), Status.MET, "Valid until Nov 16, 2026"),  # tomorrow
    ],
)
def test_certification_validity_by_date(posts, person, expires_on, status, evidence):
    certification = cf.certification("客服认证", "Service Certification")
    cf.hold(person, certification, certified_on=dt.date(2025, 11, 1), expires_on=expires_on)
    finding = judge(person, posts, "certification", certification=certification)
    assert finding.status == status
    assert finding.evidence == evidence
    assert finding.label == "Certification 《Service Certification》 held and valid"
    assert finding.certification_id == certification.id
    assert finding.months_to_close == (0 if status == Status.MET else 2)


def test_certification_assigned_is_partly_met_and_none_is_not(make, posts, person):
    certification = cf.certification()
    cf.hold(person, certification, certified_on=None, expires_on=None)
    assigned = judge(person, posts, "certification", certification=certification)
    assert assigned.status == Status.PARTLY and assigned.progress == 0.5
    assert assigned.evidence == "Assigned, not certified yet"
    stranger = make.employee(post=posts[0])
    none = judge(stranger, posts, "certification", certification=certification)
    assert none.status == Status.NOT_MET and none.evidence == "Not held"


# --- tenure ----------------------------------------------------------------------------


def test_tenure_counts_from_the_hire_date_without_a_post_change(posts, person):
    finding = judge(person, posts, "tenure", months=12)
    assert_met(finding)
    assert finding.label == "At least 12 months in the current post"
    assert finding.evidence == "32 months in the post since Mar 1, 2024"


def test_a_post_change_resets_tenure(make, posts, person):
    earlier = make.post("实习客服")
    cf.post_change(person, earlier, changed_at=dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC))
    cf.post_change(
        person, posts[0], from_post=earlier, changed_at=dt.datetime(2026, 7, 20, tzinfo=dt.UTC)
    )
    finding = judge(person, posts, "tenure", months=6)
    assert finding.status == Status.PARTLY
    assert finding.evidence == "3 of 6 months in the post since Jul 20, 2026"
    assert finding.progress == 0.5 and finding.months_to_close == 3


def test_tenure_ignores_changes_into_other_posts(make, posts, person):
    cf.post_change(person, make.post(), changed_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
    assert_met(judge(person, posts, "tenure", months=6))


# --- KPI -------------------------------------------------------------------------------


def test_kpi_without_data_is_not_met(posts, person):
    csat = cf.metric()
    finding = judge(person, posts, "kpi", metric=csat, months=3, threshold=92)
    assert finding.status == Status.NOT_MET and finding.progress == 0.0
    assert finding.label == "CSAT average over the last 3 months ≥ 92 %"
    assert finding.evidence == "No CSAT figures for Aug\u2009–\u2009Oct 2026 yet"  # Babel's span
    assert finding.months_to_close == 3


def test_kpi_figures_outside_the_window_do_not_count(posts, person):
    csat = cf.metric()
    cf.kpis(person, csat, {cf.month(TODAY, -4): 99.0, NOV: 99.0})  # too old; this month
    finding = judge(person, posts, "kpi", metric=csat, months=3, threshold=92)
    assert finding.status == Status.NOT_MET
    assert finding.evidence.startswith("No CSAT figures")


def test_kpi_meeting_the_threshold_on_part_of_the_months_is_partly_met(posts, person):
    csat = cf.metric()
    cf.kpis(person, csat, {SEP: 93.0, OCT: 94.0})
    finding = judge(person, posts, "kpi", metric=csat, months=3, threshold=92)
    assert finding.status == Status.PARTLY
    assert finding.evidence == "CSAT average 93.5 % over 2 of 3 months, needs 92 %"
    assert finding.progress == pytest.approx(2 / 3, abs=0.001)
    assert finding.months_to_close == 1


def test_kpi_below_and_above_a_higher_is_better_threshold(make, posts, person):
    csat = cf.metric()
    cf.kpis(person, csat, {AUG: 88.0, SEP: 90.0, OCT: 90.5})
    below = judge(person, posts, "kpi", metric=csat, months=3, threshold=92)
    assert below.status == Status.NOT_MET
    assert below.evidence == "CSAT 3-month average 89.5 %, needs 92 %"
    assert below.progress == 0.95  # 89.5 / 92 = 0.973, capped: not met is never near 1
    assert below.months_to_close == 3

    good = make.employee(post=posts[0])
    cf.kpis(good, csat, {AUG: 92.0, SEP: 95.0, OCT: 93.0})
    above = judge(good, posts, "kpi", metric=csat, months=3, threshold=92)
    assert_met(above)
    assert above.evidence == "CSAT 3-month average 93.3 %, needs 92 %"


def test_kpi_lower_is_better(make, posts, person):
    rate = cf.metric("complaints", "投诉率", "Complaint rate", higher_is_better=False, decimals=2)
    cf.kpis(person, rate, {AUG: 0.8, SEP: 1.0, OCT: 0.9})
    good = judge(person, posts, "kpi", metric=rate, months=3, threshold=1)
    assert_met(good)
    assert good.label == "Complaint rate average over the last 3 months ≤ 1 %"
    assert good.evidence == "Complaint rate 3-month average 0.90 %, needs at most 1 %"

    worse = make.employee(post=posts[0])
    cf.kpis(worse, rate, {AUG: 1.5, SEP: 2.0, OCT: 2.5})
    bad = judge(worse, posts, "kpi", metric=rate, months=3, threshold=1)
    assert bad.status == Status.NOT_MET
    assert bad.progress == pytest.approx(0.5)
    assert bad.evidence == "Complaint rate 3-month average 2.00 %, needs at most 1 %"


def test_kpi_sum_aggregation(make, posts, person):
    tickets = cf.metric(
        "tickets", "处理工单", "Handled tickets", unit="", decimals=0, aggregate="sum"
    )
    cf.kpis(person, tickets, {AUG: 500, SEP: 520, OCT: 480})
    met = judge(person, posts, "kpi", metric=tickets, months=3, threshold=1500)
    assert_met(met)
    assert met.label == "Handled tickets total over the last 3 months ≥ 1,500"
    assert met.evidence == "Handled tickets 3-month total 1,500, needs 1,500"

    short = make.employee(post=posts[0])
    cf.kpis(short, tickets, {SEP: 700, OCT: 600})
    partial = judge(short, posts, "kpi", metric=tickets, months=3, threshold=1500)
    assert partial.status == Status.NOT_MET  # two months cannot add up to three
    assert partial.evidence == "Handled tickets total 1,300 over 2 of 3 months, needs 1,500"


def test_kpi_over_one_month(posts, person):
    csat = cf.metric()
    cf.kpis(person, csat, {OCT: 95.0})
    finding = judge(person, posts, "kpi", metric=csat, months=1, threshold=92)
    assert_met(finding)
    assert finding.label == "CSAT average over the last 1 month ≥ 92 %"


# --- endorsement -----------------------------------------------------------------------


def test_endorsement_by_the_lead(make, posts, person):
    lead = make.employee(name="王强")
    step = cf.step(*posts)
    cf.requirement(step, "endorsement", endorser="lead")
    cf.endorse(person, step, lead, "lead")
    with force_locale("en"):
        finding = readiness.evaluate([(person.id, step.id)], TODAY)[(person.id, step.id)]
    [found] = finding.findings
    assert_met(found)
    assert found.label == "Endorsed by the team lead"
    assert found.evidence.startswith("Endorsed by 王强 (team lead) on ")


def test_withdrawn_or_wrong_role_endorsement_is_not_met(make, posts, person):
    lead, mentor = make.employee(name="王强"), make.employee(name="赵敏")
    step = cf.step(*posts)
    cf.requirement(step, "endorsement", endorser="mentor")
    cf.requirement(step, "endorsement", endorser="lead")
    cf.requirement(step, "endorsement", endorser="any")
    cf.endorse(person, step, lead, "lead")
    cf.endorse(person, step, mentor, "mentor", withdrawn_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    with force_locale("en"):
        found = readiness.evaluate([(person.id, step.id)], TODAY)[(person.id, step.id)]
    by_mentor, by_lead, by_any = found.findings
    assert by_mentor.status == Status.NOT_MET
    assert by_mentor.evidence == "The endorsement by 赵敏 was withdrawn on Nov 2, 2026"
    assert by_mentor.label == "Endorsed by a mentor"
    assert_met(by_lead)
    assert_met(by_any)
    assert found.percent == 67


def test_no_endorsement(posts, person):
    finding = judge(person, posts, "endorsement", endorser="any")
    assert finding.status == Status.NOT_MET and finding.evidence == "No endorsement yet"
    assert finding.label == "Endorsed by the team lead or a mentor"


# --- rotation --------------------------------------------------------------------------


def test_rotation_passed_failed_and_under_way(make, posts, person):
    team = make.team()
    cf.rotation(
        person,
        team,
        starts_on=dt.date(2026, 1, 5),
        ends_on=dt.date(2026, 3, 31),
        status="evaluated",
        passed=False,
    )
    failed = judge(person, posts, "rotation", count=1)
    assert failed.status == Status.NOT_MET
    assert failed.label == "1 job rotation completed with a passing evaluation"
    assert failed.evidence == "1 rotation evaluated, not passed"
    assert failed.months_to_close == 3

    cf.rotation(person, team, starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31))
    running = judge(person, posts, "rotation", count=1)
    assert running.status == Status.PARTLY
    assert running.evidence == "0 of 1 passed; one under way until Dec 31, 2026"
    assert running.months_to_close == 2  # 46 days left

    passer = make.employee(post=posts[0])
    cf.rotation(
        passer,
        team,
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 6, 30),
        status="evaluated",
        passed=True,
    )
    assert_met(judge(passer, posts, "rotation", count=1))
    two = judge(passer, posts, "rotation", count=2)
    assert two.status == Status.PARTLY and two.progress == 0.5
    assert two.evidence == "1 of 2 passed" and two.months_to_close == 3


# --- mentoring -------------------------------------------------------------------------


def test_mentoring_partial_and_met(make, posts, person):
    none = judge(person, posts, "mentoring", count=2)
    assert none.status == Status.NOT_MET and none.evidence == "No mentee signed off yet"
    assert none.months_to_close == 6
    assert none.label == "Mentored 2 people to sign-off"

    cf.mentorship(person, make.employee(), signed_off=True)
    partial = judge(person, posts, "mentoring", count=2)
    assert partial.status == Status.PARTLY and partial.progress == 0.5
    assert partial.evidence == "1 of 2 mentees signed off, 0 under way"
    assert partial.months_to_close == 3

    cf.mentorship(person, make.employee(), signed_off=False)  # active
    going = judge(person, posts, "mentoring", count=2)
    assert going.status == Status.PARTLY and going.progress == 0.75

    cf.mentorship(person, make.employee(), signed_off=True)
    assert_met(judge(person, posts, "mentoring", count=2))


def test_tenure_ignores_the_first_placement_of_a_new_record(app, make):
    """People created or imported with their post get a post change from no post: tenure
    still counts from the hire date."""
    today = dt.date(2027, 3, 15)
    senior, lead = cf.post("高级客服专员", level=2), cf.post("客服组长", level=3)
    person = make.employee(hire_date=dt.date(2024, 1, 10))
    person.post_id = senior.id
    db.session.add(
        PostChange(
            employee_id=person.id,
            from_post_id=None,
            to_post_id=senior.id,
            changed_at=dt.datetime(2027, 3, 1, tzinfo=dt.UTC),
            source="import",
        )
    )
    step = cf.step(senior, lead)
    cf.requirement(step, "tenure", months=12)
    db.session.flush()
    found = readiness.evaluate([(person.id, step.id)], today)[(person.id, step.id)]
    assert found.findings[0].status == Status.MET
