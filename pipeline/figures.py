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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import minibatch
from text_to_num import text2num

from .passage_doc import text_of
from .records import Figure

log = logging.getLogger(__name__)

FIGURES_VOCABULARY = Path(__file__).parent / "data" / "figures.json"

if not Doc.has_extension("migtag_figures"):
    Doc.set_extension("migtag_figures", default=None)

_SEPARATORS = ",\u00a0\u2009\u202f "
_DIGITS = (
    r"(?:\d{1,3},\d{1,2}(?=\s?(?:million|billion|thousand|mn|bn)\b)"  # "1,5 million": a decimal comma
    r"|\d{1,2}(?:,\d\d)+,\d{3}"  # Indian grouping: 12,34,567
    r"|\d{1,3}(?:(?:,|[\u00a0\u2009\u202f ])\d{3})+|\d+)(?:\.\d+)?"
    r"|\.\d+"  # .08
)
_YEAR = re.compile(
    # a footnote marker glued after a sentence-final year ("in 2015.3 The trend") keeps the year
    r"(?<![\d.,/])(?:19[5-9]\d|20\d\d)(?![\d%]|\.\d(?!\d{0,2}(?:\s+[A-Z(\"“]|\s*$))|,\d{3})"
)
_FOOTNOTED_YEAR = re.compile(r"(?:19[5-9]\d|20\d\d)\.\d{1,3}")
_DIGIT_FRACTION = re.compile(r"\d\s+(?:in|out\s+of)\s+\d")
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
    identifiers: re.Pattern[str]
    maybe_identifier: re.Pattern[str]
    word_triggers: frozenset[str]
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
        rf"(?P<digits>{_DIGITS})"
        rf"(?:(?P<glued_scale>bn|mn|m|k|b)\b|(?P<glued_unit>{_alternation(data['glued_units'])})\b"
        rf"|(?:\s|-)?(?P<scale>(?:{scales}))\b(?!-\w*old))?"
        rf"(?P<strong>-strong)?"
        rf"(?![\w/]|[.,]\d|:\d)",
        re.IGNORECASE,
    )
    cardinal = _alternation(data["cardinal_words"])
    big = "|".join(f"(?<={word})" for word in ("hundred", "thousand", "million", "billion", "trillion", "lakh", "crore"))
    # "three hundred and fifty", "twenty-two", "two thousand five hundred": "and" only after a
    # hundred or thousand, so "two and three" stays two numbers
    spelled = rf"(?:(?:a|one)\s+)?(?:{cardinal})(?:(?:\s*-\s*|\s+)(?:{cardinal})|(?:{big})\s+and\s+(?:{cardinal}))*"
    set_phrases = _alternation(word for word in data["number_words"] if " " in word or word == "dozen")
    number_words = re.compile(
        rf"\b(?P<words>{spelled}|{set_phrases})"  # spelled first: "a hundred and two"
        r"(?:\s+and\s+(?:a|one)\s+(?P<part>half|quarter))?"  # "five and a half million"
        rf"(?:\s(?P<scale>{scales})\b)?(?![\w-])",
        re.IGNORECASE,
    )
    fraction_words = _alternation(data["fraction_words"])
    fractions = re.compile(
        rf"\b(?P<fraction>{fraction_words})\b(?=\s+of\b)"
        rf"|(?<=\bby\s)(?P<by_fraction>{fraction_words})\b"  # "dropped by a third"
        r"|(?<![\d,.])\b(?P<num>one|two|three|four|five|six|seven|eight|nine|ten|\d{1,3})\s+(?:in|out\s+of)\s+"
        r"(?P<den>two|three|four|five|six|seven|eight|nine|ten|\d{1,3})\b(?![\d,.]\d)",
        re.IGNORECASE,
    )
    suffix_words = (
        list(data["percent_suffixes"])
        + list(data["point_suffixes"])
        + list(data["currency_suffixes"])
        + list(data["units"])
    )
    after = re.compile(rf"^(?:\s|-)?(?P<suffix>{_alternation(suffix_words)})(?![\w])", re.IGNORECASE)
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
        currency_before=re.compile(rf"(?:^|[\s(–—-])(?P<code>{prefixes})\s?$", re.IGNORECASE),
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
        identifiers=re.compile(
            # ISBN 978-92-9268-013-5, ISSN 1813-2278, +41 22 555 0142, C/106/RES/1310
            rf"(?:\b(?:{_alternation(data['identifier_words'])})\s*(?::\s*)?)[\dX][\dX-]*"
            r"|(?<!\w)\+\d[\d\s().-]{6,}\d"
            r"|\b\d+(?:-\d+){2,}\b"
            r"|\b[A-Z]+/\d+(?:/[\w.]+)+"
            r"|\(cid:\d+\)"  # glyph codes of a font without a text map
            r"|\b\d{1,4}\s?\(\d{1,4}(?:[-–]\d{1,4})?\)\s?[,:]\s?\d+(?:\s?[-–]\s?\d+)?"  # "49(5), 1216-1233": volume, issue, pages
            r"|(?<=,\s)(?:19|20)\d\d[a-z]?\s?:\s?\d+(?:\s?[-–]\s?\d+)?(?=\s?[);,])"  # "(Stats SA, 2017: 26)"
            r"|\b(?:19|20)\d\d[a-z]:\s?\d+(?:\s?[-–]\s?\d+)?"  # "(Stats SA, 2016b:166-7)"
            r"|\b\d{1,4}\s?:\s?\d{1,4}(?:\s?:\s?\d{1,4})?\s?[-–]\s?\d{1,4}(?=\s?[).;,]|\s*$)"  # "Studies, 7: 28-38)"
            r"|\b\d{1,4}\s?\|\s?P\s?a\s?g\s?e\b"  # a page footer the layout left in: "123 | P a g e"
            r"|\b(?:https?://|www\.)\S+"  # numbers inside a web address
            r"|\b\d+:\d+\b",  # ratios and times: "1:3286", "10:30"
            re.IGNORECASE,
        ),
        # cheap tests run before the costly expressions above: most passages hold no
        # identifier and no number in words
        maybe_identifier=re.compile(
            rf"\d[-/:]\d|\d[a-z]?\s?:\s?\d|\d\s?\|\s?P|[+/]\d|\d\s?\(\d|cid:|https?:|www\.|\b(?:{_alternation(w.rstrip('.') for w in data['identifier_words'])})",
            re.IGNORECASE,
        ),
        word_triggers=frozenset(
            part
            for phrase in [*data["cardinal_words"], *data["number_words"], *data["fraction_words"]]
            for part in re.findall(r"[a-z]+", phrase.lower())
            if part not in {"a", "an", "of", "one"}
        )
        | {"one"},
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
    if re.fullmatch(r"\d{1,3},\d{1,2}", digits):
        return float(digits.replace(",", "."))  # "1,5 million"
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
        self.age_limits = set(data["age_limits"])
        self.durations = {word.lower() for word in data["duration_nouns"]}

    def digits_value(self, match: re.Match[str]) -> float:
        """The value of a `Vocabulary.number` match, scale applied."""
        scale = (match["glued_scale"] or match["scale"] or "").lower()
        return _number_value(match["digits"]) * (self.scales[scale] if scale else 1.0)

    def words_value(self, match: re.Match[str]) -> float | None:
        """The value of a `Vocabulary.number_words` match, scale and "and a half" applied."""
        scale_word = (match["scale"] or "").lower()
        words = match["words"]
        dozens = 0.0
        if self.scales.get(scale_word) == 12 and re.search(r"\sand\s", words):
            # "three hundred and two dozen": the dozen counts only the number it follows
            words, _, last = words.rpartition(" and ")
            dozens = spelled_value(last, self.number_words, self.scales) or 0.0
            scale_word = ""
        value = spelled_value(words, self.number_words, self.scales)
        if value is None:
            return None
        if dozens:
            return value + dozens * 12
        part = {"half": 0.5, "quarter": 0.25}.get((match["part"] or "").lower(), 0.0)
        last = match["words"].lower().split()[-1]
        if part and last in self.scales:
            # "one million and a half", "one billion and a half million"
            return value + part * self.scales[(match["scale"] or last).lower()]
        value += part  # "five and a half (million)"
        if scale_word:
            value *= self.scales[scale_word]
        return value

    # -- finding -------------------------------------------------------------------------

    def candidates(self, text: str, excluded: list[tuple[int, int]]) -> list[Candidate]:
        """Numbers that are figures, before ranges are paired, in order of appearance."""
        found: list[Candidate] = []
        taken: list[tuple[int, int]] = list(excluded)
        if self.vocab.maybe_identifier.search(text):
            taken += [match.span() for match in self.vocab.identifiers.finditer(text)]
        spelled = not self.vocab.word_triggers.isdisjoint(re.findall(r"[a-z]+", text.lower()))
        fractions = self.vocab.fractions.finditer(text) if spelled or _DIGIT_FRACTION.search(text) else ()
        for match in fractions:
            candidate = self._fraction(text, match)
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
        for match in self.vocab.number_words.finditer(text) if spelled else ():
            if _overlaps(taken, match.start(), match.end()):
                continue
            candidate = self._words(text, match)
            if candidate:
                found.append(candidate)
        return sorted(found, key=lambda candidate: candidate.start)

    def _fraction(self, text: str, match: re.Match[str]) -> Candidate | None:
        if match["fraction"] and re.search(r"\b(?:first|second|third|last|latter|former)\s+$", text[: match.start()][-20:], re.I):
            return None  # "in the first half of the year": a period, not a share
        if match["fraction"] or match["by_fraction"]:
            value = self.fraction_words[(match["fraction"] or match["by_fraction"]).lower()]
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
        before = text[max(0, match.start() - 80) : match.start()]
        after_text = text[match.end() : match.end() + 80]
        value = _number_value(digits)
        scale_word = (match["glued_scale"] or match["scale"] or "").lower()
        currency = None
        start = match.start()
        prefix = self.vocab.currency_before.search(before)
        if prefix:
            currency = self.prefixes.get(prefix["code"].lower())
            start -= len(before) - prefix.start("code")  # the figure's text starts at its currency
        if match["glued_unit"] and currency and match["glued_unit"].lower() == "t":
            return Candidate(start, match.end(), value * self.scales["trillion"], "money", currency)  # "$2.174T"
        if match["glued_unit"] and not currency:
            if self._not_a_figure(text, start, match, "measure", "", None):
                return None
            return Candidate(start, match.end(), value, "measure", self.units.get(match["glued_unit"].lower(), match["glued_unit"]))
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
            elif word in self.points and not (
                word in {"points", "point"} and re.match(r"^\s+of\b", after_text[suffix.end() :])
            ):  # "4 points" after a share, but "14 points of entry" counts places
                kind, unit, end = "percentage_points", None, match.end() + suffix.end()
            elif word in self.suffix_currency and not currency:
                kind, unit, end = "money", self.suffix_currency[word], match.end() + suffix.end()
            elif word in self.units and not currency:
                kind, unit, end = "measure", self.units[word], match.end() + suffix.end()
        if match["strong"]:
            end = match.end() - len("-strong")
        if self._not_a_figure(text, start, match, kind, scale_word, currency):
            return None
        if start == match.start() and re.search(r"(?:^|[\s(\[“\"=])[-−]$", before) and not re.search(
            r"\d[\d,.%]*\s*[-−]$", before
        ):
            # "scores from -2 to 1", "growth of −0.5 per cent": a sign, not a hyphen or a range
            start, value = start - 1, -value
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
        # a window before the number is all any rule reads; slicing the whole text per number
        # made long passages quadratic. A window that does not reach the text's start begins
        # with a NUL so that "^" still means the real start.
        window = max(0, number_start - 80)
        before = ("\0" if window else "") + text[window:number_start]
        after_text = text[match.end() : match.end() + 80]
        if plain and _YEAR.fullmatch(digits):
            return True  # a year, not a figure
        if not currency and match["glued_scale"] and _YEAR.fullmatch(digits):
            return True  # "2016b": a citation's year, not 2016 billion
        if plain and self.vocab.not_after.match(after_text):
            return True  # duration, age, ordinal
        if not scale_word and self.vocab.not_before.search(before[-40:]):
            return True  # target, section, page, resolution numbers
        range_opener = re.sub(r"\d+\s*(?:to|and|[–—-])\s*$", "", before)
        if plain and range_opener != before and self.vocab.not_before.search(range_opener[-40:]):
            return True  # the far end of "aged 18 to 35", "pages 12-15"
        if _FOOTNOTED_YEAR.fullmatch(digits) and re.match(r"^(?:\s+[A-Z(\"“]|\s*$)", after_text):
            return True  # "in 2015.3 The trend": a year with its footnote marker
        if self.vocab.months.search(after_text[:12]) and plain and value_is_day(digits):
            return True  # "4 December 2015"
        if plain and re.search(r"[+]\s?$", before):
            return True  # phone numbers
        if plain and re.fullmatch(r"\d\d", digits) and re.search(r"(?:19|20)\d\d\s?[-–/]\s?$", before):
            return True  # "2017-18", "2021–22": a fiscal or survey year
        if plain and re.fullmatch(_SMALL, digits) and _BARE_NUMBER_RUN.search(before[-24:] + "\0" + after_text[:24]):
            return True  # "0 1 2 3", "20 6 1 0": a table row or chart scale, no figure a sentence gives
        if kind == "percent" and _PERCENT_RUN.search(before[-24:] + "\0" + after_text[:24]):
            return True  # "100% 90% 80% …": the axis of a chart
        # nothing before the number in the passage (a window that does not reach the start
        # begins with the NUL, which is no white space)
        opens_passage = not before.strip()
        if plain and opens_passage and re.fullmatch(r"[.:)]?\s*", after_text):
            return True  # a number that is the whole passage: a section or page number
        if plain and opens_passage and re.fullmatch(r"\d{1,3}", digits) and _MARKER_OPENING.match(after_text):
            return True  # "49 Since 2020, …": the marker of a footnote read as a passage of its own
        if plain and _AGE_GROUP_NAME.search(before):
            return True  # "under-5 mortality": the name of an age group
        if plain and re.search(r"\b[A-Z]{2,6}\s?$", before) and re.match(r"^\s?:", after_text):
            return True  # "SOP 2:", "KPI 3:": the label of an item, not a figure
        if (
            plain
            and re.search(r"\b(?:under|below|over|above|aged)\s+$", before, re.IGNORECASE)
            and digits in self.age_limits
            and re.match(r"^\s*(?:$|[.,;:)]|and\b|or\b|years\b)", after_text)
        ):
            return True  # "were under 18", "children under 5.": an age limit, not a count
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
        value = self.words_value(match)
        if value is None:
            return None
        after_text = text[match.end() :]
        end = match.end()
        kind, unit = "count", None
        suffix = self.vocab.after.match(after_text)
        word = suffix["suffix"].lower() if suffix else ""
        if word in self.percent | self.points:
            # "Seventy per cent of identified victims"
            kind = "percent" if word in self.percent else "percentage_points"
            end = match.end() + suffix.end()
        elif word in self.units:
            kind, unit, end = "measure", self.units[word], match.end() + suffix.end()  # "two metres"
        elif word in self.suffix_currency:
            kind, unit, end = "money", self.suffix_currency[word], match.end() + suffix.end()
        # the next words, footnote markers dropped ("returnees12")
        following = [w.rstrip("0123456789").lower() for w in re.findall(r"[A-Za-z][\w-]*", after_text[:60])[:3]]
        next_word = following[0] if following else ""
        before = text[: match.start()][-40:]
        if self.vocab.not_before.search(before) or _AGE_GROUP_NAME.search(before):
            return None  # "phase two of the road", "under-five mortality"
        if kind == "count" and not match["scale"] and value < 1000:
            # A number word is a figure only when it counts things: "twelve countries", "seven
            # member states", not "one of the", "six months" or "two thirds" (a fraction).
            if not next_word or next_word in self.durations or words == "one":
                return None
            if next_word == "of" and value >= 2:
                # "two of the five regions", "a hundred and two of those": a count of a group
                return Candidate(match.start(), end, float(value), kind, unit)
            if next_word in _NOT_COUNTED_AFTER:
                return None
            noun = next((w for w in following if w in _NOT_COUNTED_AFTER or w.endswith("s")), "")
            if not (noun.endswith("s") and noun not in _NOT_COUNTED_AFTER) and words not in {"a dozen", "dozen"}:
                return None
            if noun in self.durations:
                return None
        return Candidate(match.start(), end, float(value), kind, unit)

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
            if second.kind == "count" and first.kind == "money":
                # "between €1,500 and 3,000": the far end is money in the same currency
                second = replace(second, kind="money", unit=first.unit)
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


# what joins two figures of one thing: "5,020 arrivals in 2017 and 7,480 in 2018", "15 centres,
# exceeding its target of 12", "82 reports out of 90", "161 requests, double the 81 in 2023"
_SAME_THING_LINK = re.compile(
    r"[^.;]*\b(?:and|compared (?:to|with)|against|versus|vs\.|target of|out of|double|twice|"
    r"up from|down from|from|to)\s+(?:(?:the|a|an|just|only|some|its|their)\s+)*"
)

# a small bare number with small bare numbers on either side, or two on one side ("\0" marks
# the figure): "0 1 2 3", "3.4 3.3 2.9", "SDGs 1, 2, 5 and 6"; "1,200, 3,400" are not small
_SMALL = r"\d{1,3}(?:\.\d+)?,?"
_BARE_NUMBER_RUN = re.compile(
    rf"(?:^|\s){_SMALL}\s+\0\s+{_SMALL}(?:\s|$)"
    rf"|(?:^|\s){_SMALL}\s+{_SMALL}\s+\0"
    rf"|\0\s+{_SMALL}\s+{_SMALL}(?:\s|$)"
)
_PERCENT_RUN = re.compile(
    r"\d{1,3}%\s+\0%\s+\d{1,3}%|\d{1,3}%\s+\d{1,3}%\s+\0%|\0%\s+\d{1,3}%\s+\d{1,3}%"
)
# a footnote's text opens on its number and then a sentence: "49 Since 2020", "51 See the"
_MARKER_OPENING = re.compile(
    r"^\s(?:The|A|An|This|These|Those|See|Since|For|In|On|At|As|It|Its|There|Ibid|Available|Source|"
    r"According|Based|Note|Also|We|Our|Data|Figures|Deployed|Very|Good|Poor)\b"
)

# "under-5", "under-five", "over-65s": a number glued to "under-" names an age group
_AGE_GROUP_NAME = re.compile(r"\b(?:under|over)-$", re.IGNORECASE)


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


def spelled_value(
    words: str, set_phrases: dict[str, float], scales: dict[str, float] | None = None
) -> float | None:
    """The value of a number in words: a set phrase ("half a million", "a dozen") or a
    spelled-out cardinal read by text2num ("three hundred and fifty" -> 350). A scale word
    text2num does not know ("trillion", "lakh", "crore", given in `scales`) splits the words
    into what it multiplies and what it adds: "three lakh crore" -> 3e12."""
    words = re.sub(r"\s*-\s*", "-", " ".join(words.lower().split()))  # "fifty - two"
    if words in set_phrases:
        return set_phrases[words]
    try:
        return float(text2num(re.sub(r"^a\s+", "one ", words), "en"))
    except ValueError:
        pass
    present = [word for word in words.split() if word in (scales or {}) and scales[word] >= 1e5]
    if not present:
        return None
    word = max(present, key=lambda w: scales[w])
    left, right = re.split(rf"\b{word}\b", words, maxsplit=1)
    left, right = left.strip(), re.sub(r"^and\s+", "", right.strip())
    multiplied = 1.0 if left in {"", "a", "one"} else spelled_value(left, set_phrases, scales)
    added = spelled_value(right, set_phrases, scales) if right else 0.0
    if multiplied is None or added is None:
        return None
    return multiplied * scales[word] + added


def parse_number(text: str, vocabulary_path: str = str(FIGURES_VOCABULARY)) -> float | None:
    """Normalise a number written alone: "1,234.5", "20.9 million", "3.5m", "USD 1.1 bn",
    "forty-two", "half a million", "1.2 million-strong". None when it is not one number."""
    vocab = load_vocabulary(vocabulary_path)
    finder = _finder(vocabulary_path)
    text = " ".join(text.split())
    code = next(
        (c for c in sorted(finder.prefixes, key=len, reverse=True) if re.match(rf"{re.escape(c)}\s?\d", text, re.IGNORECASE)),
        None,
    )
    if code:
        text = text[len(code) :].lstrip()  # "USD 1.1 bn": the currency is not part of the number
    for pattern, read in ((vocab.number, finder.digits_value), (vocab.number_words, finder.words_value)):
        match = pattern.fullmatch(text) or pattern.fullmatch(text.rstrip("."))
        if match:
            return read(match)
    return None


@lru_cache(maxsize=4)
def _finder(vocabulary_path: str) -> FigureFinder:
    return FigureFinder(load_vocabulary(vocabulary_path))


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
_NOT_COUNTED_AFTER = {
    "of", "in", "or", "and", "to", "the", "a", "an", "per", "more", "is", "was", "were", "are",
    "has", "had", "have", "its", "their", "this", "these", "those", "as", "at", "on", "by",
}
_SKIP_HEADS = {"cent", "percent", "%", "pct", "million", "billion", "thousand", "bn", "m", "per"}
_PRONOUNS = {"them", "these", "those", "which", "whom", "they", "it", "this", "that"}
_CHANGE_NOUNS = {
    "increase", "rise", "growth", "jump", "surge", "decrease", "decline", "drop", "fall",
    "reduction", "cut", "gain", "loss", "share", "rate", "points", "point",
}
# The word lists that steer how the parse is read live in data/figures.json ("counted_words");
# they are matched on lower-cased words, so the parser needs no lemmatizer.
_COUNTED_WORDS = {
    name: frozenset(words)
    for name, words in json.loads(FIGURES_VOCABULARY.read_text(encoding="utf-8"))["counted_words"].items()
    if not name.startswith("_")
}
_RATIO_NOUNS = _COUNTED_WORDS["ratio_nouns"]
_RATE_NOUNS = _COUNTED_WORDS["rate_nouns"]
_REFERENCE_NOUNS = _COUNTED_WORDS["reference_nouns"]
_SHARE_VERBS = _COUNTED_WORDS["share_verbs"]
_VALUE_VERBS = _COUNTED_WORDS["value_verbs"]
_BE = _COUNTED_WORDS["be_forms"]
_TIME_NOUNS = _COUNTED_WORDS["time_nouns"]
_SHARE_KINDS = {"percent", "percentage_points", "fraction"}
_MODIFIER_DEPS = {"amod", "compound", "nmod", "advmod", "npadvmod", "punct"}


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


def _phrase(tokens: list[Token]) -> str:
    """The words of `tokens` as they are written ("gender-based", not "gender - based")."""
    tokens = sorted(tokens, key=lambda token: token.i)
    text = "".join(token.text_with_ws for token in tokens[:-1]) + tokens[-1].text if tokens else ""
    text = re.sub(r"(?<=[a-z])\d+\b", "", text)  # a footnote marker glued to a word
    return " ".join(text.split()).strip(" ,;:()").lower()


def _noun_phrase(head: Token, figure_tokens: set[int], *, complement: bool = True) -> str | None:
    """The noun phrase headed by `head`: its adjacent modifiers ("internally displaced
    persons", "host community members"), its "of" complement ("victims of forced labour") and
    a bare conjunct ("entries and exits")."""
    if head.lower_ in _PRONOUNS or head.like_num:
        return None
    doc = head.doc
    start = head.i
    while start > 0:
        left = doc[start - 1]
        if left.i in figure_tokens or left.like_num or left.pos_ in {"DET", "NUM", "PRON", "ADP", "CCONJ"}:
            break
        if head not in left.ancestors or (left.dep_ not in _MODIFIER_DEPS and left.head.i != head.i):
            break
        if left.dep_ == "punct" and (left.whitespace_ or not doc[start - 2 : start - 1].text):
            break  # only a glued hyphen belongs to the phrase
        start -= 1
    tokens = list(doc[start : head.i + 1]) + _glued_after(head)
    if complement:
        for child in head.rights:
            if child.dep_ == "prep" and child.lower_ == "of":
                objects = [c for c in child.children if c.dep_ == "pobj" and c.pos_ in {"NOUN", "PROPN"}]
                if objects:
                    inner = _noun_phrase(objects[0], figure_tokens, complement=False)
                    if inner:
                        tokens += [child] + [t for t in doc[child.i + 1 : objects[0].i + 1] if t.pos_ != "DET"]
                break
            if child.dep_ == "cc" and child.i == head.i + 1:
                conjuncts = [c for c in head.rights if c.dep_ == "conj" and c.i == child.i + 1 and c.pos_ == "NOUN"]
                if conjuncts and not any(g.dep_ == "nummod" for g in conjuncts[0].children):
                    tokens += [child, conjuncts[0], *_glued_after(conjuncts[0])]
                break
    return _phrase([t for t in tokens if t.pos_ != "DET"]) or None


def _glued_after(token: Token) -> list[Token]:
    # "sub-offices", "micro-enterprises": the parser may split a hyphenated word
    doc, glued = token.doc, []
    while not token.whitespace_ and token.i + 2 < len(doc) and doc[token.i + 1].text == "-" and not doc[token.i + 1].whitespace_ and doc[token.i + 2].is_alpha:
        glued += [doc[token.i + 1], doc[token.i + 2]]
        token = doc[token.i + 2]
    return glued


def _of_object(tokens: Iterable[Token]) -> Token | None:
    for token in tokens:
        for child in token.rights:
            if child.dep_ == "prep" and child.lower_ == "of":
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects:
                    return objects[0]
    return None


def _unwrap(noun: Token, figure_tokens: set[int], *, share: bool = False) -> str | None:
    # "the number of deaths" -> "deaths"; "unemployment among returnees" -> "returnees";
    # a rate with no such complement ("vaccination coverage reached 95 per cent") counts nothing
    ratio = noun.lower_ in _RATIO_NOUNS
    rate = share and noun.lower_ in _RATE_NOUNS
    if ratio or rate:
        for child in noun.rights:
            if child.dep_ == "prep" and child.lower_ in {"of", "among"}:
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects:
                    return _unwrap(objects[0], figure_tokens, share=share)
        return None
    if noun.lower_ in _REFERENCE_NOUNS:
        return None
    return _noun_phrase(noun, figure_tokens)


def _governing_verb(token: Token) -> Token | None:
    """The verb a figure is an argument of, climbing through "by", "to a total of" and the like."""
    current = token
    for _ in range(6):
        if current.head.i == current.i:
            return current if current.pos_ in {"VERB", "AUX"} else None
        current = current.head
        if current.pos_ in {"VERB", "AUX"}:
            return current
        if current.pos_ in {"NOUN", "PROPN"} and current.lower_ not in _REFERENCE_NOUNS | _SKIP_HEADS:
            return None
    return None


def _subject_of(
    verb: Token, figure_tokens: set[int], *, share: bool = False, any_verb: bool = False
) -> str | None:
    """The subject of a verb that states a quantity ("Remittances reached USD 48 billion",
    "arrivals rose by 27 per cent"), not of any verb ("the Government pledged £2 million")."""
    if not any_verb and verb.lower_ not in _VALUE_VERBS:
        return None
    if verb.dep_ in {"acl", "relcl"} and verb.head.pos_ in {"NOUN", "PROPN"}:
        return _unwrap(verb.head, figure_tokens, share=share)  # "arrivals by land climbed by 3,200"
    for candidate in (verb, verb.head if verb.dep_ in {"conj", "xcomp", "ccomp"} else None):
        if candidate is None:
            continue
        subjects = [c for c in candidate.children if c.dep_ in {"nsubj", "nsubjpass", "expl"}]
        if subjects:
            subject = subjects[0]
            if subject.i in figure_tokens or subject.like_num or subject.lower_ in _PRONOUNS:
                return None
            return _unwrap(subject, figure_tokens, share=share)
    return None


def _share_counted(
    doc: Doc, span: Span, root: Token, figure_tokens: set[int], figure_kind: str
) -> str | None:
    verb = _governing_verb(root)
    if verb is not None and verb.lower_ in _SHARE_VERBS and root.dep_ in {"dobj", "pobj", "attr"}:
        return _subject_of(verb, figure_tokens, any_verb=True)
    following = doc[span.end] if span.end < len(doc) else None
    obj = _of_object([span[-1], root])
    if obj is not None:
        if obj.lower_ in _PRONOUNS:
            after = doc[obj.i + 1] if obj.i + 1 < len(doc) else None
            if after is not None and after.pos_ in {"NOUN", "PROPN"} and after.tag_ in {"NNS", "NNPS"}:
                return _noun_phrase(after, figure_tokens)  # "57 per cent of them women"
            return "__pronoun__"
        if obj.lower_ in _REFERENCE_NOUNS:
            return None
        return _noun_phrase(obj, figure_tokens)
    if following is not None and following.is_alpha and following.tag_ not in {"JJR", "RBR", "IN", "DT", "CC", "TO"}:
        compound_verb = following.tag_ == "VBG" and following.head.i > following.i and following.head.pos_ == "NOUN"
        if following.pos_ in {"ADJ", "NOUN", "PROPN"} or following.tag_ == "VBN" or compound_verb:
            if following.lower_ in _CHANGE_NOUNS:
                for child in following.rights:  # "a 12 per cent drop in household income"
                    if child.dep_ == "prep" and child.lower_ in {"in", "of"}:
                        objects = [c for c in child.children if c.dep_ == "pobj"]
                        if objects:
                            return _noun_phrase(objects[0], figure_tokens)
                return None
            noun = following
            while noun.dep_ in {"compound", "amod"} and noun.head.i > noun.i and noun.head.pos_ in {"NOUN", "PROPN"}:
                noun = noun.head  # "nine out of ten sea arrivals"
            if noun is not following:
                return _noun_phrase(noun, figure_tokens)
            return _phrase([following, *_glued_after(following)])  # a breakdown: "(69% male, 31% female)"
    if root.dep_ == "appos" and root.head.pos_ in {"NOUN", "PROPN"}:
        return _noun_phrase(root.head, figure_tokens, complement=False)  # "men (62%)"
    if root.dep_ == "nsubjpass" and root.head.tag_ == "VBN":
        return root.head.lower_  # "45 per cent were employed"
    for child in root.rights:
        if child.dep_ == "prep" and child.lower_ == "among":  # "92.5 per cent among women"
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return _noun_phrase(objects[0], figure_tokens)
    if root.dep_ in {"nsubj", "nsubjpass"} and root.head.lower_ in _BE:
        for child in root.head.rights:  # "58 per cent were women", "45 per cent were employed"
            if child.dep_ in {"attr", "acomp"}:
                return _noun_phrase(child, figure_tokens) if child.pos_ in {"NOUN", "PROPN"} else child.lower_
    opener = next((t for t in reversed(doc[: span.start]) if t.text in {"(", ")"}), None)
    if opener is not None and opener.text == "(" and (following is None or following.text in {")", ","}):
        noun = next((t for t in reversed(doc[: opener.i]) if t.pos_ in {"NOUN", "PROPN"}), None)
        if noun is not None and noun.i == opener.i - 1:
            return _noun_phrase(noun, figure_tokens, complement=False)  # "Afghans (41 per cent)"
    if figure_kind == "percentage_points" or verb is None:
        return None  # a change of a rate: the rate is not a thing counted
    return _subject_of(verb, figure_tokens, share=True)


def _money_counted(doc: Doc, span: Span, root: Token, figure_tokens: set[int]) -> str | None:
    head = root.head
    if root.dep_ == "appos" and head.pos_ == "NOUN" and head.lower_ not in _REFERENCE_NOUNS:
        return _noun_phrase(head, figure_tokens, complement=False)
    if head.dep_ == "prep" and head.lower_ in {"of", "worth", "totalling", "totaling"}:
        owner = head.head
        if owner.pos_ in {"NOUN", "PROPN"} and owner.lower_ not in _REFERENCE_NOUNS:
            return _noun_phrase(owner, figure_tokens, complement=False)  # "a cash grant of US$ 300"
        if owner.lower_ in _REFERENCE_NOUNS:
            root, head = owner, owner.head  # "an average of US$1,750 in recruitment fees"
    for token, preps in ((root, {"in", "for"}), (head if head.pos_ == "VERB" else None, {"in", "on"})):
        if token is None:
            continue
        for child in token.rights:
            if child.dep_ == "prep" and child.lower_ in preps:
                objects = [
                    c for c in child.children
                    if c.dep_ == "pobj" and c.pos_ == "NOUN" and c.lower_ not in _TIME_NOUNS
                ]
                if objects:
                    return _noun_phrase(objects[0], figure_tokens)
    verb = _governing_verb(root)
    if verb is None:
        return None
    if verb.dep_ in {"acl", "relcl"} and verb.head.pos_ == "NOUN":
        return _noun_phrase(verb.head, figure_tokens, complement=False)  # "a grant averaging US$ 1,500"
    return _subject_of(verb, figure_tokens)


def counted_from_parse(doc: Doc, figure: Candidate) -> str | None:
    """What a figure counts, read from the dependency parse around its number."""
    span = doc.char_span(figure.start, figure.end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    figure_tokens = {token.i for token in span}
    root = span.root
    if figure.kind in _SHARE_KINDS:
        return _share_counted(doc, span, root, figure_tokens, figure.kind)
    if figure.kind == "money":
        return _money_counted(doc, span, root, figure_tokens)
    number = root if root.like_num else next((t for t in reversed(span) if t.like_num), span[-1])
    if number.dep_ in {"nsubj", "nsubjpass"} and number.head.lower_ in _BE:
        attributes = [c for c in number.head.rights if c.dep_ == "attr" and c.pos_ in {"NOUN", "PROPN"}]
        if attributes:
            return _noun_phrase(attributes[0], figure_tokens)  # "3,870 were men"
    head = number
    for _ in range(4):
        if head.dep_ not in {"nummod", "compound", "quantmod", "nmod", "amod"} or head.head.i == head.i:
            break
        head = head.head
        if head.i not in figure_tokens and head.lower_ not in _SKIP_HEADS:
            break
    if head.i not in figure_tokens and head.lower_ not in _SKIP_HEADS and head.pos_ in {"NOUN", "PROPN"}:
        if head.lower_ in _REFERENCE_NOUNS:
            head = head.head  # "a total of 18,900"
        else:
            return _noun_phrase(head, figure_tokens)
    obj = _of_object([number, head, span[-1]])
    if obj is not None:  # "71,325 of them", "1,200 tonnes of food"
        return "__pronoun__" if obj.lower_ in _PRONOUNS else _noun_phrase(obj, figure_tokens)
    if number.dep_ in {"nsubj", "nsubjpass"}:
        return _group_of_sentence(number, figure_tokens)  # "Of the 9,800 interviewed, 2,100 said"
    verb = _governing_verb(root)
    if verb is None:
        return None
    return _subject_of(verb, figure_tokens)  # "Labour migrants number 3.4 million"


def _group_of_sentence(token: Token, figure_tokens: set[int]) -> str | None:
    # "Of the 9,800 asylum seekers interviewed, 2,100 said ...": the sentence opens on the
    # group the figure is part of
    for child in token.head.lefts:
        if child.dep_ == "prep" and child.lower_ in {"of", "among"} and child.i == token.sent.start:
            objects = [c for c in child.children if c.dep_ == "pobj" and c.pos_ in {"NOUN", "PROPN"}]
            if objects:
                return _noun_phrase(objects[0], figure_tokens, complement=False)
    return None


def _after_strong(sentence_doc: Doc | None, sentence: str, start: int) -> str | None:
    # "a 1.2 million-strong diaspora": the figure counts the noun the adjective modifies
    if sentence_doc is not None:
        noun = next((t for t in sentence_doc if t.idx >= start and t.pos_ in {"NOUN", "PROPN"}), None)
        if noun is not None:
            return _noun_phrase(noun, {t.i for t in sentence_doc if t.idx < start})
    words = counted_from_words(sentence, start)
    return words.split()[0] if words else None


class FigureExtractor:
    """spaCy component: writes the passage's figures to `doc._.migtag_figures`.

    With `parser_model` set, only the sentences that hold a figure are parsed (by that spaCy
    pipeline, in batches) to read what each figure counts: most sentences of a report hold no
    number, so the parse costs a fraction of parsing every passage. Without it, what a figure
    counts is read from the words that follow it.
    """

    def __init__(
        self, nlp: Language, name: str, *, vocabulary_path: str | None, parser_model: str | None
    ) -> None:
        self.name = name
        self.finder = FigureFinder(load_vocabulary(vocabulary_path or str(FIGURES_VOCABULARY)))
        self.parser = load_parser(parser_model) if parser_model else None

    def __call__(self, doc: Doc) -> Doc:
        return self._run([doc])[0]

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        for batch in minibatch(stream, size=batch_size):
            yield from self._run(list(batch))

    def match(self, doc: Doc) -> list[Figure]:
        """Find the figures of one passage."""
        return self._run([doc])[0]._.migtag_figures

    def _run(self, docs: list[Doc]) -> list[Doc]:
        texts = [text_of(doc) for doc in docs]
        plans = [self._plan(doc, text) for doc, text in zip(docs, texts, strict=True)]
        wanted = [
            (index, start, end)
            for index, (candidates, sentences) in enumerate(plans)
            for start, end in sentences
            if any(
                start <= candidate.start < end and not _plainly_counted(texts[index], candidate)
                for candidate in candidates
            )
        ]
        parses: dict[tuple[int, int], Doc] = {}
        if self.parser is not None and wanted:
            sentences = [texts[index][start:end] for index, start, end in wanted]
            for (index, start, _), parsed in zip(wanted, self.parser.pipe(sentences), strict=True):
                parses[(index, start)] = parsed
        for index, doc in enumerate(docs):
            candidates, bounds = plans[index]
            parsed = {start: sent for (owner, start), sent in parses.items() if owner == index}
            self.set_annotations(doc, self._figures(texts[index], candidates, bounds, parsed))
        return docs

    def _plan(self, doc: Doc, text: str) -> tuple[list[Candidate], list[tuple[int, int]]]:
        excluded = [
            (hit.start, hit.end)
            for hit in (doc._.migtag_rule_hits or [])
            if hit.kind == "explicit"
        ]
        candidates = self.finder.pair_ranges(text, self.finder.candidates(text, excluded))
        return candidates, sentence_bounds(text) if candidates else []

    def _figures(
        self,
        text: str,
        candidates: list[Candidate],
        sentences: list[tuple[int, int]],
        parsed: dict[int, Doc],
    ) -> list[Figure]:
        figures: list[Figure] = []
        previous_counted: str | None = None
        for candidate in candidates:
            sent_start, sent_end = next(
                ((s, e) for s, e in sentences if s <= candidate.start < e), (0, len(text))
            )
            sentence = text[sent_start:sent_end]
            sentence_doc = parsed.get(sent_start)
            if sentence_doc is not None and not _plainly_counted(text, candidate):
                local = replace(candidate, start=candidate.start - sent_start, end=candidate.end - sent_start)
                counted = counted_from_parse(sentence_doc, local)
            else:
                counted = counted_from_words(text, candidate.end)
            if counted == "__pronoun__":
                counted = previous_counted
            elif counted is None and candidate.kind == "count" and figures and figures[-1].counted:
                last = figures[-1]
                if last.kind == "count" and last.sentence == sentence.strip() and re.fullmatch(
                    _SAME_THING_LINK, text[last.end : candidate.start]
                ):
                    counted = last.counted  # "5,020 arrivals in 2017 and 7,480 in 2018"
            if text.startswith("-strong", candidate.end):
                counted = _after_strong(
                    sentence_doc, sentence, candidate.end - sent_start + len("-strong")
                )
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


# "4,200 households in 2019", "98,000 migrants.": a count followed by one plural noun and then a
# clear boundary needs no parse to say what it counts; anything less plain is parsed.
_PLAIN_COUNTED = re.compile(
    r"\s([a-z][a-z-]*[a-z]s)(?=[.,;:)]|\s(?:in|at|on|by|from|to|for|with|who|were|was|are|"
    r"have|had|across|during|under|over|per|each|since|through|between)\s)"
)


def _plainly_counted(text: str, candidate: Candidate) -> bool:
    return candidate.kind in {"count", "measure"} and candidate.unit is None and bool(
        _PLAIN_COUNTED.match(text, candidate.end)
    )


@lru_cache(maxsize=2)
def load_parser(name: str) -> Language:
    """The English pipeline that parses figure sentences (loaded once per process).

    What figures count is read from tags and dependencies only: no lemmatizer, and the
    coarse part of speech comes straight from the fine tag (the attribute ruler's tag map,
    without its word exceptions), which costs a quarter of the parse less.
    """
    try:
        nlp = spacy.load(name, exclude=["ner", "lemmatizer"])
    except OSError as exc:
        raise RuntimeError(
            f"the spaCy pipeline {name!r} is not installed: pip install it, or set "
            "MIGTAG_SPACY_MODEL to one that is"
        ) from exc
    if "attribute_ruler" in nlp.pipe_names:
        tag_to_pos = {
            rule["patterns"][0][0]["TAG"]: rule["attrs"]["POS"]
            for rule in nlp.get_pipe("attribute_ruler").patterns
            if len(rule["patterns"]) == 1
            and len(rule["patterns"][0]) == 1
            and set(rule["patterns"][0][0]) == {"TAG"}
            and "POS" in rule["attrs"]
        }
        nlp.remove_pipe("attribute_ruler")
        nlp.add_pipe("migtag_pos_from_tag", config={"tag_to_pos": tag_to_pos})
    return nlp


class PosFromTag:
    """spaCy component: the coarse part of speech of each token from its fine tag."""

    def __init__(self, name: str, tag_to_pos: dict[str, str]) -> None:
        self.name = name
        self.tag_to_pos = tag_to_pos

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            token.pos_ = self.tag_to_pos.get(token.tag_, "X")
        return doc


@Language.factory("migtag_pos_from_tag", default_config={"tag_to_pos": {}})
def make_pos_from_tag(nlp: Language, name: str, tag_to_pos: dict[str, str]) -> PosFromTag:
    return PosFromTag(name, tag_to_pos)


@Language.factory(
    "migtag_figures", default_config={"vocabulary_path": None, "parser_model": None}
)
def make_migtag_figures(
    nlp: Language, name: str, vocabulary_path: str | None, parser_model: str | None
) -> FigureExtractor:
    return FigureExtractor(nlp, name, vocabulary_path=vocabulary_path, parser_model=parser_model)
