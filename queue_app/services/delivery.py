"""Delivering closing reports: claim one, mail it, and only once it was accepted delete the data.

Steps, each in its own transaction so a crash anywhere leaves a state the next run finishes:
1. `claim_next` leases a due pending delivery (`claimed_until`) with a conditional UPDATE whose
   row count says who won (`FOR UPDATE SKIP LOCKED` on PostgreSQL): several schedulers, workers or
   replicas never mail one report twice. A process that dies holding a lease holds it only until
   `claimed_until` (5 minutes, or ten SMTP timeouts); then another run takes the report over.
2. The report is built from the store's data and sent with no transaction open.
3. Accepted: `record_done` commits `sent` first, then `purge_store` deletes the data. A crash in
   between leaves a `sent` delivery of a `closing` store, which `finish_interrupted` purges on the
   next run without mailing again.
4. Refused, down or too slow: the data stays, the error (no address) is stored and the delivery is
   retried after 1, 2, 4 … minutes (at most an hour apart) until `report_retry_for` has passed; then
   the CSV goes to `report_archive_dir` (owner-only), an error is logged, and the data is deleted.

A crash after the server accepted a mail but before `sent` was committed mails it again on
restart: SMTP cannot tell "accepted" from "lost" on a dropped connection, so the rare duplicate is
preferred to a lost report.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, delete, or_, select, update

from queue_app import metrics, reports
from queue_app.config import Settings, settings
from queue_app.db import is_postgres
from queue_app.files import write_durably
from queue_app.mail import mailer
from queue_app.mail.messages import report_message
from queue_app.models import (
    Customer,
    DeliveryState,
    OwnerSession,
    Party,
    Pass,
    Queue,
    ReportDelivery,
    ResetToken,
    Store,
    StoreStatus,
)
from queue_app.services import confirmation
from queue_app.services.snapshot import load_snapshot

log = logging.getLogger("queue_app.delivery")
MIN_LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)
UNCONFIRMED = "not mailed: the owner never confirmed the address"


@dataclass(frozen=True)
class Outcome:
    store_id: int
    state: DeliveryState  # `pending`: it failed and will be retried later


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    store_id: int
    attempts: int  # including this one
    created_at: datetime


def deliver_next(db: Session, *, now: datetime, config: Settings = settings,
                 store_id: int | None = None) -> Outcome | None:
    """Claim and try one due report; None when there is nothing (else) to do right now."""
    claim = claim_next(db, now=now, config=config, store_id=store_id)
    if claim is None:
        return None
    return Outcome(claim.store_id, _attempt(db, claim, now=now, config=config))


def claim_next(db: Session, *, now: datetime, config: Settings = settings,
               store_id: int | None = None) -> Claim | None:
    """Lease one due, unclaimed pending delivery for this process (for longer than a send takes)."""
    free = or_(col(ReportDelivery.claimed_until).is_(None), col(ReportDelivery.claimed_until) < now)
    due = (ReportDelivery.state == DeliveryState.PENDING, col(ReportDelivery.next_attempt_at) <= now, free)
    query = select(ReportDelivery.id).where(*due).order_by(col(ReportDelivery.next_attempt_at)).limit(1)
    if store_id is not None:
        query = query.where(ReportDelivery.store_id == store_id)
    if is_postgres(db):
        query = query.with_for_update(skip_locked=True)
    lease = max(MIN_LEASE, timedelta(seconds=config.smtp_timeout * 10))
    for _ in range(3):  # another process may win the row we saw: look again
        found = db.exec(query).first()
        if found is None:
            db.rollback()
            return None
        won = db.exec(update(ReportDelivery).where(ReportDelivery.id == found, *due)
                      .values(claimed_until=now + lease, attempts=ReportDelivery.attempts + 1))
        if won.rowcount == 1:
            row = db.exec(select(ReportDelivery).where(ReportDelivery.id == found)
                          .execution_options(populate_existing=True)).one()
            db.commit()
            return Claim(row.id, row.store_id, row.attempts, row.created_at)
        db.rollback()
    return None


def _attempt(db: Session, claim: Claim, *, now: datetime, config: Settings) -> DeliveryState:
    """Send the claimed report; the state it ends in (`pending` again means "retry later").

    An owner who never confirmed their address (with a real mail server, see
    `services/confirmation.py`) gets no mail: the report is archived at once, then the data goes.
    """
    db.expire_all()  # this session may have seen the store earlier in the run: read it afresh
    store = db.get(Store, claim.store_id)
    snap = load_snapshot(db, claim.store_id, now=now)
    csv, filename = reports.report_csv(snap), reports.report_filename(snap)
    message = report_message(to=store.email, store_name=snap.name, date=reports.report_date(snap),
                             summary=reports.summarize(snap), filename=filename, csv=csv)
    db.commit()  # end the read: nothing stays locked while we talk to the mail server
    if not confirmation.may_mail(store, config):
        path = archive_csv(config.report_archive_dir, f"store-{claim.store_id}-{filename}", csv)
        log.warning("report of store %s archived to %s: its owner never confirmed the address",
                    claim.store_id, path)
        return _finish(db, claim, DeliveryState.ARCHIVED, UNCONFIRMED, now=now)
    try:
        mailer.send(message, config)
        outcome, error = DeliveryState.SENT, ""
        log.info("report of store %s delivered (attempt %d)", claim.store_id, claim.attempts)
    except mailer.MailError as failure:
        error = str(failure)
        if now < claim.created_at + config.report_retry_for:
            _retry_later(db, claim, error, now=now, config=config)
            metrics.report_attempted("failed")
            return DeliveryState.PENDING
        path = archive_csv(config.report_archive_dir, f"store-{claim.store_id}-{filename}", csv)
        log.error("report of store %s undeliverable for %s (%s); archived to %s", claim.store_id,
                  config.report_retry_for, error, path)
        outcome = DeliveryState.ARCHIVED
    return _finish(db, claim, outcome, error, now=now)


def _finish(db: Session, claim: Claim, outcome: DeliveryState, error: str, *, now: datetime
            ) -> DeliveryState:
    record_done(db, claim.delivery_id, outcome, now=now, error=error)
    metrics.report_attempted(outcome)
    purge_store(db, claim.store_id)
    return outcome


def _retry_later(db: Session, claim: Claim, error: str, *, now: datetime, config: Settings) -> None:
    """Release the lease and come back after 1, 2, 4 … minutes, never past the retry window."""
    wait = min(timedelta(minutes=2 ** min(claim.attempts - 1, 10)), MAX_BACKOFF)
    retry_at = min(now + wait, claim.created_at + config.report_retry_for)
    db.exec(update(ReportDelivery).where(ReportDelivery.id == claim.delivery_id,
                                         ReportDelivery.state == DeliveryState.PENDING)
            .values(next_attempt_at=retry_at, claimed_until=None, last_error=error[:500]))
    db.commit()
    log.warning("report of store %s not delivered (attempt %d: %s); next try at %s",
                claim.store_id, claim.attempts, error, retry_at.isoformat(timespec="seconds"))


def record_done(db: Session, delivery_id: int, state: DeliveryState, *, now: datetime,
                error: str = "") -> None:
    """Commit `sent`/`archived` on its own, before any data is deleted (see the module docstring)."""
    db.exec(update(ReportDelivery).where(ReportDelivery.id == delivery_id,
                                         ReportDelivery.state == DeliveryState.PENDING)
            .values(state=state, finished_at=now, claimed_until=None, last_error=error[:500]))
    db.commit()


def archive_csv(folder: Path, filename: str, content: bytes) -> Path:
    """Write the CSV owner-only (file 0600, folder 0700) and durably; a rerun overwrites it."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    path = folder / filename
    write_durably(path, content)
    return path


def purge_store(db: Session, store_id: int) -> None:
    """Delete a store's customer data after its report was delivered or archived; mark it closed.

    The owner's email and password hash are blanked too: once the report went out nothing needs
    them (a closed store cannot be signed into), and the SPEC promises the data goes with the day.
    The store row itself stays, holding only its name and times, so that its public page says
    "closed" instead of "not found" and its delivery row still proves it was reported.
    """
    for table in (Customer, Party, Pass, Queue, OwnerSession, ResetToken):
        db.exec(delete(table).where(table.store_id == store_id))
    db.exec(update(Store).where(Store.id == store_id, Store.status == StoreStatus.CLOSING)
            .values(status=StoreStatus.CLOSED, email="", password_hash="", confirm_token_hash=None))
    db.commit()


def finish_interrupted(db: Session) -> list[int]:
    """Purge stores whose report went out but whose data is still here (a crash in between)."""
    stuck = list(db.exec(select(Store.id).join(ReportDelivery, ReportDelivery.store_id == Store.id)
                         .where(Store.status == StoreStatus.CLOSING,
                                col(ReportDelivery.state).in_([DeliveryState.SENT,
                                                               DeliveryState.ARCHIVED]))))
    db.rollback()
    for store_id in stuck:
        log.warning("store %s: report already delivered, deleting its data now", store_id)
        purge_store(db, store_id)
    return stuck
