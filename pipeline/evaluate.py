"""Evaluation: how well the tags a pipeline asserts match labelled passages.

`evaluate` runs the whole tagger (rules, classifier, combine) over labelled passages and scores
each field per label (precision, recall, F1, support), micro and macro, with the MiGOF
confusion matrix of main label against highest-scoring category.
"""

from __future__ import annotations

from collections.abc import Sequence

from .records import LabelledPassage, Passage, TaggedPassage

FIELDS = ("migof", "sdg_goals", "sdg_targets")


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def label_metrics(gold: Sequence[set[str]], predicted: Sequence[set[str]]) -> dict:
    """Per-label, micro and macro precision, recall and F1 of predicted label sets."""
    labels = sorted(set().union(*gold, *predicted), key=_label_order) if gold else []
    per_label = {}
    total_tp = total_fp = total_fn = 0
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if label in g and label in p)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if label not in g and label in p)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if label in g and label not in p)
        per_label[label] = {**_prf(tp, fp, fn), "support": tp + fn}
        total_tp, total_fp, total_fn = total_tp + tp, total_fp + fp, total_fn + fn
    supported = [scores for scores in per_label.values() if scores["support"]]
    macro = {
        name: round(sum(s[name] for s in supported) / len(supported), 4) if supported else 0.0
        for name in ("precision", "recall", "f1")
    }
    return {"micro": _prf(total_tp, total_fp, total_fn), "macro": macro, "per_label": per_label}


def _label_order(label: str) -> tuple:
    parts = label.replace(".", " ").split()
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def migof_top1(gold: Sequence[Sequence[str]], top: Sequence[str | None]) -> float:
    """Share of passages with a MiGOF label whose top-ranked category is among their labels."""
    pairs = [(g, t) for g, t in zip(gold, top, strict=True) if g]
    if not pairs:
        return 0.0
    return round(sum(1 for g, t in pairs if t in g) / len(pairs), 4)


def confusion(gold_main: Sequence[str], predicted_main: Sequence[str]) -> dict[str, dict[str, int]]:
    """MiGOF confusion matrix: rows the main gold label, columns the top predicted ("none" if none)."""
    labels = sorted(set(gold_main) | set(predicted_main))
    matrix = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold_main, predicted_main, strict=True):
        matrix[g][p] += 1
    return matrix


def evaluate(
    examples: list[LabelledPassage], tagged: list[TaggedPassage]
) -> dict:
    """Score the tags the pipeline asserted against the labels of the same passages."""
    result: dict = {"n": len(examples)}
    for field in FIELDS:
        gold = [set(getattr(example, field)) for example in examples]
        predicted = [{tag.label for tag in getattr(item, field)} for item in tagged]
        result[field] = label_metrics(gold, predicted)
    with_migof = [
        (example, item) for example, item in zip(examples, tagged, strict=True) if example.migof
    ]
    result["migof_top1_accuracy"] = migof_top1(
        [example.migof for example, _ in with_migof],
        [item.migof[0].label if item.migof else None for _, item in with_migof],
    )
    result["migof_confusion"] = confusion(
        [example.migof[0] for example, _ in with_migof],
        [item.migof[0].label if item.migof else "none" for _, item in with_migof],
    )
    return result


def as_passages(examples: list[LabelledPassage]) -> list[Passage]:
    """Labelled passages as pipeline input."""
    return [
        Passage(passage_id=example.id, doc_id="eval", doc=example.source, page=0, n=n, text=example.text)
        for n, example in enumerate(examples)
    ]


def _same_counted(gold: str | None, found: str | None) -> bool:
    def norm(text: str | None) -> str:
        words = (text or "").lower().replace("’", "'").split()
        return " ".join(w for w in words if w not in {"the", "a", "an", "of", "their", "its"})

    return norm(gold) == norm(found)


def figure_metrics(gold: Sequence[Sequence[dict]], found: Sequence[Sequence[dict]]) -> dict:
    """Precision, recall and F1 of figures matched on value and kind, sentence by sentence,
    and how often the matched figures have the right `counted`, `qualifier`, `unit`, `year`
    and `change`."""
    tp = fp = fn = 0
    agree = {name: 0 for name in ("counted", "qualifier", "unit", "year", "change")}
    misses: list[dict] = []
    for gold_figures, found_figures in zip(gold, found, strict=True):
        remaining = list(found_figures)
        for expected in gold_figures:
            match = next(
                (
                    f
                    for f in remaining
                    if f["kind"] == expected["kind"]
                    and abs(float(f["value"]) - float(expected["value"]))
                    <= 1e-3 * max(1.0, abs(float(expected["value"])))
                ),
                None,
            )
            if match is None:
                fn += 1
                misses.append({"missed": expected})
                continue
            remaining.remove(match)
            tp += 1
            agree["counted"] += _same_counted(expected.get("counted"), match.get("counted"))
            for name in ("qualifier", "unit", "year", "change"):
                agree[name] += expected.get(name) == match.get(name)
        fp += len(remaining)
        misses.extend({"spurious": f} for f in remaining)
    result = _prf(tp, fp, fn)
    result.update({"tp": tp, "fp": fp, "fn": fn})
    result.update({f"{name}_accuracy": round(count / tp, 4) if tp else 0.0 for name, count in agree.items()})
    result["errors"] = misses
    return result
