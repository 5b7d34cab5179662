"""Rule tagging: explicit SDG mentions and curated phrase lists, as a spaCy component.

The component first finds (`match`) and then writes (`set_annotations`), like spaCy's own
`SpanRuler`. Its patterns are data: `taxonomy/explicit_patterns.json` for explicit mentions
("SDG target 10.7", "SDGs 3 and 5", "10.7 of the 2030 Agenda"), `taxonomy/phrases*.jsonl` for
phrase lists per label, matched case-insensitively with a `PhraseMatcher`, the Aurora SDG
queries adapted in `taxonomy/aurora_queries.json` (CC BY 4.0, run by `queries.QueryMatcher`),
and `taxonomy/heading_patterns.json` for the section headings above a passage.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import srsly
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .passage_doc import text_of
from .queries import QueryMatcher
from .taxonomy import TAXONOMY_DIR, Taxonomy, load_taxonomy

log = logging.getLogger(__name__)

EXPLICIT_PATTERNS = TAXONOMY_DIR / "explicit_patterns.json"
PHRASE_PATTERNS = TAXONOMY_DIR / "phrases.jsonl"
HEADING_PATTERNS = TAXONOMY_DIR / "heading_patterns.json"
AURORA_QUERIES = TAXONOMY_DIR / "aurora_queries.json"

if not Doc.has_extension("migtag_rule_hits"):
    Doc.set_extension("migtag_rule_hits", default=None)
# the heading path of the passage ("OBJECTIVE 2: … > 2.1 Results"), set before the pipeline runs
if not Doc.has_extension("migtag_section"):
    Doc.set_extension("migtag_section", default="")


@dataclass(frozen=True)
class RuleHit:
    """One label a rule found, with the words that showed it and where they are."""

    field: str  # migof | sdg_goals | sdg_targets
    label: str
    kind: str  # explicit | phrase | query | heading
    evidence: str
    start: int
    end: int


class ExplicitMentionFinder:
    """Finds explicit SDG goal and target mentions with the regexes of a pattern file."""

    def __init__(self, patterns: dict, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.item = re.compile(patterns["item"])
        self.separator = re.compile(patterns["list_separator"], re.IGNORECASE)
        self.triggers = [
            (spec["kind"], re.compile(spec["regex"], re.IGNORECASE))
            for spec in patterns["triggers"]
        ]
        suffix = patterns["agenda_suffix"]
        self.agenda = re.compile(suffix["regex"], re.IGNORECASE)

    def find(self, text: str) -> list[RuleHit]:
        """All explicit mentions in `text`, each item of a list ("SDGs 3 and 5") its own hit."""
        hits: dict[tuple[str, str], RuleHit] = {}
        for kind, trigger in self.triggers:
            for match in trigger.finditer(text):
                for hit in self._read_list(text, match.start(), match.end(), kind):
                    hits.setdefault((hit.field, hit.label), hit)
        for match in self.agenda.finditer(text):
            label = f"{match['num']}.{match['sub']}"
            hit = self._hit(label, "target", match.start(), match.end(), text)
            if hit:
                hits.setdefault((hit.field, hit.label), hit)
        return sorted(hits.values(), key=lambda hit: hit.start)

    def _read_list(self, text: str, start: int, pos: int, kind: str) -> list[RuleHit]:
        found: list[RuleHit] = []
        while True:
            item = self.item.match(text, pos)
            if not item:
                break
            label = item["num"] + (f".{item['sub']}" if item["sub"] else "")
            hit = self._hit(label, kind, start if not found else item.start(), item.end(), text)
            if hit:
                found.append(hit)
            pos = item.end()
            separator = self.separator.match(text[pos:])
            if not separator or not self.item.match(text, pos + separator.end()):
                break
            pos += separator.end()
        return found

    def _hit(self, label: str, kind: str, start: int, end: int, text: str) -> RuleHit | None:
        is_target = "." in label
        if is_target and kind != "goal" and label in self.taxonomy.targets:
            return RuleHit("sdg_targets", label, "explicit", text[start:end], start, end)
        if not is_target and kind != "target" and label in self.taxonomy.goals:
            return RuleHit("sdg_goals", label, "explicit", text[start:end], start, end)
        return None


class HeadingFinder:
    """Reads the MiGOF category or SDG a passage's section headings name: a paragraph under
    "OBJECTIVE 2: MOBILITY DIMENSIONS OF CRISES" or "SDG 8: Decent work and economic growth"
    speaks to it, whatever its own words."""

    def __init__(self, patterns: dict, explicit: ExplicitMentionFinder) -> None:
        self.migof = [(spec["label"], re.compile(spec["regex"], re.IGNORECASE)) for spec in patterns["migof"]]
        self.sdg_heading = re.compile(patterns["sdg_heading"])
        self.explicit = explicit

    def find(self, section: str) -> list[RuleHit]:
        if not section:
            return []
        headings = [h.strip() for h in section.split(" > ") if h.strip()]
        hits: list[RuleHit] = []
        for heading in reversed(headings):  # the deepest heading that names a category wins
            labels = [label for label, pattern in self.migof if pattern.search(heading)]
            if labels:
                hits += [RuleHit("migof", label, "heading", heading, -1, -1) for label in labels]
                break
        for heading in reversed(headings):
            if self.sdg_heading.match(heading):
                found = self.explicit.find(heading)
                if found:
                    hits += [RuleHit(h.field, h.label, "heading", heading, -1, -1) for h in found]
                    break
        return hits


def _longest_per_label(hits: list[RuleHit]) -> list[RuleHit]:
    # "assisted voluntary return" and "voluntary return" are one piece of evidence, not two
    kept = []
    for hit in hits:
        inside = any(
            other is not hit
            and (other.field, other.label) == (hit.field, hit.label)
            and other.start <= hit.start
            and hit.end <= other.end
            and (other.end - other.start) > (hit.end - hit.start)
            for other in hits
        )
        if not inside:
            kept.append(hit)
    return kept


def load_phrase_patterns(path: Path | None = None) -> list[dict]:
    """Read phrase lists: one JSON object a line with `field`, `label` and `pattern`. Without a
    path, every `phrases*.jsonl` of the taxonomy folder (the first list and the curated one)."""
    paths = [path] if path else sorted(TAXONOMY_DIR.glob("phrases*.jsonl"))
    rows: list[dict] = []
    for one in paths:
        if not one.exists():
            log.warning("no phrase patterns at %s", one)
            continue
        rows += list(srsly.read_jsonl(one))
    return rows


class MigtagRules:
    """spaCy component: writes the rule hits of a passage to `doc._.migtag_rule_hits`."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        explicit_path: str | None,
        phrases_path: str | None,
        headings_path: str | None = None,
        queries_path: str | None = None,
    ) -> None:
        self.name = name
        self.taxonomy = load_taxonomy()
        self.explicit_patterns = json.loads(
            Path(explicit_path or EXPLICIT_PATTERNS).read_text(encoding="utf-8")
        )
        self.phrase_patterns = load_phrase_patterns(Path(phrases_path) if phrases_path else None)
        self.query_data = json.loads(Path(queries_path or AURORA_QUERIES).read_text(encoding="utf-8")) if queries_path != "" else {"queries": []}
        self.queries = QueryMatcher(self.query_data["queries"])
        self.explicit = ExplicitMentionFinder(self.explicit_patterns, self.taxonomy)
        self.heading_patterns = json.loads(Path(headings_path or HEADING_PATTERNS).read_text(encoding="utf-8"))
        self.headings = HeadingFinder(self.heading_patterns, self.explicit)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._add_phrases(nlp, self.phrase_patterns)

    def _add_phrases(self, nlp: Language, patterns: Iterable[dict]) -> None:
        valid = {
            field: set(self.taxonomy.label_set(field))
            for field in ("migof", "sdg_goals", "sdg_targets")
        }
        by_key: dict[str, list[str]] = {}
        for row in patterns:
            if row["label"] not in valid[row["field"]]:
                raise ValueError(f"phrase pattern with unknown label: {row}")
            by_key.setdefault(f"{row['field']}|{row['label']}", []).append(row["pattern"])
        for key, phrases in by_key.items():
            # make_doc only tokenises: phrase lists stay cheap to load.
            self.matcher.add(key, [nlp.make_doc(phrase) for phrase in phrases])

    def __call__(self, doc: Doc) -> Doc:
        hits = self.match(doc)
        self.set_annotations(doc, hits)
        return doc

    def match(self, doc: Doc) -> list[RuleHit]:
        """Explicit mentions first, then phrase hits, then what the section headings say."""
        text = text_of(doc)
        hits = self.explicit.find(text)
        hits += self.headings.find(doc._.migtag_section)
        for hit in self.queries.match(text):
            field, label = ("sdg_targets", hit.target) if hit.target else ("sdg_goals", hit.goal)
            hits.append(RuleHit(field, label, "query", hit.evidence, hit.start, hit.end))
        for match_id, start, end in self.matcher(doc):
            field, label = doc.vocab.strings[match_id].split("|", 1)
            span = doc[start:end]
            hits.append(
                RuleHit(field, label, "phrase", span.text, span.start_char, span.end_char)
            )
        return _longest_per_label(hits)

    def set_annotations(self, doc: Doc, hits: list[RuleHit]) -> None:
        doc._.migtag_rule_hits = hits

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "explicit_patterns.json", self.explicit_patterns)
        srsly.write_jsonl(path / "phrases.jsonl", self.phrase_patterns)

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> MigtagRules:
        path = Path(path)
        self.explicit_patterns = srsly.read_json(path / "explicit_patterns.json")
        self.explicit = ExplicitMentionFinder(self.explicit_patterns, self.taxonomy)
        return self


@Language.factory(
    "migtag_rules",
    default_config={"explicit_path": None, "phrases_path": None, "headings_path": None, "queries_path": None},
)
def make_migtag_rules(
    nlp: Language,
    name: str,
    explicit_path: str | None,
    phrases_path: str | None,
    headings_path: str | None,
    queries_path: str | None,
) -> MigtagRules:
    """`queries_path` "" turns the Aurora queries off; None uses the shipped ones."""
    return MigtagRules(
        nlp, name, explicit_path=explicit_path, phrases_path=phrases_path, headings_path=headings_path, queries_path=queries_path
    )
