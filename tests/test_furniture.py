"""Tests for summarizer/furniture.py: feed furniture and title suffixes, on real feed items (tests/data/text)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.furniture import (
    clean_description,
    clean_title,
    echoed_outlet,
    echoed_outlet_name,
    is_furniture_sentence,
    known_outlets,
    outlet_name_key,
    without_newsletter_extras,
)

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "text" / "furniture.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['kind']}-{i}" for i, c in enumerate(CASES)])
def test_real_feed_items(case: dict) -> None:
    if case["kind"] == "title":
        assert clean_title(case["input"], outlet=case.get("outlet")) == case["expected"]
    else:
        assert clean_description(case["input"]) == case["expected"]


def test_the_real_cases_cover_every_family() -> None:
    inputs = " ".join(c["input"] for c in CASES)
    for family in ("Read Full Article at", "Article URL:", "Comments URL:", "appeared first on", "Continue reading",
                   "Read more...", "[…]", "(Reuters) -", "…", " - Reuters", " - Bloomberg.com"):  # fmt: skip
        assert family in inputs, family
    # and no furniture survives in what comes out
    for c in CASES:
        for family in ("Read Full Article", "Article URL", "appeared first", "Continue reading", "Read more", "[…]"):
            assert family not in c["expected"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Oil rose. Read the full story at Example News", "Oil rose."),
        ("Oil rose on Monday. Read more at Example Times …", "Oil rose on Monday."),
        ("Oil rose. Prices fell after the talks, analysts sa…", "Oil rose."),
        ("Prices fell after the talks, analysts sa...", ""),
        ("He left. …", "He left."),
        # a period after an abbreviation ends no sentence: the whole cut sentence goes, not all but its first words
        ("Blue Jay Gold Corp. (TSXV: JAY) is pleased to announce that studies using >400 kg from the Becker …", ""),
        ("Gen. Mark Milley said the strike was an act of …", ""),
        ("Oil rose. The U.S. Treasury on Monday imposed sanctions on five firms linked to the …", "Oil rose."),
        ("Oil rose. Migrants were arrested illegally crossing the U.S. border near El Paso, the …", "Oil rose."),
        ('"They are very important. So, President Clinton ..." ...', '"They are very important.'),
        ("WASHINGTON, June 3 (Reuters) - The Senate voted on Tuesday.", "The Senate voted on Tuesday."),
        ("(AP) — The Senate voted on Tuesday.", "The Senate voted on Tuesday."),
        ("BEIJING (AP) _ China said it would cut tariffs.", "China said it would cut tariffs."),
        ("KYIV, Ukraine — Russia said it would talk.", "Russia said it would talk."),
        ("NATO - Russia council meets today.", "NATO - Russia council meets today."),
        ("US — Russia talks resume.", "US — Russia talks resume."),
        ("The Senate voted (Reuters) - then left.", "The Senate voted (Reuters) - then left."),
        ("'If we win … they lose,' he said.", "'If we win … they lose,' he said."),
        ("Line one.\n\nRead more...\n\nLine two.", "Line one.\n\n\n\nLine two."),
        ("", ""),
    ],
)
def test_furniture_families(text: str, expected: str) -> None:
    assert clean_description(text) == expected


@pytest.mark.parametrize(
    ("title", "outlet", "feed", "expected"),
    [
        ("West takes new step to tighten Russian oil sanctions – Reuters", None, None, "West takes new step to tighten Russian oil sanctions"),
        ("Moscow responds to the sanctions | AP News", None, None, "Moscow responds to the sanctions"),
        ("Moscow responds to the sanctions – Bloomberg.com", "Bloomberg", None, "Moscow responds to the sanctions"),
        ("Nickel deal signed - Mining Weekly Online", None, "Mining Weekly Online", "Nickel deal signed"),
        ("Nickel deal signed - Acme Metals Wire", "Acme Metals Wire", None, "Nickel deal signed"),
        ("Nickel deal signed - Acme Metals Wire", None, None, "Nickel deal signed - Acme Metals Wire"),  # unknown name
        ("Nickel deal signed - example-news.com", None, None, "Nickel deal signed"),
        ("Story of the day | World | Reuters", None, None, "Story of the day | World"),
        ("Reuters - Story of the day in brief", None, None, "Story of the day in brief"),
        ("Reuters", "Reuters", None, "Reuters"),  # never empties a title
    ],
)  # fmt: skip
def test_title_suffixes(title: str, outlet: str | None, feed: str | None, expected: str) -> None:
    assert clean_title(title, outlet=outlet, feed=feed) == expected


def test_furniture_sentences() -> None:
    for s in (
        "You can add location information to your Tweets, such as your city or precise location.",
        "These crawls are part of an effort to archive pages as they are created.",
        "Media playback is unsupported on your device",
        "Advertisement Continue reading the main story",
        "We use cookies to improve your experience.",
        "— This story was updated at 9:39 p.m.",
        "The opinions expressed are those of the writer.",
        "Statements of study authors do not necessarily reflect the association's policy.",
        "Records were harvested through Archive-It beginning in July 2012.",
        # the site's call to its reader, in the middle of a paragraph
        "(Preview the cover story and listen to a previously unheard Cobain song here.)",
        "Follow Jeff Poor on Twitter @jeff_poor.",
        "Read the rest of the story at Mediaite.",
    ):
        assert is_furniture_sentence(s), s
    for s in (
        "Russia and the United States agreed on Monday to resume talks on rare earths.",
        "Russia will follow the US lead, officials said here on Monday.",
        "Read said on Tuesday that the plant would stay here.",
        "The advertisement campaign cost $3 million, the company said.",
        "The post of deputy minister went to a former banker.",
    ):
        assert not is_furniture_sentence(s), s


def test_a_dateline_opening_the_body_is_removed_and_nothing_else() -> None:
    from summarizer.furniture import without_dateline

    body = "The ministry said talks would resume on Tuesday."
    for dateline in (
        "MOSCOW, Dec 5 (Reuters) - ",
        "KYIV/WASHINGTON (Reuters) - ",
        "(Reuters) - ",
        "WASHINGTON (AP) — ",
        "DAKAR, Senegal (AP) — ",
        "KAZAN, Russia — ",
        "LONDON—",
        "BANFF, Alta.–",
        "WELLINGTON, New Zealand—",
    ):
        assert without_dateline(dateline + body) == body, dateline
        # after a page's headline and kicker, at the body's start
        assert without_dateline(f"Talks resume\nWorld\n{dateline}{body}") == f"Talks resume\nWorld\n{body}"
    for text in (
        "U.S.—Russia talks resume in Riyadh on Tuesday after weeks.",  # a party, not a place of filing
        "U.S. — The State Department said talks with Russia would resume.",  # an initialism is no place
        "NATO allies met in Brussels on Tuesday to discuss the plan.",
        "BREAKING: Freed Americans arrive in the U.S. after the swap.",
        "MOSCOW — Short.",  # too little would be left
        f"One\nTwo\nThree\nMOSCOW (AP) — {body}",  # past the body's opening paragraphs
        "",
    ):
        assert without_dateline(text) == text, text


def test_known_outlets_is_data() -> None:
    outlets = known_outlets()
    assert "reuters" in outlets and "ap" in outlets and len(outlets) > 50


def test_lead_furniture_and_captions() -> None:
    from summarizer.furniture import is_caption, lead_furniture

    for s, rest in (
        ("CLOSE Scientists say they found evidence of it.", "Scientists say they found evidence of it."),
        ("WASHINGTON -- The colonists resorted to it in the winter.", "The colonists resorted to it in the winter."),
        ("MOSCOW (Reuters) - The ministry said talks would resume.", "The ministry said talks would resume."),
        ("Scientists say so.", "Scientists say so."),
        ("CLOSE", "CLOSE"),
        (
            "UPDATE 2: A spokesman later said in a statement that talks went well.",
            "A spokesman later said in a statement that talks went well.",
        ),
    ):
        assert s[lead_furniture(s) :] == rest
    for s in (
        "Douglas Owsley, an anthropologist, left, and William Kelso unveil the reconstruction.",
        "In this Thursday, Feb. 17, 2011 picture, two residents pose outside their home.",
        "In this file photo, the minister speaks in Geneva.",
        "FILE - In this Nov. 22, 2015 file photo, Prince presents the award at the American Music Awards.",
        "File-This Aug. 5, 1966, file photo shows members of the Trapp family at a concert.",
        "The minister (right) meets his counterpart in Geneva.",
        "President Donald Trump gestures to the crowd at the ceremony, Friday, Dec. 15, 2017, in Quantico, Va.",
    ):
        assert is_caption(s), s
    for s in ("The president left, and the talks ended.", "In this case, the court ruled against it."):
        assert not is_caption(s), s


def test_an_outlet_named_twice_is_the_outlet_whatever_its_name() -> None:
    # Google News: the title ends " - Outlet" and the summary is the rest of the title, then the outlet.
    title = "Putin threatens Finland over NATO - Acme Daily Ledger"
    assert echoed_outlet(title, "Putin threatens Finland over NATO  Acme Daily Ledger") == "Acme Daily Ledger"
    assert clean_title(title, outlet=echoed_outlet(title, "Putin threatens Finland over NATO Acme Daily Ledger")) == (
        "Putin threatens Finland over NATO"
    )
    # A summary that says more, or none, names no outlet: "... - Dimbleby" (who said it) stays.
    assert echoed_outlet("Coronation: the king speaks - Dimbleby", "The king spoke at length, Dimbleby said.") is None
    assert echoed_outlet(title, None) is None and echoed_outlet("No separator here", "No separator here") is None
    # Google News's list of related stories (its 2019 feeds: feeds-corpus real/google-news_top-stories_2019.xml)
    # begins with the item's own title and outlet: the outlet all the same.
    related = "Putin threatens Finland over NATO Acme Daily Ledger Finland shrugs off Kremlin warning Nordic Post"
    assert echoed_outlet(title, related) == "Acme Daily Ledger"
    # ... but not a summary that tells the story in other words after a title without its outlet
    assert echoed_outlet(title, "Putin threatens Finland over NATO as Acme Daily Ledger reports") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the Financial Times' FirstFT and its other newsletters: the list closes the description
        ("Also in today’s newsletter, US says Russia is helping China develop military technologies", ""),
        (
            "Officials say the deal is close. Also in this newsletter: deep sea mining",
            "Officials say the deal is close.",
        ),
        # the New York Times' briefings: the whole description, with an abbreviation inside
        ("Plus, a U.S. plan to deploy missiles in Germany angered Russia.", ""),
        # the Guardian's First Thing: the lead story goes on after the list's sentence
        (
            "Biden meets the freed reporter. Plus, Simone Biles wins gold Don’t get First Thing? Sign up here Good "
            "morning. Biden met him.",
            "Biden meets the freed reporter. Sign up here Good morning. Biden met him.",
        ),
        # the words in other places are prose
        ("The bill adds tariffs, plus, in some cases, quotas.", "The bill adds tariffs, plus, in some cases, quotas."),
        ("Also in the news today, Russia expelled a diplomat.", "Also in the news today, Russia expelled a diplomat."),
    ],
)
def test_a_newsletters_list_of_its_other_stories_is_cut(text: str, expected: str) -> None:
    assert without_newsletter_extras(text) == expected


@pytest.mark.parametrize(
    ("title", "summary", "outlet"),
    [
        ("China tightens rare earth quotas", "China tightens rare earth quotas Bloomberg.com", "Bloomberg.com"),
        ("China tightens rare earth quotas", "China tightens rare earth quotas  The Wall Street Journal", "The Wall Street Journal"),
        ("China tightens rare earth quotas", "China tightens rare earth quotas", None),  # adds nothing
        ("China tightens rare earth quotas", "Beijing cut the quotas on Monday, officials said.", None),  # its own words
        ("China tightens rare earth quotas", "China tightens rare earth quotas on magnets", None),  # it goes on
        ("Rare earths rally", "Rare earths rally news.com.au", "news.com.au"),
        ("Rare earths rally", "Rare earths rally The Times of India", "The Times of India"),
    ],
)  # fmt: skip
def test_the_outlet_an_aggregator_names_after_the_title(title: str, summary: str, outlet: str | None) -> None:
    assert echoed_outlet_name(title, summary) == outlet


def test_names_of_one_outlet_compare_equal() -> None:
    assert outlet_name_key("Bloomberg.com") == outlet_name_key("Bloomberg") == outlet_name_key("www.bloomberg.com")
    assert outlet_name_key("The Wall Street Journal") == outlet_name_key("Wall Street Journal")
    assert outlet_name_key("BBC News") == outlet_name_key("BBC")
    assert outlet_name_key("Reuters") != outlet_name_key("Bloomberg")
