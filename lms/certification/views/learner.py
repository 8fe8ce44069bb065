"""The learner's certifications: what they hold, how long it lasts, renewing, and the full
history of a holder (seen by the holder, their team lead and HR)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courses.models import Course
from lms import access, clock
from lms.certification import presenters, queries, renewal
from lms.certification.services import CertificationError
from lms.certification.views import bp
from lms.extensions import db
from lms.forms import ConfirmForm
from lms.i18n import locale_code


def _labels() -> dict:
    return {
        "state_labels": presenters.STATE_LABELS,
        "state_badges": presenters.STATE_BADGES,
        "days_text": presenters.days_text,
        "remaining_percent": presenters.remaining_percent,
    }


@bp.route("/certifications")
@access.signed_in
def mine():
    today = clock.today()
    return render_template(
        "certification/mine.html",
        views=queries.certifications_of(current_user, today),
        today=today,
        confirm_form=ConfirmForm(),
        **_labels(),
    )


@bp.route("/certifications/<int:holder_id>")
@access.signed_in
def holder(holder_id: int):
    found = queries.holder(holder_id)
    if found is None or not found.employee.is_visible_to(current_user):
        abort(404)
    today = clock.today()
    return render_template(
        "certification/holder.html",
        history=queries.history_of(found, today),
        holder=found,
        own=found.employee_id == current_user.id,
        is_hr=current_user.has_role("hr", "admin"),
        today=today,
        confirm_form=ConfirmForm(),
        kind_labels=presenters.KIND_LABELS,
        reason_labels=presenters.REASON_LABELS,
        **_labels(),
    )


@bp.route("/certifications/<int:holder_id>/renew", methods=["POST"])
@access.signed_in
def renew(holder_id: int):
    found = queries.holder(holder_id)
    if found is None or found.employee_id != current_user.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    title = found.certification.display_title(locale_code())
    try:
        course_id = renewal.renew(found, now=clock.now())
    except CertificationError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(url_for(".mine"))
    db.session.commit()
    course = db.session.get(Course, course_id) if course_id else None
    if course is None:
        flash(_("%(title)s: there is no course left to take.", title=title), "info")
        return redirect(url_for(".mine"))
    flash(_("The renewal of %(title)s is open: complete its courses.", title=title), "success")
    return redirect(url_for("courses.course", slug=course.slug))
