"""Requirements other people vouch for: an endorsement, job rotations passed, mentees
signed off."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.career.models import (
    Endorsement,
    Endorser,
    RequirementKind,
    Rotation,
    RotationStatus,
    StepRequirement,
)
from lms.career.readiness import Status
from lms.career.requirements_base import (
    Context,
    Item,
    Kind,
    Results,
    among,
    months_until,
)
from lms.extensions import db
from lms.mentorship.models import Mentorship, MentorshipStatus
from lms.organisation.models import Employee


def _role(role: str, _=_) -> str:
    return _("team lead") if role == Endorser.LEAD else _("mentor")


class EndorsementKind(Kind):
    """Met by an endorsement of the person for this step that is not withdrawn, given in the
    required role (lead, mentor, or either for ``any``); the evidence names the endorser and
    the date. A withdrawn one is named as such. One statement. Closes in about a month."""

    kind = RequirementKind.ENDORSEMENT

    def label(self, requirement: StepRequirement) -> str:
        if requirement.endorser == Endorser.LEAD:
            return _("Endorsed by the team lead")
        if requirement.endorser == Endorser.MENTOR:
            return _("Endorsed by a mentor")
        return _("Endorsed by the team lead or a mentor")

    def evaluate(self, items: Sequence[Item], ctx: Context) -> Results:
        labels = self.labels(items)
        _, day = ctx.words.gettext, ctx.words.day
        e = Endorsement
        rows = db.session.execute(
            sa.select(
                e.employee_id,
                e.step_id,
                e.endorser_role,
                e.created_at,
                e.withdrawn_at,
                Employee.name,
            )
            .join(Employee, Employee.id == e.endorser_id)
            .where(
                e.step_id.in_({r.step_id for _p, r in items}),
                among(e.employee_id, (p for p, _r in items)),
            )
            .order_by(e.created_at.desc(), e.id.desc())
        )
        found = defaultdict(list)
        for person_id, step_id, *rest in rows:
            found[(person_id, step_id)].append(rest)
        results: Results = {}
        for person_id, requirement in items:
            wanted = requirement.endorser
            mine = [
                row
                for row in found.get((person_id, requirement.step_id), ())
                if wanted in (None, Endorser.ANY) or row[0] == wanted
            ]
            standing = [row for row in mine if row[2] is None]
            if standing:
                role, created_at, _w, name = standing[0]
                status = Status.MET
                evidence = _(
                    "Endorsed by %(name)s (%(role)s) on %(date)s",
                    name=name,
                    role=_role(role, _),
                    date=day(created_at),
                )
            elif mine:
                _r, _c, withdrawn_at, name = mine[0]
                status = Status.NOT_MET
                evidence = _(
                    "The endorsement by %(name)s was withdrawn on %(date)s",
                    name=name,
                    date=day(withdrawn_at),
                )
            else:
                status, evidence = Status.NOT_MET, _("No endorsement yet")
            results[(person_id, requirement.id)] = self.finding(
                requirement, status, label=labels[requirement.id], evidence=evidence, months=1
            )
        return results


class RotationKind(Kind):
    """Met by ``count`` job rotations evaluated with a pass. Fewer passes, or a rotation
    planned or under way: partly met. One failed and nothing else: not met. Each missing
    rotation takes about three months; one under way closes when it ends. One statement."""

    kind = RequirementKind.ROTATION
    MONTHS_EACH = 3

    def label(self, requirement: StepRequirement) -> str:
        return ngettext(
            "%(num)d job rotation completed with a passing evaluation",
            "%(num)d job rotations completed with a passing evaluation",
            requirement.count or 0,
        )

    def evaluate(self, items: Sequence[Item], ctx: Context) -> Results:
        labels = self.labels(items)
        _, ngettext, day = ctx.words.gettext, ctx.words.ngettext, ctx.words.day
        r = Rotation
        rows = db.session.execute(
            sa.select(r.employee_id, r.status, r.passed, r.ends_on).where(
                r.status != RotationStatus.CANCELLED, among(r.employee_id, (p for p, _r in items))
            )
        )
        passed: dict[int, int] = defaultdict(int)
        failed: dict[int, int] = defaultdict(int)
        under_way: dict[int, list] = defaultdict(list)
        for person_id, status, ok, ends_on in rows:
            if status == RotationStatus.EVALUATED:
                (passed if ok else failed)[person_id] += 1
            else:
                under_way[person_id].append(ends_on)
        results: Results = {}
        for person_id, requirement in items:
            needed, done = int(requirement.count or 1), passed.get(person_id, 0)
            ending = under_way.get(person_id)
            ends = min(ending) if ending else None
            missing = needed - done
            months = missing * self.MONTHS_EACH
            if done >= needed:
                status = Status.MET
                evidence = ngettext("%(num)d rotation passed", "%(num)d rotations passed", done)
            elif ends is not None:
                status = Status.PARTLY
                months = months_until(ctx.today, ends) + (missing - 1) * self.MONTHS_EACH
                evidence = _(
                    "%(done)d of %(num)d passed; one under way until %(date)s",
                    done=done,
                    num=needed,
                    date=day(ends),
                )
            elif done:
                status = Status.PARTLY
                evidence = _("%(done)d of %(num)d passed", done=done, num=needed)
            elif failed.get(person_id):
                status = Status.NOT_MET
                evidence = ngettext(
                    "%(num)d rotation evaluated, not passed",
                    "%(num)d rotations evaluated, not passed",
                    failed[person_id],
                )
            else:
                status, evidence = Status.NOT_MET, _("No job rotation yet")
            progress = (done + (0.5 if ends is not None else 0)) / needed
            results[(person_id, requirement.id)] = self.finding(
                requirement,
                status,
                label=labels[requirement.id],
                evidence=evidence,
                progress=progress,
                months=months,
            )
        return results


class MentoringKind(Kind):
    """Met by ``count`` mentorships of the person as mentor that were signed off. Fewer, or
    one active: partly met. Each missing sign-off takes about three months. One statement."""

    kind = RequirementKind.MENTORING
    MONTHS_EACH = 3

    def label(self, requirement: StepRequirement) -> str:
        return ngettext(
            "Mentored %(num)d person to sign-off",
            "Mentored %(num)d people to sign-off",
            requirement.count or 0,
        )

    def evaluate(self, items: Sequence[Item], ctx: Context) -> Results:
        labels = self.labels(items)
        _, ngettext = ctx.words.gettext, ctx.words.ngettext
        m = Mentorship
        active = sa.and_(m.status == MentorshipStatus.ACTIVE, m.signed_off_at.is_(None))
        rows = db.session.execute(
            sa.select(
                m.mentor_id,
                sa.func.count(m.signed_off_at),
                sa.func.sum(sa.case((active, 1), else_=0)),
            )
            .where(
                sa.or_(m.signed_off_at.is_not(None), active),
                among(m.mentor_id, (p for p, _r in items)),
            )
            .group_by(m.mentor_id)
        )
        counts = {mentor_id: (int(done), int(running or 0)) for mentor_id, done, running in rows}
        results: Results = {}
        for person_id, requirement in items:
            needed = int(requirement.count or 1)
            done, running = counts.get(person_id, (0, 0))
            missing = max(needed - done, 0)
            if done >= needed:
                status = Status.MET
                evidence = ngettext("%(num)d mentee signed off", "%(num)d mentees signed off", done)
            elif done or running:
                status = Status.PARTLY
                evidence = _(
                    "%(done)d of %(num)d mentees signed off, %(active)d under way",
                    done=done,
                    num=needed,
                    active=running,
                )
            else:
                status, evidence = Status.NOT_MET, _("No mentee signed off yet")
            progress = (done + 0.5 * min(running, missing)) / needed
            results[(person_id, requirement.id)] = self.finding(
                requirement,
                status,
                label=labels[requirement.id],
                evidence=evidence,
                progress=progress,
                months=missing * self.MONTHS_EACH,
            )
        return results
