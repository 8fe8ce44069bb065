"""``lms career``: ladders, readiness, succession slates, KPI imports, learning plans and
promotions from the command line. Every refusal is a clear message with exit code 2 and
writes nothing."""

from __future__ import annotations

import click
from flask.cli import AppGroup

career_group = AppGroup("career", help="Career paths: ladders, readiness, KPIs, succession.")


class CommandError(click.ClickException):
    """A refused command: the message, and exit code 2."""

    exit_code = 2


from lms.career import cli_kpis, cli_plans, cli_readiness  # noqa: E402, F401 - commands on the group
