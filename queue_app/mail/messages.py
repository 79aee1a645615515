"""Building mails as plain data (no sending here): subject, bodies, attachments."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from queue_app.reports import ReportSummary


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "text/csv"


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


def reset_password_message(*, to: str, store_name: str, link: str, minutes: int) -> Message:
    store_name = " ".join(store_name.split())  # a newline in a header would break the mail
    text = (f"Someone asked to reset the password of your store “{store_name}”.\n\n"
            f"Open this link within {minutes} minutes to choose a new password:\n{link}\n\n"
            "The link works once. Choosing a new password signs out every other device.\n"
            "If you did not ask for this, ignore this email — your password stays the same.\n")
    body = (f"<p>Someone asked to reset the password of your store "
            f"“{html.escape(store_name)}”.</p>"
            f"<p><a href=\"{html.escape(link, quote=True)}\">Choose a new password</a> "
            f"(valid for {minutes} minutes, works once).</p>"
            "<p>Choosing a new password signs out every other device. If you did not ask for "
            "this, ignore this email.</p>")
    return Message(to=to, subject=f"Reset your password for {store_name}", text=text, html=body)


def report_message(*, to: str, store_name: str, date: str, summary: ReportSummary, filename: str,
                   csv: bytes) -> Message:
    """The closing report: totals in the body (plain text and HTML), the CSV attached.

    A store nobody joined still gets a short mail, so the owner knows the close went through.
    """
    name = " ".join(store_name.split())  # a newline in a header would be an injection
    if summary.customers:
        intro = f"Your store “{name}” has closed. Here is how the day of {date} went."
        totals = _totals(summary)
    else:
        intro = f"Your store “{name}” has closed. Nobody joined a queue on {date}."
        totals = []
    outro = (f"The full list is attached as {filename} (it opens in Excel, Numbers or LibreOffice). "
             "Your customers' names and phone numbers are now deleted from Queue System, "
             "so keep this file if you need them.")
    text = "\n".join([intro, "", *(f"{label}: {value}" for label, value in totals),
                      *([""] if totals else []), outro, ""])
    rows = "".join(f"<tr><th align=\"left\">{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
                   for label, value in totals)
    body = (f"<p>{html.escape(intro)}</p>" + (f"<table>{rows}</table>" if rows else "")
            + f"<p>{html.escape(outro)}</p>")
    return Message(to=to, subject=f"Queue report: {name} ({date})", text=text, html=body,
                   attachments=(Attachment(filename=filename, content=csv),))


def _totals(summary: ReportSummary) -> list[tuple[str, str]]:
    return [("Customers", str(summary.customers)), ("Served", str(summary.served)),
            ("No-shows", str(summary.no_shows)), ("Removed", str(summary.removed)),
            ("Average wait", summary.average_wait), ("Longest wait", summary.longest_wait),
            ("Busiest hour", summary.busiest_hour),
            *((f"Service time, {queue}", time) for queue, time in summary.service_times)]


def confirm_email_message(*, to: str, store_name: str, link: str) -> Message:
    """The one mail an address gets before its owner confirmed it: confirm, or say it wasn't you."""
    name = " ".join(store_name.split())  # a newline in a header would be an injection
    text = (f"Someone opened the store “{name}” on Queue System with this email address.\n\n"
            f"If it was you, open this link to confirm the address:\n{link}\n\n"
            "Until you do, the store's report is not emailed to you (it is kept on the server) "
            "and no password-reset link is sent.\n"
            "If it was not you, open the same link and choose “I did not open this store”: the "
            "store is closed and your address is free again. The link works once.\n")
    body = (f"<p>Someone opened the store “{html.escape(name)}” on Queue System with this email "
            f"address.</p><p><a href=\"{html.escape(link, quote=True)}\">Confirm my email "
            "address</a></p><p>Until you do, the store's report is not emailed to you (it is kept "
            "on the server) and no password-reset link is sent. If it was not you, open the same "
            "link and choose “I did not open this store”: the store is closed and your address is "
            "free again.</p>")
    return Message(to=to, subject=f"Confirm your email for {name}", text=text, html=body)
