"""What to review first: the passages of a run the model is least sure of, and a few it is sure
of as a check, so that each hour of review teaches the next model most.

Sureness is read from the model's calibrated scores against its own thresholds, on the decisions
a reviewer makes (MiGOF categories and SDG goals): a passage whose closest call sits right at a
threshold is the least sure. Passages already reviewed, too short to judge, or repeating one
already picked are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .classify import TrainedModel, split_key
from .corpus import text_hash
from .io import unsafe_cell

DECISION_FIELDS = ("migof", "sdg_goals")
MIN_WORDS = 12


@dataclass(frozen=True)
class Suggestion:
    """One passage to review, why, and how close its closest call is (0: on the threshold)."""

    row: dict[str, str]
    reason: str
    margin: float


def closest_calls(model: TrainedModel, texts: list[str]) -> tuple[np.ndarray, list[str]]:
    """Per text, the distance of its closest decision from its threshold (scaled to 0..1, 0 =
    on it) and a note naming that decision."""
    scores = model.scores(texts)
    columns = [k for k, key in enumerate(model.keys) if split_key(key)[0] in DECISION_FIELDS]
    thresholds = np.array([model.thresholds.get(model.keys[k], 0.5) for k in columns])
    chosen = scores[:, columns]
    # a score's distance from its threshold, over the room on that side of it
    room = np.where(chosen >= thresholds, 1.0 - thresholds, thresholds)
    margins = np.abs(chosen - thresholds) / np.maximum(room, 1e-6)
    closest = margins.argmin(axis=1)
    notes = []
    for row, column in enumerate(closest):
        field, label = split_key(model.keys[columns[column]])
        name = label if field == "migof" else f"SDG {label}"
        notes.append(f"{name} {chosen[row, column]:.2f} against a threshold of {thresholds[column]:.2f}")
    return margins[np.arange(len(texts)), closest], notes


def suggest(rows: list[dict[str, str]], model: TrainedModel, n: int, *, check_share: float = 0.1) -> list[Suggestion]:
    """`n` passages to review: the least sure first, then about `check_share` of sure ones."""
    candidates = []
    seen: set[str] = set()
    for row in rows:
        text = unsafe_cell(row.get("text", ""))
        digest = text_hash(text)
        if row.get("review_status", "").strip() or len(text.split()) < MIN_WORDS or digest in seen:
            continue
        seen.add(digest)
        candidates.append((row, text))
    if not candidates or n <= 0:
        return []
    margins, notes = closest_calls(model, [text for _, text in candidates])
    order = np.argsort(margins, kind="stable")
    checks = min(len(candidates) // 2, round(n * check_share)) if n >= 5 else 0
    unsure = [int(i) for i in order[: n - checks]]
    taken = set(unsure)
    sure = [int(i) for i in order[::-1] if int(i) not in taken][:checks]
    picked = [Suggestion(candidates[i][0], f"unsure: {notes[i]}", round(float(margins[i]), 4)) for i in unsure]
    picked += [Suggestion(candidates[i][0], f"check: sure of it ({notes[i]})", round(float(margins[i]), 4)) for i in sure]
    return picked
