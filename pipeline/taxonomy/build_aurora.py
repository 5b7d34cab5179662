"""Build `aurora_queries.json` from the Aurora SDG query lines (Scopus syntax) in a CSV.

    python -m pipeline.taxonomy.build_aurora [CSV]

CSV defaults to `../shared/data/sdg-queries-aurora/aurora_v5_target_query_lines.csv` next to the
repository (columns `sdg`, `subquery`, `target`, `query_line`, `target_as_in_xml`, ...). Every
line is parsed with `pipeline.queries.parse_query`; the JSON keeps only the parsed trees, not the
query text, and credits the source. Lines that do not parse, or whose target is not an SDG
target of `sdg_targets.csv`, are dropped and listed on stderr; the exit code is 0 all the same,
so a partial build is still written, and 1 only when no line could be used.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

from pipeline.queries import (
    QueryError,
    format_query,
    node_from_json,
    node_to_json,
    parse_query,
)

TAXONOMY_DIR = Path(__file__).parent
REPO = TAXONOMY_DIR.parents[1]
DEFAULT_CSV = (
    REPO.parent / "shared" / "data" / "sdg-queries-aurora" / "aurora_v5_target_query_lines.csv"
)
OUTPUT = TAXONOMY_DIR / "aurora_queries.json"

SOURCE = (
    "Aurora Universities Network, SDG search queries v5.0, "
    "https://github.com/Aurora-Network-Global/sdg-queries, doi:10.5281/zenodo.3817445, "
    "CC BY 4.0; adapted: Scopus syntax translated into a JSON query tree for plain text, "
    "goal-level lines (target ending .0) kept as goal queries"
)

# "1.1", "3.c", "16.10"; the XML spells lettered targets "3c", and "13.0" is the goal itself
_TARGET = re.compile(r"^(\d{1,2})\.?([a-z]|\d{1,2})$")


def read_targets() -> dict[str, str]:
    """The valid SDG target ids and their goal, from the shipped `sdg_targets.csv`."""
    with (TAXONOMY_DIR / "sdg_targets.csv").open(encoding="utf-8", newline="") as handle:
        return {row["target"]: row["goal"] for row in csv.DictReader(handle)}


def normalise_target(row: dict[str, str], targets: dict[str, str]) -> tuple[str | None, str]:
    """(target or None for a goal-level line, goal); ValueError if it is no SDG target."""
    goal = row["sdg"].strip()
    raw = row.get("target_as_in_xml", "").strip() or row["target"].strip()
    if "goal-level" in row["target"] or re.fullmatch(r"\d{1,2}\.0", raw):
        return None, goal
    m = _TARGET.match(raw.lower()) or _TARGET.match(row["target"].strip().lower())
    if not m:
        raise ValueError(f"unreadable target {row['target']!r}")
    target = f"{m[1]}.{m[2]}"
    if target not in targets:
        raise ValueError(f"{target} is not an SDG target")
    if targets[target] != goal:
        raise ValueError(f"{target} belongs to goal {targets[target]}, the line says goal {goal}")
    return target, goal


def build(csv_path: Path) -> tuple[list[dict], list[str]]:
    """The query entries of the JSON file, and a message for each dropped line."""
    targets = read_targets()
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    queries, dropped = [], []
    for number, row in enumerate(rows, 1):
        where = f"line {number} (SDG {row['sdg']}, subquery {row['subquery']}, {row['target']})"
        try:
            target, goal = normalise_target(row, targets)
            tree = parse_query(row["query_line"])
        except (QueryError, ValueError) as error:
            dropped.append(f"{where}: {error}")
            continue
        data = node_to_json(tree)
        # the JSON must read back into the very same tree the parser made
        assert node_from_json(data) == tree, format_query(tree)
        queries.append({
            "line": number, "target": target, "goal": goal, "subquery": row["subquery"], "tree": data,
        })
    return queries, dropped


def write(queries: list[dict], path: Path) -> None:
    # one query a line: the file stays readable and diffs stay small
    body = ",\n".join("  " + json.dumps(q, ensure_ascii=False) for q in queries)
    path.write_text(
        '{\n"_source": ' + json.dumps(SOURCE) + ',\n"queries": [\n' + body + "\n]\n}\n",
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if not args.csv.is_file():
        print(f"no query CSV at {args.csv}", file=sys.stderr)
        return 2
    queries, dropped = build(args.csv)
    for message in dropped:
        print(f"dropped {message}", file=sys.stderr)
    if not queries:
        print("no query line could be used: nothing written", file=sys.stderr)
        return 1
    write(queries, args.out)
    per_goal = Counter(q["goal"] for q in queries)
    goal_level = sum(q["target"] is None for q in queries)
    print(
        f"wrote {len(queries)} queries ({goal_level} goal-level, "
        f"{len({q['target'] for q in queries if q['target']})} targets), "
        f"dropped {len(dropped)}, to {args.out}"
    )
    print("per goal: " + ", ".join(f"{g}: {per_goal[g]}" for g in sorted(per_goal, key=int)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
