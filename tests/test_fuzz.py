"""A bounded fuzz test of the extraction entry point: mutated PDFs give only the documented
outcomes (a `Document` with pages and/or problems that name their stage), never an exception,
a hang or a crash. Hypothesis is derandomized, so CI runs the same examples every time."""

from __future__ import annotations

import signal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from malformed import good_pdf_bytes, many_text_objects

from pipeline.extract import extract
from pipeline.records import Document

BASES = [good_pdf_bytes(), many_text_objects(n=200, columns=20)]
# tokens whose corruption reaches the xref, object, stream and filter code of pdfminer
TOKENS = [b"obj", b"endobj", b"stream", b"endstream", b"xref", b"trailer", b"/Length", b"/Root",
          b"/Pages", b"/Kids", b"/Count", b"/Filter", b"/FlateDecode", b"<<", b">>", b"[", b"]", b"R"]
STAGES = {"open", "extract"}


def mutate(data: bytes, kind: str, position: float, size: int, token: bytes) -> bytes:
    at = int(position * len(data))
    if kind == "truncate":
        return data[:at]
    if kind == "flip":
        return data[:at] + bytes(b ^ 0xFF for b in data[at : at + size]) + data[at + size :]
    if kind == "delete":
        return data[:at] + data[at + size :]
    if kind == "insert":
        return data[:at] + token * size + data[at:]
    if kind == "swap_token":
        where = data.find(token, at)
        return data if where < 0 else data[:where] + TOKENS[size % len(TOKENS)] + data[where + len(token) :]
    return data[:at] + data[at:][::-1][: size * 16] + data[at + size * 16 :]  # reverse a slice


def _hang(signum, frame):
    raise TimeoutError("extraction took longer than 30 s on a small mutated PDF")


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    base=st.sampled_from(range(len(BASES))),
    mutations=st.lists(
        st.tuples(
            st.sampled_from(["truncate", "flip", "delete", "insert", "swap_token", "reverse"]),
            st.floats(0.0, 1.0),
            st.integers(1, 64),
            st.sampled_from(TOKENS),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_mutated_pdfs_give_only_documented_outcomes(tmp_path: Path, base: int, mutations: list) -> None:
    data = BASES[base]
    for kind, position, size, token in mutations:
        data = mutate(data, kind, position, size, token)
    path = tmp_path / "mutated.pdf"
    path.write_bytes(data)
    previous = signal.signal(signal.SIGALRM, _hang)
    signal.alarm(30)
    try:
        document = extract(path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert isinstance(document, Document)
    assert len(document.pages) == document.n_pages
    assert document.pages or document.problems, "no pages and no reason why"
    for problem in document.problems:
        assert problem.stage in STAGES and problem.error and problem.message
        assert problem.page is None or 1 <= problem.page <= max(document.n_pages, 1)


def test_the_unmutated_bases_read_cleanly(tmp_path: Path) -> None:
    for number, data in enumerate(BASES):
        path = tmp_path / f"base{number}.pdf"
        path.write_bytes(data)
        document = extract(path)
        assert document.n_pages == 1
        assert not [p for p in document.problems if p.error not in {"LittleText"}]

