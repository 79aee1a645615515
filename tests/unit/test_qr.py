"""The counter's QR code: the faster codewords and placement give exactly qrcode's own code."""

from __future__ import annotations

import random
import string

import pytest
import qrcode
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M

from queue_app import qr

URL_CHARS = string.ascii_letters + string.digits + "-_/.:"


def _texts(count: int, seed: int) -> list[str]:
    """Join-URL-like texts of many lengths (versions 1 to 13), a fixed seed: the same every run."""
    rng = random.Random(seed)
    return ["https://shop.example/join/" + "".join(rng.choice(URL_CHARS) for _ in range(rng.randint(0, 250)))
            for _ in range(count)]


def _library_code(text: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=qr.BORDER, mask_pattern=qr.MASK_PATTERN)
    code.add_data(text)
    code.make(fit=True)
    return code


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_codewords_are_the_bytes_qrcode_makes(seed):
    checked = 0
    for text in _texts(150, seed):
        code = _library_code(text)
        if len(code.data_list) != 1:  # qrcode split it (a long run of digits): not the fast case
            assert qr._codewords(code) is None
            continue
        assert qr._codewords(code) == util.create_data(code.version, ERROR_CORRECT_M, code.data_list)
        checked += 1
    assert checked > 100


def test_every_code_is_the_one_qrcode_draws_at_every_remembered_version(monkeypatch):
    monkeypatch.setattr(qr, "_VERSIONS", {})
    texts = _texts(300, 4)
    for text in texts + texts:  # the second time round each length's version is remembered
        assert qr.qr_matrix(text) == _library_code(text).get_matrix()
    assert len({len(t) for t in texts}) == len(qr._VERSIONS) or len(qr._VERSIONS) == 64


def test_a_text_too_long_for_its_lengths_remembered_version_is_still_fitted(monkeypatch):
    monkeypatch.setattr(qr, "_VERSIONS", {})
    digits, text = "1" * 61, "https://shop.example/join/" + "x" * 35  # the same length
    assert qr.qr_matrix(digits) == _library_code(digits).get_matrix()  # numeric: a small version
    code = _library_code(text)
    code.version = qr._VERSIONS[len(text)]
    assert qr._codewords(code) is None  # too long for it: qrcode raises, and the code is fitted
    assert qr.qr_matrix(text) == _library_code(text).get_matrix()
