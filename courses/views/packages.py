"""Routes of the catalogue blueprint (packages): import course packages, export a course."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courses import packages, services
from courses.forms.packages import PackageImportForm
from courses.views import bp
from lms import access, clock
from lms.extensions import db

HR = ("hr", "admin")


@bp.route("/manage/packages/import", methods=["GET", "POST"])
@access.roles(*HR)
def package_import():
    form = PackageImportForm()
    result = None
    if form.validate_on_submit():
        upload = form.file.data
        result = packages.import_archive(
            upload.read(),
            upload.filename or "package.zip",
            actor=current_user,
            now=clock.now(),
            publish=form.mode.data == "publish",
        )
        if result.ok:
            db.session.commit()
        else:
            db.session.rollback()
    return render_template("courses/manage/package_import.html", form=form, result=result)


@bp.route("/manage/courses/<slug>/export.zip")
@access.roles(*HR)
def package_export(slug: str):
    course = services.course_by_slug(slug)
    if course is None:
        abort(404)
    try:
        data = packages.to_zip(packages.export_course(course), folder=course.slug)
    except packages.PackageError as error:
        flash(_("The course cannot be exported: %(e)s", e=str(error)), "danger")
        return redirect(url_for("courses.package_import"))
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f"attachment; filename={course.slug}.zip"},
    )
