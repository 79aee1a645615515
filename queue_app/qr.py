"""QR codes drawn server-side with qrcode + Pillow, as data URIs for an <img>."""

from __future__ import annotations

import base64
import io
from functools import lru_cache

import qrcode
from PIL import Image
from qrcode import LUT, base, util
from qrcode.constants import ERROR_CORRECT_M
from qrcode.exceptions import DataOverflowError

MASK_PATTERN = 4
BORDER = 4  # modules of quiet zone, as the standard asks


# The smallest version (size) that held a text of each length so far. Every pass's join URL has
# the same length, and finding the version first encodes the data once more: with the version
# known, a code is 1.03-1.14 ms instead of 1.29-1.42 (measured), and only then can the faster
# codewords and placement below be used.
_VERSIONS: dict[int, int] = {}


def qr_matrix(text: str) -> list[list[bool]]:
    """The code's modules (True = dark), quiet zone included."""
    # A fixed mask pattern: choosing the "best" of the 8 masks (a penalty score each) was 90 % of
    # the render (20 ms → 2.5 ms a code, measured); every mask is valid for every reader.
    known = _VERSIONS.get(len(text))
    code = _Code(version=known, error_correction=ERROR_CORRECT_M, border=BORDER,
                 mask_pattern=MASK_PATTERN)
    code.add_data(text)
    try:
        if known is None:
            code.make(fit=True)
        else:  # qrcode places the codewords; `_codewords` makes them (None: qrcode does)
            code.data_cache = _codewords(code)
            code.makeImpl(False, MASK_PATTERN)
    except DataOverflowError:  # this text encodes longer than the last one of its length
        code.version, code.data_cache = None, None
        code.make(fit=True)
    if len(_VERSIONS) < 64:
        _VERSIONS.setdefault(len(text), code.version)
    return code.get_matrix()


class _Code(qrcode.QRCode):
    """qrcode's code, placing its bits by a remembered path (the same modules, a third of the time).

    qrcode's `map_data` walks the symbol's zigzag for each code and asks the mask function for
    every module (400 of 590 µs a code, measured); the path and the mask bits along it depend on
    the version and the mask only, so they are found once and reused.
    """

    def map_data(self, data, mask_pattern):
        path = _path(self.version, mask_pattern, self.modules)
        bits = f"{int.from_bytes(bytes(data), 'big'):0{8 * len(data)}b}" if data else ""
        modules, count = self.modules, len(bits)
        for k, (row, col, flip) in enumerate(path):  # past the data: light, then masked
            modules[row][col] = (k < count and bits[k] == "1") is not flip


_PATHS: dict[tuple[int, int], list[tuple[int, int, bool]]] = {}


def _path(version: int, mask_pattern: int, modules: list[list]) -> list[tuple[int, int, bool]]:
    """The data modules in qrcode's `map_data` order with their mask bit: (row, col, flip)."""
    key = (version, mask_pattern)
    if key not in _PATHS:
        mask, size, path, row, step = util.mask_func(mask_pattern), len(modules), [], len(modules) - 1, -1
        for col in range(size - 1, 0, -2):
            col -= 1 if col <= 6 else 0  # noqa: PLW2901  (the vertical timing pattern is skipped)
            while 0 <= row < size:
                path.extend((row, c, bool(mask(row, c))) for c in (col, col - 1) if modules[row][c] is None)
                row += step
            row, step = row - step, -step
        _PATHS[key] = path
    return _PATHS[key]


def _codewords(code: qrcode.QRCode) -> list[int] | None:
    """The codewords `qrcode.util.create_data` makes, for a code of one 8-bit segment (a join URL).

    The same bytes from the library's own tables (block layout, generator polynomials, log and
    exponent tables), made faster: qrcode writes the data a bit at a time and divides the
    polynomials with a list per step, three quarters of a code's time (600 of 780 µs, measured);
    here 8-bit words come from one integer and the remainder from a table per generator.
    None for anything else, or for data too long for the version: qrcode then does it (and
    raises its `DataOverflowError`). `tests/unit/test_qr.py` checks the bytes against qrcode's.
    """
    if len(code.data_list) != 1 or code.data_list[0].mode != util.MODE_8BIT_BYTE:
        return None
    data = code.data_list[0].data
    blocks = base.rs_blocks(code.version, code.error_correction)
    limit = 8 * sum(block.data_count for block in blocks)
    count_bits = util.length_in_bits(util.MODE_8BIT_BYTE, code.version)
    bits = f"0100{len(data):0{count_bits}b}{int.from_bytes(data, 'big'):0{8 * len(data)}b}"
    if len(bits) > limit:
        return None
    bits += "0" * min(4, limit - len(bits))  # the terminator, then zeros to a whole byte
    bits += "0" * (-len(bits) % 8)
    words = [int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)]
    words += [util.PAD0, util.PAD1] * ((limit // 8 - len(words)) // 2 + 1)
    data_blocks, ec_blocks, offset = [], [], 0
    for block in blocks:
        chunk = words[offset:offset + block.data_count]
        offset += block.data_count
        data_blocks.append(chunk)
        ec_blocks.append(_remainder(chunk, block.total_count - block.data_count))
    return [*_interleave(data_blocks), *_interleave(ec_blocks)]


def _remainder(chunk: list[int], ec_count: int) -> list[int]:
    """Reed–Solomon: the chunk times x^ec_count, modulo the generator (a shift register)."""
    rows = _generator_rows(ec_count)
    remainder = [0] * ec_count
    for word in chunk:
        row = rows[word ^ remainder[0]]
        remainder = [a ^ b for a, b in zip(remainder[1:] + [0], row, strict=True)]
    return remainder


@lru_cache(maxsize=32)
def _generator_rows(ec_count: int) -> list[list[int]]:
    """For each factor 0..255: the generator's coefficients (past the leading 1) times it."""
    generator = LUT.rsPoly_LUT[ec_count]
    return [[0] * ec_count] + [
        [base.gexp(base.glog(factor) + base.glog(g)) if g else 0 for g in generator[1:]]
        for factor in range(1, 256)]


def _interleave(chunks: list[list[int]]) -> list[int]:
    """The first word of each block, then the second of each, … (blocks may differ by one)."""
    return [chunk[i] for i in range(max(map(len, chunks))) for chunk in chunks if i < len(chunk)]


@lru_cache(maxsize=256)
def qr_data_uri(text: str) -> str:
    """A PNG data URI of `text`'s code, one pixel per module (black on white).

    The pages scale it up with `image-rendering: pixelated`, so it stays sharp at any size; one
    pixel per module is a third of the bytes of 10 × 10 and half the time to make (2.7 → 1.4 ms a
    code, measured: one is made for every scan).
    """
    modules = qr_matrix(text)
    size = len(modules)
    image = Image.new("L", (size, size))
    image.putdata([0 if dark else 255 for row in modules for dark in row])
    buffer = io.BytesIO()
    # Not `optimize=True`: at this size it made the same bytes (321 on average) 45 µs slower.
    image.convert("1").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
