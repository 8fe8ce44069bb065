"""Service requirements: tenure in the current post, and a service KPI over recent months."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import ngettext

from lms.career.models import KpiAggregate, KpiMetric, KpiValue, RequirementKind, StepRequirement
from lms.career.readiness import Status
from lms.career.requirements_base import (
    Context,
    Item,
    Kind,
    Results,
    Words,
    add_months,
    among,
    month_start,
    whole_months,
    with_unit,
)
from lms.extensions import db
from lms.i18n import locale_code
from lms.organisation.models import Employee, PostChange


class TenureKind(Kind):
    """Complete months in the current post, counted from the latest post change into that
    post from another post (its date), else from the hire date: a move starts the count
    again, the record's first placement does not. Met at
    ``months``; before that partly met, progress the share done, closing in the months left.
    One statement (the latest post change per person)."""

    kind = RequirementKind.TENURE

    def label(self, requirement: StepRequirement) -> str:
        return ngettext(
            "At least %(num)d month in the current post",
            "At least %(num)d months in the current post",
            requirement.months or 0,
        )

    def evaluate(self, items: Sequence[Item], ctx: Context) -> Results:
        labels = self.labels(items)
        _, ngettext, day = ctx.words.gettext, ctx.words.ngettext, ctx.words.day
        pc = PostChange
        rows = db.session.execute(
            sa.select(pc.employee_id, sa.func.max(pc.changed_at))
            .join(Employee, Employee.id == pc.employee_id)
            .where(
                pc.to_post_id == Employee.post_id,
                # a first placement (from no post) is the record being made, not a move
                pc.from_post_id.is_not(None),
                among(pc.employee_id, (p for p, _r in items)),
            )
            .group_by(pc.employee_id)
        )
        changed = dict(rows.all())
        results: Results = {}
        for person_id, requirement in items:
            person = ctx.people[person_id]
            at = changed.get(person_id)
            since = ctx.words.local_date(at) if at is not None else person.hire_date
            done, needed = whole_months(since, ctx.today), int(requirement.months or 0)
            if done >= needed:
                status = Status.MET
                evidence = ngettext(
                    "%(num)d month in the post since %(date)s",
                    "%(num)d months in the post since %(date)s",
                    done,
                    date=day(since),
                )
            else:
                status = Status.PARTLY
                evidence = _(
                    "%(done)d of %(needed)d months in the post since %(date)s",
                    done=done,
                    needed=needed,
                    date=day(since),
                )
            results[(person_id, requirement.id)] = self.finding(
                requirement,
                status,
                label=labels[requirement.id],
                evidence=evidence,
                progress=done / needed if needed else 1.0,
                months=needed - done,
            )
        return results


def _threshold(words: Words, metric: KpiMetric, value: float) -> str:
    return with_unit(words.number(value, metric.decimals, trim=True), metric.unit)


class KpiKind(Kind):
    """A metric over the last ``months`` complete calendar months before today's month,
    aggregated as the metric says (mean or sum of the months with figures) and compared with
    ``threshold`` in the metric's direction.

    No figures in the period: not met. At or past the threshold with figures for every month:
    met; with figures for fewer months: partly met (progress the share of months with figures,
    closing when the missing months would be in). Short of the threshold: not met, progress
    the ratio towards it (at most 0.95), closing in ``months``. One statement for all the
    KPI requirements."""

    kind = RequirementKind.KPI

    def label(self, requirement: StepRequirement) -> str:
        metric = requirement.metric
        assert metric is not None
        op = "≥" if metric.higher_is_better else "≤"
        values = {
            "metric": metric.display_name(locale_code()),
            "op": op,
            "threshold": _threshold(Words(), metric, requirement.threshold or 0.0),
        }
        if metric.aggregate == KpiAggregate.SUM:
            return ngettext(
                "%(metric)s total over the last %(num)d month %(op)s %(threshold)s",
                "%(metric)s total over the last %(num)d months %(op)s %(threshold)s",
                requirement.months or 0,
                **values,
            )
        return ngettext(
            "%(metric)s average over the last %(num)d month %(op)s %(threshold)s",
            "%(metric)s average over the last %(num)d months %(op)s %(threshold)s",
            requirement.months or 0,
            **values,
        )

    def evaluate(self, items: Sequence[Item], ctx: Context) -> Results:
        labels = self.labels(items)
        current = month_start(ctx.today)
        requirements = {r.id: r for _p, r in items}
        specs = {
            rid: _Spec.of(r, labels[rid], current, ctx.words) for rid, r in requirements.items()
        }
        rows = db.session.execute(
            sa.select(KpiValue.employee_id, KpiValue.metric_id, KpiValue.month, KpiValue.value)
            .where(
                KpiValue.metric_id.in_({spec.metric_id for spec in specs.values()}),
                KpiValue.month >= min(spec.start for spec in specs.values()),
                KpiValue.month < current,
                among(KpiValue.employee_id, (p for p, _r in items)),
            )
            .order_by(KpiValue.month)
        )
        values: dict[tuple[int, int], list] = defaultdict(list)
        for person_id, metric_id, month, value in rows:
            values[(person_id, metric_id)].append((month, value))
        results: Results = {}
        for person_id, requirement in items:
            spec = specs[requirement.id]
            found = values.get((person_id, spec.metric_id), ())
            figures = [v for m, v in found if m >= spec.start]
            results[(person_id, spec.id)] = self._judge(ctx.words, requirement, spec, figures)
        return results

    def _judge(self, words: Words, requirement, spec: _Spec, figures: list[float]):
        _ = words.gettext
        months, threshold = spec.months, spec.threshold
        if not figures:
            evidence = _(
                "No %(metric)s figures for %(months)s yet", metric=spec.name, months=spec.span
            )
            return self.finding(
                requirement, Status.NOT_MET, label=spec.label, evidence=evidence, months=months
            )
        have = len(figures)
        value = sum(figures) if spec.summed else sum(figures) / have
        shown = {"metric": spec.name, "value": spec.figure(words, value), "num": months}
        if have < months:
            figure = (
                _("%(metric)s total %(value)s over %(have)d of %(num)d months", have=have, **shown)
                if spec.summed
                else _(
                    "%(metric)s average %(value)s over %(have)d of %(num)d months",
                    have=have,
                    **shown,
                )
            )
        elif spec.summed:
            figure = _("%(metric)s %(num)d-month total %(value)s", **shown)
        else:
            figure = _("%(metric)s %(num)d-month average %(value)s", **shown)
        if spec.higher_is_better:
            meets = value >= threshold
            needs = _("needs %(threshold)s", threshold=spec.limit)
            ratio = value / threshold if threshold > 0 else 0.0
        else:
            meets = value <= threshold
            needs = _("needs at most %(threshold)s", threshold=spec.limit)
            ratio = threshold / value if value > 0 else 0.0
        evidence = _("%(figure)s, %(needs)s", figure=figure, needs=needs)
        if meets and have >= months:
            status, progress, close = Status.MET, 1.0, 0
        elif meets:
            status, progress, close = Status.PARTLY, have / months, months - have
        else:
            status, progress, close = Status.NOT_MET, ratio, months
        return self.finding(
            requirement,
            status,
            label=spec.label,
            evidence=evidence,
            progress=progress,
            months=close,
        )


@dataclass(frozen=True, slots=True)
class _Spec:
    """A KPI requirement's figures, read once from the ORM row for all the people."""

    id: int
    metric_id: int
    months: int
    threshold: float
    start: dt.date
    span: str  # the months of the period, e.g. "Aug – Oct 2026"
    name: str
    label: str
    limit: str  # the threshold with its unit
    summed: bool
    higher_is_better: bool
    decimals: int
    unit: str

    @classmethod
    def of(cls, requirement: StepRequirement, label: str, current: dt.date, words: Words):
        metric: KpiMetric = requirement.metric  # type: ignore[assignment]
        months = int(requirement.months or 1)
        start = add_months(current, -months)
        threshold = float(requirement.threshold or 0.0)
        return cls(
            id=requirement.id,
            metric_id=metric.id,
            months=months,
            threshold=threshold,
            start=start,
            span=words.month_span(start, add_months(current, -1)),
            name=metric.display_name(words.code),
            label=label,
            limit=_threshold(words, metric, threshold),
            summed=metric.aggregate == KpiAggregate.SUM,
            higher_is_better=metric.higher_is_better,
            decimals=metric.decimals,
            unit=metric.unit,
        )

    def figure(self, words: Words, value: float) -> str:
        return with_unit(words.number(value, self.decimals), self.unit)
