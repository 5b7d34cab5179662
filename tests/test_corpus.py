"""The corpus is valid, free of duplicates and big enough for each label."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from pipeline.corpus import CorpusError, duplicates, load_corpus, read_jsonl, split_of

CORPUS = Path(__file__).parents[1] / "corpus" / "passages"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


def test_corpus_has_no_duplicate_texts():
    assert duplicates(CORPUS) == []


def test_every_migof_category_has_enough_passages(corpus):
    counts = Counter(label for passage in corpus for label in passage.migof)
    for label in ("P1", "P2", "P3", "O1", "O2", "O3"):
        assert counts[label] >= 60, (label, counts[label])


def test_every_goal_has_enough_passages_and_off_topic_ones_exist(corpus):
    counts = Counter(label for passage in corpus for label in passage.sdg_goals)
    thin = {goal: counts[goal] for goal in map(str, range(1, 18)) if counts[goal] < 40}
    assert not thin, thin
    off_topic = [p for p in corpus if not p.migof and not p.sdg_goals]
    assert len(off_topic) >= 30


def test_targets_sit_under_their_goals_and_registers_are_varied(corpus):
    from pipeline.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    for passage in corpus:
        assert {taxonomy.goal_of(t) for t in passage.sdg_targets} <= set(passage.sdg_goals), passage.id
    registers = Counter(passage.register for passage in corpus)
    assert len(registers) == 6 and min(registers.values()) >= 0.1 * len(corpus), registers


def test_split_is_fixed_and_about_one_in_five(corpus):
    test_side = [p for p in corpus if split_of(p.text) == "test"]
    assert 0.12 < len(test_side) / len(corpus) < 0.28
    assert all(split_of(p.text) == split_of(p.text + "") for p in test_side)


def test_targets_bring_their_goals(corpus):
    for passage in corpus:
        for target in passage.sdg_targets:
            assert target.split(".")[0] in passage.sdg_goals


def test_unknown_labels_are_refused(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "Some passage text here.", "migof": ["O9"]}\n')
    with pytest.raises(CorpusError, match="bad.jsonl:1: unknown MiGOF label 'O9'"):
        list(read_jsonl(bad))
    bad.write_text('{"id": "x", "text": "Some passage text here.", "sdg_targets": ["10.9"]}\n')
    with pytest.raises(CorpusError, match="unknown SDG target '10.9'"):
        list(read_jsonl(bad))


def test_passages_follow_the_labelling_guide_limits(corpus):
    # corpus/LABELLING.md: at most three targets, the clearest first
    crowded = [p.id for p in corpus if len(p.sdg_targets) > 3]
    assert not crowded, crowded
