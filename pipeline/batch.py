"""Batches: many PDFs through extract, segment and tag, into the tables.

One runner, `run_batch`, with the backend as a parameter: `local` (in this process) or
`processes` (a process pool, the default when there is more than one document and worker).
Each finished document is written atomically as its own shard, keyed by its content hash and
the pipeline and model version, so a rerun skips it; the tables are assembled from the shards.
This module knows nothing of spaCy or scikit-learn: a worker calls `process_document`, which
returns plain data.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import platform
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from . import __version__
from .io import (
    ERROR_COLUMNS,
    FIGURE_COLUMNS,
    PASSAGE_COLUMNS,
    TABLE_COLUMNS,
    error_row,
    sha256_of,
    write_csv,
    write_json,
)
from .records import Problem

log = logging.getLogger(__name__)

SHARDS = ".shards"
PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class InputFile:
    """A PDF to process, found from the command line."""

    path: Path
    sha256: str


@dataclass
class BatchResult:
    """What a run did: where its tables are and what they hold."""

    out: Path
    documents: int = 0
    skipped: int = 0
    passages: int = 0
    tagged: int = 0
    figures: int = 0
    errors: int = 0
    input_errors: int = 0
    seconds: float = 0.0
    files: dict[str, str] = field(default_factory=dict)


def _failed(item: InputFile, exc: BaseException) -> dict:
    """The shard of a document whose worker died: no rows, one error row."""
    problem = Problem(item.path.name, str(item.path), "worker", type(exc).__name__, str(exc))
    return {"passages": [], "figures": [], "tables": [], "errors": [error_row(problem)]}


def collect_inputs(arguments: Iterable[str]) -> tuple[list[InputFile], list[Problem]]:
    """Files, folders (recursive) and globs into PDFs, recognised by content, not by name.

    The same content given twice is processed once; what is not a PDF is a problem row.
    """
    found: list[Path] = []
    problems: list[Problem] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink()))
        elif path.is_file():
            found.append(path)
        else:
            matches = sorted(glob.glob(argument, recursive=True))
            if not matches:
                problems.append(Problem(path.name, argument, "input", "NotFound", "no such file, folder or glob match"))
            found.extend(Path(m) for m in matches if Path(m).is_file())
    inputs: list[InputFile] = []
    seen: set[str] = set()
    for path in found:
        if path.is_symlink():
            problems.append(Problem(path.name, str(path), "input", "SymbolicLink", "symbolic links are skipped"))
            continue
        try:
            with path.open("rb") as handle:
                head = handle.read(1024)
        except OSError as exc:
            problems.append(Problem(path.name, str(path), "input", type(exc).__name__, str(exc)))
            continue
        if PDF_MAGIC not in head:
            if path.suffix.lower() == ".pdf":
                reason = "empty file" if not head else "no %PDF- header: not a PDF"
                problems.append(Problem(path.name, str(path), "open", "NotAPDF", reason))
            continue
        sha = sha256_of(path)
        if sha in seen:
            continue
        seen.add(sha)
        inputs.append(InputFile(path, sha))
    return inputs, problems


def shard_path(out: Path, sha: str, version: str) -> Path:
    return out / SHARDS / f"{sha[:32]}-{version}.json"


def _run_local(
    work: list[InputFile], process: Callable[[str, str], dict], store: Callable[[InputFile, dict], None],
    progress: Callable[[], None],
) -> None:
    for item in work:
        store(item, process(str(item.path), item.sha256))
        progress()


def _run_processes(
    work: list[InputFile], process: Callable[[str, str], dict], store: Callable[[InputFile, dict], None],
    progress: Callable[[], None], workers: int,
) -> None:
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(process, str(item.path), item.sha256): item for item in work}
        for future in as_completed(futures):
            item = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # a worker that died still leaves the batch going
                result = _failed(item, exc)
            store(item, result)
            progress()


def _run_dask(
    work: list[InputFile], process: Callable[[str, str], dict], store: Callable[[InputFile, dict], None],
    progress: Callable[[], None], scheduler: str | None,
) -> None:
    # Dask is an optional extra: imported here and nowhere else.
    try:
        from dask.distributed import Client, as_completed as dask_completed
    except ImportError as exc:
        raise ImportError("the dask backend needs the extra: pip install 'migtag[dask]'") from exc
    with Client(scheduler) as client:
        futures = {
            client.submit(process, str(item.path), item.sha256, pure=False): item for item in work
        }
        for future in dask_completed(futures):
            item = futures[future]
            try:
                result = future.result()
            except Exception as exc:
                result = _failed(item, exc)
            store(item, result)
            progress()


def run_batch(
    arguments: list[str],
    out: Path,
    *,
    process: Callable[[str, str], dict],
    version: str,
    workers: int = 1,
    backend: str = "processes",
    show_progress: bool = True,
    scheduler: str | None = None,
    extra_manifest: dict[str, Any] | None = None,
) -> BatchResult:
    """Process every PDF named by `arguments` into the tables in `out`.

    `process(path, sha256)` is the per-document work (see `pipeline.run_document`); it must
    return plain data: lists of passage, figure, table and error rows.
    """
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    inputs, input_problems = collect_inputs(arguments)
    result = BatchResult(out=out)
    work = [item for item in inputs if not shard_path(out, item.sha256, version).exists()]
    result.skipped = len(inputs) - len(work)

    def store(item: InputFile, data: dict) -> None:
        data = {**data, "path": str(item.path), "sha256": item.sha256}
        write_json(shard_path(out, item.sha256, version), data)

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]migtag run"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        disable=not (show_progress and sys.stderr.isatty()), transient=True,
    ) as bar:
        task = bar.add_task("documents", total=len(work))

        def advance() -> None:
            bar.advance(task)

        if backend == "local" or workers <= 1 or len(work) <= 1:
            _run_local(work, process, store, advance)
        elif backend == "processes":
            _run_processes(work, process, store, advance, min(workers, len(work)))
        elif backend == "dask":
            _run_dask(work, process, store, advance, scheduler)
        else:
            raise ValueError(f"unknown backend {backend!r}: use local or processes")

    passages: list[dict] = []
    figures: list[dict] = []
    tables: list[dict] = []
    errors: list[dict] = [error_row(p) for p in input_problems]
    documents = []
    for item in sorted(inputs, key=lambda i: (i.path.name, i.sha256)):
        data = json.loads(shard_path(out, item.sha256, version).read_text(encoding="utf-8"))
        passages.extend(data["passages"])
        figures.extend(data["figures"])
        tables.extend(data.get("tables", []))
        errors.extend(data["errors"])
        documents.append(
            {"path": str(item.path), "sha256": item.sha256, "pages": data.get("pages", 0),
             "passages": len(data["passages"]), "figures": len(data["figures"]),
             "errors": len(data["errors"]), "lang": data.get("lang"), "seconds": data.get("seconds")}
        )
    result.documents = len(inputs)
    result.passages = len(passages)
    result.tagged = sum(1 for row in passages if row.get("migof") or row.get("sdg_goals"))
    result.figures = len(figures)
    result.errors = len(errors)
    result.input_errors = sum(1 for p in input_problems if p.stage == "input")
    files = {
        "passages.csv": (passages, PASSAGE_COLUMNS),
        "figures.csv": (figures, FIGURE_COLUMNS),
        "tables.csv": (tables, TABLE_COLUMNS),
        "errors.csv": (errors, ERROR_COLUMNS),
    }
    for name, (rows, columns) in files.items():
        write_csv(out / name, rows, columns)
        result.files[name] = str(out / name)
    result.seconds = round(time.perf_counter() - started, 2)
    manifest = {
        "migtag_version": __version__,
        "pipeline_version": version,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "arguments": arguments,
        "workers": workers,
        "backend": backend,
        "inputs": documents,
        "counts": {
            "documents": result.documents, "skipped_as_done": result.skipped, "passages": result.passages,
            "tagged_passages": result.tagged, "figures": result.figures, "errors": result.errors,
        },
        "seconds": result.seconds,
        **(extra_manifest or {}),
    }
    write_json(out / "manifest.json", manifest)
    result.files["manifest.json"] = str(out / "manifest.json")
    return result


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
