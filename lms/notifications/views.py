"""The in-app inbox: a person's notifications, newest first, marked read one by one or all
at once; the person's email preference; and the unread count for the navbar bell (a context
processor: one COUNT, only when a template asks for it, only for a signed-in person)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from lms import access, clock
from lms.extensions import db
from lms.forms import ConfirmForm
from lms.notifications import inbox, mail, message
from lms.notifications.forms import PreferencesForm
from lms.notifications.models import Notification
from lms.notifications.preferences import email_preference, set_email_preference

bp = Blueprint("notifications", __name__)


@bp.route("/notifications")
@access.signed_in
def index():
    page = db.paginate(
        sa.select(Notification)
        .where(Notification.employee_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    return render_template(
        "notifications/index.html", page=page, message=message, confirm_form=ConfirmForm()
    )


@bp.route("/notifications/read", methods=["POST"])
@access.signed_in
def mark_all_read():
    if ConfirmForm().validate_on_submit():
        inbox.mark_all_read(current_user, now=clock.now())
        db.session.commit()
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for(".index"))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@access.signed_in
def mark_read(notification_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not inbox.mark_read(current_user, notification_id, now=clock.now()):
        abort(404)
    db.session.commit()
    return redirect(url_for(".index", page=request.args.get("page", type=int)))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@access.signed_in
def preferences():
    form = PreferencesForm()
    if form.validate_on_submit():
        set_email_preference(current_user, form.email.data, now=clock.now())
        db.session.commit()
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for(".preferences"))
    if request.method == "GET":
        form.email.data = email_preference(current_user)
    return render_template(
        "notifications/preferences.html", form=form, email_enabled=mail.mail_enabled()
    )


class UnreadCount:
    """The signed-in person's unread notifications, counted on first use in a request (one
    COUNT on the ``(employee_id, read_at)`` index) — templates that never show the bell
    cost nothing. Behaves as an int in templates (``{% if %}``, ``{{ }}``, ``> 99``)."""

    def _value(self) -> int:
        if "_unread_notifications" not in g:
            try:
                count = db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(Notification)
                    .where(
                        Notification.employee_id == current_user.id,
                        Notification.read_at.is_(None),
                    )
                )
            except SQLAlchemyError:  # e.g. an error page after a failed transaction
                count = 0
            g._unread_notifications = count or 0
        return g._unread_notifications

    def __int__(self) -> int:
        return self._value()

    __index__ = __int__

    def __bool__(self) -> bool:
        return self._value() > 0

    def __str__(self) -> str:
        return str(self._value())

    def __eq__(self, other: object) -> bool:
        return self._value() == other

    def __hash__(self) -> int:
        return hash(self._value())

    def __lt__(self, other: int) -> bool:
        return self._value() < other

    def __gt__(self, other: int) -> bool:
        return self._value() > other

    def __le__(self, other: int) -> bool:
        return self._value() <= other

    def __ge__(self, other: int) -> bool:
        return self._value() >= other


def unread_context() -> dict:
    if not current_user or not current_user.is_authenticated:
        return {}
    return {"unread_notifications": UnreadCount()}
