"""What each screen is given: positions and waits, and never another customer's name or phone."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from queue_app.domain.snapshot import CustomerRow, StoreSnapshot, people_ahead
from queue_app.models import CustomerState as S
from queue_app.models import Queue, Source, StoreStatus
from queue_app.views import common, customer, owner, public

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
HAIRCUT, COLOR = 1, 2


def _queues() -> tuple[Queue, ...]:
    return (Queue(id=HAIRCUT, store_id=1, name="Haircut", prefix="A", position=0,
                  default_service_seconds=300),
            Queue(id=COLOR, store_id=1, name="Color", prefix="B", position=1, default_service_seconds=600))


class _Line:
    """Customers joining one after the other, a minute apart, as `load_snapshot` lists them."""

    def __init__(self) -> None:
        self.rows: list[CustomerRow] = []
        self._tickets = {HAIRCUT: itertools.count(1), COLOR: itertools.count(1)}

    def join(self, name: str, queue_id: int = HAIRCUT, *, party: str = "", state: S = S.WAITING,
             phone: str = "", called: int | None = None, finished: int | None = None,
             source: Source = Source.QR) -> CustomerRow:
        number = len(self.rows) + 1
        joined = NOW - timedelta(hours=2) + timedelta(minutes=number)
        row = CustomerRow(
            id=number, queue_id=queue_id, party_id=number, party_secret=party or f"secret-of-{name}",
            party_size=1, source=source, ticket_number=next(self._tickets[queue_id]), name=name,
            phone=phone or f"+33 6 00 00 00 {number:02d}", state=state, joined_at=joined,
            called_at=None if called is None else joined + timedelta(minutes=called),
            finished_at=None if finished is None else joined + timedelta(minutes=finished))
        self.rows.append(row)
        return row

    def snapshot(self) -> StoreSnapshot:
        return StoreSnapshot(
            store_id=1, name="Café Nord", description="", timezone="Europe/Paris",
            status=StoreStatus.OPEN, opened_at=NOW - timedelta(hours=3), closes_at=NOW + timedelta(hours=21),
            slug="slug", display_key="key", queues=_queues(), customers=tuple(self.rows),
            pass_token="pass", taken_at=NOW)


SECRET = "installation-secret"


def _ticket(line: _Line, party: str) -> list[dict]:
    """What one ticket page shows per person: its own people, each read from the shared board."""
    snap = line.snapshot()
    board = customer.ticket_board(snap, SECRET)
    return [person | dict(zip(("live", "ahead", "wait"), customer.shown(board, person), strict=True))
            for person in customer.own_people(snap, party, SECRET)]


def test_people_ahead_count_only_waiting_customers_of_the_same_queue_in_join_order():
    line = _Line()
    ann = line.join("Ann")
    line.join("Bob", COLOR)
    line.join("Cid", state=S.PROCESSING, called=5)
    dan = line.join("Dan")
    line.join("Eve", state=S.DONE, called=1, finished=3)
    fay = line.join("Fay")
    gus = line.join("Gus", COLOR)
    ahead = people_ahead(line.snapshot())
    assert (ahead[ann.id], ahead[dan.id], ahead[fay.id]) == (0, 1, 2)
    assert ahead[gus.id] == 1  # only Bob, in the other queue
    assert set(ahead) == {ann.id, dan.id, fay.id, 2, gus.id}  # nobody served or finished


def test_a_ticket_shows_position_and_wait_from_the_queue_default_until_three_services():
    line = _Line()
    line.join("Ann")
    line.join("Bob")
    line.join("Cid", party="mine")
    [cid] = _ticket(line, "mine")
    assert (cid["ticket"], cid["queue"], cid["live"], cid["ahead"]) == ("A-003", "Haircut", "waiting", 2)
    assert cid["wait"] == "about 15 min"  # (2 ahead + 1) × 5 min default


def test_the_wait_follows_the_services_seen_blended_with_the_default_until_ten():
    line = _Line()
    for minutes in (2, 2, 2):  # three 2-minute services: 30 % of 2 min + 70 % of the 5-min default
        line.join("Done", state=S.DONE, called=10, finished=10 + minutes)
    line.join("Ann")
    line.join("Me", party="mine")
    assert _ticket(line, "mine")[0]["wait"] == "about 8 min"  # 2 × 4.1 min
    line = _Line()
    for _ in range(10):  # ten of them: the estimate is what was seen
        line.join("Done", state=S.DONE, called=10, finished=12)
    line.join("Ann")
    line.join("Me", party="mine")
    assert _ticket(line, "mine")[0]["wait"] == "about 4 min"


def test_the_next_customer_has_nobody_ahead():
    line = _Line()
    line.join("Me", party="mine")
    [me] = _ticket(line, "mine")
    assert (me["live"], me["ahead"]) == ("waiting", 0)


def test_a_called_customer_is_on_the_board_as_processing_with_no_wait():
    line = _Line()
    line.join("Me", party="mine", state=S.PROCESSING, called=3)
    [me] = _ticket(line, "mine")
    assert (me["live"], me["ahead"], me["wait"]) == ("processing", 0, "")


def test_finished_customers_leave_the_line_and_are_listed_as_ended_newest_first():
    line = _Line()
    done = line.join("Done", state=S.DONE, called=1, finished=2)
    gone = line.join("Gone", state=S.DELETE, finished=9)
    snap = line.snapshot()
    board = customer.ticket_board(snap, SECRET)
    assert board["line"] == {}
    assert list(board["ended"].items()) == [(common.customer_key(SECRET, snap, gone.id), "delete"),
                                            (common.customer_key(SECRET, snap, done.id), "done")]


def test_the_ticket_board_names_nobody_and_no_serial_id():
    line = _Line()
    for number in range(1, 13):
        line.join(f"Person{number}", phone=f"+33 6 55 55 55 {number:02d}")
    board = customer.ticket_board(line.snapshot(), SECRET)
    shown = repr(board)
    assert "Person" not in shown and "+33" not in shown and "secret-of" not in shown
    assert all(not key.isdigit() and len(key) == 10 for key in board["line"])
    assert list(board["line"].values()) == list(range(12))  # people ahead, nothing else


def test_a_ticket_lists_every_person_of_the_party_and_only_them():
    line = _Line()
    line.join("Stranger", phone="+44 7700 900123")
    line.join("Me", party="mine", phone="+33 6 11 11 11 11")
    line.join("Other", COLOR, phone="+49 151 000000")
    line.join("My kid", COLOR, party="mine")
    people = _ticket(line, "mine")
    assert [(p["name"], p["ticket"], p["ahead"]) for p in people] == [("Me", "A-002", 1),
                                                                      ("My kid", "B-002", 1)]
    shown = repr(people)
    for secret in ("Stranger", "Other", "+44 7700 900123", "+49 151 000000", "+33 6 11 11 11 11",
                   "secret-of-"):
        assert secret not in shown  # not even the party's own phone: the screen does not need it


def test_an_unknown_ticket_secret_shows_nobody():
    line = _Line()
    line.join("Ann")
    assert _ticket(line, "made-up") == []


def test_public_summaries_show_counts_and_tickets_but_no_names_or_phones():
    line = _Line()
    line.join("Ann Secret", phone="+33 6 99 99 99 99")
    line.join("Bob Secret", state=S.PROCESSING, called=2)
    line.join("Cid Secret", COLOR)
    summaries = public.store_board(line.snapshot(), SECRET)["queues"]
    assert [(s["name"], s["waiting"], s["serving"]) for s in summaries] == [("Haircut", 1, "A-002"),
                                                                           ("Color", 1, "—")]
    assert [s["wait"] for s in summaries] == ["about 10 min", "about 20 min"]  # a newcomer's wait
    assert all(set(s) == {"key", "name", "waiting", "serving", "wait", "online"}  # no id
               for s in summaries)
    shown = repr(summaries)
    assert "Secret" not in shown and "+33" not in shown and "secret-of" not in shown


def test_the_dashboard_lists_waiting_and_called_customers_in_join_order_and_the_finished_apart():
    line = _Line()
    line.join("Ann", state=S.DONE, called=1, finished=5)
    line.join("Bob")
    line.join("Cid", state=S.PROCESSING, called=4)
    line.join("Dan", state=S.NO_SHOW, called=2, finished=30)
    line.join("Eve")
    line.join("Fay", COLOR)
    line.join("Gus", state=S.DELETE, finished=1)
    haircut, color = owner.dashboard_queues(line.snapshot(), NOW)
    assert [c["name"] for c in haircut["customers"]] == ["Bob", "Cid", "Eve"]
    assert [c["state_label"] for c in haircut["customers"]] == ["Waiting", "Called", "Waiting"]
    assert [c["name"] for c in haircut["finished"]] == ["Dan", "Gus", "Ann"]  # last finished first
    assert haircut["finished_count"] == 3 and color["finished_count"] == 0
    assert haircut["active_count"] == 3 and haircut["served"] == 1
    assert [c["name"] for c in color["customers"]] == ["Fay"]


def test_the_dashboard_shows_the_owner_names_phones_tickets_and_walk_ins():
    line = _Line()
    line.join("Ann", phone="+33 6 12 34 56 78", source=Source.WALK_IN)
    [row] = owner.dashboard_queues(line.snapshot(), NOW)[0]["customers"]
    assert (row["ticket"], row["name"], row["phone"], row["walk_in"]) == ("A-001", "Ann", "+33 6 12 34 56 78",
                                                                          True)
    assert row["waited"] == "1 h 59" and row["joined"] == "08:01"  # Paris is UTC+1 in November


def test_the_dashboard_keeps_no_customer_name_in_memory_once_the_store_closed():
    import dataclasses

    line = _Line()
    line.join("Ann Secret")
    owner.dashboard_queues(line.snapshot(), NOW)
    assert "Ann Secret" in repr(owner._ROWS)  # rows are reused between pushes while open
    closed = dataclasses.replace(line.snapshot(), status=StoreStatus.CLOSED)
    owner.dashboard(closed, {"session": "", "origin": ""})
    assert "Ann Secret" not in repr(owner._ROWS)


def test_the_dashboard_says_when_the_estimate_rests_on_few_services():
    line = _Line()
    line.join("Ann", state=S.DONE, called=1, finished=5)
    haircut, _ = owner.dashboard_queues(line.snapshot(), NOW)
    assert haircut["estimate_basis"] == "Estimates: your default time"
    for name in "BCDE":
        line.join(name, state=S.DONE, called=1, finished=5)
    haircut, color = owner.dashboard_queues(line.snapshot(), NOW)
    assert haircut["estimate_basis"] == "Estimates: only 5 served"
    for name in "FGHIJ":
        line.join(name, state=S.DONE, called=1, finished=5)
    haircut, _ = owner.dashboard_queues(line.snapshot(), NOW)
    assert haircut["estimate_basis"] == ""
    assert haircut["average_service"] == "4 min"


def test_the_counter_code_image_is_exactly_the_qr_codes_modules_one_pixel_each():
    import base64  # noqa: PLC0415
    import io  # noqa: PLC0415

    from PIL import Image  # noqa: PLC0415

    from queue_app import qr  # noqa: PLC0415

    url = "https://shop.example/join/" + "p" * 43
    uri = qr.qr_data_uri(url)
    assert uri.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("L")
    modules = qr.qr_matrix(url)
    assert image.size == (len(modules), len(modules))
    pixels = list(image.getdata())
    assert [[pixels[y * image.width + x] == 0 for x in range(image.width)]
            for y in range(image.height)] == modules
    assert not any(modules[0]) and not any(row[0] for row in modules)  # the quiet zone is white
    assert qr.qr_matrix(url + "x") != modules  # another URL, another code


def test_a_code_drawn_at_the_remembered_version_is_the_smallest_code_and_a_longer_one_still_fits(
        monkeypatch):
    import qrcode  # noqa: PLC0415
    from qrcode.constants import ERROR_CORRECT_M  # noqa: PLC0415

    from queue_app import qr  # noqa: PLC0415

    monkeypatch.setattr(qr, "_VERSIONS", {})  # nothing remembered from other tests

    def fitted(text: str) -> list[list[bool]]:
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=qr.BORDER, mask_pattern=qr.MASK_PATTERN)
        code.add_data(text)
        code.make(fit=True)
        return code.get_matrix()

    first, second = ("https://shop.example/join/" + t for t in ("Ab3_" * 8, "Zy9-" * 8))
    assert qr.qr_matrix(first) == fitted(first)  # finds and remembers the version
    assert qr.qr_matrix(second) == fitted(second)  # drawn at the remembered one: the same code
    digits, text = "1" * 61, "https://shop.example/join/" + "x" * 35  # the same length
    assert qr.qr_matrix(digits) == fitted(digits)  # numeric: a small version is remembered
    assert qr.qr_matrix(text) == fitted(text)  # too long for it: fitted afresh


def test_a_long_line_lists_its_first_customers_and_everyone_being_served_and_counts_the_rest():
    line = _Line()
    for i in range(owner.ACTIVE_SHOWN + 5):
        line.join(f"Guest {i}")
    line.join("Late but called", state=S.PROCESSING, called=3)  # called out of order, from the list
    line.join("Fay", COLOR)
    haircut, color = owner.dashboard_queues(line.snapshot(), NOW)
    names = [c["name"] for c in haircut["customers"]]
    assert names == [f"Guest {i}" for i in range(owner.ACTIVE_SHOWN)] + ["Late but called"]
    assert haircut["unlisted"] == 5 and haircut["active_count"] == owner.ACTIVE_SHOWN + 6
    assert haircut["waiting"] == owner.ACTIVE_SHOWN + 5  # the counts still cover the whole line
    assert color["unlisted"] == 0 and [c["name"] for c in color["customers"]] == ["Fay"]

    more = owner.show_more({}, HAIRCUT)
    view = owner.dashboard(_signed_in(line), _context(more))
    haircut, _ = view["queues"]
    assert haircut["unlisted"] == 0 and len(haircut["customers"]) == owner.ACTIVE_SHOWN + 6


def _signed_in(line: _Line) -> StoreSnapshot:
    import dataclasses

    return dataclasses.replace(line.snapshot(), session_hashes=frozenset({"hash"}))


def _context(shown: dict[str, int] | None) -> dict[str, str]:
    return {"session": "hash", "origin": "http://shop.example"} | owner.shown_context(shown or {})


def test_show_more_grows_one_queues_list_by_a_page_and_ignores_what_a_forged_event_sends():
    shown = owner.show_more({}, HAIRCUT)
    assert shown == {str(HAIRCUT): 2 * owner.ACTIVE_SHOWN}
    assert owner.show_more(shown, str(HAIRCUT)) == {str(HAIRCUT): 3 * owner.ACTIVE_SHOWN}
    for forged in (None, "two", 1.5j, [], {"id": 1}, True, "9" * 40):
        assert owner.show_more(shown, forged) is None, forged
    grown = shown
    for _ in range(owner.SHOWN_MAX):  # bounded, however often it is pressed
        grown = owner.show_more(grown, HAIRCUT)
    assert grown[str(HAIRCUT)] == owner.SHOWN_MAX
    many = {str(i): owner.ACTIVE_SHOWN for i in range(100)}
    assert owner.show_more(many, 1000) is None and owner.show_more(many, 5) is not None  # no growth
    line = _Line()
    line.join("Ann")
    for garbage in ("-4", "lots", "", "10" * 30):  # a context value that is no count: the default
        assert owner.shown_limits(line.snapshot(), {f"shown:{HAIRCUT}": garbage}) == (
            owner.ACTIVE_SHOWN, owner.ACTIVE_SHOWN)
