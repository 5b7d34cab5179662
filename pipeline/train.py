"""Training: from labelled passages to a model folder, with cross-validated thresholds and metrics.

The fixed test split (see `corpus.split_of`) is held out: thresholds are tuned on out-of-fold
predictions of the training side, the final estimator is fitted on the training side, and the
test side gives the scores written to `metrics.json` and compared between models.
"""

from __future__ import annotations

import json
import logging
import platform
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import sklearn
import skops
import spacy
from joblib import Parallel, delayed
from sklearn.metrics import brier_score_loss
from sklearn.model_selection import KFold

from . import __version__
from .classify import (
    TrainedModel,
    calibrate,
    compact,
    fit_calibration,
    lift_goals,
    make_estimator,
    raw_probabilities,
    save_model,
    split_key,
)
from .corpus import corpus_files, files_digest, split_of, text_hash
from .evaluate import _label_order, label_metrics, migof_top1
from .records import LabelledPassage
from .taxonomy import labels_hash, load_taxonomy

log = logging.getLogger(__name__)

FIELDS = ("migof", "sdg_goals", "sdg_targets")


@dataclass(frozen=True)
class TrainSettings:
    """What a training run may vary."""

    min_examples: int = 5
    folds: int = 5
    c: float = 1.0
    seed: int = 0
    n_jobs: int = -1
    target_texts: bool = True  # learn from the official target texts as well
    goals_from_targets: bool = True  # a goal scores at least its best target (`lift_goals`)
    # labels with fewer positive passages take their field's shared threshold (`tune_thresholds`)
    threshold_min_positives: int = 100
    threshold_grid: tuple[float, ...] = tuple(round(x, 2) for x in np.arange(0.05, 0.91, 0.025))


def label_keys(passages: list[LabelledPassage], min_examples: int) -> list[str]:
    """The label keys with enough positive examples to learn from, in taxonomy order."""
    counts: dict[str, int] = {}
    for passage in passages:
        for field in FIELDS:
            for label in getattr(passage, field):
                key = f"{field}:{label}"
                counts[key] = counts.get(key, 0) + 1
    keys = [key for key, count in counts.items() if count >= min_examples]
    return sorted(keys, key=_key_order)


def _key_order(key: str) -> tuple[int, tuple]:
    field, label = key.split(":", 1)
    return FIELDS.index(field), _label_order(label)


def label_matrix(passages: list[LabelledPassage], keys: list[str]) -> np.ndarray:
    """Rows are passages, columns label keys, 1 where the passage carries the label."""
    # int64, not int8: scikit-learn 1.9.1's LabelBinarizer (inside OneVsRestClassifier) scrambles
    # an int8 label matrix (it did for one fold of 1,738 passages: training AUC 0.62)
    matrix = np.zeros((len(passages), len(keys)), dtype=np.int64)
    index = {key: k for k, key in enumerate(keys)}
    for row, passage in enumerate(passages):
        for field in FIELDS:
            for label in getattr(passage, field):
                k = index.get(f"{field}:{label}")
                if k is not None:
                    matrix[row, k] = 1
    return matrix


def tune_thresholds(
    truth: np.ndarray,
    scores: np.ndarray,
    keys: list[str],
    grid: tuple[float, ...],
    min_positives: int = 0,
) -> dict[str, float]:
    """Per label, the threshold on out-of-fold scores that gives the best F1.

    A label with fewer than `min_positives` positive passages takes its field's shared
    threshold instead (the one giving the field's best micro-F1): the scores are calibrated,
    so one number means the same for every label, and the best-F1 point of a few dozen
    passages is mostly noise (cross-fitted on the corpus, its own threshold cost rare targets
    more F1 than the shared one; benchmarks/RESULTS.md).
    """
    thresholds = {}
    shared = _field_thresholds(truth, scores, keys, grid) if min_positives else {}
    for k, key in enumerate(keys):
        if min_positives and int(truth[:, k].sum()) < min_positives:
            thresholds[key] = shared[split_key(key)[0]]
            continue
        thresholds[key] = _best_threshold(truth[:, k : k + 1], scores[:, k : k + 1], grid)
    return thresholds


def _best_threshold(truth: np.ndarray, scores: np.ndarray, grid: tuple[float, ...]) -> float:
    """The threshold of `grid` with the best micro-F1 over the columns given."""
    best, best_f1 = 0.5, -1.0
    for threshold in grid:
        f1 = _f1_at(truth, scores, threshold)
        # ties go to the threshold nearest 0.5, the least surprising one
        if f1 > best_f1 + 1e-9 or (abs(f1 - best_f1) < 1e-9 and abs(threshold - 0.5) < abs(best - 0.5)):
            best, best_f1 = threshold, f1
    return float(best)


def _f1_at(truth: np.ndarray, scores: np.ndarray, threshold: float) -> float:
    predicted = scores >= threshold
    tp = int(np.sum(predicted & (truth == 1)))
    fp = int(np.sum(predicted & (truth == 0)))
    fn = int(np.sum(~predicted & (truth == 1)))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _field_thresholds(
    truth: np.ndarray, scores: np.ndarray, keys: list[str], grid: tuple[float, ...]
) -> dict[str, float]:
    """Per field, the one threshold that gives the best micro-F1 over all its labels."""
    shared = {}
    for field in FIELDS:
        columns = [k for k, key in enumerate(keys) if split_key(key)[0] == field]
        shared[field] = _best_threshold(truth[:, columns], scores[:, columns], grid) if columns else 0.5
    return shared


def score_matrix(
    truth: np.ndarray, scores: np.ndarray, keys: list[str], thresholds: dict[str, float]
) -> dict:
    """Per-label and averaged metrics of model scores at the given thresholds."""
    predicted = np.column_stack(
        [scores[:, k] >= thresholds[key] for k, key in enumerate(keys)]
    ) if keys else np.zeros_like(truth, dtype=bool)
    gold_sets: dict[str, list[set[str]]] = {field: [] for field in FIELDS}
    pred_sets: dict[str, list[set[str]]] = {field: [] for field in FIELDS}
    for row in range(truth.shape[0]):
        for field in FIELDS:
            gold_sets[field].append(
                {key.split(":", 1)[1] for k, key in enumerate(keys) if key.startswith(field + ":") and truth[row, k]}
            )
            pred_sets[field].append(
                {key.split(":", 1)[1] for k, key in enumerate(keys) if key.startswith(field + ":") and predicted[row, k]}
            )
    result = {field: label_metrics(gold_sets[field], pred_sets[field]) for field in FIELDS}
    migof_keys = [k for k, key in enumerate(keys) if key.startswith("migof:")]
    gold_main = []
    ranked = []
    for row in range(truth.shape[0]):
        gold = [keys[k].split(":")[1] for k in migof_keys if truth[row, k]]
        gold_main.append(gold)
        order = sorted(migof_keys, key=lambda k: -scores[row, k])
        ranked.append(keys[order[0]].split(":")[1] if order else None)
    result["migof_top1_accuracy"] = migof_top1(gold_main, ranked)
    return result


def _mean_brier(truth: np.ndarray, scores: np.ndarray) -> float:
    """Mean over labels of the Brier score: how far the scores are from being probabilities."""
    return round(float(np.mean([brier_score_loss(truth[:, k], scores[:, k]) for k in range(truth.shape[1])])), 4)


def _git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def taxonomy_examples() -> list[LabelledPassage]:
    """The official text of every SDG target as a training example for its target and goal.

    They are short and worded like the targets, not like reports, so they only add to the
    corpus: they teach each target's own vocabulary, most useful for targets the corpus covers
    thinly.
    """
    taxonomy = load_taxonomy()
    return [
        LabelledPassage(
            id=f"target-{target}",
            text=text,
            sdg_goals=(taxonomy.goal_of(target),),
            sdg_targets=(target,),
            source="pipeline/taxonomy/sdg_targets.csv",
        )
        for target, text in taxonomy.targets.items()
    ]


def _fit_and_score(
    train_texts: list[str], train_truth: np.ndarray, held_texts: list[str], settings: TrainSettings
) -> np.ndarray:
    estimator = make_estimator(c=settings.c, seed=settings.seed).fit(train_texts, train_truth)
    return raw_probabilities(estimator, held_texts)


def fit_model(
    passages: list[LabelledPassage], *, name: str, settings: TrainSettings | None = None
) -> tuple[TrainedModel, dict]:
    """Fit a model on `passages`: out-of-fold scores give each label's calibration and
    threshold (and the cross-validated metrics returned with the model), then the estimator is
    fitted on all of them."""
    settings = settings or TrainSettings()
    if len(passages) < settings.folds * 2:
        raise ValueError(f"too few passages to train on: {len(passages)}")
    keys = label_keys(passages, settings.min_examples)
    if not keys:
        raise ValueError("no label has enough examples to learn from")
    texts = [p.text for p in passages]
    truth = label_matrix(passages, keys)
    extra = taxonomy_examples() if settings.target_texts else []
    extra_texts = [p.text for p in extra]
    extra_truth = label_matrix(extra, keys)
    folds = KFold(n_splits=settings.folds, shuffle=True, random_state=settings.seed)
    log.info("cross-validating on %d passages, %d labels", len(texts), len(keys))
    # The target texts join every fold's training side but are never scored: out-of-fold
    # scores, calibration and thresholds come from corpus passages only.
    fold_scores = Parallel(n_jobs=settings.n_jobs)(
        delayed(_fit_and_score)(
            [texts[i] for i in train_index] + extra_texts,
            np.vstack([truth[train_index], extra_truth]),
            [texts[i] for i in held_index],
            settings,
        )
        for train_index, held_index in folds.split(texts)
    )
    oof = np.zeros(truth.shape)
    for (_, held_index), scores in zip(folds.split(texts), fold_scores, strict=True):
        oof[held_index] = scores
    calibration = fit_calibration(truth, oof, keys)
    brier_raw = _mean_brier(truth, oof)
    oof = calibrate(oof, keys, calibration)
    if settings.goals_from_targets:
        oof = lift_goals(oof, keys)
    thresholds = tune_thresholds(
        truth, oof, keys, settings.threshold_grid, settings.threshold_min_positives
    )
    cv_metrics = score_matrix(truth, oof, keys, thresholds)
    cv_metrics["brier"] = {"raw": brier_raw, "calibrated": _mean_brier(truth, oof)}
    estimator = compact(
        make_estimator(c=settings.c, seed=settings.seed).fit(
            texts + extra_texts, np.vstack([truth, extra_truth])
        )
    )
    model = TrainedModel(
        estimator=estimator,
        keys=keys,
        thresholds=thresholds,
        name=name,
        calibration=calibration,
        goals_from_targets=settings.goals_from_targets,
    )
    return model, cv_metrics


def train(
    passages: list[LabelledPassage],
    out: Path,
    *,
    name: str,
    sources: list[Path],
    settings: TrainSettings | None = None,
) -> dict:
    """Train, tune and score a model on `passages`; write the model folder to `out`.

    Returns the metrics written to `metrics.json`.
    """
    settings = settings or TrainSettings()
    started = time.perf_counter()
    # reviewed passages always train: the fixed test split is the corpus's, the same for every
    # model, so that models can be compared on it
    train_side = [p for p in passages if p.register == "reviewed" or split_of(p.text) == "train"]
    test_side = [p for p in passages if p.register != "reviewed" and split_of(p.text) == "test"]
    model, cv_metrics = fit_model(train_side, name=name, settings=settings)
    model.reviewed = {
        text_hash(p.text): [f"{field}:{label}" for field in ("migof", "sdg_goals", "sdg_targets") for label in getattr(p, field)]
        for p in passages
        if p.register == "reviewed"
    } or None
    keys, thresholds = model.keys, model.thresholds
    test_metrics = None
    if test_side:
        test_truth = label_matrix(test_side, keys)
        test_metrics = score_matrix(test_truth, model.scores([p.text for p in test_side]), keys, thresholds)
    metrics = {
        "model": name,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "n_train": len(train_side),
        "n_test": len(test_side),
        "n_reviewed": sum(1 for p in passages if p.register == "reviewed"),
        "n_labels": len(keys),
        "cross_validated": cv_metrics,
        "test_split": test_metrics,
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    save_model(model, out)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    manifest = {
        "name": name,
        "migtag_version": __version__,
        "python": platform.python_version(),
        "scikit_learn": sklearn.__version__,
        "skops": skops.__version__,
        "spacy": spacy.__version__,
        "labels_hash": labels_hash(),
        "git_commit": _git_commit(),
        "settings": {k: v for k, v in settings.__dict__.items() if k != "threshold_grid"},
        "sources": files_digest(sources),
        "label_keys": keys,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (out / "model_card.md").write_text(model_card(metrics, manifest, train_side), encoding="utf-8")
    return metrics


def model_card(metrics: dict, manifest: dict, passages: list[LabelledPassage]) -> str:
    """A short human-readable card: data, licence, scores, known weaknesses."""
    cv = metrics["cross_validated"]
    test = metrics["test_split"] or {}

    def line(field: str, block: dict) -> str:
        scores = block.get(field, {})
        micro = scores.get("micro", {})
        return (
            f"| {field} | {micro.get('precision', 0):.3f} | {micro.get('recall', 0):.3f} | "
            f"{micro.get('f1', 0):.3f} | {scores.get('macro', {}).get('f1', 0):.3f} |"
        )

    weakest = ", ".join(
        f"{'goal ' if field == 'sdg_goals' else ''}{label} {scores['f1']:.2f}"
        for field in ("sdg_goals", "migof")
        for label, scores in sorted(
            cv.get(field, {}).get("per_label", {}).items(), key=lambda item: item[1]["f1"]
        )[:4]
    )
    targets_line = (
        "The official texts of the 169 SDG targets (`pipeline/taxonomy/sdg_targets.csv`, United Nations, "
        "A/RES/71/313, reusable with attribution) are added to every training side, labelled with their "
        "target and goal; they are never scored."
        if manifest["settings"].get("target_texts")
        else "No third-party text is in the training data."
    )
    reviewed_line = (
        f"{metrics['n_reviewed']} passages reviewed by analysts (the `--reviewed` sources above) are on the "
        "training side and kept in `reviewed.json`: met again, they get the reviewer's labels outright. Their "
        "text comes from the reports reviewed: check those reports' terms before sharing this model."
        if metrics.get("n_reviewed")
        else ""
    )
    lift_line = (
        "; a goal then scores at least as high as its best target"
        if manifest["settings"].get("goals_from_targets")
        else ""
    )
    sources = "\n".join(f"- `{path}` (sha256 `{digest[:12]}…`)" for path, digest in manifest["sources"].items())
    return f"""# Model card: {metrics['model']}

A multi-label classifier for MiGOF categories, SDG goals and SDG targets: word (1-2-gram) and
character (3-5-gram) TF-IDF features into one-vs-rest linear SVMs with balanced class weights
(C = {manifest['settings']['c']}). Their margins are calibrated into probabilities per label by Platt
scaling fitted on {manifest['settings']['folds']}-fold out-of-fold scores (mean Brier score
{cv.get('brier', {}).get('raw', 0):.4f} raw, {cv.get('brier', {}).get('calibrated', 0):.4f} calibrated){lift_line}, and each
label has one threshold tuned on the same calibrated out-of-fold scores: its own best-F1 point when it
has at least {manifest['settings'].get('threshold_min_positives', 0)} positive passages, else its field's shared best-micro-F1 point.
Used inside migtag together with explicit-mention and phrase rules (see `migtag explain`).

## Data
{metrics['n_train']} training passages and {metrics['n_test']} held-out test passages (fixed split by
text hash), {metrics['n_labels']} labels with at least {manifest['settings']['min_examples']} examples.
Sources:
{sources}

The corpus passages were written for this project (licence: MIT, as the repository).
{targets_line}
{reviewed_line}

## Scores
Micro and macro averages; MiGOF top-1 accuracy is the share of passages with a MiGOF label whose
highest-scoring category is one of their labels.

| field | precision | recall | micro F1 | macro F1 |
|---|---|---|---|---|
**Cross-validated (training side)**
{line('migof', cv)}
{line('sdg_goals', cv)}
{line('sdg_targets', cv)}

**Held-out test split**
{line('migof', test)}
{line('sdg_goals', test)}
{line('sdg_targets', test)}

MiGOF top-1 accuracy: cross-validated {cv.get('migof_top1_accuracy', 0):.3f}, test
{test.get('migof_top1_accuracy', 0) if test else 0:.3f}. Per-label scores are in `metrics.json`.

## Known weaknesses
- Weakest labels (cross-validated F1): {weakest}.
- Trained on passages written for this project: phrasing far from it (other registers, other
  languages, OCR noise) scores lower. Review before you count.
- Most of the corpus is about migration; general development text with no migration angle (the
  `sdg_dev*` files, goals 8 and 10 above all) came late and scores lower: see
  `benchmarks/RESULTS.md` for the model measured on it before it was trained on it.
- Captions, headings and list items came late too (the `short_*` files): a short piece that
  names a topic in two or three words can still be tagged from them, and one that should be
  tagged often gets no MiGOF category at all.
- Labels were reviewed once where a cross-validated model disagreed confidently (`corpus/README.md`,
  "Label reviews"): every change moved a label towards the model, so cross-validated scores since
  then lean its way.
- Targets with fewer than {manifest['settings']['min_examples']} examples are not learned; only explicit
  mentions and phrase rules tag them.
- Cross-validated scores use thresholds tuned on the same out-of-fold scores, so they are a little
  optimistic; the held-out test split is the honest number.

## Versions
migtag {manifest['migtag_version']}, scikit-learn {manifest['scikit_learn']}, skops {manifest['skops']},
labels hash `{manifest['labels_hash'][:16]}…`, commit `{manifest['git_commit']}`.
"""


def training_sources(corpus: Path, reviewed: list[Path]) -> list[Path]:
    """Every file a model is trained from, for its manifest."""
    return corpus_files(corpus) + list(reviewed)


def cross_validate(
    passages: list[LabelledPassage], *, folds: int = 5, settings: TrainSettings | None = None
) -> dict:
    """Cross-validate the whole tagger (rules, model and how they combine) on `passages`.

    Each fold's model is fitted on the other folds (its thresholds tuned by an inner
    cross-validation) and the full pipeline tags the held-out fold; the tags of all folds are
    scored together, so every passage is scored by a model that never saw it.
    """
    from tempfile import TemporaryDirectory

    from .evaluate import as_passages, evaluate
    from .nlp import build_nlp, tag_passages

    settings = settings or TrainSettings()
    splitter = KFold(n_splits=folds, shuffle=True, random_state=settings.seed)
    tagged_by_index = {}
    for fold, (train_index, held_index) in enumerate(splitter.split(passages)):
        log.info("fold %d of %d: training on %d passages", fold + 1, folds, len(train_index))
        model, _ = fit_model([passages[i] for i in train_index], name=f"cv-{fold}", settings=settings)
        held = [passages[i] for i in held_index]
        with TemporaryDirectory(prefix="migtag-cv-") as folder:
            save_model(model, Path(folder))
            nlp = build_nlp(folder, with_parser=False)
            tagged = list(tag_passages(nlp, as_passages(held)))
        tagged_by_index.update(zip(held_index, tagged, strict=True))
    metrics = evaluate(passages, [tagged_by_index[i] for i in range(len(passages))])
    metrics["folds"] = folds
    return metrics


def score_on_test_split(folder: Path, corpus: Path, *, exclude: set[str] | frozenset[str] = frozenset()) -> dict:
    """The whole tagger with the model in `folder`, scored on the fixed test split of `corpus`.

    Every model is scored on the same passages, so two models can be compared; `exclude`
    (normalised-text hashes) leaves out passages one of them has seen reviewed. `combined_f1`
    is the mean of the micro-F1 of MiGOF, goals and targets: the one number that decides.
    """
    from .corpus import load_corpus
    from .evaluate import as_passages, evaluate
    from .nlp import build_nlp, tag_passages

    examples = [p for p in load_corpus(corpus, split="test") if text_hash(p.text) not in exclude]
    nlp = build_nlp(folder, with_parser=False)
    metrics = evaluate(examples, list(tag_passages(nlp, as_passages(examples))))
    metrics["combined_f1"] = round(sum(metrics[f]["micro"]["f1"] for f in ("migof", "sdg_goals", "sdg_targets")) / 3, 4)
    return metrics
