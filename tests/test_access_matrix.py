"""Every route declares its access, and every role gets exactly what the declaration says.

EXPECTED is the matrix, written out by hand: adding a route without adding it here fails,
and so does a declaration that drifts from it. Object-level checks are exercised with records
that belong to somebody else.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask

from assessments import attempts
from assessments.images import add_image
from assessments.quizzes import set_override
from courses import attachments
from courses import services as course_services
from courses.assignment import create_rule
from courses.models import Curriculum, CurriculumCourse
from lms import access, clock
from lms.accounts.services import create_token
from lms.career import kpis
from lms.career.models import KpiMetric, Promotion, Rotation
from lms.certificates import batches
from lms.certification import services as certification_services
from lms.certification.models import PersonCertification
from lms.extensions import db
from lms.mentorship import plan as mentorship_plan
from lms.mentorship import services as mentorship_services
from lms.notifications import notify
from tests.assessments.conftest import QuizFactory, essay, true_false
from tests.career import factories as career_factories
from tests.certificates.conftest import CertificateFactory
from tests.certification.conftest import CertificationFactory
from tests.conftest import csrf_from, login
from tests.courses.conftest import CatalogueFactory

ROLES = ("anonymous", "employee", "mentor", "supervisor", "hr", "admin")
HR = {"hr", "admin"}
EVERYONE = {"employee", "mentor", "supervisor", "hr", "admin"}
GRADERS = {"mentor", "supervisor", "hr", "admin"}

# endpoint -> "public" or the set of roles that may reach it
EXPECTED: dict[str, str | set[str]] = {
    "static": "public",
    "main.home": EVERYONE,
    "main.set_language": "public",
    "main.healthz": "public",
    "accounts.login": "public",
    "accounts.logout": EVERYONE,
    "accounts.change_password": EVERYONE,
    "accounts.profile": EVERYONE,
    "accounts.create_token": EVERYONE,
    "accounts.revoke_token": EVERYONE,
    "organisation.people": HR,
    "organisation.new_person": HR,
    "organisation.person": EVERYONE,  # and then per object: self, HR, their supervisor
    "organisation.edit_person": HR,
    "organisation.deactivate_person": HR,
    "organisation.reset_password": HR,
    "organisation.import_people": HR,
    "organisation.import_template": HR,
    "organisation.overview": HR,
    "organisation.edit_department": HR,
    "organisation.edit_team": HR,
    "organisation.edit_post": HR,
    "api.openapi_json": "public",
    "api.list_employees": HR,
    "api.create_employee": HR,
    "api.get_employee": HR,
    "api.update_employee": HR,
    "api.list_teams": HR,
    "api.list_posts": HR,
    "courses.catalogue": EVERYONE,
    "courses.course": EVERYONE,
    "courses.enrol": EVERYONE,
    "courses.lesson": EVERYONE,
    "courses.complete_lesson": EVERYONE,
    "courses.attachment": EVERYONE,  # and then per object: people enrolled in that version
    "api.list_courses": EVERYONE,
    "api.get_course": EVERYONE,
    "api.create_enrolment": HR,
    "api.employee_enrolments": EVERYONE,  # and then per object: self, HR, their supervisor
    "courses.manage_courses": HR,
    "courses.manage_new_course": HR,
    "courses.manage_edit_course": HR,
    "courses.manage_course": HR,
    "courses.manage_start_draft": HR,
    "courses.manage_publish": HR,
    "courses.manage_archive_course": HR,
    "courses.manage_restore_course": HR,
    "courses.manage_new_module": HR,
    "courses.manage_edit_module": HR,
    "courses.manage_delete_module": HR,
    "courses.manage_new_lesson": HR,
    "courses.manage_edit_lesson": HR,
    "courses.manage_move_lesson": HR,
    "courses.manage_delete_lesson": HR,
    "courses.manage_preview": HR,
    "courses.manage_add_attachment": HR,
    "courses.manage_delete_attachment": HR,
    "courses.manage_course_enrolments": HR,
    "courses.assign_training": HR,
    "courses.rule_list": HR,
    "courses.rule_new": HR,
    "courses.rule_toggle": HR,
    "courses.curriculum_list": HR,
    "courses.curriculum_new": HR,
    "courses.curriculum_edit": HR,
    "courses.package_import": HR,
    "courses.package_export": HR,
    "courses.team_learning": {"supervisor", "hr", "admin"},
    "assessments.quiz_view": EVERYONE,
    "assessments.quiz_start": EVERYONE,
    "assessments.attempt_view": EVERYONE,  # and then only one's own attempts
    "assessments.attempt_review": EVERYONE,
    "assessments.attempt_save": EVERYONE,
    "assessments.attempt_save_all": EVERYONE,
    "assessments.attempt_submit": EVERYONE,
    "assessments.grading_queue": GRADERS,
    "assessments.grading_answer": GRADERS,  # and then per object: whom the quiz names, HR
    "assessments.bank_category_edit": HR,
    "assessments.bank_category_new": HR,
    "assessments.bank_export": HR,
    "assessments.bank_import": HR,
    "assessments.bank_index": HR,
    "assessments.bank_question_archive": HR,
    "assessments.bank_question_edit": HR,
    "assessments.bank_question_new": HR,
    "assessments.bank_question_preview": HR,
    "assessments.bank_question_regrade": HR,
    "assessments.manage_quiz": HR,
    "assessments.manage_quiz_add_fixed": HR,
    "assessments.manage_quiz_add_random": HR,
    "assessments.manage_quiz_attempts": HR,
    "assessments.manage_quiz_new": HR,
    "assessments.manage_quiz_override_remove": HR,
    "assessments.manage_quiz_overrides": HR,
    "assessments.manage_quiz_publish": HR,
    "assessments.manage_quiz_remove_slot": HR,
    "assessments.manage_quiz_settings": HR,
    "assessments.manage_quiz_statistics": HR,
    "assessments.manage_quizzes": HR,
    "api.api_quiz_get": EVERYONE,
    "api.api_quiz_start": EVERYONE,
    "api.api_attempt_get": EVERYONE,  # and then only one's own attempts
    "api.api_attempt_save": EVERYONE,
    "api.api_attempt_submit": EVERYONE,
    "api.api_quiz_statistics": HR,
    "assessments.question_image": EVERYONE,  # and then per object: who was given it, HR
    "assessments.question_image_upload": HR,
    "assessments.question_image_delete": HR,
    "notifications.index": EVERYONE,
    "notifications.mark_all_read": EVERYONE,
    "notifications.mark_read": EVERYONE,  # and then only one's own notifications
    "notifications.preferences": EVERYONE,
    "scheduler.jobs": {"admin"},
    "scheduler.run_now": {"admin"},
    "certification.mine": EVERYONE,
    "certification.holder": EVERYONE,  # and then: the holder, their lead, HR
    "certification.renew": EVERYONE,  # and then only the holder
    "certification.compliance": {"supervisor", "hr", "admin"},
    "certification.compliance_csv": {"supervisor", "hr", "admin"},
    "certification.compliance_xlsx": {"supervisor", "hr", "admin"},
    "certification.manage": HR,
    "certification.create": HR,
    "certification.edit": HR,
    "certification.add_rule": HR,
    "certification.delete_rule": HR,
    "certification.assign": HR,
    "certification.require_recertification": HR,
    "certification.holders": HR,
    "api.list_certifications": EVERYONE,
    "api.employee_certifications": EVERYONE,  # and then per object: self, their lead, HR
    "api.assign_certification": HR,
    "mentorship.dashboard": GRADERS,
    "mentorship.mentee": GRADERS,  # and then per object: the mentee's mentors, lead, HR
    "mentorship.log_check_in": GRADERS,  # and then: the mentor while active, HR
    "mentorship.add_goal": GRADERS,
    "mentorship.goal_status": GRADERS,
    "mentorship.sign_off": GRADERS,
    "mentorship.my_mentor": EVERYONE,
    "mentorship.pulse": EVERYONE,  # and then only the mentee's own check-ins
    "mentorship.request_check_in": EVERYONE,
    "mentorship.rate": EVERYONE,  # and then only the mentee's own mentorships
    "mentorship.board": HR,
    "mentorship.propose": HR,
    "mentorship.accept": HR,
    "mentorship.accept_all": HR,
    "mentorship.assign": HR,
    "mentorship.eligibility": HR,
    "mentorship.capacity": HR,
    "mentorship.settings": HR,
    "mentorship.outcomes": HR,
    "mentorship.team": {"supervisor", "hr", "admin"},
    "mentorship.end": HR,
    "api.list_mentorships": EVERYONE,  # and then each sees only what they may
    "api.create_mentorship": HR,
    "api.log_mentorship_check_in": EVERYONE,  # and then: the mentor, HR
    "api.mentor_mentees": EVERYONE,  # and then: the mentor, their lead, HR
    "certificates.mine": EVERYONE,
    "certificates.detail": EVERYONE,  # and then: the holder, their lead, HR
    "certificates.download": EVERYONE,  # and then: the holder, their lead, HR
    "certificates.issued": HR,
    "certificates.revoke": HR,
    "certificates.rerender": HR,
    "certificates.create_batch": HR,
    "certificates.batch": HR,  # and then only the person who asked for it
    "certificates.batch_status": HR,
    "certificates.batch_download": HR,
    "certificates.designs": HR,
    "certificates.design_new": HR,
    "certificates.design_edit": HR,
    "certificates.design_preview": HR,
    "certificates.design_rerender": HR,
    "certificates.awards": HR,
    "certificates.verify": "public",
    "certificates.verify_code": "public",
    "certificates.verify_json": "public",
    "certificates.badge_assertion": "public",
    "certificates.badge_class": "public",
    "certificates.badge_issuer": "public",
    "api.employee_certificates": EVERYONE,  # and then per object: self, their lead, HR
    "api.certificate_detail": HR,
    "api.revoke_certificate": HR,
    "career.mine": EVERYONE,
    "career.person": EVERYONE,  # and then per object: self, their lead, an active mentor, HR
    "career.set_target": EVERYONE,  # and then: the person, HR
    "career.create_learning_plan": EVERYONE,  # and then: the person, HR
    "career.add_goal": EVERYONE,  # and then: the person, their lead, HR
    "career.goal_done": EVERYONE,
    "career.goal_reopen": EVERYONE,
    "career.delete_goal": EVERYONE,
    "career.log_conversation": EVERYONE,  # and then: their lead, an active mentor, HR
    "career.endorse": EVERYONE,  # and then: their lead or an active mentor
    "career.withdraw_endorsement": EVERYONE,
    "career.team": {"supervisor", "hr", "admin"},
    "career.ladders": EVERYONE,
    "career.new_ladder": HR,
    "career.edit_ladder": HR,
    "career.delete_ladder": HR,
    "career.move_ladder": HR,
    "career.new_step": HR,
    "career.edit_step": HR,
    "career.delete_step": HR,
    "career.move_step": HR,
    "career.new_requirement": HR,
    "career.edit_requirement": HR,
    "career.delete_requirement": HR,
    "career.move_requirement": HR,
    "career.posts": HR,
    "career.edit_post": HR,
    "career.promotions": HR,
    "career.approve_promotion": HR,
    "career.reject_promotion": HR,
    "career.propose_promotion": EVERYONE,  # and then: the person's lead, HR
    "career.my_proposals": {"supervisor", "hr", "admin"},
    "career.withdraw_promotion": {"supervisor", "hr", "admin"},  # and then: the proposer
    "career.rotations": HR,
    "career.new_rotation": HR,
    "career.cancel_rotation": HR,
    "career.rotation": EVERYONE,  # and then: the person, their lead, the host, HR
    "career.evaluate_rotation": EVERYONE,  # and then: the host supervisor, HR
    "career.hosting": EVERYONE,
    "career.succession": HR,
    "career.slate": HR,
    "career.kpi_imports": HR,
    "career.kpi_preview": HR,
    "career.kpi_confirm": HR,
    "career.kpi_template": HR,
    "career.kpi_metrics": HR,
    "career.kpi_metric_new": HR,
    "career.kpi_metric_edit": HR,
    "api.import_kpis": HR,
    "api.career_ladders": EVERYONE,
    "api.employee_readiness": EVERYONE,  # and then per object: self, their lead, HR
    "api.succession_slate": HR,
}

# Records that belong to somebody else: who may still see them although the route is theirs.
OTHERS_RECORD_VISIBLE_TO = {
    "organisation.person": HR,
    "accounts.revoke_token": set(),
    "courses.attachment": HR,
    "api.employee_enrolments": HR,
    "assessments.attempt_view": set(),
    "assessments.attempt_review": set(),
    "assessments.attempt_save": set(),
    "assessments.attempt_save_all": set(),
    "assessments.attempt_submit": set(),
    "api.api_attempt_get": set(),
    "api.api_attempt_save": set(),
    "api.api_attempt_submit": set(),
    "assessments.grading_answer": HR,
    "assessments.question_image": HR,
    "mentorship.mentee": HR,
    "mentorship.log_check_in": HR,
    "mentorship.add_goal": HR,
    "mentorship.goal_status": HR,
    "mentorship.sign_off": HR,
    "mentorship.pulse": set(),
    "mentorship.rate": set(),
    "api.log_mentorship_check_in": HR,
    "api.mentor_mentees": HR,
    "notifications.mark_read": set(),
    "certification.holder": HR,
    "certification.renew": set(),
    "api.employee_certifications": HR,
    "certificates.detail": HR,
    "certificates.download": HR,
    "certificates.batch": set(),
    "certificates.batch_status": set(),
    "certificates.batch_download": set(),
    "api.employee_certificates": HR,
    "career.person": HR,
    "career.set_target": HR,
    "career.create_learning_plan": HR,
    "career.add_goal": HR,
    "career.goal_done": set(),  # the world holds no career goal
    "career.goal_reopen": set(),
    "career.delete_goal": set(),
    "career.log_conversation": HR,
    "career.endorse": HR,  # HR sees the person; the form then says only leads and mentors may
    "career.withdraw_endorsement": HR,
    "career.propose_promotion": HR,
    "career.withdraw_promotion": set(),
    "career.rotation": HR,
    "career.evaluate_rotation": HR,
    "api.employee_readiness": HR,
}


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

# Routes that read a JSON body: the walk sends a well-formed one.
JSON_BODIES = {
    "api.api_attempt_save": {"response": True, "sequence": 99},
    "assessments.attempt_save": {"response": True, "sequence": 99},
}


def test_every_route_declares_its_access(app: Flask):
    assert access.undeclared_endpoints(app) == []


def test_matrix_lists_every_endpoint(app: Flask):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(EXPECTED), (
        f"missing from EXPECTED: {sorted(endpoints - set(EXPECTED))}; "
        f"stale: {sorted(set(EXPECTED) - endpoints)}"
    )


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_declaration_matches_matrix(app: Flask, endpoint: str):
    rule = access.rule_for(app, endpoint)
    expected = EXPECTED[endpoint]
    if expected == "public":
        assert rule.audience == "public"
    else:
        allowed = {role for role in EVERYONE if rule.allows(_FakeUser(role))}
        assert allowed == expected


class _FakeUser:
    is_authenticated = True

    def __init__(self, role: str):
        self.role = role

    def has_role(self, *names: str) -> bool:
        return self.role in names


@pytest.fixture
def world(make):
    """One person per role, plus an outsider whose records nobody but HR may see."""
    team = make.team("售后一组")
    other_team = make.team("售后二组")
    people = {
        role: make.employee(role, roles={role}, team=team)
        for role in ("employee", "mentor", "supervisor", "hr", "admin")
    }
    outsider = make.employee("outsider", team=other_team, employee_no="X99999")
    token, _secret = create_token(outsider, "outsider's", clock.now())
    post = make.post()
    course = CatalogueFactory().course("matrix-course", publish=False, self_enrolment=False)
    lesson = course.versions[0].lessons[0]
    attachment = attachments.add_attachment(lesson, "file.pdf", b"%PDF-1.4\n%%EOF\n")
    course_services.publish(course, actor=None, now=clock.now())
    curriculum = Curriculum(slug="matrix-course", title="路径", due_days=30)
    curriculum.items = [CurriculumCourse(course=course, position=1)]
    db.session.add(curriculum)
    rule, _count = create_rule(
        name="matrix",
        course=course,
        curriculum=None,
        post_id=post.id,
        team_id=None,
        department_id=None,
        employee_status=None,
        due_days_after_hire=30,
        due_days_after_enrolment=None,
        actor=None,
        now=clock.now(),
    )
    quiz = QuizFactory().quiz(definitions=[true_false(1), essay(2)])
    outsiders_attempt = attempts.start(quiz, outsider, now=clock.now())
    attempts.save_answer(
        outsiders_attempt.id, outsider, 2, "我理解您的心情……", sequence=1, now=clock.now()
    )
    attempts.submit(outsiders_attempt.id, outsider, now=clock.now())
    set_override(quiz, outsider, time_limit_seconds=None, attempts_allowed=3, close_at=None)
    unseen = QuizFactory().question(true_false(9))  # in no quiz anybody may take
    image = add_image(unseen.current_version, "box.png", PNG)
    outsiders_mentor = make.employee("outsiders-mentor", roles={"mentor"}, team=other_team)
    mentorship_services.assign(outsiders_mentor, outsider, actor=None, now=clock.now())
    # the walk marks the outsider as left (which ends their mentorship): the routes that act
    # on a mentorship get another outsider's, which stays active throughout
    second = make.employee("outsider-2", team=other_team, employee_no="X99998")
    mentorship = mentorship_services.assign(outsiders_mentor, second, actor=None, now=clock.now())
    mentorship_plan.add_goal(mentorship, title="独立处理退货工单", due_on=None, now=clock.now())
    check_in = mentorship_plan.log_check_in(
        mentorship, actor=outsiders_mentor, now=clock.now(), notes="私密记录", pulse=3
    )
    certification = CertificationFactory().certification(escalation=[])
    certification_rule, _n = certification_services.add_rule(
        certification,
        post_id=post.id,
        team_id=None,
        department_id=None,
        everyone=False,
        actor=None,
        now=clock.now(),
    )
    certification_services.assign(
        certification, employee_ids=[second.id], actor=None, now=clock.now()
    )
    holder = db.session.scalar(
        sa.select(PersonCertification).where(PersonCertification.employee_id == second.id)
    )
    note = notify(second, "enrolled", now=clock.now(), params={"course": "路径"})
    certificate_factory = CertificateFactory(make)
    design = certificate_factory.design()
    certificate = certificate_factory.certificate(second, course=course, design=design)
    batch = batches.create_batch({"course_id": course.id}, actor=second, now=clock.now())
    career_ids = _career_world(outsider, second, post, course)
    db.session.commit()
    return {
        "certification": certification,
        "certification_rule": certification_rule,
        "holder": holder,
        "notification": note,
        "quiz": quiz,
        "quiz_attempt": outsiders_attempt,
        "image_id": image.id,  # the walk deletes it: keep the number, not the row
        "people": people,
        "outsider": outsider,
        "token": token,
        "team": team,
        "department": team.department,
        "post": post,
        "course": course,
        "lesson": lesson,
        "attachment": attachment,
        "rule": rule,
        "mentorship": mentorship,
        "check_in": check_in,
        "certificate": certificate,
        "certificate_design": design,
        "certificate_batch": batch,
        **career_ids,
    }


def _career_world(outsider, second, post, course) -> dict:
    """A ladder from the world's post, one requirement, and the outsider's promotion proposal
    and rotation (hosted by the second outsider)."""
    kpis.ensure_default_metrics()
    metric = db.session.scalar(sa.select(KpiMetric).where(KpiMetric.code == "csat"))
    target = career_factories.post("客服组长", "Team Lead", level=3)
    outsider.post_id = post.id
    step = career_factories.step(post, target)
    requirement = career_factories.requirement(step, "course", course=course)
    promotion = Promotion(
        employee_id=outsider.id,
        step_id=step.id,
        from_post_id=post.id,
        to_post_id=target.id,
        rationale="业绩稳定",
        proposed_by_id=second.id,
    )
    rotation = Rotation(
        employee_id=outsider.id,
        host_team_id=second.team_id,
        host_supervisor_id=second.id,
        starts_on=clock.today() - dt.timedelta(days=60),
        ends_on=clock.today() - dt.timedelta(days=1),
        objectives="熟悉质检流程",
    )
    db.session.add_all([promotion, rotation])
    # the walk deletes what these name; the routes that need them get the others
    spare_step = career_factories.step(target, post)
    spare = {
        "career.delete_ladder": career_factories.ladder().id,
        "career.delete_step": spare_step.id,
        "career.delete_requirement": career_factories.requirement(step, "tenure", months=6).id,
    }
    db.session.flush()
    # the walk deletes some of them: keep the numbers, not the rows
    return {
        "career_spare": spare,
        "ladder_id": step.ladder_id,
        "step_id": step.id,
        "requirement_id": requirement.id,
        "promotion_id": promotion.id,
        "rotation_id": rotation.id,
        "metric_id": metric.id,
    }


def _url_args(world: dict, endpoint: str) -> dict[str, object]:
    return {
        "employee_no": world["outsider"].employee_no,
        "token_id": world["token"].id,
        "dept_id": world["department"].id,
        "team_id": world["team"].id,
        "post_id": world["post"].id,
        "filename": {"courses.attachment": "file.pdf", "assessments.question_image": "box.png"}.get(
            endpoint, "app.css"
        ),
        "slug": world["course"].slug,
        "key": world["lesson"].key,
        "course_id": world["course"].id,
        "attachment_id": world["attachment"].id,
        "lesson_id": world["lesson"].id,
        "module_id": world["lesson"].module_id,
        "rule_id": (
            world["certification_rule"].id
            if endpoint.startswith("certification.")
            else world["rule"].id
        ),
        "quiz_id": world["quiz"].id,
        "attempt_id": world["quiz_attempt"].id,
        "slot": 1,
        "slot_id": world["quiz"].slots[0].id,
        "question_id": world["quiz"].slots[0].question_id,
        "category_id": world["quiz"].slots[0].question.category_id,
        "answer_id": world["quiz_attempt"].answers[1].id,
        "employee_id": world["outsider"].id,
        "image_id": world["image_id"],
        "mentorship_id": world["mentorship"].id,
        "goal_id": world["mentorship"].goals[0].id,
        "check_in_id": world["check_in"].id,
        "sweep_name": "heartbeat",
        "certification_id": world["certification"].id,
        "holder_id": world["holder"].id,
        "notification_id": world["notification"].id,
        "serial": world["certificate"].serial,
        "code": world["certificate"].code,
        "kind": "course",
        "subject_id": world["course"].id,
        "batch_id": world["certificate_batch"].id,
        "design_id": world["certificate_design"].id,
        **{
            name: world[name]
            for name in (
                "ladder_id",
                "step_id",
                "requirement_id",
                "promotion_id",
                "rotation_id",
                "metric_id",
            )
        },
        "headers": "zh",
        "post": str(world["post"].id),
    } | {
        name: world["career_spare"][endpoint]
        for name in ("ladder_id", "step_id", "requirement_id")
        if endpoint in world["career_spare"]
    }


def _requests(app: Flask, world: dict):
    for rule in app.url_map.iter_rules():
        args = _url_args(world, rule.endpoint)
        values = {name: args[name] for name in rule.arguments if name not in (rule.defaults or {})}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def _expected_outcome(endpoint: str, role: str) -> str:
    expected = EXPECTED[endpoint]
    if expected == "public":
        return "allowed"
    if role == "anonymous":
        return "unauthenticated"
    if role not in expected:
        return "forbidden"
    if endpoint in OTHERS_RECORD_VISIBLE_TO and role not in OTHERS_RECORD_VISIBLE_TO[endpoint]:
        return "not_found"
    return "allowed"


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(app: Flask, world: dict, role: str):
    client = app.test_client()
    if role != "anonymous":
        response = login(client, role)
        assert response.status_code == 302
    token = (
        csrf_from(client.get("/login").get_data(as_text=True))
        if role == "anonymous"
        else csrf_from(client.get("/account").get_data(as_text=True))
    )
    api_headers = {}
    if role != "anonymous":
        with app.app_context():
            person = db.session.get(type(world["outsider"]), world["people"][role].id)
            _t, secret = create_token(person, "matrix", clock.now())
            db.session.commit()
        api_headers = {"Authorization": f"Bearer {secret}"}

    failures = []
    for endpoint, method, url in _requests(app, world):
        if endpoint == "accounts.logout":
            continue  # signing out would end the session for the rest of the walk; see below
        is_api = url.startswith("/api/")
        kwargs = {"headers": api_headers} if is_api else {}
        if endpoint in JSON_BODIES:  # well-formed, so only access can refuse it
            kwargs["json"] = JSON_BODIES[endpoint]
            kwargs.setdefault("headers", {})["X-CSRFToken"] = token
        elif method in ("POST", "PATCH", "PUT") and is_api:
            kwargs["json"] = {}
        elif method == "POST":
            kwargs["data"] = {"csrf_token": token}
        response = client.open(url, method=method, **kwargs)
        response.close()
        status = response.status_code
        outcome = _expected_outcome(endpoint, role)
        ok = {
            "allowed": status < 400 or status in (400, 409, 422),
            "unauthenticated": (
                status == 401 if is_api else status == 302 and "/login" in response.location
            ),
            "forbidden": status == 403,
            "not_found": status == 404,
        }[outcome]
        if status >= 500 or not ok:
            failures.append(f"{role} {method} {url} ({endpoint}): {status}, expected {outcome}")
        if is_api and status >= 400:
            assert response.is_json, f"{url} answered {status} without a JSON body"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES[1:])
def test_sign_out_for_every_role(app: Flask, world: dict, role: str):
    client = app.test_client()
    login(client, role)
    token = csrf_from(client.get("/account").get_data(as_text=True))
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_supervisor_sees_own_team_members_only(app: Flask, make, client):
    lead = make.employee("lead", roles={"supervisor"})
    team = make.team(lead=lead)
    member = make.employee(team=team)
    direct = make.employee(supervisor=lead)
    stranger = make.employee(team=make.team())
    db.session.commit()
    login(client, "lead")
    assert client.get(f"/people/{member.employee_no}").status_code == 200
    assert client.get(f"/people/{direct.employee_no}").status_code == 200
    assert client.get(f"/people/{stranger.employee_no}").status_code == 404
    assert client.get(f"/people/{lead.employee_no}").status_code == 200
