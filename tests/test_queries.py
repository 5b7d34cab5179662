"""Scopus query lines as trees, and the trees run on plain passages (`pipeline.queries`),
including the shipped Aurora SDG queries (`taxonomy/aurora_queries.json`)."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest

from pipeline.queries import (
    And,
    AndNot,
    Near,
    Or,
    QueryError,
    QueryHit,
    QueryMatcher,
    Term,
    format_query,
    load_queries,
    node_from_json,
    node_to_json,
    parse_query,
)

TAXONOMY = Path(__file__).parents[1] / "pipeline" / "taxonomy"


def matches(query: str, text: str, **kwargs) -> list[QueryHit]:
    """Run one query line on one text."""
    matcher = QueryMatcher([{"target": "1.1", "goal": "1", "tree": parse_query(query)}], **kwargs)
    return matcher.match(text)


# -- parsing --------------------------------------------------------------------------------------


def test_phrase_and_wildcard():
    term = parse_query('"Poverty line*"')
    assert term == Term("Poverty line*")
    assert term.words == ("poverty", "line*")
    assert parse_query('( "socio-economic*" )').words == ("socio", "economic*")
    assert parse_query("\"women's rights\"").words == ("women's", "rights")


def test_or_and_and_not():
    assert parse_query('"a" OR "b" OR "c"') == Or((Term("a"), Term("b"), Term("c")))
    assert parse_query('"a" AND ("b" OR "c")') == And((Term("a"), Or((Term("b"), Term("c")))))
    assert parse_query('("a") AND NOT ("b" OR "c")') == AndNot(Term("a"), Or((Term("b"), Term("c"))))
    # operators in any case, as Scopus takes them
    assert parse_query('"a" or "b" and not "c"') == AndNot(Or((Term("a"), Term("b"))), Term("c"))


def test_proximity():
    assert parse_query('"a" W/3 "b"') == Near(Term("a"), Term("b"), 3, ordered=False)
    assert parse_query('"a" PRE/2 "b"') == Near(Term("a"), Term("b"), 2, ordered=True)
    assert parse_query('"a" w/0 "b"') == Near(Term("a"), Term("b"), 0)
    # a chain groups from the left: (a W/6 b) W/3 c
    assert parse_query('"a" W/6 "b" W/3 "c"') == Near(Near(Term("a"), Term("b"), 6), Term("c"), 3)


def test_scopus_precedence():
    # OR binds tighter than W/n, W/n tighter than AND, AND tighter than AND NOT
    assert parse_query('"a" W/3 "b" OR "c"') == Near(Term("a"), Or((Term("b"), Term("c"))), 3)
    assert parse_query('"a" AND "b" W/3 "c"') == And((Term("a"), Near(Term("b"), Term("c"), 3)))
    assert parse_query('"a" AND "b" AND NOT "c" OR "d"') == AndNot(
        And((Term("a"), Term("b"))), Or((Term("c"), Term("d")))
    )


def test_nested_parentheses():
    line = '( ("reduce" OR "end") W/3 ( ( "neonatal" OR ( "under" W/2 ("5" OR "five") ) ) W/3 ("mortality") ) )'
    tree = parse_query(line)
    inner = Near(Term("under"), Or((Term("5"), Term("five"))), 2)
    assert tree == Near(
        Or((Term("reduce"), Term("end"))),
        Near(Or((Term("neonatal"), inner)), Term("mortality"), 3),
        3,
    )
    # nested ORs flatten, redundant parentheses vanish, a field code is a group
    assert parse_query('((("a")) OR ("b" OR "c"))') == Or((Term("a"), Term("b"), Term("c")))
    assert parse_query('TITLE-ABS-KEY("a" OR "b")') == Or((Term("a"), Term("b")))


@pytest.mark.parametrize(
    ("line", "position"),
    [
        ('("a" OR "b"', 11),  # unclosed group
        ('"a" OR "b")', 10),  # stray ')'
        ('"poverty', 0),  # unclosed quote
        ('"a" OR', 6),  # operator without its right side
        ('"a" "b"', 4),  # two operands without an operator
        ('"a" W/ "b"', 4),  # proximity without n
        ('"a" W/3 ("b" AND "c")', 8),  # Boolean AND inside a proximity, invalid in Scopus
        ('"a" NOT "b"', 4),  # NOT alone is not an operator
        ('"a" OR ""', 7),  # empty phrase
        ('"a" OR [b]', 7),  # a character Scopus queries do not use
        ("   ", 0),
    ],
)
def test_syntax_errors_raise_with_position(line, position):
    with pytest.raises(QueryError) as caught:
        parse_query(line)
    assert caught.value.position == position
    assert f"position {position}" in str(caught.value)


def test_json_and_format_round_trip():
    line = '(("a*" OR "b c") W/3 "d") AND ("e" PRE/1 "f") AND NOT "g"'
    tree = parse_query(line)
    assert node_from_json(json.loads(json.dumps(node_to_json(tree)))) == tree
    assert parse_query(format_query(tree)) == tree


@pytest.mark.parametrize(
    "data",
    [
        {"op": "term", "phrase": "  "},
        {"op": "or", "args": [{"op": "term", "phrase": "a"}]},
        {"op": "near", "n": -1, "left": {"op": "term", "phrase": "a"}, "right": {"op": "term", "phrase": "b"}},
        {"op": "near", "n": 2, "left": {"op": "term", "phrase": "a"}},
        {"op": "xor", "args": []},
        ["not", "an", "object"],
    ],
)
def test_malformed_json_trees_are_refused(data):
    with pytest.raises(QueryError):
        node_from_json(data)


# -- matching one query ---------------------------------------------------------------------------


def test_phrase_needs_consecutive_words_case_insensitive():
    assert matches('"poverty line"', "Half live below the national Poverty Line.")
    assert not matches('"poverty line"', "poverty is a line we must not cross")


def test_wildcard_is_a_prefix_inside_a_word():
    assert matches('"eradicat*"', "plans to eradicate hunger")
    assert matches('"eradicat*"', "the eradication of polio")
    assert not matches('"reduc*"', "they introduced a new law")  # not inside another word
    assert matches('"behavio?r"', "changing behaviour and behavior")
    assert not matches('"behavio?r"', "behavior")  # ? is exactly one character


def test_hyphens_apostrophes_and_plurals():
    assert matches('"under-five"', "mortality of children under five")
    assert matches('"under five"', "under-five mortality")
    assert matches("\"women's rights\"", "She defended women\u2019s rights.")
    assert matches('"women" W/2 "empowerment"', "women's economic empowerment")  # possessive
    assert matches('"policy"', "migration policies")
    assert matches('"remittance"', "remittances rose")
    assert not matches('"policy"', "migration policies", plurals=False)


def test_within_n_words_either_order():
    query = '"poverty" W/3 ("eradicat*" OR "end")'
    assert matches(query, "to eradicate extreme rural poverty")  # 2 words between
    assert matches(query, "poverty has been almost eradicated")  # other order
    assert not matches(query, "eradicate, in all its many forms, poverty")  # 5 words between
    assert matches('"a" W/0 "b"', "b a") and not matches('"a" W/0 "b"', "a x b")


def test_pre_n_keeps_the_order():
    query = '"climate" PRE/2 "finance"'
    assert matches(query, "climate adaptation finance")
    assert not matches(query, "finance for climate")
    assert not matches(query, "climate risk and adaptation finance")  # 3 words between


def test_and_anywhere_and_not_excludes():
    query = '("poaching" OR "trafficking") AND ("wildlife") AND NOT ("marine" OR "sea")'
    assert matches(query, "Trafficking networks moved ivory. Wildlife rangers were trained.")
    assert not matches(query, "Trafficking of wildlife by sea is rising.")
    assert not matches(query, "Trafficking networks moved ivory.")


def test_hit_evidence_and_offsets():
    text = "By 2030 the plan is to eradicate extreme rural poverty in every district."
    [hit] = matches('"poverty" W/3 "eradicat*"', text)
    assert hit == QueryHit("1.1", "1", "eradicate ... poverty", text.index("eradicate"), text.index(" in every"))
    [hit] = matches('"extreme" W/1 "poverty"', "Extreme poverty fell.")
    assert hit.evidence == "Extreme poverty"  # touching words read as one phrase
    long_text = "remittance " + "word " * 60 + "migrants"
    [hit] = matches('"remittance" AND "migrant*"', long_text)
    assert hit.evidence == "remittance ... migrants" and (hit.start, hit.end) == (0, len(long_text))


# -- the shipped Aurora queries -------------------------------------------------------------------


@pytest.fixture(scope="module")
def aurora() -> QueryMatcher:
    return QueryMatcher.from_json()


def test_shipped_queries_are_valid():
    data = load_queries()
    assert "Aurora Universities Network" in data["_source"]
    assert "doi:10.5281/zenodo.3817445" in data["_source"] and "CC BY 4.0" in data["_source"]
    with (TAXONOMY / "sdg_targets.csv").open(encoding="utf-8", newline="") as handle:
        target_goal = {row["target"]: row["goal"] for row in csv.DictReader(handle)}
    queries = data["queries"]
    assert len(queries) >= 370
    for query in queries:
        tree = node_from_json(query["tree"])  # raises on a malformed tree
        assert node_to_json(tree) == query["tree"]
        assert query["goal"] in set(target_goal.values())
        if query["target"] is not None:
            assert target_goal[query["target"]] == query["goal"]
    assert {q["goal"] for q in queries} == {str(goal) for goal in range(1, 18)}
    assert [q["goal"] for q in queries if q["target"] is None] == ["13"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Migrant workers in the Gulf sent home USD 8.2 billion last year, but the average cost "
            "of sending a remittance of USD 200 to Nepal was still 6.4 per cent, well above the "
            "3 per cent target.",
            {"10.c"},
        ),
        (
            "The national plan aims to eradicate extreme poverty by 2030: the share of people "
            "living on less than USD 2.15 a day fell from 18 to 11 per cent between 2015 and 2022.",
            {"1.1"},
        ),
        (
            "Beach surveys along the Gulf of Guinea found that plastic debris made up 80 per cent "
            "of marine litter; run-off from coastal cities is the main source of this pollution.",
            {"14.1"},
        ),
        (
            "In the displacement camps, stunting among children under five reached 38 per cent; "
            "the programme distributed fortified flour and trained community health workers.",
            {"2.2"},
        ),
        (
            "Authorities identified 412 victims of human trafficking in 2022, most of them women "
            "and girls exploited for forced labour.",
            {"5.2", "8.7", "16.2"},
        ),
        (
            "The Government adopted new migration policies that open legal pathways for labour "
            "migrants.",
            {"10.7"},
        ),
    ],
)
def test_realistic_passages_hit_their_targets(aurora, text, expected):
    hits = aurora.match(text)
    assert {hit.target for hit in hits} == expected
    for hit in hits:
        assert hit.goal == hit.target.split(".")[0]
        assert 0 <= hit.start < hit.end <= len(text)
        assert len(hit.evidence) <= 80
        assert text[hit.start:hit.end].lower().startswith(hit.evidence.split(" ... ")[0].lower())


def test_goal_level_query_gives_a_goal_without_target(aurora):
    hits = aurora.match("Droughts made worse by global warming drive rural people to the cities.")
    assert [(hit.target, hit.goal) for hit in hits] == [(None, "13")]


def test_off_topic_passage_has_no_hit(aurora):
    text = (
        "The home side won the match 3-1 after a late penalty; the striker scored twice in the "
        "second half and the coach praised the fans, who filled the stadium despite the rain."
    )
    assert aurora.match(text) == []
    assert aurora.match("") == []


def test_matching_is_fast(aurora):
    # measured far above 1,000 passages/s; this floor only catches an accidental blow-up
    text = (
        "Remittances sent by migrant workers help households escape extreme poverty, pay school "
        "fees and cope with droughts linked to climate change, while coastal towns face marine "
        "plastic pollution and child stunting remains high in rural districts. "
    ) * 2
    passages = [f"{text} Passage {i} of the report." for i in range(300)]
    start = time.perf_counter()
    for passage in passages:
        aurora.match(passage)
    assert len(passages) / (time.perf_counter() - start) > 100
