"""Course packages: export and import as YAML + Markdown + attachments, all or nothing."""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Callable

import pytest
import sqlalchemy as sa
import yaml

from courses import attachments, enrolment, packages, prerequisites, services
from courses.markdown import render
from courses.models import (
    Attachment,
    Course,
    CoursePrerequisite,
    CourseStatus,
    CourseVersion,
    Curriculum,
    CurriculumCourse,
    Lesson,
    Module,
    Track,
    VersionStatus,
)
from lms import clock
from lms.extensions import db
from tests.conftest import csrf_token, login

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
VIDEO = "https://player.bilibili.com/player.html?bvid=BV1xx411c7mD"

COURSE_A = f"""\
slug: pkg-a
version: 1
title: 甲课程
title_en: Course A
summary: 简介
summary_en: Summary
track: product
tier: foundation
estimated_minutes: 20
self_enrolment: true
prerequisites: []
modules:
  - title: 第一单元
    title_en: Unit 1
    lessons:
      - key: intro
        title: 引言
        title_en: Introduction
        file: lessons/01-intro.md
        minutes: 10
        required: true
        video: {VIDEO}
        attachments: [attachments/guide.pdf]
      - key: practice
        title: 练习
        file: lessons/02-practice.md
        minutes: 10
        required: false
"""
COURSE_B = """\
slug: pkg-b
version: 1
title: 乙课程
track: {code: pkg-track, name: 新轨道, name_en: New track}
tier: advanced
prerequisites: [pkg-a]
modules:
  - title: 单元
    lessons:
      - key: only
        title: 唯一课时
        file: lessons/only.md
"""
CURRICULA = """\
curricula:
  - slug: pkg-path
    title: 路径
    title_en: Path
    due_days: 30
    courses: [pkg-a, pkg-b]
"""


def package() -> dict[str, bytes]:
    return {
        "pkg-a/course.yaml": COURSE_A.encode(),
        "pkg-a/lessons/01-intro.md": "# 引言\n\n欢迎。".encode(),
        "pkg-a/lessons/02-practice.md": "## 练习\n\n- 一\n- 二\n".encode(),
        "pkg-a/attachments/guide.pdf": PDF,
        "pkg-b/course.yaml": COURSE_B.encode(),
        "pkg-b/lessons/only.md": "内容".encode(),
        "curricula.yaml": CURRICULA.encode(),
    }


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    found = 0
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            found += 1
            if found == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in the text")


def counts() -> dict[str, int]:
    models = (
        Course,
        CourseVersion,
        Module,
        Lesson,
        Attachment,
        Track,
        CoursePrerequisite,
        Curriculum,
        CurriculumCourse,
    )
    return {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models
    }


def run(files: dict[str, bytes], **kwargs) -> packages.ImportResult:
    return packages.import_packages(files, actor=None, now=clock.now(), **kwargs)


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return buffer.getvalue()


# --- the good path -----------------------------------------------------------------------


def test_a_package_imports_courses_tracks_prerequisites_and_curricula(app):
    result = run(package())
    assert result.ok, result.problems
    assert sorted(result.created) == ["pkg-a", "pkg-b"]
    assert result.curricula_created == ["pkg-path"]
    a = services.course_by_slug("pkg-a")
    b = services.course_by_slug("pkg-b")
    assert a.status == CourseStatus.PUBLISHED and b.status == CourseStatus.PUBLISHED
    assert b.track.code == "pkg-track" and b.track.name_en == "New track"
    assert [c.slug for c in b.prerequisites] == ["pkg-a"]
    lessons = a.current_version.lessons
    assert [x.key for x in lessons] == ["intro", "practice"]
    assert lessons[0].video_url == VIDEO and lessons[1].required is False
    assert lessons[0].attachments[0].filename == "guide.pdf"
    assert b.current_version.estimated_minutes == 5  # the sum of its lessons' minutes
    path = db.session.scalar(sa.select(Curriculum).where(Curriculum.slug == "pkg-path"))
    assert [c.slug for c in path.courses] == ["pkg-a", "pkg-b"]


def test_drafts_when_asked(app):
    result = run(package(), publish=False)
    assert result.ok, result.problems
    course = services.course_by_slug("pkg-a")
    assert course.status == CourseStatus.DRAFT and course.current_version is None


def test_export_then_import_round_trips(app, catalogue, tmp_path):
    course = catalogue.course("round-trip", lessons=2, optional=1, publish=False)
    version = course.versions[0]
    first = version.lessons[0]
    first.video_url = VIDEO
    first.body = "# 标题\n\n正文 **加粗**\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    attachments.add_attachment(first, "checklist.pdf", PDF)
    attachments.add_attachment(version.lessons[2], "checklist.pdf", PDF + b"%other")
    services.publish(course, actor=None, now=clock.now(), note="第一版")
    db.session.flush()

    files = packages.export_course(course)
    assert "course.yaml" in files and "attachments/checklist.pdf" in files
    # the zip carries one top folder; read back it is the same files
    back = packages.read_zip(packages.to_zip(files, folder="round-trip"))
    assert back == {f"round-trip/{name}": data for name, data in files.items()}
    packages.write_folder(files, tmp_path / "out")
    assert packages.read_folder(tmp_path / "out") == files

    copy = dict(files)
    copy["course.yaml"] = files["course.yaml"].replace(b"slug: round-trip", b"slug: round-copy")
    result = run(copy)
    assert result.ok, result.problems
    assert result.created == ["round-copy"]
    imported = services.course_by_slug("round-copy")

    def outline(c: Course):
        v = c.current_version
        return (
            v.title,
            v.title_en,
            v.summary,
            v.estimated_minutes,
            c.tier,
            c.track_id,
            [(m.title, m.title_en) for m in v.modules],
            [
                (
                    x.key,
                    x.title,
                    x.title_en,
                    x.body,
                    x.minutes,
                    x.required,
                    x.video_url,
                    [(a.filename, a.sha256, a.size, a.content_type) for a in x.attachments],
                )
                for x in v.lessons
            ],
        )

    assert outline(imported) == outline(course)
    assert imported.current_version.change_note == "第一版"
    again = packages.export_course(imported)
    assert again["course.yaml"].replace(b"round-copy", b"round-trip") == files["course.yaml"]
    assert {k: v for k, v in again.items() if k != "course.yaml"} == {
        k: v for k, v in files.items() if k != "course.yaml"
    }


def test_export_takes_the_draft_when_nothing_is_published(app, catalogue):
    course = catalogue.course("draft-only", publish=False)
    doc = yaml.safe_load(packages.export_course(course)["course.yaml"])
    assert doc["slug"] == "draft-only" and doc["version"] == 1
    assert [x["key"] for x in doc["modules"][0]["lessons"]] == ["lesson-1", "lesson-2"]


def test_a_newer_version_makes_a_new_course_version_and_learners_keep_theirs(app, make):
    assert run(package()).ok
    course = services.course_by_slug("pkg-a")
    v1 = course.current_version
    started, waiting = make.employee(), make.employee()
    e1 = enrolment.enrol(started, course, now=clock.now())
    enrolment.complete_lesson(e1, v1.lessons[0], now=clock.now())
    e2 = enrolment.enrol(waiting, course, now=clock.now())

    newer = package()
    newer["pkg-a/course.yaml"] = (
        COURSE_A.replace("version: 1", "version: 2")
        .replace("prerequisites: []", "prerequisites: []\nchange_note: 更新了引言")
        .encode()
    )
    newer["pkg-a/lessons/01-intro.md"] = "# 引言\n\n新的内容。".encode()
    result = run(newer)
    assert result.ok, result.problems
    assert result.updated == ["pkg-a"] and result.skipped == ["pkg-b"]
    assert result.curricula_skipped == ["pkg-path"]
    db.session.refresh(course)
    v2 = course.current_version
    assert v2.number == 2 and v2.id != v1.id and v2.change_note == "更新了引言"
    assert v2.lessons[0].body == "# 引言\n\n新的内容。"
    assert v1.status == VersionStatus.RETIRED and v1.lessons[0].body == "# 引言\n\n欢迎。"
    db.session.refresh(e1)
    db.session.refresh(e2)
    assert e1.version_id == v1.id  # part-way through: keeps the version they started
    assert e2.version_id == v2.id  # not started: moves to the new one

    again = run(newer)
    assert again.ok and again.skipped == ["pkg-a", "pkg-b"] and not again.updated
    assert ("pkg-a", "already up to date") in again.outcomes()
    before = counts()
    assert run(package()).skipped == ["pkg-a", "pkg-b"]  # an older package changes nothing
    assert counts() == before


def test_a_newer_package_replaces_an_unpublished_draft(app):
    assert run(package()).ok
    course = services.course_by_slug("pkg-a")
    draft = services.draft_of(course, now=clock.now())
    services.save_module(draft, None, "手工单元", None)
    newer = package()
    newer[A] = COURSE_A.replace("version: 1", "version: 3").encode()
    result = run(newer)
    assert result.ok and result.updated == ["pkg-a"]
    db.session.refresh(course)
    assert course.current_version.number == 3
    assert [m.title for m in course.current_version.modules] == ["第一单元"]
    numbers = db.session.scalars(
        sa.select(CourseVersion.number).where(CourseVersion.course_id == course.id)
    )
    assert sorted(numbers) == [1, 3]


def test_a_changed_curriculum_is_updated(app):
    assert run(package()).ok
    changed = package()
    changed["curricula.yaml"] = (
        CURRICULA.replace("due_days: 30", "due_days: 60").replace(
            "[pkg-a, pkg-b]", "[pkg-b, pkg-a]"
        )
    ).encode()
    result = run(changed)
    assert result.ok and result.curricula_updated == ["pkg-path"]
    path = db.session.scalar(sa.select(Curriculum).where(Curriculum.slug == "pkg-path"))
    assert path.due_days == 60 and [c.slug for c in path.courses] == ["pkg-b", "pkg-a"]


# --- bad input: every problem named, nothing written ------------------------------------------

A, B = "pkg-a/course.yaml", "pkg-b/course.yaml"


def _edit(name: str, old: str, new: str) -> Callable[[dict, object], None]:
    def change(files: dict, _app: object) -> None:
        text = files[name].decode()
        assert old in text
        files[name] = text.replace(old, new, 1).encode()

    return change


def _set(name: str, data: bytes | None) -> Callable[[dict, object], None]:
    def change(files: dict, _app: object) -> None:
        if data is None:
            del files[name]
        else:
            files[name] = data

    return change


def _too_big(files: dict, app) -> None:
    app.config["ATTACHMENT_MAX_MB"] = 1
    files["pkg-a/attachments/guide.pdf"] = PDF + b"0" * (1024 * 1024)


def _exe(files: dict, _app) -> None:
    _edit(A, "attachments/guide.pdf", "attachments/guide.exe")(files, _app)
    files["pkg-a/attachments/guide.exe"] = b"MZ\x90\x00"


BAD = {
    "yaml syntax": (_edit(A, "tier: foundation", "tier: foundation: x"), A, "tier:", "YAML"),
    "missing key": (_edit(A, "tier: foundation\n", ""), A, 1, "“tier” is required"),
    "wrong type": (_edit(A, "version: 1", "version: one"), A, "version:", "whole number"),
    "wrong bool": (_edit(A, "required: false", "required: 0"), A, "required: 0", "true or false"),
    "unknown key": (_edit(A, "required: false", "requried: false"), A, "requried", "Unknown key"),
    "unknown track": (_edit(A, "track: product", "track: nosuch"), A, "track:", "Unknown track"),
    "unknown tier": (_edit(A, "tier: foundation", "tier: expert"), A, "tier:", "Unknown tier"),
    "lesson missing": (
        _set("pkg-a/lessons/02-practice.md", None),
        A,
        "file: lessons/02-practice.md",
        "is missing",
    ),
    "lesson outside": (
        _edit(A, "file: lessons/02-practice.md", "file: ../pkg-b/lessons/only.md"),
        A,
        "file: ../pkg-b",
        "not allowed",
    ),
    "duplicate key": (_edit(A, "key: practice", "key: intro"), A, ("key: intro", 2), "Duplicate"),
    "video host": (
        _edit(A, VIDEO, "https://evil.example.com/v.mp4"),
        A,
        "video:",
        "Videos may only",
    ),
    "attachment missing": (
        _set("pkg-a/attachments/guide.pdf", None),
        A,
        "attachments:",
        "is missing",
    ),
    "attachment magic": (
        _set("pkg-a/attachments/guide.pdf", b"MZ\x90\x00not a pdf"),
        "pkg-a/attachments/guide.pdf",
        None,
        "does not match",
    ),
    "attachment type": (_exe, "pkg-a/attachments/guide.exe", None, "Attach PDF"),
    "attachment size": (_too_big, "pkg-a/attachments/guide.pdf", None, "larger than 1 MB"),
    "not utf-8 lesson": (
        _set("pkg-a/lessons/01-intro.md", "# 引言\n\n欢迎".encode("gb18030")),
        "pkg-a/lessons/01-intro.md",
        1,
        "not UTF-8",
    ),
    "not utf-8 yaml": (
        _set(B, COURSE_B.encode("gb18030")),
        B,
        3,
        "not UTF-8",
    ),
    "unknown prerequisite": (
        _edit(B, "[pkg-a]", "[pkg-a, nowhere]"),
        B,
        "prerequisites:",
        "does not exist",
    ),
    "prerequisite cycle": (
        _edit(A, "prerequisites: []", "prerequisites: [pkg-b]"),
        A,
        None,
        "cycle",
    ),
    "curriculum course": (
        _edit("curricula.yaml", "[pkg-a, pkg-b]", "[pkg-a, nowhere]"),
        "curricula.yaml",
        "courses:",
        "does not exist",
    ),
    "curricula not a list": (
        _set("curricula.yaml", b"curricula: 3\n"),
        "curricula.yaml",
        1,
        "must be a list",
    ),
    "no lessons": (
        _set(B, COURSE_B.split("modules:")[0].encode() + b"modules: []\n"),
        B,
        "modules:",
        "at least one lesson",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_reported_and_nothing_is_written(app, case):
    change, file, line, message = BAD[case]
    files = package()
    change(files, app)
    before = counts()
    result = run(files)
    assert not result.ok
    matching = [p for p in result.problems if p.file == file and message in p.message]
    assert matching, result.problems
    if isinstance(line, str):
        line = line_of(files[file].decode(), line)
    elif isinstance(line, tuple):
        line = line_of(files[file].decode(), *line)
    if line is not None:
        assert matching[0].line == line, matching
    assert counts() == before
    assert not result.created and not result.curricula_created


def test_every_problem_is_reported_at_once(app):
    files = package()
    _edit(A, "tier: foundation", "tier: expert")(files, app)
    _edit(B, "[pkg-a]", "[nowhere]")(files, app)
    _set("pkg-a/lessons/02-practice.md", None)(files, app)
    result = run(files)
    assert len(result.problems) == 3, result.problems
    assert [str(p).split(":")[0] for p in result.problems] == [A, A, B]


def test_a_cycle_through_the_database_is_refused(app, catalogue):
    first = catalogue.course("first")
    second = catalogue.course("second")
    prerequisites.set_prerequisites(second, [first])
    files = {
        "course.yaml": COURSE_B.replace("pkg-b", "first")
        .replace("[pkg-a]", "[second]")
        .replace("version: 1", "version: 2")
        .encode(),
        "lessons/only.md": b"x",
    }
    before = counts()
    result = run(files)
    assert [p.file for p in result.problems] == ["course.yaml"]
    assert "first → second → first" in result.problems[0].message
    assert counts() == before


def test_a_yaml_error_names_file_and_line_in_a_single_course_zip(app):
    data = zipped({"my-course/course.yaml": b"slug: x\n  bad indent: [\n", "my-course/x.md": b""})
    result = packages.import_archive(data, "x.zip", actor=None, now=clock.now())
    assert result.problems[0].file == "my-course/course.yaml"
    assert result.problems[0].line is not None
    assert str(result.problems[0]).startswith(f"my-course/course.yaml:{result.problems[0].line}: ")


# --- unsafe archives and folders ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["../evil.md", "/etc/passwd", "a/../../b", "a\\..\\b.md", "C:/evil.md", "a//b"]
)
def test_path_traversal_is_refused(app, name):
    entries = {f"pkg-a/{k.removeprefix('pkg-a/')}": v for k, v in package().items()}
    entries[name] = b"evil"
    data = zipped(entries)
    with pytest.raises(packages.PackageError) as caught:
        packages.read_zip(data)
    assert [p.file for p in caught.value.problems] == [name]
    before = counts()
    result = packages.import_archive(data, "evil.zip", actor=None, now=clock.now())
    assert not result.ok and result.problems[0].file == name
    assert counts() == before


def test_traversal_in_a_files_mapping_is_refused_too(app):
    files = package()
    files["../evil.md"] = b"x"
    result = run(files)
    assert any(p.file == "../evil.md" for p in result.problems)


def test_symbolic_links_are_refused(app, tmp_path):
    info = zipfile.ZipInfo("pkg/link.md")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(packages.PackageError, match="Symbolic links"):
        packages.read_zip(buffer.getvalue())

    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "course.yaml").write_text("slug: x\n", encoding="utf-8")
    (folder / "lessons.md").symlink_to("/etc/passwd")
    with pytest.raises(packages.PackageError) as caught:
        packages.read_folder(folder)
    assert [p.file for p in caught.value.problems] == ["lessons.md"]


def test_zip_bombs_are_refused(app):
    many = zipped({f"pkg/f{i}.md": b"" for i in range(packages.MAX_FILES + 1)})
    with pytest.raises(packages.PackageError, match="more than 2000 files"):
        packages.read_zip(many)

    buffer = io.BytesIO()
    chunk = b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("pkg/huge.md", "w", force_zip64=True) as handle,
    ):
        for _ in range(packages.MAX_TOTAL_BYTES // len(chunk) + 1):
            handle.write(chunk)
    assert len(buffer.getvalue()) < 1024 * 1024  # small on the wire, huge unpacked
    with pytest.raises(packages.PackageError, match="more than 50 MB"):
        packages.read_zip(buffer.getvalue(), "bomb.zip")
    before = counts()
    result = packages.import_archive(buffer.getvalue(), "bomb.zip", actor=None, now=clock.now())
    assert result.problems[0].file == "bomb.zip" and counts() == before


def test_not_a_zip(app):
    result = packages.import_archive(b"hello", "x.zip", actor=None, now=clock.now())
    assert result.problems == [packages.Problem("x.zip", None, "This is not a valid zip file.")]


# --- the command line -------------------------------------------------------------------------


def _write(tmp_path, files: dict[str, bytes]):
    root = tmp_path / "package"
    packages.write_folder(files, root)
    return root


def test_cli_export_and_import(app, runner, catalogue, tmp_path):
    catalogue.course("cli-course")
    db.session.commit()
    result = runner.invoke(args=["course", "export", "cli-course", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "course.yaml").is_file()
    result = runner.invoke(args=["course", "export", "cli-course", str(tmp_path / "out.zip")])
    assert result.exit_code == 0, result.output
    assert "cli-course/course.yaml" in zipfile.ZipFile(tmp_path / "out.zip").namelist()
    result = runner.invoke(args=["course", "export", "nowhere", str(tmp_path / "x.zip")])
    assert result.exit_code != 0 and "No course" in result.output

    # the same version again: skipped
    result = runner.invoke(args=["course", "import", str(tmp_path / "out.zip")])
    assert result.exit_code == 0, result.output
    assert "cli-course: already up to date" in result.output

    bad = package()
    _edit(A, "tier: foundation", "tier: expert")(bad, app)
    before = counts()
    result = runner.invoke(args=["course", "import", str(_write(tmp_path, bad))])
    assert result.exit_code != 0
    assert f"{A}:{line_of(bad[A].decode(), 'tier:')}: Unknown tier" in result.output
    assert "Nothing was imported" in result.output
    db.session.rollback()
    assert counts() == before

    good = tmp_path / "good.zip"
    good.write_bytes(packages.to_zip(package(), folder="library"))
    result = runner.invoke(args=["course", "import", str(good), "--draft"])
    assert result.exit_code == 0, result.output
    assert "pkg-a: created" in result.output and "pkg-path: curriculum created" in result.output
    db.session.rollback()
    assert services.course_by_slug("pkg-a").status == CourseStatus.DRAFT


# --- the HR page ----------------------------------------------------------------------------------


def test_upload_page(app, client, make, catalogue):
    make.employee("hr", roles={"hr"})
    make.employee("agent")
    catalogue.course("web-course")
    db.session.commit()
    login(client, "agent")
    assert client.get("/manage/packages/import").status_code == 403
    assert client.get("/manage/courses/web-course/export.zip").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    login(client, "hr")
    page = client.get("/manage/packages/import")
    assert page.status_code == 200 and "Import course packages" in page.get_data(as_text=True)

    bad = package()
    _set("pkg-a/lessons/02-practice.md", None)(bad, app)
    before = counts()
    response = client.post(
        "/manage/packages/import",
        data={
            "csrf_token": csrf_token(client, "/manage/packages/import"),
            "file": (io.BytesIO(packages.to_zip(bad)), "bad.zip"),
            "mode": "publish",
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nothing was imported" in html
    assert "pkg-a/course.yaml" in html and "lessons/02-practice.md is missing" in html
    assert counts() == before

    response = client.post(
        "/manage/packages/import",
        data={
            "csrf_token": csrf_token(client, "/manage/packages/import"),
            "file": (io.BytesIO(packages.to_zip(package())), "good.zip"),
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Import complete" in html, html
    assert "pkg-a" in html and "pkg-path" in html
    assert services.course_by_slug("pkg-a").status == CourseStatus.PUBLISHED

    response = client.post(
        "/manage/packages/import",
        data={
            "csrf_token": csrf_token(client, "/manage/packages/import"),
            "file": (io.BytesIO(b"x"), "notes.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and "Upload a .zip file" in response.get_data(as_text=True)

    response = client.get("/manage/courses/web-course/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == "attachment; filename=web-course.zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "web-course/course.yaml" in names
    assert client.get("/manage/courses/nowhere/export.zip").status_code == 404


def test_export_statements_do_not_grow_with_lessons(app, client, make, catalogue):
    from sqlalchemy import event

    make.employee("hr", roles={"hr"})
    small, large = catalogue.course("small", lessons=1), catalogue.course("large", lessons=12)
    for course in (small, large):
        draft = services.draft_of(course, now=clock.now())
        for lesson in draft.lessons:
            attachments.add_attachment(lesson, "a.pdf", PDF + lesson.key.encode())
        services.publish(course, actor=None, now=clock.now())
    db.session.commit()
    login(client, "hr")

    def measure(slug: str) -> int:
        statements: list[str] = []

        def before(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            assert client.get(f"/manage/courses/{slug}/export.zip").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        return len(statements)

    assert measure("small") == measure("large") <= 15


# --- the starter library ----------------------------------------------------------------------


def test_the_starter_library_imports_cleanly(app, runner):
    if not (packages.LIBRARY / "curricula.yaml").is_file() and not any(
        packages.LIBRARY.glob("*/course.yaml")
    ):
        pytest.skip("courses/library/ is not there yet")
    result = packages.import_library(clock.now())
    assert result.ok, "\n".join(str(p) for p in result.problems)
    files = packages.read_folder(packages.LIBRARY)
    slugs = sorted(
        yaml.safe_load(data)["slug"]
        for name, data in files.items()
        if name.endswith("/course.yaml")
    )
    assert sorted(result.created) == slugs
    for slug in slugs:
        course = services.course_by_slug(slug)
        assert course.status == CourseStatus.PUBLISHED and course.current_version is not None
        for lesson in course.current_version.lessons:
            html = render(lesson.body)
            assert str(html).strip(), (slug, lesson.key)
    if "curricula.yaml" in files:
        wanted = yaml.safe_load(files["curricula.yaml"])["curricula"]
        for item in wanted:
            curriculum = db.session.scalar(
                sa.select(Curriculum).where(Curriculum.slug == item["slug"])
            )
            assert curriculum is not None
            assert [c.slug for c in curriculum.courses] == item["courses"]
    db.session.commit()
    again = runner.invoke(args=["course", "import-library"])
    assert again.exit_code == 0, again.output
    assert "already up to date" in again.output
