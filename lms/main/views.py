from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from courses.queries import learner_home
from lms import access, clock
from lms.accounts.forms import LanguageForm
from lms.extensions import db
from lms.main import queries
from lms.mentorship.queries import current_mentorship
from lms.security import is_safe_redirect

bp = Blueprint("main", __name__)


@bp.route("/")
@access.signed_in
def home():
    return render_template(
        "main/home.html",
        summary=queries.home_summary(current_user, clock.today()),
        learning=learner_home(current_user),
        my_mentorship=current_mentorship(current_user),
        today=clock.today(),
    )


@bp.route("/language", methods=["POST"])
@access.public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            current_user.locale = form.lang.data
            db.session.commit()
    target = form.next.data if is_safe_redirect(form.next.data) else url_for("main.home")
    return redirect(target)


@bp.route("/healthz")
@access.public
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = {"ok": True, "dialect": db.engine.dialect.name}
    except Exception as error:  # the health check reports, it never raises
        db.session.rollback()
        database = {"ok": False, "error": type(error).__name__}
    scheduler = queries.scheduler_state() if database["ok"] else None
    status = 200 if database["ok"] else 503
    body = {
        "status": "ok" if database["ok"] else "unavailable",
        "database": database,
        "scheduler": scheduler,
        "time": clock.now().isoformat(),
    }
    if request.args.get("verbose") is None:
        body.pop("time")
    return jsonify(body), status
