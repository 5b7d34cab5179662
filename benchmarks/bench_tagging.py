"""Tagging speed on one core: rules + classifier, and the full pipeline with the parse.

Run: `.venv/bin/python benchmarks/bench_tagging.py [--repeat N]`. Passages come from the
corpus (written for this project); results go to stdout, to be copied into RESULTS.md with
the machine they ran on.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the issue measures it

from pipeline.corpus import load_corpus  # noqa: E402
from pipeline.evaluate import as_passages  # noqa: E402
from pipeline.nlp import build_nlp, tag_passages  # noqa: E402

CORPUS = Path(__file__).parents[1] / "corpus" / "passages"


def timed(nlp, passages, repeat: int) -> float:
    list(tag_passages(nlp, passages[:50]))  # warm up caches
    started = time.perf_counter()
    for _ in range(repeat):
        list(tag_passages(nlp, passages))
    return repeat * len(passages) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    passages = as_passages(load_corpus(CORPUS))
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"passages: {len(passages)}, mean {sum(len(p.text.split()) for p in passages) / len(passages):.0f} words")
    fast = build_nlp(with_parser=False)
    print(f"rules + figures + classifier (tokenizer only): {timed(fast, passages, args.repeat):.0f} passages/s")
    full = build_nlp()
    print(f"full pipeline (parse for figures' counted):     {timed(full, passages, args.repeat):.0f} passages/s")
    no_figures = build_nlp(with_parser=False)
    no_figures.remove_pipe("migtag_figures")
    print(f"rules + classifier only:                        {timed(no_figures, passages, args.repeat):.0f} passages/s")


if __name__ == "__main__":
    main()
