"""Segmentation: blocks into passages, each with the heading path it sits under.

Headings are not passages: they update the section path. A paragraph broken across a column
or page (the first part does not end a sentence and the next starts in lower case) is mended
into one passage. Footnotes cited by a passage travel with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .extract import load_layout_settings
from .records import Block, Document, Passage

_ENDS_SENTENCE = re.compile(r"[.!?:;\"”’)\]]\s*$")
_BULLET = re.compile(r"^\s*[•▪●◦○■□➢►✓·*]\s*")


def _continues(previous: Block | None, block: Block) -> bool:
    return (
        previous is not None
        and previous.kind in {"body", "list_item"}
        and block.kind == "body"
        and not _ENDS_SENTENCE.search(previous.text)
        and bool(re.match(r"^[a-z(]", block.text))
    )


def segment(document: Document) -> Iterator[Passage]:
    """Yield the passages of a document in reading order."""
    settings = load_layout_settings()
    min_words = settings["min_passage_words"]
    headings: list[tuple[int, str]] = []
    pending: Block | None = None
    pending_notes: list[str] = []
    counters: dict[int, int] = {}

    def flush() -> Passage | None:
        nonlocal pending, pending_notes
        if pending is None:
            return None
        block, notes = pending, pending_notes
        pending, pending_notes = None, []
        text = _BULLET.sub("", block.text).strip()
        # words with a letter: chart axes and legends ("45 39 40", "0.0% 2004 2010") are not prose
        if sum(1 for word in text.split() if any(c.isalpha() for c in word)) < min_words:
            return None
        n = counters.get(block.page, 0) + 1
        counters[block.page] = n
        return Passage(
            passage_id=f"{document.doc_id}:{block.page}:{n}",
            doc_id=document.doc_id,
            doc=document.name,
            page=block.page,
            n=n,
            text=text,
            section=" > ".join(title for _, title in headings),
            bbox=block.bbox,
            footnotes=tuple(notes),
        )

    for page in document.pages:
        for block in page.blocks:
            notes = [
                f"{marker}. {page.footnotes[marker]}"
                for marker in block.footnote_markers
                if marker in page.footnotes
            ]
            if block.kind == "heading":
                passage = flush()
                if passage:
                    yield passage
                level = block.heading_level or 1
                headings = [(lvl, title) for lvl, title in headings if lvl < level]
                headings.append((level, block.text))
                continue
            if _continues(pending, block):
                assert pending is not None
                joined = pending.text + (" " if not pending.text.endswith("-") else "") + block.text
                pending = Block(
                    page=pending.page,
                    text=joined,
                    bbox=pending.bbox,
                    kind=pending.kind,
                    font_size=pending.font_size,
                    footnote_markers=pending.footnote_markers + block.footnote_markers,
                )
                pending_notes.extend(notes)
                continue
            passage = flush()
            if passage:
                yield passage
            pending, pending_notes = block, notes
    passage = flush()
    if passage:
        yield passage
