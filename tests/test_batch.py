"""The batch runner end to end: hostile files fail alone, limits stop workers, a killed run
resumes to the same tables, page ranges and Dask give the same tables as one process."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_jobs import MisbehavingJobs
from malformed import MALFORMED, good_pdf_bytes
from pdfs import draw_report
from typer.testing import CliRunner

from pipeline.batch import GIB, BatchSettings, run_batch
from pipeline.cli import app
from pipeline.extract import assemble, extract, read_pages
from pipeline.io import sha256_of
from pipeline.process import DocumentJobs, resolve_model_dir

runner = CliRunner()
TABLES = ("passages.csv", "figures.csv", "tables.csv", "errors.csv")
TOPICS = [
    "Returns were organized from 24 host countries with reintegration support for 3,100 migrants.",
    "Remittance costs in the corridor fell by 2.1 percentage points in 2019.",
    "Camp coordination teams supported 41,000 internally displaced persons after the cyclone.",
    "Labour migration officers trained 650 recruiters on fair recruitment and decent work.",
    "The national statistics office published migration data disaggregated by sex and age.",
    "Counter-trafficking partners identified 212 victims of forced labour in fishing fleets.",
]


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def draw_reports(folder: Path, n: int, pages: int = 2) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        body = [[("heading", f"Section {p + 1}: results"), ("para", f"Report {i}, page {p + 1}. " + TOPICS[(i + p) % len(TOPICS)])]
                for p in range(pages)]
        paths.append(draw_report(folder / f"report_{i:02d}.pdf", body))
    return paths


def tables_of(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in TABLES}


@pytest.fixture(scope="module")
def model_dir() -> str:
    return str(resolve_model_dir(None))


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    for name, build in MALFORMED.items():
        (folder / f"{name}.pdf").write_bytes(build())
    draw_reports(folder / "good", 2)
    out = tmp_path_factory.mktemp("out")
    result = runner.invoke(app, ["run", str(folder), "--out", str(out), "--workers", "2", "--timeout-per-file", "120"])
    return out, result


def test_hostile_files_fail_alone_and_say_why(hostile_batch):
    out, result = hostile_batch
    assert result.exit_code == 0, result.output
    errors = read_csv(out / "errors.csv")
    by_doc: dict[str, list[dict]] = {}
    for row in errors:
        by_doc.setdefault(row["doc"], []).append(row)
    expected = {
        "truncated.pdf": "Unreadable", "byte_flipped.pdf": "Unreadable", "empty.pdf": "NotAPDF",
        "text_named_pdf.pdf": "NotAPDF", "encrypted.pdf": "Encrypted",
        # pdfminer has no cap on inflating a stream: the memory limit stops it, in its worker
        "flate_bomb.pdf": ("WorkerDied", "MemoryLimit", "MemoryError"),
        # pdfminer reads both without recursion or looping; one word is too little to tag
        "deeply_nested.pdf": "LittleText", "page_tree_cycle.pdf": "LittleText",
    }
    for doc, error in expected.items():
        assert doc in by_doc, f"{doc} has no row in errors.csv"
        assert by_doc[doc][0]["error"] in (error if isinstance(error, tuple) else (error,)), by_doc[doc]
        assert len(by_doc[doc][0]["message"]) > 10
    # the good reports and the page of 10,000 text objects are complete and error-free
    passages = read_csv(out / "passages.csv")
    for doc in ("report_00.pdf", "report_01.pdf", "many_text_objects.pdf"):
        assert doc not in by_doc
        assert any(p["doc"] == doc for p in passages)
    assert sum(p["doc"] == "report_00.pdf" for p in passages) == 2
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["ok"] == 3
    assert "3 ok, 0 partial, 6 failed" in result.stdout


def test_a_hanging_file_and_a_memory_hog_are_stopped(tmp_path, model_dir):
    folder = tmp_path / "in"
    draw_reports(folder, 2)
    for name in ("hang.pdf", "hog.pdf"):
        # distinct content, so the two are not taken for one file given twice
        (folder / name).write_bytes(good_pdf_bytes(f"A file called {name} for the limits test."))
    settings = BatchSettings(workers=2, timeout_per_file=8, max_memory_per_file=2 * GIB, progress="quiet")
    started = time.perf_counter()
    result = run_batch([str(folder)], tmp_path / "out", jobs=MisbehavingJobs(model_dir), version="t", settings=settings)
    assert time.perf_counter() - started < 120
    errors = {row["doc"]: row for row in read_csv(tmp_path / "out" / "errors.csv")}
    assert errors["hang.pdf"]["error"] == "Timeout"
    assert "--timeout-per-file" in errors["hang.pdf"]["message"]
    assert errors["hog.pdf"]["error"] in ("MemoryLimit", "WorkerDied")
    assert "--max-memory-per-file" in errors["hog.pdf"]["message"]
    assert (result.ok, result.failed) == (2, 2)
    # failures in a worker are not cached: the next run tries those files again
    assert len(list((tmp_path / "out" / ".shards").glob("*.json"))) == 2


def test_one_worker_reads_a_large_document_in_one_task_with_the_time_of_its_ranges(tmp_path, model_dir):
    folder = tmp_path / "in"
    long = draw_reports(folder, 1, pages=5)[0]
    (folder / "slow.pdf").write_bytes(draw_reports(tmp_path / "other", 2, pages=5)[1].read_bytes())
    # 5 pages in ranges of 2: the first range, then one task for the two other ranges
    settings = BatchSettings(workers=1, timeout_per_file=10, progress="quiet")
    started = time.perf_counter()
    result = run_batch([str(folder)], tmp_path / "out", jobs=MisbehavingJobs(model_dir, range_pages=2), version="t", settings=settings)
    assert 20 <= time.perf_counter() - started < 120
    assert (result.ok, result.failed) == (1, 1)
    passages = read_csv(tmp_path / "out" / "passages.csv")
    assert [p["page"] for p in passages if p["doc"] == long.name] == ["1", "2", "3", "4", "5"]
    error = next(row for row in read_csv(tmp_path / "out" / "errors.csv") if row["doc"] == "slow.pdf")
    assert error["error"] == "Timeout"
    assert "gave up after 20 s, 2 page ranges at 10 s each (--timeout-per-file)" in error["message"]


def test_a_large_document_read_in_page_ranges_is_the_same_document(tmp_path):
    path = draw_reports(tmp_path, 1, pages=7)[0]
    whole = extract(path)
    batches = [read_pages(path, first=first, last=first + 3) for first in (3, 0, 6)]  # any order
    assert assemble(path, sha256_of(path), batches) == whole
    assert [b.n_pages for b in batches] == [7, 7, 7]


def test_page_ranges_and_dask_give_the_tables_of_one_process(tmp_path, model_dir):
    pytest.importorskip("dask.distributed")
    folder = tmp_path / "in"
    draw_reports(folder, 3, pages=5)
    version = "t"
    runs = {
        "local": (BatchSettings(backend="local", progress="quiet"), DocumentJobs(model_dir)),
        "ranges": (BatchSettings(workers=2, progress="quiet"), DocumentJobs(model_dir, range_pages=2)),
        "ranges, one worker": (BatchSettings(workers=1, progress="quiet"), DocumentJobs(model_dir, range_pages=2)),
        "dask": (BatchSettings(workers=2, backend="dask", scheduler="local", progress="quiet"), DocumentJobs(model_dir)),
    }
    tables = {}
    for name, (settings, jobs) in runs.items():
        run_batch([str(folder)], tmp_path / name, jobs=jobs, version=version, settings=settings)
        tables[name] = tables_of(tmp_path / name)
    assert len(read_csv(tmp_path / "local" / "passages.csv")) == 15
    assert tables["ranges"] == tables["local"]
    assert tables["ranges, one worker"] == tables["local"]
    assert tables["dask"] == tables["local"]

    # and through the command line, on an existing scheduler given by its address
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out = tmp_path / "dask-address"
        result = runner.invoke(app, ["run", str(folder), "--out", str(out), "--dask", cluster.scheduler_address, "--quiet"])
        assert result.exit_code == 0, result.output
    # the manifest differs (settings), the tables do not
    assert tables_of(out) == tables["local"]


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
def test_a_run_killed_midway_resumes_to_the_tables_of_a_clean_run(tmp_path, how):
    folder = tmp_path / "in"
    draw_reports(folder, 6)
    command = [sys.executable, "-m", "pipeline.cli", "run", str(folder), "--workers", "1", "--quiet", "--out"]
    clean = tmp_path / "clean"
    subprocess.run([*command, str(clean)], check=True, timeout=300)

    for attempt in range(3):
        out = tmp_path / f"killed-{attempt}"
        # Ctrl-C must reach the run even when this suite was started in the background, where
        # the shell has set SIGINT to be ignored and children inherit that
        process = subprocess.Popen(
            [*command, str(out)], start_new_session=True, preexec_fn=_default_sigint
        )
        deadline = time.monotonic() + 240
        shards = out / ".shards"
        while not (shards.is_dir() and any(shards.glob("*.json"))):
            assert process.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        if process.poll() is not None:
            # on a loaded machine this test can be descheduled while the run finishes its last
            # documents: nothing was killed, so try again
            continue
        # SIGKILL: the runner and its workers die with no chance to tidy up; SIGINT: Ctrl-C, as a
        # terminal sends it to the whole process group
        os.killpg(process.pid, how)
        code = process.wait(timeout=60)
        if code == 0 and len(list(shards.glob("*.json"))) == 6:
            continue  # it finished between the check and the signal
        assert code == (-signal.SIGKILL if how == signal.SIGKILL else 130)
        break
    else:
        pytest.fail("three runs finished before they could be killed")
    done = len(list((out / ".shards").glob("*.json")))
    assert 1 <= done < 6
    assert not (out / "passages.csv").exists()
    # no half-written shard: every one that is there parses
    for shard in (out / ".shards").glob("*"):
        json.loads(shard.read_text(encoding="utf-8"))

    subprocess.run([*command, str(out)], check=True, timeout=300)
    assert tables_of(out) == tables_of(clean)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["skipped_as_done"] == done


def test_inputs_by_content_links_skipped_duplicates_once(tmp_path):
    from pipeline.batch import collect_inputs

    folder = tmp_path / "in"
    (report,) = draw_reports(folder, 1)
    (folder / "copy.PDF").write_bytes(report.read_bytes())  # the same content under another name
    (folder / "report.bin").write_bytes(good_pdf_bytes())  # a PDF by content, not by name
    (folder / "readme.pdf").write_text("plain text")
    (folder / "link.pdf").symlink_to(report)
    os.mkfifo(folder / "pipe.pdf")
    inputs, problems = collect_inputs([str(folder), str(folder / "link.pdf"), str(folder / "*.bin")])
    # the first name of a content in sorted order stands for it
    assert sorted(i.path.name for i in inputs) == ["copy.PDF", "report.bin"]
    assert {(p.doc, p.error) for p in problems} == {
        ("readme.pdf", "NotAPDF"), ("link.pdf", "SymbolicLink"), ("pipe.pdf", "NotAFile")
    }
    assert hashlib.sha256(report.read_bytes()).hexdigest() in {i.sha256 for i in inputs}


def test_the_shared_bad_pdfs_fail_alone(shared, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    # copies, as the batch skips symbolic links; the 619-page file is for the benchmark
    names = sorted(p.name for p in (shared / "data" / "bad-pdfs").glob("*.pdf") if not p.name.startswith("huge"))
    for name in names:
        (folder / name).write_bytes((shared / "data" / "bad-pdfs" / name).read_bytes())
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(folder), "--out", str(out), "--workers", "2", "--quiet"])
    assert result.exit_code == 0, result.output
    errors = read_csv(out / "errors.csv")
    manifest = json.loads((out / "manifest.json").read_text())
    statuses = {Path(i["path"]).name: i["status"] for i in manifest["inputs"]}
    read = {row["doc"] for table in ("passages.csv", "tables.csv") for row in read_csv(out / table)}
    for name in names:
        # every file is accounted for: read (as passages or table rows), or explained in errors.csv
        assert name in read or any(e["doc"] == name for e in errors), name
        if statuses.get(name, "failed") == "failed":
            assert all(e["message"] for e in errors if e["doc"] == name)
    assert not [e for e in errors if e["stage"] == "worker"], "no file should crash or stall a worker"
    encrypted = [e["error"] for e in errors if e["doc"].startswith("encrypted_user")]
    assert encrypted == ["Encrypted"]
