"""Writes and rules for the organisation: people, departments, teams and posts.

The admin form, the JSON API, the CSV/XLSX import and the demo data all come through here.
Every function flushes; the caller commits once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.accounts import services as accounts
from lms.accounts.models import ApiToken
from lms.extensions import db
from lms.organisation import events
from lms.organisation.fields import FieldError
from lms.organisation.models import (
    Department,
    Employee,
    EmployeeStatus,
    Post,
    PostChange,
    Team,
)


class OrganisationError(ValueError):
    """A rule was broken. ``field`` names the input at fault, when there is one."""

    def __init__(self, message: str, field: str | None = None, *, conflict: bool = False):
        super().__init__(message)
        self.field = field
        self.conflict = conflict  # the value clashes with an existing record


@dataclass
class References:
    """Teams, posts and people looked up by the names an import or API call uses."""

    teams: dict[str, Team] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)
    people: dict[str, Employee] = field(default_factory=dict)

    @classmethod
    def load(cls, employee_nos: Iterable[str] = ()) -> References:
        refs = cls()
        for team in db.session.scalars(sa.select(Team)):
            for key in (team.name, team.name_en):
                if key:
                    refs.teams.setdefault(key.lower(), team)
        for post in db.session.scalars(sa.select(Post)):
            for key in (post.title, post.title_en):
                if key:
                    refs.posts.setdefault(key.lower(), post)
        wanted = sorted(set(employee_nos))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for person in db.session.scalars(
                sa.select(Employee).where(Employee.employee_no.in_(chunk))
            ):
                refs.people[person.employee_no] = person
        return refs

    def team(self, name: str | None) -> Team | None:
        if name is None:
            return None
        team = self.teams.get(name.lower())
        if team is None:
            raise FieldError(_("Unknown team “%(v)s”.", v=name))
        return team

    def post(self, title: str | None) -> Post | None:
        if title is None:
            return None
        post = self.posts.get(title.lower())
        if post is None:
            raise FieldError(_("Unknown post “%(v)s”.", v=title))
        return post


def _check_unique(column: Any, value: Any, person: Employee | None, message: Any, name: str):
    if value is None:
        return
    query = sa.select(Employee.id).where(column == value)
    if person is not None and person.id is not None:
        query = query.where(Employee.id != person.id)
    if db.session.scalar(query.limit(1)) is not None:
        raise OrganisationError(str(message), name, conflict=True)


def _record_post_change(
    person: Employee, new_post: Post | None, actor: Employee | None, now: dt.datetime, source: str
) -> None:
    db.session.add(
        PostChange(
            employee=person,
            from_post_id=person.post_id,
            to_post_id=new_post.id if new_post else None,
            changed_at=now,
            changed_by_id=actor.id if actor else None,
            source=source,
        )
    )


def apply_values(
    person: Employee,
    values: dict[str, Any],
    *,
    refs: References,
    actor: Employee | None,
    now: dt.datetime,
    source: str = "manual",
) -> dict[str, bool]:
    """Apply parsed field values to ``person`` (new or existing). Returns what changed.

    Absent keys are left as they are. Raises OrganisationError for broken rules.
    """
    changed = {"post": False, "status": False, "standing": False, "any": False}
    creating = person.id is None

    if "employee_no" in values and values["employee_no"] != person.employee_no:
        _check_unique(
            Employee.employee_no,
            values["employee_no"],
            person,
            _l("Employee number %(v)s is already in use.", v=values["employee_no"]),
            "employee_no",
        )
    if values.get("email"):
        _check_unique(
            Employee.email,
            values["email"],
            person,
            _l("The e-mail address %(v)s is already in use.", v=values["email"]),
            "email",
        )
    if values.get("username"):
        _check_unique(
            Employee.username,
            values["username"],
            person,
            _l("The username %(v)s is already taken.", v=values["username"]),
            "username",
        )

    if "hire_date" in values and values["hire_date"] > now.date() + dt.timedelta(days=366):
        raise OrganisationError(_("The hire date is more than a year away."), "hire_date")

    try:
        team = refs.team(values["team"]) if "team" in values else person.team
    except FieldError as error:
        raise OrganisationError(str(error), "team") from None
    try:
        post = refs.post(values["post"]) if "post" in values else person.post
    except FieldError as error:
        raise OrganisationError(str(error), "post") from None

    supervisor = person.supervisor
    if "supervisor" in values:
        number = values["supervisor"]
        if number is None:
            supervisor = None
        elif number == values.get("employee_no", person.employee_no):
            raise OrganisationError(_("Nobody can be their own supervisor."), "supervisor")
        else:
            supervisor = refs.people.get(number) or db.session.scalar(
                sa.select(Employee).where(Employee.employee_no == number)
            )
            if supervisor is None:
                raise OrganisationError(
                    _("Unknown supervisor employee number “%(v)s”.", v=number), "supervisor"
                )

    simple = (
        "employee_no",
        "name",
        "email",
        "phone",
        "hire_date",
        "locale",
        "timezone",
        "shift",
        "on_improvement_plan",
        "username",
    )
    for key in simple:
        if key in values and getattr(person, key) != values[key]:
            setattr(person, key, values[key])
            changed["any"] = True
            if key == "on_improvement_plan":
                changed["standing"] = not creating

    if post is not person.post or (creating and post is not None):
        _record_post_change(person, post, actor, now, source)
        changed["post"] = not creating
        changed["any"] = True
        person.post = post
    if team is not person.team:
        person.team = team
        changed["any"] = True
    if supervisor is not person.supervisor:
        person.supervisor = supervisor
        changed["any"] = True

    if "status" in values and values["status"] != person.status:
        _set_status(person, values["status"], now)
        changed["status"] = not creating
        changed["any"] = True

    if "roles" in values and values["roles"] != person.roles:
        person.set_roles(values["roles"])
        changed["standing"] = not creating
        changed["any"] = True
    elif creating:
        person.set_roles({"employee"})
    return changed


def _set_status(person: Employee, status: EmployeeStatus, now: dt.datetime) -> None:
    person.status = status
    if status == EmployeeStatus.LEFT:
        person.left_on = person.left_on or now.date()
        if person.id is not None:
            _end_access(person, now)
    else:
        person.left_on = None


def _end_access(person: Employee, now: dt.datetime) -> None:
    accounts.end_all_sessions(person)
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.employee_id == person.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def create_employee(
    values: dict[str, Any],
    *,
    actor: Employee | None,
    now: dt.datetime,
    refs: References | None = None,
    source: str = "manual",
) -> Employee:
    """Create a person (their account has no password until ``give_initial_password``)."""
    for name in ("employee_no", "name", "hire_date"):
        if values.get(name) in (None, ""):
            raise OrganisationError(_("This field is required."), name)
    person = Employee(status=EmployeeStatus.ONBOARDING, locale="zh_CN", timezone="Asia/Shanghai")
    values = {k: v for k, v in values.items() if k != "initial_password"}
    apply_values(
        person, values, refs=refs or References.load(), actor=actor, now=now, source=source
    )
    db.session.add(person)
    db.session.flush()
    return person


def give_initial_password(person: Employee, password: str | None) -> str:
    """Set the first password of an account; it must be changed at first sign-in."""
    password = password or accounts.generate_initial_password()
    try:
        accounts.validate_new_password(person, password)
    except accounts.AccountError as error:
        raise OrganisationError(str(error), "initial_password") from None
    person.password_hash = accounts.hash_password(password)
    person.must_change_password = True
    db.session.flush()
    return password


def announce(
    created: list[int],
    post_changed: list[int],
    status_changed: list[int],
    now: dt.datetime,
    standing_changed: list[int] | None = None,
) -> None:
    """Tell listening capabilities, set-wise, who joined, moved, changed status, or had
    their roles or improvement-plan flag changed."""
    if created:
        events.employees_created.send(None, employee_ids=created, now=now)
    if post_changed:
        events.employees_post_changed.send(None, employee_ids=post_changed, now=now)
    if status_changed:
        events.employees_status_changed.send(None, employee_ids=status_changed, now=now)
    if standing_changed:
        events.employees_standing_changed.send(None, employee_ids=standing_changed, now=now)


def save_employee(
    person: Employee | None,
    values: dict[str, Any],
    *,
    actor: Employee | None,
    now: dt.datetime,
    source: str = "manual",
) -> tuple[Employee, str | None]:
    """Create (``person`` None) or update one person and announce it. The form and the API
    call this; the bulk import uses the same pieces set-wise."""
    refs = References.load([values["supervisor"]] if values.get("supervisor") else [])
    if person is None:
        person = create_employee(values, actor=actor, now=now, refs=refs, source=source)
        password = give_initial_password(person, values.get("initial_password"))
        announce([person.id], [], [], now)
        return person, password
    changed = apply_values(person, values, refs=refs, actor=actor, now=now, source=source)
    db.session.flush()
    announce(
        [],
        [person.id] if changed["post"] else [],
        [person.id] if changed["status"] else [],
        now,
        [person.id] if changed["standing"] else [],
    )
    return person, None


def deactivate_employee(person: Employee, *, now: dt.datetime) -> None:
    """Mark a person as left: they cannot sign in, their tokens die, their history stays."""
    if person.status == EmployeeStatus.LEFT:
        return
    _set_status(person, EmployeeStatus.LEFT, now)
    db.session.flush()
    announce([], [], [person.id], now)


# --- departments, teams, posts ----------------------------------------------------------


def _unique_name(model: Any, column: Any, value: str, current: Any, message: Any, name: str):
    query = sa.select(model.id).where(sa.func.lower(column) == value.lower())
    if current is not None and current.id is not None:
        query = query.where(model.id != current.id)
    if db.session.scalar(query.limit(1)) is not None:
        raise OrganisationError(str(message), name, conflict=True)


def save_department(dept: Department | None, name: str, name_en: str | None) -> Department:
    name = name.strip()
    _unique_name(
        Department,
        Department.name,
        name,
        dept,
        _l("A department called %(v)s exists already.", v=name),
        "name",
    )
    dept = dept or Department()
    dept.name, dept.name_en = name, (name_en or "").strip() or None
    db.session.add(dept)
    db.session.flush()
    return dept


def save_team(
    team: Team | None, name: str, name_en: str | None, department: Department, lead: Employee | None
) -> Team:
    name = name.strip()
    _unique_name(
        Team, Team.name, name, team, _l("A team called %(v)s exists already.", v=name), "name"
    )
    team = team or Team()
    team.name, team.name_en = name, (name_en or "").strip() or None
    team.department, team.lead = department, lead
    db.session.add(team)
    db.session.flush()
    return team


def save_post(post: Post | None, title: str, title_en: str | None, level: int) -> Post:
    title = title.strip()
    _unique_name(
        Post, Post.title, title, post, _l("A post called %(v)s exists already.", v=title), "title"
    )
    post = post or Post()
    post.title, post.title_en, post.level = title, (title_en or "").strip() or None, level
    db.session.add(post)
    db.session.flush()
    return post
