"""Career paths: ladders of posts with steps whose requirements the system evaluates against
real training, certification, tenure, KPI, endorsement, rotation and mentoring data; career
plans with goals, readiness and a one-click learning plan; career conversations; job
rotations; promotions (a lead proposes, HR approves); succession slates for key posts; and the
monthly service KPIs those requirements read.

Modules:
- ``models``: ladders, steps, requirements, KPI metrics and values, plans, goals, learning-plan
  items, conversations, endorsements, rotations, promotions.
- ``requirements``: the registry of requirement kinds; each evaluates many people at once
  and explains itself (met, partly met, not met, with the evidence).
- ``readiness``: a person's (or a whole team's) readiness for a step, set-wise.
- ``succession``: slates of candidates for key posts, ranked by readiness.
- ``kpis`` and ``kpi_import``: metric definitions and the all-or-nothing monthly import.
- ``plans``: career plans, goals, the learning plan, conversations, endorsements.
- ``rotations`` and ``promotions``: job rotations with the host's evaluation; promotion
  proposals and HR's decision, which records the post change.
- ``ladders``: HR's editing of ladders, steps and requirements.
- ``views``, ``api``, ``cli``: the screens, the REST resources and ``lms career``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.career.views import bp

    app.register_blueprint(bp)
    from lms.career import api, api_kpis  # noqa: F401 - routes on the API blueprint
