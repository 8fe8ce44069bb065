"""A real SMTP server for the email tests: aiosmtpd on a free port of 127.0.0.1, in a thread,
collecting what it receives. ``mail_server`` configures the app to send to it."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)  # 17:00 in Shanghai
PUBLIC_URL = "https://lms.example.test"


class Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailServer:
    """An SMTP server that can be stopped and started again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.collector = Collector()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.collector.messages

    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


def configure_mail(app: Flask, port: int) -> None:
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_SECURITY="none",
        SMTP_USERNAME=None,
        SMTP_TIMEOUT=5,
        MAIL_FROM="academy@example.test",
        PUBLIC_URL=PUBLIC_URL,
        MAIL_DIGEST_HOUR=8,
    )


@pytest.fixture
def mail_server(app: Flask) -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    configure_mail(app, server.port)
    try:
        yield server
    finally:
        server.stop()


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
