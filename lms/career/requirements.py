"""The registry of requirement kinds: one entry per ``RequirementKind``.

Each entry labels a requirement ("Course 《投诉处理》 completed") and evaluates many people for
many requirements of its kind in one or two statements whatever their number, explaining each
result (met, partly met, not met, progress 0–1, the evidence, and an estimate of the months
to close the gap) in the current locale. The kinds live in ``requirements_learning`` (course,
certification), ``requirements_service`` (tenure, KPI) and ``requirements_people``
(endorsement, rotation, mentoring); what they share in ``requirements_base``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy.orm import joinedload

from courses.models import Course
from lms.career.models import RequirementKind, StepRequirement
from lms.career.readiness import Finding
from lms.career.requirements_base import Context, Item, Kind
from lms.career.requirements_learning import CertificationKind, CourseKind
from lms.career.requirements_people import EndorsementKind, MentoringKind, RotationKind
from lms.career.requirements_service import KpiKind, TenureKind

REGISTRY: dict[RequirementKind, Kind] = {
    kind.kind: kind
    for kind in (
        CourseKind(),
        CertificationKind(),
        TenureKind(),
        KpiKind(),
        EndorsementKind(),
        RotationKind(),
        MentoringKind(),
    )
}
assert set(REGISTRY) == set(RequirementKind), "every requirement kind needs an entry"


def target_options():
    """Loader options for ``StepRequirement`` rows so their labels need no further statement:
    the metric, the certification and the course with its current version."""
    return (
        joinedload(StepRequirement.metric),
        joinedload(StepRequirement.certification),
        joinedload(StepRequirement.course).joinedload(Course.current_version),
    )


def label(requirement: StepRequirement) -> str:
    """What the requirement asks for, in the current locale."""
    return REGISTRY[requirement.kind].label(requirement)


def evaluate(items: Iterable[Item], ctx: Context) -> dict[tuple[int, int], Finding]:
    """Every (person, requirement) item, each kind at once: ``{(person_id, requirement_id):
    Finding}``."""
    by_kind: dict[RequirementKind, list[Item]] = defaultdict(list)
    for person_id, requirement in items:
        by_kind[requirement.kind].append((person_id, requirement))
    findings: dict[tuple[int, int], Finding] = {}
    for kind, kind_items in by_kind.items():
        findings.update(REGISTRY[kind].evaluate(kind_items, ctx))
    return findings
