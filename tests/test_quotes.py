"""Tests for summarizer.quotes: hand-written cases (tests/data/quotes), the seeds, offsets, bad input, speed."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
from budget import scale
from shared import SHARED, missing

from summarizer import analyze
from summarizer.models import Quote
from summarizer.quotes import extract_quotes, quotes_from_prepared
from summarizer.text import prepare

DATA = Path(__file__).parent / "data" / "quotes"
CASES = sorted(DATA.glob("*.json"))

DEV = SHARED / "eval" / "extraction" / "dev.jsonl"


def test_the_case_corpus_is_there() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case(path: Path) -> None:
    """Each file carries a text, the quotes it must yield (in order) and strings that must not be quotes."""
    case = json.loads(path.read_text(encoding="utf-8"))
    got = extract_quotes(case["text"])
    assert [q.text for q in got] == [e["text"] for e in case["quotes"]], case["about"]
    for q, want in zip(got, case["quotes"], strict=True):
        for key in ("speaker", "cue", "speaker_mention"):
            if key in want:
                assert getattr(q, key) == want[key], f"{key} of {q.text!r}: {case['about']}"
    texts = [q.text.strip() for q in got]
    for absent in case.get("absent", []):
        assert absent not in texts, case["about"]


def _dev(article_id: str) -> dict:
    if not DEV.exists():
        missing("../shared")
    for line in DEV.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["id"] == article_id:
            return row
    raise AssertionError(f"{article_id} missing from {DEV}")


def test_seed_000_trump_quotes() -> None:
    """The seed's three Trump quotes, split by their attribution, all go to "Donald Trump"."""
    row = _dev("seed-000")
    got = extract_quotes(row["text"])
    assert [q.text for q in got] == [g["text"] for g in row["quotes"]]
    assert {q.speaker for q in got} == {"Donald Trump"}
    assert [q.cue for q in got] == ["stated", "stated", "remarked"]


def test_seed_004_quotes_and_speakers() -> None:
    """Required quotes of the second seed are found with an accepted speaker; the headline quote is not body text."""
    row = _dev("seed-004")
    got = {q.text: q for q in extract_quotes(row["text"])}
    for gold in row["quotes"]:
        if gold.get("optional"):
            continue
        assert gold["text"] in got, gold["text"]
        accepted = [gold["speaker"], *gold.get("speaker_alt", [])]
        speaker = got[gold["text"]].speaker or ""
        assert any(name in speaker for name in accepted), (gold["text"], speaker)


def test_offsets_point_into_the_original_text() -> None:
    raw = "Title\r\n\r\nThe\u00a0minister said: \u201cWe\u200b will\u00a0not give up.\u201d\r\nMarkets fell.\r\n"
    (q,) = extract_quotes(raw)
    assert raw[q.start : q.end] == q.text == "We\u200b will\u00a0not give up."
    assert q.text in q.sentence
    assert q.speaker == "minister"


def test_quote_fields() -> None:
    text = 'Headline\n\nEnergy Minister Alexander Novak said on Monday: "Output will stay flat until June."\n'
    (q,) = extract_quotes(text)
    assert isinstance(q, Quote)
    assert (q.speaker, q.cue, q.speaker_mention) == ("Alexander Novak", "said", "Energy Minister Alexander Novak")
    assert q.sentence.startswith("Energy Minister") and q.sentence.endswith('June."')


def test_prepared_once_and_analyze_agree() -> None:
    text = 'Headline\n\n"Prices will fall," said trader Anna Berg.\n'
    assert quotes_from_prepared(prepare(text)) == list(analyze(text).quotes)


def test_article_without_quotes() -> None:
    assert extract_quotes("Headline\n\nThe central bank kept rates on hold. Markets were calm.\n") == []


def _bad_inputs() -> dict[str, str]:
    rng = random.Random(7)
    return {
        "empty": "",
        "blank": " \n\n \t ",
        "binary": bytes(rng.randrange(256) for _ in range(20_000)).decode("latin-1"),
        "html": '<html><body><p class="x">He said "hi" &amp; <b>left</b></p>' * 200 + "</body></html>",
        "russian": "Путин заявил: «Мы не отступим», — сказал он журналистам в Москве. " * 100,
        "unbalanced": ('"' * 7 + "“ word ‘ other ” " + "' it's " + "”“" * 5) * 500,
        "only marks": "\"“”‘’'" * 5000,
        "nested deep": "“" * 3000 + "text" + "”" * 3000,
        "control chars": 'Title\n\n\x00\x01\x02 said "quote\x07 here" \ufffd' * 100,
    }


@pytest.mark.parametrize("name", list(_bad_inputs()))
def test_bad_input_never_crashes(name: str) -> None:
    text = _bad_inputs()[name]
    started = time.process_time()  # CPU time, never wall-clock on a shared machine
    got = extract_quotes(text)
    assert isinstance(got, list) and all(isinstance(q, Quote) for q in got)
    assert time.process_time() - started < scale(2.0)
    for q in got:
        assert text[q.start : q.end] == q.text


def test_non_english_text_has_no_quotes() -> None:
    assert extract_quotes("Путин заявил: «Мы не отступим», — сказал он журналистам в Москве. " * 20) == []


def _news_text(size: int) -> str:
    """Real-looking news paragraphs (the hand-written cases without page furniture), repeated to ``size``."""
    texts = [json.loads(p.read_text(encoding="utf-8"))["text"] for p in CASES]
    body = "\n".join(t.split("\n", 2)[-1] for t in texts if "Related" not in t and "More to Read" not in t)
    return ("Headline\n\n" + body * (size // len(body) + 1))[:size]


@pytest.mark.parametrize(
    "name, text",
    [
        ("news", _news_text(2_000_000)),
        ("one line of quotes", ('He said "yes" and Trump said "no" ' * 60_000)[:2_000_000]),
        ("quote marks only", '"' * 2_000_000),
        ("curly and straight mix", ("“a ”b ‘c’ d' " * 200_000)[:2_000_000]),
    ],
)
def test_two_megabytes_well_under_five_seconds(name: str, text: str) -> None:
    """Linear-ish: 2 MB of text takes well under 5 s (about 1 s on the shared 2-core machine)."""
    started = time.process_time()
    got = extract_quotes(text)
    elapsed = time.process_time() - started
    assert elapsed < scale(5.0), f"{name}: {elapsed:.1f} CPU s"
    if name == "news":
        assert len(got) > 1000  # the repeated cases really were read, not skipped


_BETRAYED = "“He has betrayed the country and must resign immediately,”"


@pytest.mark.parametrize(
    ("tail", "speaker"),
    [
        # people named by whom they stand for or against: never that one
        ("a critic of Trump said.", "critic of Trump"),
        ("critics of Trump said.", "critics of Trump"),
        ("opponents of Putin said.", "opponents of Putin"),
        ("Putin’s opponents said.", "Putin’s opponents"),
        ("said supporters of Farage.", "supporters of Farage"),
        ("Trump supporters said.", "Trump supporters"),
    ],
)
def test_critics_and_supporters_of_someone_are_not_that_one(tail: str, speaker: str) -> None:
    (quote,) = extract_quotes(f"President Donald Trump met Vladimir Putin and Keir Starmer. {_BETRAYED} {tail}")
    assert quote.speaker == speaker


@pytest.mark.parametrize(
    "role",
    [
        "the Ohio governor",
        "the Vermont senator",
        "the New York mayor",
        "the New Jersey governor",
        "the Los Angeles mayor",
    ],
)
def test_the_place_a_role_belongs_to_is_not_its_speaker(role: str) -> None:
    """ "the Ohio governor said": the governor speaks, not Ohio (nor "New" of New York)."""
    (quote,) = extract_quotes(f"{_BETRAYED} {role} said.")
    assert quote.speaker == role.removeprefix("the ")  # described, as no one was named for the role
    kasich = extract_quotes(f"Ohio Gov. John Kasich spoke in Columbus on Monday. {_BETRAYED} the Ohio governor said.")
    assert [q.speaker for q in kasich] in (["John Kasich"], ["Ohio governor"])  # never "Ohio"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (f"{_BETRAYED} CNN quoted Smith as saying.", "Smith"),
        (f"{_BETRAYED} Reuters quoted John Smith as saying.", "John Smith"),
        ("Reuters quoted John Smith as saying: “The economy is growing faster than anyone expected.”", "John Smith"),
        (f"John Smith met reporters on Monday. {_BETRAYED} the agency quoted him as saying.", "John Smith"),
    ],
)
def test_an_outlet_quoting_someone_is_not_the_speaker(text: str, speaker: str) -> None:
    (quote,) = extract_quotes(text)
    assert quote.speaker == speaker


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            "Donald Trump met German Chancellor Angela Merkel at the White House on Friday. "
            "“We had a very productive and honest conversation about trade,” she said.",
            "Angela Merkel",
        ),
        (
            "Joe Biden spoke with Vice President Kamala Harris on Friday. "
            "“We had a very productive and honest conversation about trade,” she told reporters.",
            "Kamala Harris",
        ),
        (
            "Kamala Harris spoke with Joe Biden on Friday. “We had a very productive conversation about trade,” he said.",
            "Joe Biden",
        ),
    ],
)
def test_she_and_he_go_to_the_person_a_first_name_tells(text: str, speaker: str) -> None:
    """A first name tells a woman or a man when nothing else does (bench/extraction.py --all: PolNeAR dev's silver
    speakers 0.696 -> 0.714, the named ones, DEV and the check set unchanged)."""
    (quote,) = extract_quotes(text)
    assert quote.speaker == speaker


@pytest.mark.parametrize("pronoun", ["I’d", "I'd", "I’ve", "I'll", "We’d"])
def test_a_contracted_pronoun_is_no_speakers_name(pronoun: str) -> None:
    # "“That is SO pointless,” I’d say": the writer speaks, as with "I said"; "I’d" is no person's name
    text = (
        "The flight home was long and the children were restless for most of it.\n"
        f"“That is SO pointless,” {pronoun} say, pointing to the screens on the seats in front of us.\n"
        "“We will land soon,” said the pilot, Maria Lopez, over the speakers."
    )
    speakers = [q.speaker for q in analyze(text).quotes]
    assert "Maria Lopez" in speakers and not [s for s in speakers if s and s.startswith(("I", "We"))]


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        # a month's name or an auxiliary written as a name is the name: "Mrs May said" gave "Mrs"; "George Will said"
        # lost its speaker, "Will" read as the auxiliary "will" between a speaker and the cue
        ("Mrs May said: “We will not give up on this plan at all.”", "Theresa May"),
        ("“We will not give up on this plan at all,” said Mrs. May.", "Theresa May"),
        ("The columnist George Will said: “We will not give up on this plan at all.”", "George Will"),
        # and the month and the auxiliary stay what they are
        ("In May, the farmers said: “We will not give up on this plan at all.”", "farmers"),
        ("Putin on Monday said: “We will not give up on this plan at all.”", "Vladimir Putin"),
    ],
)
def test_a_name_that_is_also_a_month_or_an_auxiliary(sentence: str, speaker: str) -> None:
    text = (
        "Prime Minister Theresa May met President Vladimir Putin in London on Tuesday for talks on trade.\n"
        f"{sentence}\nThe talks will resume next month in Moscow, officials said."
    )
    assert [q.speaker for q in analyze(text).quotes][:1] == [speaker]


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        # an office holder's office is one name: "Office" was the speaker
        ("“He never trained with us,” the official from the Maricopa County Sheriff's Office said.",
         "Maricopa County Sheriff's Office"),
        ("The Prime Minister’s Office said it “wishes to thank all the rescue teams for their efforts”.",
         "Prime Minister’s Office"),
        # and a person's possessive still ends the name
        ("Trump's Office of Management and Budget said: “We will cut the program next year.”",
         "Office of Management and Budget"),
        ("ONGC's Mr Raha said: “We will drill more wells next year in the basin.”", "Raha"),
        # a name between an owner and the speaking noun is the speaker's name ("Korea" spoke); a place is not
        ("North Korea's Rodong Sinmun newspaper said relations were “going towards detente”.", "Rodong Sinmun"),
        ("The People's Daily newspaper calls the city “the pearl” on the Silk Road.", "People's Daily"),
        ("Amnesty's Afghanistan researcher said: “The situation is dire for everyone there.”", "Amnesty"),
    ],
)  # fmt: skip
def test_an_office_or_a_paper_is_one_name(sentence: str, speaker: str) -> None:
    assert [q.speaker for q in analyze(sentence).quotes][:1] == [speaker]


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        # a person's aide speaks for themself: the words were put in the person's mouth ("Donald Trump")
        ("Donald Trump’s campaign manager says he is “gratified” by the decision of the party.",
         "Donald Trump’s campaign manager"),
        ("“This is crucial for the whole campaign,” said one Trump confidant.", "Trump confidant"),
        ("“We never expected it,” a senior Cruz adviser said on Tuesday.", "senior Cruz adviser"),
        # an organisation's spokesperson still speaks for it; one word the article does not show to be an
        # organisation may be a surname ("Putin's spokesman"): the role as written, never a guessed owner
        ("“We will appeal the ruling,” an Infineon Technologies spokesperson said.", "Infineon Technologies"),
        ("“We will appeal the ruling,” an Infineon spokesperson said.", "Infineon spokesperson"),
        ("“We will appeal the ruling,” a Cruz spokesman said.", "Cruz spokesman"),
    ],
)  # fmt: skip
def test_an_aide_is_not_the_person_they_serve(sentence: str, speaker: str) -> None:
    text = (
        "Donald Trump and Ted Cruz met donors in Ohio on Monday.\n"
        f"{sentence}\nThe meeting will resume next month, officials said."
    )
    assert [q.speaker for q in analyze(text).quotes][:1] == [speaker]


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        # two appositives, the first ending in a name inside a phrase ("for Newcastle Central"): the speaker is the
        # name before both (the constituency was the speaker)
        ("Chi Onwurah, the Labour MP for Newcastle Central, who is supporting the report, said it was “a business "
         "model that has failed”.", "Chi Onwurah"),
        ("Geoff Garin, a Democratic pollster who is working with Priorities USA, the main super PAC backing Clinton, "
         "said the ads were “very effective”.", "Geoff Garin"),
        ("Jane Smith, the mayor of Leeds, who backs the plan, said the city had been “left behind for decades”.",
         "Jane Smith"),
        # one name inside a phrase, and no name before it: that phrase's owner still speaks
        ("A spokesman for Acme Corp, the largest miner, said it was “a good day for the industry”.", "Acme Corp"),
    ],
)  # fmt: skip
def test_the_speaker_is_the_name_before_its_appositives(sentence: str, speaker: str) -> None:
    assert [q.speaker for q in analyze(sentence).quotes][:1] == [speaker]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # a label before a colon is no speaker ("Transcript" spoke Kasich's words)
        ("Gov. John Kasich spoke in Berea on Monday night.\n\nTranscript as follows:\n\n"
         "\"Tonight we arrived in Cleveland and we will win this state for the people.\"", None),
        # a name inside an introductory phrase modifies a noun ("a Fox interview"): the clause's subject speaks
        ("In a Fox interview later that day, Trump went even further: \"If he goes forward with this, we will "
         "fight it.\"", "Trump"),
        # where a statement was posted is not who posted it
        ("Trump’s Facebook statement said the deal was “a disaster for the country”.", "Trump"),
    ],
)  # fmt: skip
def test_a_label_a_medium_or_a_platform_is_no_speaker(text: str, speaker: str | None) -> None:
    assert [q.speaker for q in analyze(text).quotes][:1] == [speaker]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # a person's affiliation after the name, before the cue ("of Brookings said" lost the speaker, or the quote)
        ('"It is a stretch for the North Koreans," Jeffrey Lewis of the James Martin Center wrote.', "Jeffrey Lewis"),
        ('"It is a stretch for them," Jane Smith of Brookings said.', "Jane Smith"),
        # a US lawmaker's party and state between commas or brackets
        ('Sen. John McCain, R-Ariz., said, "It is a stretch for them."', "John McCain"),
        ('Gov. John Kasich (R-OH), said, "I am getting stronger every day."', "John Kasich"),
        # an organisation's abbreviation before the comma is no lawmaker's tag: the appositive's owner speaks
        ('Steve Landells, a safety specialist at the British Airline Pilots Association (Balpa), said: "It was only a '
         'matter of time."', "Steve Landells"),
    ],
)  # fmt: skip
def test_an_affiliation_or_a_lawmakers_tag_after_the_name(text: str, speaker: str) -> None:
    assert [q.speaker for q in analyze(text).quotes][:1] == [speaker]


def test_a_us_state_is_where_not_who() -> None:
    """A pronoun after "his sizeable New Hampshire lead" took New Hampshire for the speaker: US states were places
    only before a role ("the Ohio governor"), and Ohio or Utah, named beside a senator, was the senator's words."""
    text = (
        "Democratic presidential candidate Bernie Sanders is choosing not to respond to recent accusations.\n\n"
        "Instead, the Vermont senator is sticking to his campaign message, hoping to avoid any misstep that could "
        "undermine his sizeable New Hampshire lead just a day before voters head to the polls.\n\n"
        '"We have come a long way in the last nine months," he told cheering supporters in Nashua on Monday.'
    )
    assert [q.speaker for q in analyze(text).quotes] == ["Bernie Sanders"]


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        # the person spoken of, after "of", is not the speaker; nor is a title's "of State" a place to stop at
        ("“It just was never meant to be,” said Monmouth University political scientist Patrick Murray of Christie.",
         "Patrick Murray"),
        ("“There is a special place for them,” said Former Secretary of State Madeleine Albright.",
         "Madeleine Albright"),
    ],
)  # fmt: skip
def test_a_name_after_of_is_no_speaker_when_a_person_comes_first(sentence: str, speaker: str) -> None:
    text = f"Chris Christie ended his campaign on Wednesday in New Jersey.\n{sentence}"
    assert [q.speaker for q in analyze(text).quotes] == [speaker]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # a hyphenated title is a title, so the name after it is the full name
        ('United Auto Workers Secretary-Treasurer Gary Casteel said the deal was close.\n"We are close to a deal," '
         "Casteel said.", "Gary Casteel"),
        # a headline capitalises every word: "McCain Challenger Kelli Ward" is no one's full name
        ('McCain Challenger Kelli Ward: Hillary Clinton Should Be in Jail\n\nDr. Ward stated: "The Department of '
         'Justice is about politics now."', "Ward"),
    ],
)  # fmt: skip
def test_titles_are_not_part_of_a_full_name(text: str, speaker: str) -> None:
    assert [q.speaker for q in analyze(text).quotes] == [speaker]


def test_the_accused_in_the_passive_is_no_speaker() -> None:
    """ "Moscow has been accused of using the WNBA star 'as a political pawn'" gave Moscow the words of its accusers
    (the object of "accused Moscow" was already kept out; the passive's subject is the same party)."""
    text = 'While cannabis is illegal in Russia, Moscow has been accused of using the WNBA star "as a political pawn".'
    assert [q.speaker for q in analyze(text).quotes] == [None]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # found by review: a role before the name is no phrase the appositives end in, so no hop past the name
        ('Speaking in Washington, the French president Emmanuel Macron, who arrived on Monday, said "we are ready".',
         "Emmanuel Macron"),
        ('Asked about Brexit, Labour leader Jeremy Corbyn, who was in Leeds, said "we will respect the result".',
         "Jeremy Corbyn"),
        # ... the passive's subject is the speaker when accused of what they said
        ('Donald Trump was accused of saying that Mexican immigrants were "rapists" and more.', "Donald Trump"),
        # ... and a company named like a person still speaks through its spokesman
        ('"It was a joke, and no offense was meant," a Paddy Power spokesman told CNN.', "Paddy Power"),
    ],
)  # fmt: skip
def test_review_counter_examples_keep_their_speakers(text: str, speaker: str) -> None:
    assert [q.speaker for q in analyze(text).quotes][:1] == [speaker]


def test_a_quote_in_a_clause_of_its_own_is_not_the_main_clauses_speakers() -> None:
    """A reader saw "Joe Biden: “elites”": the word was in ", as Ukrainian officials interpreted the incident as a
    warning to Russian “elites”", a clause of its own subject after Biden's cue. A pronoun's clause stays Biden's."""
    told = (
        "Joe Biden has strongly suggested Vladimir Putin’s involvement in the apparent death of Yevgeny Prigozhin, "
        "as Ukrainian officials interpreted the incident as a warning to Russian “elites” and flowers were laid."
    )
    assert [q.speaker for q in analyze(told).quotes] in ([], [None])
    assert [q.speaker for q in analyze('Joe Biden said, as he left the White House, "we will respond".').quotes] == [
        "Joe Biden"
    ]
