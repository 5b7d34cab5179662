"""The review loop end to end: run, review in the table (CSV or XLSX), retrain, run again.

These tests train real models on part of the corpus (about 40 s each), in a models folder of
their own (`MIGTAG_MODELS_DIR`), so the checkout's default model is never touched.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from pdfs import draw_report
from typer.testing import CliRunner

from pipeline.classify import MODELS_DIR
from pipeline.cli import app
from pipeline.corpus import CorpusError, read_reviewed
from pipeline.io import PASSAGE_COLUMNS, csv_bytes

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()

# three passages in the register of a project report, none under a MiGOF or SDG heading
PARAGRAPHS = [
    "Community health workers trained by the project screened returning labour migrants for "
    "tuberculosis at the two border clinics, referred 310 suspected cases for diagnosis and "
    "followed each patient until the end of treatment, whatever their legal status.",
    "The municipal disaster risk office mapped the neighbourhoods where newly arrived families "
    "rent rooms on the flood plain, and added them to the early warning lists so that evacuation "
    "messages reach them in their own languages before the river rises.",
    "A savings group of domestic workers abroad pooled small monthly transfers, and the partner "
    "bank cut its fee for sending money home from nine to four per cent of the amount sent.",
]


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture()
def models_dir(tmp_path, monkeypatch) -> Path:
    """A models folder of the test's own, holding a copy of the shipped default."""
    folder = tmp_path / "models"
    folder.mkdir()
    default = (MODELS_DIR / "DEFAULT").read_text(encoding="utf-8").strip()
    shutil.copytree(MODELS_DIR / default, folder / default)
    (folder / "DEFAULT").write_text(default + "\n", encoding="utf-8")
    monkeypatch.setenv("MIGTAG_MODELS_DIR", str(folder))
    return folder


@pytest.fixture()
def first_run(tmp_path, models_dir):
    (tmp_path / "in").mkdir()
    pdf = draw_report(tmp_path / "in" / "project_report.pdf", [[("heading", "Results in 2023"), *[("para", p) for p in PARAGRAPHS]]])
    out = tmp_path / "run1"
    result = runner.invoke(app, ["run", str(pdf.parent), "--out", str(out), "--workers", "1", "--quiet", "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    return pdf, out


def _by_start(rows: list[dict], start: str) -> dict:
    (row,) = [r for r in rows if r["text"].startswith(start)]
    return row


def test_reviewed_labels_are_learned_and_rejected_tags_go(tmp_path, models_dir, first_run):
    pdf, out = first_run
    rows = read_csv(out / "passages.csv")
    health, flood, money = (_by_start(rows, p[:40]) for p in PARAGRAPHS)
    assert flood["migof"] or flood["sdg_goals"], "the rejected passage needs tags to reject"
    # the reviewer: the health passage is really O1 with targets 3.3 and 3.8, the flood passage
    # has nothing to do with any label, the remittance passage is right as tagged
    health.update(review_status="corrected", review_migof="O1", review_sdg_targets="SDG 3.3; SDG 3.8")
    flood.update(review_status="rejected")
    money.update(review_status="accepted")
    reviewed = tmp_path / "reviewed.csv"
    reviewed.write_bytes(csv_bytes(rows, PASSAGE_COLUMNS))

    model = models_dir / "after-review"
    # the first files of the corpus, not all of it: a fixed size, so the test's time does not
    # grow with the corpus
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted((REPO / "corpus" / "passages").glob("*.jsonl")):
        if path.name.startswith(("migof_objectives", "migof_principles", "sdg_goal")):
            shutil.copy(path, corpus / path.name)
    result = runner.invoke(app, ["train", "--corpus", str(corpus), "--reviewed", str(reviewed), "--out", str(model)])
    assert result.exit_code == 0, result.output
    assert "combined F1" in result.output and "default" in result.output

    out2 = tmp_path / "run2"
    result = runner.invoke(app, ["run", str(pdf.parent), "--out", str(out2), "--workers", "1", "--quiet", "--model", str(model)])
    assert result.exit_code == 0, result.output
    rows2 = read_csv(out2 / "passages.csv")
    health2, flood2, money2 = (_by_start(rows2, p[:40]) for p in PARAGRAPHS)
    assert health2["migof"].split("; ")[0] == "O1"
    assert {"SDG 3.3", "SDG 3.8"} <= set(health2["sdg_targets"].split("; "))
    assert not flood2["migof"] and not flood2["sdg_goals"] and not flood2["sdg_targets"]
    assert set(money2["migof"].split("; ")) == set(money["migof"].split("; "))
    assert (model / "reviewed.json").exists()


def test_a_label_outside_the_taxonomy_names_its_cell_and_trains_nothing(tmp_path, models_dir, first_run):
    _, out = first_run
    rows = read_csv(out / "passages.csv")
    rows[1].update(review_status="corrected", review_migof="O4", review_sdg_targets="SDG 10.7")
    rows[2].update(review_status="corrected", review_sdg_targets="SDG 10.99")
    reviewed = tmp_path / "bad.csv"
    reviewed.write_bytes(csv_bytes(rows, PASSAGE_COLUMNS))
    model = models_dir / "never"
    result = runner.invoke(app, ["train", "--reviewed", str(reviewed), "--out", str(model)])
    assert result.exit_code == 1
    assert "row 3, column review_migof: unknown MiGOF label 'O4'" in result.output
    assert "row 4, column review_sdg_targets: unknown SDG target 'SDG 10.99'" in result.output
    assert not model.exists()


def test_a_table_saved_back_by_a_spreadsheet_is_read_right(tmp_path):
    # what a spreadsheet writes back: BOM, CRLF, the ' before formula-like cells kept, labels
    # with and without their prefix, the status in capitals
    text = "=Migrants sent home USD 3 billion, a rise of 12 per cent, through formal channels."
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["doc", "passage_id", "text", "migof", "sdg_targets", "sdg_goals", "review_migof", "review_sdg_targets", "review_status"])
    writer.writerow(["a.pdf", "x:1:1", "'" + text, "O1", "'SDG 10.c", "SDG 10", "", "", "Accepted"])
    writer.writerow(["a.pdf", "x:1:2", "'-Another passage that a reviewer corrected by hand.", "", "", "", "'O3; P1", "10.7;SDG 16.10", "corrected"])
    writer.writerow(["a.pdf", "x:1:3", "Left for later.", "O2", "", "", "", "", ""])
    path = tmp_path / "saved.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    first, second = read_reviewed(path)
    assert first.text == text and first.migof == ("O1",) and first.sdg_targets == ("10.c",)
    assert second.text.startswith("-Another") and second.migof == ("O3", "P1")
    assert second.sdg_targets == ("10.7", "16.10") and set(second.sdg_goals) == {"10", "16"}


def test_the_workbook_has_review_aids_and_is_read_back(first_run, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    _, out = first_run
    book = openpyxl.load_workbook(out / "passages.xlsx")
    sheet = book["passages"]
    header = [cell.value for cell in sheet[1]]
    assert header == PASSAGE_COLUMNS
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    rules = {str(rule.sqref).split(":")[0][:-1]: rule for rule in sheet.data_validations.dataValidation}
    status_column = openpyxl.utils.get_column_letter(header.index("review_status") + 1)
    assert rules[status_column].formula1 == '"accepted,corrected,rejected"'
    assert "labels" in book.sheetnames and book["labels"]["A2"].value == "P1"
    assert sheet.cell(row=2, column=header.index("text") + 1).alignment.wrap_text
    # a reviewer fills the workbook in and saves it
    sheet.cell(row=2, column=header.index("review_status") + 1, value="corrected")
    sheet.cell(row=2, column=header.index("review_migof") + 1, value="O2")
    sheet.cell(row=2, column=header.index("review_sdg_targets") + 1, value="SDG 11.5")
    book.save(tmp_path / "reviewed.xlsx")
    (passage,) = read_reviewed(tmp_path / "reviewed.xlsx")
    assert passage.migof == ("O2",) and passage.sdg_targets == ("11.5",) and passage.sdg_goals == ("11",)
    assert (out / "figures.xlsx").exists()


def test_review_suggest_picks_unsure_passages_and_a_check(first_run):
    _, out = first_run
    result = runner.invoke(app, ["review", "suggest", str(out / "passages.csv"), "--n", "3"])
    assert result.exit_code == 0, result.output
    queue = read_csv(out / "review_queue.csv")
    assert len(queue) == 3
    assert all(row["review_reason"].startswith(("unsure:", "check:")) for row in queue)
    assert len({row["passage_id"] for row in queue}) == 3


def test_a_worse_model_is_not_made_the_default_unless_forced(tmp_path, models_dir):
    default = (models_dir / "DEFAULT").read_text()
    small = REPO / "corpus" / "passages" / "migof_principles.jsonl"  # one file: a weaker model
    decide_on = ["--compare-on", str(REPO / "corpus")]
    result = runner.invoke(app, ["train", "--corpus", str(small), "--out", str(models_dir / "small"), *decide_on])
    assert result.exit_code == 0, result.output
    assert "not made the default" in result.output
    assert (models_dir / "DEFAULT").read_text() == default
    result = runner.invoke(app, ["train", "--corpus", str(small), "--out", str(models_dir / "small"), "--force", *decide_on])
    assert result.exit_code == 0, result.output
    assert (models_dir / "DEFAULT").read_text().strip() == "small"
    listing = runner.invoke(app, ["models"])
    assert listing.exit_code == 0 and "small" in listing.output


def test_a_reviewed_file_that_is_not_a_passages_table_is_refused(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="not a passages table"):
        read_reviewed(path)
