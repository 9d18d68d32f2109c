"""A story's quotes and figures merged across outlets (summarizer.merge), on real extraction output."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from summarizer import analyze
from summarizer.merge import merge_figures, merge_quotes
from summarizer.speakers import speaker_matches

TASS = (
    "Putin ready to talk arms control\n\n"
    "Russian President Vladimir Putin said on Tuesday that Moscow was open to talks on New START.\n\n"
    "“We are ready to work with American partners on strategic stability,” Putin said.\n\n"
    "The US and Russia signed a $500 billion energy deal, the Kremlin said.\n"
)
REUTERS = (
    "Kremlin signals openness on New START\n\n"
    "“We are ready to work with American partners on strategic stability,” the Kremlin leader told reporters.\n\n"
    "“The treaty must be extended without any preconditions,” the Russian president added.\n\n"
    "Officials said the two countries agreed a $350 billion energy deal on Monday. Sanctions cut growth by 4.5% this year.\n"
)
BBC = (
    "Biden answers Moscow\n\n"
    "President Joe Biden said the offer was welcome. “We will look at it carefully and respond soon,” Biden said.\n\n"
    "“We will look at it carefully and respond soon,” President Biden told reporters. Sanctions cut growth by 4.5% this year.\n"
)


def _story() -> list[tuple[str, str, dict[str, list[dict[str, Any]]]]]:
    out = []
    for outlet, text in (("TASS", TASS), ("Reuters", REUTERS), ("BBC", BBC)):
        a = analyze(text)
        out.append(
            (
                outlet,
                f"https://{outlet.lower()}.example/story",
                {"quotes": [asdict(q) for q in a.quotes], "figures": [asdict(f) for f in a.figures]},
            )
        )
    return out


def test_quotes_merge_across_outlets_under_one_name() -> None:
    quotes = merge_quotes([(o, link, parts["quotes"]) for o, link, parts in _story()], texts=[TASS, REUTERS, BBC])
    ready = [q for q in quotes if q["text"].startswith("We are ready")]
    assert len(ready) == 1
    assert ready[0]["speaker"] == "Vladimir Putin"
    assert {s["outlet"] for s in ready[0]["sources"]} == {"TASS", "Reuters"}
    treaty = next(q for q in quotes if q["text"].startswith("The treaty must"))
    assert treaty["speaker"] == "Vladimir Putin"  # "the Russian president" named by TASS for that office
    assert treaty.get("speaker_as_written") == "Russian president"
    biden = [q for q in quotes if q["text"].startswith("We will look")]
    assert len(biden) == 1 and biden[0]["speaker"] == "Joe Biden"
    # /quotes putin finds every Putin quote, from every outlet
    putin = [q for q in quotes if speaker_matches("putin", q["speaker"])]
    assert {q["text"][:12] for q in putin} == {"We are ready", "The treaty m"}
    assert {s["outlet"] for q in putin for s in q["sources"]} == {"TASS", "Reuters"}


def test_same_figure_once_and_different_values_side_by_side() -> None:
    figures = merge_figures((o, link, parts["figures"]) for o, link, parts in _story())
    gdp = [f for f in figures if f["kind"] == "percent" and f["value"] == 4.5]
    assert len(gdp) == 1 and {s["outlet"] for s in gdp[0]["sources"]} == {"Reuters", "BBC"}
    assert gdp[0]["disagrees"] == []
    deal = [f for f in figures if f["kind"] == "money"]
    assert sorted(f["value"] for f in deal) == [350e9, 500e9]
    a, b = deal
    assert figures.index(b) == figures.index(a) + 1  # shown side by side
    assert [d["outlet"] for d in a["disagrees"]] == [b["outlet"]]
    assert [d["surface"] for d in b["disagrees"]] == [a["surface"]]


def test_one_outlets_two_values_are_two_quantities() -> None:
    text = (
        "Deal agreed\n\nThe two countries agreed a $500 billion energy deal. "
        "A first $350 billion energy deal tranche is due next year.\n"
    )
    a = analyze(text)
    figures = merge_figures([("Reuters", "https://r.example", [asdict(f) for f in a.figures])])
    assert all(f["disagrees"] == [] for f in figures)


def test_one_value_measuring_two_things_stays_two_figures() -> None:
    """From the seeds: "over 70% of these resources" and "an estimated 70% of Ukraine's rare earth reserves"."""
    a = {
        "surface": "over 70%",
        "kind": "percent",
        "value": 70.0,
        "unit": "percent",
        "key": True,
        "sentence": "However, over 70% of these resources are concentrated in the Donetsk and Lugansk regions.",
    }
    b = {
        "surface": "an estimated 70%",
        "kind": "percent",
        "value": 70.0,
        "unit": "percent",
        "key": True,
        "sentence": "These territories hold an estimated 70% of Ukraine's rare earth reserves.",
    }
    c = {**a, "surface": "70%", "sentence": "Some 70% of these resources lie in the Donetsk region."}
    merged = merge_figures([("RT", "r", [a]), ("TASS", "t", [b]), ("Reuters", "x", [c])])
    assert len(merged) == 2
    resources = next(f for f in merged if f["surface"] == "over 70%")
    assert [s["outlet"] for s in resources["sources"]] == ["RT", "Reuters"]  # same words around it: one figure


def test_shares_of_two_wholes_do_not_disagree() -> None:
    """From the seeds, told by two outlets: "over 20% of the world's known REE reserves" and "over 70% of these
    resources" are shares of two things, not two values of one; two shares of one whole still disagree."""

    def share(surface: str, value: float, sentence: str) -> dict:
        return {
            "surface": surface,
            "kind": "percent",
            "value": value,
            "unit": "percent",
            "key": True,
            "sentence": sentence,
        }

    world = share(
        "over 20%",
        20.0,
        "According to Russia's Federal Agency for Mineral Resources, the country possesses over 20% of the world's "
        "known REE reserves.",
    )
    donbas = share("over 70%", 70.0, "However, over 70% of these resources are concentrated in the Donetsk region.")
    merged = merge_figures([("Seed Wire", "w", [world]), ("Seed News", "n", [donbas])])
    assert len(merged) == 2 and all(f["disagrees"] == [] for f in merged)
    other = share("about 10%", 10.0, "Russia holds about 10% of the world's known rare earth reserves, officials say.")
    merged = merge_figures([("Seed Wire", "w", [world]), ("TASS", "t", [other])])
    assert [d["outlet"] for f in merged for d in f["disagrees"]] == ["TASS", "Seed Wire"]


def test_a_figure_bounded_from_either_side_is_two_figures() -> None:
    """One outlet's "over 20%" and another's "less than 20%" of the same reserves are not one figure shown as "over
    20%" with both as sources (the second never wrote it); "about 20%" merges with either telling."""

    def fig(surface: str, qualifier: str) -> dict:
        sentence = f"Ukraine holds {surface} of the world's lithium reserves."
        return {"surface": surface, "kind": "percent", "value": 20.0, "unit": "percent", "qualifier": qualifier,
                "sentence": sentence, "key": True, "score": 3.0}  # fmt: skip

    merged = merge_figures(
        [("A", "https://a", [fig("over 20%", "over")]), ("B", "https://b", [fig("less than 20%", "less than")])]
    )
    assert sorted((f["surface"], tuple(s["outlet"] for s in f["sources"])) for f in merged) == [
        ("less than 20%", ("B",)),
        ("over 20%", ("A",)),
    ]
    (one,) = merge_figures([("A", "https://a", [fig("over 20%", "over")]), ("C", "https://c", [fig("20%", "")])])
    assert [s["outlet"] for s in one["sources"]] == ["A", "C"]


def test_every_bounding_qualifier_is_one_the_extractor_writes() -> None:
    """A bound the figure scanner never gives as a qualifier could never keep two figures apart."""
    from summarizer.figure_lexicon import _QUALIFIER_BOUNDS, _QUALIFIERS

    assert set(_QUALIFIER_BOUNDS) <= _QUALIFIERS
    assert set(_QUALIFIER_BOUNDS.values()) == {"above", "below"}


def test_every_bounded_qualifier_the_scanner_writes_keeps_two_tellings_apart() -> None:
    """Two outlets' "well over 20%" and "no more than 20%" bound the same share from two sides, as "over" and "less
    than" do: only the commonest bounds were classified before, and these two were merged into one figure."""
    sentence = "Russia holds {} 20% of the world's known rare earth reserves, the agency said."
    pairs = [("well over", "no more than"), ("a minimum of", "as much as"), ("just over", "well under"),
             ("no less than", "a maximum of"), ("no fewer than", "not more than")]  # fmt: skip
    for above, below in pairs:
        told = [(outlet, f"https://{outlet}", [asdict(f) for f in analyze(sentence.format(q)).figures])
                for outlet, q in (("a.example", above), ("b.example", below))]  # fmt: skip
        assert [f["qualifier"] for _, _, figs in told for f in figs] == [above, below]
        merged = merge_figures(told)
        assert sorted(f["surface"] for f in merged) == sorted(f"{q} 20%" for q in (above, below)), (above, below)
    (one,) = merge_figures(
        [(o, f"https://{o}", [asdict(f) for f in analyze(sentence.format(q)).figures])
         for o, q in (("a.example", "well over"), ("b.example", "about"))]
    )  # fmt: skip
    assert [s["outlet"] for s in one["sources"]] == ["a.example", "b.example"]


def test_one_surname_and_initial_shared_by_two_people_is_not_merged() -> None:
    """Joe and Jill Biden share a surname and a first initial: a bare "Biden" or "J. Biden" could be either, so it
    stays as written, and each full name stays its own (the first listed took every quote)."""
    from summarizer.speakers import canonical_speakers

    canon = canonical_speakers([("Jill Biden", None), ("Joe Biden", None), ("Biden", "Biden"), ("J. Biden", None)])
    assert (canon["Biden"], canon["J. Biden"]) == ("Biden", "J. Biden")
    assert (canon["Jill Biden"], canon["Joe Biden"]) == ("Jill Biden", "Joe Biden")
    # one of them alone: the initial and the surname are hers
    alone = canonical_speakers([("Jill Biden", None), ("Biden", "Biden"), ("J. Biden", None)])
    assert alone["Biden"] == alone["J. Biden"] == "Jill Biden"


def test_two_numbers_that_differ_in_a_written_digit_are_two_figures() -> None:
    """41,118 and 41,119 are two tolls, not one credited to both outlets: values were rounded to four significant
    digits before they were compared, which hid the disagreement. 1.2e9 and 1,200,000,000 still agree."""

    def fig(surface: str, value: float) -> dict:
        return {"surface": surface, "kind": "count", "value": value, "unit": None, "qualifier": "",
                "sentence": f"The death toll rose to {surface}, officials said.", "key": True, "score": 3.0}  # fmt: skip

    merged = merge_figures(
        [("Reuters", "https://r", [fig("41,118", 41118)]), ("AP", "https://a", [fig("41,119", 41119)])]
    )
    assert sorted(f["surface"] for f in merged) == ["41,118", "41,119"]
    assert all(f["disagrees"] for f in merged)
    (one,) = merge_figures(
        [("A", "https://a", [fig("1.2bn", 1.2e9)]), ("B", "https://b", [fig("1,200,000,000", 1200000000)])]
    )
    assert [s["outlet"] for s in one["sources"]] == ["A", "B"]


def test_a_later_telling_that_bounds_the_figure_gives_its_words() -> None:
    """Google News' headline "$500 Million" came first, and the merged figure dropped Bloomberg's "more than", with
    the headline (and its "Bloomberg.com") as its sentence."""

    def fig(surface: str, qualifier: str, sentence: str) -> dict:
        return {"surface": surface, "kind": "money", "value": 5e8, "unit": "USD", "qualifier": qualifier,
                "sentence": sentence, "key": True, "score": 2.0}  # fmt: skip

    headline = "US-Backed Group Weighs $500 Million Tanzania Nickel Investment Bloomberg.com"
    body = "The group will invest more than $500 million in the Tanzania nickel project."
    (one,) = merge_figures(
        [("Bloomberg.com", "https://news.google.com/x", [fig("$500 Million", "", headline)]),
         ("Bloomberg", "https://bloomberg.com/a", [fig("more than $500 million", "more than", body)])]
    )  # fmt: skip
    assert (one["surface"], one["sentence"], one["link"]) == ("more than $500 million", body, "https://bloomberg.com/a")
    assert [s["outlet"] for s in one["sources"]] == ["Bloomberg.com", "Bloomberg"]


def test_a_symbol_bounds_a_figure_as_its_words_do() -> None:
    """One outlet's "<$5 million" and another's "over $5 million" are two figures: the symbol was dropped, and the
    first telling's "$5 million" joined the second's, shown as "over $5 million" with both outlets as its sources."""
    told = [
        (o, f"https://{o}", [asdict(f) for f in analyze(text).figures])
        for o, text in (
            ("a.example", "The company said remediation costs were <$5 million, and it would pay them from cash."),
            ("b.example", "The regulator said remediation costs were over $5 million, and the company would pay."),
        )
    ]
    merged = merge_figures(told)
    assert sorted((f["surface"], tuple(s["outlet"] for s in f["sources"])) for f in merged) == [
        ("<$5 million", ("a.example",)),
        ("over $5 million", ("b.example",)),
    ]


def test_a_negative_figure_is_not_its_positive() -> None:
    """One outlet's "-40 degrees" and another's "minus 40 degrees" are one figure, a third's "40 degrees" another, and
    "-5%" is not "5%": the sign was dropped, so the three temperatures were one "40 degrees" with three sources."""
    told = [
        (o, f"https://{o}", [asdict(f) for f in analyze(text).figures])
        for o, text in (
            ("a.example", "Temperatures in Yakutsk reached -40 degrees on Tuesday, forecasters said."),
            ("b.example", "Temperatures in Yakutsk reached minus 40 degrees on Tuesday, forecasters said."),
            ("c.example", "Temperatures in Yakutsk reached 40 degrees on Tuesday, forecasters said."),
            ("d.example", "Shares of the miner fell -5% on Tuesday, traders said."),
            ("e.example", "Shares of the miner rose 5% on Tuesday, traders said."),
        )
    ]
    merged = merge_figures(told)
    assert sorted((f["surface"], f["value"], tuple(s["outlet"] for s in f["sources"])) for f in merged) == [
        ("-40 degrees", -40, ("a.example", "b.example")),
        ("-5%", -5, ("d.example",)),
        ("40 degrees", 40, ("c.example",)),
        ("5%", 5, ("e.example",)),
    ]


def test_one_count_told_with_more_or_fewer_words_is_one_figure() -> None:
    """qa5 07_same_figure_repeated.py: "four Russian operatives" / "four Russians operatives" / "four Russians",
    "20 critical minerals" / "20 minerals", "six luxury properties" / "six New York and Florida properties"."""
    merged = merge_figures(
        (o, f"https://{o.lower()}.example", [asdict(f) for f in analyze(t).figures])
        for o, t in (
            ("The Hill", "The U.S. sanctioned four Russian operatives over the poisoning of Alexei Navalny."),
            ("The Hill", "Officials said four Russians operatives took part in the poisoning of Alexei Navalny."),
            ("ABC News", "The U.S. sanctioned four Russians allegedly involved in the poisoning of Alexei Navalny."),
            ("TOI", "Govt launches auction of 20 critical minerals worth Rs 45,000 crore on Wednesday."),
            ("TOI", "The auction of 20 minerals was launched by the coal and mines minister on Wednesday."),
            ("Bloomberg", "Prosecutors moved to seize six luxury properties owned by oligarch Viktor Vekselberg."),
            ("The Hill", "Prosecutors seek to seize six New York and Florida properties owned by Viktor Vekselberg."),
        )
    )
    assert sorted(f["value"] for f in merged if f["kind"] == "count") == [4.0, 6.0, 20.0], [
        f["surface"] for f in merged
    ]
    counts = {f["value"]: f for f in merged if f["kind"] == "count"}
    assert [s["outlet"] for s in counts[4.0]["sources"]] == ["The Hill", "ABC News"]
    assert [s["outlet"] for s in counts[6.0]["sources"]] == ["Bloomberg", "The Hill"]
    assert counts[20.0]["surface"] == "20 critical minerals"


def test_two_things_counted_alike_stay_two_figures() -> None:
    """ "three firms" and "three tankers" of one sanctions story; "two Russian diplomats" expelled by one side and
    "two American diplomats" by the other."""
    merged = merge_figures(
        (o, f"https://{o.lower()}.example", [asdict(f) for f in analyze(t).figures])
        for o, t in (
            ("Bloomberg", "The US sanctioned three more firms over the Russian oil price cap on Thursday."),
            ("Reuters", "The US sanctioned three oil tankers over the Russian oil price cap on Thursday."),
            ("Bloomberg", "The US expelled two Russian diplomats from the embassy in Washington."),
            ("Japan Today", "Russia expelled two American diplomats from the embassy in Moscow in response."),
        )
    )
    counts = sorted((f["value"], f["surface"]) for f in merged if f["kind"] == "count")
    assert counts == [
        (2.0, "two American diplomats"),
        (2.0, "two Russian diplomats"),
        (3.0, "three more firms"),
        (3.0, "three oil tankers"),
    ]


def test_one_count_in_other_words_is_one_figure() -> None:
    """Synonyms and irregular plurals of a counted noun ("five children" / "five kids", "five crew" / "five crew
    members", "three planes" / "three aircraft"), from the multidoc stories; "100 men" and "100 women" stay two."""
    merged = merge_figures(
        (o, f"https://{o.lower()}.example", [asdict(f) for f in analyze(t).figures])
        for o, t in (
            ("CNN", "Police said five children were taken to hospital after the fire on Sunday."),
            ("Fox", "Police said five kids were taken to hospital after the fire on Sunday."),
            ("CNN", "The Coast Guard rescued five crew from the sinking trawler off Alaska."),
            ("Fox", "The Coast Guard rescued five crew members from the sinking trawler off Alaska."),
            ("CNN", "Russia scrambled three planes to intercept the drone over the Black Sea."),
            ("Fox", "Russia scrambled three aircraft to intercept the drone over the Black Sea."),
            ("CNN", "Organisers said 100 men took part in the march through the capital."),
            ("Fox", "Organisers said 100 women took part in the march through the capital."),
        )
    )
    counts = sorted((f["value"], f["surface"], len(f["sources"])) for f in merged if f["kind"] == "count")
    assert counts == [
        (3.0, "three planes", 2),
        (5.0, "five children", 2),
        (5.0, "five crew", 2),
        (100.0, "100 men", 1),
        (100.0, "100 women", 1),
    ], counts
