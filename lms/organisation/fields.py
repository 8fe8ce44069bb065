"""The employee fields, their column names (English and Chinese) and how each is parsed.

One definition serves the admin form, the JSON API and the CSV/XLSX import, so a value that
is valid in one is valid in all three.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.organisation.models import ROLES, SHIFTS, EmployeeStatus


class FieldError(ValueError):
    """A value that cannot be accepted; the message is shown to the user."""


STATUS_ALIASES = {
    "onboarding": EmployeeStatus.ONBOARDING,
    "入职中": EmployeeStatus.ONBOARDING,
    "新员工": EmployeeStatus.ONBOARDING,
    "试用期": EmployeeStatus.ONBOARDING,
    "active": EmployeeStatus.ACTIVE,
    "在职": EmployeeStatus.ACTIVE,
    "正式": EmployeeStatus.ACTIVE,
    "left": EmployeeStatus.LEFT,
    "离职": EmployeeStatus.LEFT,
    "已离职": EmployeeStatus.LEFT,
}
ROLE_ALIASES = {
    "employee": "employee",
    "员工": "employee",
    "客服": "employee",
    "mentor": "mentor",
    "导师": "mentor",
    "supervisor": "supervisor",
    "主管": "supervisor",
    "组长": "supervisor",
    "hr": "hr",
    "人力资源": "hr",
    "培训经理": "hr",
    "admin": "admin",
    "管理员": "admin",
}
LOCALE_ALIASES = {
    "zh_cn": "zh_CN",
    "zh-cn": "zh_CN",
    "zh": "zh_CN",
    "中文": "zh_CN",
    "简体中文": "zh_CN",
    "en": "en",
    "english": "en",
    "英文": "en",
    "英语": "en",
}
SHIFT_ALIASES = {
    "morning": "morning",
    "早班": "morning",
    "day": "day",
    "白班": "day",
    "日班": "day",
    "evening": "evening",
    "晚班": "evening",
    "中班": "evening",
    "night": "night",
    "夜班": "night",
    "大夜班": "night",
}
YES_NO = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "是": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
    "否": False,
}
_EMPLOYEE_NO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,30}$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def normalise_text(value: Any) -> str:
    """Strip, and fold full-width ASCII (common in Chinese input) to half-width."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\u3000", " ").strip()
    return "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in text)


def parse_employee_no(value: Any) -> str:
    text = normalise_text(value)
    if not _EMPLOYEE_NO.match(text):
        raise FieldError(
            _("An employee number has 1 to 32 letters, digits, '-' or '_', got “%(v)s”.", v=text)
        )
    return text


def parse_name(value: Any) -> str:
    text = normalise_text(value)
    if not text:
        raise FieldError(_("A name is required."))
    if len(text) > 100:
        raise FieldError(_("The name is too long (100 characters at most)."))
    return text


def parse_email(value: Any) -> str | None:
    text = normalise_text(value)
    if not text:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise FieldError(_("“%(v)s” is not a valid e-mail address.", v=text)) from None


def parse_phone(value: Any) -> str | None:
    text = normalise_text(value)
    if not text:
        return None
    if not _PHONE.match(text):
        raise FieldError(_("“%(v)s” is not a valid phone number.", v=text))
    return text


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = normalise_text(value)
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
        if not dt.date(1950, 1, 1) <= parsed <= dt.date(2100, 12, 31):
            break
        return parsed
    raise FieldError(_("“%(v)s” is not a date; write it as 2026-03-01.", v=text))


def parse_status(value: Any) -> EmployeeStatus:
    text = normalise_text(value).lower()
    try:
        return STATUS_ALIASES[text]
    except KeyError:
        raise FieldError(
            _("Unknown status “%(v)s”; use onboarding, active or left.", v=normalise_text(value))
        ) from None


def parse_locale(value: Any) -> str:
    text = normalise_text(value).lower()
    try:
        return LOCALE_ALIASES[text]
    except KeyError:
        raise FieldError(_("Unknown language “%(v)s”; use zh_CN or en.", v=text)) from None


def parse_timezone(value: Any) -> str:
    text = normalise_text(value)
    if text not in zoneinfo.available_timezones():
        raise FieldError(_("Unknown time zone “%(v)s”, e.g. Asia/Shanghai.", v=text))
    return text


def parse_shift(value: Any) -> str | None:
    text = normalise_text(value).lower()
    if not text:
        return None
    try:
        return SHIFT_ALIASES[text]
    except KeyError:
        raise FieldError(
            _("Unknown shift “%(v)s”; use %(shifts)s.", v=text, shifts=", ".join(SHIFTS))
        ) from None


def parse_yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = normalise_text(value).lower()
    try:
        return YES_NO[text] if text else False
    except KeyError:
        raise FieldError(_("Write yes or no, got “%(v)s”.", v=text)) from None


def parse_username(value: Any) -> str | None:
    text = normalise_text(value)
    if not text:
        return None
    if not _USERNAME.match(text):
        raise FieldError(
            _("A username has 2 to 64 letters, digits, '.', '-' or '_', got “%(v)s”.", v=text)
        )
    return text.lower()


def parse_roles(value: Any) -> frozenset[str]:
    if isinstance(value, list | tuple | set | frozenset):
        parts = [normalise_text(v) for v in value]
    else:
        parts = re.split(r"[,，、;；/ ]+", normalise_text(value))
    roles = {"employee"}
    for part in filter(None, parts):
        role = ROLE_ALIASES.get(part.lower())
        if role is None:
            raise FieldError(
                _("Unknown role “%(v)s”; use %(roles)s.", v=part, roles=", ".join(ROLES))
            )
        roles.add(role)
    return frozenset(roles)


def parse_reference(value: Any) -> str | None:
    """A team name, post title or supervisor's employee number; resolved later."""
    text = normalise_text(value)
    return text or None


def parse_password(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


@dataclass(frozen=True)
class Field:
    name: str
    label: Any
    parse: Callable[[Any], Any]
    aliases: tuple[str, ...]
    required: bool = False


FIELDS: tuple[Field, ...] = (
    Field(
        "employee_no",
        _l("Employee number"),
        parse_employee_no,
        ("工号", "员工编号", "员工号", "employee number"),
        required=True,
    ),
    Field("name", _l("Name"), parse_name, ("姓名", "名字"), required=True),
    Field(
        "hire_date",
        _l("Hire date"),
        parse_date,
        ("入职日期", "入职时间", "hire date"),
        required=True,
    ),
    Field("email", _l("E-mail"), parse_email, ("邮箱", "电子邮件", "e-mail")),
    Field("phone", _l("Phone"), parse_phone, ("手机", "手机号", "电话")),
    Field("status", _l("Status"), parse_status, ("状态", "在职状态")),
    Field("team", _l("Team"), parse_reference, ("团队", "班组", "小组")),
    Field("post", _l("Post"), parse_reference, ("岗位", "职位")),
    Field(
        "supervisor",
        _l("Supervisor's employee number"),
        parse_reference,
        ("上级工号", "直属上级工号", "上级", "直属上级", "supervisor_no", "supervisor number"),
    ),
    Field("locale", _l("Language"), parse_locale, ("语言", "language")),
    Field("timezone", _l("Time zone"), parse_timezone, ("时区", "time zone", "time_zone")),
    Field("shift", _l("Shift"), parse_shift, ("班次", "排班")),
    Field(
        "on_improvement_plan",
        _l("On a performance-improvement plan"),
        parse_yes_no,
        ("绩效改进计划", "绩效改进", "improvement plan", "pip"),
    ),
    Field("username", _l("Username"), parse_username, ("用户名", "账号", "登录名")),
    Field("roles", _l("Roles"), parse_roles, ("角色",)),
    Field(
        "initial_password", _l("Initial password"), parse_password, ("初始密码", "password", "密码")
    ),
)
FIELDS_BY_NAME = {f.name: f for f in FIELDS}


def field_for_header(header: str) -> Field | None:
    key = normalise_text(header).lower().replace("＿", "_")
    for field in FIELDS:
        if key == field.name or key in (a.lower() for a in field.aliases):
            return field
    return None
