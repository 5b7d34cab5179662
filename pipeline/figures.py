"""Figures: every number a passage reports, with its value, kind, unit and what it counts.

A registered spaCy component. It finds candidate numbers with regular expressions built from the
vocabulary in `data/figures.json` (scales, currencies, units, qualifiers, change words, and the
contexts in which a number is not a figure), and reads what a figure counts from the dependency
parse when the pipeline has one, falling back to the words that follow it when it does not.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from .records import Figure

log = logging.getLogger(__name__)

FIGURES_VOCABULARY = Path(__file__).parent / "data" / "figures.json"

if not Doc.has_extension("migtag_figures"):
    Doc.set_extension("migtag_figures", default=None)

_SEPARATORS = ",\u00a0\u2009\u202f "
_DIGITS = r"(?:\d{1,3}(?:(?:,|[\u00a0\u2009\u202f ])\d{3})+|\d+)(?:\.\d+)?"
_YEAR = re.compile(r"(?<![\d.,/])(?:19[5-9]\d|20\d\d)(?![\d%]|\.\d|,\d{3})")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(\"“])")


def _alternation(words: Iterable[str]) -> str:
    # Longest first so "per cent" wins over "per".
    return "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class Vocabulary:
    """The compiled vocabulary of the figure extractor."""

    data: dict
    number: re.Pattern[str]
    number_words: re.Pattern[str]
    fractions: re.Pattern[str]
    currency_before: re.Pattern[str]
    after: re.Pattern[str]
    qualifier_before: re.Pattern[str]
    change_before: re.Pattern[str]
    change_after: re.Pattern[str]
    not_before: re.Pattern[str]
    not_after: re.Pattern[str]
    months: re.Pattern[str]
    comparison: re.Pattern[str]
    qualifier_of: dict[str, str]
    change_of: dict[str, str]


@lru_cache(maxsize=4)
def load_vocabulary(path: str = str(FIGURES_VOCABULARY)) -> Vocabulary:
    """Compile the vocabulary file into the regular expressions the extractor uses."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    scales = _alternation(data["scales"])
    prefixes = _alternation(data["currency_prefixes"])
    number = re.compile(
        # Not glued to a word, an identifier, a decimal point after a word (footnote "study.94")
        # or a hyphenated name ("COVID-19").
        rf"(?<![\w/\\])(?<![A-Za-z][.\-])(?<![\d][.,])"
        rf"(?P<currency>(?:{prefixes})\s?)?"
        rf"(?P<digits>{_DIGITS})"
        rf"(?:(?P<glued_scale>bn|mn|m|k|b)\b|(?:\s|-)?(?P<scale>(?:{scales}))\b(?!-\w*old))?"
        rf"(?P<strong>-strong)?"
        rf"(?![\w/]|[.,]\d|:\d)",
        re.IGNORECASE,
    )
    number_words = re.compile(
        r"\b(?P<words>"
        + _alternation(data["number_words"])
        + r"|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(?:one|two|three|four|five"
        r"|six|seven|eight|nine))"
        + rf"(?:\s(?P<scale>{scales})\b)?(?![\w-])",
        re.IGNORECASE,
    )
    fractions = re.compile(
        r"\b(?P<fraction>"
        + _alternation(data["fraction_words"])
        + r")\b(?=\s+of\b)"
        + r"|\b(?P<num>one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(?:in|out\s+of)\s+"
        r"(?P<den>two|three|four|five|six|seven|eight|nine|ten|\d+)\b",
        re.IGNORECASE,
    )
    suffix_words = (
        list(data["percent_suffixes"])
        + list(data["point_suffixes"])
        + list(data["currency_suffixes"])
        + list(data["units"])
    )
    after = re.compile(rf"^\s?(?P<suffix>{_alternation(suffix_words)})(?![\w])", re.IGNORECASE)
    qualifier_of = {
        phrase: name for name, phrases in data["qualifiers"].items() for phrase in phrases
    }
    change_of = {
        phrase: name
        for table in ("change_before", "change_after")
        for name, phrases in data[table].items()
        for phrase in phrases
    }
    return Vocabulary(
        data=data,
        number=number,
        number_words=number_words,
        fractions=fractions,
        currency_before=re.compile(rf"(?:^|\s|\()(?:{prefixes})\s?$", re.IGNORECASE),
        after=after,
        qualifier_before=re.compile(
            rf"(?:^|[\s(])(?P<q>{_alternation(qualifier_of)})\s*$", re.IGNORECASE
        ),
        change_before=re.compile(
            rf"\b(?P<c>{_alternation(p for ps in data['change_before'].values() for p in ps)})"
            r"\s+(?:(?:a|an|some|nearly|about|around|almost|over|more than|at least|roughly)\s+)*$",
            re.IGNORECASE,
        ),
        change_after=re.compile(
            rf"^\s*(?P<c>{_alternation(p for ps in data['change_after'].values() for p in ps)})\b",
            re.IGNORECASE,
        ),
        not_before=re.compile(
            rf"(?:^|[\s(])(?:{_alternation(data['not_figure_before'])})\s*(?:no\.?\s*)?[#(]?$",
            re.IGNORECASE,
        ),
        not_after=re.compile(
            rf"^(?:\s?|-)(?:{_alternation(data['not_figure_after'])})\b", re.IGNORECASE
        ),
        months=re.compile(rf"\b(?:{_alternation(data['months'])})\b\.?", re.IGNORECASE),
        comparison=re.compile(
            rf"(?:{_alternation(data['comparison_before_year'])})\s+(?:the\s+)?(?:end\s+of\s+|end-)?$",
            re.IGNORECASE,
        ),
        qualifier_of=qualifier_of,
        change_of=change_of,
    )


@dataclass(frozen=True)
class Candidate:
    """A figure before its context (qualifier, year, change, counted) is read."""

    start: int
    end: int
    value: float
    kind: str
    unit: str | None
    qualifier: str | None = None


def _number_value(digits: str) -> float:
    return float(re.sub(f"[{_SEPARATORS}]", "", digits))


class FigureFinder:
    """Finds figures in plain text; the parse, when given, sharpens what they count."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocab = vocabulary
        data = vocabulary.data
        self.scales = {key.lower(): value for key, value in data["scales"].items()}
        self.prefixes = {key.lower(): value for key, value in data["currency_prefixes"].items()}
        self.suffix_currency = {k.lower(): v for k, v in data["currency_suffixes"].items()}
        self.units = {key.lower(): value for key, value in data["units"].items()}
        self.percent = {word.lower() for word in data["percent_suffixes"]}
        self.points = {word.lower() for word in data["point_suffixes"]}
        self.number_words = {k.lower(): float(v) for k, v in data["number_words"].items()}
        self.fraction_words = {k.lower(): float(v) for k, v in data["fraction_words"].items()}
        self.durations = {word.lower() for word in data["duration_nouns"]}

    # -- finding -------------------------------------------------------------------------

    def candidates(self, text: str, excluded: list[tuple[int, int]]) -> list[Candidate]:
        """Numbers that are figures, before ranges are paired, in order of appearance."""
        found: list[Candidate] = []
        taken: list[tuple[int, int]] = list(excluded)
        for match in self.vocab.fractions.finditer(text):
            candidate = self._fraction(match)
            if candidate and not _overlaps(taken, candidate.start, candidate.end):
                found.append(candidate)
                taken.append((candidate.start, candidate.end))
        for match in self.vocab.number.finditer(text):
            if _overlaps(taken, match.start(), match.end()):
                continue
            candidate = self._digits(text, match)
            if candidate:
                found.append(candidate)
                taken.append((candidate.start, candidate.end))
        for match in self.vocab.number_words.finditer(text):
            if _overlaps(taken, match.start(), match.end()):
                continue
            candidate = self._words(text, match)
            if candidate:
                found.append(candidate)
        return sorted(found, key=lambda candidate: candidate.start)

    def _fraction(self, match: re.Match[str]) -> Candidate | None:
        if match["fraction"]:
            value = self.fraction_words[match["fraction"].lower()]
        else:
            numerator = self._small_number(match["num"])
            denominator = self._small_number(match["den"])
            if not numerator or not denominator or numerator >= denominator:
                return None
            value = round(numerator / denominator, 4)
        return Candidate(match.start(), match.end(), value, "fraction", None)

    def _small_number(self, word: str) -> float | None:
        if word.isdigit():
            return float(word)
        return self.number_words.get(word.lower())

    def _digits(self, text: str, match: re.Match[str]) -> Candidate | None:
        digits = match["digits"]
        before = text[: match.start()]
        after_text = text[match.end() :]
        value = _number_value(digits)
        scale_word = (match["glued_scale"] or match["scale"] or "").lower()
        currency = self.prefixes.get((match["currency"] or "").strip().lower())
        if not currency:
            loose = self.vocab.currency_before.search(before)
            if loose:
                currency = self.prefixes.get(loose.group(0).strip(" (").lower())
        if scale_word == "m" and not currency and self._unit_context(after_text):
            scale_word = ""  # "5 m" with a noun of length is metres, handled as a unit below
        if scale_word:
            value *= self.scales[scale_word]
        end = match.end()
        kind, unit = ("money", currency) if currency else ("count", None)
        suffix = self.vocab.after.match(after_text)
        if suffix and not match["strong"]:
            word = suffix["suffix"].lower()
            if word in self.percent:
                kind, unit, end = "percent", None, match.end() + suffix.end()
            elif word in self.points:
                kind, unit, end = "percentage_points", None, match.end() + suffix.end()
            elif word in self.suffix_currency and not currency:
                kind, unit, end = "money", self.suffix_currency[word], match.end() + suffix.end()
            elif word in self.units and not currency:
                kind, unit, end = "measure", self.units[word], match.end() + suffix.end()
        start = match.start()
        if match["strong"]:
            end = match.end() - len("-strong")
        if self._not_a_figure(text, start, match, kind, scale_word, currency):
            return None
        return Candidate(start, end, value, kind, unit)

    def _unit_context(self, after_text: str) -> bool:
        return bool(re.match(r"^\s?(?:long|high|wide|deep|of\s+(?:road|pipe|wall|fence))", after_text))

    def _not_a_figure(
        self,
        text: str,
        start: int,
        match: re.Match[str],
        kind: str,
        scale_word: str,
        currency: str | None,
    ) -> bool:
        digits = match["digits"]
        plain = kind == "count" and not scale_word and not currency
        number_start = match.start("digits")
        before = text[:number_start]
        after_text = text[match.end() :]
        if plain and _YEAR.fullmatch(digits):
            return True  # a year, not a figure
        if plain and self.vocab.not_after.match(after_text):
            return True  # duration, age, ordinal
        if self.vocab.not_before.search(before[-40:]):
            return True  # target, section, page, resolution numbers
        if self.vocab.months.search(after_text[:12]) and plain and value_is_day(digits):
            return True  # "4 December 2015"
        if plain and re.search(r"[+]\s?$", before):
            return True  # phone numbers
        if plain and re.match(r"^\s?[-/]\s?\d", after_text) and not re.match(r"^\s?-\s?\d", after_text):
            return True  # identifiers such as 70/1
        if plain and re.fullmatch(r"\d+\.\d+(?:\.\d+)*", digits) and re.match(
            r"^\s+[A-Z]", after_text
        ) and re.search(r"(?:^|\n)\s*$", before):
            return True  # a section number opening a heading
        if plain and re.fullmatch(r"\d{1,2}", digits):
            if re.search(r"(?:^|\n)\s*\(?$", before) and re.match(r"^[.)]", after_text):
                return True  # "1." or "(1)" opening a list item
            if re.search(r"\(\s*$", before) and re.match(r"^\)", after_text):
                return True  # "(3)" list marker in running text
        return False

    def _words(self, text: str, match: re.Match[str]) -> Candidate | None:
        words = match["words"].lower()
        if "-" in words and words not in self.number_words:
            tens, ones = words.split("-")
            value = self.number_words[tens] + self.number_words[ones]
        else:
            value = self.number_words[words]
        if match["scale"]:
            value *= self.scales[match["scale"].lower()]
        after_text = text[match.end() :]
        following = re.match(r"^\s+([a-z][\w-]*)", after_text)
        next_word = following.group(1).lower() if following else ""
        if not match["scale"] and value < 1000:
            # A number word is a figure only when it counts things: "twelve countries",
            # not "one of the", "six months" or "two thirds" (a fraction, found before).
            if not next_word or next_word in self.durations:
                return None
            if next_word in {"of", "in", "or", "and", "to", "the", "a", "an", "per", "more"}:
                return None
            if not (next_word.endswith("s") or words in {"a dozen", "dozen"}):
                return None
            if words == "one":
                return None
        if self.vocab.not_before.search(text[: match.start()][-40:]):
            return None
        return Candidate(match.start(), match.end(), float(value), "count", None)

    # -- context --------------------------------------------------------------------------

    def pair_ranges(self, text: str, candidates: list[Candidate]) -> list[Candidate]:
        """Mark "between A and B", "from A to B" and "A–B" pairs as range_from and range_to."""
        result = list(candidates)
        for index in range(len(result) - 1):
            first, second = result[index], result[index + 1]
            if first.qualifier or second.qualifier:
                continue
            gap = text[first.end : second.start]
            opener = text[: first.start][-12:].lower()
            dash = re.fullmatch(r"\s?[–—-]\s?|\s?to\s(?:(?:nearly|about|around|over|some)\s)?", gap)
            between = re.fullmatch(r"\s(?:and|to)\s(?:(?:nearly|about|around|over|some)\s)?", gap) and (
                re.search(r"\b(?:between|from)\s+(?:some\s+|about\s+)?$", opener)
            )
            if not (dash or between) or first.kind == "fraction" or second.kind == "fraction":
                continue
            if re.fullmatch(r"\s?to\s.*", gap) and not re.search(r"\bfrom\s+\S*\s*$", opener):
                if first.kind != second.kind:
                    continue
            first_value = first.value
            if first.kind == "count" and second.kind != "count":
                # "20–30 per cent", "USD 3–4 million": the first end takes the second's kind
                first = replace(first, kind=second.kind, unit=second.unit)
            if first_value < second.value / 10 and second.value >= 1000 and first_value < 1000:
                scale = _scale_of(second.value, first_value)
                first_value *= scale
            result[index] = replace(first, value=first_value, qualifier="range_from")
            result[index + 1] = replace(second, qualifier="range_to")
        return result

    def qualifier(self, text: str, candidate: Candidate) -> str | None:
        """The hedge before a figure: nearly, more than, at least, under, up to..."""
        if candidate.qualifier:
            return candidate.qualifier
        before = text[: candidate.start]
        match = self.vocab.qualifier_before.search(before[-30:])
        if match:
            return self.vocab.qualifier_of[match["q"].lower()]
        return None

    def extent(
        self, text: str, candidate: Candidate, qualifier: str | None, counted: str | None
    ) -> tuple[int, int]:
        """The figure's span: its hedge, its number and unit, and what it counts when that
        follows at once ("nearly 98,000 migrants"), as the contract's example shows."""
        start, end = candidate.start, candidate.end
        if qualifier and qualifier not in {"range_from", "range_to"}:
            match = self.vocab.qualifier_before.search(text[:start][-30:])
            if match:
                start -= len(text[:start][-30:]) - match.start("q")
        if counted:
            following = text[end:]
            gap = len(following) - len(following.lstrip())
            if following.lstrip().lower().startswith(counted) and gap <= 1:
                end += gap + len(counted)
        return start, end

    def change(self, text: str, candidate: Candidate) -> str | None:
        """`increase` or `decrease` when the sentence says the figure is a change."""
        before = text[: candidate.start][-40:]
        match = self.vocab.change_before.search(before)
        if match:
            return self.vocab.change_of[match["c"].lower()]
        after_text = text[candidate.end : candidate.end + 40]
        match = self.vocab.change_after.match(after_text)
        if match:
            return self.vocab.change_of[match["c"].lower()]
        return None

    def year(self, sentence: str, offset: int, candidate: Candidate) -> int | None:
        """The year the figure refers to, not a year it is compared with."""
        years: list[tuple[int, int]] = []
        for match in _YEAR.finditer(sentence):
            absolute = offset + match.start()
            if candidate.start <= absolute < candidate.end:
                continue
            if self.vocab.comparison.search(sentence[: match.start()][-20:]):
                continue
            if re.match(r"^\s?(?:%|per cent|percent)", sentence[match.end() :]):
                continue
            years.append((absolute, int(match.group(0))))
        if not years:
            return None
        after_text = sentence[candidate.end - offset :][:40]
        right_after = re.match(
            r"^[^.;,]{0,25}?\b(?:in|during|by|for|as of|at end-|by end-)\s+(?:the\s+)?(?:year\s+)?"
            r"((?:19[5-9]|20\d)\d)\b",
            after_text,
        )
        if right_after:
            return int(right_after.group(1))  # "9 per cent in 2019"
        before = [year for position, year in years if position < candidate.start]
        return before[-1] if before else years[0][1]


def share_range_counted(figures: list[Figure]) -> list[Figure]:
    """Both ends of a range count the same thing: "between 3,000 and 4,000 households"."""
    result = list(figures)
    for index in range(len(result) - 1):
        first, second = result[index], result[index + 1]
        if first.qualifier == "range_from" and second.qualifier == "range_to":
            counted = second.counted or first.counted
            result[index] = replace(first, counted=counted)
            result[index + 1] = replace(second, counted=counted)
    return result


def value_is_day(digits: str) -> bool:
    return digits.isdigit() and 1 <= int(digits) <= 31


def _scale_of(big: float, small: float) -> float:
    for scale in (1e12, 1e9, 1e6, 1e3):
        if big >= scale and small * scale <= big * 10 and small * scale >= big / 100:
            return scale
    return 1.0


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < span_end and span_start < end for span_start, span_end in spans)


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Sentence spans by punctuation: used when the pipeline has no parser."""
    bounds, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(text)))
    return bounds


# -- what a figure counts --------------------------------------------------------------------

_STOP_AFTER = {
    "in", "at", "on", "by", "from", "to", "for", "with", "and", "or", "who", "which", "that",
    "were", "was", "are", "is", "have", "has", "had", "will", "would", "across", "during",
    "through", "between", "since", "compared", "than", "per", "each", "a", "an", "the", "into",
    "under", "over", "their", "this", "these", "those", "its", "it", "they", "as", "while",
}
_SKIP_HEADS = {"cent", "percent", "%", "pct", "million", "billion", "thousand", "bn", "m", "per"}
_PRONOUNS = {"them", "these", "those", "which", "whom"}
_CHANGE_NOUNS = {
    "increase", "rise", "growth", "jump", "surge", "decrease", "decline", "drop", "fall",
    "reduction", "cut", "gain", "loss", "share", "rate", "points", "point",
}


def counted_from_words(text: str, end: int) -> str | None:
    """What a figure counts, read from the words after it (no parse available)."""
    rest = text[end:]
    rest = re.sub(r"^\s*(?:of\s+(?:the\s+)?(?=[a-z]))?", "", rest, count=1)
    words: list[str] = []
    for match in re.finditer(r"[A-Za-z][\w'’-]*|[^\sA-Za-z]", rest):
        word = match.group(0)
        if not re.match(r"[A-Za-z]", word) or word.lower() in _STOP_AFTER:
            break
        words.append(word)
        if len(words) == 4:
            break
    if not words:
        return None
    return " ".join(words).lower() or None


def _noun_phrase(head: Token, figure_tokens: set[int]) -> str:
    left = [
        child
        for child in head.lefts
        if child.dep_ in {"amod", "compound", "nmod", "poss"}
        and child.i not in figure_tokens
        and child.i > max(figure_tokens, default=-1)
        and child.pos_ not in {"NUM", "SYM"}
    ]
    start = min([token.i for token in left] + [head.i])
    # keep modifiers adjacent to the head only: "IOM offices", "victims"
    tokens = [t for t in head.doc[start : head.i + 1] if t.i not in figure_tokens]
    tokens = [t for t in tokens if t.pos_ not in {"DET", "NUM", "ADV", "PUNCT"} and t.text not in {"(", ")"}]
    words = [t.text for t in tokens]
    for child in head.rights:
        if child.dep_ == "prep" and child.lower_ == "of":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                obj = objects[0]
                phrase = [t for t in obj.subtree if t.i <= obj.i or t.dep_ in {"prep", "pobj"}]
                phrase_tokens = [t for t in head.doc[phrase[0].i : obj.i + 1]]
                phrase_tokens = [t for t in phrase_tokens if t.pos_ not in {"DET"}]
                words += ["of"] + [t.text for t in phrase_tokens]
            break
    return " ".join(words).lower()


def counted_from_parse(doc: Doc, figure: Candidate) -> str | None:
    """What a figure counts, read from the dependency parse around its number."""
    span = doc.char_span(figure.start, figure.end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    figure_tokens = {token.i for token in span}
    number = next((token for token in reversed(span) if token.like_num), span[-1])
    if figure.kind in {"percent", "percentage_points", "fraction"}:
        anchor = span[-1]
        for token in [anchor, *anchor.children]:
            for child in token.children if token is anchor else [token]:
                if child.dep_ == "prep" and child.lower_ == "of" and child.i > anchor.i:
                    objects = [c for c in child.children if c.dep_ == "pobj"]
                    if objects:
                        return _noun_phrase(objects[0], figure_tokens)
        following = doc[span.end] if span.end < len(doc) else None
        if following is not None and following.is_alpha and following.pos_ in {"ADJ", "NOUN", "PROPN"}:
            if following.lower_ in _CHANGE_NOUNS:
                return None  # "a 27 per cent increase": the figure is a change, not a share
            return following.text.lower()  # a breakdown: "(69% male, 31% female)"
        return None
    head = number
    steps = 0
    while head.dep_ in {"nummod", "compound", "quantmod", "nmod", "amod"} and steps < 4:
        if head.head.i == head.i:
            break
        head = head.head
        steps += 1
        if head.i not in figure_tokens and head.lower_ not in _SKIP_HEADS:
            break
    if head.i in figure_tokens or head.lower_ in _SKIP_HEADS:
        # "71,325 of them", "1,200 tonnes of food": the figure itself governs an "of" phrase
        for token in (number, head, span[-1]):
            for child in token.children:
                if child.dep_ == "prep" and child.lower_ == "of":
                    objects = [c for c in child.children if c.dep_ == "pobj"]
                    if objects and objects[0].lower_ not in _PRONOUNS:
                        return _noun_phrase(objects[0], figure_tokens)
                    if objects:
                        return "__pronoun__"
        if figure.kind == "money":
            return _money_counted(doc, span)
        return None
    if head.pos_ not in {"NOUN", "PROPN"}:
        return None
    if figure.kind == "money":
        return _money_counted(doc, span)
    return _noun_phrase(head, figure_tokens)


def _after_strong(doc: Doc, text: str, start: int, parsed: bool) -> str | None:
    # "a 1.2 million-strong diaspora": the figure counts the noun the adjective modifies
    if parsed:
        noun = next((t for t in doc if t.idx >= start and t.pos_ in {"NOUN", "PROPN"}), None)
        if noun is not None:
            return _noun_phrase(noun, {t.i for t in doc if t.idx < start})
    words = counted_from_words(text, start)
    return words.split()[0] if words else None


def _money_counted(doc: Doc, span: Span) -> str | None:
    # "remittances of USD 2.5 million", "USD 2.5 million in funding", "funding of USD 3 million"
    root = span.root
    head = root.head
    if head.dep_ == "prep" and head.lower_ in {"of", "worth", "totalling", "totaling"}:
        if head.head.pos_ == "NOUN":
            return head.head.lemma_.lower() if head.head.text.islower() else head.head.lower_
    for child in root.children:
        if child.dep_ == "prep" and child.lower_ in {"in", "for"}:
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects and objects[0].pos_ == "NOUN":
                return objects[0].lower_
    return None


class FigureExtractor:
    """spaCy component: writes the passage's figures to `doc._.migtag_figures`."""

    def __init__(self, nlp: Language, name: str, *, vocabulary_path: str | None) -> None:
        self.name = name
        self.finder = FigureFinder(load_vocabulary(vocabulary_path or str(FIGURES_VOCABULARY)))

    def __call__(self, doc: Doc) -> Doc:
        figures = self.match(doc)
        self.set_annotations(doc, figures)
        return doc

    def match(self, doc: Doc) -> list[Figure]:
        """Find the figures of one passage."""
        text = doc.text
        excluded = [
            (hit.start, hit.end)
            for hit in (doc._.migtag_rule_hits or [])
            if hit.kind == "explicit"
        ]
        candidates = self.finder.pair_ranges(text, self.finder.candidates(text, excluded))
        parsed = doc.has_annotation("DEP")
        if parsed:
            sentences = [(sent.start_char, sent.end_char) for sent in doc.sents]
        else:
            sentences = sentence_bounds(text)
        figures: list[Figure] = []
        previous_counted: str | None = None
        for candidate in candidates:
            sent_start, sent_end = next(
                ((s, e) for s, e in sentences if s <= candidate.start < e), (0, len(text))
            )
            sentence = text[sent_start:sent_end]
            counted = (
                counted_from_parse(doc, candidate)
                if parsed
                else counted_from_words(text, candidate.end)
            )
            if counted == "__pronoun__":
                counted = previous_counted
            if text.startswith("-strong", candidate.end):
                counted = _after_strong(doc, text, candidate.end + len("-strong"), parsed)
            if counted and candidate.kind == "count":
                previous_counted = counted
            qualifier = self.finder.qualifier(text, candidate)
            start, end = self.finder.extent(text, candidate, qualifier, counted)
            figures.append(
                Figure(
                    text=text[start:end],
                    value=candidate.value,
                    kind=candidate.kind,
                    unit=candidate.unit,
                    counted=counted,
                    qualifier=qualifier,
                    year=self.finder.year(sentence, sent_start, candidate),
                    change=self.finder.change(text, candidate),
                    start=start,
                    end=end,
                    sentence=sentence.strip(),
                )
            )
        return share_range_counted(figures)

    def set_annotations(self, doc: Doc, figures: list[Figure]) -> None:
        doc._.migtag_figures = figures


@Language.factory("migtag_figures", default_config={"vocabulary_path": None})
def make_migtag_figures(
    nlp: Language, name: str, vocabulary_path: str | None
) -> FigureExtractor:
    return FigureExtractor(nlp, name, vocabulary_path=vocabulary_path)
