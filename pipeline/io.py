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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .records import (
    Figure,
    Problem,
    Table,
    Tag,
    TaggedPassage,
    figure_to_json,
    tag_to_json,
)

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


def unsafe_cell(text: str) -> str:
    """Undo `safe_cell`: the `'` put before a formula-like cell (a spreadsheet may keep it)."""
    if text.startswith("'") and text[1:].startswith(_FORMULA_START):
        return text[1:]
    return text


# The columns a reviewer reads at length, wrapped in the workbook, with their widths.
_XLSX_WIDTHS = {"text": 80, "sentence": 60, "evidence": 40, "section": 30, "review_note": 30, "counted": 24}


@dataclass(frozen=True)
class ReviewChoices:
    """What the review columns of a workbook may hold: a drop-down each, and a legend sheet."""

    statuses: tuple[str, ...]
    migof: dict[str, str]  # label -> name
    targets: dict[str, str]  # "SDG 10.7" -> text


def xlsx_bytes(rows: Iterable[dict[str, Any]], columns: Sequence[str], *, sheet: str, choices: ReviewChoices | None = None) -> bytes:
    """A workbook for reviewers: frozen header, filters, wrapped text, drop-downs on the review
    columns. Strings are stored as strings, so nothing a report says can run as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    table = book.active
    table.title = sheet
    table.append(list(columns))
    wrapped = Alignment(wrap_text=True, vertical="top")
    count = 0
    for count, row in enumerate(rows, 1):
        for index, column in enumerate(columns, 1):
            value = row.get(column)
            cell = table.cell(row=count + 1, column=index)
            if isinstance(value, bool) or value is None:
                cell.value = "" if value is None else str(value).lower()
            elif isinstance(value, (int, float)):
                cell.value = value
            else:
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
                cell.data_type = "s"  # never a formula, whatever the text starts with
            if column in _XLSX_WIDTHS:
                cell.alignment = wrapped
    for index, column in enumerate(columns, 1):
        header = table.cell(row=1, column=index)
        header.font = Font(bold=True)
        header.fill = PatternFill("solid", fgColor="DDE6F0" if not column.startswith("review_") else "FFF2CC")
        table.column_dimensions[get_column_letter(index)].width = _XLSX_WIDTHS.get(column, max(10, len(column) + 2))
    table.freeze_panes = "A2"
    last = max(count + 1, 2)
    table.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    if choices is not None:
        legend = book.create_sheet("labels")
        legend.append(["MiGOF", "name", "SDG target", "text"])
        migof, targets = list(choices.migof.items()), list(choices.targets.items())
        for i in range(max(len(migof), len(targets))):
            left = migof[i] if i < len(migof) else ("", "")
            right = targets[i] if i < len(targets) else ("", "")
            legend.append([*left, *right])
        for cell in legend[1]:
            cell.font = Font(bold=True)
        legend.column_dimensions["B"].width = 50
        legend.column_dimensions["C"].width = 12
        legend.column_dimensions["D"].width = 90
        rules = {
            "review_status": DataValidation(
                type="list", formula1='"' + ",".join(choices.statuses) + '"', allow_blank=True,
                showErrorMessage=True, errorTitle="review_status", error="Choose " + ", ".join(choices.statuses) + " or leave empty.",
            ),
            # several labels may share a cell ("O3; P1"), which a list rule would refuse: the
            # drop-down offers the labels, and `migtag train --reviewed` checks every one
            "review_migof": DataValidation(
                type="list", formula1=f"labels!$A$2:$A${len(migof) + 1}", allow_blank=True, showErrorMessage=False,
                promptTitle="MiGOF", prompt="One or more of " + ", ".join(choices.migof) + ", separated by '; '",
                showInputMessage=True,
            ),
            "review_sdg_targets": DataValidation(
                type="list", formula1=f"labels!$C$2:$C${len(targets) + 1}", allow_blank=True, showErrorMessage=False,
                promptTitle="SDG targets", prompt="One or more targets such as SDG 10.7, separated by '; ' (see the labels sheet)",
                showInputMessage=True,
            ),
        }
        for column, rule in rules.items():
            if column in columns:
                letter = get_column_letter(list(columns).index(column) + 1)
                rule.add(f"{letter}2:{letter}{max(last, 1000)}")
                table.add_data_validation(rule)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_xlsx(path: Path, rows: Iterable[dict[str, Any]], columns: Sequence[str], *, sheet: str, choices: ReviewChoices | None = None) -> None:
    """Write a workbook atomically."""
    atomic_write_bytes(path, xlsx_bytes(rows, columns, sheet=sheet, choices=choices))
