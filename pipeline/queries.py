"""Boolean search queries in Scopus syntax, run on plain passage text.

The Aurora Universities Network publishes its SDG classification as Scopus queries
(`TITLE-ABS-KEY`, quoted phrases, `*` wildcards, OR / AND / AND NOT and the proximity operators
`W/n` and `PRE/n`). This module reads such a query line into a small tree (`parse_query`), stores
the tree as JSON (`node_to_json` / `node_from_json`, used by `taxonomy/build_aurora.py` to write
`taxonomy/aurora_queries.json`) and runs many trees at once on a passage (`QueryMatcher`).

Semantics, chosen to follow Scopus where it says what it does:

- Operator precedence is Scopus's, highest first: OR, then W/n and PRE/n, then AND, then AND NOT;
  operators of one level group from the left. So `"a" W/3 "b" OR "c"` is `a W/3 (b OR c)` and
  `"a" AND "b" W/3 "c"` is `a AND (b W/3 c)`. Parentheses override; a field code such as
  `TITLE-ABS-KEY(` opens a group like `(` does (a passage has only one field).
- Text is split into words: runs of letters and digits, where an apostrophe inside a word keeps
  it whole ("women's") and a hyphen splits it ("under-five" is "under" "five", as in a phrase
  written with a space). A possessive "'s" word also counts as its stem ("women's" is "women").
  Matching ignores case.
- A quoted phrase matches consecutive words. `*` in a word stands for any run of characters
  (Aurora only uses it at the end, as a prefix wildcard), `?` for exactly one.
- Like Scopus, a word without a wildcard also matches its regular plural ("policy" finds
  "policies", "plan" finds "plans"); `QueryMatcher(..., plurals=False)` turns that off.
- `W/n`: the two sides within n words of each other in either order, i.e. at most n words
  between them (W/0 is adjacent); `PRE/n`: the left side first, at most n words before the
  right. Sides may overlap (`"poverty" W/3 "poverty line"` is found in "poverty line"), and a side
  may itself be a proximity (`a W/6 b W/3 c` measures from the span of `a … b` to `c`). AND and
  AND NOT inside a proximity side are errors, as in Scopus.
- AND: both sides anywhere in the text; `a AND NOT b`: `a` is found and `b` nowhere.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

# -- the tree -------------------------------------------------------------------------------------

# Query words keep the wildcard characters; text words do not have them.
_QUERY_WORD = re.compile(r"[\w*?]+(?:'[\w*?]+)*")
_TEXT_WORD = re.compile(r"\w+(?:'\w+)*")
# PDF text uses typographic apostrophes and quotes; one-to-one replacements keep char offsets.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'"})


def phrase_words(phrase: str) -> tuple[str, ...]:
    """The lower-cased words of a quoted phrase, wildcards kept ("Socio-economic*" ->
    ("socio", "economic*"))."""
    return tuple(word.lower() for word in _QUERY_WORD.findall(phrase.translate(_APOSTROPHES)))


@dataclass(frozen=True)
class Term:
    """A quoted phrase (or a bare word): its words must follow each other in the text."""

    phrase: str
    words: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", phrase_words(self.phrase))


@dataclass(frozen=True)
class Or:
    """Any of the alternatives."""

    args: tuple[Node, ...]


@dataclass(frozen=True)
class And:
    """All of the parts, anywhere in the text."""

    args: tuple[Node, ...]


@dataclass(frozen=True)
class AndNot:
    """`left` is found and `right` is not found anywhere."""

    left: Node
    right: Node


@dataclass(frozen=True)
class Near:
    """`W/n` (ordered=False) or `PRE/n` (ordered=True): at most `n` words between the sides."""

    left: Node
    right: Node
    n: int
    ordered: bool = False


Node = Union[Term, Or, And, AndNot, Near]


class QueryError(ValueError):
    """A query line (or a JSON tree) that cannot be read; `position` is the character offset in
    the line (-1 for a JSON tree)."""

    def __init__(self, message: str, position: int = -1) -> None:
        where = f" at position {position}" if position >= 0 else ""
        super().__init__(f"{message}{where}")
        self.message = message
        self.position = position


# -- parsing --------------------------------------------------------------------------------------

_LEX = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<phrase>"[^"]*"|\u201c[^\u201d]*\u201d)
    | (?P<field>(?!(?:AND|OR|NOT)\()(?-i:[A-Z][A-Z-]*[A-Z])\()  # TITLE-ABS-KEY( opens a group
    | (?P<lparen>\()
    | (?P<rparen>\))
    | (?P<near>(?:W|PRE)/\d+)(?![\w/])
    | (?P<badnear>(?:W|PRE)/\S*)
    | (?P<word>[\w*?'-]+)
    | (?P<quote>["\u201c])                          # a quote that is never closed
    """,
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # phrase word lparen rparen near or and not end
    text: str
    pos: int


def _lex(line: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(line):
        m = _LEX.match(line, pos)
        if not m:
            raise QueryError(f"unexpected character {line[pos]!r}", pos)
        kind, text = m.lastgroup, m.group()
        if kind == "quote":
            raise QueryError("unterminated quoted phrase", pos)
        if kind == "badnear":
            raise QueryError(f"proximity operator without a number: {text!r}", pos)
        if kind == "field":
            kind = "lparen"
        elif kind == "word" and text.upper() in ("AND", "OR", "NOT"):
            kind = text.lower()  # Scopus accepts the operators in any case
        if kind != "space":
            tokens.append(_Token(kind, text, pos))
        pos = m.end()
    tokens.append(_Token("end", "", len(line)))
    return tokens


class _Parser:
    """Recursive descent, one method per precedence level (lowest first)."""

    def __init__(self, line: str) -> None:
        self.tokens = _lex(line)
        self.i = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def next(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.and_not()
        if self.tok.kind != "end":
            if self.tok.kind == "rparen":
                raise QueryError("unbalanced ')'", self.tok.pos)
            # Scopus would read two operands side by side as AND; a translation is safer
            # refusing them, since in a curated query list they are usually a lost OR.
            raise QueryError(f"expected an operator before {self.tok.text!r}", self.tok.pos)
        return node

    def and_not(self) -> Node:
        node = self.and_()
        while self.tok.kind == "and" and self.tokens[self.i + 1].kind == "not":
            self.i += 2
            node = AndNot(node, self.and_())
        return node

    def and_(self) -> Node:
        args = [self.near()]
        while self.tok.kind == "and" and self.tokens[self.i + 1].kind != "not":
            self.i += 1
            args.append(self.near())
        return args[0] if len(args) == 1 else And(_flatten(And, args))

    def near(self) -> Node:
        start = self.tok.pos
        node = self.or_()
        while self.tok.kind == "near":
            op = self.next()
            _check_proximity_side(node, start)
            right_start = self.tok.pos
            right = self.or_()
            _check_proximity_side(right, right_start)
            name, n = op.text.split("/")
            node = Near(node, right, int(n), ordered=name.upper() == "PRE")
        return node

    def or_(self) -> Node:
        args = [self.atom()]
        while self.tok.kind == "or":
            self.i += 1
            args.append(self.atom())
        return args[0] if len(args) == 1 else Or(_flatten(Or, args))

    def atom(self) -> Node:
        tok = self.next()
        if tok.kind == "lparen":
            node = self.and_not()
            if self.tok.kind != "rparen":
                raise QueryError("expected ')'", self.tok.pos)
            self.i += 1
            return node
        if tok.kind in ("phrase", "word"):
            text = tok.text[1:-1] if tok.kind == "phrase" else tok.text
            term = Term(text.strip())
            if not term.words:
                raise QueryError(f"phrase without words: {tok.text!r}", tok.pos)
            return term
        what = "end of query" if tok.kind == "end" else repr(tok.text)
        raise QueryError(f"expected a phrase or '(' but found {what}", tok.pos)


def _flatten(kind: type, args: list[Node]) -> tuple[Node, ...]:
    # ("a" OR "b") OR "c" is one alternative list: flat trees are smaller and faster to run
    flat: list[Node] = []
    for arg in args:
        flat.extend(arg.args if isinstance(arg, kind) else (arg,))
    return tuple(flat)


def _check_proximity_side(node: Node, position: int) -> None:
    if isinstance(node, (And, AndNot)):
        raise QueryError("AND / AND NOT inside a proximity operand", position)
    for child in _children(node):
        _check_proximity_side(child, position)


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, (Or, And)):
        return node.args
    if isinstance(node, (AndNot, Near)):
        return (node.left, node.right)
    return ()


def parse_query(line: str) -> Node:
    """Read one Scopus query line into a tree; `QueryError` (with the position) if it cannot."""
    if not line.strip():
        raise QueryError("empty query", 0)
    return _Parser(line).parse()


def format_query(node: Node) -> str:
    """The tree back in Scopus syntax, fully parenthesised (for messages and round trips)."""
    if isinstance(node, Term):
        return f'"{node.phrase}"'
    if isinstance(node, Or):
        return "(" + " OR ".join(format_query(arg) for arg in node.args) + ")"
    if isinstance(node, And):
        return "(" + " AND ".join(format_query(arg) for arg in node.args) + ")"
    if isinstance(node, AndNot):
        return f"({format_query(node.left)} AND NOT {format_query(node.right)})"
    op = "PRE" if node.ordered else "W"
    return f"({format_query(node.left)} {op}/{node.n} {format_query(node.right)})"


# -- JSON -----------------------------------------------------------------------------------------


def node_to_json(node: Node) -> dict[str, Any]:
    """The tree as plain JSON: {"op": "term" | "or" | "and" | "and_not" | "near", ...}."""
    if isinstance(node, Term):
        return {"op": "term", "phrase": node.phrase}
    if isinstance(node, (Or, And)):
        return {"op": "or" if isinstance(node, Or) else "and",
                "args": [node_to_json(arg) for arg in node.args]}
    if isinstance(node, AndNot):
        return {"op": "and_not", "left": node_to_json(node.left), "right": node_to_json(node.right)}
    return {"op": "near", "n": node.n, "ordered": node.ordered,
            "left": node_to_json(node.left), "right": node_to_json(node.right)}


def node_from_json(data: Any) -> Node:
    """Read a JSON tree back, checking its shape (`QueryError` on anything malformed)."""
    if not isinstance(data, dict):
        raise QueryError(f"a tree node must be an object, not {type(data).__name__}")
    op = data.get("op")
    if op == "term":
        phrase = data.get("phrase")
        if not isinstance(phrase, str) or not phrase_words(phrase):
            raise QueryError(f"term without words: {data!r}")
        return Term(phrase)
    if op in ("or", "and"):
        args = data.get("args")
        if not isinstance(args, list) or len(args) < 2:
            raise QueryError(f"{op} needs a list of at least two args")
        kids = tuple(node_from_json(arg) for arg in args)
        return Or(kids) if op == "or" else And(kids)
    if op in ("and_not", "near"):
        if "left" not in data or "right" not in data:
            raise QueryError(f"{op} needs left and right")
        left, right = node_from_json(data["left"]), node_from_json(data["right"])
        if op == "and_not":
            return AndNot(left, right)
        n, ordered = data.get("n"), data.get("ordered", False)
        if not isinstance(n, int) or isinstance(n, bool) or n < 0 or not isinstance(ordered, bool):
            raise QueryError(f"near needs a whole n >= 0 and a boolean ordered: {n!r}, {ordered!r}")
        _check_proximity_side(left, -1)
        _check_proximity_side(right, -1)
        return Near(left, right, n, ordered)
    raise QueryError(f"unknown op {op!r}")


# -- matching -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryHit:
    """A target (or, for a goal-level query, just a goal) whose query a passage matches."""

    target: str | None  # "1.1"; None for a goal-level query
    goal: str
    evidence: str  # the matched words, "poverty ... eradicated" when they are apart
    start: int  # character offsets of the evidence span in the passage
    end: int


EVIDENCE_CHARS = 80

# A match is (first word, last word, pieces): pieces are the (first, last) word spans of the
# phrases that made it, so the evidence can show the words and skip what lies between.
_Match = tuple[int, int, tuple[tuple[int, int], ...]]


class _Passage:
    """One passage, tokenised once: the word-pattern ids of every word and where each id occurs.
    Phrase results are cached because the same phrases recur across queries ("marine", "sea")."""

    __slots__ = ("text", "spans", "ids", "where", "terms")

    def __init__(self, text: str, spans: list[tuple[int, int]], ids: list[frozenset[int]]) -> None:
        self.text = text
        self.spans = spans
        self.ids = ids
        self.where: dict[int, list[int]] = {}
        for i, word_ids in enumerate(ids):
            for pid in word_ids:
                self.where.setdefault(pid, []).append(i)
        self.terms: dict[tuple[int, ...], list[_Match]] = {}


class _CTerm:
    __slots__ = ("pids",)

    def __init__(self, pids: tuple[int, ...]) -> None:
        self.pids = pids

    def run(self, p: _Passage) -> list[_Match]:
        found = p.terms.get(self.pids)
        if found is None:
            found = []
            first, rest = self.pids[0], self.pids[1:]
            last = len(p.ids) - len(rest)
            for i in p.where.get(first, ()):
                if i < last and all(pid in p.ids[i + j] for j, pid in enumerate(rest, 1)):
                    span = (i, i + len(rest))
                    found.append((i, i + len(rest), (span,)))
            p.terms[self.pids] = found
        return found


class _COr:
    __slots__ = ("args",)

    def __init__(self, args: list) -> None:
        self.args = args

    def run(self, p: _Passage) -> list[_Match]:
        found: dict[tuple[int, int], _Match] = {}
        for arg in self.args:
            for m in arg.run(p):
                found.setdefault((m[0], m[1]), m)
        return list(found.values())


class _CAnd:
    __slots__ = ("args",)

    def __init__(self, args: list) -> None:
        self.args = args

    def run(self, p: _Passage) -> list[_Match]:
        # AND has no place in the text: one match, made of the first match of every part
        firsts = []
        for arg in self.args:
            found = arg.run(p)
            if not found:
                return []
            firsts.append(min(found))
        pieces = tuple(piece for m in firsts for piece in m[2])
        return [(min(m[0] for m in firsts), max(m[1] for m in firsts), pieces)]


class _CAndNot:
    __slots__ = ("left", "right")

    def __init__(self, left, right) -> None:
        self.left, self.right = left, right

    def run(self, p: _Passage) -> list[_Match]:
        found = self.left.run(p)
        return found if found and not self.right.run(p) else []


class _CNear:
    __slots__ = ("left", "right", "n", "ordered")

    def __init__(self, left, right, n: int, ordered: bool) -> None:
        self.left, self.right, self.n, self.ordered = left, right, n, ordered

    def run(self, p: _Passage) -> list[_Match]:
        lefts = self.left.run(p)
        if not lefts:
            return []
        rights = self.right.run(p)
        found: dict[tuple[int, int], _Match] = {}
        n, ordered = self.n, self.ordered
        for ls, le, lp in lefts:
            for rs, re_, rp in rights:
                if ordered:
                    ok = le < rs and rs - le - 1 <= n
                else:  # words between the sides; negative when they overlap
                    ok = max(ls, rs) - min(le, re_) - 1 <= n
                if ok:
                    s, e = min(ls, rs), max(le, re_)
                    found.setdefault((s, e), (s, e, lp + rp))
        return list(found.values())


@dataclass
class _Query:
    target: str | None
    goal: str
    run: Any  # the compiled tree
    needs: list[frozenset[int]]  # each set: one of these word patterns must be in the passage


class QueryMatcher:
    """Runs many query trees on passages.

    Built from the `queries` list of `taxonomy/aurora_queries.json` (dicts with `target`, `goal`
    and `tree`). All distinct query words are numbered once; a passage is tokenised once and each
    word mapped to the numbers of the query words it matches (cached per word form, so a corpus
    pays for a word form once). A query is only run when every word it cannot do without is in
    the passage, which is decided with set lookups before any tree is walked.
    """

    def __init__(self, queries: list[dict], *, plurals: bool = True) -> None:
        self.plurals = plurals
        self._pattern_ids: dict[str, int] = {}
        self._exact: dict[str, set[int]] = {}
        self._prefix: dict[str, set[int]] = {}  # "eradicat*": any word starting "eradicat"
        self._regex: list[tuple[re.Pattern[str], int]] = []  # other wildcards ("behavio?r")
        self._max_prefix = 0
        self._cache: dict[str, frozenset[int]] = {}
        self.queries: list[_Query] = []
        for entry in queries:
            tree = entry["tree"]
            node = tree if isinstance(tree, (Term, Or, And, AndNot, Near)) else node_from_json(tree)
            target = entry.get("target")
            self.queries.append(
                _Query(target, str(entry["goal"]), self._compile(node), _needs(node, self._word_id))
            )
        # Index each query under its most selective need: a passage only looks at the queries
        # filed under the patterns it contains.
        self._by_pattern: dict[int, list[int]] = {}
        for qi, query in enumerate(self.queries):
            anchor = min(query.needs, key=len) if query.needs else frozenset()
            for pid in anchor:
                self._by_pattern.setdefault(pid, []).append(qi)

    @classmethod
    def from_json(cls, path: str | None = None, **kwargs: Any) -> QueryMatcher:
        """The matcher for a query file, by default the shipped `taxonomy/aurora_queries.json`."""
        return cls(load_queries(path)["queries"], **kwargs)

    # compile ---------------------------------------------------------------------------------

    def _word_id(self, word: str) -> int:
        pid = self._pattern_ids.get(word)
        if pid is not None:
            return pid
        pid = self._pattern_ids[word] = len(self._pattern_ids)
        if "*" not in word and "?" not in word:
            for form in self._forms(word):
                self._exact.setdefault(form, set()).add(pid)
        elif word.endswith("*") and "*" not in word[:-1] and "?" not in word:
            self._prefix.setdefault(word[:-1], set()).add(pid)
            self._max_prefix = max(self._max_prefix, len(word) - 1)
        else:
            body = "".join(
                r"\w*" if ch == "*" else r"\w" if ch == "?" else re.escape(ch) for ch in word
            )
            self._regex.append((re.compile(body), pid))
        return pid

    def _forms(self, word: str) -> tuple[str, ...]:
        # the regular English plurals, as Scopus finds them for words without a wildcard
        if not self.plurals or not word.isalpha() or len(word) < 3:
            return (word,)
        forms = [word, word + "s", word + "es"]
        if word.endswith("y") and word[-2] not in "aeiou":
            forms.append(word[:-1] + "ies")
        return tuple(forms)

    def _compile(self, node: Node):
        if isinstance(node, Term):
            return _CTerm(tuple(self._word_id(word) for word in node.words))
        if isinstance(node, Or):
            return _COr([self._compile(arg) for arg in node.args])
        if isinstance(node, And):
            return _CAnd([self._compile(arg) for arg in node.args])
        if isinstance(node, AndNot):
            return _CAndNot(self._compile(node.left), self._compile(node.right))
        return _CNear(self._compile(node.left), self._compile(node.right), node.n, node.ordered)

    # match -----------------------------------------------------------------------------------

    def _ids(self, word: str) -> frozenset[int]:
        ids = self._cache.get(word)
        if ids is not None:
            return ids
        found: set[int] = set()
        forms = (word, word[:-2]) if word.endswith("'s") else (word,)
        for form in forms:
            found.update(self._exact.get(form, ()))
            for k in range(min(len(form), self._max_prefix) + 1):
                found.update(self._prefix.get(form[:k], ()))
            found.update(pid for regex, pid in self._regex if regex.fullmatch(form))
        ids = frozenset(found)
        if len(self._cache) > 500_000:  # a bound for endless streams of new word forms
            self._cache.clear()
        self._cache[word] = ids
        return ids

    def match(self, text: str) -> list[QueryHit]:
        """The targets (and goal-level goals) whose queries `text` matches, one hit each with the
        earliest evidence, in text order."""
        spans: list[tuple[int, int]] = []
        ids: list[frozenset[int]] = []
        for m in _TEXT_WORD.finditer(text.translate(_APOSTROPHES).lower()):
            spans.append(m.span())
            ids.append(self._ids(m.group()))
        passage = _Passage(text, spans, ids)
        present = set(passage.where)
        candidates: set[int] = set()
        for pid in present:
            candidates.update(self._by_pattern.get(pid, ()))
        best: dict[tuple[str, str | None], QueryHit] = {}
        for qi in sorted(candidates):
            query = self.queries[qi]
            if not all(not need.isdisjoint(present) for need in query.needs):
                continue
            found = query.run.run(passage)
            if not found:
                continue
            first = min(found, key=lambda m: (m[0], m[1] - m[0]))
            hit = self._hit(query, passage, first)
            key = (query.goal, query.target)
            if key not in best or hit.start < best[key].start:
                best[key] = hit
        return sorted(best.values(), key=lambda h: (h.start, h.goal, h.target or ""))

    def _hit(self, query: _Query, p: _Passage, match: _Match) -> QueryHit:
        # merge touching pieces, so "extreme poverty" reads as one phrase, not "extreme ... poverty"
        merged: list[list[int]] = []
        for s, e in sorted(set(match[2])):
            if merged and s <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        parts = [p.text[p.spans[s][0]:p.spans[e][1]] for s, e in merged]
        evidence = " ... ".join(" ".join(part.split()) for part in parts)
        if len(evidence) > EVIDENCE_CHARS:
            evidence = evidence[: EVIDENCE_CHARS - 1].rstrip() + "\u2026"
        start, end = p.spans[merged[0][0]][0], p.spans[merged[-1][1]][1]
        return QueryHit(query.target, query.goal, evidence, start, end)


def _needs(node: Node, word_id) -> list[frozenset[int]]:
    """Word patterns a match cannot do without, as sets of which one must be present: every
    word of a phrase; one word from each alternative of an OR; all parts of AND and proximity;
    only the left of AND NOT."""
    if isinstance(node, Term):
        return [frozenset((word_id(word),)) for word in node.words]
    if isinstance(node, Or):
        anyof: set[int] = set()
        for arg in node.args:
            arg_needs = _needs(arg, word_id)
            anyof |= min(arg_needs, key=len)
        return [frozenset(anyof)]
    if isinstance(node, And):
        return [need for arg in node.args for need in _needs(arg, word_id)]
    if isinstance(node, Near):
        return _needs(node.left, word_id) + _needs(node.right, word_id)
    return _needs(node.left, word_id)


def load_queries(path: str | None = None) -> dict[str, Any]:
    """Read a query file (default: the shipped `taxonomy/aurora_queries.json`)."""
    file = Path(path) if path else Path(__file__).parent / "taxonomy" / "aurora_queries.json"
    return json.loads(file.read_text(encoding="utf-8"))
