"""The in-app inbox: a person's notifications, newest first, and "mark all read"; and the
unread count for the navbar bell (a context processor: one COUNT, only when a template
asks for it, only for a signed-in person)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from lms import access, clock
from lms.extensions import db
from lms.forms import ConfirmForm
from lms.notifications import message
from lms.notifications.models import Notification

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
        db.session.execute(
            sa.update(Notification)
            .where(Notification.employee_id == current_user.id, Notification.read_at.is_(None))
            .values(read_at=clock.now())
        )
        db.session.commit()
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for(".index"))


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
