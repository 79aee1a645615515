"""Building a waiting room's report mail from its stored minute totals (for `services.delivery`)."""

from __future__ import annotations

from sqlmodel import Session

from queue_app import reports, room_reports
from queue_app.mail.messages import Attachment, Message, room_report_message
from queue_app.services import rooms
from queue_app.services.snapshot import StoreSnapshot


def build(db: Session, snap: StoreSnapshot, *, to: str, counter: tuple[Attachment, ...]
          ) -> Message | None:
    """The room's report (with the counter's CSV too when queues ran beside it), or None."""
    if rooms.room_of_store(db, snap.store_id) is None:
        return None
    totals = [room_reports.MinuteTotals(m.minute, m.issued, m.admitted, m.expired)
              for m in rooms.minutes_of(db, snap.store_id)]
    date = reports.report_date(snap)
    attachment = Attachment(room_reports.report_filename(snap.name, date),
                            room_reports.report_csv(totals, snap.timezone))
    return room_report_message(to=to, room_name=snap.name, date=date,
                               summary=room_reports.summarize(totals, snap.timezone),
                               attachments=(*(counter if snap.queues else ()), attachment))
