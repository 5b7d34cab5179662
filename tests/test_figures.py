from __future__ import annotations

import pytest


def figures(nlp, text):
    return [
        (f.value, f.kind, f.unit, f.qualifier)
        for f in nlp(text)._.migtag_figures
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IOM helped 98,000 migrants.", [(98000, "count", None, None)]),
        ("About 12 500 people moved.", [(12500, "count", None, "approximately")]),
        ("Some 20.9 million people were displaced.", [(20900000, "count", None, "approximately")]),
        ("There were 2.1 thousand cases.", [(2100, "count", None, None)]),
        ("Arrivals rose 27 per cent.", [(27, "percent", None, None)]),
        ("Arrivals rose 27 percent.", [(27, "percent", None, None)]),
        ("Arrivals rose 27%.", [(27, "percent", None, None)]),
        ("Turnout gained 3.5 percentage points.", [(3.5, "percentage_points", None, None)]),
        ("The grant was USD 2.5 million.", [(2500000, "money", "USD", None)]),
        ("The grant was US$ 300.", [(300, "money", "USD", None)]),
        ("The grant was $1.2bn.", [(1200000000, "money", "USD", None)]),
        ("The grant was EUR 10 million.", [(10000000, "money", "EUR", None)]),
        ("The grant was €400,000.", [(400000, "money", "EUR", None)]),
        ("More than 1,500 officials were trained.", [(1500, "count", None, "more_than")]),
        ("At least 40 shelters opened.", [(40, "count", None, "at_least")]),
        ("Fewer than 300 people stayed.", [(300, "count", None, "less_than")]),
        ("Up to 5,000 people may return.", [(5000, "count", None, "at_most")]),
        ("Two thirds of respondents agreed.", [(0.6667, "fraction", None, None)]),
        ("One in four women reported abuse.", [(0.25, "fraction", None, None)]),
        ("We sent 1,200 tonnes of food.", [(1200, "measure", "t", None)]),
        ("Crops covered 350 hectares.", [(350, "measure", "ha", None)]),
        (
            "Between 3,000 and 4,000 households fled.",
            [(3000, "count", None, "range_from"), (4000, "count", None, "range_to")],
        ),
        (
            "Some 3,000–4,000 households fled.",
            [(3000, "count", None, "range_from"), (4000, "count", None, "range_to")],
        ),
    ],
)
def test_values_kinds_units_and_qualifiers(rules_nlp, text, expected):
    found = figures(rules_nlp, text)
    assert [(round(v, 4), k, u, q) for v, k, u, q in found] == expected


@pytest.mark.parametrize(
    "text",
    [
        "In 2016 the office moved.",
        "The treaty was signed on 4 December 2015 in Geneva.",
        "The plan covers 2016–2017.",
        "This serves SDG target 10.7 and Goal 8.",
        "The programme lasted six months.",
        "It took 18 months to finish.",
        "Children aged 12 were enrolled.",
        "See Section 2.3 and page 45.",
        "The Council adopted resolution C/106/RES/1310.",
        "Returns grew sharply.3 The study.94 found more.",
        "This is the 21st session.",
        "It was adopted by resolution no. 1270 of the Council.",
        "COVID-19 closed borders.",
    ],
)
def test_not_figures(rules_nlp, text):
    assert figures(rules_nlp, text) == []


def test_offsets_point_into_the_text(rules_nlp):
    text = "In 2019, nearly 98,000 migrants and USD 2.5 million in funding reached 27 per cent of districts."
    for figure in rules_nlp(text)._.migtag_figures:
        assert text[figure.start : figure.end] == figure.text


def test_contract_example_with_the_parse(parser_nlp):
    doc = parser_nlp("In 2016, IOM assisted nearly 98,000 migrants to return home, in line with SDG target 10.7.")
    [figure] = doc._.migtag_figures
    assert (figure.value, figure.kind, figure.counted, figure.qualifier, figure.year) == (
        98000,
        "count",
        "migrants",
        "approximately",
        2016,
    )
    assert figure.text == "nearly 98,000 migrants"


def test_change_and_comparison_year(parser_nlp):
    doc = parser_nlp("In 2017, arrivals rose by 27 per cent compared to 2015.")
    [figure] = doc._.migtag_figures
    assert (figure.kind, figure.change, figure.year) == ("percent", "increase", 2017)
    doc = parser_nlp("Remittance costs fell by 2.1 percentage points during 2018.")
    [figure] = doc._.migtag_figures
    assert (figure.kind, figure.change, figure.year) == ("percentage_points", "decrease", 2018)


def test_counted_reads_the_of_complement(parser_nlp):
    doc = parser_nlp("The survey identified 4,500 victims of forced labour across 12 IOM offices.")
    counted = [figure.counted for figure in doc._.migtag_figures]
    assert counted == ["victims of forced labour", "iom offices"]
