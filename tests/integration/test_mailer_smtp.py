"""The mailer against a real SMTP server (aiosmtpd on 127.0.0.1), and every way a server can fail.

Plain SMTP, STARTTLS with login, implicit TLS; refusing, down, hanging, silent.
"""

from __future__ import annotations

import email
import os
import socket
import ssl
import stat
import subprocess
import time
from email import policy

import pytest
from aiosmtpd.smtp import AuthResult

from queue_app.mail import mailer
from queue_app.mail.messages import Attachment, Message
from tests.integration.smtp_server import bodies, csv_attachment, free_port, smtp_server, smtp_settings

CSV = "\ufeffqueue,name\r\nHaircut,王小明\r\n".encode()
MESSAGE = Message(to="owner@example.com", subject="Queue report: Café 北 (2026-11-25)",
                  text="Customers: 1\nServed: 0\n", html="<p>Customers: <b>1</b></p>",
                  attachments=(Attachment("cafe-2026-11-25.csv", CSV),))


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, and the server's TLS context using it."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return cert, context


def test_the_server_receives_both_bodies_and_the_exact_attachment(tmp_path):
    with smtp_server() as (inbox, port):
        mailer.send(MESSAGE, smtp_settings(port, tmp_path))
    [got] = inbox.received
    assert (got.sender, got.recipients) == ("queue@shop.test", ["owner@example.com"])
    assert got.mail["Subject"] == MESSAGE.subject and got.mail["To"] == "owner@example.com"
    text, html = bodies(got.mail)
    assert text.strip() == MESSAGE.text.strip() and "<b>1</b>" in html
    assert csv_attachment(got.mail) == ("cafe-2026-11-25.csv", CSV)
    assert not (tmp_path / "outbox").exists()


def test_starttls_with_login_sends_over_a_verified_encrypted_channel(tmp_path, certificate, monkeypatch):
    cert, context = certificate
    logins = []

    def authenticate(server, session, envelope, mechanism, data):
        logins.append((data.login, data.password, session.ssl is not None))
        return AuthResult(success=(data.login, data.password) == (b"shop", b"s3cret pass"), handled=False)

    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust our test CA, as an operator would theirs
    with smtp_server(tls_context=context, require_starttls=True, authenticator=authenticate,
                     auth_require_tls=True) as (inbox, port):
        mailer.send(MESSAGE, smtp_settings(port, tmp_path, smtp_starttls=True, smtp_user="shop",
                                           smtp_password="s3cret pass"))
    assert logins == [(b"shop", b"s3cret pass", True)]
    assert csv_attachment(inbox.received[0].mail)[1] == CSV


def test_a_wrong_password_is_a_mail_error_and_never_a_keyring_or_terminal_prompt(tmp_path, certificate,
                                                                                   monkeypatch):
    cert, context = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with smtp_server(tls_context=context, require_starttls=True, auth_exclude_mechanism=["LOGIN"],
                     authenticator=lambda *args: AuthResult(success=False, handled=False)) as (inbox, port):
        with pytest.raises(mailer.MailError, match="535"):
            mailer.send(MESSAGE, smtp_settings(port, tmp_path, smtp_starttls=True, smtp_user="shop",
                                               smtp_password=""))
    assert inbox.received == []


def test_starttls_to_a_server_with_an_untrusted_certificate_is_refused(tmp_path, certificate):
    _, context = certificate
    with smtp_server(tls_context=context, require_starttls=True) as (inbox, port):
        with pytest.raises(mailer.MailError, match="SSLCertVerificationError"):
            mailer.send(MESSAGE, smtp_settings(port, tmp_path, smtp_starttls=True))
    assert inbox.received == []


def test_implicit_tls_smtps_delivers(tmp_path, certificate, monkeypatch):
    cert, context = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with smtp_server(ssl_context=context) as (inbox, port):
        mailer.send(MESSAGE, smtp_settings(port, tmp_path, smtp_ssl=True))
    assert len(inbox.received) == 1


def test_a_refusal_is_a_mail_error_that_names_the_code_but_not_the_address(tmp_path):
    with smtp_server() as (inbox, port):
        inbox.mode = "refuse"
        with pytest.raises(mailer.MailError) as refused:
            mailer.send(MESSAGE, smtp_settings(port, tmp_path))
    assert "554" in str(refused.value) and "rejected by policy" in str(refused.value)
    assert "owner@example.com" not in str(refused.value) and "@" not in str(refused.value)


def test_a_server_that_is_down_is_a_mail_error(tmp_path):
    with pytest.raises(mailer.MailError, match="ConnectionRefusedError"):
        mailer.send(MESSAGE, smtp_settings(free_port(), tmp_path))


def test_a_server_that_hangs_after_the_data_gives_up_after_the_timeout(tmp_path):
    with smtp_server() as (inbox, port):
        inbox.mode, inbox.hang_for = "hang", 3.0
        started = time.monotonic()
        with pytest.raises(mailer.MailError, match="timed out"):
            mailer.send(MESSAGE, smtp_settings(port, tmp_path, smtp_timeout=0.4))
        assert time.monotonic() - started < 2.0  # no second wait for a polite QUIT


def test_a_server_that_never_greets_gives_up_after_the_timeout(tmp_path):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # the kernel accepts the connection; nobody ever speaks
        started = time.monotonic()
        with pytest.raises(mailer.MailError, match="timed out"):
            mailer.send(MESSAGE, smtp_settings(silent.getsockname()[1], tmp_path, smtp_timeout=0.4))
        assert time.monotonic() - started < 2.0


def test_without_an_smtp_host_the_mail_lands_in_the_outbox_owner_only(tmp_path):
    config = smtp_settings(0, tmp_path, smtp_host="")
    mailer.send(MESSAGE, config)
    [eml] = list((tmp_path / "outbox").iterdir())
    assert eml.suffix == ".eml" and stat.S_IMODE(os.stat(eml).st_mode) == 0o600
    mail = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert mail["Subject"] == MESSAGE.subject and csv_attachment(mail) == ("cafe-2026-11-25.csv", CSV)
