"""Waiting-room rules: status from position and window end, the slide and its skip rule, ETA."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from queue_app.domain import rooms
from queue_app.domain.inputs import ValidationError, validate_store_form
from queue_app.domain.rooms import TicketStatus, Window

W = Window(size=10, interval_seconds=30, active_windows=2)


@pytest.mark.parametrize(("position", "status"), [
    (31, TicketStatus.WAITING), (30, TicketStatus.ACTIVE), (11, TicketStatus.ACTIVE),
    (10, TicketStatus.EXPIRED), (1, TicketStatus.EXPIRED)])
def test_a_ticket_is_active_within_the_last_active_windows_only(position, status):
    assert rooms.ticket_status(position, window_end=30, window=W) is status


def test_nobody_is_let_in_before_the_first_slide():
    assert rooms.ticket_status(1, window_end=0, window=W) is TicketStatus.WAITING


def test_a_slide_moves_the_window_end_by_its_size_while_people_wait():
    assert rooms.slide(window_end=20, issued=21, size=10) == 30


def test_a_slide_is_skipped_while_the_window_already_covers_every_ticket():
    assert rooms.slide(window_end=30, issued=30, size=10) is None
    assert rooms.slide(window_end=30, issued=12, size=10) is None


def test_with_skipped_slides_a_late_ticket_is_never_born_expired():
    window_end, issued = 0, 0
    for minute in range(50):  # people trickle in, one every other interval
        if minute % 2 == 0:
            issued += 1
            assert rooms.ticket_status(issued, window_end, W) is not TicketStatus.EXPIRED
        window_end = rooms.slide(window_end, issued, W.size) or window_end


def test_people_ahead_counts_only_those_still_waiting():
    assert rooms.people_ahead(35, window_end=30) == 4
    assert rooms.people_ahead(31, window_end=30) == 0
    assert rooms.people_ahead(12, window_end=30) == 0


def test_eta_is_the_wait_for_the_next_slide_plus_one_interval_per_window_left():
    assert rooms.eta_seconds(31, 30, W, until_next=30) == 30
    assert rooms.eta_seconds(41, 30, W, until_next=20) == 50
    assert rooms.eta_seconds(41, 30, W, until_next=-5) == 30  # the slide is due: about to run
    assert rooms.eta_seconds(25, 30, W, until_next=10) == 0


def test_an_admitted_ticket_lasts_until_the_active_windows_slide_past_it():
    next_slide = datetime(2026, 11, 25, 9, 0, 30, tzinfo=UTC)
    # position 30 at window end 30: expired once the end reaches 50, two slides away
    assert rooms.admitted_until(30, 30, W, next_slide=next_slide) == next_slide + timedelta(seconds=30)
    assert rooms.admitted_until(21, 30, W, next_slide=next_slide) == next_slide + timedelta(seconds=30)
    assert rooms.admitted_until(11, 30, W, next_slide=next_slide) == next_slide


def test_the_room_form_wants_two_active_windows_and_a_web_address():
    with pytest.raises(ValidationError) as caught:
        rooms.validate_room_form(size=0, interval=2, active=1, target_url="javascript:alert(1)")
    assert set(caught.value.errors) == {"window_size", "window_interval", "active_windows",
                                        "target_url"}
    form = rooms.validate_room_form(size="50", interval="60", active="3",
                                    target_url=" https://shop.example/checkout ")
    assert form.window == Window(50, 60, 3)
    assert form.target_url == "https://shop.example/checkout"


def test_the_room_form_accepts_no_target_and_refuses_words_for_numbers():
    assert rooms.validate_room_form(size=1, interval=5, active=2, target_url="").target_url == ""
    with pytest.raises(ValidationError) as caught:
        rooms.validate_room_form(size="ten", interval=30, active=2, target_url="")
    assert set(caught.value.errors) == {"window_size"}


def test_a_waiting_room_may_open_without_counter_queues_but_a_store_may_not():
    fields = {"email": "o@example.com", "password": "secret123", "confirm": "secret123",
              "name": "Drop", "queue_names": [], "timezone": "UTC"}
    assert validate_store_form(**fields, queues_optional=True).queue_names == ()
    with pytest.raises(ValidationError):
        validate_store_form(**fields)


def test_a_room_may_start_later_in_its_own_time_zone_and_live_up_to_three_days():
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    form = rooms.validate_room_form(size=5, interval=10, active=2, target_url="", lifetime_hours="6",
                                    starts="2026-11-25T12:30", zone="Europe/Paris", now=now)
    assert form.starts_at == datetime(2026, 11, 25, 11, 30, tzinfo=UTC)
    assert form.lifetime == timedelta(hours=6)
    with pytest.raises(ValidationError) as caught:
        rooms.validate_room_form(size=5, interval=10, active=2, target_url="", lifetime_hours="100",
                                 starts="2026-11-25T08:00", zone="UTC", now=now)
    assert set(caught.value.errors) == {"lifetime", "starts"}
