"""Extraction over the real broken and awkward PDFs in ../shared/data/bad-pdfs (skipped when the
folder is absent): every file gives its documented outcome and none raises."""

from __future__ import annotations

import re

import pytest

from pipeline.extract import extract, ocr_available
from pipeline.segment import segment

# file name → the error a row of errors.csv must carry for it (None: read cleanly)
EXPECTED_ERRORS = {
    "zero-bytes_empty.pdf": {"EmptyFile"},
    "not-a-pdf_no-trailer_invalid.pdf": {"Unreadable"},
    "encrypted_user-password-test.pdf": {"Encrypted"},
    "invalid-xref-entries_bad-filter_PDFBOX-4352-0.pdf": {"Encrypted", "Unreadable"},
    "corrupt-xref_overflow_no-trailer_REDHAT-1531897-0.pdf": {"NoPages", "Unreadable"},
    "fuzzed-xref_zero-pages-in-pdfplumber_GHOSTSCRIPT-698804-1.pdf": {"NoPages", "Unreadable"},
    "page-tree-oddity_zero-pages-in-pdfplumber_issue-297.pdf": {"NoPages", "Unreadable"},
    "cid-font_no-ToUnicode_PDFJS-7562.pdf": {"NoUnicodeMap"},
    "type3-font_no-ToUnicode.pdf": {"NoUnicodeMap"},
    "no-text-layer_image-only_loremipsum-flat.pdf": {"OCR"} if ocr_available() else {"NoTextLayer"},
    "bad-colorspace_pdfminer-raises_real-report-page.pdf": {"PdfminerException"},
    "ligatures_ff-fi-fl-ffi-ffl-st.pdf": {"LittleText"},
    "xref-keyword-missing.pdf": {"LittleText"},
    "encrypted_AES256-R6_user-pw-asdfzxcv_empty-owner-pw.pdf": {"LittleText", "Encrypted"},
}


@pytest.fixture(scope="module")
def bad_pdfs(shared):
    folder = shared / "data" / "bad-pdfs"
    if not folder.is_dir():
        pytest.skip("no bad-pdfs folder")
    return {path.name: path for path in folder.glob("*.pdf") if "619-pages" not in path.name}


def test_every_bad_pdf_gives_its_documented_outcome(bad_pdfs):
    for name, path in sorted(bad_pdfs.items()):
        document = extract(path)
        errors = {problem.error for problem in document.problems}
        expected = EXPECTED_ERRORS.get(name)
        if expected is None:
            assert not errors, (name, document.problems)
        else:
            assert errors & expected, (name, document.problems)
        for problem in document.problems:
            assert problem.message and problem.stage in {"open", "extract"}


def test_the_page_pdfminer_cannot_parse_is_read_by_pypdfium2(bad_pdfs):
    document = extract(bad_pdfs["bad-colorspace_pdfminer-raises_real-report-page.pdf"])
    text = " ".join(p.text for p in segment(document))
    assert "net-zero" in text.lower() and "2030" in text
    assert "pypdfium2" in document.problems[0].message


def test_a_page_turned_sideways_reads_upright(bad_pdfs):
    document = extract(bad_pdfs["rotated-page_table_nics-2015-11.pdf"])
    assert document.lang == "en"
    text = " ".join(block.text for block in document.pages[0].blocks)
    assert "NICS Firearm Background Checks" in text
    assert "These statistics represent the number of firearm background checks" in text


def test_fake_bold_doubled_characters_are_removed(bad_pdfs):
    document = extract(bad_pdfs["duplicate-chars_fake-bold.pdf"])
    texts = [block.text for block in document.pages[0].blocks]
    assert "BOLD TEXT SAMPLE" in texts
    assert not any("TTEEXXTT" in text for text in texts)


def test_ligatures_come_out_as_letters(bad_pdfs):
    document = extract(bad_pdfs["ligatures_ff-fi-fl-ffi-ffl-st.pdf"])
    text = document.pages[0].blocks[0].text
    assert "fffiflffiffl" in text and not re.search("[\ufb00-\ufb06]", text)
