"""Waiting rooms in the database: opening, the counter row, slides claimed once, the report."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from queue_app import domain
from queue_app.config import settings
from queue_app.domain.rooms import validate_room_form
from queue_app.mail.mailer import MailError  # noqa: F401  (the delivery path under test)
from queue_app.models import RoomCounter, RoomMinute, Store, StoreStatus, WaitingRoom
from queue_app.services import closing, delivery, room_counter, rooms, stores
from queue_app.services.errors import NotAllowed
from tests.integration.factories import PASSWORD, cheap_argon2  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def open_room(db, now, size=10, interval=30, active=2, queues=()):
    form = domain.validate_store_form(email="drop@example.com", password=PASSWORD, confirm=PASSWORD,
                                      name="Sneaker drop", queue_names=list(queues),
                                      timezone="Europe/Paris", queues_optional=True)
    room = validate_room_form(size=size, interval=interval, active=active,
                              target_url="https://shop.example/checkout")
    store = stores.open_store(db, form, now=now, room=room)
    return store, rooms.room_of_store(db, store.id)


def take(db, room, count):
    return [room_counter.db_issue(db, room.id) for _ in range(count)]


def test_opening_a_room_makes_one_store_one_room_and_one_counter_row(db, now):
    store, room = open_room(db, now)
    assert store.status is StoreStatus.OPEN and room.slug and len(room.slug) >= 16
    assert db.exec(select(RoomCounter)).one().value == 0
    assert (room.window_end, room.next_slide_at) == (0, now)


def test_positions_from_the_counter_row_are_unique_and_gap_free_under_concurrency(db, now):
    _, room = open_room(db, now)
    db.commit()
    start, got, engine = threading.Barrier(8), [], db.get_bind()

    def run():
        start.wait(timeout=30)
        with Session(engine) as own:
            got.extend(room_counter.db_issue(own, room.id) for _ in range(25))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(got) == list(range(1, 201))


def test_a_due_slide_moves_the_window_by_its_size_and_records_the_minute(db, now, clock):
    store, room = open_room(db, now)
    take(db, room, 25)
    moved = rooms.slide_due_rooms(db, issued=room_counter.db_issued, now=now)
    assert [(s.room.window_end, s.moved) for s in moved] == [(10, True)]
    assert rooms.slide_due_rooms(db, issued=room_counter.db_issued, now=now) == []  # not due yet
    later = clock.advance(timedelta(seconds=30))
    assert [s.room.window_end for s in rooms.slide_due_rooms(db, issued=room_counter.db_issued,
                                                             now=later)] == [20]
    minute = db.exec(select(RoomMinute)).one()
    assert (minute.issued, minute.admitted, minute.expired) == (25, 20, 0)


def test_a_slide_is_skipped_while_nobody_waits_but_the_interval_still_passes(db, now):
    _, room = open_room(db, now)
    [skipped] = rooms.slide_due_rooms(db, issued=room_counter.db_issued, now=now)
    assert not skipped.moved
    fresh = db.get(WaitingRoom, room.id, populate_existing=True)
    assert fresh.window_end == 0 and fresh.next_slide_at == now + timedelta(seconds=30)


def test_two_workers_seeing_the_same_due_room_slide_it_once(db, now):
    _, room = open_room(db, now)
    take(db, room, 50)
    db.commit()
    engine = db.get_bind()
    with Session(engine) as first, Session(engine) as second:
        seen_by_second = second.exec(select(WaitingRoom)).one()  # read before the first slides
        second.expunge(seen_by_second)
        second.rollback()
        assert len(rooms.slide_due_rooms(first, issued=room_counter.db_issued, now=now)) == 1
        assert rooms._claim_slide(second, seen_by_second, 50, now=now, forced=False) is None
    with Session(engine) as check:
        assert check.exec(select(WaitingRoom.window_end)).one() == 10


def test_a_paused_room_does_not_slide_and_resumes_one_interval_later(db, now, clock):
    store, room = open_room(db, now)
    take(db, room, 30)
    rooms.set_paused(db, store.id, True, now=now)
    assert [s.moved for s in rooms.slide_due_rooms(db, issued=room_counter.db_issued, now=now)] == [
        False]
    later = clock.advance(timedelta(minutes=5))
    resumed = rooms.set_paused(db, store.id, False, now=later)
    assert resumed.next_slide_at == later + timedelta(seconds=30)
    assert rooms.slide_due_rooms(db, issued=room_counter.db_issued, now=later) == []
    [slid] = rooms.slide_due_rooms(db, issued=room_counter.db_issued,
                                   now=clock.advance(timedelta(seconds=30)))
    assert slid.moved and slid.room.window_end == 10


def test_admit_next_batch_slides_now_and_refuses_when_nobody_waits(db, now):
    store, room = open_room(db, now)
    with pytest.raises(NotAllowed):
        rooms.admit_next_batch(db, store.id, issued=room_counter.db_issued, now=now)
    take(db, room, 15)
    assert rooms.admit_next_batch(db, store.id, issued=room_counter.db_issued, now=now).window_end == 10
    assert rooms.admit_next_batch(db, store.id, issued=room_counter.db_issued, now=now).window_end == 20
    with pytest.raises(NotAllowed):
        rooms.admit_next_batch(db, store.id, issued=room_counter.db_issued, now=now)


def test_changing_the_rate_checks_it_and_applies_from_the_next_slide(db, now):
    store, room = open_room(db, now)
    with pytest.raises(domain.ValidationError):
        rooms.set_rate(db, store.id, size=0, interval=30, now=now)
    changed = rooms.set_rate(db, store.id, size="50", interval="10", now=now)
    assert (changed.window_size, changed.window_interval) == (50, 10)


def test_a_closed_room_reports_counts_per_minute_then_keeps_no_counters(db, now, clock, tmp_path):
    store, room = open_room(db, now)
    take(db, room, 12)
    rooms.slide_due_rooms(db, issued=room_counter.db_issued, now=now)
    take(db, room, 30)
    later = clock.advance(timedelta(minutes=1))
    rooms.slide_due_rooms(db, issued=room_counter.db_issued, now=later)
    closing.close_store(db, store.id, now=later)
    config = settings.__class__(**{**settings.__dict__, "outbox_dir": tmp_path, "smtp_host": ""})
    outcome = delivery.deliver_next(db, now=later, config=config)
    assert outcome.state.value == "sent"
    mail = next(tmp_path.glob("*.eml")).read_text()
    assert "Waiting room report: Sneaker drop" in mail
    assert "Tickets issued: 42" in mail and "Let in: 20" in mail
    assert db.exec(select(RoomMinute)).all() == [] and db.exec(select(RoomCounter)).all() == []
    assert db.get(Store, store.id).status is StoreStatus.CLOSED
    assert db.exec(select(WaitingRoom)).one().slug == room.slug  # the page can still say "closed"


def test_a_room_closed_at_the_end_of_its_lifetime_tells_its_visitor_pages(engine, db, now, clock,
                                                                          monkeypatch):
    from queue_app import jobs, room_live

    _, room = open_room(db, now)
    db.commit()
    told = []
    monkeypatch.setattr(room_live, "publish_soon", lambda r, **_: told.append(r.slug))
    monkeypatch.setattr(jobs, "deliver_reports", lambda **_: None)
    clock.advance(timedelta(hours=25))
    jobs.close_expired_stores(sessions=lambda: Session(engine, expire_on_commit=False))
    assert told == [room.slug]
