"""What figures add to tagging time, on passages of real reports and on the corpus.

Run: `.venv/bin/python benchmarks/bench_figures_speed.py [--reports N]`. Real passages come
from the English reports in `../shared/data/reports/` (skipped when absent); the corpus passages
were written to be dense with figures, so they are the worst case. One core, as the issue
measures it: the figures component parses only the sentences that hold a figure.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from pipeline.corpus import load_corpus  # noqa: E402
from pipeline.evaluate import as_passages  # noqa: E402
from pipeline.extract import extract  # noqa: E402
from pipeline.figures import sentence_bounds  # noqa: E402
from pipeline.nlp import build_nlp, tag_passages  # noqa: E402
from pipeline.segment import segment  # noqa: E402

ROOT = Path(__file__).parents[1]
REPORTS = ROOT.parent / "shared" / "data" / "reports"
ENGLISH_REPORTS = (
    "IOM_AAP_Evaluation_Report_2024.pdf",
    "IOM_JI_Case_Management_Return_Reintegration_Study_2023.pdf",
    "Namibia_VNR_2021.pdf",
    "IOM_Migration_Data_Strategy_Eval_CaseStudy_EHSA_2025.pdf",
)


def seconds_per_pass(nlp, passages) -> float:
    list(tag_passages(nlp, passages[:30]))  # warm up
    started = time.perf_counter()
    list(tag_passages(nlp, passages))
    return time.perf_counter() - started


def measure(name: str, passages, pipelines) -> None:
    base, tokenized, parsed = (seconds_per_pass(nlp, passages) for nlp in pipelines)
    sentences = [text for p in passages for s, e in sentence_bounds(p.text) for text in [p.text[s:e]]]
    with_number = sum(1 for text in sentences if re.search(r"\d", text))
    print(
        f"{name}: {len(passages)} passages, {len(sentences)} sentences, "
        f"{with_number / max(1, len(sentences)):.0%} with a digit\n"
        f"  rules + classifier:                      {len(passages) / base:7.0f} passages/s\n"
        f"  + figures, counted from following words: {len(passages) / tokenized:7.0f} passages/s "
        f"(+{tokenized / base - 1:.0%})\n"
        f"  + figures, figure sentences parsed:      {len(passages) / parsed:7.0f} passages/s "
        f"(+{parsed / base - 1:.0%})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=len(ENGLISH_REPORTS))
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    base = build_nlp(with_parser=False)
    base.remove_pipe("migtag_figures")
    pipelines = (base, build_nlp(with_parser=False), build_nlp())
    if REPORTS.exists():
        passages = [
            passage
            for name in ENGLISH_REPORTS[: args.reports]
            for passage in segment(extract(REPORTS / name))
        ]
        measure("real reports", passages, pipelines)
    measure("corpus (figure-dense)", as_passages(load_corpus(ROOT / "corpus" / "passages")), pipelines)


if __name__ == "__main__":
    main()
