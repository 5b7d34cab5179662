"""The records that flow between stages: plain, frozen dataclasses.

Every stage takes and returns these (or lists and iterators of them), so a stage can be
tested on hand-made input and a worker process can send its results back as plain data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points


@dataclass(frozen=True)
class Block:
    """A run of lines on one page that belongs together (a paragraph, heading or list item)."""

    page: int
    text: str
    bbox: BBox
    kind: str = "body"  # body | heading | list_item
    font_size: float = 0.0
    bold: bool = False
    heading_level: int = 0
    footnote_markers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table found on a page, kept out of prose so its figures are not read as a passage."""

    page: int
    index: int
    bbox: BBox
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Page:
    """One page in reading order: its blocks, its footnotes by marker, its tables."""

    number: int
    width: float
    height: float
    blocks: tuple[Block, ...]
    footnotes: dict[str, str] = field(default_factory=dict)
    tables: tuple[Table, ...] = ()


@dataclass(frozen=True)
class Problem:
    """Something that went wrong with an input, wholly or in part: one row of errors.csv."""

    doc: str
    path: str
    stage: str
    error: str
    message: str
    page: int | None = None


@dataclass(frozen=True)
class Document:
    """A PDF as read: identity, pages in reading order, and what went wrong on the way."""

    doc_id: str
    name: str
    path: str
    sha256: str
    n_pages: int
    pages: tuple[Page, ...]
    problems: tuple[Problem, ...] = ()
    lang: str = "en"


@dataclass(frozen=True)
class Passage:
    """A paragraph of text with where it comes from."""

    passage_id: str
    doc_id: str
    doc: str
    page: int
    n: int
    text: str
    section: str = ""
    bbox: BBox | None = None
    footnotes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tag:
    """One asserted label with its score, where it came from and the evidence behind it."""

    label: str
    score: float
    source: str  # rule | model | rule+model
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figure:
    """One figure a passage reports, described as the contract says."""

    text: str
    value: float
    kind: str  # count | percent | percentage_points | money | fraction | measure
    unit: str | None
    counted: str | None
    qualifier: str | None
    year: int | None
    change: str | None
    start: int
    end: int
    sentence: str = ""


@dataclass(frozen=True)
class TaggedPassage:
    """A passage with everything the pipeline asserts about it."""

    passage: Passage
    migof: tuple[Tag, ...] = ()
    sdg_targets: tuple[Tag, ...] = ()
    sdg_goals: tuple[Tag, ...] = ()
    figures: tuple[Figure, ...] = ()


def tag_to_json(tag: Tag) -> dict[str, Any]:
    """The contract's JSON form of a tag."""
    return {
        "label": tag.label,
        "score": round(tag.score, 4),
        "source": tag.source,
        "evidence": list(tag.evidence),
    }


def figure_to_json(figure: Figure) -> dict[str, Any]:
    """The contract's JSON form of a figure (without the sentence, which the tables carry)."""
    data = asdict(figure)
    data.pop("sentence")
    return data


@dataclass(frozen=True)
class LabelledPassage:
    """A passage with the labels a person gave it: one training or evaluation example."""

    id: str
    text: str
    migof: tuple[str, ...] = ()
    sdg_goals: tuple[str, ...] = ()
    sdg_targets: tuple[str, ...] = ()
    source: str = ""
    register: str = ""
