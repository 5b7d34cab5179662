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
        ("Remittances reached two billion dollars.", [(2000000000, "money", "USD", None)]),
        ("The budget was five million euros.", [(5000000, "money", "EUR", None)]),
        ("Inflows reached 2 lakh crore rupees.", [(2000000000000, "money", "INR", None)]),
        ("Some five lakh migrants returned.", [(500000, "count", None, "approximately")]),
        ("We sent 1,200 tonnes of food.", [(1200, "measure", "t", None)]),
        ("Scores run from -2 to 1.", [(-2, "count", None, "range_from"), (1, "count", None, "range_to")]),
        ("Growth was −0.5 per cent.", [(-0.5, "percent", None, None)]),
        ("Arrivals were 1,200, 3,400 and 5,600 people.", [(1200, "count", None, None), (3400, "count", None, None), (5600, "count", None, None)]),
        ("12 Member States joined.", [(12, "count", None, None)]),
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
        "Mendez, L. (2019). Case work with returnees. Journal of Social Work, 49(5), 1216-1233.",
        "Available at https://publications.iom.int/books/world-migration-report-2024 and www.un.org/2030.",
        "SOP 2: Sudan as a country of return.",
        "The under-five mortality rate and the under-5 mortality ratio both fell.",
        "Work on phase two of the road began.",
        "The pharmacist to patient ratio of 1:3286 was not met.",
        "Poverty fell (Stats SA, 2017b:56) and later (Department of Transport, 2017: 26).",
        "Muntingh, L. 2011. Prison sex. South African Journal of Criminal Justice, 24: 1–18.",
        "Qualitative perceptions of headship, Social Dynamics, 42: 1: 175–195.",
        "Guidance for Addressing Gender in Evaluations 122 | P a g e",
        "After the MOPAN 2017-18 assessment, a review followed in 2021–22.",
        "Ratings by frequency 0 1 2 3 Absent Poor Moderate Good",
        "20 6 1 0 Djibouti Ethiopia Somalia Sudan",
        "Investment is aligned with SDGs 1, 2, 6, 7 and 11.",
        "49 Since 2020, this function has evolved.",
        "Conclusion 4 is linked to Dimension 3.",
        "100% 90% 80% 70% 60% Skilled Motivated Committed",
        "2.5.",
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


@pytest.mark.parametrize(
    "text",
    [
        "The project rented a total of 15 shelters, thereby exceeding its target of 12.",
        "It assisted 15,161 beneficiaries, compared with the original target of 12,800.",
        "The evaluators rated 82 reports out of 90 as satisfactory.",
        "The desk answered 161 requests in 2024, double the 81 in 2023.",
    ],
)
def test_a_bare_number_compared_with_a_figure_counts_the_same(parser_nlp, text):
    first, second = parser_nlp(text)._.migtag_figures
    assert first.counted and second.counted == first.counted


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.5", 1234.5),
        ("1 234 567", 1234567),
        ("1\u2009250", 1250),
        ("20.9 million", 20900000),
        ("3.5m", 3500000),
        ("2.1 thousand", 2100),
        ("USD 1.1 bn", 1100000000),
        ("forty-two", 42),
        ("Three hundred and fifty", 350),
        ("two thousand five hundred", 2500),
        ("half a million", 500000),
        ("a dozen", 12),
        ("three hundred and two dozen", 324),
        ("twenty-one trillion and three hundred", 21000000000300),
        ("two lakh fifty thousand", 250000),
        ("three lakh crore", 3000000000000),
        ("naught", 0),
        ("1.2 million-strong", 1200000),
        ("not a number", None),
        ("two and three", None),
    ],
)
def test_numbers_written_alone_are_normalised(text, value):
    from pipeline.figures import parse_number

    assert parse_number(text) == value


def test_only_sentences_that_hold_a_figure_are_parsed(parser_nlp, monkeypatch):
    extractor = parser_nlp.get_pipe("migtag_figures")
    parsed: list[str] = []
    real_pipe = extractor.parser.pipe

    def recording_pipe(texts, **kwargs):
        texts = list(texts)
        parsed.extend(texts)
        return real_pipe(texts, **kwargs)

    monkeypatch.setattr(extractor.parser, "pipe", recording_pipe)
    doc = parser_nlp(
        "The programme worked with local partners. Remittances reached USD 48 billion in 2019. "
        "It also reached 4,200 households in 2019. Page 12 of the report was revised in 2020."
    )
    # the plain "4,200 households in" needs no parse; page numbers and years are no figures
    assert parsed == ["Remittances reached USD 48 billion in 2019."]
    assert [(f.value, f.counted) for f in doc._.migtag_figures] == [
        (48e9, "remittances"),
        (4200, "households"),
    ]


def test_identifiers_and_footnoted_years_are_not_figures(parser_nlp):
    text = (
        "Published as ISBN 978-92-9268-013-5 and ISSN 1813-2278; call +41 22 555 0142 or see "
        "C/106/RES/1310. Remittances grew to USD 44 billion in 2016.7 The trend held."
    )
    found = [(f.value, f.kind, f.unit, f.year) for f in parser_nlp(text)._.migtag_figures]
    assert found == [(44e9, "money", "USD", 2016)]


def test_a_range_keeps_its_currency_and_ages_stay_out(parser_nlp):
    found = figures(parser_nlp, "Smugglers charge between €1,500 and 3,000; people aged 18 to 35 applied.")
    assert found == [(1500, "money", "EUR", "range_from"), (3000, "money", "EUR", "range_to")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # seen in real reports: glyph codes, citation years, decimal commas, rate bases
        ("(cid:57) Efforts were made (cid:120) to train staff.", []),
        ("See Statistics South Africa, 2016b. Report.", []),
        ("Almost 1,5 million construction workers were employed.", [(1500000, "count", None, "approximately")]),
        ("An estimated 138 per 100,000 people were affected.", [(138, "count", None, "approximately")]),
        ("The average weight is 10kg.", [(10, "measure", "kg", None)]),
        ("Its GDP is $2.174T.", [(2.174e12, "money", "USD", None)]),
    ],
)
def test_what_real_reports_write(parser_nlp, text, expected):
    assert figures(parser_nlp, text) == expected
