"""Batches: many PDFs through extract, segment and tag, into the tables.

One runner, `run_batch`, with the backend as a parameter: `pool` (the default: worker
processes, each document under a time and a memory limit, large documents read as page ranges
on several cores), `local` (in this process, for the Python API and debugging) or `dask` (an
existing Dask scheduler, or a `LocalCluster`). Each finished document is written atomically as
its own shard, keyed by its content hash and the pipeline and model version, so a rerun skips
it; the tables are assembled from the shards, in a fixed order, so they do not depend on the
backend or on which worker finished first. This module knows nothing of spaCy or scikit-learn:
workers run the steps of `pipeline.process.DocumentJobs` and return plain data.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import platform
import resource
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Protocol

from . import __version__
from .io import (
    ERROR_COLUMNS,
    FIGURE_COLUMNS,
    PASSAGE_COLUMNS,
    TABLE_COLUMNS,
    ReviewChoices,
    error_row,
    sha256_of,
    write_csv,
    write_json,
    write_xlsx,
)
from .records import Problem

log = logging.getLogger(__name__)

SHARDS = ".shards"
PDF_MAGIC = b"%PDF-"
GIB = 1024**3


class Jobs(Protocol):
    """The steps of one document (see `pipeline.process.DocumentJobs`)."""

    def start(self, path: str, sha256: str) -> dict[str, Any]: ...
    def read(self, path: str, first: int, last: int) -> Any: ...
    def finish(self, path: str, sha256: str, batches: list) -> dict[str, Any]: ...
    def rest(self, path: str, sha256: str, batch: Any) -> dict[str, Any]: ...
    def ranges(self, n_pages: int) -> list[tuple[int, int]]: ...
    def warm_up(self) -> None: ...


@dataclass(frozen=True)
class InputFile:
    """A PDF to process, found from the command line."""

    path: Path
    sha256: str


@dataclass(frozen=True)
class BatchSettings:
    """How a batch runs. Limits apply to each task: a document, or a page range of a large one."""

    workers: int = 1
    backend: str = "pool"
    timeout_per_file: float | None = 300.0
    max_memory_per_file: int | None = 2 * GIB
    scheduler: str | None = None
    progress: str = "auto"  # "auto": a bar on a terminal, log lines elsewhere; "quiet": nothing
    formats: tuple[str, ...] = ("csv",)  # "xlsx" adds passages.xlsx and figures.xlsx


@dataclass
class BatchResult:
    """What a run did: where its tables are and what they hold."""

    out: Path
    documents: int = 0
    skipped: int = 0
    ok: int = 0
    partial: int = 0
    failed: int = 0
    pages: int = 0
    passages: int = 0
    tagged: int = 0
    tags: int = 0
    figures: int = 0
    errors: int = 0
    input_errors: int = 0
    seconds: float = 0.0
    files: dict[str, str] = field(default_factory=dict)


def _failed(item: InputFile, error: str, message: str) -> dict:
    """The shard of a document whose worker gave up: no rows, one error row."""
    problem = Problem(item.path.name, str(item.path), "worker", error, message)
    return {"doc": item.path.name, "pages": 0, "passages": [], "figures": [], "tables": [],
            "errors": [error_row(problem)], "cache": False}


def _describe_failure(
    exc: BaseException, settings: BatchSettings, what: str, timeout: float | None = None
) -> tuple[str, str]:
    """A worker's failure as an error name and a message a user can act on. `timeout` is the
    task's own limit when it is not `--timeout-per-file`."""
    if isinstance(exc, FutureTimeout):
        limit = f"{timeout or settings.timeout_per_file:g} s"
        if timeout:
            limit += f", {timeout / settings.timeout_per_file:g} page ranges at {settings.timeout_per_file:g} s each"
        return "Timeout", f"{what}: gave up after {limit} (--timeout-per-file); the worker was stopped"
    if isinstance(exc, MemoryError):
        limit = (settings.max_memory_per_file or 0) / GIB
        return "MemoryLimit", f"{what}: needed more than the {limit:g} GiB allowed (--max-memory-per-file)"
    if type(exc).__name__ == "ProcessExpired":
        code = getattr(exc, "exitcode", None)
        how = f"exit code {code}"
        if isinstance(code, int) and code < 0:
            how = f"killed by {signal.Signals(-code).name}" if -code in signal.valid_signals() else how
        return "WorkerDied", (
            f"{what}: the worker process died ({how}), most likely in the PDF library or at "
            f"the memory limit (--max-memory-per-file)"
        )
    return type(exc).__name__, f"{what}: {exc}"[:500]


def limit_memory(max_bytes: int | None) -> None:
    """Cap the address space, so a decompression bomb fails in its worker."""
    if max_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


def _start_worker(max_bytes: int | None, jobs: Jobs) -> None:
    """Worker initializer: the memory limit, then the stages loaded (spaCy, the model), so that
    a document's time limit is spent on the document, not on the worker's start-up."""
    limit_memory(max_bytes)
    jobs.warm_up()


def collect_inputs(arguments: Iterable[str]) -> tuple[list[InputFile], list[Problem]]:
    """Files, folders (recursive) and globs into PDFs, recognised by content, not by name.

    The same content given twice is processed once; what is not a PDF is a problem row.
    """
    found: list[Path] = []
    problems: list[Problem] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_symlink() or not p.is_dir()))
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            matches = sorted(glob.glob(argument, recursive=True))
            if not matches:
                problems.append(Problem(path.name, argument, "input", "NotFound", "no such file, folder or glob match"))
            found.extend(Path(m) for m in matches if Path(m).is_symlink() or not Path(m).is_dir())
    inputs: list[InputFile] = []
    seen: set[str] = set()
    for path in found:
        if path.is_symlink():
            if any(p.path == str(path) for p in problems):
                continue  # named twice: one warning
            problems.append(Problem(path.name, str(path), "input", "SymbolicLink", "symbolic links are skipped"))
            continue
        if not path.is_file():
            # reading a named pipe would wait for ever; devices and sockets are no documents either
            problems.append(Problem(path.name, str(path), "input", "NotAFile", "not a regular file (a pipe, device or socket): skipped"))
            continue
        try:
            with path.open("rb") as handle:
                head = handle.read(1024)
        except OSError as exc:
            problems.append(Problem(path.name, str(path), "input", type(exc).__name__, str(exc)))
            continue
        if PDF_MAGIC not in head:
            if path.suffix.lower() == ".pdf":
                reason = "the file is empty (0 bytes)" if not head else "no %PDF- header: not a PDF"
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


def process_whole(jobs: Jobs, path: str, sha256: str) -> dict[str, Any]:
    """Every step of one document in the calling process (the `local` and `dask` backends)."""
    value = jobs.start(path, sha256)
    if "shard" in value:
        return value["shard"]
    shard = jobs.rest(path, sha256, value["batch"])
    return {**shard, "seconds": round(value["seconds"] + shard["seconds"], 3)}


Store = Callable[[InputFile, dict], None]
# A check that takes seconds (loading the model): it runs while the workers start, and what it
# raises stops the batch before any document is finished.
Preflight = Callable[[], None]


def _no_preflight() -> None:
    pass


def _run_local(work: list[InputFile], jobs: Jobs, settings: BatchSettings, store: Store, preflight: Preflight) -> None:
    preflight()
    for item in work:
        try:
            shard = process_whole(jobs, str(item.path), item.sha256)
        except Exception as exc:  # the in-process backend has no worker to lose, only the document
            shard = _failed(item, *_describe_failure(exc, settings, "processing the document"))
        store(item, shard)


@dataclass
class _Split:
    """A large document whose page ranges are being read."""

    seconds: float
    batches: list = field(default_factory=list)
    left: int = 0
    problems: list[dict] = field(default_factory=list)
    timeout: float | None = None  # of the one task that reads all the ranges, when there is one


def _run_pool(work: list[InputFile], jobs: Jobs, settings: BatchSettings, store: Store, preflight: Preflight) -> None:
    """Worker processes with a time and memory limit per task; a hung or exploding task is
    stopped (pebble kills and replaces its worker) and becomes an error row."""
    from pebble import ProcessPool

    pool = ProcessPool(
        max_workers=settings.workers,
        initializer=_start_worker,
        initargs=(settings.max_memory_per_file, jobs),
        # spawn, not fork: the parent may hold threads (progress bar) and locks
        context=get_context("spawn"),
    )
    pending: dict[Future, tuple] = {}
    splits: dict[str, _Split] = {}
    # Largest files first: a big document's last step runs alone on one core, so it should not
    # be the last thing the batch does (the order of the tables does not depend on this one).
    by_size = sorted(work, key=lambda item: -_file_size(item.path))
    timeout = settings.timeout_per_file
    queue: deque[tuple[Callable, tuple, tuple, float | None]] = deque(
        (jobs.start, (str(item.path), item.sha256), ("start", item), timeout) for item in by_size
    )
    # Only a few tasks per worker are in flight: waiting on thousands of futures at once costs
    # time on every completion.
    in_flight = max(2, settings.workers * 3)

    def schedule(function: Callable, args: tuple, key: tuple, limit: float | None = timeout) -> None:
        # the page ranges and the last step of a large document go to the front of the queue,
        # so that it completes and its memory is freed
        queue.appendleft((function, args, key, limit))

    def fill() -> None:
        while queue and len(pending) < in_flight:
            function, args, key, limit = queue.popleft()
            pending[pool.schedule(function, args=args, timeout=limit)] = key

    def outcome(future: Future) -> Any:
        try:
            return future.result()
        except Exception as exc:  # timeouts, dead workers and errors all come back as values
            return exc

    try:
        fill()
        preflight()  # while the workers start
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in done:
                step, item, *pages = pending.pop(future)
                value = outcome(future)
                if step == "start":
                    if isinstance(value, Exception):
                        store(item, _failed(item, *_describe_failure(value, settings, "reading the document")))
                    elif "shard" in value:
                        store(item, value["shard"])
                    elif settings.workers == 1:
                        # the ranges could not run side by side, and handing each to and fro
                        # costs time: the rest is one task, with the time of all its ranges
                        limit = timeout and timeout * len(jobs.ranges(value["n_pages"]))
                        splits[item.sha256] = _Split(value["seconds"], timeout=limit)
                        args = (str(item.path), item.sha256, value["batch"])
                        schedule(jobs.rest, args, ("rest", item), limit)
                    else:
                        ranges = jobs.ranges(value["n_pages"])
                        splits[item.sha256] = _Split(value["seconds"], [value["batch"]], len(ranges))
                        for first, last in ranges:
                            schedule(jobs.read, (str(item.path), first, last), ("read", item, first, last))
                elif step == "read":
                    split = splits[item.sha256]
                    split.left -= 1
                    if isinstance(value, Exception):
                        first, last = pages
                        error, message = _describe_failure(value, settings, f"pages {first + 1}-{last}")
                        problem = Problem(item.path.name, str(item.path), "extract", error, message, first + 1)
                        split.problems.append(error_row(problem))
                    else:
                        split.batches.append(value)
                    if not split.left:
                        schedule(jobs.finish, (str(item.path), item.sha256, split.batches), ("finish", item))
                else:
                    split = splits.pop(item.sha256)
                    if isinstance(value, Exception):
                        what = "assembling and tagging the document" if step == "finish" else "reading, assembling and tagging the document"
                        shard = _failed(item, *_describe_failure(value, settings, what, split.timeout))
                    else:
                        # worker time, not wall time: the ranges may have waited behind other documents
                        seconds = split.seconds + sum(b.seconds for b in split.batches[1:]) + value["seconds"]
                        shard = {**value, "seconds": round(seconds, 3)}
                        if split.problems:
                            # a range that failed in its worker is tried again by the next run
                            shard = {**shard, "errors": shard["errors"] + split.problems, "cache": False}
                    store(item, shard)
            fill()
    except BaseException:
        pool.stop()
        raise
    else:
        pool.close()
    finally:
        pool.join()


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _run_dask(work: list[InputFile], jobs: Jobs, settings: BatchSettings, store: Store, preflight: Preflight) -> None:
    """One task per document on a Dask cluster: an existing scheduler, or `local` for a
    `LocalCluster` of `workers` processes, each with the memory limit."""
    preflight()
    # Dask is an optional extra: imported here and nowhere else.
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise ImportError("the dask backend needs the extra: pip install 'migtag[dask]'") from exc
    cluster = None
    if settings.scheduler == "local":
        cluster = LocalCluster(
            n_workers=settings.workers, threads_per_worker=1, processes=True,
            memory_limit=settings.max_memory_per_file or "auto", dashboard_address=None,
        )
    try:
        with Client(cluster or settings.scheduler) as client:
            futures = client.map(
                process_whole, [jobs] * len(work), [str(i.path) for i in work], [i.sha256 for i in work], pure=False
            )
            items = {future.key: item for future, item in zip(futures, work, strict=True)}
            for future in as_completed(futures):
                item = items[future.key]
                try:
                    shard = future.result()
                except Exception as exc:
                    shard = _failed(item, *_describe_failure(exc, settings, "processing the document on Dask"))
                store(item, shard)
    finally:
        if cluster is not None:
            cluster.close()


_BACKENDS = {"local": _run_local, "pool": _run_pool, "dask": _run_dask}


class _Feedback:
    """A rich progress bar on a terminal, one plain line per document elsewhere, or nothing."""

    def __init__(self, total: int, mode: str) -> None:
        self.total, self.count, self.pages = total, 0, 0
        self.bar = None
        self.lines = mode == "auto" and not sys.stderr.isatty()
        if mode == "auto" and sys.stderr.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("[bold]migtag run"), BarColumn(), MofNCompleteColumn(), TextColumn("documents"),
                TextColumn("{task.fields[pages]} pages"), TimeElapsedColumn(), TextColumn("ETA"),
                TimeRemainingColumn(), transient=True,
            )
            self.task = self.bar.add_task("documents", total=total, pages=0)

    def __enter__(self) -> _Feedback:
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar:
            self.bar.stop()

    def done(self, item: InputFile, shard: dict) -> None:
        self.count += 1
        self.pages += shard.get("pages", 0)
        if self.bar:
            self.bar.update(self.task, advance=1, pages=self.pages)
        elif self.lines:
            status = document_status(shard)
            print(
                f"[{self.count}/{self.total}] {item.path.name}: {status}, {shard.get('pages', 0)} pages, "
                f"{len(shard['passages'])} passages, {len(shard['errors'])} errors",
                file=sys.stderr, flush=True,
            )


def document_status(shard: dict) -> str:
    """`ok` (no problem), `partial` (passages, and problems) or `failed` (problems, no passages)."""
    if not shard["errors"]:
        return "ok"
    return "partial" if shard["passages"] else "failed"


def run_batch(
    arguments: list[str],
    out: Path,
    *,
    jobs: Jobs,
    version: str,
    settings: BatchSettings = BatchSettings(),
    extra_manifest: dict[str, Any] | None = None,
    review_choices: ReviewChoices | None = None,
    preflight: Preflight = _no_preflight,
) -> BatchResult:
    """Process every PDF named by `arguments` into the tables in `out`.

    `jobs` are the per-document steps (see `pipeline.process.DocumentJobs`); they return plain
    data: lists of passage, figure, table and error rows.
    `preflight` is a slow check (loading the model) that runs once, while the workers start;
    what it raises stops the batch.
    """
    if settings.backend not in _BACKENDS:
        raise ValueError(f"unknown backend {settings.backend!r}: use {', '.join(_BACKENDS)}")
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    inputs, input_problems = collect_inputs(arguments)
    result = BatchResult(out=out)
    work = [item for item in inputs if not shard_path(out, item.sha256, version).exists()]
    result.skipped = len(inputs) - len(work)
    shards: dict[str, dict] = {}

    with _Feedback(len(work), settings.progress) as feedback:

        def store(item: InputFile, shard: dict) -> None:
            shard = {**shard, "path": str(item.path), "sha256": item.sha256}
            if shard.pop("cache", True):
                write_json(shard_path(out, item.sha256, version), shard)
            shards[item.sha256] = shard
            feedback.done(item, shard)

        if work:
            backend = settings.backend
            if backend == "pool" and settings.workers < 1:
                backend = "local"
            _BACKENDS[backend](work, jobs, settings, store, preflight)
        else:
            preflight()

    passages: list[dict] = []
    figures: list[dict] = []
    tables: list[dict] = []
    errors: list[dict] = [error_row(p) for p in input_problems]
    documents = []
    for item in sorted(inputs, key=lambda i: (i.path.name, i.sha256)):
        data = shards.get(item.sha256) or json.loads(shard_path(out, item.sha256, version).read_text(encoding="utf-8"))
        passages.extend(data["passages"])
        figures.extend(data["figures"])
        tables.extend(data.get("tables", []))
        errors.extend(data["errors"])
        status = document_status(data)
        setattr(result, status, getattr(result, status) + 1)
        result.pages += data.get("pages", 0)
        documents.append(
            {"path": str(item.path), "sha256": item.sha256, "status": status, "pages": data.get("pages", 0),
             "passages": len(data["passages"]), "figures": len(data["figures"]),
             "errors": len(data["errors"]), "lang": data.get("lang"), "seconds": data.get("seconds"),
             "worker_peak_mb": data.get("worker_peak_mb")}
        )
    result.documents = len(inputs)
    result.passages = len(passages)
    result.tagged = sum(1 for row in passages if row.get("migof") or row.get("sdg_goals"))
    result.tags = sum(
        len([label for label in str(row.get(column) or "").split(";") if label.strip()])
        for row in passages for column in ("migof", "sdg_targets", "sdg_goals")
    )
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
    if "xlsx" in settings.formats:
        write_xlsx(out / "passages.xlsx", passages, PASSAGE_COLUMNS, sheet="passages", choices=review_choices)
        write_xlsx(out / "figures.xlsx", figures, FIGURE_COLUMNS, sheet="figures")
        result.files["passages.xlsx"] = str(out / "passages.xlsx")
        result.files["figures.xlsx"] = str(out / "figures.xlsx")
    from .report import write_report

    result.files["report.html"] = str(write_report(out, passages, figures, errors, documents))
    result.seconds = round(time.perf_counter() - started, 2)
    manifest = {
        "migtag_version": __version__,
        "pipeline_version": version,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "arguments": arguments,
        "settings": {
            "workers": settings.workers, "backend": settings.backend, "scheduler": settings.scheduler,
            "timeout_per_file": settings.timeout_per_file, "max_memory_per_file": settings.max_memory_per_file,
        },
        "inputs": documents,
        "counts": {
            "documents": result.documents, "skipped_as_done": result.skipped, "ok": result.ok,
            "partial": result.partial, "failed": result.failed, "pages": result.pages,
            "passages": result.passages, "tagged_passages": result.tagged, "tags": result.tags,
            "figures": result.figures, "errors": result.errors,
        },
        "seconds": result.seconds,
        **(extra_manifest or {}),
    }
    write_json(out / "manifest.json", manifest)
    result.files["manifest.json"] = str(out / "manifest.json")
    return result


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
