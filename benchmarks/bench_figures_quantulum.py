"""migtag and quantulum3 side by side on the figures gold sentences.

Run: `.venv/bin/python benchmarks/bench_figures_quantulum.py` (`make bench` installs quantulum3,
pinned in the `bench` extra). Both are scored with the same function (`figure_metrics`: a figure
is right when its value and kind match a gold figure of the same sentence), on
`tests/data/figures_gold.jsonl` and, when present, the held-out `figures_gold_heldout.jsonl`.

quantulum3 is run without its scikit-learn unit classifier (its pickled model does not load with
the scikit-learn migtag pins); its own tests pass the same way. Its quantities are mapped to the
contract's kinds: dimensionless -> count (fraction below 1), percentage -> percent, currencies ->
money, lengths, areas, volumes, masses and energy -> measure; durations are dropped, as the
contract says they are not figures.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.evaluate import figure_metrics  # noqa: E402
from pipeline.nlp import build_nlp  # noqa: E402

GOLD_FILES = [ROOT / "tests" / "data" / name for name in ("figures_gold.jsonl", "figures_gold_heldout.jsonl")]
MEASURE_ENTITIES = {"length", "area", "volume", "mass", "energy", "power"}
CURRENCIES = {
    "dollar": "USD", "united states dollar": "USD", "euro": "EUR", "pound sterling": "GBP",
    "swiss franc": "CHF", "japanese yen": "JPY", "kenyan shilling": "KES", "south african rand": "ZAR",
}


def quantulum_figures(text: str) -> list[dict]:
    """quantulum3's quantities in the contract's terms."""
    from quantulum3 import classifier, parser

    classifier.USE_CLF = False
    figures = []
    for quantity in parser.parse(text):
        entity = quantity.unit.entity.name
        name = quantity.unit.name
        value = float(quantity.value)
        if name == "dimensionless":
            kind, unit = ("fraction", None) if 0 < value < 1 else ("count", None)
        elif name == "percentage":
            kind, unit = "percent", None
        elif entity == "currency":
            kind, unit = "money", CURRENCIES.get(name)
        elif entity in MEASURE_ENTITIES:
            kind, unit = "measure", quantity.unit.symbols[0] if quantity.unit.symbols else name
        else:
            continue  # durations, temperatures, rates: not figures by the contract
        figures.append({"value": value, "kind": kind, "unit": unit, "text": quantity.surface})
    return figures


def main() -> None:
    rows = [
        json.loads(line)
        for path in GOLD_FILES
        if path.exists()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    gold = [row["figures"] for row in rows]
    nlp = build_nlp(with_classifier=False)
    started = time.perf_counter()
    ours = [[asdict(f) for f in doc._.migtag_figures] for doc in nlp.pipe(row["sentence"] for row in rows)]
    ours_seconds = time.perf_counter() - started
    started = time.perf_counter()
    theirs = [quantulum_figures(row["sentence"]) for row in rows]
    theirs_seconds = time.perf_counter() - started
    print(f"{len(rows)} gold sentences ({', '.join(p.name for p in GOLD_FILES if p.exists())}), "
          f"{sum(len(g) for g in gold)} figures")
    for name, found, seconds in (("migtag", ours, ours_seconds), ("quantulum3 0.10.0", theirs, theirs_seconds)):
        scores = figure_metrics(gold, found)
        print(f"{name:>18}: precision {scores['precision']:.3f}  recall {scores['recall']:.3f}  "
              f"F1 {scores['f1']:.3f}  ({seconds:.1f} s)")
    errors = figure_metrics(gold, theirs)["errors"]
    kinds = Counter(
        f"{'missed' if 'missed' in e else 'spurious'} {(e.get('missed') or e.get('spurious'))['kind']}" for e in errors
    )
    print("quantulum3's errors by type:", ", ".join(f"{k}: {v}" for k, v in kinds.most_common(15)))


if __name__ == "__main__":
    main()
