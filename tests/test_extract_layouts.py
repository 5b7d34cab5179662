"""Harder layouts drawn from known text: turned pages, narrow hyphenated columns, ligatures,
lists, a full-width heading over three columns, and a report in another language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pdfs import draw_hyphenated, draw_report, draw_turned_text, turn_pages
from test_extract import HEADER, P, assert_recovered, fold

from pipeline.extract import extract
from pipeline.segment import segment

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_text_drawn_turned_on_the_page_is_read_upright(tmp_path, angle):
    document = extract(draw_turned_text(tmp_path / "turned.pdf", P[:3], angle=angle))
    passages = list(segment(document))
    assert_recovered(passages, [*P[:3], P[0]])
    assert [p.page for p in passages] == [1, 1, 1, 2]


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_a_page_with_rotate_set_is_read_upright_and_loses_its_running_lines(tmp_path, angle):
    pages = [[("heading", "1. Results"), ("para", P[0]), ("para", P[1])], [("para", P[2]), ("para", P[3])], [("para", P[4])]]
    document = extract(turn_pages(draw_report(tmp_path / "report.pdf", pages), {1: angle}))
    assert document.problems == ()
    passages = list(segment(document))
    assert_recovered(passages, P[:5])
    assert all(HEADER not in p.text and not re.search(r"Page \d", p.text) for p in passages)


def test_words_broken_in_a_narrow_column_are_mended_and_compounds_keep_their_hyphen(tmp_path):
    texts = [
        *P,
        "Skills recognition, pre-departure orientation and whole-of-government coordination were "
        "strengthened in 2016-2017, and international cooperation on labour mobility improved considerably.",
    ]
    path = draw_hyphenated(tmp_path / "narrow.pdf", texts)
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        drawn = pdf.pages[0].extract_text()
    assert len(re.findall(r"[a-z]-\n[a-z]", drawn)) >= 5  # the fixture really breaks words
    passages = list(segment(extract(path)))
    assert_recovered(passages, texts)
    assert len(passages) == len(texts)


@pytest.mark.skipif(not DEJAVU.exists(), reason="DejaVu Sans is needed to draw ligature glyphs")
def test_ligature_glyphs_are_expanded(tmp_path):
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.add_font("DejaVu", "", str(DEJAVU))
    pdf.add_page()
    pdf.set_font("DejaVu", size=11)
    drawn = (
        "The e\ufb03ciency of the o\ufb03ce improved: \ufb01fty staff \ufb02ew to the \ufb01eld, "
        "sta\ufb00 turnover fell and the work\ufb02ow for tra\ufb03cking referrals was simpli\ufb01ed."
    )
    pdf.set_xy(56, 70)
    pdf.multi_cell(480, 15, drawn)
    pdf.output(str(tmp_path / "ligatures.pdf"))
    [passage] = list(segment(extract(tmp_path / "ligatures.pdf")))
    assert passage.text == (
        "The efficiency of the office improved: fifty staff flew to the field, "
        "staff turnover fell and the workflow for trafficking referrals was simplified."
    )


def test_bullets_and_numbered_items_become_their_own_passages(tmp_path):
    items = [
        "\u00b7 Consular officials in six embassies trained to identify victims of trafficking among stranded migrants.",
        "(b) A referral agreement signed between the labour ministry and three shelters for migrant workers.",
        "3) Pre-departure orientation given to 4,200 domestic workers before they left for the Gulf.",
    ]
    pages = [[("para", P[0]), *[("para", item) for item in items], ("para", P[1])], [("para", P[2])]]
    passages = list(segment(extract(draw_report(tmp_path / "list.pdf", pages))))
    assert_recovered(passages, [P[0], *[item.split(" ", 1)[1] for item in items], P[1], P[2]])
    assert len(passages) == 6


def test_full_width_heading_and_paragraph_over_three_columns(tmp_path):
    pages = [
        [("heading", "OBJECTIVE 2: MOBILITY DIMENSIONS OF CRISES"), ("para", P[5]), ("columns", P[:6], 3)],
        [("para", P[0])],
    ]
    passages = list(segment(extract(draw_report(tmp_path / "mixed.pdf", pages))))
    assert_recovered(passages, [P[5], *P[:6], P[0]])
    assert all(p.section == "OBJECTIVE 2: MOBILITY DIMENSIONS OF CRISES" for p in passages[:7])


FRENCH = [
    "Le dialogue binational a permis de renforcer la coordination entre les autorités migratoires des "
    "deux pays et de mieux protéger les personnes qui traversent la frontière chaque jour.",
    "Les femmes et les enfants non accompagnés ont reçu une assistance juridique et un hébergement "
    "temporaire dans les centres d'accueil gérés par des organisations partenaires locales.",
    "Les recommandations de l'évaluation portent sur le financement durable des mécanismes de "
    "référence et sur le partage régulier des données entre les ministères concernés.",
]


def test_a_report_in_another_language_is_detected_and_kept(tmp_path):
    pages = [[("para", FRENCH[0]), ("para", FRENCH[1])], [("para", FRENCH[2])]]
    document = extract(draw_report(tmp_path / "fr.pdf", pages, header="Rapport d'évaluation 2025"))
    assert document.lang == "fr"
    [problem] = document.problems
    assert problem.error == "NotEnglish" and "'fr'" in problem.message
    assert_recovered(list(segment(document)), FRENCH)


def test_fold_is_whitespace_only():
    assert fold(" a \n b ") == "a b"


def test_a_scanned_page_is_reported_when_ocr_is_missing(tmp_path, monkeypatch):
    from pdfs import scan_of

    import pipeline.extract as extract_module

    monkeypatch.setattr(extract_module, "ocr_available", lambda: False)
    drawn = draw_report(tmp_path / "report.pdf", [[("para", P[0])], [("para", P[1])]])
    document = extract(scan_of(drawn, tmp_path / "scan.pdf"))
    assert [(p.error, p.page) for p in document.problems] == [("NoTextLayer", 1), ("NoTextLayer", 2)]
    assert "needs OCR" in document.problems[0].message
    assert list(segment(document)) == []


def test_a_scanned_page_is_read_by_ocr_when_tesseract_is_installed(tmp_path):
    from pdfs import scan_of

    from pipeline.extract import ocr_available

    if not ocr_available():
        pytest.skip("the 'ocr' extra or the Tesseract program is not installed")
    pages = [[("heading", "1. Results"), ("para", P[0]), ("para", P[1])], [("para", P[2])], [("para", P[3])]]
    document = extract(scan_of(draw_report(tmp_path / "report.pdf", pages), tmp_path / "scan.pdf"))
    assert {p.error for p in document.problems} == {"OCR"}
    passages = list(segment(document))
    # OCR is not exact: ask for near-identical text, in order, with the running lines gone
    import difflib

    texts = [fold(p.text) for p in passages]
    for paragraph in P[:4]:
        assert max(difflib.SequenceMatcher(None, fold(paragraph), t).ratio() for t in texts) >= 0.95
    assert all(HEADER not in t and not re.search(r"Page \d", t) for t in texts)


def test_words_whose_glyph_boxes_overlap_keep_their_spaces_and_font_changes_still_join(tmp_path):
    # Negative character spacing makes every glyph box overlap the next, as in PDFs whose
    # fonts declare widths wider than the glyphs' advance: only the space characters
    # separate the words. A hyphen in another font still joins the words it touches.
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.set_char_spacing(-2)
    pdf.set_xy(56, 70)
    tight = "Returnees received reintegration assistance in 2022 and most of them said it met their needs."
    pdf.multi_cell(480, 16, tight)
    pdf.set_char_spacing(0)
    pdf.set_xy(56, 120)
    pdf.write(16, "The Inter")
    pdf.set_font("Helvetica", "B", size=12)
    pdf.write(16, "-")
    pdf.set_font("Helvetica", size=12)
    pdf.write(16, "Agency Standing Committee met twice during the year in question.")
    pdf.output(str(tmp_path / "tight.pdf"))
    import pdfplumber

    with pdfplumber.open(tmp_path / "tight.pdf") as drawn:
        chars = drawn.pages[0].chars
    assert chars[1]["x0"] < chars[0]["x1"]  # the fixture really overlaps its glyphs
    assert [p.text for p in segment(extract(tmp_path / "tight.pdf"))] == [
        tight,
        "The Inter-Agency Standing Committee met twice during the year in question.",
    ]
