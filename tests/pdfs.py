"""Draw small report PDFs from known text with fpdf2, for extraction tests.

A page is a list of elements: `("heading", text)`, `("para", text)`, `("para", text, marker)`
(a paragraph citing a footnote with a raised marker), `("columns", [texts], n)`, `("table", rows)`
`("contents", [(title, page)])` (table-of-contents lines with dot leaders; a "\n" in a title
wraps it) and
`("footnote", marker, text)` and `("small", text)` (small print low on the page, above the
footnotes). Every page gets a running header and a footer with its page number, in the style the
test asks for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

Element = tuple
_ROMAN = ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]


class ReportPDF(FPDF):
    def __init__(self, header_text: str, footer_style: str) -> None:
        super().__init__(format="A4", unit="pt")
        self.header_text = header_text
        self.footer_style = footer_style
        self.set_auto_page_break(False)
        self.set_margins(56, 56, 56)
        self.set_creation_date(datetime(2024, 1, 1, tzinfo=UTC))

    def header(self) -> None:
        self.set_font("Helvetica", size=8)
        self.set_xy(56, 24)
        self.cell(0, 10, self.header_text, align="C")

    def footer(self) -> None:
        self.set_font("Helvetica", size=8)
        self.set_xy(56, self.h - 34)
        number = self.page_no()
        if self.footer_style.startswith("page-bar"):
            # "12 | P a g e" at the right in the body's size, as some evaluation reports set it:
            # broken over two lines by a narrow text box, or sharing its line with a note
            self.set_font("Helvetica", size=10.5)
            if self.footer_style == "page-bar-broken":
                self.cell(0, 10, f"{number} | P a", align="R")
                self.set_xy(56, self.h - 24)
                self.cell(0, 10, "g e", align="R")
                return
            if self.footer_style == "page-bar-shared":
                self.cell(0, 10, "Guidance for Addressing Gender in Evaluations")
                self.set_xy(56, self.h - 34)
            self.cell(0, 10, f"{number} | P a g e", align="R")
            return
        text = {
            "bare": f"{number}",
            "of": f"Page {number} of {{nb}}",
            "dash": f"- {number} -",
            # front matter numbered in roman numerals after the report's name, as national reviews do
            "titled-roman": f"Voluntary National Review 2021 | {_ROMAN[number]}",
        }[self.footer_style]
        self.cell(0, 10, text, align="C")


def draw_report(
    path: Path,
    pages: Sequence[Sequence[Element]],
    *,
    header: str = "Annual Report on Migration Governance 2023",
    footer: str = "of",
    body_size: float = 10.5,
    width: float | None = None,
) -> Path:
    """Draw `pages` into a PDF at `path` and return the path."""
    pdf = ReportPDF(header, footer)
    pdf.alias_nb_pages()
    for elements in pages:
        pdf.add_page()
        pdf.set_xy(56, 70)
        footnotes: list[tuple[str, str]] = []
        text_width = width or (pdf.w - 112)
        for element in elements:
            kind = element[0]
            if kind == "heading":
                pdf.set_font("Helvetica", style="B", size=14)
                pdf.set_x(56)
                pdf.multi_cell(text_width, 18, element[1])
                pdf.ln(6)
            elif kind == "para" and len(element) == 3:
                # a paragraph citing a footnote: the marker drawn raised and smaller after it
                pdf.set_font("Helvetica", size=body_size)
                pdf.set_x(56)
                pdf.set_right_margin(pdf.w - 56 - text_width)
                pdf.write(body_size * 1.35, element[1])
                pdf.char_vpos = "SUP"
                pdf.write(body_size * 1.35, element[2])
                pdf.char_vpos = "LINE"
                pdf.ln(body_size * 1.35 + body_size)
            elif kind == "para":
                pdf.set_font("Helvetica", size=body_size)
                pdf.set_x(56)
                pdf.multi_cell(text_width, body_size * 1.35, element[1])
                pdf.ln(body_size)
            elif kind == "columns":
                texts, n = element[1], element[2]
                gutter = 24
                column_width = (pdf.w - 112 - gutter * (n - 1)) / n
                top = pdf.get_y()
                per_column = _split(texts, n)
                bottom = top
                for column, column_texts in enumerate(per_column):
                    pdf.set_xy(56 + column * (column_width + gutter), top)
                    for text in column_texts:
                        pdf.set_font("Helvetica", size=body_size)
                        pdf.set_x(56 + column * (column_width + gutter))
                        pdf.multi_cell(column_width, body_size * 1.35, text)
                        pdf.ln(body_size)
                    bottom = max(bottom, pdf.get_y())
                pdf.set_xy(56, bottom)
            elif kind == "table":
                pdf.set_font("Helvetica", size=9)
                with pdf.table(width=int(pdf.w - 112), line_height=14) as table:
                    for row in element[1]:
                        cells = table.row()
                        for cell in row:
                            cells.cell(cell)
                pdf.ln(body_size)
            elif kind == "contents":
                # table-of-contents lines: a title, dot leaders, its page number
                pdf.set_font("Helvetica", size=body_size)
                for title, page in element[1]:
                    *wrapped, title = title.split("\n")  # an entry too long for one line
                    for line in wrapped:
                        pdf.set_x(56)
                        pdf.cell(text_width, body_size * 1.25, line)
                        pdf.ln(body_size * 1.25)
                    pdf.set_x(56)
                    leaders = "." * int((text_width - pdf.get_string_width(f"{title}  {page}")) / pdf.get_string_width("."))
                    pdf.cell(text_width, body_size * 1.6, f"{title} {leaders} {page}")
                    pdf.ln(body_size * 1.6)
                pdf.ln(body_size)
            elif kind == "small":
                # small print low on the page (a form, a table set small), above any footnotes
                pdf.set_font("Helvetica", size=7.5)
                pdf.set_xy(56, pdf.h * 0.7)
                pdf.multi_cell(text_width, 9, element[1])
            elif kind == "footnote":
                footnotes.append((element[1], element[2]))
        if footnotes:
            y = pdf.h - 50 - 11 * len(footnotes)
            pdf.line(56, y - 4, 200, y - 4)
            pdf.set_font("Helvetica", size=7.5)
            for marker, text in footnotes:
                pdf.set_xy(56, y)
                pdf.cell(0, 9, f"{marker} {text}")
                y += 11
    pdf.output(str(path))
    return path


def _split(texts: Sequence[str], n: int) -> list[list[str]]:
    """Paragraphs in reading order, filled column by column (first half left, rest right)."""
    size = -(-len(texts) // n)
    return [list(texts[i * size : (i + 1) * size]) for i in range(n)]


def turn_pages(path: Path, degrees: dict[int, int]) -> Path:
    """Set the /Rotate of some pages (0-based index → degrees), as scanners and landscape
    tables do: the reader turns the page to read it."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        for index, angle in degrees.items():
            pdf[index].set_rotation(angle)
        turned = path.with_name(path.stem + "-turned.pdf")
        pdf.save(str(turned))
    finally:
        pdf.close()
    return turned


def draw_turned_text(path: Path, paragraphs: Sequence[str], *, angle: int = 90) -> Path:
    """A portrait page whose text is drawn turned by `angle` degrees (anticlockwise), as a
    landscape section is set on a portrait page; then a normal page."""
    pdf = FPDF(format="A4", unit="pt")
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=UTC))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10.5)
    # lay the text out on a landscape frame, then turn the frame about the page centre
    frame_w, frame_h = pdf.h, pdf.w
    cx, cy = pdf.w / 2, pdf.h / 2
    with pdf.rotation(angle, x=cx, y=cy):
        left = cx - frame_w / 2 + 60
        pdf.set_xy(left, cy - frame_h / 2 + 60)
        for text in paragraphs:
            pdf.set_x(left)
            pdf.multi_cell(frame_w - 120, 14, text)
            pdf.ln(10)
    pdf.add_page()
    pdf.set_xy(56, 70)
    pdf.multi_cell(pdf.w - 112, 14, paragraphs[0])
    pdf.output(str(path))
    return path


def draw_hyphenated(path: Path, paragraphs: Sequence[str], *, width: float = 150, size: float = 10) -> Path:
    """Paragraphs set in a narrow column with words broken across lines by a hyphen, as
    justified report columns are: a word that does not fit is split where both halves keep
    three letters or more, and a compound ("whole-of-government") breaks at its own hyphen."""
    pdf = FPDF(format="A4", unit="pt")
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=UTC))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", size=size)
    y = 70.0
    for text in paragraphs:
        for line in _hyphenated_lines(pdf, text, width):
            pdf.text(56, y, line)
            y += size * 1.3
        y += size * 1.2
    pdf.output(str(path))
    return path


def _hyphenated_lines(pdf: FPDF, text: str, width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if pdf.get_string_width(candidate) <= width:
            line = candidate
            continue
        head = ""
        for cut in range(len(word) - 3, 2, -1):
            piece = word[:cut] if word[cut - 1] == "-" else word[:cut] + "-"
            if word[cut - 1] != "-" and not (word[:cut].isalpha() and word[cut:].isalpha()):
                continue
            if pdf.get_string_width(f"{line} {piece}".strip()) <= width:
                head = piece
                word = word[cut:]
                break
        lines.append(f"{line} {head}".strip())
        line = word
    lines.append(line)
    return lines


def scan_of(path: Path, out: Path, *, scale: float = 3.0) -> Path:
    """An image-only copy of a PDF, as a scanner makes: every page rendered to a picture and
    placed on a page of the same size, with no text layer."""
    import pypdfium2

    source = pypdfium2.PdfDocument(str(path))
    pdf = FPDF(unit="pt")
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=UTC))
    try:
        for index in range(len(source)):
            page = source[index]
            width, height = page.get_size()
            image = page.render(scale=scale, grayscale=True).to_pil()
            pdf.add_page(format=(width, height))
            pdf.image(image, x=0, y=0, w=width, h=height)
    finally:
        source.close()
    pdf.output(str(out))
    return out
