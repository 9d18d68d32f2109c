"""One name per speaker across a story, and a forgiving speaker search (summarizer.speakers)."""

from __future__ import annotations

import pytest

from summarizer.speakers import canonical_speakers, offices, same_person, speaker_matches, translit


@pytest.mark.parametrize(
    "a, b",
    [
        ("Biden", "Joe Biden"),
        ("President Biden", "Joe Biden"),
        ("Mr Biden", "President Joe Biden"),
        ("Zelensky", "Volodymyr Zelenskyy"),
        ("Volodymyr Zelenskiy", "Volodymyr Zelenskyy"),
        ("Peskow", "Dmitry Peskov"),
        ("Dmitri Peskov", "Dmitry Peskov"),
        ("Donald Trump Jr.", "Donald Trump"),
        ("Sergei Lavrov", "Sergey Lavrov"),
    ],
)
def test_one_person(a: str, b: str) -> None:
    assert same_person(a, b) and same_person(b, a)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Bill Clinton", "Hillary Clinton"),
        ("Vladimir Putin", "Joe Biden"),
        ("Donald Trump", "Melania Trump"),
        (None, "Joe Biden"),
        ("", ""),
    ],
)
def test_two_people(a: str | None, b: str | None) -> None:
    assert not same_person(a, b)


@pytest.mark.parametrize(
    "query, speaker",
    [
        ("putin", "Vladimir Putin"),
        ("zelensky", "Volodymyr Zelenskyy"),
        ("zelenskiy", "Volodymyr Zelenskyy"),
        ("Zelenskyy", "Volodymyr Zelensky"),
        ("peskow", "Dmitry Peskov"),
        ("lavrov", "Sergey Lavrov"),
        ("joe biden", "Joe Biden"),
        ("Sánchez", "Pedro Sanchez"),
        ("o'sullivan", "David O’Sullivan"),
    ],
)
def test_search_finds(query: str, speaker: str) -> None:
    assert speaker_matches(query, speaker)


@pytest.mark.parametrize(
    "query, speaker",
    [("putin", "Pupin"), ("biden", "Vladimir Putin"), ("hillary clinton", "Bill Clinton"), ("putin", None)],
)
def test_search_does_not_find(query: str, speaker: str | None) -> None:
    assert not speaker_matches(query, speaker)


def test_transliterations_share_one_key() -> None:
    assert len({translit(w) for w in ("zelensky", "zelenskyy", "zelenskiy", "zelenskyi")}) == 1
    assert translit("peskow") == translit("peskov")
    assert translit("putin") != translit("pupin")


def test_story_names_each_person_once() -> None:
    names = canonical_speakers(
        [
            ("Biden", None),
            ("Joe Biden", "President Joe Biden"),
            ("President Biden", "President Biden"),
            ("Putin", "Putin"),
            ("Vladimir Putin", "Russian President Vladimir Putin"),
            ("Russian president", "the Russian president"),
            ("Kremlin leader", "the Kremlin leader"),
            ("Dmitry Peskov", "Kremlin spokesman Dmitry Peskov"),
            ("Kremlin spokesman", "the Kremlin spokesman"),
        ]
    )
    assert {names[n] for n in ("Biden", "Joe Biden", "President Biden")} == {"Joe Biden"}
    assert {names[n] for n in ("Putin", "Russian president", "Kremlin leader")} == {"Vladimir Putin"}
    assert names["Kremlin spokesman"] == "Dmitry Peskov"


def test_shared_surname_is_not_merged_and_unnamed_role_stays() -> None:
    names = canonical_speakers(
        [("Clinton", None), ("Bill Clinton", None), ("Hillary Clinton", None), ("Russian president", None)]
    )
    assert names["Clinton"] == "Clinton"
    assert names["Bill Clinton"] == "Bill Clinton" and names["Hillary Clinton"] == "Hillary Clinton"
    assert names["Russian president"] == "Russian president"  # nobody named for the office: stays a role


def test_two_people_for_one_office_resolve_to_neither() -> None:
    names = canonical_speakers(
        [
            ("Joe Biden", "US President Joe Biden"),
            ("Donald Trump", "US President Donald Trump"),
            ("US president", "the US president"),
        ]
    )
    assert names["US president"] == "US president"


def test_offices_named_in_a_text() -> None:
    text = (
        "Russian President Vladimir Putin met White House press secretary Karine Jean-Pierre and Kremlin "
        "spokesman Dmitry Peskov. The president said so. He met President Joe Biden."
    )
    assert offices(text) == [
        ("russian president", "Vladimir Putin"),
        ("white house press secretary", "Karine Jean-Pierre"),
        ("kremlin spokesman", "Dmitry Peskov"),
    ]
