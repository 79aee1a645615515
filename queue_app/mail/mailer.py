"""Sending a `Message`: over SMTP with yagmail, or into the outbox folder when no server is set.

This is the only module that imports yagmail.
"""

from __future__ import annotations

import logging
import os
import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path

from queue_app.config import Settings, settings
from queue_app.mail.messages import Message

log = logging.getLogger("queue_app.mail")


class MailError(Exception):
    """The mail was not accepted; the caller keeps its data and retries later."""


def send(message: Message, config: Settings = settings) -> None:
    """Deliver `message`; return only once the server (or the outbox) accepted it."""
    if config.uses_smtp:
        _send_smtp(message, config)
    else:
        _write_outbox(message, config.outbox_dir, config.mail_from)


def _send_smtp(message: Message, config: Settings) -> None:
    import yagmail  # imported here: the outbox default never needs it

    attachments = [_named_bytes(a.filename, a.content) for a in message.attachments]
    try:
        smtp = yagmail.SMTP(
            user={config.smtp_user or config.mail_from: None} if not config.smtp_user
            else config.smtp_user,
            password=config.smtp_password or None, host=config.smtp_host, port=config.smtp_port,
            smtp_starttls=config.smtp_starttls and not config.smtp_ssl, smtp_ssl=config.smtp_ssl,
            smtp_skip_login=not config.smtp_user, soft_email_validation=False,
            timeout=config.smtp_timeout, oauth2_file=None)
        try:
            smtp.send(to=message.to, subject=message.subject,
                      contents=[message.text, message.html] + attachments,
                      headers={"From": config.mail_from})
        finally:
            smtp.close()
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"{type(error).__name__}: {error}") from error
    log.info("mail sent: %s", message.subject)


def _named_bytes(filename: str, content: bytes):
    import io

    buffer = io.BytesIO(content)
    buffer.name = filename
    return buffer


def to_email(message: Message, sender: str) -> EmailMessage:
    """The RFC 5322 form of a message (what the outbox stores)."""
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, message.to, message.subject
    mail["Message-ID"] = f"<{uuid.uuid4()}@queue-system>"
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    for attachment in message.attachments:
        main, sub = attachment.mime_type.split("/", 1)
        mail.add_attachment(attachment.content, maintype=main, subtype=sub,
                            filename=attachment.filename)
    return mail


def _write_outbox(message: Message, folder: Path, sender: str) -> None:
    """Write an `.eml` atomically (temp file + rename), owner-only: it may hold customer data."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{uuid.uuid4().hex}.eml"
    temporary = folder / f".{name}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(to_email(message, sender).as_bytes())
        out.flush()
        os.fsync(out.fileno())
    temporary.replace(folder / name)
    log.info("mail written to the outbox: %s", name)
