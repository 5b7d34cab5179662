from __future__ import annotations

import pytest


def labels(doc, field):
    return [hit.label for hit in doc._.migtag_rule_hits if hit.field == field and hit.kind == "explicit"]


@pytest.mark.parametrize(
    ("text", "targets", "goals"),
    [
        ("This is in line with SDG target 10.7 on migration policy.", ["10.7"], []),
        ("Progress on target 10.c remains slow.", ["10.c"], []),
        ("Decent work is at the heart of SDG 8.", [], ["8"]),
        ("Goal 16 calls for peaceful societies.", [], ["16"]),
        ("The programme supports SDGs 3 and 5 in equal measure.", [], ["3", "5"]),
        ("It contributes to target 10.7 of the 2030 Agenda.", ["10.7"], []),
        ("We report on 17.18 of the 2030 Agenda and SDG 10.2.", ["17.18", "10.2"], []),
        ("Targets 8.7, 5.2 and 16.2 all concern trafficking.", ["8.7", "5.2", "16.2"], []),
        ("SDG targets 16.10 and 16.9 matter here.", ["16.10", "16.9"], []),
        ("The Sustainable Development Goals 1, 2 and 10 are linked.", [], ["1", "2", "10"]),
    ],
)
def test_explicit_mentions_are_found(rules_nlp, text, targets, goals):
    doc = rules_nlp(text)
    assert labels(doc, "sdg_targets") == targets
    assert labels(doc, "sdg_goals") == goals


@pytest.mark.parametrize(
    "text",
    [
        "The goal of 18 months was reached in 2019.",
        "Target 25 participants were trained.",
        "SDG 18 does not exist, nor does target 10.9.",
        "Chapter 10.7 describes the method, see page 8.",
        "Our strategic goal 2 is internal.",
    ],
)
def test_no_mention_where_there_is_none(rules_nlp, text):
    doc = rules_nlp(text)
    assert labels(doc, "sdg_targets") == []
    assert labels(doc, "sdg_goals") == []


def test_evidence_is_the_matched_words(rules_nlp):
    doc = rules_nlp("As SDG target 10.7 requires, and as Goal 8 says.")
    evidence = {hit.label: hit.evidence for hit in doc._.migtag_rule_hits if hit.kind == "explicit"}
    assert evidence == {"10.7": "SDG target 10.7", "8": "Goal 8"}
    for hit in doc._.migtag_rule_hits:
        assert doc.text[hit.start : hit.end] == hit.evidence


def test_phrase_rules_tag_with_their_phrase(rules_nlp):
    doc = rules_nlp("Remittance costs fell as the corridor opened; assisted voluntary return resumed.")
    phrases = {(hit.field, hit.label): hit.evidence for hit in doc._.migtag_rule_hits if hit.kind == "phrase"}
    assert phrases[("sdg_targets", "10.c")] == "Remittance costs"
    assert phrases[("migof", "O3")] == "assisted voluntary return"


def test_phrase_file_labels_are_all_valid():
    import srsly

    from pipeline.rules import PHRASE_PATTERNS
    from pipeline.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    rows = list(srsly.read_jsonl(PHRASE_PATTERNS))
    assert rows
    for row in rows:
        assert row["label"] in taxonomy.label_set(row["field"]), row


def test_section_headings_name_the_migof_category_and_the_sdg(rules_nlp):
    doc = rules_nlp.make_doc("The team distributed kits in the sites during the period.")
    doc._.migtag_section = "OBJECTIVE 2: MOBILITY DIMENSIONS OF CRISES > 2.1 Results > Shelter"
    hits = rules_nlp(doc)._.migtag_rule_hits
    assert [(h.field, h.label, h.kind) for h in hits] == [("migof", "O2", "heading")]
    doc = rules_nlp.make_doc("Youth unemployment fell from 21 per cent to 17 per cent.")
    doc._.migtag_section = "Part II > SDG 8: Decent work and economic growth > Target 8.6"
    labels = {(h.field, h.label) for h in rules_nlp(doc)._.migtag_rule_hits if h.kind == "heading"}
    assert labels == {("sdg_targets", "8.6")}
    doc = rules_nlp.make_doc("Youth unemployment fell from 21 per cent to 17 per cent.")
    doc._.migtag_section = "3. Findings > 3.2 Effectiveness"  # numbered, but names nothing
    assert [h for h in rules_nlp(doc)._.migtag_rule_hits if h.kind == "heading"] == []


def test_a_passage_under_a_heading_takes_its_label_as_strong_evidence(nlp):
    from pipeline.nlp import tag_passages
    from pipeline.records import Passage

    text = "The committee met four times during the year and approved its annual workplan."
    plain, under = tag_passages(
        nlp,
        [
            Passage("a", "", "", 1, 1, text),
            Passage("b", "", "", 1, 2, text, section="OBJECTIVE 2: MOBILITY DIMENSIONS OF CRISES"),
        ],
    )
    assert "O2" not in {t.label for t in plain.migof}
    [o2] = [t for t in under.migof if t.label == "O2"]
    assert o2.source in {"rule", "rule+model"} and o2.score >= 0.8
    assert o2.evidence[0] == "heading: OBJECTIVE 2: MOBILITY DIMENSIONS OF CRISES"
