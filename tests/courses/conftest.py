"""Factories for the catalogue: ``catalogue.course(lessons=3)`` builds a published course."""

from __future__ import annotations

import pytest

from courses import services
from courses.models import Tier
from lms import clock
from lms.extensions import db


class CatalogueFactory:
    def __init__(self) -> None:
        self.n = 0
        self.tracks = {t.code: t for t in services.ensure_tracks()}

    def course(
        self,
        slug: str | None = None,
        *,
        lessons: int = 2,
        track: str = "product",
        tier: Tier = Tier.FOUNDATION,
        publish: bool = True,
        title: str | None = None,
        self_enrolment: bool = True,
        optional: int = 0,
    ):
        self.n += 1
        slug = slug or f"course-{self.n}"
        course = services.create_course(
            services.CourseFields(
                slug=slug,
                title=title or f"课程{self.n}",
                title_en=None if title else f"Course {self.n}",
                summary="简介",
                summary_en="Summary",
                track=self.tracks[track],
                tier=tier,
                estimated_minutes=10 * lessons,
                self_enrolment=self_enrolment,
            ),
            actor=None,
            now=clock.now(),
        )
        version = course.versions[0]
        module = services.save_module(version, None, "第一单元", "Unit 1")
        for i in range(lessons + optional):
            services.save_lesson(
                module,
                None,
                services.LessonFields(
                    key=f"lesson-{i + 1}",
                    title=f"课时{i + 1}",
                    title_en=None,
                    body=f"# 课时{i + 1}\n\n内容。",
                    minutes=10,
                    required=i < lessons,
                ),
            )
        if publish:
            services.publish(course, actor=None, now=clock.now())
        db.session.flush()
        return course


@pytest.fixture
def catalogue(app) -> CatalogueFactory:
    return CatalogueFactory()
