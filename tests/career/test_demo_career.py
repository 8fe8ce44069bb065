"""The demo company's career paths: ladders, KPIs, and 王丽娟's plan toward 客服组长 with real
gaps next to what she has met."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import force_locale

from lms import clock
from lms.career import readiness, succession
from lms.career.models import CareerLadder, KpiValue, Promotion, PromotionStatus, Rotation
from lms.career.readiness import Status
from lms.extensions import db
from lms.organisation.models import Employee, Post
from tests.conftest import login


def test_the_demo_career_paths(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    today = clock.today()
    assert db.session.scalar(sa.select(sa.func.count(CareerLadder.id))) == 2
    assert db.session.scalar(sa.select(sa.func.count(KpiValue.id))) > 1000
    mentor = db.session.scalar(sa.select(Employee).where(Employee.username == "mentor"))
    lead_post = db.session.scalar(sa.select(Post).where(Post.title == "客服组长"))
    with app.test_request_context(), force_locale("zh_CN"):
        found = readiness.for_person(mentor, lead_post.id, today)
    by_kind = {f.kind.value: f for f in found.findings if f.kind.value not in ("course", "kpi")}
    csat = next(f for f in found.findings if "客户满意度" in f.label)
    assert csat.status == Status.NOT_MET and "89.5" in csat.evidence
    assert by_kind["tenure"].status == Status.MET  # hired long ago, no move since
    assert by_kind["endorsement"].status == Status.MET
    assert 0 < found.percent < 100 and found.gaps
    pending = db.session.scalars(
        sa.select(Promotion).where(Promotion.status == PromotionStatus.PROPOSED)
    ).all()
    assert len(pending) == 1 and pending[0].readiness["percent"] >= 0
    assert db.session.scalar(sa.select(sa.func.count(Rotation.id))) == 3
    slates = {s.post.title: s for s in succession.key_posts(today)}
    assert set(slates) == {"客服组长", "客服主管"}


def test_the_demo_career_pages_open(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    for username, paths in {
        "mentor": ["/career", "/career/ladders"],
        "lead": ["/career/team", "/career/people/10004", "/career/rotations/hosting"],
        "hr": ["/career/promotions", "/career/rotations", "/career/succession", "/career/kpis"],
    }.items():
        client = app.test_client()
        assert login(client, username, "lms-demo").status_code == 302
        for path in paths:
            assert client.get(path).status_code == 200, (username, path)
