"""migtag's number and figure reading checked against public quantity test suites.

Run: `.venv/bin/python benchmarks/quantity_specs.py` (needs `../shared/data/quantity-tests`).

Three sources, each kept to the cases the contract covers (what is left out is counted with its
reason, so the selection is visible):
- Recognizers-Text `NumberModel.json`: every number result's text is normalised alone with
  `pipeline.figures.parse_number` and compared with its value.
- Recognizers-Text `PercentModel.json`: the full extractor runs on the input and must report a
  `percent` figure of that value.
- quantulum3 `quantities.json`: the full extractor runs on the sentence and must report every
  expected quantity whose unit the contract knows (counts, per cent, money, SI measures) with the
  same value, kind and unit.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.figures import parse_number  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "quantity-tests"
SPECS = Path("recognizers-text") / "Specs" / "Number" / "English"

# quantulum3 unit name -> (kind, unit) in the contract's terms
QUANTULUM_UNITS = {
    "dimensionless": ("count", None),
    "percentage": ("percent", None),
    "dollar": ("money", "USD"),
    "euro": ("money", "EUR"),
    "pound sterling": ("money", "GBP"),
    "kilometre": ("measure", "km"),
    "square kilometre": ("measure", "km2"),
    "metre": ("measure", "m"),
    "litre": ("measure", "l"),
    "tonne": ("measure", "t"),
    "kilogram": ("measure", "kg"),
    "megawatt hour": ("measure", "MWh"),
    "watt hour": ("measure", "Wh"),
}
# Not figures by the contract, or units it does not cover.
OUT_OF_CONTRACT_UNITS = {
    "year": "duration", "month": "duration", "week": "duration", "day": "duration",
    "hour": "duration", "gigayear": "duration", "megayear": "duration",
    "mile": "imperial unit", "inch": "imperial unit", "gallon": "imperial unit",
    "square mile": "imperial unit", "degree fahrenheit": "imperial unit",
    "penny": "coin as a unit", "cent": "coin as a unit", "dime": "coin as a unit",
    "dozen": "dozen as a unit", "baker's dozen": "dozen as a unit", "gross": "gross as a unit",
}


def _close(a: float, b: float) -> bool:
    # fractions are given to four decimals by the contract ("two thirds" -> 0.6667)
    return abs(a - b) <= max(1e-6 * abs(b), 5e-5)


def _number_exclusion(result: dict) -> str | None:
    text = result["Text"].lower()
    subtype = result["Resolution"].get("subtype")
    if subtype == "power" or re.search(r"\d\s*[e^]\s*-?\d|\bpower\b", text):
        return "powers and scientific notation"
    if text.startswith(("-", "minus", "negative")) or re.search(r"\bminus\b|\bnegative\b", text):
        return "negative numbers"
    if re.fullmatch(r"[\d,.]+\s?(?:g|mm)", text):
        return "'g' as giga and 'mm' as million: migtag reads them as the SI grams and millimetres"
    if subtype == "fraction":
        return "fractions as numbers ('five eighths', 'six million and two thirds'); the contract's fractions are shares of a group"
    if re.search(r"\bpoint\b|\bnought\b|\bzero\b", text) and not re.search(r"\d", text):
        return "decimals spoken aloud ('nine point nought four')"
    if re.fullmatch(r"\d+(?:\.\d{3})*,\d{1,2}", text):
        return "decimal commas ('1,3', '1.111,11'): in English text the comma separates thousands"
    if re.search(r"\d", text) and re.search(r"\b(?:hundred|thousand|million|crore|lakh)\b.*\b(?:and\s+)?(?:\d|one|two|three|hundred)", text):
        return "digits mixed with several number words ('4 thousand 3 hundred and 21')"
    return None


def number_model(shared: Path) -> tuple[int, int, list[dict], Counter]:
    cases = json.loads((shared / SPECS / "NumberModel.json").read_text(encoding="utf-8"))
    passed = total = 0
    failures: list[dict] = []
    excluded: Counter = Counter()
    for case in cases:
        for result in case["Results"]:
            if result["TypeName"] != "number":
                continue
            reason = _number_exclusion(result)
            if reason:
                excluded[reason] += 1
                continue
            expected = float(result["Resolution"]["value"])
            got = parse_number(result["Text"])
            total += 1
            if got is not None and _close(got, expected):
                passed += 1
            else:
                failures.append({"source": "NumberModel", "input": result["Text"], "expected": expected, "got": got})
    return passed, total, failures, excluded


def percent_model(shared: Path, nlp) -> tuple[int, int, list[dict], Counter]:
    cases = json.loads((shared / SPECS / "PercentModel.json").read_text(encoding="utf-8"))
    passed = total = 0
    failures: list[dict] = []
    excluded: Counter = Counter()
    for case in cases:
        for result in case["Results"]:
            value = result["Resolution"].get("value")
            if value in (None, "null"):
                excluded["a percent sign or word with no number"] += 1
                continue
            if value.startswith("-"):
                excluded["negative numbers"] += 1
                continue
            if result["Text"].lower().startswith(("percent", "per cent")):
                excluded["'per cent of twenty': the percent word before its number"] += 1
                continue
            total += 1
            expected = float(value.rstrip("%"))
            found = [(f.kind, f.value) for f in nlp(case["Input"])._.migtag_figures]
            if any(kind == "percent" and _close(v, expected) for kind, v in found):
                passed += 1
            else:
                failures.append({"source": "PercentModel", "input": case["Input"], "expected": expected, "got": found})
    return passed, total, failures, excluded


def quantulum(shared: Path, nlp) -> tuple[int, int, list[dict], Counter]:
    cases = json.loads((shared / "quantulum3" / "quantities.json").read_text(encoding="utf-8"))
    passed = total = 0
    failures: list[dict] = []
    excluded: Counter = Counter()
    for case in cases:
        wanted = []
        for quantity in case["res"]:
            unit = quantity["unit"]
            if float(quantity["value"]) < 0:
                excluded["negative numbers"] += 1
            elif unit in OUT_OF_CONTRACT_UNITS:
                excluded[OUT_OF_CONTRACT_UNITS[unit]] += 1
            elif unit not in QUANTULUM_UNITS:
                excluded["units outside the contract (physics, data sizes, rates, temperature)"] += 1
            elif quantity.get("uncertainty"):
                excluded["a range reported as its midpoint (the contract gives both ends)"] += 1
            elif unit == "dimensionless" and re.fullmatch(r"(19|20)\d\d", quantity["surface"]):
                excluded["years (not figures)"] += 1
            elif re.search(r"[×^/]|\de[-+]?\d", quantity["surface"]):
                excluded["powers, slashes and scientific notation"] += 1
            else:
                wanted.append(quantity)
        if not wanted:
            continue
        total += 1
        found = [(f.kind, f.unit, f.value) for f in nlp(case["req"])._.migtag_figures]
        missing = [
            q for q in wanted
            if not any(
                (kind == QUANTULUM_UNITS[q["unit"]][0] or (kind == "fraction" and q["unit"] == "dimensionless"))
                and (QUANTULUM_UNITS[q["unit"]][1] is None or unit == QUANTULUM_UNITS[q["unit"]][1])
                and _close(value, float(q["value"]))
                for kind, unit, value in found
            )
        ]
        if missing:
            failures.append({
                "source": "quantulum3", "input": case["req"],
                "expected": [(q["surface"], q["value"], q["unit"]) for q in missing], "got": found,
            })
        else:
            passed += 1
    return passed, total, failures, excluded


def run(shared: Path = SHARED) -> dict:
    """Pass rates per source and overall, every failure, and what was left out and why."""
    from pipeline.nlp import build_nlp

    nlp = build_nlp(with_classifier=False)
    results = {
        "NumberModel": number_model(shared),
        "PercentModel": percent_model(shared, nlp),
        "quantulum3": quantulum(shared, nlp),
    }
    passed = sum(r[0] for r in results.values())
    total = sum(r[1] for r in results.values())
    return {
        "passed": passed,
        "total": total,
        "rate": round(passed / total, 4) if total else 0.0,
        "by_source": {name: {"passed": r[0], "total": r[1]} for name, r in results.items()},
        "failures": [f for r in results.values() for f in r[2]],
        "excluded": {name: dict(r[3]) for name, r in results.items()},
    }


def main() -> None:
    report = run()
    print(f"in-contract cases passed: {report['passed']}/{report['total']} ({report['rate']:.1%})")
    for name, counts in report["by_source"].items():
        print(f"  {name}: {counts['passed']}/{counts['total']}")
    print("left out (not in the contract):")
    for name, reasons in report["excluded"].items():
        for reason, count in reasons.items():
            print(f"  {name}: {count} × {reason}")
    print("failures:")
    for failure in report["failures"]:
        print(f"  [{failure['source']}] {failure['input']!r}: expected {failure['expected']}, got {failure['got']}")


if __name__ == "__main__":
    main()
