"""A report written to disk survives a power cut before its data is purged (issue #10, item 11)."""

from __future__ import annotations

import dataclasses
import os
import stat

import pytest

from queue_app.config import settings
from queue_app.mail import mailer
from queue_app.mail.messages import Message
from queue_app.services import delivery


@pytest.fixture
def synced(monkeypatch) -> list[tuple[str, str]]:
    """Every fsync as (kind, what): ("file", its name) or ("folder", the names it holds then)."""
    calls: list[tuple[str, str]] = []
    real = os.fsync

    def fsync(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            calls.append(("folder", ",".join(sorted(os.listdir(f"/proc/self/fd/{fd}")))))
        else:
            calls.append(("file", os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return calls


def test_an_outbox_mail_is_synced_and_so_is_its_folder_after_the_rename(tmp_path, synced):
    config = dataclasses.replace(settings, outbox_dir=tmp_path / "outbox", smtp_host="")
    mailer.send(Message(to="owner@example.com", subject="Hi", text="t", html="<p>t</p>"), config)
    [written] = os.listdir(config.outbox_dir)
    assert synced == [("file", f".{written}.tmp"), ("folder", written)]


def test_an_archived_report_is_synced_and_so_is_its_folder_after_the_rename(tmp_path, synced):
    path = delivery.archive_csv(tmp_path / "archive", "store-1-report.csv", b"a,b\r\n")
    assert synced == [("file", ".store-1-report.csv.tmp"), ("folder", "store-1-report.csv")]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
