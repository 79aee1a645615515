"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 that accepts, refuses or hangs on demand."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from queue_app.config import Settings, settings

REFUSAL = "554 5.7.1 Message for owner@example.com rejected by policy"


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def mail(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=policy.default)


class Inbox:
    """The handler: `mode` is "accept", "refuse" (a 5xx after DATA) or "hang" (no answer in time)."""

    def __init__(self) -> None:
        self.mode = "accept"
        self.hang_for = 2.0
        self.received: list[Received] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.mode == "refuse":
            return REFUSAL
        if self.mode == "hang":
            await asyncio.sleep(self.hang_for)
            return "451 4.3.0 Too late"
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 OK"


def free_port() -> int:
    """A port nobody listens on (connecting to it is refused until a server takes it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def smtp_server(port: int | None = None, inbox: Inbox | None = None, **controller_options
                ) -> Iterator[tuple[Inbox, int]]:
    """Run aiosmtpd on 127.0.0.1 for the duration of the block."""
    inbox, port = inbox or Inbox(), port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **controller_options)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def smtp_settings(port: int, folder: Path, **overrides) -> Settings:
    """The app's settings pointed at a test server, with private outbox and archive folders."""
    values = dict(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, smtp_ssl=False, smtp_user="",
                  smtp_password="", smtp_timeout=2.0, mail_from="queue@shop.test",
                  outbox_dir=folder / "outbox", report_archive_dir=folder / "archive")
    return dataclasses.replace(settings, **(values | overrides))


def csv_attachment(mail: EmailMessage) -> tuple[str, bytes]:
    [part] = list(mail.iter_attachments())
    assert part.get_content_disposition() == "attachment"
    return part.get_filename(), part.get_payload(decode=True)


def bodies(mail: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML bodies, with the wire's CRLF line ends read back as newlines."""
    return tuple(mail.get_body((kind,)).get_content().replace("\r\n", "\n") for kind in ("plain", "html"))
