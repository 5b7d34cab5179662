"""One spaCy `Language` that takes a passage through rules, figures, classifier and combine.

The trained English pipeline supplies tokens, sentences and the dependency parse the figure
extractor reads; its name is configurable (`MIGTAG_SPACY_MODEL`) so a user can swap the PyPI
re-upload for the official `en_core_web_sm`. The migtag components are registered factories
(`migtag_rules`, `migtag_figures`, `migtag_classifier`, `migtag_combine`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import classify, figures, passage_doc, rules  # noqa: F401  (registers the factories)
from .classify import ModelScore, split_key
from .locations import DEFAULT_SPACY_MODEL, spacy_model_name  # noqa: F401  (part of this module's API)
from .records import Passage, Tag, TaggedPassage
from .rules import RuleHit
from .taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)

COMBINE_SETTINGS = Path(__file__).parent / "data" / "combine.json"
FIELDS = ("migof", "sdg_targets", "sdg_goals")

if not Doc.has_extension("migtag_tags"):
    Doc.set_extension("migtag_tags", default=None)


class MigtagCombine:
    """spaCy component: turns rule hits and model scores into the asserted tags of a passage.

    An explicit mention always tags; phrase hits raise the model's score; a target is asserted
    only under its goal, and an asserted target asserts its goal.
    """

    def __init__(self, nlp: Language, name: str, *, settings_path: str | None) -> None:
        self.name = name
        self.settings = json.loads(
            Path(settings_path or COMBINE_SETTINGS).read_text(encoding="utf-8")
        )
        self.taxonomy = load_taxonomy()

    @property
    def largest_boost(self) -> float:
        """The most phrase evidence can add to a model score, as a share of what it lacks of 1."""
        return self.settings["phrase_boost"] * self.settings["phrase_boost_cap"]

    def __call__(self, doc: Doc) -> Doc:
        doc._.migtag_tags = combine(
            doc._.migtag_rule_hits or [],
            doc._.migtag_model_scores or {},
            self.taxonomy,
            self.settings,
        )
        return doc


def combine(
    hits: list[RuleHit],
    scores: dict[str, ModelScore],
    taxonomy: Taxonomy,
    settings: dict,
) -> dict[str, list[Tag]]:
    """Decide the tags of one passage from its rule hits and model scores."""
    explicit: dict[tuple[str, str], list[str]] = {}
    phrases: dict[tuple[str, str], list[str]] = {}
    headings: dict[tuple[str, str], list[str]] = {}
    for hit in hits:
        table = {"explicit": explicit, "heading": headings}.get(hit.kind, phrases)
        evidence = table.setdefault((hit.field, hit.label), [])
        text = f"heading: {hit.evidence}" if hit.kind == "heading" else hit.evidence
        if text not in evidence:
            evidence.append(text)
    modelled = {split_key(key): value for key, value in scores.items()}
    # without a rule hit a key is a tag only when its own score clears its threshold
    candidates = set(explicit) | set(phrases) | set(headings)
    candidates |= {key for key, model in modelled.items() if model.score >= model.threshold}
    tags: dict[str, dict[str, Tag]] = {field: {} for field in FIELDS}
    for field, label in sorted(candidates):
        tag = _decide(field, label, explicit, phrases, modelled, settings, headings)
        if tag:
            tags[field][label] = tag
    _apply_hierarchy(tags, {**headings, **explicit}, taxonomy)
    return {
        field: sorted(tags[field].values(), key=lambda tag: (-tag.score, tag.label))
        for field in FIELDS
    }


def _decide(
    field: str,
    label: str,
    explicit: dict[tuple[str, str], list[str]],
    phrases: dict[tuple[str, str], list[str]],
    modelled: dict[tuple[str, str], ModelScore],
    settings: dict,
    headings: dict[tuple[str, str], list[str]],
) -> Tag | None:
    key = (field, label)
    model = modelled.get(key)
    phrase_evidence = phrases.get(key, [])
    if key in explicit:
        score = max(settings["explicit_score"], model.score if model else 0.0)
        source = "rule+model" if model and model.score >= model.threshold else "rule"
        return Tag(label, score, source, tuple(explicit[key] + phrase_evidence))
    if key in headings:
        # the report's own structure says what the passage is about: strong, not certain
        score = max(settings["heading_score"], model.score if model else 0.0)
        source = "rule+model" if model and model.score >= model.threshold else "rule"
        return Tag(label, score, source, tuple(headings[key] + phrase_evidence))
    if model is None:
        if len(phrase_evidence) >= settings["rule_only_min_phrases"]:
            return Tag(label, settings["rule_only_score"], "rule", tuple(phrase_evidence))
        return None
    boost = settings["phrase_boost"] * min(len(phrase_evidence), settings["phrase_boost_cap"])
    boosted = model.score + (1.0 - model.score) * boost
    if boosted < model.threshold:
        return None
    if model.score >= model.threshold:
        source = "rule+model" if phrase_evidence else "model"
    else:
        source = "rule+model"
    evidence = tuple(dict.fromkeys(phrase_evidence + list(model.evidence)))
    return Tag(label, boosted, source, evidence)


def _apply_hierarchy(
    tags: dict[str, dict[str, Tag]],
    explicit: dict[tuple[str, str], list[str]],
    taxonomy: Taxonomy,
) -> None:
    goals = tags["sdg_goals"]
    # Targets a rule found assert their goals first, so whether a model-only target stands
    # under an asserted goal never depends on the order the candidates came in.
    ordered = sorted(tags["sdg_targets"].items(), key=lambda item: (item[1].source == "model", item[0]))
    for label, tag in ordered:
        goal = taxonomy.goal_of(label)
        from_rule = ("sdg_targets", label) in explicit
        if goal not in goals and not from_rule and tag.source == "model":
            # A model-only target without its goal is not asserted: the goal decides first.
            del tags["sdg_targets"][label]
            continue
        if goal not in goals:
            goals[goal] = Tag(goal, tag.score, tag.source, tag.evidence if from_rule else ())
        else:
            have = goals[goal]
            goals[goal] = Tag(
                goal,
                max(have.score, tag.score),
                _merge_sources(have.source, tag.source),
                tuple(dict.fromkeys(have.evidence + (tag.evidence if from_rule else ()))),
            )


def _merge_sources(first: str, second: str) -> str:
    sources = set(first.split("+")) | set(second.split("+"))
    return "+".join(name for name in ("rule", "model") if name in sources)


@Language.factory("migtag_combine", default_config={"settings_path": None})
def make_migtag_combine(nlp: Language, name: str, settings_path: str | None) -> MigtagCombine:
    return MigtagCombine(nlp, name, settings_path=settings_path)


def build_nlp(
    model_dir: str | Path | None = None,
    *,
    spacy_model: str | None = None,
    with_classifier: bool = True,
    with_parser: bool = True,
) -> Language:
    """The migtag pipeline: the English tokenizer, then rules, figures, classifier and combine.

    `with_parser=True` lets the figures component parse the sentences that hold a figure with
    the English pipeline (`spacy_model`, else `MIGTAG_SPACY_MODEL`, else the pinned package);
    `with_parser=False` reads what figures count from the following words: fast, and enough when
    only tags are wanted.
    """
    # The rules match lower-cased words and the classifier reads text, so the passage itself is
    # only tokenized; the figures component parses just the sentences holding a figure.
    nlp = spacy.blank("en")
    nlp.add_pipe("migtag_rules")
    nlp.add_pipe(
        "migtag_figures",
        config={"parser_model": (spacy_model or spacy_model_name()) if with_parser else None},
    )
    combiner = nlp.add_pipe("migtag_combine")
    if with_classifier:
        nlp.add_pipe(
            "migtag_classifier",
            before="migtag_combine",
            config={
                "model_dir": str(model_dir) if model_dir else None,
                "evidence_reach": combiner.largest_boost,
            },
        )
    return nlp


def tag_passages(
    nlp: Language, passages: Iterable[Passage], *, batch_size: int = 64
) -> Iterator[TaggedPassage]:
    """Run passages through the pipeline once, in batches, keeping their order."""
    stream = ((_doc_of(nlp, passage), passage) for passage in passages)
    for doc, passage in nlp.pipe(stream, as_tuples=True, batch_size=batch_size):
        tags = doc._.migtag_tags or {field: [] for field in FIELDS}
        yield TaggedPassage(
            passage=passage,
            migof=tuple(tags["migof"]),
            sdg_targets=tuple(tags["sdg_targets"]),
            sdg_goals=tuple(tags["sdg_goals"]),
            figures=tuple(doc._.migtag_figures or ()),
        )


def _doc_of(nlp: Language, passage: Passage) -> Doc:
    # the section path travels on the Doc, so the rules can read the headings above a passage
    doc = nlp.make_doc(passage.text)
    doc._.migtag_text = passage.text
    doc._.migtag_section = passage.section
    return doc
