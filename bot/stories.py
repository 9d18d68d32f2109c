"""Story clustering: the same story told by several outlets within a window is one story (pure, no I/O).

API::

    fp = fingerprint(title, lead)  -> Fingerprint            # serialisable: fp.to_json() / Fingerprint.from_json(s)
    index = StoryIndex(window_hours=72, threshold=STORY_THRESHOLD)
    index.load(story_key, item_key, fp, published)           # known items, reloaded from the store at start-up
        # (load, add, add_fingerprint, find and plan take ``hours``: how slowly the item's events are retold, the
        # time decay's 1/e in hours; TIME_DECAY_HOURS unless its topics say otherwise, bot.clustering)
    index.add(item_key, title, lead, published) -> Assignment
    index.add_fingerprint(item_key, fp, published) -> Assignment
    Assignment(story_key, created: bool, similarity, matched_item)
        # created=True: a new story, keyed by this item's key (rename it with index.rename(old, new) once the
        # store has given it an id); created=False: the item joined an existing story — a new outlet joining
        # must not make the story "new" again (the store keeps first_seen; alerts go out on created only).
    index.find(fp, published) -> Assignment | None           # what add would join, without adding
    index.plan([(item_key, fp, published), ...], hours={item_key: h}) -> {item_key: story_key | ("new", first_key)}
        # a whole batch (a poll cycle's items, oldest first): joins as add() would, then the stories the batch
        # started merge by mean link; the index is left as it was (load the items once they are stored)
    index.plan(batch, keep=True)                             # ... or holds the items as planned, under the batch keys:
    index.rename(("new", key), story_id); index.rekey(item_key, new_item_key)   # once they are stored
    index.prune(now) -> int                                  # items older than the window leave the candidates
    index.count(item_key, fp, published)                     # an older item, counted in the document frequencies only

Similarity is the cosine of TF-IDF vectors over word unigrams and bigrams of the title (weighted twice) and the lead,
stop words removed, words lightly stemmed, demonyms, capitals and headline synonyms folded (Russian -> russia, American
/ U.S. -> usa, Tokyo -> japan, frees / released -> free). Document frequencies come from the items in the index and
those of the DF_HOURS before it, so words every story shares ("Russia", "sanctions") weigh little and names
("Gershkovich", "Black Sea") weigh much; when neither title's rarest words occur in the other item, the similarity is
multiplied by ANCHOR_PENALTY (same subject, different event); words tied in rarity count by their chance of being among
the rarest (_Anchors), not by an arbitrary order. An item joins the story of its most similar item published within the
window if that similarity reaches the threshold and its mean similarity to the story's first items reaches JOIN_MEAN of
it (one close telling does not chain a next step in), and a story spans at most one window from its first item (no
endless chaining). An outlet tells an event once: a story holding another item of the item's outlet (Fingerprint.outlet,
bot.clustering.outlet_key) takes it only when it is SAME_OUTLET close to that item, and so does a merge. A batch planned
whole (plan) then merges two stories it started, or one it started into a known one, when the mean similarity over all
their cross pairs reaches MERGE_THRESHOLD: one item at a time, an event's first tellings often start two stories before
its words have any document frequency. There every item is in the index, so a title's anchors are its rarest words that
another item has too (a word of its own can only miss), and two titles that each name someone or somewhere no other item
names are kept apart. An event's first telling left alone is then placed as it would have been had it come last: in the
story of its most similar item, among the stories that began after it.
The thresholds and their measured precision/recall are below.
"""

from __future__ import annotations

import heapq
import json
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Container, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from itertools import pairwise
from typing import Any

# --------------------------------------------------------------------------- quality-tuning constants
# Chosen on ../shared/eval/coverage (GUIDELINES.md's story rules: a reaction or a later development the next day is
# another story), over the gold on-topic items: `bench/coverage.py` (the poll path) and `tests/test_stories.py
# --coverage` (replays in time order and two arrival orders). Each constant says what chose it; the sweeps, the
# one-change-at-a-time rows and what was measured and left out are in docs/CLUSTERING.md. A number not said to be
# today's was measured when its constant was set, with the settings of then (the docs give them).
# Precision first: merging two different stories hides one from the reader, a split costs a duplicate line.
# The poll path with today's settings (5 December, twelfth session; an in-process replay of its items, which gives
# its numbers at 0.14), pairwise P/R and B-cubed F1: 0.14 gives 0.987/0.881 0.950; 0.12 0.854/0.892 0.935; 0.13
# 0.868/0.884 0.935; 0.15 0.991/0.866 0.945; 0.16 0.991/0.840 0.935; 0.18 0.991/0.802 0.920 (the first sweep is in
# the docs). Again in the seventeenth session, pairwise P/R: 0.12 0.855/0.903, 0.13 0.854/0.896, 0.14 0.988/0.892,
# 0.15 0.992/0.877, 0.16 0.991/0.840; 0.14 is also the best F1 against the consensus of two readers of nine fresh sets.
STORY_THRESHOLD = 0.14
DEFAULT_WINDOW_HOURS = 72.0
# An item that only nearly matches a topic (bot.topics.TopicMatcher.partial) joins a story on that topic at this
# similarity, twice the threshold: its words alone did not put it on topic, so the event must be clearly the same.
NEAR_MISS_THRESHOLD = 2 * STORY_THRESHOLD
TITLE_WEIGHT = 2.0  # a title says what the story is; recall at P >= 0.95: weight 1 loses ~2 points, 2-4 are equal
# Only the start of the lead counts (first paragraphs are where outlets agree): 20-60 words score the same, 40 costs
# 28% less CPU than 60 on bench/poll.py. Without the lead, recall drops ~8 points.
LEAD_WORDS = 40
LEAD_TEXT_CHARS = 1000  # an item without a summary: the start of its text is its lead (more than LEAD_WORDS words)
# Two headlines about different events often share the topic's words ("US sanctions Russian oil firms" / "US sanctions
# Russian banks"); the same event shares its distinctive words. When neither title's ANCHORS rarest words occur in the
# other item at all, the similarity is multiplied by ANCHOR_PENALTY (0.5 -> 0.25: the coverage set's recall 0.802 ->
# 0.784 at the same precision, written same-moment traps' precision 0.625 -> 0.714). Words tied in document count at
# the cut are not chosen by the alphabet, as they were until the eleventh session (_Anchors; docs/CLUSTERING.md).
ANCHORS = 2
ANCHOR_PENALTY = 0.25
# Pseudo-documents added to N in the IDF so that a nearly empty index (cold start) still down-weights
# nothing to zero and a word seen once is not infinitely rare: idf = ln((N + IDF_PRIOR) / (df + 1)) + 1.
IDF_PRIOR = 20
# Outlets report one event within hours; a reaction, a later development or an analysis comes a day or more later
# with the same names. A pair's similarity is multiplied by exp(-hours apart / TIME_DECAY_HOURS). Without the decay
# the best F1 was 0.69; 30, 36 and 48 h lose precision (poll path P 0.881, 0.785, 0.755; B-cubed 0.940-0.931).
# A topic may decay more slowly (feeds.yaml's story_decay_hours; the items' ``hours``, a pair at the faster of its
# two): minerals news is retold over days. Rare-earths at 48 h, twenty-third session, poll path, pairwise P/R/F1 and
# B-cubed F1: development 0.984/0.899/0.940 0.955 -> 0.972/0.922/0.946 0.956, thirty sets 0.665/0.499/0.570 0.853 ->
# 0.667/0.506/0.576 0.855; 72 h: development 0.965/0.922/0.943 (docs/CLUSTERING.md).
TIME_DECAY_HOURS = 24.0
# The document frequencies count the items of the last DF_HOURS, not only the window's candidates: in a window of 72
# hours nearly every word is rare, and the running bot, which plans each poll cycle's few items against the stories it
# holds, weighed the words of one day's events as if they were names. The coverage harness plans each era as one
# batch, whose frequencies count the whole era: it is unchanged. Replayed in hourly cycles (each set's kept items, the
# index kept between cycles; /work/notes/fresh18/replay_cycles.py, nineteenth session), pairwise P/R/F1, development
# set / 55 fresh sets: before (the window's stories, the index's items kept two windows) 0.942/0.910/0.926 /
# 0.656/0.570/0.610; the window's items 0.942/0.910/0.926 / 0.646/0.567/0.604; 7 days 0.942/0.910/0.926 /
# 0.664/0.568/0.612; 14 days 0.964/0.899/0.931 / 0.681/0.568/0.619; 30 days 0.964/0.899/0.931 / 0.688/0.567/0.622;
# 60 days 0.940/0.881/0.909 / 0.688/0.560/0.618; 90 days 0.964/0.892/0.926 / 0.692/0.539/0.606. Six-hour cycles,
# before / 30 days: 0.942/0.910/0.926 / 0.677/0.580/0.625 -> 0.964/0.899/0.931 / 0.701/0.575/0.632.
DF_HOURS = 30 * 24.0
# A near miss stays a candidate this long after it was first seen: the telling that puts its event on topic may come
# in a later poll cycle (a wire's "Russia detains a reporter", then a paper's "... US reporter"). Past the decay's day
# the similarity a near miss needs (NEAR_MISS_THRESHOLD) is out of reach for all but a copy.
NEAR_MISS_HOURS = TIME_DECAY_HOURS
# Titles sharing an anchor also count their own overlap, undiluted by the leads: TITLE_ONLY x their IDF-weighted
# cosine (recall 0.784 -> 0.802 at the same precision; 0.8 drops precision to 0.894, so 0.6 keeps a margin).
TITLE_ONLY = 0.6
# Two titles with this many words in common share an anchor whatever their rarest words are: "Putin backs U.S.
# ceasefire idea for Ukraine in principle, but suggests it needs reworking" and "Russia's Putin backs idea of Ukraine
# ceasefire, but voices doubts" share five, each title's two rarest are its own. Twenty-second session, the poll path:
# development 0.984/0.896/0.938 -> 0.984/0.899/0.940, twenty-eight sets 0.653/0.484/0.556 -> 0.654/0.494/0.562; four
# words cost the development set 7 points of precision, six gain nothing there (docs/CLUSTERING.md).
SHARED_TITLE_WORDS = 5
# Two titles that each name a country (bot/data/countries.txt, demonyms and capitals folded) that the other item names
# neither by name nor by a leader (bot/data/leaders.txt: "Putin" names Russia) are one kind of news from two places
# ("U.S. pushes Congo, Rwanda for peace accord and billion-dollar mineral deals" / "What is in the US-Ukraine minerals
# deal?"; "Russia expels six British diplomats" / "Putin warns Russia will be 'at war' with West if Ukraine gets
# long-range missiles"): their similarity is multiplied by PLACES_APART. Twenty-third session, the poll path, pairwise
# P/R/F1 and B-cubed F1: the development set unchanged (0.984/0.899/0.940 0.955); the thirty sets 0.653/0.499/0.566
# 0.850 -> 0.665/0.499/0.570 0.853 (0.5: 0.663/0.499/0.570 0.852), the pairs they join that both readers keep apart
# 131 -> 124, none lost; the development set replayed in hourly cycles 0.957/0.914/0.935 -> 0.976/0.910/0.942, in time
# order and shuffled unchanged. StoryIndex.plan 1.04x CPU (docs/CLUSTERING.md).
PLACES_APART = 0.25
# A second pass over a batch (StoryIndex.plan; bot.clustering plans each poll cycle's items): two stories the batch
# started, or one it started and one already known, become one when the mean time-decayed similarity over all their
# cross pairs reaches MERGE_THRESHOLD, a title's MERGE_ANCHORS rarest words counting as its anchors (a mean over
# several pairs is itself a guard against one shared name). The pass compares items of the index with each other, so
# only words another item has too can anchor (eighteenth session: with a word of its own as an anchor, two tellings
# that each had some were always "apart"; 52 fresh sets 0.585 -> 0.599, the development set 0.937 -> 0.938, the
# running bot's hourly cycles 0.891 -> 0.926 there); and two titles that each name someone or somewhere no other item
# names (Fingerprint.names: companies' announcements in one wire template) stay apart as before. Stories known before
# the batch are never merged with each other: they may have been announced. One item at a time, an event's first
# tellings often start two stories before its words have any document frequency. Poll path without the pass, today's
# settings: 0.991/0.832 0.939 against 0.987/0.881 0.950 (when it was built: MERGE_THRESHOLD 0.12 or 0.16 and two or
# four anchors lost 0.002-0.006 of B-cubed F1; docs/CLUSTERING.md).
MERGE_THRESHOLD = STORY_THRESHOLD
MERGE_ANCHORS = 3
# An item joins the story of its single most similar item only if its mean time-decayed similarity to the story's
# first MERGE_SAMPLE items reaches JOIN_MEAN x the threshold: one close telling does not chain a day's analysis or next
# step into an event it barely shares words with. Development set unchanged at 0.3-0.5 (its stories are told alike);
# the 46 fresh sets pooled 0.695/0.486/0.572 -> 0.724/0.490/0.584 at 0.4, 0.722/0.464/0.565 at 0.5 (docs/CLUSTERING.md).
JOIN_MEAN = 0.4
# The mean link of two stories is taken over their first MERGE_SAMPLE items each, and a join's over its story's
# (JOIN_MEAN). Speed in the merge pass, where it leaves the development set's partition unchanged; in a join it is
# what the item is held to (4 on the fresh sets: precision 0.724 -> 0.742, recall 0.490 -> 0.476; docs/CLUSTERING.md).
MERGE_SAMPLE = 8
# An outlet tells an event once: its second item on a subject is mostly a development, a reaction or an analysis (the
# guideline's other stories), and a story lists one link per outlet, so a second telling of one outlet inside it would
# not be seen. So an item joins, and two stories merge, across another item of its outlet (Fingerprint.outlet) only
# when the two are this close (a rewrite of the same article). Pairwise F1 / B-cubed F1, no rule -> 0.2
# (docs/CLUSTERING.md, twenty-seventh session): development set 0.946/0.956 -> 0.956/0.964; the F sets, drawn in its
# shape, 0.740/0.920 -> 0.754/0.921 (precision 0.853 -> 0.913); G to I 0.651/0.942 -> 0.667/0.949; the busy days of
# the C and D sets, where readers kept several items of one outlet in a story, 0.581/0.854 -> 0.556/0.853.
SAME_OUTLET = 0.2
FINGERPRINT_VERSION = 1
# Speed, not quality (each measured to leave the coverage set's partition unchanged; timings in docs/CLUSTERING.md):
RERANK = 12  # exact scoring of the best RERANK candidates of the inverted index, ranked by cosine with cached norms
# Candidates come from the postings of an item's words, except words in more than COMMON_SHARE of an index of at least
# COMMON_MIN_ITEMS ("rare", "earth", "deal" in a day of rare-earth news: walking them made every lookup quadratic);
# they still count in the exact similarity of the candidates found through the others.
COMMON_SHARE = 0.1
COMMON_MIN_ITEMS = 200
WALK_TERMS = 32  # candidates from the postings of an item's WALK_TERMS heaviest terms (the title's anchors always)
NORM_REFRESH = 0.25  # the cached norms (RERANK's ranking only) refreshed when the index has changed size by this share


def _data_lines(name: str) -> list[str]:
    """The non-comment lines of a word list shipped in bot/data/."""
    text = resources.files("bot").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _data_map(name: str) -> dict[str, str]:
    """A 'word<TAB>folded' list shipped in bot/data/."""
    return dict(line.split("\t", 1) for line in _data_lines(name))


_STOP_WORDS = frozenset(_data_lines("stop_words.txt"))
_DEMONYMS = _data_map("demonyms.txt")  # Russian -> russia, U.S -> usa, Kremlin -> russia
_SYNONYMS = _data_map("synonyms.txt")  # headline paraphrases: stems folded to one (releas -> free)
# A compound whose last part is folded ("cyberespionag"): folded the same, so that it meets the two-word form's bigram
# (Fingerprint.features keys a bigram by its two folded words written together).
_COMPOUND_TAILS = tuple((tail, to) for tail, to in _SYNONYMS.items() if len(tail) >= 4 and tail != to)
# A closed compound's stem -> its open form's bigram key (bot/data/compounds.txt; filled below, once _normalised exists
# to stem the file's words).
_COMPOUNDS: dict[str, str] = {}

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[A-Za-z]+(?:[.'][A-Za-z]+)*\.?")
# Any suffix of one to four words after " - " or " | ": an outlet's name appended by aggregators (" - Reuters",
# " | CNET", " - Bloomberg.com"), and as well any other ("- Zelensky": who said it).
_SHORT_SUFFIX = re.compile(r"\s+[-–—|]\s+(?:[\w.&'’]+\s?){1,4}$")


def _fold(text: str) -> str:
    if text.isascii():  # nothing to decompose, no accent to drop, no curly quote
        return text
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("’", "'").replace("‘", "'")


def _stem(w: str) -> str:
    """A tiny suffix stripper: consistent, not linguistic (released/releases/release -> releas).

    Not the summarizer's Snowball stemmer (summarizer.lexicon): tried in its place on the coverage set
    (bench/coverage.py), Snowball merged fewer tellings of one event: pairwise F1 0.845 against 0.878 with this
    one, B-cubed 0.912 against 0.923. Short headlines want a stemmer that only folds inflections.
    """
    if len(w) <= 3 or w.isdigit():
        return w
    if w.endswith("'s"):
        w = w[:-2]
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("eed"):
        return w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            break
    else:
        if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
            w = w[:-1]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


# A country's own name folds to the word its demonyms fold to: "Ukraine" stems to "ukrain", "Ukrainian" folds to
# "ukraine" (likewise Europe, France, Chile, Palestine), so the two forms of one country meet.
_DEMONYMS.update({_stem(c): c for c in set(_DEMONYMS.values()) if _stem(c) != c and _stem(c) not in _DEMONYMS})


# Outlets spell Russian and Ukrainian names' endings their own ways: Zelenskiy / Zelenskyy / Zelensky,
# Sergei / Sergey, Dmitriy / Dmitrii / Dmitry, Alexei / Alexey; one spelling for each (both sides fold alike).
# Coverage set unchanged (its differently spelled names are mostly in leads); the items corpus streamed 0.720 ->
# 0.724 recall, precision unchanged.
_TRANSLITERATED_ENDING = re.compile(r"(?<=\w{3})(?:iy|yy|ii|ei)$")


def _transliteration(w: str) -> str:
    """A name's ending folded to one spelling (zelenskiy, zelenskyy -> zelensky; sergei -> sergey)."""
    return _TRANSLITERATED_ENDING.sub(lambda m: "ey" if m.group(0) == "ei" else "y", w)


def tokens(text: str, limit: int | None = None) -> list[str]:
    """Content words of a title or lead, normalised for comparison; with ``limit``, only the first ``limit``.

    A lead is read from its start only as far as needed: a prefix of the text that ends at a space holds the same
    first words (no word spans a space, and folding is character by character)."""
    if limit is not None:
        cut = text.rfind(" ", 0, limit * _CHARS_PER_WORD)
        if cut > 0:
            head = _tokens(text[:cut], limit)
            if len(head) == limit:
                return head
    return _tokens(text, limit)


# A prefix of this many characters per word wanted holds them in nearly every lead (stop words included).
_CHARS_PER_WORD = 12


def _tokens(text: str, limit: int | None) -> list[str]:
    out: list[str] = []
    known = _NORMALISED
    for raw in _TOKEN.findall(_fold(text)):
        if len(out) == limit:
            break
        w = known.get(raw)
        if w is None:
            w = _normalise_new(raw)
        if w:
            out.append(w)
    return out


# Each word as written -> its normalised form ("" when it is left out): news text repeats its words, and the rules
# below cost microseconds a word. Cleared when full (a process's memory stays bounded).
_NORMALISED: dict[str, str] = {}
_NORMALISED_MAX = 100_000


def _normalise_new(raw: str) -> str:
    """_normalised of a word not in _NORMALISED yet, remembered there (the callers look it up first, inline)."""
    if len(_NORMALISED) >= _NORMALISED_MAX:
        _NORMALISED.clear()
    w = _NORMALISED[raw] = _normalised(raw)
    return w


def _normalised(raw: str) -> str:
    """One word of a title or lead as tokens() gives it, or "" for a stop word or a single letter."""
    if raw in ("US", "U.S.", "U.S", "USA", "U.S.A."):
        return "usa"
    if raw in ("UK", "U.K.", "U.K"):
        return "uk"
    if len(raw) >= 3 and raw[-1] == "s" and raw[:-1].isupper():
        raw = raw[:-1]  # an acronym's plural ("EVs", "SUVs") is the acronym, as a word's plural is the word
    w = raw.lower().rstrip(".")
    if w[0].isdigit():
        return w.replace(",", "")
    if "'" in w and (w.endswith("n't") or w[: w.index("'")] in _STOP_WORDS):
        return ""  # an auxiliary's negation or a stop word's contraction: "don't", "he's", "they're" ("Putin's" stays)
    w = w.replace("'", "") if not w.endswith("'s") else w
    if w in _DEMONYMS:
        return _DEMONYMS[w]
    if w in _STOP_WORDS or (len(w) == 1 and not w.isdigit()):
        return ""
    w = _stem(_transliteration(w))
    w = _DEMONYMS.get(w, w)
    folded = _SYNONYMS.get(w, _COMPOUNDS.get(w))
    if folded is not None:
        return folded
    for tail, to in _COMPOUND_TAILS:  # "cyberespionage" as "cyber espionage" reads: its bigram "cyber" + "spy"
        if w.endswith(tail) and len(w) - len(tail) >= 3:
            return w[: -len(tail)] + to
    return w


def _compounds() -> dict[str, str]:
    """bot/data/compounds.txt: each closed compound's stem -> its open form's bigram key (ceasefir -> ceasfire)."""
    pairs = (line.split("\t", 1) for line in _data_lines("compounds.txt"))
    return {_normalised(closed): "".join(_normalised(w) for w in open_.split()) for closed, open_ in pairs}


_COMPOUNDS.update(_compounds())  # before any word is normalised and remembered (_NORMALISED)

_COUNTRIES = frozenset(t for line in _data_lines("countries.txt") for t in _tokens(line, None))  # as titles fold them


def _leaders() -> dict[str, tuple[str, ...]]:
    """Each country's leaders (bot/data/leaders.txt), by its word in _COUNTRIES: words an item may name it by."""
    out: dict[str, list[str]] = {}
    for leader, country in _data_map("leaders.txt").items():
        out.setdefault(_tokens(country, None)[0], []).extend(_tokens(leader, None))
    return {c: tuple(dict.fromkeys(w)) for c, w in out.items()}


_LEADERS = _leaders()


# A newsletter's name as an item's whole title ("Wednesday Briefing", "Your Thursday Briefing"): a digest of the day's
# events, whose summary names them ("A Putin-Trump call about Ukraine."). It reports no one event as its main news:
# ten of the eleven slices of the fresh sets of 5 December that hold one label it a story of its own.
_NEWSLETTER_NAME = re.compile(
    r"\s*(?:your\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|morning|evening)\s+briefing\s*",
    re.IGNORECASE,
)


def is_newsletter_name(title: str | None) -> bool:
    """Whether a title is only a newsletter's name ("Wednesday Briefing"), no headline."""
    return title is not None and _NEWSLETTER_NAME.fullmatch(title) is not None


# Two headlines in one title, the second after "And,": a newsletter's or a podcast's day ("U.S. allows Ukraine to use
# long-range weapons in Russia. And, Trump's fentanyl plan", NPR's Up First). Like a newsletter's name it reports no
# one event as its main news: both such on-topic items of the labelled sets are stories of their own by their readers,
# and each joined an event's tellings (docs/CLUSTERING.md, twenty-sixth session).
_SECOND_HEADLINE = re.compile(r"[.?!]['\"’”]?\s+And,\s+\S")


def is_two_headlines(title: str | None) -> bool:
    """Whether a title holds two headlines, the second after "And," ("... in Russia. And, Trump's fentanyl plan")."""
    return title is not None and _SECOND_HEADLINE.search(title) is not None


# A headline that asks a yes-or-no question ("Can the US and Ukraine reach a minerals deal?", "Will Trump fall into
# Putin's trap?", after a kicker such as "Analysis:") is an analysis, which the guideline keeps apart from the event it
# weighs. Over the fresh sets' readers, 15 of the 19 on-topic such items are stories of their own, and of the 9 sets
# read twice, the second reader joined 2 of 21. The 44 fresh sets' pairwise P/R/F1 0.680/0.483/0.565 -> 0.695/0.480/0.568,
# the development set has none (docs/CLUSTERING.md). Not a "what" or "who" question: "What we know", "Who is Marc
# Fogel?" are the explainers that join their event.
_YES_NO_QUESTION = re.compile(
    r"(?:[^:?]{1,40}:\s+)?(?:is|are|was|were|can|could|will|would|should|shall|does|do|did|has|have|had|may|might|must)"
    r"\s[^?]*\?[\s\"'’”]*",
    re.IGNORECASE,
)


def is_question_headline(title: str | None) -> bool:
    """Whether a title asks a yes-or-no question (an analysis piece), e.g. "Can Trump end the war in a day?"."""
    return title is not None and _YES_NO_QUESTION.fullmatch(title_without_short_suffix(title)) is not None


def title_without_short_suffix(title: str) -> str:
    """The title without any short " - X" or " | X" suffix (one to four words), for fingerprints only: an outlet's
    name or a speaker's adds words that are not what happened. Display and relevance read summarizer.furniture's
    clean_title, which keeps a suffix that names no outlet; clustering's numbers (issue 8) were measured with this."""
    return _SHORT_SUFFIX.sub("", title.strip()) if " - " in title or " | " in title else title.strip()


# --------------------------------------------------------------------------- fingerprints


@dataclass(frozen=True)
class Fingerprint:
    """What clustering knows of an item: its normalised title and lead words, and which title words are written as
    names (JSON-serialisable)."""

    title: tuple[str, ...]
    lead: tuple[str, ...] = ()
    version: int = FINGERPRINT_VERSION
    names: tuple[str, ...] = ()  # title words capitalised inside a sentence (_names): people, places, companies
    outlet: str | None = None  # who told it (bot.clustering.outlet_key): not a word, see SAME_OUTLET

    def features(self) -> dict[str, float]:
        """Term weights before IDF: unigrams and bigrams, title words counted TITLE_WEIGHT times.

        A bigram is keyed by its two words written together, so one outlet's compound meets another's two words:
        "ExxonMobil" / "Exxon Mobil", "cyberespionage" / "cyber espionage" (coverage set: pairwise recall 0.847 ->
        0.854 at the same precision, the items corpus streamed 0.715 -> 0.720; the labelled pairs unchanged)."""
        tf: dict[str, float] = defaultdict(float)
        for words, weight in ((self.title, TITLE_WEIGHT), (self.lead, 1.0)):
            for w in words:
                tf[w] += weight
            for a, b in pairwise(words):
                tf[a + b] += weight
        return {k: 1.0 + math.log(v) if v > 1 else v for k, v in tf.items()}

    def to_json(self) -> str:
        """Compact JSON for the store."""
        data: dict[str, Any] = {"v": self.version, "t": list(self.title), "l": list(self.lead), "n": list(self.names)}
        if self.outlet is not None:
            data["o"] = self.outlet
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str | bytes) -> Fingerprint:
        """Rebuild from to_json(); ValueError when it is from another version (re-fingerprint the item)."""
        obj = json.loads(data)
        if not isinstance(obj, dict) or obj.get("v") != FINGERPRINT_VERSION:
            raise ValueError(f"fingerprint version {obj.get('v') if isinstance(obj, dict) else None!r} is stale")
        # (stored before names or outlets were kept: none, which only spares the merge pass's names check and
        # SAME_OUTLET's)
        outlet = obj.get("o")
        return cls(
            title=tuple(obj["t"]),
            lead=tuple(obj["l"]),
            version=FINGERPRINT_VERSION,
            names=tuple(obj.get("n", ())),
            outlet=outlet if isinstance(outlet, str) else None,
        )


def fingerprint(title: str | None, lead: str | None = None) -> Fingerprint:
    """The fingerprint of an item from its title and lead (feed summary or first paragraph); empty for a newsletter
    (is_newsletter_name, is_two_headlines), a digest of several events, and for a yes-or-no question
    (is_question_headline), an analysis: they join no story, and no story joins them."""
    if is_newsletter_name(title) or is_two_headlines(title) or is_question_headline(title):
        return Fingerprint(title=())
    cleaned = title_without_short_suffix(title or "")
    t = tokens(cleaned)
    lead_words = tokens(lead or "", LEAD_WORDS)
    # Aggregators (Google News) repeat the title as the summary: that is no extra evidence.
    if lead_words[: len(t)] == t:
        lead_words = lead_words[len(t) :]
    return Fingerprint(title=tuple(t), lead=tuple(lead_words), names=_names(cleaned, lead or "", set(t)))


# How much of a lead is read for the names its title words are written as (its first sentences).
_NAMES_LEAD_CHARS = 400


def _names(title: str, lead: str, words: set[str]) -> tuple[str, ...]:
    """The title ``words`` written capitalised inside a sentence, where a common word is not: in the lead's first
    sentences, or in the title itself when it is written in sentence case (fewer than half its words capitalised;
    a title in title case capitalises every word). A sentence's first word says nothing, nor does the word after an
    abbreviation ("Gen. Mark Milley"), which reads as a sentence's start."""
    found: set[str] = set()
    known = _NORMALISED

    def read(text: str) -> None:
        starts = True
        for raw in _TOKEN.findall(_fold(text)):
            if not starts and raw[0].isupper():
                w = known.get(raw)
                if w is None:
                    w = _normalise_new(raw)
                if w in words:
                    found.add(w)
            starts = raw[-1] == "." and len(raw) > 2

    read(lead[:_NAMES_LEAD_CHARS])
    raws = _TOKEN.findall(_fold(title))
    if 2 * sum(r[0].isupper() for r in raws) < len(raws):
        read(title)
    return tuple(sorted(found))


def item_lead(summary: str | None, text: str | None) -> str:
    """What a stored item's fingerprint reads besides its title: the feed's summary, else its text's start."""
    return summary or (text or "")[:LEAD_TEXT_CHARS]


# --------------------------------------------------------------------------- index


@dataclass(frozen=True)
class Assignment:
    """Where an item went: a new story (created) or an existing one, and how similar its best match was."""

    story_key: Hashable
    created: bool
    similarity: float = 0.0
    matched_item: Hashable | None = None


@dataclass
class _Item:
    story: Hashable
    published: datetime
    tf: dict[str, float] = field(default_factory=dict)
    title: frozenset[str] = frozenset()
    ids: Any = None  # tf's terms as _Vectors ids (a numpy array, tf's order)
    values: Any = None  # tf's values, in the same order
    anchorable: tuple[str, ...] = ()  # the title words that can anchor (_can_anchor)
    anchorable_ids: Any = None  # their _Vectors ids (a numpy array, the same order)
    slot: int = -1  # the item's number in the index's postings (StoryIndex._keys)
    names: tuple[str, ...] = ()  # Fingerprint.names
    hours: float = TIME_DECAY_HOURS  # its time decay's 1/e (_decay)
    outlet: str | None = None  # Fingerprint.outlet


def _idf_of(items: int, df: Any, log: Callable[[Any], Any] = math.log) -> Any:
    """IDF = ln((N + IDF_PRIOR) / (df + 1)) + 1 of an index of ``items`` items; ``df`` a count or (with numpy's log)
    an array of counts."""
    return log((items + IDF_PRIOR) / (df + 1)) + 1.0


class _Vectors:
    """The index's terms by number and their document frequencies (the index's only count of them) as an array, so
    that a lookup weighs its RERANK candidates and takes their cosines with the new item in a few numpy calls instead
    of a Python loop over every candidate's terms. A term keeps its number while an item in the index has it; freed
    numbers are reused."""

    def __init__(self) -> None:
        import numpy  # only the index uses it: the worker processes import this module for fingerprint()

        self.np = numpy
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []  # number -> its term (a freed number keeps its last term until given out again)
        self.free: list[int] = []
        self.df = numpy.zeros(1024)
        self.query = numpy.zeros(1024)  # scratch: a lookup's weights by term number, all zero between lookups

    def add(self, tf: Mapping[str, float]) -> tuple[Any, Any]:
        """Count an item's terms in; their numbers and values as arrays (tf's order)."""
        return self.count_in(tf), self.np.fromiter(tf.values(), dtype=float, count=len(tf))

    def count_in(self, terms: Iterable[str]) -> Any:
        """Count an item's terms in; their numbers as an array (the terms' order)."""
        np, ids = self.np, self.ids
        numbers = []
        for term in terms:
            i = ids.get(term)
            if i is None:
                if self.free:
                    i = self.free.pop()
                    self.terms[i] = term
                else:
                    i = len(self.terms)
                    self.terms.append(term)
                ids[term] = i
                if i >= len(self.df):
                    self.df = _grown(np, self.df, i)
                    self.query = np.zeros(len(self.df))
            numbers.append(i)
        at = np.array(numbers, dtype=np.intp)
        self.df[at] += 1.0
        return at

    def numbers(self, terms: Sequence[str]) -> Any:
        """The numbers of terms in the index, as an array."""
        return self.np.array([self.ids[t] for t in terms], dtype=self.np.intp)

    def counts(self, numbers: Any) -> list[float]:
        """How many items of the index have each numbered term."""
        return self.df[numbers].tolist()

    def idfs(self, terms: Iterable[str], size: int) -> dict[str, float]:
        """_idf_of each term under an index of ``size`` items, the counts gathered at once."""
        known = [(t, self.ids.get(t)) for t in terms]
        numbers = [i for _, i in known if i is not None]
        counts = iter(self.df[numbers].tolist() if numbers else ())
        return {t: _idf_of(size, next(counts) if i is not None else 0.0) for t, i in known}

    def count(self, term: str) -> float:
        """How many items of the index have ``term``."""
        i = self.ids.get(term)
        return 0.0 if i is None else self.df.item(i)

    def remove(self, at: Any) -> None:
        """Count an item's terms out (``at``: their numbers, from add or count_in)."""
        self.df[at] -= 1.0
        for i in at.tolist():
            if self.df[i] <= 0:
                del self.ids[self.terms[i]]
                self.free.append(i)

    def lengths(self, items: Sequence[_Item], size: int) -> list[float]:
        """The length of each item's TF-IDF vector under the index's IDF (``size`` items); 1 for an empty one."""
        out = [1.0] * len(items)
        full = [n for n, item in enumerate(items) if len(item.ids)]
        if full:
            w, _, starts = self._weighed([items[n] for n in full], size)
            for n, length in zip(full, self._lengths(w, starts), strict=True):
                out[n] = length or 1.0
        return out

    def cosines(self, weights: _Weights, candidates: Sequence[_Item], size: int) -> list[float]:
        """StoryIndex._cosine of the weights with each candidate's TF-IDF vector under the index's IDF (``size``
        items), the candidate side weighed here. Equal to the Python form up to rounding (sums in another order)."""
        np, query = self.np, self.query
        out = [0.0] * len(candidates)
        full = [n for n, c in enumerate(candidates) if len(c.ids)]
        known = [(i, w) for i, w in ((self.ids.get(t), w) for t, w in weights.items()) if i is not None]
        if not full or not known:
            return out
        q_ids = np.array([i for i, _ in known], dtype=np.intp)
        query[q_ids] = [w for _, w in known]
        try:
            w, at, starts = self._weighed([candidates[n] for n in full], size)
            dots = np.add.reduceat(w * query[at], starts).tolist()
        finally:
            query[q_ids] = 0.0
        q_length = _length(weights)
        for n, dot, length in zip(full, dots, self._lengths(w, starts), strict=True):
            out[n] = dot / (q_length * length) if dot != 0 else 0.0
        return out

    def _weighed(self, items: Sequence[_Item], size: int) -> tuple[Any, Any, Any]:
        """The non-empty items' TF-IDF weights end to end, their term numbers, and where each item starts."""
        np = self.np
        at = np.concatenate([item.ids for item in items])
        values = np.concatenate([item.values for item in items])
        starts = np.cumsum([0] + [len(item.ids) for item in items[:-1]])
        return values * _idf_of(size, self.df[at], np.log), at, starts

    def _lengths(self, weights: Any, starts: Any) -> list[float]:
        """The length of each item's stretch of ``weights`` (from _weighed)."""
        return self.np.sqrt(self.np.add.reduceat(weights * weights, starts)).tolist()


def _grown(np: Any, array: Any, index: int) -> Any:
    """A numpy array of floats long enough to hold ``index``: ``array`` itself, or it doubled in length (zeros added)
    as often as it takes (``np``: numpy, as _Vectors imported it)."""
    if index < len(array):
        return array
    size = len(array)
    while index >= size:
        size *= 2
    return np.concatenate([array, np.zeros(size - len(array))])


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


class StoryIndex:
    """Recent items and their stories; assigns each new item to a story (not thread-safe; one per poller).

    Scoring is an inverted index: a new item's dot products are accumulated over the postings of its
    terms, the best RERANK candidates (by cosine with cached norms) are then scored exactly, in numpy (_Vectors).
    Norms are refreshed when the index has grown or shrunk by NORM_REFRESH since they were computed.
    """

    def __init__(self, window_hours: float = DEFAULT_WINDOW_HOURS, threshold: float = STORY_THRESHOLD):
        if window_hours <= 0 or not 0 < threshold <= 1:
            raise ValueError("window_hours must be > 0 and threshold in (0, 1]")
        self.window = timedelta(hours=window_hours)
        self.threshold = threshold
        self._items: dict[Hashable, _Item] = {}
        self._first: dict[Hashable, datetime] = {}  # story -> its earliest item: a story spans one window
        self._members: dict[Hashable, set[Hashable]] = defaultdict(set)  # story -> its items' keys
        self._vectors = _Vectors()
        # Items older than the window's candidates, counted in the document frequencies until DF_HOURS have passed:
        # key -> (published, its terms' numbers in _vectors).
        self._counted: dict[Hashable, tuple[datetime, Any]] = {}
        # Items are numbered in the order they were loaded (slots; numbers freed by removal are given out again only
        # when the slots are compacted, in the same order): a term's postings map slots to its values, so a lookup
        # gathers them into arrays in C and sums them with numpy (_dot_products).
        self._keys: list[Hashable | None] = []  # slot -> item key (None: removed)
        self._postings: dict[str, dict[int, float]] = defaultdict(dict)
        self._norms = self._vectors.np.zeros(1024)  # slot -> its item's TF-IDF length (cached, see _refresh_norms)
        self._norms_at = 0  # index size when the norms were last refreshed

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item_key: object) -> bool:
        return item_key in self._items

    def story_of(self, item_key: Hashable) -> Hashable | None:
        """The story an item belongs to, if it is in the index."""
        item = self._items.get(item_key)
        return item.story if item else None

    def stories(self) -> dict[Hashable, list[Hashable]]:
        """Story key -> its item keys (in the index)."""
        out: dict[Hashable, list[Hashable]] = defaultdict(list)
        for key, item in self._items.items():
            out[item.story].append(key)
        return dict(out)

    def load(
        self,
        story_key: Hashable,
        item_key: Hashable,
        fp: Fingerprint,
        published: datetime,
        hours: float = TIME_DECAY_HOURS,
    ) -> None:
        """Put a known item of a known story in the index (start-up reload from the store)."""
        self._load(story_key, item_key, fp.features(), frozenset(fp.title), _utc(published), fp.names, hours, fp.outlet)

    def count(self, item_key: Hashable, fp: Fingerprint, published: datetime) -> None:
        """Count an item in the document frequencies only (start-up reload of the stories the window has left,
        DF_HOURS back): it tells the IDF which words are common and is never a candidate. A key already in the index
        or counted is left as it is."""
        if item_key not in self._items and item_key not in self._counted:
            self._counted[item_key] = (_utc(published), self._vectors.count_in(fp.features()))

    def _load(
        self,
        story_key: Hashable,
        item_key: Hashable,
        tf: dict[str, float],
        title: frozenset[str],
        when: datetime,
        names: tuple[str, ...] = (),
        hours: float = TIME_DECAY_HOURS,
        outlet: str | None = None,
    ) -> None:
        if item_key in self._items:
            self._remove(item_key)
        self._uncount(item_key)  # an item counted only, now a candidate again (its story was updated)
        ids, values = self._vectors.add(tf)
        anchorable = tuple(t for t in title if _can_anchor(t))
        anchorable_ids = self._vectors.numbers(anchorable)
        slot = len(self._keys)
        self._keys.append(item_key)
        item = self._items[item_key] = _Item(
            story_key, when, tf, title, ids, values, anchorable, anchorable_ids, slot, names, hours, outlet
        )
        self._members[story_key].add(item_key)
        if story_key not in self._first or when < self._first[story_key]:
            self._first[story_key] = when
        for term, value in tf.items():
            self._postings[term][slot] = value
        self._norms = _grown(self._vectors.np, self._norms, slot)
        self._norms[slot] = self._vectors.lengths([item], self._documents())[0]

    def find(self, fp: Fingerprint, published: datetime, hours: float = TIME_DECAY_HOURS) -> Assignment | None:
        """The story the item would join (similarity >= threshold within the window), or None."""
        found = self._joins(fp.features(), frozenset(fp.title), _utc(published), hours, fp.outlet)
        if found is None:
            return None
        best, best_key = found
        return Assignment(self._items[best_key].story, False, round(best, 4), best_key)

    def _joins(
        self,
        tf: Mapping[str, float],
        title: frozenset[str],
        when: datetime,
        hours: float = TIME_DECAY_HOURS,
        outlet: str | None = None,
    ) -> tuple[float, Hashable] | None:
        """The item's best match if it reaches the threshold and the item is close enough to that match's story as a
        whole (JOIN_MEAN) (similarity, item key), else None: find() and plan(). Stories holding another telling of
        its ``outlet`` that it is not SAME_OUTLET close to are no candidates."""
        self._refresh_norms()
        idf_of = self._idf_memo(tf)  # document frequencies do not change during one lookup
        weights = _Weights({t: v * idf_of(t) for t, v in tf.items()})  # its length, once for every candidate
        query = _Query(tf, title, when, idf_of, weights, self._anchors(title), hours)
        scored = self._candidates(query)
        if outlet is not None and scored:
            allowed: dict[Hashable, bool] = {}  # story -> whether this item may join it
            for key in scored:
                story = self._items[key].story
                if story not in allowed:
                    own = [k for k in self._members[story] if self._items[k].outlet == outlet]
                    unscored = self._similarities(query, [self._items[k] for k in own if k not in scored])
                    allowed[story] = all(
                        sim >= SAME_OUTLET for sim in [*(scored[k] for k in own if k in scored), *unscored]
                    )
            scored = {key: sim for key, sim in scored.items() if allowed[self._items[key].story]}
        if not scored:
            return None
        best_key = max(scored, key=scored.__getitem__)  # the first of equals: candidates come best first
        best = scored[best_key]
        if best < self.threshold:
            return None
        sample = self._sample(self._members[self._items[best_key].story])
        need = JOIN_MEAN * self.threshold * len(sample)
        links = sum(scored.get(key, 0.0) for key in sample)  # the candidates already scored, then the rest if needed
        if links < need:
            rest = [self._items[key] for key in sample if key not in scored]
            links += sum(self._similarities(query, rest))
        return (best, best_key) if links >= need else None

    def _oldest_first(self, key: Hashable) -> tuple[datetime, str]:
        return self._items[key].published, str(key)

    def _sample(self, members: Iterable[Hashable]) -> list[Hashable]:
        """A story's first MERGE_SAMPLE items, oldest first: they stand for it in a join's and a merge's mean link."""
        return heapq.nsmallest(MERGE_SAMPLE, members, key=self._oldest_first)

    def add(
        self,
        item_key: Hashable,
        title: str | None,
        lead: str | None,
        published: datetime,
        hours: float = TIME_DECAY_HOURS,
    ) -> Assignment:
        """Assign an item to a story, creating one (keyed by item_key) when nothing close is in the window."""
        return self.add_fingerprint(item_key, fingerprint(title, lead), published, hours)

    def add_fingerprint(
        self, item_key: Hashable, fp: Fingerprint, published: datetime, hours: float = TIME_DECAY_HOURS
    ) -> Assignment:
        """add() for an item whose fingerprint is already computed."""
        if item_key in self._items:  # seen before (re-polled feed): where it already is
            return Assignment(self._items[item_key].story, False, 1.0, item_key)
        found = self.find(fp, published, hours)
        if found is not None:
            self.load(found.story_key, item_key, fp, published, hours)
            return found
        self.load(item_key, item_key, fp, published, hours)
        return Assignment(item_key, True)

    def plan(
        self,
        batch: Sequence[tuple[Hashable, Fingerprint, datetime]],
        keep: bool = False,
        hours: Mapping[Hashable, float] | None = None,
    ) -> dict[Hashable, Hashable]:
        """Where each item of a batch (given oldest first) goes: the key of a story in the index, or ``("new", key)``
        with the key of the batch item that starts a new story. Items join as add() would; then stories the batch
        started merge by mean link (MERGE_THRESHOLD), and an item still alone joins a story that began after it, as
        it would have coming last (_merge). The index is left as it was (load the items as they are
        stored), or with ``keep`` holds them as planned: each under its batch key, in the story the answer names
        (rename a new story and rekey its items once they are stored, rather than loading them again).

        Inside, a batch item is known by its place in the batch, not by its key: ties (items published at the same
        moment) are broken by that place, so the answer does not depend on the keys (a store's ids, which follow
        the order in which feeds answered)."""
        placed: dict[Hashable, _Planned] = {}  # key -> its planning key (its place in the batch)
        started: dict[_Planned, Hashable] = {}  # planning key -> the story it joined, or _Started(place); in the index
        known: dict[Hashable, Hashable] = {}
        new: set[Hashable] = set()
        starts: dict[Hashable, datetime] = {}  # known stories' starts before the batch joined them (kept or restored)
        kept = False
        try:
            for place, (key, fp, published) in enumerate(batch):
                if key in placed:
                    continue
                if key in self._items:  # already in the index (a re-polled item): where it is, as add() answers
                    known[key] = self._items[key].story
                    continue
                tf, title, when = fp.features(), frozenset(fp.title), _utc(published)
                decay = (hours or {}).get(key, TIME_DECAY_HOURS)
                found = self._joins(tf, title, when, decay, fp.outlet)
                story: Hashable = self._items[found[1]].story if found is not None else _Started(place)
                if found is None:
                    new.add(story)
                planned = placed[key] = _Planned(place)
                if found is not None and not isinstance(story, _Started) and story not in starts:
                    starts[story] = self._first[story]
                self._load(story, planned, tf, title, when, fp.names, decay, fp.outlet)
                started[planned] = story  # once in the index: the cleanup below takes out what went in
            root = self._merge(set(new))

            def named(story: Hashable) -> Hashable:  # a story the batch started: ("new", its first item's key)
                return ("new", batch[story.place][0]) if isinstance(story, _Started) else story

            planned_stories = {key: named(root.get(started[p], started[p])) for key, p in placed.items()}
            if keep:
                for key, p in placed.items():
                    self._move(p, key, planned_stories[key])
                kept = True
        finally:
            if not kept:
                for planned in started:
                    self._remove(planned)
                self._first.update(starts)  # an earlier batch item moved a known story's start back
            for story in new:
                self._first.pop(story, None)
        return known | planned_stories

    def rekey(self, old_item_key: Hashable, new_item_key: Hashable) -> None:
        """Give an item in the index another key (an item already under that key is replaced, as load() does)."""
        self._move(old_item_key, new_item_key, self._items[old_item_key].story)

    def _move(self, old_item_key: Hashable, new_item_key: Hashable, story_key: Hashable) -> None:
        """An item under another key, in the story ``story_key``; nothing recomputed (its slot and postings stay)."""
        if new_item_key != old_item_key and new_item_key in self._items:
            self._remove(new_item_key)
        item = self._items.pop(old_item_key)
        self._items[new_item_key] = item
        self._keys[item.slot] = new_item_key
        self._leave(item.story, old_item_key)
        self._members[story_key].add(new_item_key)
        item.story = story_key
        if story_key not in self._first or item.published < self._first[story_key]:
            self._first[story_key] = item.published

    def _merge(self, new: set[Hashable]) -> dict[Hashable, Hashable]:
        """Mean-link merging of the batch's new stories (with each other or into a known story), then its lone items
        placed as if they had come last: story -> survivor."""
        self._refresh_norms()
        idf_of = self._idf_memo()  # document frequencies do not change during the pass
        items, size = self._items, self._documents()
        anchor_sets: dict[tuple[Hashable, int], _Anchors] = {}
        weights: dict[Hashable, _Weights] = {}

        def anchors(key: Hashable, count: int) -> _Anchors:  # each item's, once per count
            got = anchor_sets.get((key, count))
            if got is None:
                got = anchor_sets[(key, count)] = self._item_anchors(items[key], count, shared=True)
            return got

        def weights_of(key: Hashable) -> _Weights:  # each item's TF-IDF weights, once for the pass
            got = weights.get(key)
            if got is None:
                got = weights[key] = _Weights({t: v * idf_of(t) for t, v in items[key].tf.items()})
            return got

        sims: dict[tuple[Hashable, Hashable, int], float] = {}
        named: dict[Hashable, bool] = {}

        def own_name(key: Hashable) -> bool:  # a title name no other item has (of the index, or counted only)
            got = named.get(key)
            if got is None:
                got = named[key] = any(self._vectors.count(t) <= 1 for t in items[key].names)
            return got

        def pairs(a: Hashable, others: Sequence[Hashable], count: int = MERGE_ANCHORS) -> list[float]:
            """The time-decayed similarity of item a with each of others (cosines of those not yet known at once)."""
            todo = [b for b in others if (a, b, count) not in sims]
            if todo:
                x = items[a]
                ys = [items[b] for b in todo]
                for b, y, cosine in zip(todo, ys, self._vectors.cosines(weights_of(a), ys, size), strict=True):
                    if own_name(a) and own_name(b):  # each names someone or somewhere no other item does
                        got = cosine * ANCHOR_PENALTY
                    else:
                        got = self._anchored(
                            cosine, x.tf, x.title, y.tf, y.title, idf_of, anchors(a, count), count, anchors(b, count)
                        )
                    sims[(a, b, count)] = sims[(b, a, count)] = got * _decay(x, y)
            return [sims[(a, b, count)] for b in others]

        # The pass's own copy: its merges move members between stories that the index keeps until plan() names them.
        members: dict[Hashable, list[Hashable]] = defaultdict(list, {s: list(k) for s, k in self._members.items()})

        # Each new story's sample looks for partner stories (the items its mean link reads), oldest first.
        linked: dict[Hashable, set[Hashable]] = defaultdict(set)
        for key in sorted((k for story in new for k in self._sample(members[story])), key=self._oldest_first):
            story = self._items[key].story
            for other in self._neighbours(key, idf_of, weights_of(key), anchors(key, ANCHORS), pairs):
                linked[story].add(self._items[other].story)
                linked[self._items[other].story].add(story)
        if not linked:
            return {}

        def within_window(s: Hashable, t: Hashable) -> bool:  # as one story, they would span at most the window
            times = [self._items[k].published for k in (*members[s], *members[t])]
            return max(times) - min(times) <= self.window

        def one_outlet_apart(s: Hashable, t: Hashable) -> bool:  # two tellings of one outlet, not SAME_OUTLET close
            by_outlet: dict[str | None, list[Hashable]] = defaultdict(list)
            for k in members[s]:
                if items[k].outlet is not None:
                    by_outlet[items[k].outlet].append(k)
            return any(
                sim < SAME_OUTLET
                for k in members[t]
                if items[k].outlet in by_outlet
                for sim in pairs(k, by_outlet[items[k].outlet])
            )

        def mean_link(s: Hashable, t: Hashable) -> float:
            if not within_window(s, t) or one_outlet_apart(s, t):
                return 0.0
            a, b = self._sample(members[s]), self._sample(members[t])
            # Two lone items are one pair, not a mean: they merge only as they would have joined (two anchors).
            count = MERGE_ANCHORS if len(a) * len(b) > 1 else ANCHORS
            return sum(sim for x in a for sim in pairs(x, b, count)) / (len(a) * len(b))

        def first(s: Hashable) -> tuple[datetime, str]:
            return min(self._items[k].published for k in members[s]), str(s)

        scores: dict[tuple[Hashable, Hashable], float] = {}
        for s, others in linked.items():
            for t in others:
                if (s in new or t in new) and (t, s) not in scores:
                    scores[(s, t)] = mean_link(s, t)
        root: dict[Hashable, Hashable] = {}

        def join(s: Hashable, t: Hashable) -> tuple[Hashable, Hashable]:
            """Stories s and t become one (a known story survives; of two new ones, the one that started first):
            (the survivor, the story merged into it)."""
            if t not in new or (s in new and first(t) < first(s)):
                s, t = t, s
            members[s].extend(members.pop(t))
            root[t] = s
            for old, survivor in root.items():
                if survivor == t:
                    root[old] = s
            new.discard(t)
            partners = (linked.pop(t) | linked[s]) - {s, t}
            linked[s] = partners
            for o in partners:
                linked[o].discard(t)
                linked[o].add(s)
            return s, t

        while scores:
            (s, t), m = max(scores.items(), key=lambda kv: (kv[1], sorted((str(kv[0][0]), str(kv[0][1])))))
            if m < MERGE_THRESHOLD:
                break
            s, t = join(s, t)
            scores = {k: v for k, v in scores.items() if s not in k and t not in k}
            for o in linked[s]:
                if s in new or o in new:
                    scores[(s, o)] = mean_link(s, o)
        # An event's first telling, published before any other, had no story to join; afterwards the mean over the
        # story its later tellings made holds it to more than a late teller, who joins the story of its single most
        # similar item. So a story of one item the batch started joins a story that started after it as it would
        # have coming last: when its most similar item there reaches the threshold. A title's MERGE_ANCHORS rarest
        # words count as its anchors, as in the mean link, not the two of joining: measured, the first telling then
        # finds a story whose later tellings name the event by its third rarest word, and no wrong pair more on the
        # development set (0.987/0.881 -> 0.988/0.892; the 46 fresh sets 0.695/0.480 -> 0.695/0.486;
        # docs/CLUSTERING.md).
        # Stories that began before it were there to join when it was placed. All are placed against the stories as
        # the merges left them, so no lone item leads another in.
        lone = {s for s in new if len(members[s]) == 1}
        moves: list[tuple[Hashable, Hashable]] = []
        for s in sorted(lone, key=first):
            (x,) = members[s]
            best, target = 0.0, None
            for t in sorted((t for t in linked[s] if t not in lone and first(t) > first(s)), key=first):
                if within_window(s, t) and not one_outlet_apart(s, t):
                    got = max(pairs(x, members[t]))
                    if got > best:
                        best, target = got, t
            if target is not None and best >= MERGE_THRESHOLD:
                moves.append((s, target))
        for s, t in moves:  # a lone item is never a target, so only its target may have been merged meanwhile
            t = root.get(t, t)
            # ... or have taken in another lone item: an outlet's two tellings, or a span beyond the window, stay apart
            if within_window(s, t) and not one_outlet_apart(s, t):
                join(s, t)
        return root

    def _neighbours(
        self,
        key: Hashable,
        idf: Callable[[str], float],
        weights: Mapping[str, float],
        anchors: _Anchors,
        similarities: Callable[[Hashable, Sequence[Hashable]], list[float]],
    ) -> list[Hashable]:
        """Items of other stories the item is close to: time-decayed similarity >= threshold, within the window
        (``weights``, ``anchors``: the item's, as the merge pass keeps them)."""
        item, items, window = self._items[key], self._items, self.window
        acc = self._dot_products(item.tf, weights, idf, anchors.words)
        ranked = self._ranked(
            acc,
            lambda other: items[other].story != item.story and abs(items[other].published - item.published) <= window,
        )
        return [other for other, s in zip(ranked, similarities(key, ranked), strict=True) if s >= self.threshold]

    def _ranked(self, acc: Any, eligible: Callable[[Hashable], bool]) -> list[Hashable]:
        """The RERANK eligible candidates of highest cosine by cached norms, best first (ties: first loaded first),
        of ``acc`` (_dot_products): sorted once in numpy, the eligibility test only until RERANK candidates pass."""
        np, keys = self._vectors.np, self._keys
        found = np.flatnonzero(acc)
        order = found[np.argsort(-(acc[found] / self._norms[found]), kind="stable")]
        out: list[Hashable] = []
        for slot in order.tolist():
            key = keys[slot]
            if eligible(key):
                out.append(key)
                if len(out) == RERANK:
                    break
        return out

    def _dot_products(
        self,
        tf: Mapping[str, float],
        weights: Mapping[str, float],
        idf: Callable[[str], float],
        anchors: Sequence[str] = (),
    ) -> Any:
        """TF-IDF dot products of ``tf`` with the indexed items sharing a term, over the postings of its WALK_TERMS
        heaviest terms, except words too common to walk (COMMON_SHARE). The title's ``anchors`` are walked however
        common they are, or the tellings of an event told by more than that share of the index would miss each other.
        ``weights``: tf's TF-IDF weights (term value x idf), which choose the heaviest terms.

        The products come back by slot (a numpy array, 0 for an item sharing no walked term), each item's summed in
        the order its terms were walked."""
        n = len(self._items)
        common = COMMON_SHARE * n if n >= COMMON_MIN_ITEMS else float("inf")
        terms: Iterable[tuple[str, float]] = tf.items()
        if len(tf) > WALK_TERMS:
            heaviest = heapq.nlargest(WALK_TERMS, weights, key=weights.__getitem__)
            chosen = set(heaviest)
            terms = [(t, tf[t]) for t in heaviest] + [(a, tf[a]) for a in anchors if a in tf and a not in chosen]
        slots: list[int] = []
        values: list[float] = []
        scales: list[float] = []
        lengths: list[int] = []
        for term, value in terms:
            postings = self._postings.get(term)
            if postings and (len(postings) <= common or term in anchors):
                weight = idf(term)
                slots.extend(postings)
                values.extend(postings.values())
                scales.append(value * weight * weight)
                lengths.append(len(postings))
        np = self._vectors.np
        products = np.array(values) * np.repeat(scales, lengths)
        return np.bincount(np.array(slots, dtype=np.intp), products, minlength=len(self._keys))

    def rename(self, old_story_key: Hashable, new_story_key: Hashable) -> int:
        """Re-key a story (e.g. to the store's id once it is saved); returns how many items moved."""
        keys = self._members.pop(old_story_key, set())
        for key in keys:
            self._items[key].story = new_story_key
        if keys:
            self._members[new_story_key].update(keys)
        if old_story_key in self._first:
            first = self._first.pop(old_story_key)
            self._first[new_story_key] = min(first, self._first.get(new_story_key, first))
        return len(keys)

    def prune(self, now: datetime) -> int:
        """Items published more than two windows before ``now`` leave the candidates (returns how many), still
        counted in the document frequencies until DF_HOURS before ``now``."""
        now = _utc(now)
        cutoff, horizon = now - 2 * self.window, now - timedelta(hours=DF_HOURS)
        old = [k for k, item in self._items.items() if item.published < cutoff]
        for k in old:
            self._remove(k, counted=self._items[k].published >= horizon)
        for k in [k for k, (published, _) in self._counted.items() if published < horizon]:
            self._uncount(k)
        self._first = {k: v for k, v in self._first.items() if k in self._members}
        return len(old)

    def similarity(self, a: Fingerprint, b: Fingerprint) -> float:
        """Similarity of two fingerprints under the index's current IDF (cosine, anchor-checked)."""
        fa, fb, idf = a.features(), b.features(), self._idf
        s = self._cosine({t: v * idf(t) for t, v in fa.items()}, {t: v * idf(t) for t, v in fb.items()})
        return self._anchored(s, fa, frozenset(a.title), fb, frozenset(b.title), idf)

    # ------------------------------------------------------------------ internals

    def _remove(self, item_key: Hashable, counted: bool = False) -> None:
        """Take an item out of the index; ``counted``: it stays in the document frequencies (prune)."""
        item = self._items.pop(item_key)
        self._leave(item.story, item_key)
        self._keys[item.slot] = None
        if counted:
            self._counted[item_key] = (item.published, item.ids)
        else:
            self._vectors.remove(item.ids)
        for term in item.tf:
            postings = self._postings[term]
            del postings[item.slot]
            if not postings:
                del self._postings[term]
        if len(self._keys) > 2 * len(self._items) + 1024:
            self._compact()

    def _uncount(self, item_key: Hashable) -> None:
        counted = self._counted.pop(item_key, None)
        if counted is not None:
            self._vectors.remove(counted[1])

    def _documents(self) -> int:
        """How many items the document frequencies count: the index's and those counted only."""
        return len(self._items) + len(self._counted)

    def _leave(self, story_key: Hashable, item_key: Hashable) -> None:
        members = self._members[story_key]
        members.discard(item_key)
        if not members:
            del self._members[story_key]

    def _compact(self) -> None:
        """Number the items 0, 1, ... again, in the order of their slots (so ties still go to the first loaded)."""
        renumber: dict[int, int] = {}
        for key in self._keys:
            if key is not None:
                item = self._items[key]
                renumber[item.slot] = item.slot = len(renumber)
        self._keys = [key for key in self._keys if key is not None]
        self._postings = defaultdict(
            dict, {t: {renumber[k]: v for k, v in p.items()} for t, p in self._postings.items()}
        )
        old = list(renumber)
        self._norms[: len(old)] = self._norms[old]

    def _idf(self, term: str) -> float:
        return _idf_of(self._documents(), self._vectors.count(term))

    def _idf_memo(self, terms: Iterable[str] = ()) -> Callable[[str], float]:
        """_idf, each term computed once: for a pass during which the index does not change. A dict's own lookup
        (its __missing__ computes a new term), not a Python function: the passes call it millions of times.
        ``terms``: ones the pass will read, their counts gathered at once."""
        memo = _Memo(self._idf)
        memo.update(self._vectors.idfs(terms, self._documents()))
        return memo.__getitem__

    def _refresh_norms(self) -> None:
        n = self._documents()
        if abs(n - self._norms_at) > NORM_REFRESH * max(self._norms_at, 1):
            items = list(self._items.values())
            self._norms[[item.slot for item in items]] = self._vectors.lengths(items, n)
            self._norms_at = n

    def _anchors(self, title: frozenset[str], count: int = ANCHORS) -> _Anchors:
        """The title's ``count`` rarest words: what tells this event from others on the same subject. Highest IDF
        first is fewest documents first (the IDF falls as the count grows); words tied at the cut stay tied
        (_Anchors; a title is held as a set of words, so its word order is not known here)."""
        words = [t for t in title if _can_anchor(t)]
        return _rarest(words, [self._vectors.count(t) for t in words], count)

    def _item_anchors(self, item: _Item, count: int = ANCHORS, shared: bool = False) -> _Anchors:
        """_anchors of an item in the index, its words' counts gathered at once. ``shared``: only the words another
        item has too, of the index or counted only (the merge pass, which compares items of the index with each
        other: a word no other title or lead has can only miss there, so two tellings that each have words of their
        own would never share an anchor)."""
        counts = self._vectors.counts(item.anchorable_ids)
        if not shared:
            return _rarest(item.anchorable, counts, count)
        kept = [(t, c) for t, c in zip(item.anchorable, counts, strict=True) if c > 1]
        return _rarest([t for t, _ in kept], [c for _, c in kept], count)

    def _anchored(
        self,
        s: float,
        a: Mapping[str, float],
        title_a: frozenset[str],
        b: Mapping[str, float],
        title_b: frozenset[str],
        idf: Callable[[str], float],
        anchors_a: _Anchors | None = None,
        count: int = ANCHORS,
        anchors_b: _Anchors | None = None,
    ) -> float:
        """The similarity of two items whose TF-IDF cosine is ``s``: when their titles share one of either title's
        ``count`` rarest words (its anchors), or SHARED_TITLE_WORDS words, the cosine of the titles alone counts too
        (x TITLE_ONLY); when neither item has any of the other's anchors, the cosine is multiplied by ANCHOR_PENALTY.
        Where anchors are tied (_Anchors), the answer is its mean over their choices: each case weighted by its
        chance. The anchors may be given (a pass that compares one item with many)."""
        anchors_a = anchors_a if anchors_a is not None else self._anchors(title_a, count)
        anchors_b = anchors_b if anchors_b is not None else self._anchors(title_b, count)
        apart = anchors_a.miss(title_b)  # the chance that the titles share no anchor
        if apart and len(title_a & title_b) >= SHARED_TITLE_WORDS:
            apart = 0.0
        if apart:
            apart *= anchors_b.miss(title_a)
        unanchored = anchors_a.miss(b) if apart else 0.0  # ... nor does either item have one of the other's
        if unanchored:
            unanchored *= anchors_b.miss(a)
        got = (apart - unanchored) * s + unanchored * s * ANCHOR_PENALTY
        if apart < 1.0:
            # The titles share a rare word (a name, a place): their own overlap counts, undiluted by the leads.
            ta = {t: idf(t) for t in title_a}
            tb = {t: idf(t) for t in title_b}
            got += (1.0 - apart) * max(s, TITLE_ONLY * self._cosine(ta, tb))
        if _elsewhere(title_a, b) and _elsewhere(title_b, a):
            got *= PLACES_APART
        return got

    @staticmethod
    def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
        if not a or not b:
            return 0.0
        if len(a) > len(b):
            a, b = b, a
        dot = sum(v * b[t] for t, v in a.items() if t in b)
        if dot == 0:
            return 0.0
        return dot / (_length(a) * _length(b))

    def _candidates(self, query: _Query) -> dict[Hashable, float]:
        """The item's time-decayed similarity with the RERANK likeliest items of the window, by key, best ranked
        first."""
        acc = self._dot_products(query.tf, query.weights, query.idf, query.anchors.words)
        window, items, first, published = self.window, self._items, self._first, query.published
        ranked = self._ranked(
            acc,
            lambda key: (
                abs(items[key].published - published) <= window and published - first[items[key].story] <= window
            ),
        )
        return dict(zip(ranked, self._similarities(query, [items[key] for key in ranked]), strict=True))

    def _similarities(self, query: _Query, candidates: Sequence[_Item]) -> list[float]:
        """The item's time-decayed, anchor-checked similarity with each of ``candidates`` (joining's two anchors)."""
        q = query
        cosines = self._vectors.cosines(q.weights, candidates, self._documents())
        return [
            self._anchored(
                cosine, q.tf, q.title, item.tf, item.title, q.idf, q.anchors, ANCHORS, self._item_anchors(item)
            )
            * _decay(item, q)
            for item, cosine in zip(candidates, cosines, strict=True)
        ]


@dataclass(frozen=True, slots=True)
class _Query:
    """An item being placed, as a lookup weighs it: its terms, title words and time, the IDF of the moment, its
    TF-IDF weights and its title's anchors (computed once for every candidate it is compared with)."""

    tf: Mapping[str, float]
    title: frozenset[str]
    published: datetime
    idf: Callable[[str], float]
    weights: _Weights
    anchors: _Anchors
    hours: float = TIME_DECAY_HOURS  # its time decay's 1/e (_decay)


@dataclass(frozen=True, slots=True)
class _Anchors:
    """A title's anchors: its ``count`` rarest words (fewest documents). Words tied in rarity at the cut are not put
    in or left out by some arbitrary order (an order that suited the coverage set was luck; docs/CLUSTERING.md):
    ``need`` of the ``tied`` words are anchors, every choice alike, and what a check of the anchors answers is its
    chance over those choices (miss). In a small index most of a title's words are in one document each."""

    sure: tuple[str, ...]  # rarer than the cut: anchors whatever the choice
    tied: tuple[str, ...]  # at the cut
    need: int  # how many of ``tied`` are anchors

    @property
    def words(self) -> tuple[str, ...]:
        """Every word that may be an anchor (walked by _dot_products however common)."""
        return self.sure + self.tied

    def miss(self, words: Container[str]) -> float:
        """The chance that none of the anchors is among ``words``."""
        for t in self.sure:  # loops, not any(): this runs four times for each pair compared
            if t in words:
                return 0.0
        found = 0
        for t in self.tied:  # none when nothing is tied at the cut (need 0)
            if t in words:
                found += 1
        if not found:
            return 1.0
        return math.comb(len(self.tied) - found, self.need) / math.comb(len(self.tied), self.need)


def _rarest(words: Sequence[str], counts: Sequence[float], count: int) -> _Anchors:
    """The ``count`` words of fewest documents (``counts``, in the words' order), ties at the cut kept as such
    (_Anchors): the same answer whatever order the words come in (a frozenset's order varies with the process's
    string hashing)."""
    ranked = sorted(zip(counts, words, strict=True))
    if len(ranked) <= count:
        return _Anchors(tuple(t for _, t in ranked), (), 0)
    cut = ranked[count - 1][0]
    sure = tuple(t for c, t in ranked if c < cut)
    return _Anchors(sure, tuple(t for c, t in ranked if c == cut), count - len(sure))


def _can_anchor(word: str) -> bool:
    """Whether a title word can be an anchor: any word but a number that different events share by chance (a single
    digit, a round number, a year). "42" in "US blacklists 42 Chinese entities" tells that event from the week's
    other blacklistings; "$500 million" was two different minerals grants on one day of the coverage set."""
    if not word.isdigit():
        return True
    return len(word) > 1 and not word.endswith("0") and not (len(word) == 4 and word.startswith(("19", "20")))


class _Planned:
    """A batch item inside StoryIndex.plan, known by its place in the batch (never equal to a caller's key).

    Equal only to itself, so its hash is the object's own, computed in C: a plan hashes its keys millions of times
    (every posting walked), and a dataclass's generated __hash__ is a Python call each time."""

    __slots__ = ("place",)

    def __init__(self, place: int) -> None:
        self.place = place

    def __repr__(self) -> str:  # the dataclass's form: ties between keys are broken by it, so it must not vary
        return f"{type(self).__name__}(place={self.place})"


class _Started(_Planned):
    """A story a batch started inside StoryIndex.plan, known by the place of its first item."""

    __slots__ = ()


class _Memo(dict[str, float]):
    """A function's answers by argument, each computed on first lookup."""

    def __init__(self, compute: Callable[[str], float]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: str) -> float:
        value = self[key] = self.compute(key)
        return value


class _Weights(dict[str, float]):
    """Term weights that remember their vector length (the merge pass compares one item with many)."""

    length: float = 0.0


def _length(v: Mapping[str, float]) -> float:
    if isinstance(v, _Weights):
        if not v.length:
            v.length = math.sqrt(sum(x * x for x in v.values()))
        return v.length
    return math.sqrt(sum(x * x for x in v.values()))


def _elsewhere(title: frozenset[str], other: Mapping[str, float]) -> bool:
    """Whether a title names a country (_COUNTRIES) that another item's title and lead (``other``: its terms) name
    neither by name nor by one of its leaders."""
    for country in title & _COUNTRIES:
        if country not in other and not any(w in other for w in _LEADERS.get(country, ())):
            return True
    return False


def _decay(a: _Item | _Query, b: _Item | _Query) -> float:
    """How much the similarity of two items counts, by the hours between their publications: 1 at once, 1/e after the
    faster of their two decays (``hours``), so that only two tellings of slow topics decay slowly."""
    return math.exp(-abs((a.published - b.published).total_seconds()) / (min(a.hours, b.hours) * 3600.0))
