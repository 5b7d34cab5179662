"""Build broken and hostile PDFs in memory, for tests of the batch runner.

A batch over a real corpus meets files that are cut short, corrupted, locked,
not PDFs at all, or built to exhaust a reader (decompression bombs, deep
nesting, cyclic page trees, pages with tens of thousands of text objects).
The runner must survive each of them and record a failure for that file
alone. These builders make such files on the fly, in plain Python, so the
tests need no fixtures on disk and no external tools.

Every builder is deterministic (same arguments, same bytes) and returns well
under 200 KB, except `flate_bomb`, whose size grows with the expanded size it
is asked for (about 1 KB per expanded MiB). `MALFORMED` maps a short name to
a zero-argument builder for parametrized tests.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Callable
from datetime import UTC, datetime

from fpdf import FPDF
from fpdf.enums import EncryptionMethod

DEFAULT_TEXT = (
    "Net migration rose in the year to June, driven mainly by study and work visas. "
    "Asylum applications fell slightly, while the backlog of initial decisions shrank. "
    "The report recommends clearer statistics on returns and on family reunion."
)

_HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def _fpdf_document(text: str) -> FPDF:
    pdf = FPDF(format="A4", unit="pt")
    # A fixed date keeps the /CreationDate, and the file /ID hashed from it, stable.
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.set_xy(56, 70)
    pdf.multi_cell(pdf.w - 112, 14, text)
    return pdf


def good_pdf_bytes(text: str = DEFAULT_TEXT) -> bytes:
    """A valid one-page PDF holding `text`."""
    return bytes(_fpdf_document(text).output())


def build_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """Write `objects` (bodies only, numbered from 1) as a PDF with a correct xref table."""
    out = bytearray(_HEADER)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    # Each xref entry must be exactly 20 bytes, hence the two-character line ending.
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref_at,
    )
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _one_page(content: bytes, *, page_extra: bytes = b"", media_box: bytes = b"0 0 612 792") -> list[bytes]:
    # Content is object 4 and the font object 5, so callers can append more objects from 6.
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [%s] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >>%s >>" % (media_box, page_extra),
        content,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]


def truncated(good: bytes) -> bytes:
    """`good` cut at about 60%, losing the xref table, the trailer and part of the objects."""
    return good[: len(good) * 6 // 10]


def byte_flipped(good: bytes, seed: int = 0) -> bytes:
    """`good` with about 1% of its bytes after the header line replaced by other values."""
    rng = random.Random(seed)
    out = bytearray(good)
    # Sparing the header keeps the file recognisable as a PDF, so the reader gets past sniffing.
    start = out.index(b"\n") + 1
    for i in rng.sample(range(start, len(out)), max(1, (len(out) - start) // 100)):
        out[i] ^= rng.randrange(1, 256)
    return bytes(out)


def empty() -> bytes:
    """A zero-byte file."""
    return b""


def text_named_pdf() -> bytes:
    """Plain text with no %PDF header, as when a text export is saved under a .pdf name."""
    return (
        b"Annual Report on Migration Governance 2023\n\n"
        b"This file is plain text that was saved with a .pdf extension.\n"
    )


def encrypted(password: str = "secret") -> bytes:
    """A valid PDF that opens only with `password` (RC4, 128-bit key)."""
    pdf = _fpdf_document(DEFAULT_TEXT)
    # RC4 rather than AES: fpdf2 draws AES initialisation vectors from os.urandom, which would
    # make the bytes differ on every call.
    pdf.set_encryption(
        owner_password=password + "-owner",
        user_password=password,
        encryption_method=EncryptionMethod.RC4,
    )
    return bytes(pdf.output())


def _spaces_adler32(length: int) -> int:
    # For `length` copies of byte c, a = 1 + c*L and b = L + c*L*(L+1)/2 (both mod 65521).
    c = ord(" ")
    a = (1 + c * length) % 65521
    b = (length + c * length * (length + 1) // 2) % 65521
    return (b << 16) | a


def _spaces_deflated(expanded: int) -> bytes:
    """A zlib stream that inflates to `expanded` spaces, built without compressing them all."""
    # Compressing 2 GiB at level 9 takes about 7 s. After a Z_FULL_FLUSH the compressor keeps no
    # history, so every further chunk of the same bytes compresses to the same block: compress
    # one chunk, repeat its block, then end the stream with the checksum computed in closed form.
    chunk_size = 1 << 20
    chunks, rest = divmod(expanded, chunk_size)
    compressor = zlib.compressobj(9)
    head = compressor.compress(b"") + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(b" " * chunk_size) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = compressor.compress(b" " * chunk_size) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert block == repeat, "zlib did not reset its state at a full flush"
    tail = compressor.compress(b" " * rest) + compressor.flush(zlib.Z_FINISH)
    return head + block * chunks + tail[:-4] + struct.pack(">I", _spaces_adler32(expanded))


def flate_bomb(expanded_mb: int = 2048) -> bytes:
    """A one-page PDF whose content stream inflates to `expanded_mb` MiB of spaces.

    Spaces are valid (empty) content, so the file is well formed; only the inflated size is
    hostile. The file holds about 1 KB per expanded MiB (2 MB for the default 2 GiB).
    """
    data = _spaces_deflated(expanded_mb << 20)
    return build_pdf(_one_page(_stream(data, b" /Filter /FlateDecode")))


def deeply_nested(depth: int = 100_000) -> bytes:
    """A one-page PDF whose page dictionary holds arrays nested `depth` levels deep."""
    # The array sits in the page dictionary itself, so any reader that loads the page parses it.
    nested = b"[" * depth + b"]" * depth
    content = _stream(b"BT /F1 12 Tf 72 720 Td (Nested) Tj ET")
    return build_pdf(_one_page(content, page_extra=b" /Nested " + nested))


def self_referential_page_tree() -> bytes:
    """A PDF whose page tree is cyclic.

    The root /Pages node (2) lists itself among its /Kids, and also a second /Pages node (6) that
    is its own /Parent and lists the root as its only kid. A reader that walks /Kids without
    remembering visited nodes never terminates; one that walks /Parent for inherited attributes
    loops on node 6.
    """
    objects = _one_page(_stream(b"BT /F1 12 Tf 72 720 Td (Cycle) Tj ET"))
    objects[1] = b"<< /Type /Pages /Kids [3 0 R 2 0 R 6 0 R] /Count 3 >>"
    objects.append(b"<< /Type /Pages /Parent 6 0 R /Kids [2 0 R] /Count 2 >>")
    return build_pdf(objects)


def many_text_objects(n: int = 10_000, columns: int = 100) -> bytes:
    """A one-page PDF with `n` separate text objects, one short word each, on a grid.

    The page is enlarged to fit the grid so that the words do not overlap and stay
    extractable as `n` distinct words. The default keeps pdfplumber's `extract_words` near 2 s;
    20 000 objects take about twice that.
    """
    cell_w, cell_h = 40, 12
    rows = -(-n // columns)
    width, height = columns * cell_w + 40, rows * cell_h + 40
    lines = []
    for i in range(n):
        row, col = divmod(i, columns)
        x, y = 20 + col * cell_w, height - 20 - (row + 1) * cell_h
        lines.append(b"BT /F1 8 Tf %d %d Td (w%d) Tj ET" % (x, y, i))
    # Compressed, because plain content takes about 40 bytes per object.
    data = zlib.compress(b"\n".join(lines), 9)
    media_box = b"0 0 %d %d" % (width, height)
    return build_pdf(_one_page(_stream(data, b" /Filter /FlateDecode"), media_box=media_box))


MALFORMED: dict[str, Callable[[], bytes]] = {
    "truncated": lambda: truncated(good_pdf_bytes()),
    "byte_flipped": lambda: byte_flipped(good_pdf_bytes()),
    "empty": empty,
    "text_named_pdf": text_named_pdf,
    "encrypted": encrypted,
    # Just over 2 GiB, so that fully inflating it cannot fit a 2 GiB memory limit.
    "flate_bomb": lambda: flate_bomb(2049),
    "deeply_nested": deeply_nested,
    "page_tree_cycle": self_referential_page_tree,
    "many_text_objects": many_text_objects,
}
