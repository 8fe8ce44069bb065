"""Succession: HR's key posts with how many candidates are ready, and each post's slate
(HR and admins only: the slates rank other people)."""

from __future__ import annotations

from flask import abort, render_template

from lms import access, clock
from lms.career import succession as slates
from lms.career.readiness import Horizon
from lms.career.views import bp


@bp.route("/succession", endpoint="succession")
@access.roles("hr", "admin")
def succession_index():
    return render_template("career/hr/succession.html", posts=slates.key_posts(clock.today()))


@bp.route("/succession/<int(max=2147483647):post_id>")
@access.roles("hr", "admin")
def slate(post_id: int):
    found = slates.slate(post_id, clock.today())
    if found is None:
        abort(404)
    return render_template(
        "career/hr/slate.html",
        slate=found,
        groups=[(h, found.by_horizon(h)) for h in (Horizon.NOW, Horizon.YEAR, Horizon.LATER)],
    )
