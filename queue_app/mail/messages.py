"""Building mails as plain data (no sending here): subject, bodies, attachments."""

from __future__ import annotations

import html
from dataclasses import dataclass, field


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
