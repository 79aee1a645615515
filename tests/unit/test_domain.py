"""The pure rules: what the open-store and join forms accept, state changes, tickets, waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from queue_app import domain
from queue_app.domain import DomainError, ValidationError
from queue_app.models import CustomerState as S

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _open(**changes) -> domain.StoreForm:
    fields = dict(email="owner@example.com", password="secret123", confirm="secret123",
                  name="Café Nord", queue_names=["Haircut", "Color"], timezone="Europe/Paris")
    return domain.validate_store_form(**(fields | changes))


def _refused(**changes) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        _open(**changes)
    return refused.value.errors


# --- open a store: store name ----------------------------------------------------------------

def test_a_valid_form_is_accepted_and_trimmed():
    form = _open(email="  Owner@Example.COM ", name="  Café Nord  ", queue_names=[" Haircut ", "Color"],
                 timezone=" Europe/Paris ")
    assert (form.email, form.name, form.queue_names, form.timezone) == (
        "owner@example.com", "Café Nord", ("Haircut", "Color"), "Europe/Paris")


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "\u00a0\u3000", "\u200b\u200b", "\ufeff "])
def test_an_empty_or_blank_store_name_is_refused_on_the_name_field(name):
    assert _refused(name=name) == {"name": "Enter a store name."}


def test_a_store_name_of_64_characters_is_accepted_and_65_is_refused():
    assert _open(name="x" * 64).name == "x" * 64
    assert "at most 64 characters" in _refused(name="x" * 65)["name"]


def test_the_length_counts_characters_after_nfc_normalisation():
    decomposed = "e\u0301" * 64  # 128 code points typed, 64 letters "é" seen
    form = _open(name=decomposed)
    assert form.name == "é" * 64 and len(form.name) == 64


def test_a_decomposed_and_a_composed_name_are_stored_the_same():
    assert _open(name="Cafe\u0301 Nord").name == _open(name="Café Nord").name == "Café Nord"


@pytest.mark.parametrize("name", ["مقهى الشمس", "קפה השמש", "☕ Café 🍰", "北口の喫茶店", "👨‍👩‍👧 Family"])
def test_right_to_left_text_emoji_and_other_scripts_are_kept_as_typed(name):
    assert _open(name=name).name == name


def test_control_characters_are_dropped_from_free_text():
    assert _open(name="Café\x00 Nord\x07").name == "Café Nord"


# --- email -----------------------------------------------------------------------------------

@pytest.mark.parametrize("email", ["", "   ", "owner", "owner@", "@example.com", "owner@example",
                                   "owner@@example.com", "owner example@x.com", "owner@exa mple.com",
                                   "<owner@example.com>", "owner@-example.com", "owner@example.com."])
def test_a_malformed_email_is_refused_on_the_email_field(email):
    errors = _refused(email=email)
    assert list(errors) == ["email"]


def test_an_email_of_254_characters_is_accepted_and_255_is_refused():
    domain_part = "@example.com"
    assert len(_open(email="a" * (254 - len(domain_part)) + domain_part).email) == 254
    errors = _refused(email="a" * (255 - len(domain_part)) + domain_part)
    assert "at most 254 characters" in errors["email"]


def test_emails_are_compared_in_lower_case():
    assert _open(email="Owner@EXAMPLE.com").email == "owner@example.com"


def test_an_invisible_character_pasted_around_an_email_is_ignored():
    assert _open(email="\ufeffowner@example.com\u200b").email == "owner@example.com"


# --- password --------------------------------------------------------------------------------

def test_a_password_of_7_characters_is_refused_and_8_is_accepted():
    assert _refused(password="x" * 7, confirm="x" * 7) == {"password": "Use at least 8 characters."}
    assert _open(password="x" * 8, confirm="x" * 8).password == "x" * 8


def test_a_password_of_128_characters_is_accepted_and_129_is_refused():
    assert _open(password="x" * 128, confirm="x" * 128).password == "x" * 128
    assert _refused(password="x" * 129, confirm="x" * 129) == {"password": "Use at most 128 characters."}


def test_a_password_is_kept_exactly_as_typed_spaces_included():
    assert _open(password="  pass word  ", confirm="  pass word  ").password == "  pass word  "


def test_a_confirmation_that_differs_is_refused_on_the_confirmation_field():
    assert _refused(confirm="secret124") == {"confirm": "The two passwords do not match."}


# --- time zone -------------------------------------------------------------------------------

@pytest.mark.parametrize("zone", ["", "Mars/Olympus", "europe/paris", "GMT+2", "../../etc/passwd"])
def test_an_unknown_time_zone_is_refused_on_the_time_zone_field(zone):
    assert _refused(timezone=zone) == {"timezone": "Choose a time zone from the list."}


def test_every_zone_in_the_picker_is_accepted():
    assert "Europe/Paris" in domain.time_zones() and "UTC" in domain.time_zones()
    assert _open(timezone="America/Argentina/Buenos_Aires").timezone == "America/Argentina/Buenos_Aires"


# --- queues ----------------------------------------------------------------------------------

def test_a_store_without_queues_is_refused():
    assert _refused(queue_names=[]) == {"queues": "Add at least one queue."}


def test_twenty_queues_are_accepted_and_twenty_one_are_refused():
    assert len(_open(queue_names=[f"Q{i}" for i in range(20)]).queue_names) == 20
    assert _refused(queue_names=[f"Q{i}" for i in range(21)]) == {"queues": "A store has at most 20 queues."}


@pytest.mark.parametrize("twin", ["haircut", "HAIRCUT", " Haircut ", "HaIrCuT"])
def test_two_queues_with_the_same_name_in_any_case_are_refused_on_the_second(twin):
    errors = _refused(queue_names=["Haircut", "Color", twin])
    assert list(errors) == ["queue-2"] and "already a queue" in errors["queue-2"]


def test_queue_names_that_differ_only_in_normalisation_are_duplicates():
    assert list(_refused(queue_names=["Café", "Cafe\u0301"])) == ["queue-1"]


def test_a_blank_or_too_long_queue_name_is_refused_on_its_own_field():
    errors = _refused(queue_names=["Haircut", "  ", "x" * 33])
    assert set(errors) == {"queue-1", "queue-2"}
    assert _open(queue_names=["x" * 32]).queue_names == ("x" * 32,)


def test_every_broken_field_is_reported_at_once():
    errors = _refused(email="nope", password="short", confirm="other", name="", queue_names=[],
                      timezone="Nowhere")
    assert set(errors) == {"email", "password", "confirm", "name", "queues", "timezone"}


def test_a_description_of_500_characters_is_accepted_and_501_is_refused():
    assert len(_open(description="d" * 500).description) == 500
    assert list(_refused(description="d" * 501)) == ["description"]


# --- party -----------------------------------------------------------------------------------

def _person(name="Ann", phone="", queue_id=1) -> dict:
    return {"name": name, "phone": phone, "queue_id": queue_id}


def _party_errors(people, queue_ids=(1, 2)) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        domain.validate_party(people, list(queue_ids))
    return refused.value.errors


def test_a_party_of_one_to_five_people_is_accepted():
    people = domain.validate_party([_person(f"P{i}", queue_id=1 + i % 2) for i in range(5)], [1, 2])
    assert [(p.name, p.queue_id) for p in people] == [("P0", 1), ("P1", 2), ("P2", 1), ("P3", 2), ("P4", 1)]


def test_a_party_of_nobody_or_six_people_is_refused():
    assert _party_errors([]) == {"party": "Add at least one person."}
    assert _party_errors([_person()] * 6) == {"party": "A party has at most 5 people."}


def test_a_name_of_64_characters_is_accepted_and_65_is_refused_on_that_persons_field():
    assert domain.validate_party([_person("n" * 64)], [1])[0].name == "n" * 64
    assert list(_party_errors([_person(), _person("n" * 65)])) == ["name-1"]


@pytest.mark.parametrize("name", ["", "   ", "\u00a0", "\u200b"])
def test_a_blank_name_is_refused(name):
    assert _party_errors([_person(name)]) == {"name-0": "Enter a name."}


@pytest.mark.parametrize("phone", ["+33 6 12-34-56 (78)", "0612345678", "", "1" * 30])
def test_phones_of_digits_spaces_and_plus_minus_brackets_are_accepted(phone):
    assert domain.validate_party([_person(phone=phone)], [1])[0].phone == phone.strip()


@pytest.mark.parametrize("phone", ["06 12 AB 34", "call me", "06.12.34", "1" * 31])
def test_a_phone_with_letters_or_too_long_is_refused(phone):
    assert list(_party_errors([_person(phone=phone)])) == ["phone-0"]


@pytest.mark.parametrize("queue_id", [3, None, "", "abc", "1.5"])
def test_a_queue_that_is_not_one_of_this_stores_is_refused(queue_id):
    assert _party_errors([_person(queue_id=queue_id)], queue_ids=[1, 2]) == {"queue-0": "Choose a queue."}


def test_a_queue_id_sent_as_text_is_accepted():
    assert domain.validate_party([_person(queue_id="2")], [1, 2])[0].queue_id == 2


# --- transitions and times -------------------------------------------------------------------

@pytest.mark.parametrize(("current", "target"), [
    (S.WAITING, S.PROCESSING), (S.PROCESSING, S.DONE), (S.WAITING, S.NO_SHOW),
    (S.PROCESSING, S.NO_SHOW), (S.PROCESSING, S.WAITING), (S.DONE, S.WAITING),
    (S.NO_SHOW, S.WAITING), (S.DELETE, S.WAITING), (S.WAITING, S.DELETE), (S.DONE, S.DELETE),
])
def test_every_button_of_the_dashboard_is_an_allowed_move(current, target):
    domain.check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), [
    (S.WAITING, S.WAITING), (S.DELETE, S.DONE), (S.DELETE, S.PROCESSING), (S.DELETE, S.NO_SHOW),
    (S.DONE, S.DONE), (S.DONE, S.NO_SHOW),
])
def test_a_move_that_makes_no_sense_is_refused_with_a_readable_message(current, target):
    with pytest.raises(DomainError) as refused:
        domain.check_transition(current, target)
    assert "cannot be moved" in refused.value.message


def test_calling_starts_the_clock_and_finishing_stops_it():
    called = NOW - timedelta(minutes=4)
    assert domain.stamp_times(S.PROCESSING, called_at=None, now=NOW) == (NOW, None)
    assert domain.stamp_times(S.DONE, called_at=called, now=NOW) == (called, NOW)
    assert domain.stamp_times(S.NO_SHOW, called_at=None, now=NOW) == (None, NOW)


def test_back_to_waiting_clears_both_times():
    assert domain.stamp_times(S.WAITING, called_at=NOW, now=NOW) == (None, None)


# --- tickets ---------------------------------------------------------------------------------

def test_queues_get_letters_in_order_and_two_letters_after_z():
    assert domain.ticket_prefixes(3) == ["A", "B", "C"]
    prefixes = domain.ticket_prefixes(28)
    assert prefixes[25:] == ["Z", "AA", "AB"] and len(set(prefixes)) == 28


def test_ticket_labels_are_padded_to_three_digits():
    assert domain.ticket_label("A", 7) == "A-007"
    assert domain.ticket_label("B", 123) == "B-123"
    assert domain.ticket_label("C", 1234) == "C-1234"


# --- service time, ETA and the wording of waits ----------------------------------------------

def test_the_queue_default_is_used_until_three_services_are_seen():
    assert domain.average_service_seconds([], 300) == 300
    assert domain.average_service_seconds([60, 120], 300) == 300
    assert domain.service_estimate([60, 120], 300) == domain.ServiceEstimate(300, 2)


def test_with_few_services_the_observed_time_is_blended_with_the_default():
    # 3 seen: 30 % the median of what was seen (120 s), 70 % the default (300 s)
    assert domain.average_service_seconds([60, 120, 180], 300) == pytest.approx(246)
    assert not domain.service_estimate([60, 120, 180], 300).settled


def test_five_quick_services_do_not_collapse_the_estimate():
    # The issue: five Call→Done taps of ~10 s made "3 people ahead · less than a minute".
    seconds = domain.average_service_seconds([10, 8, 12, 9, 11], 300)
    assert seconds == pytest.approx(155)
    assert domain.format_wait(domain.estimated_wait_seconds(3, seconds)) == "about 10 min"


def test_ten_quick_services_still_leave_a_floor_of_a_fifth_of_the_default():
    assert domain.average_service_seconds([10] * 10, 300) == 60
    assert domain.service_estimate([10] * 10, 300).settled


def test_a_few_odd_services_do_not_move_a_settled_estimate():
    durations = [300, 310, 290, 305, 295, 300, 5, 2, 3600, 300]
    assert domain.average_service_seconds(durations, 600) == pytest.approx(300, abs=5)


def test_the_robust_mean_is_the_median_of_few_values_and_a_trimmed_mean_of_more():
    assert domain.robust_mean([1, 100, 7]) == 7
    assert domain.robust_mean([1, 2, 3, 4, 1000]) == 3  # one fifth dropped at each end


def test_the_average_uses_only_the_last_ten_services():
    durations = [10_000] * 5 + [60] * 10
    assert domain.average_service_seconds(durations, 300) == 60


def test_the_wait_is_people_ahead_plus_one_times_the_average():
    assert domain.estimated_wait_seconds(0, 300) == 300
    assert domain.estimated_wait_seconds(3, 120) == 480


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "less than a minute"), (29, "less than a minute"), (60, "about 1 min"), (12 * 60, "about 12 min"),
    (59 * 60, "about 59 min"), (60 * 60, "about 1 h"), (80 * 60, "about 1 h 20 min"),
    (125 * 60 + 10, "about 2 h 5 min"),
])
def test_waits_are_shown_rounded_in_words(seconds, text):
    assert domain.format_wait(seconds) == text


def test_time_waited_on_the_dashboard_is_short():
    assert domain.format_duration(timedelta(seconds=59)) == "0 min"
    assert domain.format_duration(timedelta(minutes=14)) == "14 min"
    assert domain.format_duration(timedelta(minutes=65)) == "1 h 05"


def test_file_names_are_ascii_slugs():
    assert domain.slugify("Café Nord!") == "cafe-nord"
    assert domain.slugify("مقهى") == "store"


@pytest.mark.parametrize("value", ["0", "241", "2.5", "", None, "ten", -3])
def test_a_default_service_time_must_be_whole_minutes_from_1_to_240(value):
    assert "1 to 240" in domain.service_minutes_error(value)


@pytest.mark.parametrize("value", ["1", 5, "240"])
def test_a_sensible_default_service_time_is_accepted(value):
    assert domain.service_minutes_error(value) == ""


@pytest.mark.parametrize("sent", [2**31, 2**63, -(2**63) - 1, "9" * 5000, "1" * 21, [1], {"a": 1}, True,
                                  None, 1.5, "1e9"])
def test_a_number_no_id_or_count_can_be_is_not_a_number(sent):
    """A browser may send any JSON: past 32 bits it is no database id (SQLite would overflow)."""
    assert domain.to_int(sent) is None


def test_whole_numbers_sent_as_text_or_numbers_are_read():
    assert [domain.to_int(v) for v in ("12", 12, " 7", "-3", 2**31 - 1)] == [12, 12, 7, -3, 2**31 - 1]
