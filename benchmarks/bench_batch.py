"""`migtag run` against bare pdfplumber, and one worker against two, on the shared reports.

Run: `.venv/bin/python benchmarks/bench_batch.py [FOLDER]` (default: ../shared/data/reports plus
the 619-page file in ../shared/data/bad-pdfs; skipped when absent). In one go it times:
1. bare pdfplumber: `page.extract_text()` over every page of the same files, in this process;
2. `migtag run --workers 1` and 3. `migtag run --workers 2`, each a fresh command (start-up and
   model loading included, as a user sees it), on a fresh output folder.
It prints a Markdown table for benchmarks/RESULTS.md, with the peak memory of the workers from
the manifest.
"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def bare_seconds(paths: list[Path]) -> tuple[float, int]:
    import pdfplumber

    pages = 0
    started = time.perf_counter()
    for path in paths:
        try:
            with pdfplumber.open(path) as pdf:
                for page in pdf.pages:
                    page.extract_text()
                    page.close()
                    pages += 1
        except Exception as exc:  # the same files migtag meets; a broken one costs both sides little
            print(f"bare pdfplumber: {path.name}: {exc}", file=sys.stderr)
    return time.perf_counter() - started, pages


def migtag_run(folder: Path, workers: int) -> tuple[float, dict]:
    out = Path(tempfile.mkdtemp(prefix=f"bench-w{workers}-"))
    command = [sys.executable, "-m", "pipeline.cli", "run", str(folder), "--out", str(out), "--workers", str(workers), "--quiet"]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    seconds = time.perf_counter() - started
    manifest = json.loads((out / "manifest.json").read_text())
    shutil.rmtree(out)
    return seconds, manifest


def main() -> None:
    if len(sys.argv) > 1:
        sources = [Path(a) for a in sys.argv[1:]]
    else:
        sources = [SHARED / "reports", *sorted((SHARED / "bad-pdfs").glob("huge_*.pdf"))]
    if not all(s.exists() for s in sources):
        print("skipped: ../shared/data is not here")
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-in-"))
    for source in sources:
        for path in [source] if source.is_file() else sorted(source.glob("*.pdf")):
            shutil.copy(path, folder / path.name)  # copies: the batch skips symbolic links
    paths = sorted(folder.glob("*.pdf"))
    bare, pages = bare_seconds(paths)
    one, manifest_one = migtag_run(folder, 1)
    two, manifest_two = migtag_run(folder, 2)
    peaks = [i["worker_peak_mb"] for i in manifest_one["inputs"] + manifest_two["inputs"] if i.get("worker_peak_mb")]
    counts = manifest_one["counts"]
    print(f"machine: {platform.node()}, {platform.python_version()}, {len(paths)} files, {pages} pages (bare)")
    print(f"migtag: {counts['pages']} pages, {counts['passages']} passages, {counts['figures']} figures, "
          f"{counts['ok']} ok / {counts['partial']} partial / {counts['failed']} failed")
    print()
    print("| measure | seconds | ratio |")
    print("|---|---|---|")
    print(f"| bare pdfplumber `extract_text()` | {bare:.1f} | 1.00 |")
    print(f"| `migtag run --workers 1` | {one:.1f} | {one / bare:.2f} x bare |")
    print(f"| `migtag run --workers 2` | {two:.1f} | {one / two:.2f} x faster than 1 worker |")
    print()
    print(f"peak memory per worker: max {max(peaks):.0f} MB, median {sorted(peaks)[len(peaks) // 2]:.0f} MB")
    slowest = sorted(manifest_one["inputs"], key=lambda i: -(i.get("seconds") or 0))[:3]
    print("slowest documents (1 worker): " + ", ".join(f"{Path(i['path']).name} {i['seconds']:.1f} s ({i['pages']} p)" for i in slowest))
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
