"""The figure extractor scored on the gold sentences in tests/data/figures_gold.jsonl."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from pipeline.evaluate import figure_metrics

GOLD = Path(__file__).parent / "data" / "figures_gold.jsonl"


@pytest.fixture(scope="module")
def scores(parser_nlp):
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = [[asdict(f) for f in doc._.migtag_figures] for doc in parser_nlp.pipe(r["sentence"] for r in rows)]
    return figure_metrics([r["figures"] for r in rows], found)


def test_gold_set_is_large_enough():
    assert sum(1 for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()) >= 150


def test_value_and_kind_f1(scores):
    # issue 5 asks for 0.95; measured 1.0 on this set (it was tuned on; see the held-out set)
    assert scores["f1"] >= 0.97, {k: v for k, v in scores.items() if k != "errors"}


def test_counted_qualifier_year_and_change(scores):
    # issue 5 asks for 0.85; measured 0.956
    assert scores["counted_accuracy"] >= 0.93
    assert scores["qualifier_accuracy"] >= 0.95
    assert scores["year_accuracy"] >= 0.95
    assert scores["change_accuracy"] >= 0.95
