"""The tables: rows from tagged passages, spreadsheet-safe CSV cells, atomic files, JSON Lines.

CSV files are UTF-8 with a byte-order mark, RFC 4180 quoted (CRLF line ends), and safe to open
in a spreadsheet: a cell that starts like a formula gets a leading `'` unless it is only a
number. SDG labels are written with their prefix (`SDG 10.7`, `SDG 8`) because a spreadsheet
turns a bare `16.10` into the number 16.1, another target.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .records import Figure, Problem, Table, Tag, TaggedPassage, figure_to_json, tag_to_json

PASSAGE_COLUMNS = [
    "doc", "page", "passage_id", "section", "text", "footnotes",
    "migof", "migof_scores", "sdg_targets", "sdg_target_scores", "sdg_goals", "sdg_goal_scores",
    "sources", "evidence", "n_figures",
    "review_migof", "review_sdg_targets", "review_status", "review_note",
]
FIGURE_COLUMNS = [
    "doc", "page", "passage_id", "text", "value", "kind", "unit", "counted", "qualifier",
    "year", "change", "sentence", "migof", "sdg_targets",
]
ERROR_COLUMNS = ["doc", "path", "stage", "error", "message", "page"]
TABLE_COLUMNS = ["doc", "page", "table_index", "row", "cells"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"^[-+]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][-+]?\d+)?$")


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def sdg_cell(labels: Iterable[str]) -> str:
    """`["10.7", "16.10"]` -> `"SDG 10.7; SDG 16.10"`."""
    return "; ".join(f"SDG {label}" for label in labels)


def _scores(tags: Sequence[Tag], prefix: str) -> str:
    return "; ".join(f"{prefix}{tag.label}: {tag.score:.2f}" for tag in tags)


def passage_row(item: TaggedPassage) -> dict[str, Any]:
    """One row of passages.csv."""
    passage = item.passage
    labelled = [("", t) for t in item.migof] + [("SDG ", t) for t in item.sdg_targets]
    labelled += [("SDG ", t) for t in item.sdg_goals]
    return {
        "doc": passage.doc,
        "page": passage.page,
        "passage_id": passage.passage_id,
        "section": passage.section,
        "text": passage.text,
        "footnotes": " | ".join(passage.footnotes),
        "migof": "; ".join(tag.label for tag in item.migof),
        "migof_scores": _scores(item.migof, ""),
        "sdg_targets": sdg_cell(tag.label for tag in item.sdg_targets),
        "sdg_target_scores": _scores(item.sdg_targets, "SDG "),
        "sdg_goals": sdg_cell(tag.label for tag in item.sdg_goals),
        "sdg_goal_scores": _scores(item.sdg_goals, "SDG "),
        "sources": "; ".join(f"{prefix}{tag.label}: {tag.source}" for prefix, tag in labelled),
        "evidence": "; ".join(
            f"{prefix}{tag.label}: {' | '.join(tag.evidence)}" for prefix, tag in labelled if tag.evidence
        ),
        "n_figures": len(item.figures),
        "review_migof": "",
        "review_sdg_targets": "",
        "review_status": "",
        "review_note": "",
    }


def figure_rows(item: TaggedPassage) -> list[dict[str, Any]]:
    """The rows of figures.csv for one passage."""
    passage = item.passage
    return [
        {
            "doc": passage.doc,
            "page": passage.page,
            "passage_id": passage.passage_id,
            "text": figure.text,
            "value": figure.value,
            "kind": figure.kind,
            "unit": figure.unit,
            "counted": figure.counted,
            "qualifier": figure.qualifier,
            "year": figure.year,
            "change": figure.change,
            "sentence": figure.sentence,
            "migof": "; ".join(tag.label for tag in item.migof),
            "sdg_targets": sdg_cell(tag.label for tag in item.sdg_targets),
        }
        for figure in item.figures
    ]


def error_row(problem: Problem) -> dict[str, Any]:
    return {
        "doc": problem.doc,
        "path": problem.path,
        "stage": problem.stage,
        "error": problem.error,
        "message": problem.message,
        "page": problem.page,
    }


def table_rows(doc: str, tables: Iterable[Table]) -> list[dict[str, Any]]:
    return [
        {
            "doc": doc,
            "page": table.page,
            "table_index": table.index,
            "row": index,
            "cells": json.dumps(list(cells), ensure_ascii=False),
        }
        for table in tables
        for index, cells in enumerate(table.rows)
    ]


def tagged_to_json(item: TaggedPassage) -> dict[str, Any]:
    """The contract's JSON object for one passage (`migtag tag`)."""
    return {
        "id": item.passage.passage_id,
        "text": item.passage.text,
        "migof": [tag_to_json(tag) for tag in item.migof],
        "sdg_targets": [tag_to_json(tag) for tag in item.sdg_targets],
        "sdg_goals": [tag_to_json(tag) for tag in item.sdg_goals],
        "figures": [figure_to_json(figure) for figure in item.figures],
    }


def figure_from_json(data: dict[str, Any]) -> Figure:
    return Figure(**{**data, "sentence": data.get("sentence", "")})


# -- files ----------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks so a large PDF costs no memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: temporary file, fsync, rename; never via a symlink."""
    path = Path(path)
    if path.is_symlink():
        raise OSError(f"refusing to write through the symbolic link {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def csv_bytes(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> bytes:
    """A spreadsheet-safe CSV document: BOM, RFC 4180 quoting, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: safe_cell(row.get(column)) for column in columns})
    return buffer.getvalue().encode("utf-8-sig")


def write_csv(path: Path, rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> int:
    """Write a table atomically; returns the number of rows."""
    rows = list(rows)
    atomic_write_bytes(path, csv_bytes(rows, columns))
    return len(rows)


def write_json(path: Path, data: Any) -> None:
    atomic_write_bytes(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
