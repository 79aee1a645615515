"""Sending a `Message`: over SMTP with yagmail, or into the outbox folder when no server is set.

This is the only module that imports yagmail. yagmail opens the connection (host, port, implicit
TLS or STARTTLS, login); the message itself is built once by `to_email`, so the outbox `.eml` and
the mail a server receives are the same bytes. (yagmail's own builder turns the plain-text body
into HTML, attaches a CSV without `Content-Disposition` and reports a dropped connection by
returning False instead of raising — none of which a report may suffer.)

TLS certificates are verified against the system's trust store; a relay with a private CA is
trusted by pointing `SSL_CERT_FILE` at that CA. The password always comes from settings: yagmail
never gets `None`, which would make it ask the OS keyring or prompt on a terminal, and the login
name goes in as `{name: alias}`, since a bare name without "@" would get "@gmail.com" appended.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from queue_app.config import Settings, settings
from queue_app.files import write_durably
from queue_app.mail.messages import Message

log = logging.getLogger("queue_app.mail")
_ADDRESS = re.compile(r"\S+@\S+")


class MailError(Exception):
    """The mail was not accepted; the caller keeps its data and retries later.

    The message names the failure (error type, SMTP code, server text with addresses blanked)
    and never the recipient, so it can be stored and logged.
    """


def send(message: Message, config: Settings = settings) -> None:
    """Deliver `message`; return only once the server (or the outbox) accepted it.

    Every failure, a message that cannot be built included (a header it refuses), is a `MailError`.
    """
    try:
        mail = to_email(message, config.mail_from)
        data = mail.as_bytes()
    except (ValueError, TypeError, UnicodeError) as error:
        raise MailError(describe(error)) from error
    if config.uses_smtp:
        _send_smtp(mail, message.to, config)
    else:
        _write_outbox(data, config.outbox_dir)


def _send_smtp(mail: EmailMessage, to: str, config: Settings) -> None:
    import yagmail  # noqa: PLC0415  (the outbox default never needs it)

    implicit_tls = {"context": ssl.create_default_context()} if config.smtp_ssl else {}
    starttls = {"context": ssl.create_default_context()} if config.smtp_starttls and not config.smtp_ssl \
        else False
    client = yagmail.SMTP(
        user={(config.smtp_user or config.mail_from): ""},  # a str without "@" gets "@gmail.com"
        password=config.smtp_password,
        host=config.smtp_host, port=config.smtp_port, smtp_ssl=config.smtp_ssl,
        smtp_starttls=starttls, smtp_skip_login=not config.smtp_user, soft_email_validation=False,
        oauth2_file=None, timeout=config.smtp_timeout, **implicit_tls)
    try:
        client.login()  # connect, EHLO, STARTTLS, AUTH: each step bounded by the timeout
        refused = client.smtp.send_message(mail, from_addr=config.mail_from, to_addrs=[to])
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
    except (smtplib.SMTPException, OSError) as error:
        _drop(client)
        raise MailError(describe(error)) from error
    _quit(client)
    log.info("mail accepted by %s:%s", config.smtp_host, config.smtp_port)


def _quit(client) -> None:
    """Say goodbye politely; the server already accepted the mail, so a failure here is harmless."""
    try:
        client.smtp.quit()
    except (smtplib.SMTPException, OSError):
        _drop(client)
    client.is_closed = True


def _drop(client) -> None:
    """Close the socket without QUIT: a hung server would make us wait a second timeout."""
    if client.smtp is not None:
        client.smtp.close()
    client.is_closed = True


def describe(error: BaseException) -> str:
    """A storable description of a failed send: type, SMTP code and text, no addresses."""
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code, text = next(iter(error.recipients.values()))
    else:
        code, text = getattr(error, "smtp_code", None), getattr(error, "smtp_error", None)
        text = text if text is not None else (str(error) if code is None else "")
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    words = " ".join(str(part) for part in (type(error).__name__, code or "", text) if part)
    return _ADDRESS.sub("<address>", " ".join(words.split()))[:300]


def to_email(message: Message, sender: str) -> EmailMessage:
    """The RFC 5322 form of a message: what the outbox stores and what SMTP sends."""
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, message.to, message.subject
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = f"<{uuid.uuid4()}@queue-system>"
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    for attachment in message.attachments:
        main, sub = attachment.mime_type.split("/", 1)
        mail.add_attachment(attachment.content, maintype=main, subtype=sub,
                            filename=attachment.filename)
    return mail


def _write_outbox(data: bytes, folder: Path) -> None:
    """Write an `.eml` durably and owner-only: it may hold customer data that the caller deletes next."""
    name = f"{uuid.uuid4().hex}.eml"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_durably(folder / name, data, exclusive=True)
    except OSError as error:  # a full or read-only disk: the caller keeps its data and retries
        raise MailError(describe(error)) from error
    log.info("mail written to the outbox: %s", name)
