"""Word lists that attribution reads: speech verbs, roles, titles, organisation and place words.

The words live in ``summarizer/data/speech_lexicon.txt`` (one ``[section]`` per list); this module builds
the sets the rules use from them, grouped by what the attribution rules ask of a word ("is this a cue
verb?", "can this title stand before a name?"). The lists are general English news vocabulary, not taken
from any article; a word belongs there when the rule it feeds is right for it in most news writing.
"""

from __future__ import annotations

from .wordlists import sections

_L = sections("speech_lexicon")  # the lists themselves: summarizer/data/speech_lexicon.txt


def words(s: str) -> frozenset[str]:
    return frozenset(s.split())


def verb_forms(stems: str) -> frozenset[str]:
    """Inflected forms of regular speech verbs given as 'stem:forms' or plain stems."""
    out: set[str] = set()
    for item in stems.split():
        if ":" in item:
            out.update(item.split(":")[1].split(","))
            continue
        out.add(item)
        out.add(item + "s" if not item.endswith(("s", "sh", "ch")) else item + "es")
        if item.endswith("e"):
            out.update((item + "d", item[:-1] + "ing"))
        else:
            out.update((item + "ed", item + "ing"))
    return frozenset(out)


# Verbs that introduce or attribute speech (all inflections). "found"/"concluded" cover reports.
CUE_VERBS = verb_forms(_L["cue_verbs"])
# A participle cue continues the speaker of its main clause ("Zelenskyy said, adding that ...").
PARTICIPLE_CUES = frozenset(w for w in CUE_VERBS if w.endswith("ing"))
# Cues too weak to attribute a quote by themselves at a distance (they need to stand next to it).
WEAK_CUES = words(_L["weak_cues"])
# Cues that attribute only right after a quote ("…," he continued), never before one.
TRAILING_ONLY = words(_L["trailing_only"])
# Cue forms that are also nouns ("a Facebook comment", "his remarks"): not a cue when carrying over.
NOUN_CUES = words(_L["noun_cues"])
# Verbs after which "by X" names the author ("a report authored by CFHK researchers").
AUTHOR_VERBS = words(_L["author_verbs"])

PRONOUNS = words(_L["pronouns"])
POSSESSIVE_PRONOUNS = words(_L["possessive_pronouns"])
# People described by a common noun: "the teenager said" is the person in focus, like "he".
PERSON_NOUNS = words(_L["person_nouns"])
FEMALE_NOUNS = words(_L["female_nouns"])
# Words that may stand between a speaker and the cue ("Trump has also said", "Putin later told").
AUX = words(_L["aux"])
TIME_WORDS = words(_L["time_words"])
DETERMINERS = words(_L["determiners"])
# Occupations written as titles before a name ("Detective Meghan Aguilar", "Comedian Chris Rock").
OCCUPATIONS = _L["occupations"]
# Singular roles: "the spokesman" resolves to the last person introduced with that role.
ROLES = words(_L["roles"] + " " + OCCUPATIONS)
# Plural groups: anonymous speakers ("analysts said") or the people of an organisation ("the researchers").
GROUPS = frozenset({r + "s" for r in ROLES} | words(_L["groups"]))
# Organisations referred to by a common noun ("the company said", "the ministry added").
# Organisations described by what they are ("the carmaker said", "the agency added"): "the X" is the
# last organisation that spoke or acted. Other organisation nouns ("the union") must match a name.
COMPANY_NOUNS = words(_L["company_nouns"])
ORG_NOUNS = COMPANY_NOUNS | words(_L["org_nouns"])
# Documents speak for whoever issued them ("the report said").
DOC_NOUNS = words(_L["doc_nouns"])
# Capitalised words that end or start an organisation's name.
ORG_HEADS = words(_L["org_heads"])
# Leading capitalised words that are titles, not names ("US President Donald Trump" → "Donald Trump").
TITLES = words(_L["titles"] + " " + OCCUPATIONS)
HONORIFICS = words(_L["honorifics"])
FEMALE_HONORIFICS = words(_L["female_honorifics"])
# Capitalised words that begin a sentence or a clause but never a name.
CAP_STOP = words(_L["cap_stop"]) - HONORIFICS
MONTHS_DAYS = words(_L["months_days"])
# Adjectives of nationality before a title ("Russian President Vladimir Putin").
DEMONYMS = words(_L["demonyms"])
# Places are never speakers' names (a small gazetteer: countries, capitals and regions in the news).
PLACES = words(_L["places"])
# Words that make a place only together with others ("United States", "South Korea", "Hong Kong").
PLACE_PARTS = words(_L["place_parts"])
# Places that own a role and never speak for it ("the Ohio governor"), besides PLACES: read only there.
OWNER_PLACES = words(_L["owner_places"])
PLACE_HEADS = words(_L["place_heads"])

# Small words of titles and names ("Bypassing the Blockade", "Institute for the Study of War").
SMALL_WORDS = words(_L["small_words"])
# Lower-case particles inside personal names ("Abdulaziz bin Salman", "Ursula von der Leyen").
NAME_PARTICLES = words(_L["name_particles"])
# Words that stand between other words of a sentence and never start a clause's verb.
FUNCTION_WORDS = words(_L["function_words"])
# Sentence-final abbreviations that do not end a sentence.
ABBREVIATIONS = words(_L["abbreviations"])
# US state abbreviations ("Pa.", "Calif."): a name's first word after "the", where their period ends no sentence.
STATE_ABBREVIATIONS = words(_L["state_abbreviations"])
# Words that never name a speaker on their own ("Others called it …", "Democratic pollster X" cut short).
NOT_SPEAKERS = words(_L["not_speakers"])
# Verbs whose object is the accused, never the speaker ("accusing Moscow of using him “as a pawn”").
ACCUSATION_VERBS = words(_L["accusation_verbs"])
# Roles held for a place: "the MP for Newcastle Central" is a person, not the organisation "Newcastle Central".
CONSTITUENCY_ROLES = words(_L["constituency_roles"])
# First names that tell a woman or a man, for "she" and "he" when nothing else did (attribution._gender_ok).
FEMALE_FIRST_NAMES = frozenset(_L["female_first_names"].split())
MALE_FIRST_NAMES = frozenset(_L["male_first_names"].split())
# People named by whom they stand for or against ("a critic of Trump"): that one never speaks in their words.
RELATIONAL_ROLES = words(_L["relational_roles"])
# Heads of state and government: "the Kremlin leader" unnamed stays a role, never the last "president" named.
LEADER_ROLES = words(_L["leader_roles"])
# Party words before a name ("Republican Christine Todd Whitman", "Democrat Joe Manchin"): not part of it.
PARTY_WORDS = words(_L["party_words"])
