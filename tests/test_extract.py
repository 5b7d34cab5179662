"""Extraction and segmentation on PDFs drawn from known text."""

from __future__ import annotations

import copy
import difflib
import re

import pytest
from pdfs import draw_report

from pipeline.extract import assemble, extract, join_lines, read_pages
from pipeline.segment import segment

HEADER = "Annual Report on Migration Governance 2023"
P = [
    "In 2016 the Organization helped nearly 98,000 migrants return home voluntarily, working with "
    "consular services in 110 countries of origin and transit to arrange documents and onward travel.",
    "A whole-of-government approach brought the ministries of labour, interior and health into one "
    "steering committee, which met every quarter to review progress against the national action plan.",
    "Reintegration assistance combined small business grants with psychosocial counselling, and "
    "follow-up surveys found that most returnees were still living in their communities a year later.",
    "Border officials in four provinces completed a course on identifying victims of trafficking, and "
    "referral agreements now link each crossing point to a shelter run by a partner organization.",
    "Remittance flows to the region reached USD 2.5 million through the pilot corridor, and the average "
    "cost of sending 200 dollars fell from 9 to 6 per cent over the two years of the project.",
    "The displacement tracking teams recorded 41,000 internally displaced persons in 23 sites after the "
    "floods, and camp management committees were set up in each site within the first month.",
]


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def assert_recovered(passages, expected):
    texts = [fold(p.text) for p in passages]
    position = 0
    for paragraph in expected:
        ratios = [difflib.SequenceMatcher(None, fold(paragraph), t).ratio() for t in texts[position:]]
        assert ratios, f"not found: {paragraph[:40]}"
        best = max(range(len(ratios)), key=ratios.__getitem__)
        assert ratios[best] >= 0.98, (paragraph, texts[position + best])
        position += best + 1


@pytest.mark.parametrize("footer", ["of", "bare", "dash"])
def test_single_column_with_running_header_footer_and_page_numbers(tmp_path, footer):
    pages = [
        [("heading", "OBJECTIVE 3: SAFE, ORDERLY AND DIGNIFIED MIGRATION"), ("para", P[0]), ("para", P[1])],
        [("heading", "3.1 Results"), ("para", P[2]), ("para", P[3])],
        [("para", P[4]), ("para", P[5])],
    ]
    document = extract(draw_report(tmp_path / "single.pdf", pages, footer=footer))
    assert document.problems == ()
    passages = list(segment(document))
    assert_recovered(passages, P)
    for passage in passages:
        assert HEADER not in passage.text
        assert not re.search(r"Page \d|^\d+$|- \d+ -", passage.text)
    assert len(passages) == len(P)


def test_chart_labels_without_words_are_not_passages(tmp_path):
    pages = [[("para", P[0]), ("para", "45 39 40"), ("para", "0.0% 2004 2010 2016")], [("para", P[1])]]
    passages = list(segment(extract(draw_report(tmp_path / "chart.pdf", pages))))
    assert [fold(p.text) for p in passages] == [fold(P[0]), fold(P[1])]


def test_contents_lines_and_roman_numbered_footers_never_become_passages(tmp_path):
    contents = [
        ("Figure 1. Returns assisted by the programme, by country of origin and\nyear of return", "iii"),
        ("1. Migration governance", "2"),
        ("2. Partnerships with civil society and the\nprivate sector in the three provinces", "7"),
        ("Annex 2. Data sources", "11"),
    ]
    pages = [
        [("heading", "Contents"), ("contents", contents)],
        [("para", P[0]), ("para", P[1])],
        [("para", P[2]), ("para", P[3])],
        [("para", P[4]), ("para", P[5])],
    ]
    document = extract(draw_report(tmp_path / "review.pdf", pages, footer="titled-roman"))
    passages = list(segment(document))
    assert_recovered(passages, P)
    for passage in passages:
        assert "Voluntary National Review" not in passage.text
        assert "...." not in passage.text
        assert not re.search(r"Data sources|country of origin and|civil society and the", passage.text)
    assert len(passages) == len(P)


def test_headings_give_each_passage_its_section_path(tmp_path):
    pages = [
        [("heading", "PRINCIPLE 1: ADHERENCE TO INTERNATIONAL STANDARDS"), ("para", P[0])],
        [("heading", "1.1 Protection results"), ("para", P[1]), ("heading", "1.2 Lessons"), ("para", P[2])],
        [("heading", "OBJECTIVE 2: MOBILITY DIMENSIONS OF CRISES"), ("para", P[5])],
    ]
    passages = list(segment(extract(draw_report(tmp_path / "headings.pdf", pages))))
    sections = [p.section for p in passages]
    assert sections == [
        "PRINCIPLE 1: ADHERENCE TO INTERNATIONAL STANDARDS",
        "PRINCIPLE 1: ADHERENCE TO INTERNATIONAL STANDARDS > 1.1 Protection results",
        "PRINCIPLE 1: ADHERENCE TO INTERNATIONAL STANDARDS > 1.2 Lessons",
        "OBJECTIVE 2: MOBILITY DIMENSIONS OF CRISES",
    ]


def test_footnotes_are_kept_apart_and_attached(tmp_path):
    pages = [
        [("para", P[0], "1"), ("para", P[1]), ("footnote", "1", "Assisted voluntary returns only, excluding deportations.")],
        [("para", P[2])],
    ]
    passages = list(segment(extract(draw_report(tmp_path / "notes.pdf", pages))))
    assert_recovered(passages, [P[0], P[1], P[2]])
    first = passages[0]
    assert first.text.endswith("onward travel.")
    assert first.footnotes == ("1. Assisted voluntary returns only, excluding deportations.",)
    assert all("excluding deportations" not in p.text for p in passages)


@pytest.mark.parametrize("footer", ["page-bar", "page-bar-broken"])
def test_a_page_number_footer_is_dropped_where_it_does_not_run(tmp_path, footer):
    # on one page (or on a few annex pages) the footer is no running line: its form tells,
    # even when a narrow text box broke it over two lines ("7 | P a" over "g e")
    pages = [[("para", P[0]), ("para", P[1])]]
    passages = list(segment(extract(draw_report(tmp_path / "one.pdf", pages, header="", footer=footer))))
    assert [fold(p.text) for p in passages] == [fold(P[0]), fold(P[1])]


def test_a_page_footer_sharing_its_line_loses_only_its_number(tmp_path):
    pages = [[("para", P[0]), ("para", P[1])], [("para", P[2])], [("para", P[3])]]
    passages = list(segment(extract(draw_report(tmp_path / "shared.pdf", pages, footer="page-bar-shared"))))
    texts = [fold(p.text) for p in passages]
    assert not any("P a g e" in text for text in texts)
    assert texts.count("Guidance for Addressing Gender in Evaluations") == 3


def test_small_print_above_a_footnote_stays_in_the_text(tmp_path):
    # a form or table set small low on the page used to be read as part of the footnotes and
    # dropped, because it came before the first numbered note
    form = "Strongly agree Agree Somewhat agree Disagree. How useful was the training you received?"
    pages = [
        [("para", P[0], "1"), ("small", form), ("footnote", "1", "Assisted voluntary returns only.")],
        [("para", P[1])],
    ]
    document = extract(draw_report(tmp_path / "form.pdf", pages))
    passages = list(segment(document))
    assert any("How useful was the training" in p.text for p in passages)
    assert document.pages[0].footnotes == {"1": "Assisted voluntary returns only."}
    assert passages[0].footnotes == ("1. Assisted voluntary returns only.",)


def test_assembling_leaves_the_pages_as_read(tmp_path):
    # later steps change the rows of the reading order (footnote markers are taken out of
    # them), so reading order hands out new rows: the pages as read stay as they were
    pages = [
        [("para", P[0], "1"), ("columns", P[1:5], 2), ("footnote", "1", "Assisted voluntary returns only.")],
        [("para", P[5], "2"), ("footnote", "2", "Figures for 2019 are provisional.")],
    ]
    path = draw_report(tmp_path / "twice.pdf", pages)
    batch = read_pages(path)
    as_read = copy.deepcopy(batch)
    document = assemble(path, "0" * 64, [batch])
    assert [m for page in document.pages for block in page.blocks for m in block.footnote_markers] == ["1", "2"]
    assert batch == as_read
    assert assemble(path, "0" * 64, [batch]) == document


@pytest.mark.parametrize("n_columns", [2, 3])
def test_columns_are_read_one_after_the_other(tmp_path, n_columns):
    texts = P[: 2 * n_columns] if n_columns == 2 else P[:6]
    pages = [
        [("heading", "2. Results by region"), ("columns", texts, n_columns)],
        [("para", P[0])],
    ]
    passages = list(segment(extract(draw_report(tmp_path / "columns.pdf", pages))))
    assert_recovered(passages, [*texts, P[0]])


def test_broken_words_are_mended_and_real_hyphens_kept(tmp_path):
    text = (
        "Skills recog-\nnition for returnees was supported by a whole-of-\ngovernment task force and by "
        "pre-departure orientation sessions held in 2016-2017 across the region."
    )
    passages = list(segment(extract(draw_report(tmp_path / "hyphen.pdf", [[("para", text)], [("para", P[1])]]))))
    assert "recognition" in passages[0].text
    assert "whole-of-government" in passages[0].text
    assert "pre-departure" in passages[0].text and "2016-2017" in passages[0].text


def test_join_lines_rules():
    assert join_lines("the recog-", "nition of", set()) == "the recognition of"
    assert join_lines("a whole-of-", "government", set()) == "a whole-of-government"
    assert join_lines("a cross-", "border route", set(), frozenset({"cross"})) == "a cross-border route"
    assert join_lines("update capacity-", "building material", set()) == "update capacity-building material"
    assert join_lines("the pre-", "departure sessions", set()) == "the pre-departure sessions"
    assert join_lines("inter-", "national law", set()) == "international law"
    assert join_lines("ends here", "next line", set()) == "ends here next line"


def test_tables_are_kept_out_of_prose(tmp_path):
    rows = [["Country", "2019", "2020"], ["Niger", "1,200", "1,450"], ["Mali", "800", "950"]]
    pages = [[("para", P[0]), ("table", rows), ("para", P[1])], [("para", P[2])]]
    document = extract(draw_report(tmp_path / "table.pdf", pages))
    passages = list(segment(document))
    assert_recovered(passages, P[:3])
    assert all("Niger" not in p.text for p in passages)
    [table] = document.pages[0].tables
    assert table.rows == tuple(tuple(r) for r in rows)


def test_bad_files_become_problems_not_crashes(tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n%%EOF")
    for path, error in ((empty, "EmptyFile"), (garbage, "Unreadable")):
        document = extract(path)
        assert document.pages == ()
        assert [problem.error for problem in document.problems] == [error]


SAMPLES = sorted((__import__("pathlib").Path(__file__).parents[1] / "corpus" / "samples").glob("*.pdf"))
RUNNING = {
    "iom_annual_report_sample.pdf": "IOM Annual Report 2016",
    "iom_evaluation_report_sample.pdf": "Final Evaluation",
    "national_sdg_review_sample.pdf": "Voluntary National Review 2019",
}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_bundled_samples_read_cleanly(path):
    document = extract(path)
    assert document.problems == ()
    passages = list(segment(document))
    assert len(passages) >= 8
    assert all(RUNNING[path.name] not in p.text for p in passages)
    assert all(not re.search(r"Page \d+ of \d+|^- \d+ -$", p.text) for p in passages)
    assert any(p.footnotes for p in passages)
    assert all(p.section for p in passages)
