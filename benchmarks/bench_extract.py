"""Extraction time against bare pdfplumber, and peak memory, on the shared report PDFs.

Run: `.venv/bin/python benchmarks/bench_extract.py [FOLDER…]` (default: ../shared/data/reports
and the 619-page file in ../shared/data/bad-pdfs; skipped when absent). Each measurement runs in
a fresh process so peak memory (ru_maxrss) belongs to that file alone; imports and model loading
happen before the clock starts, on both sides.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def bare(path: str) -> dict:
    import resource

    import pdfplumber

    started = time.perf_counter()
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
    return {"seconds": time.perf_counter() - started, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def migtag(path: str) -> dict:
    import resource

    from pipeline.extract import _zipf, detect_language, extract
    from pipeline.segment import segment

    # load the language and word-frequency models first: a batch worker loads them once,
    # so they are not part of the per-document cost
    detect_language("a warm up text " * 10)
    _zipf("warm")
    started = time.perf_counter()
    document = extract(path)
    passages = list(segment(document))
    return {
        "seconds": time.perf_counter() - started,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "pages": document.n_pages,
        "passages": len(passages),
        "problems": [f"{p.stage}:{p.error}" for p in document.problems][:5],
        "lang": document.lang,
    }


def measure(kind: str, path: Path) -> dict:
    code = f"import json,sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import bench_extract as b; print(json.dumps(b.{kind}({str(path)!r})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=3600)
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    folders = [Path(a) for a in sys.argv[1:]] or [SHARED / "reports"]
    files = [p for folder in folders if folder.is_dir() for p in sorted(folder.glob("*.pdf"))]
    if not sys.argv[1:]:
        files += sorted((SHARED / "bad-pdfs").glob("huge_*.pdf"))
    if not files:
        print("no PDFs found (../shared is not here): nothing to measure")
        return
    total_bare = total_ours = 0.0
    print("| file | pages | passages | pdfplumber extract_text s | migtag extract+segment s | overhead | peak MB (bare / migtag) | problems |")
    print("|---|---|---|---|---|---|---|---|")
    for path in files:
        plain = measure("bare", path)
        ours = measure("migtag", path)
        if "error" in plain or "error" in ours:
            print(f"| {path.name} | | | {plain.get('error', '')} | {ours.get('error', '')} | | | |")
            continue
        overhead = ours["seconds"] / plain["seconds"] - 1 if plain["seconds"] else 0
        if any(problem.endswith(":OCR") for problem in ours["problems"]):
            # OCR reads pages bare pdfplumber returns nothing for: not layout overhead
            print(f"| {path.name} | {ours['pages']} | {ours['passages']} | {plain['seconds']:.2f} | {ours['seconds']:.2f} | OCR, not in total | | extract:OCR |")
            continue
        total_bare += plain["seconds"]
        total_ours += ours["seconds"]
        print(
            f"| {path.name} | {ours['pages']} | {ours['passages']} | {plain['seconds']:.2f} | {ours['seconds']:.2f} | "
            f"{overhead:+.0%} | {plain['peak_mb']:.0f} / {ours['peak_mb']:.0f} | {', '.join(ours['problems'])} |"
        )
    if total_bare:
        print(f"\ntotal: pdfplumber {total_bare:.1f} s, migtag {total_ours:.1f} s, overhead {total_ours / total_bare - 1:+.0%}")


if __name__ == "__main__":
    main()
