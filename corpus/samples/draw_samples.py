"""Draw the three sample report PDFs that `make demo` runs migtag on.

Redraw them from the repository root with

    python corpus/samples/draw_samples.py

(or `make samples`); the PDFs are written next to this script. Only fpdf2 is needed.

The documents imitate layouts migtag meets in real reports: running headers, three
styles of page-number footer, MiGOF and numbered headings, footnotes with raised
markers, a two-column page and a ruled table, with figures and SDG references written
in many forms. All text was written for this project: the country "Meridia" and the
evaluated project are fictional and the figures are illustrative. The text is kept as
data at the top of this file so it is easy to read and edit; a page whose text no
longer fits stops the script rather than silently spilling onto an extra page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace
from fpdf.text_region import Paragraph

HERE = Path(__file__).parent

# A fixed date keeps redraws byte-identical, so version control only sees real changes.
FIXED_DATE = datetime(2024, 1, 1, tzinfo=timezone.utc)

Block = tuple[str, str]
"""(kind, text). Kinds: title, subtitle, h1 (MiGOF or SDG heading), h2 (numbered
sub-heading), p (body paragraph), caption, table (text names an entry of TABLES), note
(small print under a table) and columns (text "1" or "2": the column count for the
blocks that follow). In body text "^3" draws footnote marker 3 as a raised digit."""


@dataclass(frozen=True)
class Page:
    blocks: list[Block]
    footnotes: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    filename: str
    title: str
    header: str
    # Real reports place these differently; the extractor must not depend on one layout.
    header_align: str  # "L", "C" or "R"
    footer: str  # {page} and {pages} are filled in on each page
    footer_align: str
    pages: list[Page]


# -- the text --------------------------------------------------------------------------

TABLES: dict[str, list[tuple[str, ...]]] = {
    "avrr_by_host": [
        ("Host country", "2014", "2015", "2016"),
        ("Germany", "13,570", "37,220", "54,010"),
        ("Greece", "4,610", "3,460", "6,150"),
        ("Austria", "1,810", "3,340", "4,810"),
        ("Netherlands", "2,560", "3,450", "4,640"),
    ],
}

ANNUAL_REPORT = Report(
    filename="iom_annual_report_sample.pdf",
    title="IOM Annual Report 2016 (sample excerpt)",
    header="IOM Annual Report 2016 \u2013 Sample Excerpt",
    header_align="L",
    footer="Page {page} of {pages}",
    footer_align="R",
    pages=[
        Page(
            blocks=[
                ("title", "Annual Report 2016"),
                (
                    "subtitle",
                    "Sample excerpt drawn for the migtag demonstration. The text and "
                    "figures are illustrative; this is not an official IOM "
                    "publication.",
                ),
                ("h2", "Overview"),
                (
                    "p",
                    "The year 2016 tested the capacity of States and humanitarian "
                    "partners to respond to large movements of people. IOM, whose "
                    "membership reached 166 Member States during the year, expanded "
                    "its operations in every region and reported against the "
                    "Migration Governance Framework (MiGOF) for the first full year. "
                    "This excerpt summarizes results under the three principles and "
                    "three objectives of the framework and links them, where "
                    "possible, to the migration-related targets of the Sustainable "
                    "Development Goals, in particular SDG target 10.7 on orderly, "
                    "safe, regular and responsible migration.",
                ),
                (
                    "p",
                    "Total expenditure for the year reached USD 1.6 billion, a 12% "
                    "increase compared to 2015. Most of the growth came from "
                    "emergency and post-crisis programmes in the Middle East, the "
                    "Lake Chad Basin and the Horn of Africa, while funding for "
                    "migration management and labour mobility stayed broadly level. "
                    "Field offices reported activity in more than 150 countries, and "
                    "27 per cent of all projects active at year end had an explicit "
                    "gender component.",
                ),
                (
                    "h1",
                    "PRINCIPLE 1: ADHERENCE TO INTERNATIONAL STANDARDS AND MIGRANTS' "
                    "RIGHTS",
                ),
                ("h2", "1.1 Protection of migrants in vulnerable situations"),
                (
                    "p",
                    "Respect for the rights of every migrant, whatever their status, "
                    "remains the first test of good migration governance. In 2016 IOM "
                    "offices gave direct protection assistance to some 8,500 victims "
                    "of trafficking, including shelter, medical and psychosocial "
                    "care, legal counselling and help to return home safely when they "
                    "chose to do so.^1 Nearly half of the cases identified involved "
                    "forced labour, mainly in construction, fishing and domestic "
                    "work, rather than sexual exploitation.",
                ),
                (
                    "p",
                    "Direct assistance went hand in hand with capacity-building. "
                    "IOM-supported trainings on victim identification and referral "
                    "reached more than 1,500 officials from immigration services, the "
                    "police, labour inspectorates and the judiciary, and national "
                    "action plans against trafficking were drafted or revised with "
                    "IOM support in 14 countries. These efforts contribute to target "
                    "16.2 on ending abuse, exploitation and trafficking, and to "
                    "target 8.7 on eradicating forced labour and modern slavery.",
                ),
            ],
            footnotes=[
                (
                    1,
                    "Figures cover cases registered in the IOM case management system "
                    "by 31 December 2016; cases assisted by partner organizations "
                    "alone are not included.",
                ),
            ],
        ),
        Page(
            blocks=[
                (
                    "h1",
                    "PRINCIPLE 2: FORMULATING POLICY USING EVIDENCE AND A "
                    "WHOLE-OF-GOVERNMENT APPROACH",
                ),
                ("h2", "2.1 Migration data and analysis"),
                (
                    "p",
                    "Reliable data are the foundation of sound policy. During the "
                    "year IOM helped national statistical offices in 23 countries to "
                    "add migration questions to censuses and household surveys, and "
                    "it published migration profiles for 11 countries. The Global "
                    "Migration Data Analysis Centre in Berlin began compiling "
                    "indicators that governments can use to report on target 17.18 of "
                    "the 2030 Agenda, which calls for more high-quality data "
                    "disaggregated by migratory status, among other characteristics.",
                ),
                (
                    "p",
                    "The Displacement Tracking Matrix (DTM) operated in 44 countries "
                    "and became one of the main sources of figures on internal "
                    "displacement used by humanitarian partners. Repeated site "
                    "assessments in Iraq alone counted more than 3 million internally "
                    "displaced persons at the peak of displacement, and the datasets "
                    "were shared openly so that clusters could plan assistance by "
                    "location and need.",
                ),
                ("h2", "2.2 Policy coherence across government"),
                (
                    "p",
                    "Migration touches the work of many ministries, and a policy "
                    "drafted by one of them often falls short when the others are not "
                    "involved. IOM therefore supported inter-ministerial coordination "
                    "bodies on migration in 31 countries, bringing together "
                    "ministries of interior, labour, foreign affairs, health and "
                    "finance. In several of them, the body now reviews draft laws for "
                    "their effect on migrants before they reach parliament, an "
                    "arrangement that partners described as a practical step towards "
                    "a whole-of-government approach.",
                ),
                (
                    "p",
                    "The Migration Governance Indicators, piloted with The Economist "
                    "Intelligence Unit, had been applied in 15 countries by the end "
                    "of 2016. The assessments give governments a structured picture "
                    "of where their legal and institutional framework is strong and "
                    "where gaps remain, and two thirds of the participating "
                    "governments have since asked IOM for follow-up support on at "
                    "least one of the areas the indicators flagged.^2",
                ),
            ],
            footnotes=[
                (
                    2,
                    "The countries assessed in the pilot phase are listed in the "
                    "annex to the full report; results for each country are published "
                    "only with the agreement of its government.",
                ),
            ],
        ),
        Page(
            blocks=[
                (
                    "h1",
                    "PRINCIPLE 3: ENGAGING WITH PARTNERS TO ADDRESS MIGRATION AND "
                    "RELATED ISSUES",
                ),
                ("columns", "2"),
                ("h2", "3.1 Regional and global dialogue"),
                (
                    "p",
                    "No State can manage migration alone, and much of IOM\u2019s work "
                    "consists of bringing the right actors to the same table. In 2016 "
                    "the Organization served as secretariat or technical partner to "
                    "17 regional consultative processes on migration, from the Bali "
                    "Process in Asia and the Pacific to the Puebla Process in the "
                    "Americas. These forums allow officials from countries of origin, "
                    "transit and destination to agree on common priorities without "
                    "the pressure of formal negotiations.",
                ),
                (
                    "p",
                    "IOM\u2019s entry into the United Nations system as a related "
                    "organization in September 2016 changed the setting for much of "
                    "this work. The agreement, signed during the high-level summit on "
                    "large movements of refugees and migrants, strengthened "
                    "cooperation with UN country teams and gave migration a firmer "
                    "place in joint programming frameworks at country level.",
                ),
                (
                    "p",
                    "The New York Declaration adopted at the same summit launched the "
                    "process towards a global compact for safe, orderly and regular "
                    "migration. IOM was asked to provide technical and policy "
                    "expertise throughout, and it began preparing the thematic "
                    "consultations, regional meetings and stakeholder hearings that "
                    "were to run through 2017.",
                ),
                ("h2", "3.2 Civil society, employers and diaspora"),
                (
                    "p",
                    "Civil society organizations remain the first point of contact "
                    "for many migrants. IOM worked with more than 400 national and "
                    "local NGOs during the year, most of them as implementing "
                    "partners for protection, reintegration and community "
                    "stabilization activities. Joint monitoring visits and shared "
                    "case files improved the follow-up of individual cases and "
                    "reduced duplication between agencies operating in the same "
                    "locations.",
                ),
                (
                    "p",
                    "Engagement with employers grew as well. Through the "
                    "International Recruitment Integrity System (IRIS), IOM worked "
                    "with recruitment agencies, labour unions and major buyers to "
                    "promote the employer-pays principle, under which workers should "
                    "never be charged fees for being hired. Pilot certification in "
                    "three recruitment corridors covered agencies that together place "
                    "roughly 20,000 workers a year.",
                ),
                (
                    "p",
                    "Diaspora groups formed a third strand. Associations in Europe "
                    "and North America co-funded small infrastructure and enterprise "
                    "projects in their regions of origin, and IOM matched their "
                    "contributions in a number of cases, mobilizing about EUR 400,000 "
                    "in combined funding for 35 local initiatives.^3 Most of the "
                    "projects were chosen together with municipal councils.",
                ),
                (
                    "p",
                    "Cities have become partners in their own right. Municipal "
                    "authorities handle much of the daily reality of migration, from "
                    "school enrolment to housing, and in 2016 IOM supported exchanges "
                    "between local governments in Africa, Europe and Latin America. "
                    "The Mayoral Forum on Mobility, Migration and Development gave "
                    "mayors a channel to bring local experience into national and "
                    "global debates. Several of the cities involved have since opened "
                    "one-stop information desks for newly arrived migrants.",
                ),
                (
                    "p",
                    "The lessons from these partnerships point in the same direction: "
                    "results last longer when partners share both the planning and "
                    "the credit. IOM intends to deepen joint programming with UN "
                    "agencies in 2017 and to involve migrant organizations earlier in "
                    "project design, in line with target 17.17 on effective public, "
                    "public-private and civil society partnerships. A first survey of "
                    "partners, planned for mid-2017, will show whether these "
                    "commitments are being kept and where the working arrangements "
                    "still need attention.",
                ),
            ],
            footnotes=[
                (
                    3,
                    "Matched contributions were recorded in Albania, Ethiopia, Mali, "
                    "Mexico and the Philippines; amounts are converted at United "
                    "Nations operational rates of exchange for December 2016.",
                ),
            ],
        ),
        Page(
            blocks=[
                ("h1", "OBJECTIVE 1: SOCIOECONOMIC WELL-BEING OF MIGRANTS AND SOCIETY"),
                ("h2", "4.1 Labour mobility and remittances"),
                (
                    "p",
                    "Well-governed labour migration benefits migrants, their families "
                    "and the economies at both ends of a corridor. IOM supported 38 "
                    "governments in 2016 to develop or update labour migration "
                    "policies, pre-departure orientation and skills recognition "
                    "schemes. Among migrant workers in South-East Asia who attended "
                    "pre-departure orientation, 27 per cent said in follow-up surveys "
                    "that they had turned down a job offer they considered "
                    "exploitative, a sign that information reaches people when they "
                    "need it.",
                ),
                (
                    "p",
                    "Remittances remain a lifeline for many households, but sending "
                    "them is still costly on several corridors. IOM worked with "
                    "central banks and money transfer operators in East Africa to "
                    "publish price comparisons and to promote mobile transfers, which "
                    "cost on average less than half as much as cash sent through an "
                    "agent. This work supports target 10.c, which aims to bring the "
                    "transaction costs of migrant remittances below 3 per cent.",
                ),
                ("h1", "OBJECTIVE 2: MOBILITY DIMENSIONS OF CRISES"),
                ("h2", "5.1 Emergency response and recovery"),
                (
                    "p",
                    "IOM responded to crises in more than 75 countries in 2016, "
                    "including the three system-wide emergencies in Iraq, Syria and "
                    "Yemen. Shelter and non-food item assistance reached about 4.65 "
                    "million people, and water, sanitation and hygiene programmes "
                    "reached 3.33 million people across 30 countries. Rapid response "
                    "staff were deployed to 46 locations, often within days of a "
                    "disaster or of a new wave of displacement.^4",
                ),
                (
                    "p",
                    "Beyond immediate relief, community stabilization programmes in "
                    "more than 40 fragile settings sought to reduce the pressures "
                    "that force people to move again. Small livelihood grants, the "
                    "repair of water points and schools, and local peacebuilding "
                    "committees helped to restore basic services and trust. Such work "
                    "links humanitarian action to longer-term development and "
                    "supports SDG 11 as well as Goal 16 on peaceful and inclusive "
                    "societies.",
                ),
            ],
            footnotes=[
                (
                    4,
                    "Each deployment is counted once, even where the same staff "
                    "member served in several locations during the year.",
                ),
            ],
        ),
        Page(
            blocks=[
                ("h1", "OBJECTIVE 3: SAFE, ORDERLY AND DIGNIFIED MIGRATION"),
                ("h2", "6.1 Assisted voluntary return and reintegration"),
                (
                    "p",
                    "In 2016 IOM helped nearly 98,000 migrants to return home "
                    "voluntarily, the highest number since the programme began. They "
                    "left from 92 host countries for 150 countries of origin; 69 per "
                    "cent were men and 31 per cent women. Germany, Greece and Austria "
                    "were the largest host countries, while Albania, Iraq and "
                    "Afghanistan received the most returnees. Table 1 shows the trend "
                    "for the main host countries.^5",
                ),
                (
                    "caption",
                    "Table 1. Assisted voluntary returns from selected host "
                    "countries, 2014\u20132016",
                ),
                ("table", "avrr_by_host"),
                (
                    "note",
                    "Source: IOM AVRR caseload data; rounded figures, illustrative "
                    "for this sample.",
                ),
                (
                    "p",
                    "Return is only sustainable when people can rebuild their lives "
                    "afterwards. Reintegration support therefore combines help for "
                    "individuals, such as business start-up grants, vocational "
                    "training and medical referrals, with community projects that "
                    "benefit returnees and their neighbours alike. Follow-up surveys "
                    "found that 62 per cent of those who received help with a small "
                    "business in 2015 were still running it a year later.",
                ),
                ("h2", "6.2 Resettlement and movement management"),
                (
                    "p",
                    "Moving refugees and other vulnerable people safely is one of "
                    "IOM\u2019s oldest functions. During the year the Organization "
                    "arranged travel for more than 204,900 refugees and others in "
                    "need of protection who were resettled or admitted on "
                    "humanitarian grounds, from 123 countries of departure. "
                    "Pre-departure health assessments and fitness-to-travel checks "
                    "helped to ensure that people with medical needs were escorted "
                    "and received care on arrival.",
                ),
            ],
            footnotes=[
                (
                    5,
                    "Returns are counted by date of departure; migrants who went home "
                    "without IOM assistance are not included.",
                ),
            ],
        ),
    ],
)

EVALUATION_REPORT = Report(
    filename="iom_evaluation_report_sample.pdf",
    title=(
        "Final Evaluation: Sustainable Reintegration of Returning Migrants in Mali and "
        "Niger (sample)"
    ),
    header="Final Evaluation \u2013 Sustainable Reintegration in Mali and Niger",
    header_align="R",
    footer="{page}",
    footer_align="C",
    pages=[
        Page(
            blocks=[
                (
                    "title",
                    "Final Evaluation: Sustainable Reintegration of Returning "
                    "Migrants in Mali and Niger",
                ),
                (
                    "subtitle",
                    "Sample evaluation report drawn for the migtag demonstration. The "
                    "project and its results are fictional; this is not an official "
                    "IOM publication.",
                ),
                ("h2", "1. Introduction"),
                ("h2", "1.1 Background"),
                (
                    "p",
                    "Between 2017 and 2019, tens of thousands of West African "
                    "migrants stranded in Libya, Niger and Algeria asked for help to "
                    "return home. The project evaluated here, funded with USD 2.5 "
                    "million over 30 months, aimed to help returnees to Mali and "
                    "Niger rebuild their livelihoods and to strengthen the capacity "
                    "of national authorities to plan and monitor reintegration. It "
                    "also financed community projects in areas that received large "
                    "numbers of returnees.",
                ),
                (
                    "p",
                    "The project had three outcomes: returnees receive reintegration "
                    "support adapted to their needs; communities of return benefit "
                    "from projects that widen local economic opportunities; and "
                    "government institutions lead the coordination of reintegration "
                    "assistance. IOM offices in Bamako and Niamey implemented the "
                    "activities with 12 local NGO partners, under the oversight of a "
                    "steering committee chaired by the ministries responsible for "
                    "nationals abroad.",
                ),
                ("h2", "1.2 Scope and methodology"),
                (
                    "p",
                    "The evaluation was carried out between May and July 2019 by an "
                    "external team of two consultants. It assessed the project "
                    "against the criteria of relevance, coherence, effectiveness, "
                    "efficiency and sustainability, and it mapped the results against "
                    "the Migration Governance Framework and the Sustainable "
                    "Development Goals, in particular SDG 8 and SDG target 10.7.",
                ),
                (
                    "p",
                    "Data came from a desk review of project documents, 46 key "
                    "informant interviews, 14 focus group discussions and a telephone "
                    "survey of 612 returnees drawn at random from the project "
                    "caseload.^1 The survey reached returnees in all eight regions of "
                    "intervention, and women made up 14 per cent of the sample, close "
                    "to their share of the caseload. Insecurity in parts of central "
                    "Mali prevented field visits to two districts, which is the main "
                    "limitation of the evaluation.",
                ),
            ],
            footnotes=[
                (
                    1,
                    "The sample was stratified by country and by year of return; the "
                    "margin of error is plus or minus 4 percentage points at a "
                    "confidence level of 95 per cent.",
                ),
            ],
        ),
        Page(
            blocks=[
                ("h2", "2. Findings"),
                ("h1", "OBJECTIVE 3: SAFE, ORDERLY AND DIGNIFIED MIGRATION"),
                ("h2", "2.1 Results"),
                (
                    "p",
                    "The project exceeded its main output targets. By June 2019 it "
                    "had given individual reintegration assistance to 4,870 returnees "
                    "against a target of 4,000, and 1,930 of them had completed "
                    "business management training. Arrival counselling grew steadily "
                    "over the period, with a 35% rise in the second year as the "
                    "transit centre in Niamey received more charter flights from "
                    "Libya.",
                ),
                (
                    "p",
                    "Returnees generally found the assistance relevant to their "
                    "situation. Asked about their livelihoods, two thirds of "
                    "respondents said the support had helped them start or restore an "
                    "income-generating activity, and 71 per cent rated the "
                    "counselling received on arrival as good or very good. "
                    "Satisfaction was lower among returnees who had waited more than "
                    "six months for their in-kind grant, a delay that many linked to "
                    "slow procurement of equipment.^2",
                ),
                (
                    "p",
                    "Community-based projects benefited between 3,000 and 4,000 "
                    "households in 22 municipalities, mostly through the "
                    "rehabilitation of irrigation channels, market stalls and grain "
                    "stores. Because local development committees rather than IOM "
                    "alone chose these projects, they also helped to ease tensions "
                    "between returnees and residents, who sometimes saw individual "
                    "grants to returnees as unfair.",
                ),
                ("h2", "2.2 Effectiveness"),
                (
                    "p",
                    "Progress on the institutional outcome was slower. A national "
                    "reintegration coordination committee was set up in each country, "
                    "but the Malian committee met only four times in two years and "
                    "had no budget of its own. Case referral between IOM and public "
                    "employment services worked in the capitals yet remained ad hoc "
                    "elsewhere, which limited the number of returnees who could join "
                    "government training schemes.",
                ),
            ],
            footnotes=[
                (
                    2,
                    "The standard in-kind grant was worth about EUR 1,500 per "
                    "returnee; collective projects pooled the grants of three to "
                    "eight returnees.",
                ),
            ],
        ),
        Page(
            blocks=[
                ("h1", "OBJECTIVE 1: SOCIOECONOMIC WELL-BEING OF MIGRANTS AND SOCIETY"),
                ("h2", "2.3 Reintegration outcomes"),
                (
                    "p",
                    "Economic self-sufficiency varied widely. Using the IOM "
                    "reintegration sustainability index, the evaluation found that 58 "
                    "per cent of surveyed returnees had reached a sustainable level "
                    "of economic reintegration, against 41 per cent for psychosocial "
                    "reintegration. Returnees who joined collective businesses scored "
                    "better on both dimensions than those who received individual "
                    "grants, probably because group members supported each other "
                    "through the first difficult months.",
                ),
                (
                    "p",
                    "Health and psychosocial needs were underestimated at the design "
                    "stage. Around one returnee in five reported signs of distress "
                    "linked to abuse suffered on the journey, yet only 260 were "
                    "referred to specialized care, mostly in Bamako. Closer links "
                    "with the health ministries would help the next phase contribute "
                    "to SDG 3 and to the protection commitments made under target "
                    "10.7.",
                ),
                (
                    "h1",
                    "PRINCIPLE 3: ENGAGING WITH PARTNERS TO ADDRESS MIGRATION AND "
                    "RELATED ISSUES",
                ),
                ("h2", "2.4 Coordination and partnerships"),
                (
                    "p",
                    "Partnerships with local NGOs were a clear strength. They "
                    "extended the project\u2019s reach into rural areas and gave "
                    "returnees who were wary of official bodies a trusted first "
                    "contact. Coordination with other reintegration programmes funded "
                    "by the European Union and bilateral donors was weaker: in at "
                    "least three municipalities, returnees turned out to have "
                    "received support from two projects for the same business.^3",
                ),
                (
                    "p",
                    "Staff and partners named the monthly reintegration working "
                    "groups launched in 2018 as the main improvement. Within a year "
                    "the groups had agreed common grant ceilings and a shared "
                    "referral form, and the ministries involved have asked to keep "
                    "them after the project ends. This is an encouraging sign of "
                    "national ownership, in line with target 17.17 on effective "
                    "partnerships.",
                ),
            ],
            footnotes=[
                (
                    3,
                    "Duplicate cases were found by comparing beneficiary lists, with "
                    "the written consent of the persons concerned.",
                ),
            ],
        ),
        Page(
            blocks=[
                ("h2", "3. Conclusions and recommendations"),
                ("h2", "3.1 Efficiency and sustainability"),
                (
                    "p",
                    "At about USD 420 per assisted returnee once community projects "
                    "are left out, the project compares well with similar programmes "
                    "in the region. Spending was on target by the end of the period, "
                    "although 18 per cent of the budget had to be rephased in the "
                    "second year. The main risk to sustainability is that the "
                    "coordination committees still depend on IOM for secretariat "
                    "support and for the cost of their meetings.",
                ),
                ("h2", "3.2 Recommendations"),
                (
                    "p",
                    "First, the next phase should shorten the time between arrival "
                    "and the delivery of in-kind grants, for example through "
                    "framework agreements with suppliers signed before returns peak. "
                    "Second, a dedicated psychosocial component should be budgeted "
                    "from the outset, with referral agreements in each region of "
                    "return. Third, IOM should hand over the secretariat of the "
                    "coordination committees gradually, following a transition plan "
                    "agreed with both governments.",
                ),
                (
                    "p",
                    "Finally, monitoring should follow returnees for at least 18 "
                    "months after assistance ends and report results by sex, age and "
                    "region, so that the project can show its contribution to SDG 8 "
                    "and to Goal 10 more convincingly. Sharing anonymized survey data "
                    "with the national statistics offices would also strengthen the "
                    "evidence base on return migration in the Sahel.",
                ),
            ],
        ),
    ],
)

NATIONAL_REVIEW = Report(
    filename="national_sdg_review_sample.pdf",
    title="Voluntary National Review 2019, Republic of Meridia: Chapter 4 (sample)",
    header="Republic of Meridia \u2013 Voluntary National Review 2019",
    header_align="C",
    footer="- {page} -",
    footer_align="C",
    pages=[
        Page(
            blocks=[
                ("title", "Chapter 4: Migration and the 2030 Agenda"),
                (
                    "subtitle",
                    "Sample chapter of a fictional voluntary national review, drawn "
                    "for the migtag demonstration. Meridia is an invented country.",
                ),
                ("h2", "4.1 Introduction"),
                (
                    "p",
                    "Migration shapes the economy and society of Meridia in many "
                    "ways. Around 1.2 million Meridians live abroad, roughly one in "
                    "eight of the population, and the country hosts some 310,000 "
                    "foreign nationals, most of them workers from neighbouring "
                    "States. The Government recognizes that the 2030 Agenda cannot be "
                    "achieved without taking this mobility into account, and this "
                    "chapter reviews progress on the migration-related targets under "
                    "the Goals examined at the 2019 High-Level Political Forum.",
                ),
                (
                    "p",
                    "The chapter was prepared by the Inter-Ministerial Committee on "
                    "Migration with contributions from the National Statistics "
                    "Office, migrant associations, trade unions and IOM. Draft "
                    "findings were discussed at two public consultations, one in the "
                    "capital and one in the northern border region, and written "
                    "comments from civil society have been reflected wherever "
                    "possible.",
                ),
                ("h1", "SDG 8: Decent work and economic growth"),
                (
                    "p",
                    "Labour migration is an important source of income for Meridian "
                    "households. Remittances received in 2018 amounted to about USD "
                    "2.1 billion, equal to 9 per cent of gross domestic product. At "
                    "the same time, many Meridians working abroad hold low-wage jobs "
                    "with little protection. Since 2016 the Government has signed "
                    "bilateral labour agreements with four destination countries that "
                    "include standard employment contracts and access to complaint "
                    "mechanisms, contributing to target 8.8 on labour rights for "
                    "migrant workers.",
                ),
                (
                    "p",
                    "Within the country, migrant workers are concentrated in "
                    "agriculture, construction and domestic work. Labour inspections "
                    "in these sectors rose from 2,400 in 2016 to 3,150 in 2018, and a "
                    "law adopted in 2017 extends the minimum wage to domestic workers "
                    "regardless of nationality.^1 Inspectors still report that many "
                    "employers fail to register foreign workers, which leaves them "
                    "outside social security.",
                ),
            ],
            footnotes=[
                (
                    1,
                    "Law No. 17/2017 on Domestic Work, in force since 1 January 2018. "
                    "Enforcement data for 2019 will appear in the next labour "
                    "inspection report.",
                ),
            ],
        ),
        Page(
            blocks=[
                ("h1", "SDG 10: Reduced inequalities"),
                (
                    "p",
                    "Meridia has placed SDG target 10.7 at the centre of its "
                    "migration policy. The National Migration Strategy 2017\u20132025 "
                    "sets out measures for orderly, safe and regular migration, "
                    "including the digitization of visa and work permit procedures "
                    "and a regularization programme that has so far granted residence "
                    "to 18,600 undocumented migrants. An assessment with the "
                    "Migration Governance Indicators in 2018 helped the ministries "
                    "agree on priorities for the remaining years of the strategy.",
                ),
                (
                    "p",
                    "Lowering the cost of remittances is the second priority under "
                    "this Goal. The average cost of sending the equivalent of USD 200 "
                    "from the main destination countries fell from 8.4 per cent in "
                    "2015 to 6.1 per cent in 2018, still well above the 3 per cent "
                    "set by target 10.c. The central bank now publishes a monthly "
                    "price comparison and has licensed two mobile money operators to "
                    "receive transfers from abroad.^2",
                ),
                ("h1", "SDGs 3 and 5: Good health and gender equality"),
                (
                    "p",
                    "Migrants can use emergency care in public facilities regardless "
                    "of status, and since 2018 registered migrant workers may join "
                    "the national health insurance scheme on the same terms as "
                    "citizens. Progress towards SDGs 3 and 5 nonetheless calls for "
                    "closer attention to migrant women, who make up 44 per cent of "
                    "emigrants and are over-represented in domestic work, where "
                    "isolation and abuse often go unreported.",
                ),
            ],
            footnotes=[
                (
                    2,
                    "Central bank remittance price survey, covering the ten corridors "
                    "that account for more than 80 per cent of inflows.",
                ),
            ],
        ),
        Page(
            blocks=[
                ("h1", "SDG 16: Peace, justice and strong institutions"),
                (
                    "p",
                    "Under Goal 16, the Government has stepped up its response to "
                    "human trafficking. The number of identified victims rose from 96 "
                    "in 2015 to 211 in 2018, which the national anti-trafficking "
                    "commission attributes to better identification rather than to a "
                    "worsening situation. Between 2016 and 2018 some 2,300 officials, "
                    "including border guards, labour inspectors and prosecutors, were "
                    "trained to identify victims and refer them to assistance.^3",
                ),
                ("h1", "SDG 17: Partnerships for the goals"),
                (
                    "p",
                    "Sound migration policy depends on timely and reliable data. With "
                    "support from IOM and the regional statistics institute, the "
                    "National Statistics Office added questions on migration status "
                    "to the 2018 labour force survey. Key labour market indicators "
                    "can now be disaggregated by migratory status for the first time, "
                    "as called for in target 17.18 of the 2030 Agenda.",
                ),
                ("h2", "4.2 Way forward"),
                (
                    "p",
                    "Looking ahead, the Government will give priority to three areas: "
                    "extending social protection to Meridians working abroad through "
                    "agreements on portable benefits; completing the digital "
                    "registration of foreign workers by 2021; and opening a diaspora "
                    "investment window at the national development bank, for which "
                    "EUR 400,000 in seed funding has been committed in the 2020 "
                    "budget. Progress will be reported in the next voluntary national "
                    "review.",
                ),
            ],
            footnotes=[
                (
                    3,
                    "National Commission against Trafficking in Persons, Annual "
                    "Report 2018, table 3.",
                ),
            ],
        ),
    ],
)

REPORTS = [ANNUAL_REPORT, EVALUATION_REPORT, NATIONAL_REVIEW]


# -- the layout ------------------------------------------------------------------------

FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts"),
]
FONT_FILES = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
}
# Millimetres on an A4 page. Header and footer sit well inside the top and bottom 9% of
# the page, the band where extractors look for running text.
MARGIN = 20.0
HEADER_Y = 10.0
BODY_TOP = 24.0
BODY_BOTTOM = 272.0
FOOTER_Y = 283.0
GUTTER = 8.0
FOOTNOTE_SIZE = 7.5
FOOTNOTE_LINE = 3.4
FOOTNOTE_INDENT = 5.0
GREY = (90, 90, 90)
IOM_BLUE = (0, 51, 160)
MARKER = re.compile(r"\^(\d+)")
# Core fonts only know latin-1, so typographic punctuation is flattened for them.
LATIN1 = str.maketrans("\u2013\u2014\u2018\u2019\u201c\u201d", "--''\"\"")


@dataclass(frozen=True)
class Style:
    size: float
    emphasis: str = ""  # "", "B" or "I"
    align: str = "J"
    top: float = 0.0
    # The gap after a paragraph is what tells paragraphs apart, so it stays well
    # above the line spacing.
    bottom: float = 0.0
    line_height: float = 1.15
    color: tuple[int, int, int] = (0, 0, 0)


STYLES: dict[str, Style] = {
    "title": Style(18, "B", "L", bottom=3, color=IOM_BLUE),
    "subtitle": Style(9, "I", "L", bottom=6, color=GREY),
    # The wide gap under a section heading keeps it apart from a two-column block below.
    "h1": Style(12.5, "B", "L", top=3, bottom=5, color=IOM_BLUE),
    "h2": Style(11, "B", "L", top=1.5, bottom=2.5),
    "p": Style(10, "", "J", bottom=4, line_height=1.25),
    "caption": Style(9, "B", "L", top=1, bottom=1.5),
    "note": Style(8, "I", "L", top=1.5, bottom=4, color=GREY),
}
RUNNING = Style(8, color=GREY)
FOOTNOTE = Style(FOOTNOTE_SIZE)
TABLE_TEXT = Style(9)


def find_dejavu() -> dict[str, Path] | None:
    for folder in FONT_DIRS:
        found = {
            style: next(folder.rglob(name), None) for style, name in FONT_FILES.items()
        }
        if all(found.values()):
            return {style: path for style, path in found.items() if path is not None}
    return None


class SamplePDF(FPDF):
    def __init__(self, report: Report) -> None:
        super().__init__(format="A4", unit="mm")
        self.report = report
        fonts = find_dejavu()
        self.unicode = fonts is not None
        self.family = "DejaVu" if fonts else "helvetica"
        for style, path in (fonts or {}).items():
            self.add_font("DejaVu", style, str(path))
        self.set_margins(MARGIN, BODY_TOP, MARGIN)
        self.set_creation_date(FIXED_DATE)
        self.set_title(report.title)
        self.set_author("migtag sample generator")
        self.set_lang("en")

    def t(self, text: str) -> str:
        if self.unicode:
            return text
        return text.translate(LATIN1).encode("latin-1", "replace").decode("latin-1")

    def use(self, style: Style) -> None:
        self.set_font(self.family, style.emphasis, style.size)
        self.set_text_color(*style.color)

    def header(self) -> None:
        self.use(RUNNING)
        self.set_xy(MARGIN, HEADER_Y)
        text = self.t(self.report.header)
        self.cell(w=self.epw, h=4, text=text, align=self.report.header_align)
        self.set_draw_color(160, 160, 160)
        self.set_line_width(0.2)
        self.line(MARGIN, HEADER_Y + 5.5, self.w - MARGIN, HEADER_Y + 5.5)
        self.set_xy(MARGIN, BODY_TOP)

    def footer(self) -> None:
        self.use(RUNNING)
        self.set_xy(MARGIN, FOOTER_Y)
        pages = len(self.report.pages)
        text = self.report.footer.format(page=self.page_no(), pages=pages)
        self.cell(w=self.epw, h=4, text=text, align=self.report.footer_align)

    def write_marked(self, paragraph: Paragraph, text: str) -> None:
        """Body text with footnote markers shrunk and raised, as word processors do."""
        for index, piece in enumerate(MARKER.split(self.t(text))):
            if index % 2:
                self.char_vpos = "SUP"
                paragraph.write(piece)
                self.char_vpos = "LINE"
            elif piece:
                paragraph.write(piece)

    def region(self, blocks: list[Block], ncols: int) -> None:
        if not blocks:
            return
        # Unbalanced, as in most reports: the left column runs to the foot of the page
        # and the paragraph in progress continues at the top of the right one.
        with self.text_columns(ncols=ncols, gutter=GUTTER, balance=False) as columns:
            for kind, text in blocks:
                style = STYLES[kind]
                self.use(style)
                with columns.paragraph(
                    text_align=style.align,
                    line_height=style.line_height,
                    top_margin=style.top,
                    bottom_margin=style.bottom,
                ) as paragraph:
                    self.write_marked(paragraph, text)

    def table_block(self, name: str) -> None:
        self.use(TABLE_TEXT)
        self.set_draw_color(80, 80, 80)
        with self.table(
            width=120,
            col_widths=(45, 25, 25, 25),
            align="LEFT",
            text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
            line_height=5.5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(225, 232, 245)),
        ) as table:
            for row in TABLES[name]:
                table.row([self.t(cell) for cell in row])

    def footnotes_height(self, notes: list[tuple[int, str]]) -> float:
        if not notes:
            return 0.0
        self.use(FOOTNOTE)
        width = self.epw - FOOTNOTE_INDENT
        lines = 0
        for _, text in notes:
            drawn = self.multi_cell(
                w=width,
                h=FOOTNOTE_LINE,
                text=self.t(text),
                dry_run=True,
                output="LINES",
            )
            lines += len(drawn)
        return 3.0 + lines * FOOTNOTE_LINE + len(notes) * 1.0

    def draw_footnotes(self, notes: list[tuple[int, str]], top: float) -> None:
        self.set_draw_color(0, 0, 0)
        self.set_line_width(0.2)
        self.line(MARGIN, top, MARGIN + 45, top)
        self.use(FOOTNOTE)
        y = top + 2.0
        for number, text in notes:
            self.set_xy(MARGIN, y)
            self.cell(w=FOOTNOTE_INDENT, h=FOOTNOTE_LINE, text=str(number))
            self.set_xy(MARGIN + FOOTNOTE_INDENT, y)
            width = self.epw - FOOTNOTE_INDENT
            self.multi_cell(w=width, h=FOOTNOTE_LINE, text=self.t(text), align="L")
            y = self.get_y() + 1.0

    def draw_page(self, number: int, page: Page) -> None:
        self.add_page()
        notes_top = BODY_BOTTOM - self.footnotes_height(page.footnotes)
        # Body text must stop short of the footnotes; running past them opens a new
        # page, which is caught below.
        self.set_auto_page_break(True, margin=self.h - notes_top + 3)
        self.set_xy(MARGIN, BODY_TOP)
        pending: list[Block] = []
        ncols = 1
        for kind, text in page.blocks:
            if kind in ("columns", "table"):
                self.region(pending, ncols)
                pending = []
                if kind == "columns":
                    ncols = int(text)
                else:
                    self.table_block(text)
            else:
                pending.append((kind, text))
        self.region(pending, ncols)
        if self.page_no() != number:
            name = self.report.filename
            raise SystemExit(f"{name}: page {number} does not fit; shorten its text")
        self.set_auto_page_break(False)
        if page.footnotes:
            self.draw_footnotes(page.footnotes, notes_top)


def check(report: Report) -> None:
    """Each footnote needs its marker on the same page and the other way round, or the
    sample would show the extractor a layout no real report has."""
    for number, page in enumerate(report.pages, start=1):
        texts = [text for kind, text in page.blocks if kind == "p"]
        markers = {int(m) for text in texts for m in MARKER.findall(text)}
        notes = {n for n, _ in page.footnotes}
        if markers != notes:
            raise SystemExit(
                f"{report.filename} page {number}: markers {sorted(markers)} "
                f"but footnotes {sorted(notes)}"
            )


def draw(report: Report, folder: Path = HERE) -> Path:
    check(report)
    pdf = SamplePDF(report)
    for number, page in enumerate(report.pages, start=1):
        pdf.draw_page(number, page)
    target = folder / report.filename
    pdf.output(str(target))
    return target


def main() -> None:
    for report in REPORTS:
        target = draw(report)
        print(f"wrote {target} ({len(report.pages)} pages)")


if __name__ == "__main__":
    main()
