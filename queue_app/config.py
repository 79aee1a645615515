"""Typed settings, read once from `QUEUE_*` environment variables."""

from __future__ import annotations

import dataclasses
import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_DEV_SECRET = "dev-only-secret-change-me"


class SettingsError(RuntimeError):
    """A setting is missing or unsafe; raised at start, never later."""


def _duration(text: str) -> timedelta:
    """Parse `90`, `90s`, `15m`, `24h` or `3d` into a timedelta (bare numbers are seconds)."""
    text = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    factor = units.get(text[-1:], None)
    number = text[:-1] if factor else text
    try:
        value = float(number)
    except ValueError:
        raise SettingsError(f"not a duration: {text!r} (use e.g. 90s, 15m, 24h)") from None
    if value <= 0:
        raise SettingsError(f"a duration must be positive: {text!r}")
    return timedelta(seconds=value * (factor or 1))


def _local_secret(path: Path) -> str:
    """A random secret made once for this installation and kept in `var/` (owner-only).

    Several workers may start at once: the file appears atomically (hard link), and the loser of
    the race reads the winner's key.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()


def _flag(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Every setting of the app; see the README for what each one does."""

    env: str = "development"
    database_url: str = f"sqlite:///{ROOT / 'var' / 'queue.db'}"
    base_url: str = ""
    secret_key: str = _DEV_SECRET
    store_lifetime: timedelta = timedelta(hours=24)
    pass_ttl: timedelta = timedelta(minutes=15)
    almost_position: int = 3
    default_service_minutes: int = 5
    report_retry_for: timedelta = timedelta(hours=72)
    report_archive_dir: Path = ROOT / "var" / "archive"
    outbox_dir: Path = ROOT / "var" / "outbox"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    smtp_timeout: float = 20.0
    mail_from: str = "queue@localhost"
    scheduler: bool = True
    trust_proxy: bool = False
    # Per tab (socket): events beyond a burst of `event_burst`, refilled at `events_per_second`,
    # are dropped with "Too many requests". 0 turns the limit off (benchmarks drive one tab hard).
    events_per_second: float = 10.0
    event_burst: int = 40

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def uses_smtp(self) -> bool:
        return bool(self.smtp_host)

    def check(self) -> Settings:
        """Refuse unsafe production settings loudly, at start."""
        if self.is_production:
            if self.secret_key == _DEV_SECRET or len(self.secret_key) < 32:
                raise SettingsError("QUEUE_SECRET_KEY must be set to 32+ random characters in production")
        if self.base_url and not self.base_url.startswith(("http://", "https://")):
            raise SettingsError(f"QUEUE_BASE_URL must start with http:// or https://, got {self.base_url!r}")
        if self.almost_position < 0:
            raise SettingsError("QUEUE_ALMOST_POSITION must be 0 or more")
        return self


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from an environment mapping (the process environment by default)."""
    env = os.environ if environ is None else environ
    get = lambda name, default="": env.get(f"QUEUE_{name}", default).strip()  # noqa: E731
    defaults = Settings()
    values: dict[str, object] = {}
    plain = {"ENV": "env", "DATABASE_URL": "database_url", "BASE_URL": "base_url",
             "SECRET_KEY": "secret_key", "SMTP_HOST": "smtp_host", "SMTP_USER": "smtp_user",
             "SMTP_PASSWORD": "smtp_password", "MAIL_FROM": "mail_from"}
    for name, field in plain.items():
        if get(name):
            values[field] = get(name)
    for name, field in {"STORE_LIFETIME": "store_lifetime", "PASS_TTL": "pass_ttl",
                        "REPORT_RETRY_FOR": "report_retry_for"}.items():
        if get(name):
            values[field] = _duration(get(name))
    for name, field in {"REPORT_ARCHIVE_DIR": "report_archive_dir", "OUTBOX_DIR": "outbox_dir"}.items():
        if get(name):
            values[field] = Path(get(name))
    for name, field in {"SMTP_STARTTLS": "smtp_starttls", "SMTP_SSL": "smtp_ssl",
                        "TRUST_PROXY": "trust_proxy"}.items():
        if get(name):
            values[field] = _flag(get(name))
    if get("SCHEDULER"):
        values["scheduler"] = get("SCHEDULER").lower() not in {"off", "0", "false", "no"}
    for name, field, cast in (("SMTP_PORT", "smtp_port", int), ("ALMOST_POSITION", "almost_position", int),
                              ("DEFAULT_SERVICE_MINUTES", "default_service_minutes", int),
                              ("SMTP_TIMEOUT", "smtp_timeout", float),
                              ("EVENTS_PER_SECOND", "events_per_second", float),
                              ("EVENT_BURST", "event_burst", int)):
        if get(name):
            try:
                values[field] = cast(get(name))
            except ValueError:
                raise SettingsError(f"QUEUE_{name} must be a number, got {get(name)!r}") from None
    if environ is None and "secret_key" not in values and get("ENV", "development") != "production":
        # `make run` with nothing set: still no shared, guessable key for hashing tokens.
        values["secret_key"] = _local_secret(ROOT / "var" / "secret.key")
    if "base_url" in values:
        values["base_url"] = str(values["base_url"]).rstrip("/")
    return dataclasses.replace(defaults, **values).check()


settings = load_settings()
