"""Rules for what people type: cleaning, limits and validation of every form, field by field."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

MAX_EMAIL = 254
PASSWORD_MIN, PASSWORD_MAX = 8, 128
STORE_NAME_MAX, DESCRIPTION_MAX = 64, 500
QUEUES_MAX, QUEUE_NAME_MAX = 20, 32
PARTY_MAX, PERSON_NAME_MAX, PHONE_MAX = 5, 64, 30
# What is looked at of any typed value: longer input is cut here, before Unicode normalisation
# (which costs time in proportion to the length), and still fails every field's own maximum.
RAW_MAX = 2_000

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[^@\s<>()\[\],;:\"\\]+@{_LABEL}(?:\.{_LABEL})+$")
_PHONE = re.compile(r"^[0-9 +\-()]*$")
# Whitespace and the invisible characters copy-paste brings along (zero-width spaces, BOM) at either
# end: a name made only of them would look empty on every screen.
_EDGE_SPACE = re.compile(r"^[\s\u200b\u2060\ufeff]+|[\s\u200b\u2060\ufeff]+$")


class DomainError(Exception):
    """A rule was broken; `message` is shown to the user as it is."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    """One or more fields are invalid; `errors` maps field name to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(next(iter(errors.values())), next(iter(errors)))
        self.errors = errors


def clean_text(value: object) -> str:
    """Trim and NFC-normalise free text (multi-line: a description).

    Drops control characters except newlines, and lone surrogates (no database can store them),
    but keeps RTL text and emoji. Anything but a string or a number counts as empty.
    """
    text = _raw(value)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs") or ch == "\n")
    return _EDGE_SPACE.sub("", unicodedata.normalize("NFC", text))


def clean_line(value: object) -> str:
    """`clean_text` for a single-line field (names, phones): every run of whitespace is one space.

    A newline in a store name would otherwise end up in mail headers and break them.
    """
    return " ".join(clean_text(" ".join(_raw(value).split())).split())


def _raw(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value)[:RAW_MAX]


def normalize_email(value: object) -> str:
    return clean_line(value).lower()


def email_error(email: str) -> str:
    if not email:
        return "Enter your email address."
    if len(email) > MAX_EMAIL:
        return f"An email address has at most {MAX_EMAIL} characters."
    if not _EMAIL.match(email):
        return "Enter a valid email address, like owner@example.com."
    return ""


def raw_password(value: object) -> str:
    """A password as typed (no normalising), cut at a length no password may have."""
    return value[:PASSWORD_MAX + 1] if isinstance(value, str) else ""


def password_error(password: str, confirmation: str | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if len(password) < PASSWORD_MIN:
        errors["password"] = f"Use at least {PASSWORD_MIN} characters."
    elif len(password) > PASSWORD_MAX:
        errors["password"] = f"Use at most {PASSWORD_MAX} characters."
    if confirmation is not None and confirmation != password:
        errors["confirm"] = "The two passwords do not match."
    return errors


def text_error(value: str, *, label: str, maximum: int, required: bool = True) -> str:
    if required and not value:
        return f"Enter a {label}."
    if len(value) >= RAW_MAX:
        return f"A {label} has at most {maximum} characters."
    if len(value) > maximum:
        return f"A {label} has at most {maximum} characters (this one has {len(value)})."
    return ""


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (the time zone picker's options)."""
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


def timezone_error(name: str) -> str:
    return "" if name in time_zones() else "Choose a time zone from the list."


@dataclass(frozen=True)
class StoreForm:
    """A validated open-store form."""

    email: str
    password: str
    name: str
    queue_names: tuple[str, ...]
    timezone: str
    description: str = ""


def validate_store_form(*, email: object, password: object, confirm: object, name: object,
                        queue_names: Sequence[object], timezone: object,
                        description: object = "") -> StoreForm:
    """Check every rule of the open-store form at once; raise `ValidationError` listing each field."""
    form = StoreForm(email=normalize_email(email), password=raw_password(password),
                     name=clean_line(name), queue_names=tuple(clean_line(q) for q in queue_names),
                     timezone=clean_line(timezone), description=clean_text(description))
    errors = {"email": email_error(form.email)}
    errors |= password_error(form.password, raw_password(confirm))
    errors["name"] = text_error(form.name, label="store name", maximum=STORE_NAME_MAX)
    errors["description"] = text_error(form.description, label="description",
                                       maximum=DESCRIPTION_MAX, required=False)
    errors |= queue_names_errors(form.queue_names)
    errors["timezone"] = timezone_error(form.timezone)
    errors = {field: message for field, message in errors.items() if message}
    if errors:
        raise ValidationError(errors)
    return form


def queue_names_errors(names: Sequence[str]) -> dict[str, str]:
    """Errors keyed `queues` (the list as a whole) or `queue-<i>` (one name)."""
    if not names:
        return {"queues": "Add at least one queue."}
    if len(names) > QUEUES_MAX:
        return {"queues": f"A store has at most {QUEUES_MAX} queues."}
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for i, name in enumerate(names):
        message = text_error(name, label="queue name", maximum=QUEUE_NAME_MAX)
        if not message and name.casefold() in seen:
            message = f"There is already a queue called “{name}”."
        seen.add(name.casefold())
        if message:
            errors[f"queue-{i}"] = message
    return errors


SERVICE_MINUTES_MAX = 240


def service_minutes_error(value: object) -> str:
    """The owner's default service time of a queue: whole minutes, 1 to 240."""
    minutes = to_int(value)
    if minutes is None or not 1 <= minutes <= SERVICE_MINUTES_MAX:
        return f"Enter a whole number of minutes from 1 to {SERVICE_MINUTES_MAX}."
    return ""


def phone_error(phone: str) -> str:
    if len(phone) > PHONE_MAX:
        return f"A phone number has at most {PHONE_MAX} characters."
    if not _PHONE.match(phone):
        return "A phone number may contain only digits, spaces and + - ( )."
    return ""



@dataclass(frozen=True)
class Person:
    """One validated member of a party."""

    name: str
    phone: str
    queue_id: int


def validate_party(people: Sequence[dict], queue_ids: Sequence[int]) -> list[Person]:
    """1–5 people, each with a name, an optional phone and one of this store's queues.

    Errors are keyed `name-<i>`, `phone-<i>`, `queue-<i>` or `party`.
    """
    if not people:
        raise ValidationError({"party": "Add at least one person."})
    if len(people) > PARTY_MAX:
        raise ValidationError({"party": f"A party has at most {PARTY_MAX} people."})
    errors: dict[str, str] = {}
    result = []
    for i, raw in enumerate(people):
        raw = raw if isinstance(raw, dict) else {}
        name, phone = clean_line(raw.get("name")), clean_line(raw.get("phone"))
        queue_id = to_int(raw.get("queue_id"))
        if message := text_error(name, label="name", maximum=PERSON_NAME_MAX):
            errors[f"name-{i}"] = message
        if message := phone_error(phone):
            errors[f"phone-{i}"] = message
        if queue_id not in queue_ids:
            errors[f"queue-{i}"] = "Choose a queue."
        result.append(Person(name=name, phone=phone, queue_id=queue_id or 0))
    if errors:
        raise ValidationError(errors)
    return result


ID_MAX = 2**31 - 1  # database ids are 32-bit (PostgreSQL INTEGER); SQLite refuses past 2**63


def to_int(value: object) -> int | None:
    """A whole number typed or sent by a browser, or None (also for ones no id or count can be)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value)
    if len(text) > 20:
        return None
    try:
        number = int(text)
    except ValueError:
        return None
    return number if -ID_MAX <= number <= ID_MAX else None
