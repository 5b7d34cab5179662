"""The command line, end to end: text and PDFs in, the contract's outputs out."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from pdfs import draw_report
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()
EXAMPLE = (
    "In 2016, IOM assisted nearly 98,000 migrants to return home, in line with SDG target 10.7."
)


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} has no byte-order mark"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_tag_prints_the_contract_fields():
    line = json.dumps({"id": "a", "text": EXAMPLE})
    result = runner.invoke(app, ["tag", "-"], input=line + "\n")
    assert result.exit_code == 0, result.output
    [obj] = [json.loads(x) for x in result.stdout.splitlines()]
    assert set(obj) == {"id", "text", "migof", "sdg_targets", "sdg_goals", "figures"}
    assert obj["id"] == "a"
    target = next(t for t in obj["sdg_targets"] if t["label"] == "10.7")
    assert "rule" in target["source"] and "SDG target 10.7" in target["evidence"]
    assert any(goal["label"] == "10" for goal in obj["sdg_goals"])
    [figure] = obj["figures"]
    assert figure["value"] == 98000 and figure["kind"] == "count"
    assert figure["counted"] == "migrants" and figure["qualifier"] == "approximately"
    assert EXAMPLE[figure["start"] : figure["end"]] == figure["text"]
    for field in ("migof", "sdg_targets", "sdg_goals"):
        scores = [tag["score"] for tag in obj[field]]
        assert scores == sorted(scores, reverse=True)


def test_tag_takes_plain_lines_in_order():
    result = runner.invoke(app, ["tag", "-"], input="First passage about remittance costs.\n\nSecond one.\n")
    assert result.exit_code == 0
    objs = [json.loads(x) for x in result.stdout.splitlines()]
    assert [o["text"] for o in objs] == ["First passage about remittance costs.", "Second one."]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    pages = [
        [
            ("heading", "OBJECTIVE 3: SAFE, ORDERLY AND DIGNIFIED MIGRATION"),
            ("para", EXAMPLE + " Returns were organized from 24 host countries."),
            ("para", "Remittance costs in the corridor fell by 2.1 percentage points in 2019, and a "
                     "grant of USD 2.5 million supported diaspora investment in rural areas."),
        ],
        [("para", "Camp coordination teams supported 41,000 internally displaced persons after the "
                  "cyclone, with shelter kits distributed in 23 sites.")],
    ]
    draw_report(folder / "report.pdf", pages)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 nothing more")
    (folder / "notes.txt").write_text("not a pdf, and not named like one")
    out = tmp_path_factory.mktemp("out")
    result = runner.invoke(app, ["run", str(folder), "--out", str(out), "--workers", "1"])
    return folder, out, result


def test_run_writes_the_tables(batch):
    _, out, result = batch
    assert result.exit_code == 0, result.output
    passages = read_csv(out / "passages.csv")
    assert len(passages) == 3
    first = passages[0]
    assert first["section"] == "OBJECTIVE 3: SAFE, ORDERLY AND DIGNIFIED MIGRATION"
    assert "SDG 10.7" in first["sdg_targets"].split("; ")
    for column in ("review_migof", "review_sdg_targets", "review_status", "review_note"):
        assert first[column] == ""
    figures = read_csv(out / "figures.csv")
    values = {(float(f["value"]), f["kind"]) for f in figures}
    assert {(98000.0, "count"), (2.1, "percentage_points"), (2500000.0, "money"), (41000.0, "count")} <= values
    assert all(f["passage_id"] in {p["passage_id"] for p in passages} for f in figures)


def test_run_lists_the_broken_file_and_goes_on(batch):
    _, out, _ = batch
    errors = read_csv(out / "errors.csv")
    assert [(e["doc"], e["stage"]) for e in errors] == [("broken.pdf", "open")]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["documents"] == 2
    assert all(len(item["sha256"]) == 64 for item in manifest["inputs"])


def test_a_rerun_skips_finished_documents_and_gives_the_same_tables(batch):
    folder, out, _ = batch
    before = (out / "passages.csv").read_bytes()
    result = runner.invoke(app, ["run", str(folder), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0
    assert "1 ok, 0 partial, 1 failed; 2 already done" in result.stdout
    assert (out / "passages.csv").read_bytes() == before


def test_exit_codes(tmp_path):
    assert runner.invoke(app, ["run", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]).exit_code == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    assert runner.invoke(app, ["run", str(empty), "--out", str(tmp_path / "o2")]).exit_code == 1
    assert runner.invoke(app, ["run", "--bogus"]).exit_code == 2
    assert runner.invoke(app, ["tag", "-", "--model", str(tmp_path)], input="x\n").exit_code == 1


def test_a_run_with_a_damaged_model_stops_before_any_document_is_finished(batch, tmp_path):
    # the model is loaded to check it while the workers start; a file that is not a model
    # stops the run with the reason, and no document is written with it
    folder, _, _ = batch
    model = tmp_path / "model"
    model.mkdir()
    (model / "labels.json").write_text("{}")
    (model / "model.skops").write_bytes(b"not a zip archive")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(folder), "--out", str(out), "--workers", "1", "--model", str(model)])
    assert result.exit_code == 1
    assert "cannot load" in result.output and "model.skops" in result.output
    assert not (out / "passages.csv").exists()
    assert not list(out.glob(".shards/*.json"))


def test_evaluate_json_and_explain(tmp_path):
    data = tmp_path / "gold.jsonl"
    rows = [
        {"id": "1", "text": EXAMPLE, "migof": ["O3"], "sdg_targets": ["10.7"]},
        {"id": "2", "text": "Forest cover in the highlands fell by 4 per cent.", "sdg_goals": ["15"]},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = runner.invoke(app, ["evaluate", "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert metrics["n"] == 2
    assert metrics["sdg_targets"]["per_label"]["10.7"]["recall"] == 1.0
    result = runner.invoke(app, ["explain", EXAMPLE])
    assert result.exit_code == 0
    assert "10.7" in result.stdout and "98,000" in result.stdout
