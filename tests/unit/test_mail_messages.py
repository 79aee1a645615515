"""The report mail as the owner reads it: subject, totals in both bodies, the CSV attached."""

from __future__ import annotations

from queue_app.mail.messages import report_message
from queue_app.reports import ReportSummary

BUSY = ReportSummary(customers=12, served=8, no_shows=1, removed=2, average_wait="about 6 min",
                     longest_wait="about 25 min", busiest_hour="14:00–15:00 (5 joined)",
                     service_times=(("Haircut", "about 12 min"),))
EMPTY = ReportSummary(customers=0, served=0, no_shows=0, removed=0, average_wait="—",
                      longest_wait="—", busiest_hour="—")


def _mail(summary=BUSY, name="Café Nord"):
    return report_message(to="owner@example.com", store_name=name, date="2026-11-25", summary=summary,
                          filename="cafe-nord-2026-11-25.csv", csv=b"\xef\xbb\xbfqueue\r\n")


def test_subject_names_the_store_and_the_opening_date():
    assert _mail().subject == "Queue report: Café Nord (2026-11-25)"
    assert _mail().to == "owner@example.com"


def test_both_bodies_carry_every_total():
    mail = _mail()
    for text in ("Customers", "12", "Served", "8", "No-shows", "Removed", "about 6 min", "about 25 min",
                 "14:00–15:00 (5 joined)", "Service time, Haircut", "about 12 min"):
        assert text in mail.text and text in mail.html
    assert "<" not in mail.text


def test_the_csv_is_attached_under_its_file_name_with_its_exact_bytes():
    [attachment] = _mail().attachments
    assert (attachment.filename, attachment.content, attachment.mime_type) == (
        "cafe-nord-2026-11-25.csv", b"\xef\xbb\xbfqueue\r\n", "text/csv")


def test_a_store_nobody_joined_still_gets_a_short_report_with_the_file():
    mail = _mail(EMPTY)
    assert "Nobody joined" in mail.text and "Nobody joined" in mail.html
    assert "Busiest hour" not in mail.text and len(mail.attachments) == 1


def test_a_store_name_cannot_inject_html_or_mail_headers():
    mail = _mail(name='<img src=x onerror="alert(1)"> & Co\nBcc: victim@example.com')
    assert "<img" not in mail.html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; Co" in mail.html
    assert "\n" not in mail.subject and "\r" not in mail.subject
