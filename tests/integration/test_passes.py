"""One-time QR passes: a scan binds the code to one phone and the counter shows a new one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select, update

from queue_app.config import settings
from queue_app.models import Party, Pass, PassState
from queue_app.services import closing, customers, passes
from queue_app.services.errors import NotAllowed
from tests.integration.factories import cheap_argon2, join_party, open_shop, queue_of  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def _normal_passes(db, store) -> list[Pass]:
    return list(db.exec(select(Pass).where(Pass.store_id == store.id, Pass.state == PassState.NORMAL)))


def test_the_counter_shows_one_pass_and_keeps_showing_it_until_scanned(db, now):
    store = open_shop(db, now)
    shown = passes.current_pass(db, store.id, now=now)
    assert passes.current_pass(db, store.id, now=now + timedelta(minutes=1)).token == shown.token
    assert len(shown.token) >= 22  # ≥ 128 random bits, URL-safe
    assert [p.token for p in _normal_passes(db, store)] == [shown.token]


def test_two_screens_making_the_first_code_at_once_both_show_the_one_that_won(db, engine, now,
                                                                               monkeypatch):
    """Screen 2 makes the store's first code between screen 1's read and its insert.

    Screen 1's insert then meets the one-normal-pass index and it shows screen 2's code: no
    second code, no error.
    """
    store = open_shop(db, now)
    db.exec(update(Pass).where(Pass.store_id == store.id).values(state=PassState.USED))  # none shown
    db.commit()
    found = passes._shown

    def read_then_lose_the_race(session, store_id):
        if session is db and not made:
            with Session(engine, expire_on_commit=False) as other:  # screen 2, in between
                made.append(passes.current_pass(other, store_id, now=now))
            return None  # what screen 1 read before screen 2 committed
        return found(session, store_id)

    made: list[Pass] = []
    monkeypatch.setattr(passes, "_shown", read_then_lose_the_race)
    shown = passes.current_pass(db, store.id, now=now)
    assert made and shown.token == made[0].token
    assert [p.token for p in _normal_passes(db, store)] == [shown.token]


def test_scanning_binds_the_pass_to_the_phone_and_the_counter_gets_exactly_one_new_pass(db, now):
    store = open_shop(db, now)
    shown = passes.current_pass(db, store.id, now=now)
    scanned, rotated = passes.scan(db, shown.token, "phone-1", now=now)
    assert rotated and scanned.state is PassState.SCANNED and scanned.browser_hash == "phone-1"
    fresh = passes.current_pass(db, store.id, now=now)
    assert fresh.token != shown.token
    assert [p.token for p in _normal_passes(db, store)] == [fresh.token]


def test_a_scanned_code_opened_on_another_phone_is_refused_as_already_used(db, now):
    store = open_shop(db, now)
    shown = passes.current_pass(db, store.id, now=now)
    passes.scan(db, shown.token, "phone-1", now=now)
    with pytest.raises(NotAllowed) as refused:
        passes.scan(db, shown.token, "friend-at-home", now=now + timedelta(seconds=5))
    assert refused.value.message == passes.SCAN_AGAIN
    assert "already used" in refused.value.message
    assert db.get(Pass, shown.id).browser_hash == "phone-1"


def test_the_phone_that_scanned_can_reload_the_page_without_using_another_pass(db, now):
    store = open_shop(db, now)
    shown = passes.current_pass(db, store.id, now=now)
    passes.scan(db, shown.token, "phone-1", now=now)
    again, rotated = passes.scan(db, shown.token, "phone-1", now=now + timedelta(minutes=2))
    assert again.id == shown.id and not rotated
    assert len(_normal_passes(db, store)) == 1


def test_a_scanned_pass_expires_after_the_pass_lifetime(db, now):
    store = open_shop(db, now)
    shown = passes.current_pass(db, store.id, now=now)
    passes.scan(db, shown.token, "phone-1", now=now)
    with pytest.raises(NotAllowed, match="This code has expired"):
        passes.scan(db, shown.token, "phone-1", now=now + settings.pass_ttl)
    queue = queue_of(db, store)
    with pytest.raises(NotAllowed, match="already used"):
        customers.join(db, shown.token, "phone-1", [{"name": "Ann", "queue_id": queue.id}],
                       now=now + settings.pass_ttl + timedelta(seconds=1))
    assert db.exec(select(Party)).all() == []


def test_a_scanned_pass_is_still_good_just_before_it_expires(db, now):
    store = open_shop(db, now)
    shown = passes.current_pass(db, store.id, now=now)
    passes.scan(db, shown.token, "phone-1", now=now)
    later = now + settings.pass_ttl - timedelta(seconds=1)
    passes.scan(db, shown.token, "phone-1", now=later)
    party = customers.join(db, shown.token, "phone-1", [{"name": "Ann", "queue_id": queue_of(db, store).id}],
                           now=later)
    assert party.pass_id == shown.id


@pytest.mark.parametrize("token", ["made-up-token-0123456789", "", "x" * 500, None, 12345])
def test_a_made_up_code_is_refused_as_not_a_code_rather_than_already_used(db, now, token):
    open_shop(db, now)
    with pytest.raises(NotAllowed, match="not a valid queue code"):
        passes.scan(db, token, "phone-1", now=now)


def test_the_code_of_a_closed_store_is_refused(db, now):
    store = open_shop(db, now)
    shown = passes.current_pass(db, store.id, now=now)
    closing.close_store(db, store.id, now=now)
    with pytest.raises(NotAllowed) as refused:
        passes.scan(db, shown.token, "phone-1", now=now)
    assert refused.value.message == passes.STORE_CLOSED


def test_a_used_pass_cannot_be_opened_again_even_by_the_same_phone(db, now):
    store = open_shop(db, now)
    party = join_party(db, store, now, "Ann")
    used = db.get(Pass, party.pass_id)
    assert used.state is PassState.USED and used.used_at == now
    with pytest.raises(NotAllowed, match="already used"):
        passes.scan(db, used.token, "phone-1", now=now)


def test_a_code_left_on_the_counter_too_long_is_replaced(db, now):
    store = open_shop(db, now)
    old = passes.current_pass(db, store.id, now=now)
    assert passes.rotate_stale_passes(db, now=now + settings.pass_ttl - timedelta(seconds=1)) == []
    assert passes.rotate_stale_passes(db, now=now + settings.pass_ttl) == [store.id]
    fresh = passes.current_pass(db, store.id, now=now + settings.pass_ttl)
    assert fresh.token != old.token and [p.token for p in _normal_passes(db, store)] == [fresh.token]
    with pytest.raises(NotAllowed, match="already used"):
        passes.scan(db, old.token, "phone-1", now=now + settings.pass_ttl)
