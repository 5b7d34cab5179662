"""The HTML run report: self-contained, counts right, links right, escaped, and it renders."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from pipeline.report import anchor_id, write_report

DOC_A = "harbour_review.pdf"
DOC_B = "valley_study.pdf"


def _passage(
    doc: str,
    page: int,
    pid: str,
    text: str,
    migof: str = "",
    targets: str = "",
    goals: str = "",
    n_figures: int = 0,
) -> dict:
    return {
        "doc": doc,
        "page": page,
        "passage_id": pid,
        "section": "Results > Outreach",
        "text": text,
        "footnotes": None,
        "migof": migof,
        "migof_scores": "",
        "sdg_targets": targets,
        "sdg_target_scores": "",
        "sdg_goals": goals,
        "sdg_goal_scores": None,
        "sources": "",
        "evidence": "",
        "n_figures": n_figures,
        "review_migof": "",
        "review_sdg_targets": "",
        "review_status": "",
        "review_note": "",
    }


def _figure(
    doc: str,
    page: int,
    pid: str,
    text: str,
    value: float,
    kind: str = "count",
    year: int | None = None,
) -> dict:
    return {
        "doc": doc,
        "page": page,
        "passage_id": pid,
        "text": text,
        "value": value,
        "kind": kind,
        "unit": "",
        "counted": "households",
        "qualifier": None,
        "year": year,
        "change": "",
        "sentence": f"The team counted {text}.",
        "migof": "",
        "sdg_targets": "",
    }


@pytest.fixture()
def rows(tmp_path: Path) -> dict:
    pdf_a = tmp_path / "in" / DOC_A
    passages = [
        _passage(
            DOC_A,
            1,
            "aa11:1:1",
            "Ferry crews logged new arrivals at the pier each dawn.",
            "O3; P1",
            "SDG 10.7; SDG 8.8",
            "SDG 10; SDG 8",
            2,
        ),
        _passage(
            DOC_A,
            2,
            "aa11:2:1",
            "A mobile clinic visited the quay twice a month.",
            "O3",
            "SDG 10.7",
            "SDG 10",
            1,
        ),
        _passage(
            DOC_A,
            3,
            "aa11:3:1",
            "<script>alert(1)</script> was found in a scanned form.",
            "P2",
            "SDG 17.18",
            "SDG 17",
        ),
        _passage(
            DOC_B,
            1,
            "bb22:1:1",
            "Orchard cooperatives hired seasonal pickers from two districts.",
            "O1; O3",
            "SDG 10.7; SDG 8.8",
            "SDG 10; SDG 8",
            1,
        ),
        _passage(
            DOC_B,
            4,
            "bb22:4:1",
            "Village councils shared a flood warning rota with newcomers.",
            "O2",
            "SDG 13.1",
            "SDG 13",
        ),
        _passage(DOC_B, 5, "bb22:5:1", "The closing page thanks the interviewers."),
    ]
    figures = [
        _figure(DOC_A, 1, "aa11:1:1", "about 340 households", 340.0, year=2021),
        _figure(DOC_A, 1, "aa11:1:1", "12 per cent", 12.0, kind="percent"),
        _figure(DOC_A, 2, "aa11:2:1", "twice a month", 2.0),
        _figure(DOC_B, 1, "bb22:1:1", "1,250 pickers", 1250.0, year=2019),
    ]
    errors = [
        {
            "doc": DOC_B,
            "path": "in/valley_study.pdf",
            "stage": "extract",
            "error": "PdfReadError",
            "message": "page 6 could not be decoded",
            "page": 6,
        }
    ]
    documents = [
        {
            "path": str(pdf_a),
            "sha256": "ab" * 32,
            "status": "ok",
            "pages": 3,
            "passages": 3,
            "figures": 3,
            "errors": 0,
        },
        {
            "path": str(tmp_path / "in" / DOC_B),
            "sha256": "cd" * 32,
            "status": "partial",
            "pages": 6,
            "passages": 3,
            "figures": 1,
            "errors": 1,
        },
    ]
    return {
        "passages": passages,
        "figures": figures,
        "errors": errors,
        "documents": documents,
        "pdf_a": pdf_a,
    }


def _write(tmp_path: Path, rows: dict) -> str:
    path = write_report(
        tmp_path / "out",
        rows["passages"],
        rows["figures"],
        rows["errors"],
        rows["documents"],
        title="Test run",
    )
    assert path == tmp_path / "out" / "report.html"
    assert path.is_file()
    return path.read_text(encoding="utf-8")


def _heat_cell(page: str, doc: str, label: str) -> str:
    match = re.search(
        rf'<td class="heat" data-doc="{re.escape(doc)}" data-label="{re.escape(label)}"[^>]*>([^<]*)</td>',
        page,
    )
    assert match, (doc, label)
    return match.group(1)


def test_report_is_self_contained(tmp_path: Path, rows: dict) -> None:
    page = _write(tmp_path, rows)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE)
    assert "<script src" not in page.lower()
    assert "<link" not in page.lower()
    assert "@import" not in page and "url(" not in page


def test_header_and_heat_maps_count_passages(tmp_path: Path, rows: dict) -> None:
    page = _write(tmp_path, rows)
    assert '<b data-count="passages">6</b>' in page
    assert '<b data-count="partial">1</b>' in page
    assert '<b data-count="pages">9</b>' in page
    assert _heat_cell(page, DOC_A, "O3") == "2"
    assert _heat_cell(page, DOC_B, "O3") == "1"
    assert _heat_cell(page, DOC_A, "P3") == ""
    assert _heat_cell(page, DOC_A, "10") == "2"
    assert _heat_cell(page, DOC_B, "13") == "1"
    # the column heading names the category
    assert "Safe, orderly and dignified migration" in page


def test_top_target_with_count_and_name(tmp_path: Path, rows: dict) -> None:
    page = _write(tmp_path, rows)
    first = re.search(r'<tr data-target="([^"]+)">(.*?)</tr>', page, re.DOTALL)
    assert first and first.group(1) == "10.7"
    assert '<td class="n">3</td>' in first.group(2)
    assert "Facilitate orderly, safe, regular and responsible migration" in first.group(2)


def test_every_figure_links_to_a_passage(tmp_path: Path, rows: dict) -> None:
    page = _write(tmp_path, rows)
    table = page[page.index('id="figure-table"') :]
    table = table[: table.index("</table>")]
    links = re.findall(r'href="#([^"]+)"', table)
    assert len(links) == len(rows["figures"])
    ids = set(re.findall(r'<article class="passage" id="([^"]+)"', page))
    assert set(links) <= ids
    assert anchor_id("aa11:1:1") in ids
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", anchor) for anchor in ids)
    assert anchor_id("a:b") != anchor_id("a_b") != anchor_id("a-b")


def test_text_is_escaped(tmp_path: Path, rows: dict) -> None:
    page = _write(tmp_path, rows)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_passages_link_to_their_pdf_page(tmp_path: Path, rows: dict) -> None:
    page = _write(tmp_path, rows)
    uri = rows["pdf_a"].resolve().as_uri()
    assert uri.startswith("file://")
    assert f'href="{uri}#page=2"' in page
    assert "PdfReadError" in page and "page 6 could not be decoded" in page


def test_empty_inputs(tmp_path: Path) -> None:
    path = write_report(tmp_path, [], [], [], [])
    page = path.read_text(encoding="utf-8")
    for what in ("No figures found.", "No passages.", "No errors.", "No SDG targets tagged."):
        assert what in page
    assert '<b data-count="documents">0</b>' in page


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("chromium is not installed")


def _screenshot(browser: str, page: Path, shot: Path) -> tuple[int, int]:
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,1600",
            f"--screenshot={shot}",
            page.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_screenshot_is_not_blank(tmp_path: Path, rows: dict) -> None:
    browser = _chromium()
    _write(tmp_path, rows)
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    size = _screenshot(browser, tmp_path / "out" / "report.html", tmp_path / "shot.png")
    _screenshot(browser, blank, tmp_path / "blank.png")
    assert size == (1280, 1600)
    report_bytes = (tmp_path / "shot.png").stat().st_size
    assert report_bytes > 10_000
    assert report_bytes > 5 * (tmp_path / "blank.png").stat().st_size
