"""The store snapshot every screen is built from: its one-statement store row, pass and sign-ins.

The store, the pass its counter shows and the owner's live sign-ins come from one statement (an
outer join and an aggregated subquery, on SQLite and PostgreSQL alike): what a screen is allowed to
see hangs on those sign-ins, so each case is read back here.
"""

from __future__ import annotations

from datetime import timedelta

from queue_app.models import Pass
from queue_app.services import auth, closing, passes
from queue_app.services.security import token_hash
from queue_app.services.snapshot import load_snapshot
from tests.integration.factories import join_party, open_shop


def test_every_live_sign_in_and_none_other(db, now):
    store = open_shop(db, now)
    other = open_shop(db, now, email="other@example.com", name="Other shop")
    tablet, phone = auth.start_session(db, store, now=now), auth.start_session(db, store, now=now)
    elsewhere = auth.start_session(db, other, now=now)
    snap = load_snapshot(db, store.id, now=now)
    assert {token_hash(tablet), token_hash(phone)} <= snap.session_hashes
    assert token_hash(elsewhere) not in snap.session_hashes
    auth.sign_out(db, phone)
    assert token_hash(phone) not in load_snapshot(db, store.id, now=now).session_hashes
    assert token_hash(tablet) in load_snapshot(db, store.id, now=now).session_hashes
    later = store.closes_at + timedelta(seconds=1)  # sign-ins live until the store closes
    assert load_snapshot(db, store.id, now=later).session_hashes == frozenset()


def test_the_counters_current_pass_and_a_newer_one_after_a_scan(db, now):
    store = open_shop(db, now)
    shown = passes.current_pass(db, store.id, now=now)
    snap = load_snapshot(db, store.id, now=now)
    assert (snap.pass_id, snap.pass_token) == (shown.id, shown.token)
    scanned, rotated = passes.scan(db, shown.token, "phone-1", now=now)
    assert rotated and scanned.id == shown.id and scanned.browser_hash == "phone-1"
    fresh = load_snapshot(db, store.id, now=now)
    assert fresh.pass_id > shown.id and fresh.pass_token not in ("", shown.token)
    assert db.get(Pass, fresh.pass_id).token == fresh.pass_token
    counter = load_snapshot(db, store.id, now=now, counter_only=True)
    assert (counter.pass_id, counter.pass_token, counter.customers, counter.queues) == (
        fresh.pass_id, fresh.pass_token, (), ())


def test_a_closed_store_shows_no_code_and_a_party_read_holds_no_sign_ins(db, now):
    store = open_shop(db, now)
    auth.start_session(db, store, now=now)
    party = join_party(db, store, now, "Ann")
    own = load_snapshot(db, store.id, now=now, party_id=party.id)
    assert own.session_hashes == frozenset() and own.pass_token == "" and own.display_key == ""
    assert [c.name for c in own.customers] == ["Ann"] and [q.name for q in own.queues] == ["Haircut", "Color"]
    closing.close_store(db, store.id, now=now + timedelta(minutes=1))
    snap = load_snapshot(db, store.id, now=now + timedelta(minutes=1))
    assert (snap.pass_token, snap.pass_id) == ("", 0)
