from __future__ import annotations

import csv
import io
import os

import pytest

from pipeline.io import atomic_write_bytes, csv_bytes, safe_cell, sdg_cell
from pipeline.taxonomy import normalise_sdg_label, split_labels


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
        ("+1 555", "'+1 555"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-5", "-5"),
        ("+3.25", "+3.25"),
        ("plain text", "plain text"),
        (12.5, 12.5),
        (None, ""),
    ],
)
def test_cells_never_start_a_formula(value, expected):
    assert safe_cell(value) == expected


def test_csv_has_bom_crlf_and_quotes():
    data = csv_bytes([{"a": 'say "hi", then\nleave', "b": "=1+1"}], ["a", "b"])
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [{"a": 'say "hi", then\nleave', "b": "'=1+1"}]


def test_sdg_labels_survive_a_spreadsheet():
    cell = sdg_cell(["10.7", "16.10", "8"])
    assert cell == "SDG 10.7; SDG 16.10; SDG 8"
    assert [normalise_sdg_label(x) for x in split_labels(cell)] == ["10.7", "16.10", "8"]
    assert [normalise_sdg_label(x) for x in split_labels("'10.7; 16.10")] == ["10.7", "16.10"]


def test_atomic_write_leaves_no_half_file(tmp_path):
    target = tmp_path / "table.csv"
    target.write_bytes(b"old")

    with pytest.raises(TypeError):
        atomic_write_bytes(target, object())  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"


def test_atomic_write_refuses_a_symlink(tmp_path):
    real = tmp_path / "real.csv"
    real.write_bytes(b"keep")
    link = tmp_path / "link.csv"
    os.symlink(real, link)
    with pytest.raises(OSError):
        atomic_write_bytes(link, b"overwrite")
    assert real.read_bytes() == b"keep"
