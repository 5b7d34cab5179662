"""The label taxonomy as data: SDG goals and targets, MiGOF categories, rule patterns.

Code never spells a label: it asks this module which labels exist and what they mean.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TAXONOMY_DIR = Path(__file__).parent
LABEL_FILES = ("sdg_goals.csv", "sdg_targets.csv", "migof.csv")
_SDG_PREFIX = re.compile(r"^\s*(?:SDG\s*(?:target\s*)?)", re.IGNORECASE)


@dataclass(frozen=True)
class Taxonomy:
    """Every valid label, with its text, and the goal each target belongs to."""

    goals: dict[str, str]
    targets: dict[str, str]
    target_goal: dict[str, str]
    migof: dict[str, str]
    migof_descriptions: dict[str, str]

    def goal_of(self, target: str) -> str:
        """The goal a target belongs to ("10.c" -> "10")."""
        return self.target_goal[target]

    def label_set(self, field: str) -> tuple[str, ...]:
        """The labels of one tag field: `migof`, `sdg_goals` or `sdg_targets`."""
        return {
            "migof": tuple(self.migof),
            "sdg_goals": tuple(self.goals),
            "sdg_targets": tuple(self.targets),
        }[field]


def _read_csv(name: str) -> list[dict[str, str]]:
    with (TAXONOMY_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    """Read the label files shipped with the package."""
    # the UN text of goal 13 ends in a footnote marker ("its impacts3"); the file stays as
    # published (models are tied to its hash), the marker goes here
    goals = {row["goal"]: re.sub(r"(?<=[a-z])\d+$", "", row["goal_text"]) for row in _read_csv("sdg_goals.csv")}
    target_rows = _read_csv("sdg_targets.csv")
    migof_rows = _read_csv("migof.csv")
    return Taxonomy(
        goals=goals,
        targets={row["target"]: row["target_text"] for row in target_rows},
        target_goal={row["target"]: row["goal"] for row in target_rows},
        migof={row["label"]: row["name"] for row in migof_rows},
        migof_descriptions={row["label"]: row["description"] for row in migof_rows},
    )


def labels_hash() -> str:
    """SHA-256 over the label files, stored with a model so a mismatch is caught on load."""
    digest = hashlib.sha256()
    for name in LABEL_FILES:
        digest.update((TAXONOMY_DIR / name).read_bytes())
    return digest.hexdigest()


def normalise_sdg_label(raw: str) -> str:
    """Accept both the bare and the spreadsheet-safe form: "SDG 10.7" and "10.7" -> "10.7"."""
    return _SDG_PREFIX.sub("", raw).strip()


def split_labels(cell: str | None) -> list[str]:
    """Split a `; `-joined label cell into labels, dropping blanks and spreadsheet quotes."""
    if not cell:
        return []
    text = str(cell).lstrip("'")
    return [part.strip() for part in re.split(r"[;,]", text) if part.strip()]
