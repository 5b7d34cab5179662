"""The classifier: a scikit-learn multi-label model over passages, and the spaCy component using it.

A model is a folder: the fitted scikit-learn `Pipeline` in `model.skops` (loaded only through
`skops.io` with an explicit list of trusted types), the label keys, their calibration (Platt
scaling fitted on out-of-fold scores) and their thresholds in `labels.json`, metrics in `metrics.json`, a model card and a manifest.

Label keys name the field and the label, `migof:O3`, `sdg_goals:10`, `sdg_targets:10.7`, so one
model scores all three fields at once.
"""

from __future__ import annotations

import json
import logging
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import skops.io as sio
from sklearn.feature_extraction.text import (
    HashingVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC
from spacy.language import Language
from spacy.tokens import Doc

from .locations import (  # noqa: F401  (part of this module's API)
    LABELS_FILE,
    MODEL_FILE,
    MODELS_DIR,
    ModelError,
    check_model_folder,
    default_model_dir,
    models_dir,
)
from .passage_doc import text_of
from .taxonomy import labels_hash, load_taxonomy

log = logging.getLogger(__name__)

REVIEWED_FILE = "reviewed.json"

# Every type a migtag model file may hold. A file naming anything else (such as os.system)
# is refused before a byte of it is turned into an object.
TRUSTED_TYPES = [
    "numpy.dtype",
    "numpy.ndarray",
    "numpy.float64",
    "numpy.int64",
    "builtins.float",
    "builtins.int",
    "builtins.str",
    "builtins.dict",
    "builtins.list",
    "builtins.tuple",
    "builtins.slice",
    "scipy.sparse._csr.csr_matrix",
    "scipy.sparse._csr.csr_array",
    "sklearn.pipeline.Pipeline",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.HashingVectorizer",
    "numpy.float32",
    "sklearn.linear_model._logistic.LogisticRegression",  # models from before the linear SVMs
    "sklearn.svm._classes.LinearSVC",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.preprocessing._label.LabelBinarizer",
]

if not Doc.has_extension("migtag_model_scores"):
    Doc.set_extension("migtag_model_scores", default=None)


@lru_cache(maxsize=4096)  # a few hundred keys, split for every passage
def split_key(key: str) -> tuple[str, str]:
    """`"sdg_targets:10.7"` -> `("sdg_targets", "10.7")`."""
    field, label = key.split(":", 1)
    return field, label


def make_estimator(*, c: float = 1.0, seed: int = 0) -> Pipeline:
    """The untrained classifier: word and character TF-IDF into one-vs-rest linear SVMs.

    Word n-grams carry the topic words a reviewer can read as evidence; character n-grams make it
    robust to inflection and the broken words of PDF text. `class_weight="balanced"` keeps rare
    labels from being drowned by frequent ones. Linear SVMs ranked passages better than logistic
    regressions on the 2,266-passage corpus (benchmarks/RESULTS.md); their margins become
    probabilities through the per-label calibration.
    """
    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    ngram_range=(1, 2),
                    min_df=2,
                    sublinear_tf=True,
                    strip_accents="unicode",
                    stop_words="english",
                    token_pattern=r"(?u)\b[A-Za-z][A-Za-z-]+\b",
                ),
            ),
            (
                "chars",
                # hashed, so the model file holds no character vocabulary (it was most of its size)
                Pipeline(
                    [
                        (
                            "hash",
                            HashingVectorizer(
                                analyzer="char_wb",
                                ngram_range=(3, 5),
                                n_features=2**14,
                                alternate_sign=False,
                                norm=None,
                            ),
                        ),
                        ("tfidf", TfidfTransformer(sublinear_tf=True)),
                    ]
                ),
            ),
        ]
    )
    classifier = OneVsRestClassifier(LinearSVC(C=c, class_weight="balanced", random_state=seed))
    return Pipeline([("features", features), ("classifier", classifier)])


def raw_probabilities(estimator: Pipeline, texts: list[str]) -> np.ndarray:
    """A fitted estimator's uncalibrated scores in (0, 1): the logistic of each label's margin
    (for a logistic regression, its own probability). Rows are texts, columns label keys."""
    decision = np.asarray(estimator.decision_function(texts), dtype=float)
    if decision.ndim == 1:  # one label
        decision = decision[:, None]
    return 1.0 / (1.0 + np.exp(-decision))


def lift_goals(scores: np.ndarray, keys: list[str]) -> np.ndarray:
    """Each goal's score raised to its best target's: a passage squarely on target 8.8 is
    about goal 8 however the goal's own model scored it. Scores must be calibrated, so that
    a target's and a goal's numbers mean the same."""
    if scores.size == 0:
        return scores
    lifted = scores.copy()
    for target, goal in _target_goal_columns(tuple(keys)):
        lifted[:, goal] = np.maximum(lifted[:, goal], scores[:, target])
    return lifted


@lru_cache(maxsize=8)  # one model's keys, lifted on every batch
def _target_goal_columns(keys: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """(column of a target, column of its goal) for every target key whose goal is a key too."""
    taxonomy = load_taxonomy()
    column = {key: k for k, key in enumerate(keys)}
    pairs = []
    for k, key in enumerate(keys):
        field, label = split_key(key)
        goal = column.get(f"sdg_goals:{taxonomy.goal_of(label)}") if field == "sdg_targets" else None
        if goal is not None:
            pairs.append((k, goal))
    return tuple(pairs)


@dataclass
class TrainedModel:
    """A fitted estimator with its label keys, per-label thresholds and where it came from."""

    estimator: Pipeline
    keys: list[str]
    thresholds: dict[str, float]
    name: str = "migtag"
    path: Path | None = None
    calibration: dict[str, tuple[float, float]] | None = None
    # a goal scores at least as high as its best target (`lift_goals`); its thresholds were
    # tuned on scores lifted so
    goals_from_targets: bool = False
    # passages an analyst reviewed: normalised-text hash -> the label keys that hold. The model
    # learns from them, and a reviewed passage met again gets the reviewer's labels outright.
    reviewed: dict[str, list[str]] | None = None

    def features(self, texts: list[str]):
        """The sparse feature rows of the texts (word TF-IDF block first, then characters)."""
        return self.estimator.named_steps["features"].transform(texts)

    def raw_scores(self, texts: list[str], features=None) -> np.ndarray:
        """The logistic of the estimator's margins: ranked well, but not probabilities until
        calibrated. Pass `features` to reuse rows already made."""
        if not texts:
            return np.zeros((0, len(self.keys)))
        rows = self.features(texts) if features is None else features
        # One product with all the one-vs-rest coefficients stacked: the margins of
        # `decision_function` without its per-estimator input checks (most of its time on a
        # batch). Single precision, like the stored coefficients: a double-precision product
        # converted the whole coefficient matrix on every batch (5x slower).
        decision = np.asarray(rows.astype(np.float32) @ self._by_feature(), dtype=float) + self._stacked()[1]
        return 1.0 / (1.0 + np.exp(-decision))

    def scores(self, texts: list[str], features=None) -> np.ndarray:
        """Calibrated probability per passage (rows) and label key (columns); a reviewed
        passage scores 1 for the reviewer's labels and 0 for the rest."""
        scores = calibrate(self.raw_scores(texts, features), self.keys, self.calibration)
        if self.goals_from_targets:
            scores = lift_goals(scores, self.keys)
        if self.reviewed:
            from .corpus import text_hash

            column = {key: k for k, key in enumerate(self.keys)}
            for row, text in enumerate(texts):
                labels = self.reviewed.get(text_hash(text))
                if labels is not None:
                    scores[row] = 0.0
                    scores[row, [column[key] for key in labels if key in column]] = 1.0
        return scores

    def evidence(
        self,
        texts: list[str],
        *,
        top: int = 3,
        features=None,
        wanted: np.ndarray | None = None,
    ) -> list[dict[str, list[str]]]:
        """For each passage and label key: the words that pushed its score up most.

        `wanted` (passages x keys, boolean) limits the work to the keys that can still become a
        tag; the others get no entry.
        """
        names = self._word_names()
        rows = self.features(texts) if features is None else features
        # the word block comes first in the FeatureUnion
        matrix = rows[:, : len(names)].tocsr()
        weights = self._stacked()[0][:, : len(names)]
        result: list[dict[str, list[str]]] = []
        for row in range(matrix.shape[0]):
            start, end = matrix.indptr[row], matrix.indptr[row + 1]
            columns = np.flatnonzero(wanted[row]) if wanted is not None else np.arange(len(self.keys))
            if start == end or columns.size == 0:
                result.append({})
                continue
            indices, values = matrix.indices[start:end], matrix.data[start:end]
            contributions = weights[np.ix_(columns, indices)] * values
            # one sort for all keys at once: a Python loop of one sort per key was the
            # costliest step of tagging
            order = np.argsort(-contributions, axis=1)[:, :top]
            best = np.take_along_axis(contributions, order, axis=1)
            words = names[indices[order]]
            result.append(
                {
                    self.keys[k]: [str(w) for w, c in zip(words[i], best[i], strict=True) if c > 0]
                    for i, k in enumerate(columns)
                }
            )
        return result

    def _word_names(self) -> np.ndarray:
        cached = getattr(self, "_names_cache", None)
        if cached is None:
            words = dict(self.estimator.named_steps["features"].transformer_list)["words"]
            cached = self._names_cache = words.get_feature_names_out()
        return cached

    def _by_feature(self) -> np.ndarray:
        """The stacked coefficients as a contiguous (features x keys) matrix: a transposed view
        was copied on every product."""
        cached = getattr(self, "_by_feature_cache", None)
        if cached is None:
            cached = self._by_feature_cache = np.ascontiguousarray(self._stacked()[0].T)
        return cached

    def _stacked(self) -> tuple[np.ndarray, np.ndarray]:
        """The one-vs-rest coefficients as one (keys x features) matrix, and the intercepts."""
        cached = getattr(self, "_stacked_cache", None)
        if cached is None:
            estimators = self.estimator.named_steps["classifier"].estimators_
            width = next(e.coef_.shape[1] for e in estimators if hasattr(e, "coef_"))
            coefficients = np.vstack([_coefficients(e, width) for e in estimators])
            intercepts = np.array([_intercept(e) for e in estimators])
            cached = self._stacked_cache = (coefficients, intercepts)
        return cached


def _coefficients(binary, width: int) -> np.ndarray:
    # one-vs-rest keeps a constant predictor for a label that had no negatives (or no
    # positives) in training; it reads no features
    return binary.coef_[0] if hasattr(binary, "coef_") else np.zeros(width, dtype=np.float32)


def _intercept(binary) -> float:
    if hasattr(binary, "intercept_"):
        return float(binary.intercept_[0])
    return 50.0 if float(np.ravel(binary.y_)[0]) else -50.0


def _logit(probabilities: np.ndarray) -> np.ndarray:
    clipped = np.clip(probabilities, 1e-6, 1 - 1e-6)
    return np.log(clipped / (1 - clipped))


def fit_calibration(truth: np.ndarray, raw: np.ndarray, keys: list[str]) -> dict[str, tuple[float, float]]:
    """Platt scaling per label, fitted on out-of-fold scores: P(label) = sigmoid(a * logit(raw) + b).

    The slope is kept positive so calibration never reorders passages; a label whose scores
    carry no signal keeps the identity.
    """
    calibration = {}
    for k, key in enumerate(keys):
        column = truth[:, k]
        if column.min() == column.max():
            calibration[key] = (1.0, 0.0)
            continue
        platt = LogisticRegression(C=1e4, max_iter=1000).fit(_logit(raw[:, [k]]), column)
        slope, intercept = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        calibration[key] = (slope, intercept) if slope > 0 else (1.0, 0.0)
    return calibration


def calibrate(
    raw: np.ndarray, keys: list[str], calibration: dict[str, tuple[float, float]] | None
) -> np.ndarray:
    """Apply per-label Platt scaling; without calibration the raw scores are returned."""
    if not calibration or raw.size == 0:
        return raw
    slopes = np.array([calibration.get(key, (1.0, 0.0))[0] for key in keys])
    intercepts = np.array([calibration.get(key, (1.0, 0.0))[1] for key in keys])
    return 1.0 / (1.0 + np.exp(-(_logit(raw) * slopes + intercepts)))


def compact(estimator: Pipeline) -> Pipeline:
    """Store the fitted coefficients in single precision: half the model file, and scores
    that differ by less than 1e-6."""
    for binary in estimator.named_steps["classifier"].estimators_:
        binary.coef_ = binary.coef_.astype(np.float32)
    return estimator


@contextmanager
def _vocabulary_as_array(estimator: Pipeline) -> Iterator[None]:
    """While the model is written, hand the word vectorizer its terms as a fixed vocabulary
    (one array, in column order) instead of its fitted term-to-column dictionary.

    skops writes and audits a dictionary entry by entry: the 15,000 terms were 31,000 of the
    file's 75,000 objects and most of its loading time. A vectorizer given a `vocabulary`
    builds the same dictionary when it is first used, so the loaded model scores identically.
    """
    words = dict(estimator.named_steps["features"].transformer_list)["words"]
    fitted = getattr(words, "vocabulary_", None)
    if fitted is None or words.vocabulary is not None:
        yield
        return
    words.vocabulary = np.array(sorted(fitted, key=fitted.__getitem__))
    del words.vocabulary_
    try:
        yield
    finally:
        words.vocabulary = None
        words.vocabulary_ = fitted


def save_model(model: TrainedModel, folder: Path) -> None:
    """Write the estimator with skops (deflated) and the label keys and thresholds as JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    with _vocabulary_as_array(model.estimator):
        sio.dump(model.estimator, folder / MODEL_FILE, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
    labels = {
        "name": model.name,
        "keys": model.keys,
        "thresholds": model.thresholds,
        "calibration": {key: list(value) for key, value in (model.calibration or {}).items()},
        "goals_from_targets": model.goals_from_targets,
        "labels_hash": labels_hash(),
    }
    (folder / LABELS_FILE).write_text(json.dumps(labels, indent=2) + "\n", encoding="utf-8")
    if model.reviewed:
        (folder / REVIEWED_FILE).write_text(json.dumps(model.reviewed, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load_model(folder: Path | str | None = None) -> TrainedModel:
    """Load a model folder, refusing untrusted types and models built for other label files."""
    folder = check_model_folder(Path(folder) if folder else default_model_dir())
    model_file = folder / MODEL_FILE
    labels_file = folder / LABELS_FILE
    try:
        untrusted = set(sio.get_untrusted_types(file=model_file)) - set(TRUSTED_TYPES)
    except Exception as exc:  # not a skops file at all (a damaged copy, a wrong file)
        raise ModelError(f"cannot load {model_file}: {exc}") from exc
    if untrusted:
        raise ModelError(
            f"{model_file} holds types migtag does not trust: {', '.join(sorted(untrusted))}"
        )
    try:
        estimator = sio.load(model_file, trusted=TRUSTED_TYPES)
    except Exception as exc:  # skops raises many kinds on a damaged file
        raise ModelError(f"cannot load {model_file}: {exc}") from exc
    labels = json.loads(labels_file.read_text(encoding="utf-8"))
    if labels.get("labels_hash") != labels_hash():
        raise ModelError(
            f"{folder} was trained on other label files than this migtag has; retrain it"
        )
    return TrainedModel(
        estimator=estimator,
        keys=list(labels["keys"]),
        thresholds={key: float(value) for key, value in labels["thresholds"].items()},
        name=labels.get("name", folder.name),
        path=folder,
        calibration={key: (float(a), float(b)) for key, (a, b) in labels.get("calibration", {}).items()},
        goals_from_targets=bool(labels.get("goals_from_targets", False)),
        reviewed=_read_reviewed(folder / REVIEWED_FILE),
    )


def _read_reviewed(path: Path) -> dict[str, list[str]] | None:
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise ModelError(f"{path} is not a map of passage hashes to label keys")
    return {str(k): [str(x) for x in v] for k, v in data.items()}


class ModelScore(NamedTuple):
    """The model's score for one label of one passage, with its threshold and strongest terms.

    A named tuple, not a frozen dataclass: one is made for every label of every passage, and a
    tuple is the cheaper of the two to build.
    """

    score: float
    threshold: float
    evidence: tuple[str, ...]


# the rule hits whose evidence raises a model score in `migtag_combine` (explicit mentions and
# headings tag outright, whatever the model says)
BOOSTING_HITS = frozenset({"phrase", "query"})


class MigtagClassifier:
    """spaCy component: writes the model's scores to `doc._.migtag_model_scores`."""

    def __init__(
        self, nlp: Language, name: str, *, model_dir: str | None, top_terms: int, evidence_reach: float
    ) -> None:
        self.name = name
        self.model = load_model(model_dir)
        self.top_terms = top_terms
        self.evidence_reach = evidence_reach
        self.thresholds = np.array([self.model.thresholds.get(key, 0.5) for key in self.model.keys])
        self.column = {key: k for k, key in enumerate(self.model.keys)}

    def __call__(self, doc: Doc) -> Doc:
        # one passage (`migtag explain`): terms for every key within reach, so near misses
        # show theirs too; the tags are the same as in a batch
        self.set_annotations([doc], self.predict([text_of(doc)]))
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        batch: list[Doc] = []
        for doc in stream:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._run(batch)
                batch = []
        if batch:
            yield from self._run(batch)

    def _run(self, docs: list[Doc]) -> list[Doc]:
        boostable = [
            {f"{hit.field}:{hit.label}" for hit in doc._.migtag_rule_hits or () if hit.kind in BOOSTING_HITS}
            for doc in docs
        ]
        self.set_annotations(docs, self.predict([text_of(doc) for doc in docs], boostable))
        return docs

    def predict(
        self, texts: list[str], boostable: list[set[str]] | None = None
    ) -> list[dict[str, ModelScore]]:
        """Scores of every label key for each text, vectorised as one batch.

        The strongest terms are found only for the keys that can still become a tag: those at
        their threshold, and those a phrase boost of `migtag_combine` could lift to it. A boost
        needs a phrase hit, so with `boostable` (per text, the keys phrase rules found) only
        those keys are considered; without it, every key within `evidence_reach`.
        """
        features = self.model.features(texts)
        scores = self.model.scores(texts, features)
        wanted = scores >= self.thresholds - 1e-9
        reachable = scores + (1.0 - scores) * self.evidence_reach >= self.thresholds - 1e-9
        if boostable is None:
            wanted |= reachable
        else:
            for row, keys in enumerate(boostable):
                columns = [self.column[key] for key in keys if key in self.column]
                wanted[row, columns] |= reachable[row, columns]
        evidence = self.model.evidence(texts, top=self.top_terms, features=features, wanted=wanted)
        keys = self.model.keys
        thresholds = self.thresholds.tolist()
        return [
            {
                key: ModelScore(score, threshold, tuple(terms.get(key, ())))
                for key, score, threshold in zip(keys, row.tolist(), thresholds, strict=True)
            }
            for row, terms in zip(scores, evidence, strict=True)
        ]

    def set_annotations(self, docs: list[Doc], predictions: list[dict[str, ModelScore]]) -> None:
        for doc, prediction in zip(docs, predictions, strict=True):
            doc._.migtag_model_scores = prediction


@Language.factory(
    "migtag_classifier",
    # evidence_reach 1.0: terms for every key; build_nlp passes the combine step's largest boost
    default_config={"model_dir": None, "top_terms": 3, "evidence_reach": 1.0},
)
def make_migtag_classifier(
    nlp: Language, name: str, model_dir: str | None, top_terms: int, evidence_reach: float
) -> MigtagClassifier:
    return MigtagClassifier(
        nlp, name, model_dir=model_dir, top_terms=top_terms, evidence_reach=evidence_reach
    )
