"""Labelled passages: reading the corpus (JSON Lines) and reviewed tables, and the fixed split.

The corpus schema is documented in `corpus/README.md`. Labels are checked against the taxonomy
on the way in, a target brings its goal, and the train/test split is fixed by a hash of the
passage's normalised text, so a passage stays on its side whatever else is added.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from .records import LabelledPassage
from .taxonomy import Taxonomy, load_taxonomy, normalise_sdg_label, split_labels

TEST_SHARE_MODULUS = 5  # one passage in five is held out for testing


class CorpusError(ValueError):
    """A labelled passage that cannot be used: bad JSON, unknown label, missing text."""


def normalise_text(text: str) -> str:
    """The text a duplicate check and the split look at: NFKC, lower case, single spaces."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"\s+", " ", folded).strip()


def text_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def split_of(text: str) -> str:
    """`train` or `test`, fixed by the passage's own text."""
    return "test" if int(text_hash(text)[:8], 16) % TEST_SHARE_MODULUS == 0 else "train"


def clean_labels(
    migof: Iterable[str],
    goals: Iterable[str],
    targets: Iterable[str],
    taxonomy: Taxonomy,
    *,
    where: str,
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Validate labels against the taxonomy and add the goal of every target."""
    migof_labels = tuple(dict.fromkeys(label.strip() for label in migof if label.strip()))
    target_labels = tuple(
        dict.fromkeys(normalise_sdg_label(label) for label in targets if label.strip())
    )
    goal_labels = [normalise_sdg_label(label) for label in goals if label.strip()]
    for label in migof_labels:
        if not is_known("migof", label, taxonomy):
            raise CorpusError(f"{where}: unknown {LABEL_KINDS['migof']} {label!r}")
    for label in target_labels:
        if not is_known("sdg_targets", label, taxonomy):
            raise CorpusError(f"{where}: unknown {LABEL_KINDS['sdg_targets']} {label!r}")
        goal_labels.append(taxonomy.goal_of(label))
    for label in goal_labels:
        if not is_known("sdg_goals", label, taxonomy):
            raise CorpusError(f"{where}: unknown {LABEL_KINDS['sdg_goals']} {label!r}")
    return migof_labels, tuple(dict.fromkeys(goal_labels)), target_labels


LABEL_KINDS = {"migof": "MiGOF label", "sdg_goals": "SDG goal", "sdg_targets": "SDG target"}


def is_known(field: str, label: str, taxonomy: Taxonomy) -> bool:
    """Whether one label of a tag field (`migof`, `sdg_goals`, `sdg_targets`) is in the taxonomy;
    SDG labels are accepted with or without their `SDG ` prefix."""
    if field == "migof":
        return label.strip() in taxonomy.migof
    return normalise_sdg_label(label) in (taxonomy.targets if field == "sdg_targets" else taxonomy.goals)


def read_jsonl(path: Path, taxonomy: Taxonomy | None = None) -> Iterator[LabelledPassage]:
    """Labelled passages from one JSON Lines file (schema in corpus/README.md)."""
    taxonomy = taxonomy or load_taxonomy()
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{where}: not JSON ({exc.msg})") from exc
            text = str(row.get("text", "")).strip()
            if not text:
                raise CorpusError(f"{where}: no text")
            migof, goals, targets = clean_labels(
                row.get("migof", []),
                row.get("sdg_goals", []),
                row.get("sdg_targets", []),
                taxonomy,
                where=where,
            )
            yield LabelledPassage(
                id=str(row.get("id") or f"{path.stem}-{number}"),
                text=text,
                migof=migof,
                sdg_goals=goals,
                sdg_targets=targets,
                source=path.name,
                register=str(row.get("register", "")),
            )


def corpus_files(location: Path) -> list[Path]:
    """The JSON Lines files of a corpus: a file, or every `*.jsonl` under a folder."""
    if location.is_file():
        return [location]
    if not location.exists():
        raise CorpusError(f"{location} does not exist")
    return sorted(path for path in location.rglob("*.jsonl") if "samples" not in path.parts)


def load_corpus(location: Path, *, split: str | None = None) -> list[LabelledPassage]:
    """All labelled passages under `location`, duplicates (by normalised text) dropped.

    `split` keeps only the `train` or `test` side of the fixed split.
    """
    taxonomy = load_taxonomy()
    seen: set[str] = set()
    passages = []
    for path in corpus_files(location):
        for passage in read_jsonl(path, taxonomy):
            digest = text_hash(passage.text)
            if digest in seen:
                continue
            seen.add(digest)
            if split and split_of(passage.text) != split:
                continue
            passages.append(passage)
    return passages


def duplicates(location: Path) -> list[tuple[str, str]]:
    """Pairs of passage ids whose normalised texts are the same."""
    first: dict[str, str] = {}
    pairs = []
    for path in corpus_files(location):
        for passage in read_jsonl(path):
            digest = text_hash(passage.text)
            if digest in first:
                pairs.append((first[digest], passage.id))
            else:
                first[digest] = passage.id
    return pairs


def files_digest(paths: Iterable[Path]) -> dict[str, str]:
    """SHA-256 of each file, for a model's list of training sources."""
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


REVIEW_STATUSES = ("accepted", "corrected", "rejected")


def read_reviewed(path: Path, taxonomy: Taxonomy | None = None) -> list[LabelledPassage]:
    """Labelled passages from a reviewed `passages.csv` or `passages.xlsx`.

    `accepted` rows confirm the predicted labels; `corrected` rows give their labels in the
    review columns; `rejected` rows say the predicted labels are wrong (the review columns, if
    filled, give the right ones, else the passage is a negative for every label); rows left
    empty are ignored. A file saved back by a spreadsheet is read as it comes: a byte-order mark,
    CRLF line ends and the `'` put before formula-like cells. Every label is checked against
    the taxonomy; all the bad cells are reported at once, naming row and column, and nothing is
    returned.
    """
    from .io import unsafe_cell

    taxonomy = taxonomy or load_taxonomy()
    rows = review_rows(path)
    passages, problems = [], []
    for number, row in rows:
        status = unsafe_cell(row.get("review_status", "")).strip().lstrip("'").lower()
        if not status:
            continue
        where = f"{path.name} row {number}"
        if status not in REVIEW_STATUSES:
            problems.append(f"{where}, column review_status: {status!r} is not one of {', '.join(REVIEW_STATUSES)}")
            continue
        columns = ("migof", "sdg_goals", "sdg_targets") if status == "accepted" else ("review_migof", "", "review_sdg_targets")
        labels: dict[str, list[str]] = {}
        for field, column in zip(("migof", "sdg_goals", "sdg_targets"), columns, strict=True):
            labels[field] = split_labels(unsafe_cell(row.get(column, ""))) if column else []
            problems.extend(
                f"{where}, column {column}: unknown {LABEL_KINDS[field]} {label!r}"
                for label in labels[field]
                if not is_known(field, label, taxonomy)
            )
        if problems:
            continue
        migof, goals, targets = clean_labels(labels["migof"], labels["sdg_goals"], labels["sdg_targets"], taxonomy, where=where)
        text = unsafe_cell(row.get("text", ""))
        if not text.strip():
            problems.append(f"{where}, column text: empty")
            continue
        passages.append(
            LabelledPassage(
                id=str(row.get("passage_id") or f"{path.stem}-{number}"),
                text=text,
                migof=migof,
                sdg_goals=goals,
                sdg_targets=targets,
                source=path.name,
                register="reviewed",
            )
        )
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise CorpusError(f"{path}: {len(problems)} bad review cell(s), nothing trained:\n  {shown}{more}")
    return passages


def review_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, cells as text) of a passages table in CSV or XLSX."""
    import pandas as pd

    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            table = pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False)
        else:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read it as a passages table ({exc})") from exc
    table.columns = [str(c).strip().lstrip("\ufeff") for c in table.columns]
    missing = {"text", "review_status"} - set(table.columns)
    if missing:
        raise CorpusError(f"{path}: not a passages table (missing {', '.join(sorted(missing))})")
    # row 1 is the header, so the first passage is row 2, as a spreadsheet numbers it
    return [(index + 2, {k: str(v) for k, v in row.items()}) for index, row in enumerate(table.to_dict("records"))]


def merge_reviewed(
    corpus: list[LabelledPassage], reviewed: list[LabelledPassage]
) -> list[LabelledPassage]:
    """Corpus plus reviewed passages; where both hold the same text, the reviewer wins."""
    by_hash = {text_hash(passage.text): passage for passage in corpus}
    for passage in reviewed:
        by_hash[text_hash(passage.text)] = passage
    return list(by_hash.values())
