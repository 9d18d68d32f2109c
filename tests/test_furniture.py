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


# Page furniture that reached single-article summaries (or stood in the texts) of the 1,750 real texts (CNN, PolNeAR,
# the extraction set, multi-news documents), by family: a sentence about the page, not the news.
PAGE_FURNITURE = {
    "media on the page": (
        "Watch a clip of the interview above.",
        "Watch iReporter Benjamin Rosenbaum's video above.",
        "(See Sexton’s full timeline of the Trump rally below.)",
        "Listen to HuffPost’s interview with Frank in the latest episode of the So, That Happened podcast embedded below.",
        "Check out the full trailer for DuVernay’s documentary, “13th,” below.",
        "Ahead of the film’s October 5th release, the first trailer has arrived and you can watch it below.",
        "Watch the official trailer for Star Wars: The Force Awakens, coming to",
        "Video (02:04) : The Twin Cities erupted in memories, grief and song after the passing of Minnesota's brightest star.",
        "LISTEN TO ARTICLE 4:34 SHARE THIS ARTICLE Share Tweet Post Email",
        "Photo: Kurt Rogers Image 1 of / 3 Caption Close Image 1 of 3 The entrance to the Glen Park Branch Library in San"
        " Francisco.",
        "Ulbricht was the alleged ... more Photo: Kurt Rogers Image 2 of 3 The F.B.I. siezed the Silk Road website.",
        "Hide Caption 4 of 30 30 photos: Photos: Ice storm spreads across U.S. Ice storm spreads across U.S. – A car drives"
        " up a snow-covered street in Brooklyn, New York, on December 10.",
        "30 photos: Photos: Ice storm spreads across U.S. – Snow covers buses for the Baltimore County Public Schools.",
        "(THE CANADIAN PRESS/HO-www.luka-magnotta.com) View larger image Police investigate after a severed human torso"
        " was found in Montreal on Tuesday, May 29, 2012.",
        "View Slideshow Ukrainian emergency workers carry a victim's body in a plastic bag at the crash site.",
        "Enlarge Family photo Chad and Barbie Soper hold their baby Cearra Nicole, who was born Oct. 10, 2010.",
        "Enlarge this image toggle caption Kena Betancur/AFP/Getty Images Kena Betancur/AFP/Getty Images",
        "1 of 14 Full Screen Autoplay Close Skip Ad × A soggy Fourth for fireworks on the Mall in Washington View Photos"
        " Rain or shine, the fireworks display is an annual tradition.",
        "Image copyright AP Image caption The Hungarian border fence has left hundreds stranded in Serbia.",
        "Skip in Skip x Embed x Share CLOSE President Donald Trump appeared to advocate rougher treatment of people in"
        " police custody during a speech in New York.",
    ),
    "notes about the article itself": (
        "Updated 7:51 a.m. ET Dec. 14 with official announcement of Perry's nomination.",
        "Last Updated, Wednesday, 11:07 a.m.",
        "Originally published October 2014.",
        "This piece has been updated with comments from Erin Brockovich and Snyder’s office.",
        "This article has been revised to reflect the following correction: An earlier version of this article misstated"
        " the amount of time it takes an acre of trees to convert 156 tons of carbon.",
        "Correction: Earlier versions of this article misspelled the name of reality-TV personality Tareq Salahi.",
        "CLARIFICATION: The first sentence has been clarified to reflect that Fowler is calling for a process.",
        "Editor's Note: Ines Dumig was recently announced as a CENTER Grant Recipient.",
        "Editor’s Note: The following is part 3 of 3 exclusive Breitbart News excerpts from bestselling author Dinesh"
        " D’Souza’s new book.",
        "A version of this story first appeared in the June 10 issue of The Hollywood Reporter magazine.",
        "This piece first appeared on Global Risk Insights.",
        "--Sarah Ferris contributed to this report, which was updated at 11:41 a.m.",
        "CNN's Jethro Mullen also contributed to this report.",
    ),
    "the site's links, buttons and requests": (
        "Related Articles: 'The Dictator' Trailer: Sacha Baron Cohen Laughs in the Face of Tyranny (Video) Steve Pond's"
        " Oscar Picks: 'The Artist' Will Win, but Should It?",
        "Read or Share this story: http://usat.ly/18cNUHU",
        "READ ALSO: Kim Wall presumed dead: Copenhagen Police",
        "Read this: Africa's 10 most prosperous countries .",
        "SHARE THIS ARTICLE Share Tweet Post Email",
        "“ He targets the darkness, anger and insecurity that hide in each of us. ” Share this quote",
        "Have a tip we should know? tips@mediaite.com",
        "Got a news tip? Email the newsroom.",
        "To receive the magazine, click here to subscribe.",
        "Like Star Wars on Facebook at http://www.facebook.com/starwars",
        "Visit KARE11.com: http://www.kare11.com/",
        "Guidelines: You share in the USA TODAY community, so please keep your comments smart and civil.",
        'Use the "Report Abuse" button to make a difference.',
    ),
    # a button to follow a topic, what a sign-up form answers, a video player's notices (multi-news documents: a page
    # that was only YouTube's player or a sign-up box, and ABC News' topic button, reached their summaries)
    "the site's forms and players answering the reader": (
        "Interested in Jon Benet Ramsey?",
        "Add Jon Benet Ramsey as an interest to stay up to date on the latest Jon Benet Ramsey news, video, and analysis"
        " from ABC News.",
        "Thanks for signing up!",
        "Thank you for subscribing.",
        "Thank you for your interest in spreading the word about Science.",
        "You're all set!",
        "We have sent you a verification email.",
        "Please check your email and click on the link to activate your profile.",
        "Please check your email to confirm your subscription.",
        "If you do not receive the verification message within a few minutes of signing up, please check your Spam or"
        " Junk folder.",
        "An error has occurred.",
        "Please try again later.",
        "Rating is available when the video has been rented.",
        "This feature is not available right now.",
        "This video is unavailable in your country.",
    ),
    # the Guardian's list of links between a standfirst and its lead, one line each when the feed's <li> are kept
    # (feeds-corpus real/guardian_world_2022.xml; qa5: "See all our Ukraine coverage" was a story's summary)
    "a feed's links to its coverage": (
        "See all our Ukraine coverage",
        "See all our Ukraine war coverage",
        "Russia-Ukraine war – latest updates",
        "Russia-Ukraine war – latest news updates",
        "Business live – latest updates",
        "Follow our Australia news live blog for the latest updates",
        "Get our free news app, morning email briefing or daily news podcast",
        "Get our morning and afternoon news emails , free app or daily news podcast",
    ),
    "rights": (
        "See the original story at Billboard.com. ©2015 Billboard.",
        "©2015 The Hollywood Reporter.",
        "All Rights Reserved.",
        "Copyright © 2011 HealthDay.",
        "Copyright 2015 The Conversation.",
        "Some rights reserved.",
        "(Copyright 2013 by CBS San Francisco and Bay City News Service.",
        "This material may not be published, broadcast, rewritten or redistributed.)",
    ),
}

# News that reads like one of those families: it stays.
NEWS_LIKE_FURNITURE = (
    "The company updated its forecast at 9 a.m. ET, the filing showed.",
    "Updated figures released at 9 a.m. ET showed unemployment fell.",
    # an update's label before news: the news stays (its label is a lead word of summarizer.story's sentences)
    "UPDATE, May 18, 12:32 p.m. ET: LinkedIn confirmed on Wednesday that the new data is legitimate.",
    "[Updated 8:55 a.m. PST, Nov. 19: Tesla Chief Executive Elon Musk claimed that the automaker requested the"
    " investigation to refute fears that electric cars were more prone to fires than other vehicles.",
    "UPDATED: Christopher “Big Black” Boykin, half of MTV’s “Rob & Big” duo, died on Tuesday, his rep confirmed.",
    "Autopsy results are critical because they might reveal whether the drug haloperidol contributed to his death.",
    "More than 800 scientists contributed to the report, the panel said.",
    "The agency's data contributed to this report's conclusions, she said.",
    "We have a set of Community Standards that are designed to help people understand what is acceptable to share on"
    " Facebook.",
    "She wanted to share this story so other mothers would know the signs.",
    "Share prices fell 5 percent on Monday.",
    "Copyright law protects the recording, the judge ruled.",
    # "é" decoded as Latin-1 is "Ã©": no copyright sign
    "For Clinton, the attack was an opportunity to showcase her rÃ©sumÃ© and easy command of the lexicon.",
    "Temperatures will fall below freezing tonight, forecasters said.",
    "From the summit, you can see the valley below.",
    "Hilton and Charlie Sheen were the only two celebrities in the poll that were view more negatively than"
    " positively, falling below the likes of Brittany Spears.",
    "A 2010 YouTube video (above) shows Hess talking about the excitement of photographing rock concerts.",
    "Watch: the sun rises over the Capitol as crews prepare for the inauguration.",
    "Police said they have a tip that the suspect fled to Mexico.",
    "Does anyone have tips for them on three kids under 3?",
    "Like many on Facebook, she shared the photo of the storm.",
    "Visitors can view photos of the victims at the museum.",
    "The newspaper's image caption misidentified the man.",
    "First published in 1851, Moby-Dick sold poorly.",
    "NBC News first published the cellphone video Friday afternoon.",
    "Correction officers wheeled Mr. Dixon into an examination area without a security camera.",
    "An earlier version of the bill was rejected by the Senate.",
    "Related sites include those for events, partnerships and projects of the city.",
    "Skip Rutherford, a longtime Clinton loyalist, said the race was close.",
    "Viewers can skip ads on the new service, Netflix said.",
    # the words of a sign-up form or a player, in someone's mouth or in news
    "Please check the facts, the senator said.",
    "The company will close its plant in Ohio next year.",
    '"You\'re all set," the officer told the crew before takeoff.',
    '"Thank you for subscribing," the host said at the end of every episode.',
    "Thanks for your fake coverage of the July 4th fireworks PBS!",
    "This feature is not available right now, Apple said in a statement.",
    "The rating is available to investors when the bonds have been sold.",
    "Interested in the job, she applied on Monday.",
    "Add the bonds as an interest-bearing asset, the auditors wrote.",
    "Police said the scam emails urged users to check your account at once.",
    "Check yourself thoroughly when you get home, especially in your body's folds.",
    "They try again later this year, the agency said.",
    # a feed's coverage links' words in news
    "Markets slumped on Monday – latest updates on the crash are below.",
    "Critics said they see all our coverage as biased.",
    "Get our troops home, the protesters chanted.",
)


@pytest.mark.parametrize("family", list(PAGE_FURNITURE))
def test_page_furniture_by_family(family: str) -> None:
    missed = [s for s in PAGE_FURNITURE[family] if not is_furniture_sentence(s)]
    assert not missed, missed


def test_news_that_looks_like_page_furniture_is_news() -> None:
    taken = [s for s in NEWS_LIKE_FURNITURE if is_furniture_sentence(s)]
    assert not taken, taken


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
        "A photo of the teen who went missing on April 14, Kristian Perez.",  # a story's summary sentence (qa5)
    ):
        assert is_caption(s), s
    for s in (
        "The president left, and the talks ended.",
        "In this case, the court ruled against it.",
        "A photo of the suspect was released by police on Monday.",
        "A picture of calm, he said nothing about the vote.",
    ):
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # descriptions whose markup was flattened (feeds-corpus items/the-guardian.xml): the links end the standfirst
        (
            "Russian president airs grievances against west in speech devoted to first anniversary of Ukraine invasion"
            " Russia-Ukraine war – latest news updates Vladimir Putin has said Russia will halt its participation.",
            "Russian president airs grievances against west in speech devoted to first anniversary of Ukraine invasion\n"
            "Vladimir Putin has said Russia will halt its participation.",
        ),
        (
            "Joe Biden ‘not surprised’ by death of Yevgeny Prigozhin See all our Ukraine war coverage Joe Biden has"
            " strongly suggested Vladimir Putin’s involvement.",
            "Joe Biden ‘not surprised’ by death of Yevgeny Prigozhin\nJoe Biden has strongly suggested Vladimir Putin’s"
            " involvement.",
        ),
        (
            "A Russian jet downs US drone over waters west of Crimea • Russia-Ukraine war live – latest updates A Russian"
            " fighter has collided with a US drone.",
            "A Russian jet downs US drone over waters west of Crimea\nA Russian fighter has collided with a US drone.",
        ),
        (
            "Fire spread to four others Follow our Australia news live blog for latest updates Get our morning and"
            " afternoon news emails , free app or daily news podcast Five cars have been destroyed at Sydney airport.",
            "Fire spread to four others\nFive cars have been destroyed at Sydney airport.",
        ),
        # the words in news are news
        (
            "He said the network's coverage was unfair. Follow the latest updates here.",
            "He said the network's coverage was unfair. Follow the latest updates here.",
        ),
        ("Stocks fell – latest figures show a slump.", "Stocks fell – latest figures show a slump."),
    ],
)
def test_a_flattened_descriptions_links_to_coverage_end_its_standfirst(text: str, expected: str) -> None:
    assert clean_description(text) == expected


def test_a_guardian_items_summary_is_not_its_links_to_coverage() -> None:
    """The real feed's <ul> of links, parsed by bot.feeds, is a line of its own; no summary sentence is that line."""
    from shared import shared_path

    from bot.feeds import parse_feed
    from summarizer.extractive import summarize

    path = shared_path("feeds-corpus/real/guardian_world_2022.xml")
    items = parse_feed(path.read_bytes(), {}, "https://www.theguardian.com/world/rss").items
    with_links = [i for i in items if "See all our" in i.summary or "latest updates" in i.summary]
    assert len(with_links) >= 3
    for item in with_links:
        lines = [s.text for s in summarize(clean_description(item.summary), 3).sentences]
        assert not [s for s in lines if "See all our" in s or "latest updates" in s], lines
