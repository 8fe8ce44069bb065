"""The learner's certification pages through HTTP: the list with derived states and days
left, renewing, and a holder's full history (seen by the holder, their lead and HR)."""

from __future__ import annotations

import datetime as dt
import html
import re

import sqlalchemy as sa

from courses.models import Enrolment
from lms import clock
from lms.certification import services
from lms.certification.models import (
    CertificationCycle,
    CycleCourse,
    CycleKind,
    EnrolmentHistory,
    PersonCertification,
    Standing,
)
from lms.extensions import db
from tests.certification.conftest import T0, at, complete, run
from tests.conftest import csrf_from, login
from tests.test_query_counts import count_statements

D = dt.date


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def sections(page: str) -> dict[int, str]:
    """Holder id → the HTML of its card on /certifications."""
    parts = re.split(r'(?=<section class="card[^"]*" data-holder=")', page)
    found = {}
    for part in parts[1:]:
        holder_id = int(re.search(r'data-holder="(\d+)"', part).group(1))
        found[holder_id] = part.split("</section>")[0]
    return found


def holder_of(person, certification) -> PersonCertification:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(PersonCertification).where(
            PersonCertification.employee_id == person.id,
            PersonCertification.certification_id == certification.id,
        )
    )


def certified_person(make, certs, supervisor=None):
    """A person certified on 10 Jan 2027 (expires 10 Apr, window from 11 Mar) and also
    assigned a second certification they have not started."""
    certification = certs.certification(active_months=3, window_days=30, expiry_base="expiry")
    pending = certs.certification(title_en="Pending certification")
    person = make.employee("amy", supervisor=supervisor)
    for c in (certification, pending):
        services.assign(c, employee_ids=[person.id], actor=None, now=T0)
    db.session.commit()
    complete(person, certification.courses[0].course, at(D(2027, 1, 10)))
    return person, certification, pending


def test_list_shows_states_expiry_days_left_and_renew_only_when_open(make, certs, sign_in):
    person, certification, pending = certified_person(make, certs)
    mine, other = holder_of(person, certification), holder_of(person, pending)
    client = sign_in(person)

    with clock.frozen(at(D(2027, 2, 1))):
        cards = sections(text(client.get("/certifications")))
    assert 'data-state="certified"' in cards[mine.id]
    assert "Apr 10, 2027" in cards[mine.id] and "Jan 10, 2027" in cards[mine.id]
    assert "Expires in 68 days" in cards[mine.id]
    assert 'data-testid="renew"' not in cards[mine.id]
    assert "You can renew from Mar 11, 2027." in cards[mine.id]
    assert 'data-state="assigned"' in cards[other.id]
    assert 'data-testid="renew"' not in cards[other.id]
    assert f"/courses/{pending.courses[0].course.slug}" in cards[other.id]

    started = db.session.scalar(
        sa.select(Enrolment).where(Enrolment.course_id == pending.courses[0].course_id)
    )
    started.started_at = at(D(2027, 2, 2))
    db.session.commit()

    with clock.frozen(at(D(2027, 3, 20))):  # the window is open though no sweep ran
        cards = sections(text(client.get("/certifications")))
    assert 'data-state="due"' in cards[mine.id] and "Expires in 21 days" in cards[mine.id]
    assert 'data-state="in_progress"' in cards[other.id]
    assert 'data-testid="renew"' in cards[mine.id]
    assert 'data-testid="renew"' not in cards[other.id]

    with clock.frozen(at(D(2027, 4, 12))):
        page = text(client.get("/certifications"))
    cards = sections(page)
    assert 'data-state="expired"' in cards[mine.id] and "Expired 2 days ago" in cards[mine.id]
    assert 'data-testid="renew"' in cards[mine.id]
    assert page.index(f'data-holder="{mine.id}"') < page.index(f'data-holder="{other.id}"')


def test_empty_list_says_what_to_do(make, sign_in):
    client = sign_in(make.employee("amy"))
    page = text(client.get("/certifications"))
    assert 'data-testid="no-certifications"' in page and "/courses" in page


def test_renew_opens_the_renewal_and_goes_to_the_course(make, certs, sign_in):
    person, certification, _pending = certified_person(make, certs)
    course = certification.courses[0].course
    holder_id = holder_of(person, certification).id
    client = sign_in(person)
    with clock.frozen(at(D(2027, 3, 1))):  # before the window: refused with a message
        token = csrf_from(client.get("/certifications").get_data(as_text=True))
        early = client.post(f"/certifications/{holder_id}/renew", data={"csrf_token": token})
        assert early.status_code == 302 and early.location.endswith("/certifications")
        assert "The renewal window opens on 2027-03-11." in text(client.get("/certifications"))
    assert holder_of(person, certification).status == Standing.CERTIFIED

    with clock.frozen(at(D(2027, 3, 20))):
        token = csrf_from(client.get("/certifications").get_data(as_text=True))
        response = client.post(f"/certifications/{holder_id}/renew", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.location.endswith(f"/courses/{course.slug}")
    holder = holder_of(person, certification)
    assert (holder.status, holder.cycle_number) == (Standing.DUE, 2)
    enrolment = db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.employee_id == person.id, Enrolment.course_id == course.id
        )
    )
    assert enrolment.completed_at is None and enrolment.reopened_at is not None


def test_renew_of_another_persons_holder_is_404(make, certs, sign_in):
    person, certification, _pending = certified_person(make, certs)
    holder_id = holder_of(person, certification).id
    client = sign_in(make.employee("bob", roles={"hr"}))  # not even HR may renew for them
    with clock.frozen(at(D(2027, 3, 20))):
        token = csrf_from(client.get("/certifications").get_data(as_text=True))
        response = client.post(f"/certifications/{holder_id}/renew", data={"csrf_token": token})
        assert response.status_code == 404
        missing = client.post("/certifications/999999/renew", data={"csrf_token": token})
        assert missing.status_code == 404
    assert holder_of(person, certification).status == Standing.CERTIFIED


def test_holder_detail_shows_every_cycle_and_the_archived_completion(make, certs, sign_in, app):
    lead = make.employee("lead", roles={"supervisor"})
    person, certification, _pending = certified_person(make, certs, supervisor=lead)
    course = certification.courses[0].course
    run(at(D(2027, 3, 11)))  # the window opens: cycle 2, the first completion archived
    complete(person, course, at(D(2027, 3, 20)))
    holder = holder_of(person, certification)
    assert [c.completed_on for c in holder.cycles] == [D(2027, 1, 10), D(2027, 3, 20)]
    counted = db.session.scalar(
        sa.select(CycleCourse).where(CycleCourse.cycle_id == holder.cycles[1].id)
    )
    counted.attempt_ids = [4242]
    db.session.commit()
    url = f"/certifications/{holder.id}"

    with clock.frozen(at(D(2027, 3, 21))):
        page = text(sign_in(person).get(url))
    assert 'data-cycle="1"' in page and 'data-cycle="2"' in page
    assert "Jan 10, 2027" in page and "Mar 20, 2027" in page
    assert "Renewal window opened" in page
    assert 'data-testid="archived"' in page
    archived = page.split('data-testid="archived"')[1].split("</table>")[0]
    assert "1/10/27" in archived  # the first completion, as it stood before the renewal
    assert "/attempts/4242/review" in page  # one's own attempts link to their review

    for viewer, status in (
        (lead, 200),
        (make.employee("hr", roles={"hr"}), 200),
        (make.employee("eve"), 404),
        (make.employee("otherlead", roles={"supervisor"}), 404),
    ):
        response = _signed_in(app, viewer).get(url)
        assert response.status_code == status, viewer.username
        if status == 200:
            assert "/attempts/4242/review" not in text(response)
            assert 'data-cycle="2"' in text(response)


def _signed_in(app, person):
    db.session.commit()
    client = app.test_client()
    assert login(client, person.username).status_code == 302
    return client


def _measure(client, url: str) -> int:
    with count_statements() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_learner_list_statements_do_not_grow_with_certifications(make, certs, sign_in):
    person = make.employee("amy")
    client = sign_in(person)

    def grow(n: int) -> None:
        for _ in range(n):
            c = certs.certification(active_months=3, window_days=30, expiry_base="expiry")
            services.assign(c, employee_ids=[person.id], actor=None, now=T0)
            db.session.commit()
            complete(person, c.courses[0].course, at(D(2027, 1, 10)))

    with clock.frozen(at(D(2027, 3, 20))):
        grow(1)
        _measure(client, "/certifications")
        one = _measure(client, "/certifications")
        grow(4)
        page = text(client.get("/certifications"))
        assert page.count('data-testid="renew"') == 5
        assert _measure(client, "/certifications") == one
    assert one <= 12


def _add_cycles(holder: PersonCertification, course, enrolment: Enrolment, upto: int) -> None:
    """Renewal cycles 2..upto with a counted course and an archived enrolment each."""
    for number in range(holder.cycle_number + 1, upto + 1):
        opened = at(D(2027, 1, 1) + dt.timedelta(days=30 * number))
        cycle = CertificationCycle(
            holder_id=holder.id,
            number=number,
            kind=CycleKind.RENEWAL,
            reason="window",
            opened_at=opened,
            completed_on=opened.date(),
            expires_on=opened.date() + dt.timedelta(days=90),
        )
        db.session.add(cycle)
        db.session.flush()
        db.session.add(
            CycleCourse(
                cycle_id=cycle.id,
                course_id=course.id,
                enrolment_id=enrolment.id,
                version_id=course.current_version_id,
                completed_at=opened,
                attempt_ids=[number],
            )
        )
        db.session.add(
            EnrolmentHistory(
                enrolment_id=enrolment.id,
                cycle_id=cycle.id,
                employee_id=holder.employee_id,
                course_id=course.id,
                version_id=course.current_version_id,
                started_at=opened,
                completed_at=opened,
                archived_at=opened,
            )
        )
    holder.cycle_number = upto
    db.session.commit()


def test_holder_detail_statements_do_not_grow_with_cycles(make, certs, sign_in):
    person, certification, _pending = certified_person(make, certs)
    course = certification.courses[0].course
    holder = holder_of(person, certification)
    enrolment = db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.employee_id == person.id, Enrolment.course_id == course.id
        )
    )
    _add_cycles(holder, course, enrolment, 1)
    client = sign_in(person)
    url = f"/certifications/{holder.id}"
    with clock.frozen(at(D(2027, 2, 1))):
        _measure(client, url)
        one = _measure(client, url)
        _add_cycles(holder_of(person, certification), course, enrolment, 6)
        page = text(client.get(url))
        assert all(f'data-cycle="{n}"' in page for n in range(1, 7))
        assert page.count("<tr>") > 10
        assert _measure(client, url) == one
    assert one <= 16
