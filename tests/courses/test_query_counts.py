"""The learner home, the catalogue and HR's enrolment list run the same number of SQL
statements with 5 and with 500 enrolments."""

from __future__ import annotations

from courses import enrolment
from lms import clock
from lms.extensions import db
from tests.conftest import login
from tests.test_query_counts import count_statements


def measure(client, url: str) -> int:
    with count_statements() as statements:
        response = client.get(url)
        assert response.status_code == 200, url
    return len(statements)


URLS = [
    "/",
    "/courses",
    "/courses?q=课程",
    "/courses/course-1",
    "/courses/course-1/lessons/lesson-1",
]


def test_learner_pages_are_bounded(app, make, catalogue):
    person = make.employee("amy")
    db.session.commit()
    client = app.test_client()
    login(client, "amy")

    def grow(n: int) -> None:
        for _ in range(n):
            course = catalogue.course(lessons=1)
            e = enrolment.enrol(
                person, course, now=clock.now(), due_on=clock.today() if _ % 2 else None
            )
            if _ % 3 == 0:
                enrolment.complete_lesson(e, course.current_version.lessons[0], now=clock.now())

    grow(5)
    measure(client, URLS[-1])  # the first visit of a lesson also records the start
    small = {url: measure(client, url) for url in URLS}
    grow(495)
    assert {url: measure(client, url) for url in URLS} == small


def test_hr_enrolment_list_is_bounded(app, make, catalogue):
    make.employee("hr", roles={"hr"})
    course = catalogue.course("big-course", lessons=2)
    db.session.commit()
    client = app.test_client()
    login(client, "hr")
    url = f"/manage/courses/{course.slug}/enrolments"

    def grow(n: int) -> None:
        team = make.team()
        for i in range(n):
            person = make.employee(team=team, password=None)
            e = enrolment.enrol(person, course, now=clock.now())
            if i % 2:
                enrolment.complete_lesson(e, course.current_version.lessons[0], now=clock.now())

    grow(5)
    small = measure(client, url)
    grow(495)
    assert measure(client, url) == small
