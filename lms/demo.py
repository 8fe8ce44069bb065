"""The demo company: a customer-service centre of about 80 people with Chinese names.

``lms demo`` loads it on an empty database (``make run`` does so on the first start). It
refuses a database that already holds people who are not demo people.
"""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from lms.accounts import services as accounts
from lms.extensions import db
from lms.organisation import services
from lms.organisation.models import Employee, EmployeeStatus

DEMO_PASSWORD = "lms-demo"  # noqa: S105 - documented demo credential

DEPARTMENTS = [
    (
        "客户服务中心",
        "Customer Service Centre",
        [
            ("售前咨询组", "Pre-sales"),
            ("售后一组", "After-sales 1"),
            ("售后二组", "After-sales 2"),
            ("投诉处理组", "Complaints"),
        ],
    ),
    ("技术支持部", "Technical Support", [("技术支持组", "Technical support")]),
    (
        "质量与培训部",
        "Quality and Training",
        [("质检组", "Quality inspection"), ("培训组", "Training")],
    ),
    ("人力资源部", "Human Resources", [("人力资源组", "HR")]),
    ("综合管理部", "Administration", [("系统管理组", "Systems")]),
]
POSTS = [
    ("客服专员", "Customer Service Agent", 1),
    ("高级客服专员", "Senior Agent", 2),
    ("客服组长", "Team Lead", 3),
    ("客服主管", "Service Supervisor", 4),
    ("客服经理", "Service Manager", 5),
    ("质检专员", "QA Specialist", 2),
    ("培训师", "Trainer", 3),
    ("技术支持工程师", "Technical Support Engineer", 2),
    ("培训经理", "Training Manager", 4),
    ("系统管理员", "System Administrator", 3),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "晓燕",
    "子涵",
    "浩然",
    "雨桐",
    "欣怡",
    "梓轩",
    "思远",
    "佳怡",
    "一鸣",
    "婉清",
    "俊杰",
    "诗琪",
    "宇航",
    "雅婷",
    "志强",
    "晨曦",
    "文博",
    "可馨",
]


class DemoRefused(RuntimeError):
    pass


def _people(today: dt.date) -> list[dict]:
    """The demo accounts first, then generated colleagues (deterministic)."""
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    people = [
        dict(
            employee_no="10001",
            username="admin",
            name="周建国",
            team="系统管理组",
            post="系统管理员",
            hire_date=today - dt.timedelta(days=2100),
            roles={"admin", "employee"},
            status=EmployeeStatus.ACTIVE,
        ),
        dict(
            employee_no="10002",
            username="hr",
            name="林晓雯",
            team="人力资源组",
            post="培训经理",
            hire_date=today - dt.timedelta(days=1500),
            roles={"hr", "employee"},
            status=EmployeeStatus.ACTIVE,
        ),
        dict(
            employee_no="10003",
            username="lead",
            name="陈志远",
            team="售后一组",
            post="客服组长",
            hire_date=today - dt.timedelta(days=1300),
            roles={"supervisor", "mentor", "employee"},
            status=EmployeeStatus.ACTIVE,
        ),
        dict(
            employee_no="10004",
            username="mentor",
            name="王丽娟",
            team="售后一组",
            post="高级客服专员",
            hire_date=today - dt.timedelta(days=1000),
            roles={"mentor", "employee"},
            status=EmployeeStatus.ACTIVE,
            supervisor="10003",
        ),
        dict(
            employee_no="10005",
            username="newhire",
            name="李思雨",
            team="售后一组",
            post="客服专员",
            hire_date=today - dt.timedelta(days=3),
            roles={"employee"},
            status=EmployeeStatus.ONBOARDING,
            supervisor="10003",
        ),
    ]
    used = {p["name"] for p in people}
    teams = ["售前咨询组", "售后一组", "售后二组", "投诉处理组", "技术支持组", "质检组", "培训组"]
    team_posts = {"技术支持组": "技术支持工程师", "质检组": "质检专员", "培训组": "培训师"}
    leads = {"售后一组": "10003"}
    number = 10006
    for team in teams:  # a lead for every other team
        if team in leads:
            continue
        name = _name(rng, used)
        people.append(
            dict(
                employee_no=str(number),
                name=name,
                team=team,
                post="客服组长",
                hire_date=today - dt.timedelta(days=rng.randint(900, 2400)),
                roles={"supervisor", "mentor", "employee"},
                status=EmployeeStatus.ACTIVE,
            )
        )
        leads[team] = str(number)
        number += 1
    while len(people) < 80:
        team = teams[(number - 10000) % len(teams)]
        recent = number % 9 == 0
        tenure = rng.randint(1, 13) if recent else rng.randint(60, 1800)
        senior = tenure > 700 and rng.random() < 0.4
        post = team_posts.get(team, "高级客服专员" if senior else "客服专员")
        status = EmployeeStatus.ONBOARDING if tenure <= 90 else EmployeeStatus.ACTIVE
        if not recent and rng.random() < 0.05:
            status = EmployeeStatus.LEFT
        roles = {"employee"} | ({"mentor"} if senior else set())
        people.append(
            dict(
                employee_no=str(number),
                name=_name(rng, used),
                team=team,
                post=post,
                hire_date=today - dt.timedelta(days=tenure),
                roles=roles,
                status=status,
                supervisor=leads[team],
            )
        )
        number += 1
    return people


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in used:
            used.add(name)
            return name


def load_demo(now: dt.datetime, *, if_empty: bool = False) -> int:
    """Create the demo company; returns how many people were created (0 if present)."""
    people_count = db.session.scalar(sa.select(sa.func.count(Employee.id)))
    if people_count:
        real = db.session.scalar(
            sa.select(sa.func.count(Employee.id)).where(Employee.is_demo.is_(False))
        )
        if if_empty:
            return 0
        if real:
            raise DemoRefused(
                f"This database holds {real} people who are not demo people; "
                "the demo data is only loaded into an empty database."
            )
        return 0

    departments = {}
    for name, name_en, _teams in DEPARTMENTS:
        departments[name] = services.save_department(None, name, name_en)
    for title, title_en, level in POSTS:
        services.save_post(None, title, title_en, level)
    for name, _name_en, teams in DEPARTMENTS:
        for team_name, team_en in teams:
            services.save_team(None, team_name, team_en, departments[name], None)

    refs = services.References.load()
    password_hash = accounts.hash_password(DEMO_PASSWORD)  # one hash shared by all demo people
    created = []
    for values in _people(now.date()):
        supervisor = values.pop("supervisor", None)
        person = services.create_employee(values, actor=None, now=now, refs=refs, source="demo")
        person.is_demo = True
        person.password_hash = password_hash
        refs.people[person.employee_no] = person
        if supervisor:
            person.supervisor = refs.people[supervisor]
        created.append(person.id)
    for team in refs.teams.values():
        lead = next(
            (
                p
                for p in refs.people.values()
                if p.team is team and p.post and p.post.title == "客服组长"
            ),
            None,
        )
        team.lead = lead
    db.session.flush()
    services.announce(created, [], [], now)
    from lms.demo_training import load_training

    load_training(now, refs.people["10002"])
    from lms.demo_mentoring import load_mentoring

    load_mentoring(now, refs.people["10002"])
    from lms.demo_certification import load_certification

    load_certification(now, refs.people["10002"])
    from lms.demo_certificates import load_certificates

    load_certificates(now, refs.people["10002"])
    from lms.demo_career import load_career

    load_career(now, refs.people["10002"])
    return len(created)
