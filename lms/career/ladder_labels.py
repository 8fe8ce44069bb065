"""How ladders read on HR's pages: labels of step kinds, requirement kinds and endorsers. A
requirement itself reads as its kind labels it (``requirements.label``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.career.models import Endorser, RequirementKind, StepKind

STEP_KIND_LABELS = {
    StepKind.PROMOTION: _l("Promotion"),
    StepKind.BRANCH: _l("Branch"),
    StepKind.LATERAL: _l("Lateral move"),
}
STEP_KIND_BADGES = {
    StepKind.PROMOTION: "text-bg-primary",
    StepKind.BRANCH: "text-bg-info",
    StepKind.LATERAL: "text-bg-secondary",
}
REQUIREMENT_KIND_LABELS = {
    RequirementKind.COURSE: _l("Course completed"),
    RequirementKind.CERTIFICATION: _l("Certification held and valid"),
    RequirementKind.TENURE: _l("Time in the current post"),
    RequirementKind.KPI: _l("Service KPI"),
    RequirementKind.ENDORSEMENT: _l("Endorsement"),
    RequirementKind.ROTATION: _l("Job rotations completed"),
    RequirementKind.MENTORING: _l("Mentoring experience"),
}
ENDORSER_LABELS = {
    Endorser.LEAD: _l("The team lead"),
    Endorser.MENTOR: _l("A mentor"),
    Endorser.ANY: _l("The team lead or a mentor"),
}
