"""Extraction: a PDF into pages of text blocks in reading order, with pdfplumber.

pdfplumber gives each word with its font, size and position, which is what it takes to drop
running headers, footers and page numbers, find column gutters, keep footnotes apart, tell
headings from body text and mend words broken across lines. Thresholds and word lists are in
`data/layout.json`.

A page or a file that cannot be read never stops the caller: it becomes a `Problem` on the
returned `Document` (one row of `errors.csv`), and the rest goes on.
"""

from __future__ import annotations

import gc
import json
import logging
import re
import statistics
import time
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pdfplumber

from .io import sha256_of
from .records import Block, Document, Page, Problem, Table

log = logging.getLogger(__name__)

LAYOUT_SETTINGS = Path(__file__).parent / "data" / "layout.json"
_CID = re.compile(r"\(cid:\d+\)")
_DIGITS_ONLY = re.compile(r"^[\d,]+$|^[\u00b9\u00b2\u00b3\u2070-\u2079]+$")
_SUPERSCRIPTS = str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", "0123456789")
_SENTENCE_END = re.compile(r"[.!?:;\"”’)]\s*$")


@lru_cache(maxsize=2)
def load_layout_settings(path: str = str(LAYOUT_SETTINGS)) -> dict:
    """The layout thresholds and word lists, with their regular expressions compiled."""
    settings = json.loads(Path(path).read_text(encoding="utf-8"))
    settings["page_number_res"] = [re.compile(p, re.IGNORECASE) for p in settings["page_number_patterns"]]
    settings["page_footer_tail_re"] = re.compile(settings["page_footer_tail_pattern"], re.IGNORECASE)
    settings["toc_entry_re"] = re.compile(settings["toc_entry_pattern"], re.IGNORECASE)
    settings["heading_res"] = [re.compile(p) for p in settings["heading_patterns"]]
    settings["list_item_re"] = re.compile(settings["list_item_pattern"])
    return settings


def clean_text(text: str) -> str:
    """NFKC (which also expands ligatures such as "ﬁ"), soft hyphens and odd spaces removed."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u00ad", "")
    return re.sub(r"[ \t\u00a0]+", " ", text).strip()


# -- words and rows ------------------------------------------------------------------------


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    font: str = ""


@dataclass
class Row:
    """Words on one baseline, within one column once columns are known."""

    words: list[Word]
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    bold: bool = False
    markers: list[str] = field(default_factory=list)
    kind: str = "body"

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        words = self.words
        self.x0 = min(w.x0 for w in words)
        self.x1 = max(w.x1 for w in words)
        self.top = min(w.top for w in words)
        self.bottom = max(w.bottom for w in words)
        sizes = Counter()
        for word in words:
            sizes[round(word.size, 1)] += len(word.text)
        self.size = sizes.most_common(1)[0][0]
        letters = [w for w in words if any(c.isalpha() for c in w.text)]
        self.bold = bool(letters) and all(w.bold for w in letters)

    @property
    def text(self) -> str:
        # Words pdfplumber split only because the font changed ("Inter" "-" "Agency" with the
        # hyphen in another font) touch each other: join those without a space. Touching words
        # in one font were split at a space character: some PDFs give their glyphs boxes wider
        # than the advance, so every word overlaps the next and only the space separates them.
        parts: list[str] = []
        previous: Word | None = None
        for word in self.words:
            if previous is not None:
                touching = word.x0 - previous.x1 < min(1.0, 0.1 * max(word.size, 1.0))
                font_changed = word.font != previous.font or abs(word.size - previous.size) > 0.05
                parts.append("" if touching and font_changed and word.x0 >= previous.x0 else " ")
            parts.append(word.text)
            previous = word
        return "".join(parts)


def _is_bold(fontname: str) -> bool:
    name = fontname.lower()
    return any(mark in name for mark in ("bold", "black", "heavy", "semibold", ",b"))


# For text running in a turned direction, the direction its lines follow one another (in page
# coordinates, y pointing down): what pdfplumber's `line_dir_rotated` asks for.
_LINE_DIRECTION = {"ttb": "rtl", "btt": "ltr", "rtl": "btt"}


def text_direction(chars: list[dict]) -> str:
    """"ltr" for ordinary pages; "ttb", "btt" or "rtl" when most characters are drawn turned
    (a landscape table on a portrait page, or a page with /Rotate)."""
    turned = Counter()
    for char in chars:
        # pdfminer calls upside-down text "upright", so the matrix decides
        a, b = char["matrix"][0], char["matrix"][1]
        if abs(b) > abs(a):
            turned["ttb" if b < 0 else "btt"] += 1
        else:
            turned["rtl" if a < 0 else "ltr"] += 1
    if not turned:
        return "ltr"
    return turned.most_common(1)[0][0]


def to_upright(box: tuple[float, float, float, float], direction: str, width: float, height: float) -> tuple[float, float, float, float]:
    """A (x0, top, x1, bottom) box on the page into the frame in which the text reads left to
    right, top to bottom."""
    x0, top, x1, bottom = box
    if direction == "ttb":  # turned clockwise: lines run down, the first at the right
        return top, width - x1, bottom, width - x0
    if direction == "btt":  # turned anticlockwise: lines run up, the first at the left
        return height - bottom, x0, height - top, x1
    if direction == "rtl":  # upside down
        return width - x1, height - bottom, width - x0, height - top
    return box


def upright_size(direction: str, width: float, height: float) -> tuple[float, float]:
    return (height, width) if direction in ("ttb", "btt") else (width, height)


def _upright_chars(chars: list[dict], direction: str, width: float, height: float) -> list[dict]:
    """Characters moved into the upright frame, sized by their height there (pdfminer reports a
    turned character's advance as its size)."""
    moved = []
    for char in chars:
        x0, top, x1, bottom = to_upright((char["x0"], char["top"], char["x1"], char["bottom"]), direction, width, height)
        moved.append(
            {**char, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top, "upright": True, "size": bottom - top}
        )
    return moved


def page_words(page: pdfplumber.page.Page, direction: str = "ltr") -> list[Word]:
    """The words of a page with size and weight, in the upright frame of `direction`, doubled
    fake-bold characters removed."""
    settings = load_layout_settings()
    if _has_doubled_chars(page.chars, settings["doubled_char_share"]):
        # dedupe_chars is slow: only where the page draws its characters twice
        page = page.dedupe_chars()
    options = {"keep_blank_chars": False, "use_text_flow": False, "x_tolerance": 1.5}
    if direction == "ltr" and not all(char["upright"] for char in page.chars):
        # text turned on an upright page is a margin stamp or a sideways label, not the prose
        page = page.filter(lambda obj: obj.get("object_type") != "char" or obj["upright"])
    if direction == "ltr":
        raw = page.extract_words(extra_attrs=["size", "fontname"], **options)
    else:
        chars = _upright_chars(page.chars, direction, float(page.width), float(page.height))
        extractor = pdfplumber.utils.text.WordExtractor(extra_attrs=["size", "fontname"], **options)
        raw = extractor.extract_words(sorted(chars, key=lambda c: (round(c["top"]), c["x0"])))
    words = []
    for item in raw:
        text = clean_text(item["text"])
        if not text:
            continue
        words.append(
            Word(
                text=text,
                x0=float(item["x0"]),
                x1=float(item["x1"]),
                top=float(item["top"]),
                bottom=float(item["bottom"]),
                size=float(item["size"]),
                bold=_is_bold(item["fontname"]),
                font=item["fontname"],
            )
        )
    return words


def _has_doubled_chars(chars: list[dict], share: float) -> bool:
    if len(chars) < 20:
        return False
    sample = chars[: min(len(chars), 2000)]
    doubled = sum(
        1
        for a, b in zip(sample, sample[1:], strict=False)
        if a["text"] == b["text"] and abs(a["x0"] - b["x0"]) < 1 and abs(a["top"] - b["top"]) < 1
    )
    # one fake-bold heading is enough to garble its words: a few doubled letters suffice
    return doubled >= 8 or doubled / len(sample) > share


def group_rows(words: list[Word]) -> list[Row]:
    """Words into rows by vertical overlap; a raised smaller word (a footnote marker) joins the
    row it sits on."""
    # (top, bottom, size, words) per open row; Row objects are built once at the end
    open_rows: list[list] = []
    for word in sorted(words, key=lambda w: (round(w.bottom), w.x0)):
        middle = (word.top + word.bottom) / 2
        target = None
        for row in reversed(open_rows[-6:]):
            top, bottom, size = row[0], row[1], row[2]
            if top - 1 <= middle <= bottom + 1 or (
                word.bottom >= top and word.top <= bottom and word.size < size * 0.9
            ):
                target = row
                break
        if target is None:
            open_rows.append([word.top, word.bottom, word.size, [word]])
        else:
            target[3].append(word)
            if word.size >= target[2] * 0.9:
                target[0] = min(target[0], word.top)
                target[1] = max(target[1], word.bottom)
                target[2] = max(target[2], word.size)
    rows = [Row(sorted(row[3], key=lambda w: w.x0)) for row in open_rows]
    return sorted(rows, key=lambda r: (r.top, r.x0))


# -- columns ---------------------------------------------------------------------------------


_FREE_RUN = re.compile(rb"\x00+")  # a run of x positions no word covers


def find_gutters(rows: list[Row], settings: dict) -> list[tuple[float, float]]:
    """Vertical strips that no word crosses and that have text on both sides in enough rows:
    the gaps between columns, widest first."""
    need = max(settings["gutter_min_rows_both_sides"], int(len(rows) * 0.3))
    if len(rows) < need:
        return []
    left = min(r.x0 for r in rows)
    right = max(r.x1 for r in rows)
    width = int(right - left) + 1
    if width < 50:
        return []
    blocked = bytearray(width)
    for row in rows:
        for word in row.words:
            blocked[max(0, int(word.x0 - left)) : min(width, int(word.x1 - left) + 1)] = b"\x01" * (
                min(width, int(word.x1 - left) + 1) - max(0, int(word.x0 - left))
            )
    gutters = [
        (left + run.start(), left + run.end())
        for run in _FREE_RUN.finditer(blocked)
        if run.end() - run.start() >= settings["min_gutter_width"] and run.start() > 0 and run.end() < width
    ]
    confirmed = []
    for g0, g1 in gutters:
        both = sum(
            1
            for row in rows
            if any(w.x1 <= g0 + 1 for w in row.words) and any(w.x0 >= g1 - 1 for w in row.words)
        )
        if both >= need:
            confirmed.append((g0, g1))
    return sorted(confirmed, key=lambda g: g[0] - g[1])


def _largest_gap(rows: list[Row]) -> int | None:
    """The index of the row below the widest horizontal whitespace band between rows, when it
    is wider than a line gap: where a region of different layout begins."""
    best, best_gap = None, 0.0
    bottom = rows[0].bottom
    for index, row in enumerate(rows[1:], start=1):
        gap = row.top - bottom
        if gap > best_gap and gap > 0.6 * min(row.size, 12.0):
            best, best_gap = index, gap
        bottom = max(bottom, row.bottom)
    return best


def xy_cut(rows: list[Row], settings: dict, depth: int = 0) -> list[list[Row]]:
    """Recursive XY-cut of a region's rows (sorted by top): split at a column gutter when one
    runs through the whole region, else at the widest horizontal gap, and read the parts in
    order. Each page region finds its own gutters, so a page can mix a full-width part with
    columns of any width below."""
    if len(rows) < 2 or depth > 24:
        return [rows]
    gutters = find_gutters(rows, settings)
    if gutters:
        # a gutter cuts rows in two: each side's words make rows of their own
        cut = (gutters[0][0] + gutters[0][1]) / 2
        words = [word for row in rows for word in row.words]
        left = group_rows([w for w in words if (w.x0 + w.x1) / 2 < cut])
        right = group_rows([w for w in words if (w.x0 + w.x1) / 2 >= cut])
        return xy_cut(left, settings, depth + 1) + xy_cut(right, settings, depth + 1)
    # a gap lies between whole rows, so both parts keep theirs (grouping them again at every
    # level was most of the time of reading a long report)
    split = _largest_gap(rows)
    if split is not None:
        return xy_cut(rows[:split], settings, depth + 1) + xy_cut(rows[split:], settings, depth + 1)
    return [rows]


def reading_order(rows: list[Row], settings: dict) -> list[list[Row]]:
    """Rows into regions in reading order (see `xy_cut`). The regions hold new rows: later
    steps change them, and a page's rows stay as read."""
    regrouped = group_rows([word for row in rows for word in row.words])
    return [region for region in xy_cut(regrouped, settings) if region]


# -- running headers, footers, page numbers ----------------------------------------------------


# i to lxxxix: front-matter page numbers, and no English word but "i"
_ROMAN_PAGE = r"(?=[ivxl])(?:xl|l?x{0,3})(?:ix|iv|v?i{0,3})"


def _row_key(text: str) -> str:
    # digits folded and page numbers at either end dropped: "47700 Federal Register …" on a
    # left page and "Federal Register … 47701" on a right page are one running line, and so are
    # "Country Review 2021 | vii", "Country Review 2021 | 12" and "12 | Country Review 2021" (front
    # matter is numbered in roman numerals; left and right pages put the number on either side)
    key = re.sub(r"\d+", "#", text.lower())
    key = re.sub(rf"(^|[\s|·•–—-]){_ROMAN_PAGE}$", r"\1#", key)
    key = re.sub(rf"^{_ROMAN_PAGE}(?=[\s|·•–—-])", "#", key)
    return key.strip("# |·•–—-")


def is_toc_entry(text: str, settings: dict) -> bool:
    """A table-of-contents line ("Annex 2. Data sources ........ 41"): a list of the
    document's headings, not prose, so it never becomes a passage."""
    return bool(settings["toc_entry_re"].search(text))


def drop_contents(rows: list[Row], settings: dict) -> list[Row]:
    """The rows of `rows` (one page, top to bottom) without its table-of-contents lines.

    On a contents page (several such lines) an entry that wraps leaves its first line without
    leaders: the lines between the first and the last entry go too, and so does the line just
    above the first entry when it is set like the entries and directly above it.
    """
    entries = [k for k, row in enumerate(rows) if is_toc_entry(row.text, settings)]
    dropped = set(entries)
    if len(entries) >= settings["contents_min_entries"]:
        first, last = entries[0], entries[-1]
        if first > 0:
            above, entry = rows[first - 1], rows[first]
            if abs(above.size - entry.size) < 0.6 and entry.top - above.bottom < entry.size:
                first -= 1
        dropped.update(range(first, last + 1))
    return [row for k, row in enumerate(rows) if k not in dropped]


def is_page_number(text: str, settings: dict) -> bool:
    return any(pattern.match(text) for pattern in settings["page_number_res"]) or bool(
        settings["page_footer_tail_re"].fullmatch(text.strip())
    )


def running_keys(pages_rows: list[tuple[float, list[Row]]], settings: dict) -> set[str]:
    """Row texts (digits folded) that recur in the top or bottom band of many pages."""
    counts: Counter[str] = Counter()
    for height, rows in pages_rows:
        band = height * settings["band_ratio"]
        seen = set()
        for row in rows:
            if row.bottom <= band or row.top >= height - band:
                seen.add(_row_key(row.text))
        counts.update(seen)
    n_pages = len(pages_rows)
    if n_pages < settings["running_min_pages"]:
        return set()
    need = max(2, int(n_pages * settings["running_min_share"] + 0.5))
    # in a short document two paragraphs may open alike at the top of two pages: there only
    # short lines count as running ones
    short = n_pages < settings["running_short_doc_pages"]
    return {
        key
        for key, count in counts.items()
        if count >= need and key.strip("# ") and not (short and len(key.split()) > settings["running_short_doc_max_words"])
    }


def drop_running(rows: list[Row], height: float, keys: set[str], settings: dict) -> list[Row]:
    band = height * settings["band_ratio"]

    def in_band(row: Row) -> bool:
        return row.bottom <= band or row.top >= height - band

    def running(text: str) -> bool:
        return _row_key(text) in keys or is_page_number(text, settings)

    dropped = {index for index, row in enumerate(rows) if in_band(row) and running(row.text)}
    for index in range(len(rows) - 1):
        # a running line the layout broke in two: "121 | P a" over "g e"
        first, second = rows[index], rows[index + 1]
        if dropped.isdisjoint((index, index + 1)) and in_band(first) and in_band(second) and running(
            f"{first.text} {second.text}"
        ):
            dropped.update((index, index + 1))
    kept = []
    for index, row in enumerate(rows):
        if index in dropped:
            continue
        if in_band(row):
            row = _without_page_footer(row, settings)
        kept.append(row)
    return kept


def _without_page_footer(row: Row, settings: dict) -> Row:
    # "Guidance for Addressing Gender 122 | P a g e": a footer that shares its line with text
    for cut in range(len(row.words) - 1, 0, -1):
        tail = " ".join(word.text for word in row.words[cut:])
        if settings["page_footer_tail_re"].fullmatch(tail):
            return Row(row.words[:cut], markers=row.markers, kind=row.kind)
    return row


# -- footnotes and markers ----------------------------------------------------------------------


_FOOTNOTE_OPENING = re.compile(r"^\s*([\d\u00b9\u00b2\u00b3\u2070-\u2079]{1,3})\s*(.*)$")


def split_footnotes(rows: list[Row], body_size: float, height: float, settings: dict) -> tuple[list[Row], dict[str, str]]:
    """Rows at the page bottom in a smaller font that open with a number are footnotes."""
    limit = body_size * settings["footnote_size_ratio"]
    start = len(rows)
    for index in range(len(rows) - 1, -1, -1):
        row = rows[index]
        if row.size < limit and row.top > height * 0.45:
            start = index
        else:
            break
    notes: dict[str, str] = {}
    body_rows: list[Row] = []
    current = None
    # footnotes may be set in columns too: read them column by column
    note_rows = [row for region in reading_order(rows[start:], settings) for row in region] if start < len(rows) else []
    for row in note_rows:
        match = _FOOTNOTE_OPENING.match(row.text)
        if match and current is not None and current.isdigit():
            # a wrapped line that opens with a number ("95 per cent …") continues the note
            # unless the number is the next marker
            number = match.group(1).translate(_SUPERSCRIPTS)
            if not (number.isdigit() and int(number) == int(current) + 1):
                match = None
        if match:
            current = match.group(1).translate(_SUPERSCRIPTS)
            notes[current] = match.group(2)
        elif current:
            notes[current] = join_lines(notes[current], row.text, set())
        else:
            body_rows.append(row)  # small print above the first note: a table or form set small
    if not notes:
        return rows, {}
    return rows[:start] + body_rows, notes


def take_markers(row: Row, body_size: float, settings: dict) -> None:
    """Remove footnote markers (small raised digits after a word) from a row, keeping them."""
    limit = body_size * settings["marker_size_ratio"]
    kept = []
    for index, word in enumerate(row.words):
        raised = word.size < limit and _DIGITS_ONLY.match(word.text) and index > 0
        if raised and word.bottom < row.bottom - 0.5:
            row.markers.extend(m.translate(_SUPERSCRIPTS) for m in word.text.split(","))
            continue
        glued = re.match(r"^(.*[A-Za-z.,;)])([\u00b9\u00b2\u00b3\u2070-\u2079]+)$", word.text)
        if glued:
            row.markers.append(glued.group(2).translate(_SUPERSCRIPTS))
            word = Word(glued.group(1), word.x0, word.x1, word.top, word.bottom, word.size, word.bold, word.font)
        kept.append(word)
    if kept and len(kept) != len(row.words) or any(w is not o for w, o in zip(kept, row.words, strict=False)):
        row.words = kept or row.words
        row.refresh()


# -- blocks --------------------------------------------------------------------------------------


def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def join_lines(
    text: str, following: str, vocabulary: set[str], keep_prefixes: frozenset[str] = frozenset()
) -> str:
    """Join two lines, mending a word broken by a hyphen at the line end.

    The document's own words decide first (a form seen mid-line elsewhere wins); then word
    frequencies: "recog-/nition" joins because "recognition" is a word, "capacity-/building"
    keeps its hyphen because "capacitybuilding" is not and both halves are.
    """
    if not text:
        return following
    if text.endswith("\u00ad"):
        return text[:-1] + following
    match = re.search(r"([A-Za-z][A-Za-z-]*)-$", text)
    nxt = re.match(r"^([a-z][\w'-]*)", following)
    if not (match and nxt):
        return f"{text} {following}"
    head, tail = match.group(1), nxt.group(1)
    last = head.split("-")[-1]
    joined = (last + tail).lower()
    tail_word = tail.rstrip(".,;:)'").lower()
    hyphenated = f"{head}-{tail_word}".lower()
    if hyphenated in vocabulary or head.lower().endswith("-of"):
        keep = True
    elif joined.rstrip(".,;:)'") in vocabulary:
        keep = False
    elif head.lower() in keep_prefixes:
        # "cross-/border" keeps its hyphen, "cross-/ing" is one word broken in two
        tail_zipf = _zipf(tail_word)
        keep = tail_zipf >= 3.0 and _zipf(joined.rstrip(".,;:)'")) < tail_zipf
    else:
        joined_zipf = _zipf(joined.rstrip(".,;:)'"))
        keep = joined_zipf < 2.5 and _zipf(last) >= 2.5 and _zipf(tail_word) >= 2.5
    return text + following if keep else text[:-1] + following


def _heading_like(row: Row, body_size: float, settings: dict) -> bool:
    text = row.text
    words = text.split()
    if not words or len(words) > settings["heading_max_words"]:
        return False
    if not any(c.isalpha() for c in text):
        return False
    bigger = row.size >= body_size * settings["heading_size_ratio"]
    numbered = any(p.match(text) for p in settings["heading_res"])
    if bigger:
        return True
    if row.bold and not text.rstrip().endswith((".", ",", ";")):
        return True
    return numbered and text.isupper()


def heading_level(text: str, size: float, heading_sizes: list[float]) -> int:
    """Level 1 for the largest headings, deeper for smaller ones; a numbered heading's depth
    ("2.1 Results" under "2 …") counts as well, since reports often draw both the same size."""
    level = 1 + sum(1 for s in heading_sizes if s > size + 0.3)
    numbered = re.match(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s", text)
    if numbered:
        level += numbered.group(1).count(".")
    return level


def rows_to_blocks(
    regions: list[list[Row]],
    page_number: int,
    body_size: float,
    line_pitch: float,
    vocabulary: set[str],
    heading_sizes: list[float],
    settings: dict,
) -> list[Block]:
    """Rows of each region into paragraphs, headings and list items."""
    keep_prefixes = frozenset(settings["keep_hyphen_prefixes"])
    blocks: list[Block] = []
    for region in regions:
        current: list[Row] = []
        kind = "body"

        def emit() -> None:
            if not current:
                return
            text = ""
            for row in current:
                text = join_lines(text, row.text, vocabulary, keep_prefixes)
            text = clean_text(text)
            if kind == "list_item":
                # the bullet or enumerator is layout, not content
                text = settings["list_item_re"].sub("", text, count=1)
            if not text:
                return
            level = 0
            if kind == "heading":
                level = heading_level(text, max(r.size for r in current), heading_sizes)
            markers = tuple(m for row in current for m in row.markers)
            blocks.append(
                Block(
                    page=page_number,
                    text=text,
                    bbox=(
                        min(r.x0 for r in current),
                        min(r.top for r in current),
                        max(r.x1 for r in current),
                        max(r.bottom for r in current),
                    ),
                    kind=kind,
                    font_size=max(r.size for r in current),
                    bold=all(r.bold for r in current),
                    heading_level=level,
                    footnote_markers=markers,
                )
            )

        previous: Row | None = None
        column_left = min(r.x0 for r in region)
        for row in region:
            row_kind = "heading" if _heading_like(row, body_size, settings) else "body"
            is_item = bool(settings["list_item_re"].match(row.text)) and row_kind == "body"
            new_block = previous is None
            if previous is not None:
                gap = row.top - previous.bottom
                pitch = row.top - previous.top
                continues_item = kind == "list_item" and row_kind == "body"
                if (row_kind != kind and not continues_item) or is_item:
                    new_block = True
                elif kind == "heading":
                    # a heading wraps over lines of its own size and pitch
                    new_block = abs(row.size - previous.size) > 0.5 or gap > row.size * 1.2
                elif pitch > line_pitch * settings["paragraph_gap_ratio"] and gap > 0:
                    new_block = True
                elif (
                    kind == "body"
                    and row.x0 - column_left > settings["indent_min"]
                    and previous.x0 - column_left <= settings["indent_min"] / 2
                    and _SENTENCE_END.search(previous.text)
                ):
                    new_block = True  # an indented first line opens a paragraph
            if new_block:
                emit()
                current = [row]
                kind = "list_item" if is_item else row_kind
            else:
                current.append(row)
            previous = row
        emit()
    return [block for block in blocks if block.text]


# -- the document ---------------------------------------------------------------------------------


@dataclass
class _PageRows:
    number: int
    width: float
    height: float
    rows: list[Row]
    tables: list[Table]


def _table_rows(page: pdfplumber.page.Page, number: int, direction: str = "ltr") -> tuple[list[Table], list[tuple]]:
    """The ruled tables of a page, as rows of cell texts read upright, and their boxes in the
    upright frame."""
    if len(page.edges) < 4:
        return [], []  # no ruling lines: the (costly) table finder would find nothing
    width, height = float(page.width), float(page.height)
    tables = []
    boxes = []
    for index, found in enumerate(page.find_tables()):
        if direction == "ltr":
            cells = found.extract()
        else:
            cells = _turn_cells(found.extract(char_dir_rotated=direction, line_dir_rotated=_LINE_DIRECTION[direction]), direction)
        rows = tuple(tuple(clean_text(cell or "") for cell in row) for row in cells)
        if len(rows) < 2 or max((len(r) for r in rows), default=0) < 2 or _prose_box(rows):
            continue
        box = to_upright(tuple(found.bbox), direction, width, height)
        tables.append(Table(page=number, index=index, bbox=box, rows=rows))
        boxes.append(box)
    return tables, boxes


def _turn_cells(cells: list[list], direction: str) -> list[list]:
    """Cells found on a turned page, re-ordered into the rows and columns a reader sees."""
    if not cells:
        return cells
    if direction == "ttb":  # the reader's first row is the page's rightmost column
        return [list(column) for column in zip(*cells, strict=False)][::-1]
    if direction == "btt":  # first row is the leftmost column, read from the page bottom up
        return [list(column)[::-1] for column in zip(*cells, strict=False)]
    if direction == "rtl":
        return [list(row)[::-1] for row in cells[::-1]]
    return cells


def _prose_box(rows: tuple[tuple[str, ...], ...]) -> bool:
    """Ruled boxes around paragraphs (sidebars, page frames) are not tables: their cells
    hold prose, not short values."""
    cells = [cell for row in rows for cell in row if cell]
    if not cells:
        return True
    words = [len(cell.split()) for cell in cells]
    return max(words) > 60 or sum(words) / len(words) > 15


def _inside(word: Word, box: tuple) -> bool:
    x0, top, x1, bottom = box
    cx, cy = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
    return x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1


def pdfium_words(path: Path, index: int) -> tuple[list[Word], float, float]:
    """A page's words read by pypdfium2, for a page pdfplumber cannot parse. Sizes come from the
    loose character boxes (pdfium's own font size is often that of a scaled text matrix)."""
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        page = pdf[index]
        width, height = page.get_size()
        textpage = page.get_textpage()
        words: list[Word] = []
        letters: list[tuple[str, float, float, float, float]] = []

        def close_word() -> None:
            if letters:
                text = clean_text("".join(c[0] for c in letters))
                if text:
                    x0 = min(c[1] for c in letters)
                    top = min(c[2] for c in letters)
                    bottom = max(c[4] for c in letters)
                    words.append(Word(text, x0, max(c[3] for c in letters), top, bottom, round((bottom - top) / 1.15, 1), False))
                letters.clear()

        for i in range(textpage.count_chars()):
            char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
            if char.isspace() or not char.isprintable():
                close_word()
                continue
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            box = (char, left, height - top, right, height - bottom)
            if letters and (box[1] - letters[-1][3] > 0.25 * (box[4] - box[2]) or box[2] > letters[-1][4]):
                close_word()
            letters.append(box)
        close_word()
        textpage.close()
        page.close()
        return words, width, height
    finally:
        pdf.close()


@lru_cache(maxsize=1)
def ocr_available() -> bool:
    """Whether pytesseract (the optional `ocr` extra) and the Tesseract program are installed.
    Asked once per process: the check runs the tesseract program."""
    try:
        import pytesseract

        pytesseract.get_tesseract_version()
    except Exception:  # not installed, or the tesseract binary is missing
        return False
    return True


def ocr_page(page: pdfplumber.page.Page) -> list[Word]:
    """The words of a page image read by Tesseract, in page points; [] when OCR is not installed."""
    if not ocr_available():
        return []
    import pytesseract

    settings = load_layout_settings()
    resolution = settings["ocr_resolution"]
    image = page.to_image(resolution=resolution).original
    data = pytesseract.image_to_data(image, lang="eng", output_type=pytesseract.Output.DICT)
    scale = 72.0 / resolution
    words = []
    lines: dict[tuple, list[int]] = {}
    for i, text in enumerate(data["text"]):
        if text.strip() and float(data["conf"][i]) >= settings["ocr_min_confidence"]:
            lines.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(i)
    for members in lines.values():
        # a line's words share one height, so rows group as they do for a text layer
        top = min(data["top"][i] for i in members) * scale
        bottom = max(data["top"][i] + data["height"][i] for i in members) * scale
        for i in members:
            x0 = data["left"][i] * scale
            words.append(Word(clean_text(data["text"][i]), x0, x0 + data["width"][i] * scale, top, bottom, round((bottom - top) / 1.15, 1), False))
    return words


@contextmanager
def _fewer_collections(threshold: int):
    """Collect cyclic garbage less often while a document is read: the words of every page stay
    alive until the document is done, and Python's default thresholds would rescan them
    thousands of times (+40% on a 600-page report). Reference counting still frees the rest."""
    before = gc.get_threshold()
    gc.set_threshold(threshold, before[1], before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@dataclass
class PageBatch:
    """Pages `first`..`last` (0-based, end excluded) of a PDF as read, before the steps that
    need the whole document (running headers, body size, line pitch). A large document is read
    as several batches, in parallel, and assembled by `assemble`."""

    n_pages: int
    first: int
    last: int
    pages: list[_PageRows] = field(default_factory=list)
    sizes: Counter[float] = field(default_factory=Counter)
    vocabulary: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    opened: bool = True
    seconds: float = 0.0


def extract(path: Path | str, *, name: str | None = None, password: str | None = None) -> Document:
    """Read a PDF into pages of blocks in reading order.

    Never raises for a bad file: what went wrong is in `Document.problems`.
    """
    path = Path(path)
    name = name or path.name
    try:
        sha = sha256_of(path)
    except OSError as exc:
        problem = Problem(name, str(path), "open", type(exc).__name__, str(exc))
        return Document("", name, str(path), "", 0, (), (problem,))
    return assemble(path, sha, [read_pages(path, name=name, password=password)], name=name)


@contextmanager
def _closing(pdf: pdfplumber.PDF):
    """Close a PDF even when its page tree is broken: pdfplumber's own `close` rebuilds the page
    list and raises again on the page that failed (found by the fuzz test)."""
    try:
        yield pdf
    finally:
        try:
            pdf.close()
        except Exception:
            if getattr(pdf, "stream", None) is not None and not getattr(pdf, "stream_is_external", True):
                pdf.stream.close()


def read_pages(
    path: Path | str, *, name: str | None = None, first: int = 0, last: int | None = None,
    password: str | None = None,
) -> PageBatch:
    """Read pages `first`..`last` of a PDF (all by default) into rows of words.

    Never raises for a bad file or page: what went wrong is in `PageBatch.problems`.
    """
    started = time.perf_counter()
    with _fewer_collections(load_layout_settings()["gc_threshold"]):
        batch = _read_pages(Path(path), name or Path(path).name, first, last, password)
    batch.seconds = time.perf_counter() - started
    return batch


def _read_pages(path: Path, name: str, first: int, last: int | None, password: str | None) -> PageBatch:
    batch = PageBatch(0, first, first, opened=False)
    problems = batch.problems

    def problem(stage: str, error: str, message: str, page: int | None = None) -> None:
        problems.append(Problem(name, str(path), stage, error, message, page))

    try:
        size = path.stat().st_size
    except OSError as exc:
        problem("open", type(exc).__name__, str(exc))
        return batch
    if size == 0:
        problem("open", "EmptyFile", "the file is empty (0 bytes)")
        return batch
    try:
        pdf = pdfplumber.open(path, password=password or "")
    except Exception as exc:  # pdfminer raises many kinds for broken and encrypted files
        error, message = _describe_open_error(exc)
        problem("open", error, message)
        return batch
    with _closing(pdf):
        try:
            n_pages = len(pdf.pages)
        except Exception as exc:
            error, message = _describe_open_error(exc)
            problem("open", error, message)
            return batch
        batch.opened, batch.n_pages = True, n_pages
        last = n_pages if last is None else min(last, n_pages)
        batch.last = max(first, last)
        if n_pages == 0:
            problem("open", "NoPages", "the PDF has no pages that can be read")
        for index in range(first, min(last, n_pages)):
            number = index + 1
            page = pdf.pages[index]
            try:
                direction = text_direction(page.chars)
                tables, boxes = _table_rows(page, number, direction)
                words = [w for w in page_words(page, direction) if not any(_inside(w, b) for b in boxes)]
                width, height = upright_size(direction, float(page.width), float(page.height))
            except Exception as exc:  # one bad page never stops the document
                log.warning("page %d of %s: %s", number, name, exc)
                tables = []
                try:
                    words, width, height = pdfium_words(path, index)
                except Exception as fallback_exc:
                    problem("extract", type(exc).__name__, f"page unreadable: {exc}; fallback failed: {fallback_exc}", number)
                    words, width, height = [], float(page.width or 612), float(page.height or 792)
                else:
                    problem("extract", type(exc).__name__, f"pdfplumber failed ({exc}); text taken with pypdfium2", number)
            else:
                # a page without characters but with an image is a scan; one with neither is blank
                if not words and not tables and not page.chars and page.images:
                    try:
                        words = ocr_page(page)
                    except Exception as exc:  # Tesseract failing on one page never stops the rest
                        problem("extract", "NoTextLayer", f"page has no text layer and OCR failed: {exc}", number)
                    else:
                        if words:
                            problem("extract", "OCR", "page has no text layer: its text was read by OCR (Tesseract)", number)
                        elif not ocr_available():
                            problem("extract", "NoTextLayer", "page has no text layer (a scanned image): needs OCR; install the 'ocr' extra and Tesseract", number)
                        else:
                            problem("extract", "NoTextLayer", "page has no text layer and OCR found no text", number)
            finally:
                page.close()
            cid = sum(1 for w in words if _CID.search(w.text))
            if cid and cid >= len(words) * 0.2:
                problem("extract", "NoUnicodeMap", f"font without a Unicode map: {cid} words are (cid:NN) codes", number)
                words = [w for w in words if not _CID.search(w.text)]
            for word in words:
                batch.sizes[round(word.size, 1)] += len(word.text)
                if "-" in word.text[1:-1] or word.text.isalpha():
                    batch.vocabulary.add(word.text.strip(".,;:()").lower())
            rows = group_rows(words) if words else []
            batch.pages.append(_PageRows(number, width, height, rows, tables))
    return batch


def assemble(path: Path | str, sha: str, batches: list[PageBatch], *, name: str | None = None) -> Document:
    """The document from its page batches: running headers, footnotes, reading order, blocks."""
    with _fewer_collections(load_layout_settings()["gc_threshold"]):
        return _assemble(Path(path), sha, batches, name or Path(path).name)


def _assemble(path: Path, sha: str, batches: list[PageBatch], name: str) -> Document:
    settings = load_layout_settings()
    doc_id = sha[:16]
    batches = sorted(batches, key=lambda b: b.first)
    problems: list[Problem] = [p for b in batches for p in b.problems]

    def problem(stage: str, error: str, message: str, page: int | None = None) -> None:
        problems.append(Problem(name, str(path), stage, error, message, page))

    if not any(b.opened for b in batches):
        return Document(doc_id, name, str(path), sha, 0, (), tuple(problems))
    page_rows = [page for b in batches for page in b.pages]
    sizes: Counter[float] = sum((b.sizes for b in batches), Counter())
    vocabulary: set[str] = set().union(*(b.vocabulary for b in batches))
    body_size = sizes.most_common(1)[0][0] if sizes else 10.0
    keys = running_keys([(p.height, p.rows) for p in page_rows], settings)
    heading_sizes = sorted({r.size for p in page_rows for r in p.rows if r.size >= body_size * settings["heading_size_ratio"]}, reverse=True)
    pitches = [
        b.top - a.top
        for p in page_rows
        for a, b in zip(p.rows, p.rows[1:], strict=False)
        if abs(a.size - body_size) < 0.6 and abs(b.size - body_size) < 0.6 and 0 < b.top - a.top < body_size * 2.2
    ]
    line_pitch = statistics.median(pitches) if pitches else body_size * 1.2
    pages: list[Page] = []
    for item in page_rows:
        rows = drop_running(item.rows, item.height, keys, settings)
        rows = drop_contents(rows, settings)
        rows, notes = split_footnotes(rows, body_size, item.height, settings) if rows else (rows, {})
        regions = reading_order(rows, settings) if rows else []
        for region in regions:
            for row in region:
                take_markers(row, body_size, settings)
        blocks = rows_to_blocks(regions, item.number, body_size, line_pitch, vocabulary, heading_sizes, settings)
        pages.append(Page(item.number, item.width, item.height, tuple(blocks), notes, tuple(item.tables)))
    n_words = sum(len(block.text.split()) for page in pages for block in page.blocks)
    in_tables = any(cell for page in pages for table in page.tables for row in table.rows for cell in row)
    if pages and not n_words and not in_tables and not problems:
        problem("extract", "NoText", "no text could be read: a scan, or fonts without a Unicode map")
    elif pages and 0 < n_words < settings["little_text_words"] and not in_tables:
        problem("extract", "LittleText", f"only {n_words} word(s) of text in {len(pages)} page(s): too little to tag")
    lang = detect_language(" ".join(b.text for p in pages[:10] for b in p.blocks))
    if lang != "en" and pages:
        problem("extract", "NotEnglish", f"document language looks like {lang!r}: passages kept, not classified")
    return Document(doc_id, name, str(path), sha, len(pages), tuple(pages), tuple(problems), lang)


def _describe_open_error(exc: Exception) -> tuple[str, str]:
    text = f"{type(exc).__name__}: {exc}"
    inner = exc.__cause__ or exc.__context__
    names = {type(exc).__name__, type(inner).__name__ if inner else ""}
    if any("Password" in n for n in names) or "password" in text.lower():
        return "Encrypted", "the PDF is password-protected; give its password or an unencrypted copy"
    if any("Encrypt" in n for n in names):
        return "Encrypted", f"the PDF's encryption cannot be read ({inner or exc}); an unencrypted copy is needed"
    return "Unreadable", f"cannot open as a PDF ({text[:200]})"


@lru_cache(maxsize=1)
def _language_identifier():
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(Path(MODEL_DIR) / MODEL_FILE, norm_probs=True)


def detect_language(text: str, *, min_words: int = 30, min_probability: float = 0.95) -> str:
    """The language (ISO 639-1) of a text by py3langid; English unless another language is
    clearly more likely, since tables, names and figures confuse the guess on short texts."""
    if len(text.split()) < min_words:
        return "en"
    language, probability = _language_identifier().classify(text[:5000])
    return language if probability >= min_probability else "en"
