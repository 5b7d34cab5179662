"""Shared test fixtures: the shared data folder (skipped when absent) and the trained pipeline."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
REPO = TESTS.parent
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(TESTS))


@pytest.fixture(scope="session")
def shared() -> Path:
    """`../shared`, which a user's fresh clone does not have: tests using it skip there."""
    if not (SHARED / "data").is_dir():
        pytest.skip("../shared is not here")
    return SHARED


@pytest.fixture(scope="session")
def nlp():
    """The full migtag pipeline with the shipped model (loaded once per session)."""
    from pipeline.nlp import build_nlp

    return build_nlp()


@pytest.fixture(scope="session")
def rules_nlp():
    """A blank English pipeline with only the rule and figure components: no trained model."""
    import spacy

    import pipeline.figures  # noqa: F401
    import pipeline.rules  # noqa: F401

    blank = spacy.blank("en")
    blank.add_pipe("migtag_rules")
    blank.add_pipe("migtag_figures")
    return blank


@pytest.fixture(scope="session")
def parser_nlp():
    """The trained English pipeline with rules and figures, without the classifier."""
    from pipeline.nlp import build_nlp

    return build_nlp(with_classifier=False)
