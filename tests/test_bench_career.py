"""The career readiness benchmark at a tiny size, on the test database: the scale data holds a
ladder with requirements of every kind and KPI figures, the bench evaluates everyone with a
next step and the key post's candidates, the floor reads rows, the statement counts are the
same at two sizes, and the report says so (no timing goals here: the bench prints those)."""

from __future__ import annotations

import sqlalchemy as sa

from bench.career import CASES, measure, report
from lms.career.models import KpiValue, RequirementKind, StepRequirement
from lms.extensions import db
from tests.conftest import wipe


def test_the_bench_evaluates_everyone_and_its_statements_stay_constant(app):
    small = measure(app, people=20, repeat=1)
    with app.app_context():
        kinds = set(db.session.scalars(sa.select(StepRequirement.kind)))
        figures = db.session.scalar(sa.select(sa.func.count(KpiValue.id)))
        months = db.session.scalar(sa.select(sa.func.count(sa.distinct(KpiValue.month))))
    assert kinds == set(RequirementKind)
    assert months == 4 and figures == 20 * 3 * 4

    # 17 in 客服专员 and 1 in 高级客服专员 have a promotion step; 客服组长 and 质检专员 none.
    # The candidates for 高级客服专员: the active 客服专员 (new hire number 0 is onboarding).
    assert small.evaluated == 18
    assert small.key_post == "高级客服专员" and small.candidates == 16
    assert sum(small.horizons.values()) == small.evaluated
    assert small.findings == 17 * 6 + 1 * 5
    for case in CASES:
        assert 0 < small.seconds[case] < 60, case
    assert small.floor_rows["team"] > 20 * 3 * 3  # at least the KPI figures of the period

    wipe(app)
    large = measure(app, people=60, repeat=1)
    assert large.evaluated == 54 and large.candidates == 48
    for case in CASES:
        assert large.count(case) == small.count(case), (case, small.statements, large.statements)
    assert large.count("team") <= 15 and large.count("slate") <= 15
    assert large.statements["team"]["SELECT kpi_value"] == 1

    lines = report(small, large, "test")
    text = "\n".join(lines)
    assert lines[0].startswith("career readiness on test, 60 people")
    assert "succession slate of 高级客服专员: 48 candidates" in text
    assert "constant: yes" in text
    assert f"{large.count('team'):>6}" in lines[7]
