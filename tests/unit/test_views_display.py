"""What the wall TV is given: numbers per queue in pages of 8, recent calls, no names ever."""

from __future__ import annotations

from dataclasses import replace

from queue_app.models import CustomerState as S
from queue_app.models import Queue
from queue_app.views.display import PER_PAGE, display, display_view
from tests.unit.test_views import COLOR, HAIRCUT, _Line


def test_each_queue_shows_its_latest_called_number_and_the_others_as_also():
    line = _Line()
    line.join("Ann", state=S.PROCESSING, called=30)
    line.join("Bob", state=S.PROCESSING, called=10)  # called later (joined a minute later)
    line.join("Cid")
    line.join("Dan", COLOR)
    [page] = display_view(line.snapshot())["pages"]
    haircut, color = page["cards"]
    assert (haircut["number"], haircut["also"], haircut["waiting"]) == ("A-001", "also A-002",
                                                                        "1 waiting")
    assert (color["number"], color["also"], color["waiting"]) == ("—", "", "1 waiting")
    assert page["columns"] == "repeat(2, minmax(0, 1fr))" and page["animation"] == "none"


def test_recently_called_lists_the_newest_calls_first_with_the_queue_and_no_name():
    line = _Line()
    line.join("Ann Secret", state=S.DONE, called=5, finished=9)
    line.join("Bob Secret", COLOR, state=S.PROCESSING, called=20, phone="+33 6 55 55 55 55")
    line.join("Cid Secret")
    view = display_view(line.snapshot())
    assert [(r["ticket"], r["queue"]) for r in view["recent"]] == [("B-001", "Color"),
                                                                  ("A-001", "Haircut")]
    assert view["last_call_queue"] == COLOR and view["last_call"].startswith("2@")
    assert "Secret" not in repr(view) and "+33" not in repr(view)


def test_the_last_call_marker_changes_when_someone_is_called_again():
    line = _Line()
    ann = line.join("Ann", state=S.PROCESSING, called=5)
    before = display_view(line.snapshot())["last_call"]
    line.rows[0] = ann._replace(called_at=ann.called_at.replace(minute=ann.called_at.minute + 1))
    assert display_view(line.snapshot())["last_call"] != before


def test_more_than_eight_queues_are_split_into_pages_that_take_turns():
    line = _Line()
    snap = line.snapshot()
    queues = tuple(Queue(id=n, store_id=1, name=f"Q{n}", prefix=chr(64 + n), position=n,
                         default_service_seconds=300) for n in range(1, 13))
    pages = display_view(replace(snap, queues=queues))["pages"]
    assert [len(p["cards"]) for p in pages] == [PER_PAGE, 4]
    assert [p["label"] for p in pages] == ["Page 1 of 2", "Page 2 of 2"]
    assert pages[0]["animation"] == "display-page-of-2 20s step-end -20s infinite"
    assert pages[1]["animation"] == "display-page-of-2 20s step-end -10s infinite"
    assert pages[1]["columns"] == "repeat(2, minmax(0, 1fr))"  # four cards: two by two
    assert pages[0]["rows"] == "repeat(3, minmax(0, 1fr))"  # eight: three by three


def test_the_number_s_size_follows_its_length():
    line = _Line()
    line.join("Ann", state=S.PROCESSING, called=5)
    [page] = display_view(line.snapshot())["pages"]
    assert [c["chars"] for c in page["cards"]] == ["5", "5"]  # "A-001", and "—" sized like it
    assert HAIRCUT == page["cards"][0]["id"]


def test_a_display_with_an_old_key_shows_nothing():
    line = _Line()
    line.join("Ann", state=S.PROCESSING, called=5)
    gone = display(line.snapshot(), {"key": "old-key", "origin": "http://127.0.0.1"})
    assert gone["found"] is False and gone["pages"] == [] and gone["recent"] == []
