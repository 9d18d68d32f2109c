"""Attributed quotes: the words an article puts in quotation marks, who said them, and how.

Three steps over :attr:`Prepared.text`, all linear in the length of the article:

1. **Spans** (:func:`_paragraph_spans`): curly and straight double quotes, BBC-style paragraphs
   that open a quote without closing it (``"A. "B."`` is two quotes), single quotes outside
   double ones (single quotes nested inside a double quote belong to it).
2. **Attribution** (:class:`_Resolver`): the cue verb and the speaker's words next to each quote —
   ``"…," X said`` / ``"…," said X, title of Y`` / ``X said: "…"`` / ``X said it was "…"`` /
   ``according to X`` / ``…, adding "…"`` — and carry-over for quotes that continue a speaker.
3. **Speaker**: the words are resolved with an entity index of the article — full names by surname
   ("Mr Lukashov" → "Dmitry Lukashov"), titles and roles dropped, pronouns to the nearest compatible
   subject, descriptions ("the spokesman", "the company", "the researchers") to the matching mention.
   When the text gives nobody, the speaker is None; anonymous groups stay descriptions ("analysts").

Scare quotes, coined terms, names and titles in quotes (short spans with no cue verb, Title Case
spans, nicknames) and quotes in headline-like lines (captions, teaser lists) are not quotes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from .models import Quote
from .text import Prepared, prepare

# --------------------------------------------------------------------------- tuning constants
# Chosen on the extraction DEV set (../shared/eval/extraction/dev.jsonl, bench/extraction.py) and on
# hand-written cases in tests/data/quotes/; the numbers are loose on purpose (they separate kinds of
# text, they are not fitted to articles).

# A quote this many words long or longer is speech even without a cue verb (scare quotes and coined
# terms in DEV are 1-3 words; the shortest unattributed real quote there has 5).
SPEECH_WORDS = 5
# Shorter quotes need a cue verb in their sentence; one-word quotes need it before them in the clause.
# Lines shorter than this with no sentence punctuation at the end are headlines, captions, teasers.
HEADLINE_CHARS = 200
# Pronouns look back this many sentences for a subject, then take any compatible mention.
PRONOUN_SENTENCES = 4
# Words between an attribution's cue and its speaker ("said WTO spokesman Keith Rockwell").
NP_MAX_TOKENS = 10
# Pronouns and descriptions look for antecedents this many characters back at most.
MENTION_WINDOW = 3000
# An attribution stands within this many characters after (before) its quote in the same sentence.
AFTER_CHARS = 300
BEFORE_CHARS = 600
# A quote without attribution continues a speaker named at most this many characters (sentences) before it.
CARRY_CHARS = 1500
CARRY_SENTENCES = 2
# Names are looked up in the whole article, or this many characters around the speaker in huge inputs.
NAME_WINDOW = 100_000
# "the spokesman" looks for the person introduced with that role this many characters back.
ROLE_WINDOW = 20_000
# At most this many quoted spans of one text are attributed (news articles have dozens; this bounds
# the work on pathological input such as a 2 MB line of quote marks).
MAX_QUOTES = 3000
# At most this many quote marks of one text are read (a 2 MB article has a few thousand).
MAX_MARKS = 50_000
# Mentions in giant sentences are indexed in chunks of this many characters; pronouns look at the
# last few speakers of a sentence only.
_CHUNK = 1000
_RECENT_SPEAKERS = 50
# The sentence reported with a quote is clipped to this many characters on each side of the quote.
SENTENCE_MAX = 600
# A quote in single marks longer than this is an apostrophe mismatch, not a quote.
SINGLE_MAX_CHARS = 600

# --------------------------------------------------------------------------- lexicons


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


def _verb_forms(stems: str) -> frozenset[str]:
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
CUE_VERBS = _verb_forms(
    "add state remark warn explain argue ask continue insist note stress emphasise emphasize acknowledge "
    "conclude claim declare announce comment respond concede suggest predict urge describe report estimate "
    "recall observe agree vow promise boast joke counter maintain allege assert affirm confirm reveal tweet "
    "complain caution reiterate call demand pledge threaten condemn criticise criticize welcome accuse blame "
    "praise hail lament contend advise propose recommend dismiss brand label characterise characterize "
    "question wonder appeal inform assure reassure elaborate indicate hint signal mention exclaim shout "
    "whisper recount testify:testify,testifies,testified,testifying quote write:write,writes,wrote,written,writing "
    "say:say,says,said,saying tell:tell,tells,told,telling reply:reply,replies,replied,replying "
    "admit:admit,admits,admitted,admitting quip:quip,quips,quipped,quipping deny:deny,denies,denied,denying "
    "find:find,finds,found clarify:clarify,clarifies,clarified point:point,points,pointed "
    "forecast:forecast,forecasts posted:posted put:put read:read,reads"
)
# A participle cue continues the speaker of its main clause ("Zelenskyy said, adding that ...").
PARTICIPLE_CUES = frozenset(w for w in CUE_VERBS if w.endswith("ing"))
# Cues too weak to attribute a quote by themselves at a distance (they need to stand next to it).
WEAK_CUES = _words("put posted point points pointed call calls called calling find finds found")
# Cues that attribute only right after a quote ("…," he continued), never before one.
TRAILING_ONLY = _words("continue continues continued continuing posted went read reads")
# Cue forms that are also nouns ("a Facebook comment", "his remarks"): not a cue when carrying over.
NOUN_CUES = _words(
    "comment comments report reports call calls claim claims demand demands pledge pledges promise promises "
    "estimate estimates question questions appeal appeals forecast forecasts quote quotes post posts tweet "
    "tweets note notes remark remarks reply replies welcome counter brand label signal signals hint hints vow "
    "vows joke jokes boast boasts praise blame caution point points find finds state states respond"
)
# Verbs after which "by X" names the author ("a report authored by CFHK researchers").
AUTHOR_VERBS = _words("authored co-authored written published compiled prepared produced signed issued released")

PRONOUNS = _words("he she they it we i you")
POSSESSIVE_PRONOUNS = _words("his her their its our my your")
# People described by a common noun: "the teenager said" is the person in focus, like "he".
PERSON_NOUNS = _words(
    "man woman boy girl teenager teen child mother father wife husband son daughter sister brother friend "
    "native veteran survivor victim fan resident neighbour neighbor colleague boss mom dad grandmother "
    "grandfather widow widower couple singer actress actor star"
)
FEMALE_NOUNS = _words("woman girl mother wife daughter sister mom grandmother widow actress")
# Words that may stand between a speaker and the cue ("Trump has also said", "Putin later told").
AUX = _words(
    "has have had was were is are will would also later then previously reportedly once again recently "
    "repeatedly publicly already earlier further separately privately first last himself herself itself "
    "themselves immediately simply flatly been not never always still too just alone initially subsequently "
    "yesterday today tonight both all subsequently quickly angrily bluntly candidly openly quietly frankly "
    "has long had since can could may might should shall did does do"
)
TIME_WORDS = _words(
    "monday tuesday wednesday thursday friday saturday sunday morning evening afternoon night week weekend month year"
)
DETERMINERS = _words(
    "the a an his her its their our both two three several some many other another one all these those"
)
# Occupations written as titles before a name ("Detective Meghan Aguilar", "Comedian Chris Rock").
_OCCUPATIONS = (
    "detective officer comedian actor actress singer rapper producer writer author host anchor coach pastor "
    "apostle rabbi imam cardinal sheriff inspector constable agent nurse doctor prosecutor star designer chef "
    "artist musician player striker quarterback manager owner candidate nominee councilman councilwoman "
    "councillor alderman assemblyman assemblywoman delegate trooper brigadier commodore dean provost principal "
    "superintendent spokesperson correspondent reporter columnist editor publisher filmmaker novelist poet "
    "historian scientist researcher economist analyst lawyer attorney judge magistrate coroner"
)
# Singular roles: "the spokesman" resolves to the last person introduced with that role.
ROLES = _words(
    "spokesman spokeswoman spokesperson minister president premier chancellor senator governor mayor secretary "
    "analyst economist official envoy ambassador diplomat chairman chairwoman chair executive ceo director head "
    "lawyer attorney commander general adviser advisor professor researcher expert leader founder manager "
    "strategist trader representative negotiator aide observer journalist correspondent editor author judge "
    "prosecutor chief officer source insider lawmaker legislator congressman congresswoman mp deputy candidate "
    "owner partner worker resident witness activist campaigner critic commentator scientist engineer doctor "
    "investor banker consultant broker specialist historian politician king queen prince pope spokesman "
    "secretary-general director-general president-elect colonel captain soldier economist " + _OCCUPATIONS
)
# Plural groups: anonymous speakers ("analysts said") or the people of an organisation ("the researchers").
GROUPS = frozenset(
    {r + "s" for r in ROLES}
    | _words(
        "people police staff media authorities officials analysts experts observers researchers economists "
        "diplomats lawyers critics sources investigators scientists traders residents witnesses campaigners "
        "activists lawmakers legislators executives leaders protesters doctors prosecutors regulators bankers "
        "investors insiders employees workers supporters opponents advocates respondents officers soldiers troops "
        "organisers organizers commentators strategists specialists forecasters negotiators ministers members "
        "academics authors reporters agencies companies firms banks governments ministries men women"
    )
)
# Organisations referred to by a common noun ("the company said", "the ministry added").
ORG_NOUNS = _words(
    "company firm group ministry government agency bank charity organisation organization institute committee "
    "council commission office department party court union association foundation army military embassy "
    "administration regulator exchange fund board authority service newspaper broadcaster network website "
    "operator producer lender insurer carrier airline retailer giant monopoly watchdog think-tank club team "
    "country state kremlin"
)
# Documents speak for whoever issued them ("the report said").
DOC_NOUNS = _words("report study analysis statement survey paper letter document filing review assessment release")
# Capitalised words that end or start an organisation's name.
ORG_HEADS = _words(
    "Group Organisation Organization Ministry Agency Institute Foundation Corporation Corp Company Co Inc Ltd Plc "
    "PLC LLC AG SA GmbH Fund Council Commission Office Department House Committee Association Union Court Party "
    "Securities Holdings Bank Consortium Initiative Conference Forum Trust Society Centre Center University College "
    "Service Services Staff Army Forces Force Navy Police Embassy Authority Board Bureau Reserve Exchange Network "
    "News Times Post Journal Telegraph Guardian Aid Partners Capital Industries Airlines Motors Technologies "
    "Systems Energy Petroleum Steel Mining Media Press Radio Television Tribune Herald Review Monitor Watch "
    "Alliance Coalition Federation Movement Front Congress Parliament Senate Duma Assembly Cabinet Government "
    "Administration Command Directorate Intelligence Guard Observatory Laboratory Labs Studies Dialog Semiconductor "
    "Kremlin Pentagon Treasury Vatican Bundestag Knesset Politburo Interpol Europol Eurostat Reuters Bloomberg "
    "Interfax Tass TASS Xinhua Amnesty Nations Navy Ministry Police"
)
# Leading capitalised words that are titles, not names ("US President Donald Trump" → "Donald Trump").
TITLES = _words(
    "president vice prime minister secretary senator sen rep representative congressman congresswoman governor gov "
    "mayor chancellor king queen prince princess pope ambassador envoy general gen lieutenant lt colonel col major "
    "maj captain capt admiral adm commander chief executive officer director chairman chairwoman chair ceo cfo coo "
    "spokesman spokeswoman spokesperson analyst economist professor prof judge justice attorney foreign defence "
    "defense finance energy interior economy economic trade deputy acting former ex head leader speaker special "
    "senior managing founder commissioner supreme premier sheikh emir sultan crown patriarch archbishop bishop "
    "reverend rev father state affairs home health agriculture industry environment culture education transport "
    "labour labor treasury homeland security national adviser advisor counsel press communications sergeant sgt "
    "corporal marshal field grand duke duchess baron president-elect secretary-general director-general "
    "under-secretary first lady mp mep mr mrs ms miss dr sir dame lord rt hon honourable honorable opposition "
    "dissident oligarch tycoon billionaire businessman businesswoman activist mogul investor strategist "
    "daughter son wife husband mother father brother sister widow widower " + _OCCUPATIONS
)
HONORIFICS = _words("mr mrs ms miss dr prof sir dame lord lady rev mx")
FEMALE_HONORIFICS = _words("mrs ms miss dame lady")
# Capitalised words that begin a sentence or a clause but never a name.
CAP_STOP = (
    _words(
        "the a an but and or however meanwhile yet so then also now still in on at for with after before as if when "
        "while although though since because asked speaking according it he she they we i you this that these those "
        "his her their its our my your there here last next earlier later today yesterday instead moreover "
        "furthermore additionally indeed even only both all some many most other such despite during under over "
        "against among between without within through amid following unlike like once where what who why how "
        "whether to from by of not no nor just by mr mrs ms dr nonetheless nevertheless otherwise therefore thus "
        "hence accordingly consequently besides likewise similarly regardless notably separately finally "
        "ultimately eventually initially previously recently currently overall specifically already again first "
        "second third next asked told speaking writing appearing talking responding addressing sources until unless "
        "whenever wherever whatever whoever upon toward towards around across beyond throughout let let's let’s"
    )
    - HONORIFICS
)
MONTHS_DAYS = _words(
    "january february march april may june july august september october november december monday tuesday "
    "wednesday thursday friday saturday sunday jan feb mar apr jun jul aug sep sept oct nov dec"
)
# Adjectives of nationality before a title ("Russian President Vladimir Putin").
DEMONYMS = _words(
    "us u.s. uk u.k. eu un american british english scottish welsh irish russian ukrainian chinese japanese "
    "korean indian pakistani iranian iraqi israeli palestinian saudi syrian turkish german french italian "
    "spanish portuguese dutch belgian swiss austrian polish czech slovak hungarian romanian bulgarian greek "
    "serbian croatian swedish norwegian danish finnish estonian latvian lithuanian belarusian georgian "
    "armenian azerbaijani kazakh uzbek afghan egyptian libyan nigerian kenyan ethiopian south african "
    "canadian mexican brazilian argentine argentinian chilean colombian venezuelan cuban australian "
    "taiwanese vietnamese thai indonesian malaysian filipino singaporean european western eastern "
    "northern southern arab african asian latin gulf emirati qatari kuwaiti yemeni lebanese jordanian "
    "moldovan kyrgyz tajik mongolian nepalese bangladeshi sri lankan burmese cambodian"
)
# Places are never speakers' names (a small gazetteer: countries, capitals and regions in the news).
PLACES = _words(
    "Afghanistan Albania Algeria Angola Argentina Armenia Australia Austria Azerbaijan Bahrain Bangladesh Belarus "
    "Belgium Bolivia Bosnia Brazil Britain Bulgaria Cambodia Cameroon Canada Chile China Colombia Congo Croatia "
    "Cuba Cyprus Czechia Denmark Ecuador Egypt England Eritrea Estonia Ethiopia Europe Finland France Georgia "
    "Germany Ghana Greece Guatemala Haiti Honduras Hungary Iceland India Indonesia Iran Iraq Ireland Israel Italy "
    "Japan Jordan Kazakhstan Kenya Kosovo Kuwait Kyrgyzstan Laos Latvia Lebanon Libya Lithuania Luxembourg "
    "Madagascar Malaysia Mali Malta Mexico Moldova Mongolia Montenegro Morocco Mozambique Myanmar Namibia Nepal "
    "Netherlands Nicaragua Niger Nigeria Norway Oman Pakistan Palestine Panama Paraguay Peru Philippines Poland "
    "Portugal Qatar Romania Russia Rwanda Scotland Senegal Serbia Singapore Slovakia Slovenia Somalia Spain "
    "Sudan Sweden Switzerland Syria Taiwan Tajikistan Tanzania Thailand Tunisia Turkey Türkiye Turkmenistan "
    "Uganda Ukraine Uruguay Uzbekistan Venezuela Vietnam Wales Yemen Zambia Zimbabwe Africa Asia America "
    "Americas Arctic Antarctica Balkans Baltic Caucasus Crimea Donbas Donbass Donetsk Luhansk Lugansk Kherson "
    "Zaporizhzhia Zaporozhye Kharkiv Odesa Odessa Dnipro Kyiv Kiev Moscow Washington Beijing London Paris Berlin "
    "Brussels Tokyo Geneva Rome Madrid Vienna Warsaw Minsk Tehran Ankara Istanbul Jerusalem Gaza Riyadh Dubai "
    "Delhi Mumbai Shanghai Shenzhen Seoul Pyongyang Taipei Canberra Ottawa Sydney Munich Davos Siberia Tver "
    "Sakhalin Caspian Pacific Atlantic Mediterranean Geneva Helsinki Stockholm Oslo Copenhagen Prague Budapest "
    "Bucharest Sofia Athens Belgrade Zagreb Tbilisi Yerevan Baku Astana Tashkent Kabul Islamabad Karachi Dhaka "
    "Bangkok Hanoi Jakarta Manila Singapore Cairo Lagos Nairobi Johannesburg Brasilia Lima Bogota Caracas "
    "Havana Mexico Texas California Florida York Hong Kong Sri Lanka Saudi Arabia Korea Emirates Kingdom States "
    "US U.S. USA UK U.K. UAE DPRK PRC"
)
# Words that make a place only together with others ("United States", "South Korea", "Hong Kong").
PLACE_PARTS = _words(
    "United Arab New North South East West Zealand Kingdom States Emirates El Los Las San Santa Vegas Angeles "
    "Francisco Diego Republic Coast Gulf"
)
PLACE_HEADS = _words(
    "Island Islands Sea River Lake Mountains Province Region Oblast Street Square City County Bay Gulf Valley Coast Strait Peninsula"
)
# Words before a quote that make it a name or a title, not speech.
_NAMING = re.compile(
    r"(?:\b(?:titled|entitled|named|nicknamed|dubbed|so-called|known\s+as|code-?named|headlined|hashtag|"
    r"the\s+(?:term|word|words|phrase|slogan|motto|label|name|title|headline)))\s*[,:]?\s*$",
    re.IGNORECASE,
)
_SMALL_WORDS = _words("a an the of for and in on to at by with from or nor de la le von van der du y")

# --------------------------------------------------------------------------- tokens

_PH = "\x00"  # masks quoted text in the narrative (never survives text.prepare's normalisation)
_TOKEN = re.compile(
    r"\x00+|\d+(?:-[^\W\d_]+)+|[^\W\d_](?:[\w’'\-]*[^\W_])?(?:[’']s\b|[’'](?=\s))?(?:\.[^\W\d_]\.?)*|\d[\d.,]*\w*|\S"
)
_WORD = re.compile(r"[^\W_]+(?:[’'\-][^\W_]+)*")
_LOWER_WORD = re.compile(r"\b[a-z][a-z’'\-]+")
_POSSESSIVE = re.compile(r"[’']s?$")


def _is_cue(t: _Tok) -> bool:
    """A speech verb as written in running text (lower case: "States" and "Post" are names)."""
    return t.low in CUE_VERBS and t.text.islower()


def _abbrev_before(t: _Tok) -> bool:
    """A period after this token belongs to it ("Sen.", "Dr.", "L.")."""
    return t.low in TITLES or t.low in HONORIFICS or _is_initial(t.text)


def _name_word(t: _Tok) -> bool:
    """A capitalised word that can belong to a name: not a sentence-initial function word or a month
    ("WHO" and "IT" are acronyms, not "who" and "it")."""
    if not _is_cap(t.text):
        return False
    if t.text.isupper() and len(t.text) > 1:
        return True
    return t.low not in CAP_STOP and t.low not in MONTHS_DAYS


def _is_initial(tok: str) -> bool:
    return len(tok) == 1 and tok.isupper()


def _is_cap(tok: str) -> bool:
    return tok[:1].isupper()


def _bare(tok: str) -> str:
    """A token without its possessive ending ("Trump’s" → "Trump")."""
    if len(tok) > 2 and tok[-1] in "’'":
        return tok[:-1]
    if len(tok) > 3 and tok[-1] == "s" and tok[-2] in "’'":
        return tok[:-2]
    return tok


def _is_possessive(tok: str) -> bool:
    return len(tok) > 2 and (tok[-1] in "’'" or (tok[-1] == "s" and tok[-2] in "’'"))


def _is_acronym(tok: str) -> bool:
    t = tok.replace(".", "").replace("&", "")
    return 2 <= len(t) <= 7 and t.isupper() and sum(c.isupper() for c in t) >= 2 and tok not in PLACES


class _Tok:
    """A word or punctuation mark of the narrative, with its offset in Prepared.text."""

    __slots__ = ("low", "start", "text")

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.low = text.lower()
        self.start = start

    def __repr__(self) -> str:
        return f"_Tok({self.text!r}, {self.start})"


def _tokens(s: str, base: int) -> list[_Tok]:
    return [_Tok(m.group(0), base + m.start()) for m in _TOKEN.finditer(s)]


# --------------------------------------------------------------------------- spans


@dataclass
class _Span:
    """A quoted span: content [start, end) of Prepared.text, marks around it."""

    start: int
    end: int
    mark_start: int  # the opening mark
    mark_end: int  # just after the closing mark (or the content's end when unclosed)
    para: int
    double: bool
    closed: bool
    keep: bool = True
    # attribution
    cue: str | None = None
    cue_pos: int = -1
    mention: str | None = None
    mention_toks: list[_Tok] = field(default_factory=list)
    direct: bool = False  # the cue is in the quote's own sentence
    speaker: str | None = None
    kind: str | None = None
    sentence: tuple[int, int] = (0, 0)


def _has_word(line: str, a: int, b: int) -> bool:
    return _WORD.search(line, a, b) is not None


_OPEN_CTX = set("([{—–-/:;,“‘'\"\x00")
_CLOSE_CTX = set(".,;:!?)]}…—–-’'\"”")
_DQ = re.compile('[“”"]')
_SQ = re.compile("[‘’']")


def _double_spans(line: str, base: int, para: int) -> list[_Span]:
    """Double-quoted spans of one paragraph (an unclosed quote ends at the next opening mark or the end)."""
    out: list[_Span] = []
    open_at = -1
    n = len(line)
    for m in _DQ.finditer(line):
        i = m.start()
        c = line[i]
        prev = line[i - 1] if i else " "
        nxt = line[i + 1] if i + 1 < n else " "
        can_open = (prev.isspace() or prev in _OPEN_CTX) and not nxt.isspace()
        can_close = not prev.isspace() and (nxt.isspace() or nxt in _CLOSE_CTX)
        if c == "“":
            is_open = not (open_at >= 0 and can_close and not can_open)
        elif c == "”":
            is_open = open_at < 0 and can_open and not can_close
        elif open_at < 0:
            is_open = not (can_close and not can_open)
        else:
            is_open = can_open and not can_close
        if is_open:
            if open_at >= 0:  # BBC style: a new paragraph-quote opens before the previous one closed
                end = len(line[:i].rstrip())
                out.append(_Span(base + open_at, base + end, base + open_at - 1, base + end, para, True, False))
            open_at = i + 1
        elif open_at >= 0:
            out.append(_Span(base + open_at, base + i, base + open_at - 1, base + i + 1, para, True, True))
            open_at = -1
        # else: a closing mark whose opening mark is missing; not a quote we can delimit
    if open_at >= 0:
        end = len(line.rstrip())
        if end > open_at:
            out.append(_Span(base + open_at, base + end, base + open_at - 1, base + end, para, True, False))
    return out


def _single_spans(line: str, base: int, para: int, lo: int, hi: int) -> list[_Span]:
    """Single-quoted spans in line[lo:hi] (a part outside double quotes); apostrophes are not marks."""
    openers: list[int] = []
    closers: list[int] = []
    n = len(line)
    for m in _SQ.finditer(line, lo, hi):
        k = m.start()
        prev = line[k - 1] if k else " "
        nxt = line[k + 1] if k + 1 < n else " "
        if line[k] != "’" and (prev.isspace() or prev in "([{—–-/:") and (nxt.isalnum() or nxt in "[(…"):
            openers.append(k)
        elif k and not prev.isspace() and (nxt.isspace() or nxt in '.,;:!?)]}…—–-"”'):
            if prev in "sS" and nxt == " " and line[k + 2 : k + 3].islower():
                continue  # a plural possessive ("the workers’ union")
            closers.append(k)
    out: list[_Span] = []
    last = -1
    for k in openers:
        if k <= last:
            continue
        i = bisect_right(closers, k)
        if i == len(closers) or closers[i] - k > SINGLE_MAX_CHARS:
            continue
        close = closers[i]
        if any(c.isalnum() for c in line[k + 1 : close]):
            out.append(_Span(base + k + 1, base + close, base + k, base + close + 1, para, False, True))
        last = close
    return out


def _nth_mark(line: str, n: int) -> int:
    """Offset just after the n-th quote mark of ``line`` (its length when it has fewer)."""
    for i, m in enumerate(_ANY_MARK.finditer(line)):
        if i + 1 >= n:
            return m.end()
    return len(line)


_ANY_MARK = re.compile("[\"“”‘’']")


def _paragraph_spans(line: str, base: int, para: int) -> list[_Span]:
    spans = [q for q in _double_spans(line, base, para) if _has_word(line, q.start - base, q.end - base)]
    singles: list[_Span] = []
    lo = 0
    for s in spans:
        singles.extend(_single_spans(line, base, para, lo, s.mark_start - base))
        lo = s.mark_end - base
    singles.extend(_single_spans(line, base, para, lo, len(line)))
    if singles:
        spans = sorted(spans + singles, key=lambda s: s.start)
    return spans


# --------------------------------------------------------------------------- article model


_SENT_END = re.compile(r"[.!?…]+[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9\x00])")
_ABBREV = _words(
    "Mr Mrs Ms Dr Gov Sen Rep Gen Lt Col Sgt Capt Prof Rev Hon Adm St Mt Ft No Jr Sr Inc Co Corp Ltd vs "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
)


@dataclass
class _Person:
    """What an article says about one name."""

    fulls: list[tuple[int, str]] = field(default_factory=list)  # (position, "Donald Trump")
    best: dict[str, str] = field(default_factory=dict)  # name as mentioned -> fullest form (cache)
    is_person: bool = False
    female: bool | None = None


def _name_prefix(s: str, k: int) -> list[str]:
    """The capitalised words right before s[k] on the same line ("US President Donald " → 4 words)."""
    seg = s[max(0, k - 80) : k]
    if not seg or not seg[-1].isspace() or seg[-1] == "\n":
        return []
    seg = seg.rsplit("\n", 1)[-1]
    words = seg.split()
    out: list[str] = []
    for w in reversed(words):
        if not w[:1].isupper() or len(out) == 5 or _is_possessive(w) or w[-1] in ",;:!?)":
            break
        if w[-1] == "." and not (len(w) == 2 or w[:-1].lower() in TITLES or w[:-1] in _ABBREV):
            break  # the end of the previous sentence, not an initial or "Sen."
        out.append(w)
    out.reverse()
    return out


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c in "_-"


@dataclass
class _Mention:
    """A named or described entity in the narrative (outside quotes)."""

    pos: int
    name: str
    kind: str  # person | org | group | place | agent (speaker of unknown kind)
    subject: bool
    sent: int
    roles: frozenset[str] = frozenset()
    female: bool | None = None


class _Article:
    """The prepared text with its quotes masked, its sentences and an index of names."""

    def __init__(self, prepared: Prepared) -> None:
        self.p = prepared
        text = prepared.text
        self.text = text
        self.spans: list[_Span] = []
        self.paras: list[tuple[int, int]] = []
        self.headline: list[bool] = []
        pos = 0
        marks = 0
        for k, line in enumerate(text.split("\n")):
            self.paras.append((pos, pos + len(line)))
            self.headline.append(_headline_like(line))
            if marks < MAX_MARKS and ('"' in line or "“" in line or "”" in line or "‘" in line or "'" in line):
                scan = line
                if len(line) > 10_000:  # only the first MAX_MARKS quote marks of a text are read
                    n = sum(line.count(c) for c in "\"“”‘’'")
                    if marks + n > MAX_MARKS:
                        scan = line[: _nth_mark(line, MAX_MARKS - marks)]
                    marks += n
                self.spans.extend(_paragraph_spans(scan, pos, k))
            pos += len(line) + 1
        self.narr = text
        if self.spans:
            parts = []
            last = 0
            for s in self.spans:
                parts.append(text[last : s.mark_start])
                parts.append(_PH * (s.mark_end - s.mark_start))
                last = s.mark_end
            parts.append(text[last:])
            self.narr = "".join(parts)
        self.sentences = self._split_sentences() if self.spans else []
        self.sent_starts = [a for a, _ in self.sentences]
        self.speakers_in: dict[int, list[_Mention]] = {}  # resolved speakers by sentence
        self.gender: dict[str, bool] = {}  # speaker -> female, learnt from "she said" / "he said"
        self.doc_owner: dict[str, str] = {}  # "report" -> "IPAC" once "the IPAC report" spoke
        self._lower_used: dict[str, bool] = {}
        self._vocab: set[str] | None = None  # lower-case words of a long text (short ones use str.find)
        self._lower: set[str] | None = None
        self._mentions: dict[int, list[_Mention]] = {}
        self._chunks: dict[int, list[_Mention]] = {}  # mentions of giant sentences, by _CHUNK
        self._people: dict[str, _Person] = {}
        self._agents: set[str] | None = None
        self._group_orgs: list[tuple[int, str, str]] | None = None

    # ---- sentences
    def _split_sentences(self) -> list[tuple[int, int]]:
        """Sentences of the narrative (quotes are masked, so a period inside a quote never splits)."""
        out: list[tuple[int, int]] = []
        narr = self.narr
        for a, b in self.paras:
            if a == b:
                continue
            start = a
            for m in _SENT_END.finditer(narr, a, b):
                w = narr[max(a, m.start() - 6) : m.start()].split()
                if w and (w[-1] in _ABBREV or (len(w[-1]) == 1 and w[-1].isupper()) or "." in w[-1]):
                    continue
                out.append((start, m.end()))
                start = m.end()
            out.append((start, b))
        return self._split_after_quotes(out)

    def _split_after_quotes(self, sents: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Also end a sentence after a quote whose own text ends one ("“A.” Then B")."""
        cuts = []
        text, narr = self.text, self.narr
        for s in self.spans:
            if s.end > s.start and text[s.end - 1] in ".!?…":
                k = s.mark_end
                n = len(narr)
                while k < n and narr[k] == " ":
                    k += 1
                if k < n and k > s.mark_end and (narr[k].isupper() or narr[k] == _PH) and narr[k] != "\n":
                    cuts.append(k)
        if not cuts:
            return sents
        out = []
        ci = 0
        cuts.sort()
        for a, b in sents:
            while ci < len(cuts) and cuts[ci] <= a:
                ci += 1
            start = a
            while ci < len(cuts) and cuts[ci] < b:
                out.append((start, cuts[ci]))
                start = cuts[ci]
                ci += 1
            out.append((start, b))
        return out

    def sentence_of(self, pos: int) -> int:
        return max(0, bisect_right(self.sent_starts, pos) - 1)

    def sentence_start(self, pos: int) -> bool:
        """Whether ``pos`` is where a sentence (or a paragraph) begins."""
        return bool(self.sentences) and self.sentences[self.sentence_of(pos)][0] == pos

    # ---- vocabulary
    def used_lowercase(self, word: str) -> bool:
        """Whether the article also writes ``word`` in lower case (so a capitalised one is a common word)."""
        low = word.lower()
        got = self._lower_used.get(low)
        if got is None:
            if self._vocab is None:
                self._vocab = set(_LOWER_WORD.findall(self.narr)) if len(self.narr) > 20_000 else set()
            if self._vocab:
                got = low in self._vocab
            else:
                got = any(f" {low}{c}" in self.narr for c in " ,.;:")
            self._lower_used[low] = got
        return got

    def add_speaker(self, m: _Mention) -> None:
        self.speakers_in.setdefault(m.sent, []).append(m)

    def is_speaker(self, m: _Mention) -> bool:
        return m in self.speakers_in.get(m.sent, ())

    # ---- names (looked up when a speaker needs them: an article has few speakers)
    def person(self, surname: str, pos: int = 0) -> _Person:
        """What the article says about a single name: its full forms, whether it is a person, gender."""
        key = surname.lower()
        got = self._people.get(key)
        if got is None:
            got = _Person()
            self._people[key] = got
            narr = self.narr
            if len(narr) > NAME_WINDOW:  # huge inputs: the neighbourhood of the first request only
                narr = narr[max(0, pos - NAME_WINDOW) : pos + NAME_WINDOW // 4]
            for s, title in ((narr, False), (self.p.title or "", True)):
                self._scan_name(s, surname, got, title)
        return got

    @staticmethod
    def _at_sentence_start(s: str, i: int) -> bool:
        before = s[max(0, i - 3) : i].rstrip(" ")
        return i <= 0 or not before or before[-1] in '.!?\n"”'

    def _scan_name(self, s: str, surname: str, info: _Person, title: bool) -> None:
        n = len(surname)
        k = s.find(surname)
        while k >= 0:
            end = k + n
            if (k == 0 or not _is_word_char(s[k - 1])) and (end == len(s) or not _is_word_char(s[end])):
                prefix = _name_prefix(s, k)
                honor = None
                titled = False
                cut = 0
                for i, w in enumerate(prefix):  # "National Urban League President Marc" → "Marc"
                    lw = w.lower().rstrip(".")
                    if lw in TITLES or lw in CAP_STOP or lw in DEMONYMS or w in ORG_HEADS or not _name_shaped(w):
                        cut = i + 1
                words = prefix[cut:]
                if words and self.used_lowercase(words[0]):  # "Read Mike Rowe's post": a sentence-initial verb
                    if self._at_sentence_start(s, s.rfind(words[0], max(0, k - 80), k)):
                        words = words[1:]
                if prefix:
                    last = prefix[-1].lower().rstrip(".")
                    titled = last in TITLES
                    if last in HONORIFICS:
                        honor = last in FEMALE_HONORIFICS
                words = [w for w in words if w.lower() not in MONTHS_DAYS]
                if honor is not None:
                    info.is_person = True
                    if info.female is None:
                        info.female = honor
                if titled:
                    info.is_person = True
                run_start = k - len(" ".join(prefix)) - 1 if prefix else k
                lead = s[max(0, run_start - 5) : max(0, run_start)].lower()
                if words and 1 <= len(words) <= 3 and not lead.rstrip().endswith((" at", " in", " of", "from")):
                    full = " ".join([*words[-3:], surname])
                    if not _org_like(full.split()) and not _place_like(full.split()):
                        info.is_person = True
                        info.fulls.append((-1 if title else k, full))
            k = s.find(surname, k + 1)

    @property
    def agents(self) -> set[str]:
        """Single names that speak somewhere in the article ("Zelenskyy said"): people or organisations."""
        if self._agents is None:
            self._agents = set()
            for m in _AGENT.finditer(self.narr):
                w = _bare(m.group(1))
                if w not in PLACES and w.lower() not in CAP_STOP and w.lower() not in GROUPS:
                    self._agents.add(w.lower())
        return self._agents

    @property
    def group_orgs(self) -> list[tuple[int, str, str]]:
        """(position, group noun, organisation): "researchers at the X Foundation", "CFHK researchers"."""
        if self._group_orgs is None:
            self._group_orgs = []
            for m in _GROUP_AT.finditer(self.narr):
                org = _strip_the(m.group(2))
                if _org_like(org.split()):
                    self._group_orgs.append((m.start(), m.group(1).lower(), org))
            for m in _ORG_GROUP.finditer(self.narr):
                org = _bare(m.group(1))
                if _org_like(org.split()) or _is_acronym(org):
                    self._group_orgs.append((m.start(), m.group(2).lower(), org))
            self._group_orgs.sort()
        return self._group_orgs

    def full_name(self, name: str, pos: int) -> str:
        """The fullest form of a person's name used in the article (nearest before ``pos``)."""
        toks = name.split()
        info = self.person(toks[-1], pos)
        got = info.best.get(name)
        if got is None:
            got = info.best[name] = self._fullest(name, info)
        return got

    @staticmethod
    def _fullest(name: str, info: _Person) -> str:
        toks = name.split()
        counts: dict[str, list[int]] = {}
        for p, full in info.fulls:
            ft = full.split()
            if len(ft) >= len(toks) and (len(toks) == 1 or ft[-len(toks) :] == toks):
                counts.setdefault(full, []).append(p)
        if not counts:
            return name
        # a form that ends another one counts for the longer one ("Da Silva" for "Jose Da Silva");
        # then the most used form wins ("Andrew Getty" over his grandfather "J. Paul Getty"), then the first
        forms = sorted(counts, key=lambda f: -len(f.split()))
        for f in forms:
            for g in forms:
                if g != f and len(g.split()) > len(f.split()) and g.endswith(" " + f) and f in counts:
                    counts[g] = counts[g] + counts.pop(f)
                    break
        return min(counts, key=lambda f: (-len(counts[f]), min(counts[f])))

    # ---- mentions in the narrative, per sentence (built when needed)
    def mentions(self, si: int) -> list[_Mention]:
        """Named and group mentions of one sentence (cached)."""
        got = self._mentions.get(si)
        if got is None:
            a, b = self.sentences[si]
            got = self._mentions[si] = self._mentions_in(si, a, b)
        return got

    def _mentions_in(self, si: int, a: int, b: int) -> list[_Mention]:
        out: list[_Mention] = []
        para = self._para_of(a)
        if not self.headline[para]:
            for start, end, toks in _runs(self.narr, a, b):
                men = self._mention(start, end, toks, si)
                if men:
                    out.append(men)
            for m in _GROUP_WORD.finditer(self.narr, a, b):
                if self._followed_by_verb(m.end(), b):
                    out.append(_Mention(m.start(), _strip_the(m.group(0)), "group", True, si))
            out.sort(key=lambda x: x.pos)
        return out

    def _para_of(self, pos: int) -> int:
        lo, hi = 0, len(self.paras) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.paras[mid][0] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _followed_by_verb(self, end: int, hi: int) -> bool:
        m = _NEXT_WORD.match(self.narr, end, hi)
        if not m:
            return False
        w = m.group(1)
        return w.islower() and w not in _FUNCTION_WORDS and w not in GROUPS

    def _mention(self, start: int, end: int, toks: list[str], si: int) -> _Mention | None:
        sent_start = self.sentences[si][0]
        # a capitalised common word at the start of a sentence is not a name ("Analysts", "Steel")
        while toks and (
            toks[0].lower() in CAP_STOP
            or toks[0].lower() in MONTHS_DAYS
            or (start == sent_start and toks[0].lower() not in TITLES and self.used_lowercase(toks[0]))
        ):
            start += len(toks[0]) + 1
            toks = toks[1:]
            if not toks:
                return None
        kind, name, roles, female = _classify_run(toks, self)
        if kind is None or kind == "place":
            return None
        before = self.narr[max(0, start - 12) : start].lower().rstrip()
        if kind == "person" and (
            before.endswith((" at", " in", " of", "from", " the", " a", " an")) or before in ("the", "a", "an")
        ):
            kind = "unknown"  # "analyst at Troika Dialog", "the High Mountain Gendarmerie"
        possessive = _is_possessive(toks[-1])
        last_word = before.rsplit(None, 1)[-1] if before else ""
        subject = not possessive and (
            self._followed_by_verb(end, self.sentences[si][1]) or (last_word in CUE_VERBS and kind == "person")
        )
        if kind == "person":
            name = self.full_name(name, start)
            roles = roles | self._roles_before(start)
        return _Mention(start, name, kind, subject, si, roles, female)

    def _roles_before(self, pos: int) -> frozenset[str]:
        seg = self.narr[max(0, pos - 40) : pos].lower().split()[-3:]
        return frozenset(w for w in seg if w in ROLES)

    def all_mentions_before(self, pos: int, max_sents: int) -> list[list[_Mention]]:
        """Mentions and speakers of the sentences before ``pos`` (nearest sentence first), within a window."""
        si = self.sentence_of(pos)
        out = []
        for k in range(si, max(-1, si - max_sents - 1), -1):
            a, b = self.sentences[k]
            if b < pos - MENTION_WINDOW:
                break
            if b - a > MENTION_WINDOW:  # a giant "sentence" (junk without punctuation): chunks of the window
                ms = []
                for c in range(max(a, pos - MENTION_WINDOW) // _CHUNK, min(b, pos) // _CHUNK + 1):
                    got = self._chunks.get(c)
                    if got is None:
                        got = self._chunks[c] = self._mentions_in(k, max(a, c * _CHUNK), min(b, (c + 1) * _CHUNK))
                    ms.extend(x for x in got if x.pos < pos)
            else:
                ms = [x for x in self.mentions(k) if x.pos < pos]
            ms += [x for x in self.speakers_in.get(k, ())[-_RECENT_SPEAKERS:] if x.pos < pos]
            ms.sort(key=lambda x: x.pos)
            out.append(ms)
        return out


_CAPWORD = r"[^\W\d_a-z](?:[\w’'\-]+(?:\.[^\W\d_]\.?)*|\.(?=[^\S\n]+[^\W\d_a-z]))?"  # "George W. Bush"
# a possessive ends a run: "ONGC's Mr Raha" is two runs
_CAP_RUN = re.compile(
    rf"(?<![\w’'\-.]){_CAPWORD}(?:(?<![’']s)(?<![’'])[^\S\n]+(?:(?:of|for|the|and|de|da|di|van|von|der|du|al|bin|in)[^\S\n]+){{0,2}}{_CAPWORD})*"
)
_CONNECTORS = _words("and of for the in")


def _runs(s: str, lo: int, hi: int) -> list[tuple[int, int, list[str]]]:
    """Capitalised runs of s[lo:hi] as (start, end, words); "Trump and Russian President Putin" is two."""
    out = []
    for m in _CAP_RUN.finditer(s, lo, hi):
        run = m.group(0)
        toks = run.split()
        if len(toks) == 1 or _org_like(toks) or not any(t in _CONNECTORS for t in toks):
            out.append((m.start(), m.end(), toks))
            continue
        pos = m.start()
        piece: list[str] = []
        piece_start = pos
        for t in toks:
            k = s.index(t, pos)
            pos = k + len(t)
            if t in _CONNECTORS:
                if piece:
                    out.append((piece_start, prev_end, piece))
                piece = []
                continue
            if not piece:
                piece_start = k
            piece.append(t)
            prev_end = pos
        if piece:
            out.append((piece_start, prev_end, piece))
    return out


_AGENT = re.compile(
    r"(?<![\w’'\-])([A-Z][\w’'\-]+)[^\S\n]+(?:(?:has|had|also|later|then|again)[^\S\n]+)?(?:said|says|told|tells|added|"
    r"stated|warned|explained|argued|wrote|insisted|noted|stressed|asked|acknowledged|claimed|declared|replied|"
    r"reiterated|suggested|urged|remarked)\b"
)
_GROUP_AT = re.compile(
    r"\b((?i:researchers|analysts|experts|economists|scientists|lawyers|officials|investigators|academics|authors|staff))"
    r"[^\S\n]+(?:at|from|with|of)[^\S\n]+((?:the[^\S\n]+)?[A-Z][\w’'\-]*"
    r"(?:[^\S\n]+(?:(?:of|for|the|and|in|on)[^\S\n]+){0,2}[A-Z][\w’'\-]*)*)"
)
_ORG_GROUP = re.compile(
    r"\b([A-Z][\w’'\-]*(?:[’']s)?)\s+(researchers|analysts|experts|economists|scientists|lawyers|officials|"
    r"investigators|academics|staff)\b"
)
_GROUP_WORD = re.compile(
    r"(?<![\w’'\-])(?:(?:the|The|[A-Z][\w\-]*[’']s?)[^\S\n]+)?(?:"
    + "|".join(sorted(GROUPS | {g.capitalize() for g in GROUPS}, key=len, reverse=True))
    + r")\b"
)
_NEXT_WORD = re.compile(r"(?:\s*,[^,]{1,80},)?\s+([\w’'\-]+)")
_FUNCTION_WORDS = _words(
    "of in on at to for and or but with from by as the a an that which who whom whose than into onto about "
    "over under after before between during near across against among per via if when while because although "
    "though since unless until whether where so yet nor"
)


def _strip_the(s: str) -> str:
    return re.sub(r"^(?:the|The)\s+", "", s).strip()


NAME_PARTICLES = _words("bin ibn al de da di van von der du la le")


def _name_shaped(t: str) -> bool:
    if len(t) <= 2 and t[:1].isupper() and t[1:] in ("", "."):
        return True  # an initial: "Ryan L. Boyd"
    return t[:1].isupper() and not t.isupper() and t.lower() not in TITLES and t.lower() not in CAP_STOP


def _org_like(toks: list[str]) -> bool:
    return any(_bare(t) in ORG_HEADS for t in toks) or (len(toks) == 1 and _is_acronym(_bare(toks[0])))


def _place_like(toks: list[str]) -> bool:
    bare = [_bare(t) for t in toks]
    if len(bare) == 1:
        return bare[0] in PLACES
    return all(t in PLACES or t in PLACE_PARTS or t.lower() in _SMALL_WORDS for t in bare) or bare[-1] in PLACE_HEADS


def _classify_run(toks: list[str], art: _Article) -> tuple[str | None, str, frozenset[str], bool | None]:
    """(kind, name, roles, female) of a capitalised run such as "US President Donald Trump"."""
    bare = [_bare(t) for t in toks]
    while len(bare) > 1 and bare[0].lower() in CAP_STOP:
        bare = bare[1:]
    if len(bare) == 1 and (bare[0].lower() in DEMONYMS or bare[0] in PLACES):
        return "place", bare[0], frozenset(), None
    # the name follows the last title: "NATO Secretary General Mark Rutte", "Prime Minister John Major"
    cut = -1
    for i, w in enumerate(bare[:-1]):
        lw = w.lower().rstrip(".")
        if lw in TITLES or lw in DEMONYMS:
            cut = i
    roles: set[str] = set()
    female = None
    person = False
    if cut >= 0 and all(_name_shaped(w) and w not in ORG_HEADS for w in bare[cut + 1 :]):
        for w in bare[: cut + 1]:
            lw = w.lower().rstrip(".")
            if lw in HONORIFICS:
                female = lw in FEMALE_HONORIFICS
            elif lw in TITLES:
                roles.add(lw)
        bare = bare[cut + 1 :]
        person = True
    elif _org_like(bare):
        return "org", " ".join(bare), frozenset(), None
    if _place_like(bare):
        return "place", " ".join(bare), frozenset(), None
    name = " ".join(bare)
    if len(bare) >= 2 and all(
        _name_shaped(t) or (0 < k < len(bare) - 1 and t in NAME_PARTICLES) for k, t in enumerate(bare)
    ):
        return "person", name, frozenset(roles), female
    low = bare[-1].lower()
    info = art.person(bare[-1])
    if person or info.is_person:
        if female is None:
            female = info.female
        return "person", name, frozenset(roles), female
    if low in art.agents:
        return "agent", name, frozenset(roles), None
    return "unknown", name, frozenset(roles), None


def _headline_like(line: str) -> bool:
    """A line that is not prose: a headline, caption, teaser or menu item."""
    s = line.strip()
    if not s:
        return True
    if len(s) >= HEADLINE_CHARS:
        return False
    return not re.search(r"[.!?…:;,][\"”’)\]]*\s*$", s) or s.count(" ") < 3


# --------------------------------------------------------------------------- attribution


@dataclass
class _Attribution:
    cue: str
    cue_pos: int
    np: list[_Tok]


class _Resolver:
    """Finds the attribution of each quote and resolves it to a speaker."""

    def __init__(self, art: _Article) -> None:
        self.art = art

    # ---- NP scanning
    @staticmethod
    def _np_forward(toks: list[_Tok], i: int) -> int:
        """End of the noun phrase that starts at toks[i] ("WTO spokesman Keith Rockwell")."""
        n = len(toks)
        if i >= n:
            return i
        if toks[i].low in PRONOUNS:
            return i + 1
        j = i
        if toks[j].low in DETERMINERS or toks[j].low in POSSESSIVE_PRONOUNS:
            det = toks[j].low
            j += 1
            # "his mother", "the 48-year-old", "the El Salvador native": up to four words to a cue verb
            k = j
            while k < n and k - j < 4 and (_plain_word(toks[k]) or _is_cap(toks[k].text)):
                k += 1
            if k > j and k < n and _is_cue(toks[k]) and not _is_cap(toks[k - 1].text):
                if det in POSSESSIVE_PRONOUNS or det in DETERMINERS:
                    return k
        has_name = False
        has_org = False
        while j < n and j - i < NP_MAX_TOKENS:
            t = toks[j]
            low = t.low
            if t.text == _PH[0] or t.text.startswith(_PH):
                break
            if _name_word(t):
                if (
                    low.rstrip(".") not in TITLES
                    and low not in DEMONYMS
                    and not _is_possessive(t.text)
                    and _bare(t.text) not in ORG_HEADS
                ):
                    has_name = True
                if _bare(t.text) in ORG_HEADS:
                    has_org = True
                j += 1
                if _is_possessive(t.text):
                    has_name = False
                continue
            if t.text == "." and j > i and _abbrev_before(toks[j - 1]):
                j += 1
                continue
            if low in ROLES or low in GROUPS or low in ORG_NOUNS or low in DOC_NOUNS:
                j += 1
                if low in DOC_NOUNS and j + 1 < n and toks[j].low == "by":
                    return _Resolver._np_forward(toks, j + 1)  # "a report by Amnesty International": the author
                continue
            if low in ("of", "for", "at", "from") and j + 1 < n:
                nxt = toks[j + 2] if toks[j + 1].low == "the" and j + 2 < n else toks[j + 1]
                if _is_cap(nxt.text):
                    if has_name and not has_org:
                        break
                    j += 1 if nxt is toks[j + 1] else 2
                    continue
            if low.isalpha() and low.islower() and low not in _FUNCTION_WORDS and low not in CUE_VERBS:
                # modifiers before a role noun ("Russian oil official", "human rights lawyer")
                k = j
                heads = (ROLES, GROUPS, ORG_NOUNS, DOC_NOUNS)
                while k < n and k - j < 3 and toks[k].low.isalpha() and toks[k].low.islower():
                    if any(toks[k].low in h for h in heads):
                        break
                    k += 1
                if k < n and any(toks[k].low in h for h in heads) and k - j < 3:
                    j = k + 1
                    continue
            break
        return j

    @staticmethod
    def _np_backward(toks: list[_Tok], c: int, lo: int = 0) -> tuple[int, int]:
        """[start, end) of the noun phrase before toks[c], skipping auxiliaries and an appositive."""
        j = c - 1
        while j >= lo and (toks[j].low in AUX or (toks[j].low.endswith("ly") and toks[j].text.islower())):
            j -= 1
        if j - 1 >= lo and toks[j].low in TIME_WORDS and toks[j - 1].low in ("on", "last", "this", "late", "early"):
            j -= 2
        if j >= lo and toks[j].text == ",":
            # "Tim Osborne, head of Menatep, said": the name before the appositive
            k = j - 1
            while (
                k >= lo and j - k < 25 and toks[k].text not in (",", ".", ";", ":") and not toks[k].text.startswith(_PH)
            ):
                k -= 1
            if k >= lo + 1 and toks[k].text == "," and _is_cap(toks[k - 1].text) and k < j - 1:
                j = k - 1
            else:
                return c, c
        end = j
        if j >= lo and toks[j].low in PRONOUNS:
            return j, j + 1
        if j >= lo and _plain_word(toks[j]) and toks[j].low not in ROLES and toks[j].low not in GROUPS:
            # a description with a head we do not know: needs its determiner within four words
            k = j - 1
            while k >= lo and j - k <= 4 and (_plain_word(toks[k]) or _is_cap(toks[k].text)):
                if toks[k].low in DETERMINERS or toks[k].low in POSSESSIVE_PRONOUNS or _is_possessive(toks[k].text):
                    break
                k -= 1
            if (
                k >= lo
                and j - k <= 4
                and (toks[k].low in DETERMINERS or toks[k].low in POSSESSIVE_PRONOUNS or _is_possessive(toks[k].text))
            ):
                return k, end + 1
            return c, c
        while j >= lo:
            t = toks[j]
            low = t.low
            if low in DETERMINERS and not (low == "the" and j > lo and toks[j - 1].low in ("of", "for") and j < end):
                j -= 1
                break
            if _name_word(t):
                j -= 1
                continue
            if t.text == "." and j > lo and _abbrev_before(toks[j - 1]):
                j -= 1
                continue
            if low in ROLES or low in GROUPS or low in ORG_NOUNS or low in DOC_NOUNS:
                j -= 1
                continue
            nxt = toks[j + 2] if j + 2 <= end and toks[j + 1].low == "the" and low != "the" else toks[j + 1]
            if (
                low in ("of", "for", "at", "and", "the")
                and j - 1 >= lo
                and j + 1 <= end
                and _is_cap(nxt.text)
                and (
                    toks[j - 1].low in ROLES
                    or (_name_word(toks[j - 1]) and low != "the")
                    or (low == "the" and toks[j - 1].low in ("of", "for"))
                )
            ):
                j -= 1  # "The Institute for the Study of War", "head of Trade Policy"
                continue
            if (
                low.isalpha()
                and low.islower()
                and j + 1 <= end
                and (toks[j + 1].low in ROLES or toks[j + 1].low in GROUPS)
                and low not in _FUNCTION_WORDS
                and low not in CUE_VERBS
                and low not in AUX
            ):
                j -= 1
                continue
            break
        return j + 1, end + 1

    # ---- attribution of one quote
    def direct(self, q: _Span) -> _Attribution | None:
        """The attribution in the quote's own sentence, after it or before it."""
        art = self.art
        narr = art.narr
        sa, sb = art.sentences[art.sentence_of(q.start)]
        # text after the quote, up to the next quote or the end of the sentence
        hi = min(sb, q.mark_end + AFTER_CHARS)
        nxt = narr.find(_PH, q.mark_end, hi)
        if nxt >= 0:
            hi = nxt
        content_end = art.text[q.end - 1] if q.end > q.start else ""
        after = _tokens(narr[q.mark_end : hi], q.mark_end)
        if after and (content_end not in ".!?…" or after[0].text[:1].islower() or after[0].text in ",;—–-"):
            att = self._trailing(after)
            if att:
                return att
        # text before the quote in its sentence
        lo = max(sa, q.mark_start - BEFORE_CHARS)
        before = _tokens(narr[lo : q.mark_start], lo)
        return self._leading(before)

    def _trailing(self, toks: list[_Tok]) -> _Attribution | None:
        i = 0
        while i < len(toks) and toks[i].text in ",;:—–-":
            i += 1
        if i >= len(toks):
            return None
        t = toks[i]
        if _is_cue(t) and t.low not in PARTICIPLE_CUES:  # "…," said X
            j = i + 1
            while j < len(toks) and toks[j].low in AUX:
                j += 1
            e = self._np_forward(toks, j)
            if e > j and self._valid_np(toks[j:e]):
                return _Attribution(t.text, t.start, toks[j:e])
            if t.low in ("said", "says", "told", "added", "stated", "asked", "wrote") or j == len(toks):
                return None
        if t.low == "according" and i + 1 < len(toks) and toks[i + 1].low == "to":
            e = self._np_forward(toks, i + 2)
            if e > i + 2 and self._valid_np(toks[i + 2 : e]):
                return _Attribution("according to", t.start, toks[i + 2 : e])
            return None
        e = self._np_forward(toks, i)  # "…," X said / "…," X, title of Y, said
        if e == i or not self._valid_np(toks[i:e]):
            return None
        j = e
        if j < len(toks) and toks[j].text == ",":
            k = j + 1
            while k < len(toks) and k - j < 25 and toks[k].text not in (",", ".", ";", ":", "!", "?"):
                if toks[k].text.startswith(_PH):
                    return None
                k += 1
            if k < len(toks) and toks[k].text == ",":
                j = k + 1
            else:
                return None
        while j < len(toks) and (toks[j].low in AUX or (toks[j].low.endswith("ly") and toks[j].text.islower())):
            j += 1
        if j < len(toks) and _is_cue(toks[j]) and toks[j].low not in PARTICIPLE_CUES:
            return _Attribution(toks[j].text, toks[j].start, toks[i:e])
        return None

    def _leading(self, toks: list[_Tok], upto: int | None = None) -> _Attribution | None:
        """The last cue (at or before toks[upto]) before the quote in its sentence, and its speaker."""
        for c in range((len(toks) - 1) if upto is None else upto, -1, -1):
            att = self._cue_at(toks, c)
            if att:
                return att
        return None

    def _cue_at(self, toks: list[_Tok], c: int, trailing: bool = False) -> _Attribution | None:
        """The attribution made by the cue at toks[c], if toks[c] is a cue with a speaker."""
        t = toks[c]
        low = t.low
        if low == "according":
            if c + 1 < len(toks) and toks[c + 1].low == "to":
                e = self._np_forward(toks, c + 2)
                if e > c + 2 and self._valid_np(toks[c + 2 : e]):
                    return _Attribution("according to", t.start, toks[c + 2 : e])
            return None
        if low == "by":
            if c > 0 and toks[c - 1].low in AUTHOR_VERBS:
                e = self._np_forward(toks, c + 1)
                if e > c + 1 and self._valid_np(toks[c + 1 : e]):
                    return _Attribution(toks[c - 1].text + " by", t.start, toks[c + 1 : e])
            return None
        if not _is_cue(t) or (low in TRAILING_ONLY and not trailing):
            if not (low in ("read", "reads") and c + 1 < len(toks) and toks[c + 1].text == ":"):
                return None  # "The statement read: …" is the one leading use
        if low == "put" and not (c + 1 < len(toks) and toks[c + 1].low == "it"):
            return None  # only "as X put it"
        if c > 0 and toks[c - 1].low in ("is", "was", "are", "were", "be", "been") and low.endswith(("ed", "id")):
            if c + 1 < len(toks) and toks[c + 1].low == "to":
                return None  # "is said to be"
        if c > 1 and toks[c - 1].low == "and" and low not in PARTICIPLE_CUES:
            main = self._leading(toks, c - 2)  # "X said … and called the report “…”": X, with this cue
            return _Attribution(t.text, t.start, main.np) if main else None
        if low in PARTICIPLE_CUES or (c > 0 and toks[c - 1].text == "," and low not in ("said", "says")):
            if low in PARTICIPLE_CUES and c > 0 and toks[c - 1].text != ",":
                s, e = self._np_backward(toks, c)  # "with Calle saying"
                if s < e and self._valid_np(toks[s:e]) and _strong_np(toks[s:e]) and toks[e - 1].low not in DOC_NOUNS:
                    return _Attribution(t.text, t.start, _trim_np(toks[s:e]))
            # "…, adding that": the speaker of the main clause
            main = self._leading(toks, c - 1) if c else None
            if main:
                return _Attribution(t.text, t.start, main.np)
            e = self._np_forward(toks, 0) if toks else 0
            if e > 0 and self._valid_np(toks[:e]):
                return _Attribution(t.text, t.start, toks[:e])
            return None
        s, e = self._np_backward(toks, c)
        if s >= 2 and toks[s - 1].low in ("of", "from") and _person_like(toks[s - 2].text):
            s2, e2 = self._np_backward(toks, s - 1)  # "Orrin Hatch of Utah called": not Utah
            if s2 < e2 and any(_person_like(x.text) for x in toks[s2:e2]):
                s, e = s2, e2
        if s < e and self._valid_np(toks[s:e]) and (low not in NOUN_CUES or _strong_np(toks[s:e])):
            np = _trim_np(toks[s:e])
            if np:
                return _Attribution(t.text, t.start, np)
        if c + 1 < len(toks) and (c == 0 or toks[c - 1].text == "," or toks[c - 1].text.startswith(_PH)):
            e = self._np_forward(toks, c + 1)  # inverted: "…," said X
            if e > c + 1 and self._valid_np(toks[c + 1 : e]):
                return _Attribution(t.text, t.start, toks[c + 1 : e])
        return None

    @staticmethod
    def _valid_np(np: list[_Tok]) -> bool:
        words = [t for t in np if t.text not in (",", ".")]
        if not words:
            return False
        if len(words) == 1 and words[0].low in PRONOUNS:
            return words[0].low not in ("i", "you", "we")
        last = words[-1]
        if last.low in ROLES or last.low in GROUPS or last.low in ORG_NOUNS or last.low in DOC_NOUNS:
            return True
        if words[0].low in ("a", "an"):
            # "a Facebook comment" is not a speaker; "a spokesman for the Bank of England" is
            return any(_common_head(w.low) for w in words)
        if words[0].low in DETERMINERS or words[0].low in POSSESSIVE_PRONOUNS or _is_possessive(words[0].text):
            if len(words) > 1 and _plain_word(last):
                return True  # "his mother", "the El Salvador native"
        return any(_name_word(w) for w in words)

    # ---- speaker of a noun phrase
    def resolve(self, np: list[_Tok], pos: int) -> tuple[str | None, str]:
        """(speaker, kind) for the words of an attribution."""
        art = self.art
        words = [t for t in np if t.text not in (",", ".")]
        lows = [w.low for w in words]
        if len(words) == 1 and lows[0] in PRONOUNS:
            return self._pronoun(lows[0], pos)
        while words and (words[0].low in DETERMINERS and words[0].low not in ("both", "two")):
            words = words[1:]
        if not words:
            return None, "unknown"
        lows = [w.low for w in words]
        if lows[0] in ("both", "two") and len(words) >= 2 and (lows[-1] in GROUPS or lows[-1] in ROLES):
            pair = self._last_two_people(pos)
            if pair:
                return pair, "group"
        last = words[-1]
        for k, w in enumerate(words[:-2]):
            if (w.low in ROLES or w.low in GROUPS) and words[k + 1].low in ("for", "at", "of", "from"):
                if not any(_person_like(x.text) and _bare(x.text) not in PLACES for x in words[:k]):
                    # "a spokesman for the Bank of England": the organisation speaks
                    runs = _runs(art.narr, words[k + 2].start, last.start + len(last.text))
                    if runs:
                        kind, name, _r, _f = _classify_run(runs[0][2], art)
                        if kind in ("org", "unknown", "agent", "place"):
                            return _strip_the(name), "org"
        if _is_cap(last.text) and all(_is_cap(w.text) for w in words) and _common_head(last.low):
            if all(art.sentence_start(w.start) for w in words[:1]):  # "Analysts said", "Officials say"
                words = [*words[:-1], _Tok(last.low, last.start)]
                last = words[-1]
        caps = [w for w in words if _is_cap(w.text)]
        if _is_cap(last.text) and all(w.low.rstrip(".") in TITLES for w in caps) and (len(caps) > 1 or len(words) > 1):
            # "former Secretary General": a role without a name
            who = self._by_role(last.low.rstrip("."), pos)
            return (who, "person") if who else (_describe(words), "group")
        # the head is a description: role, group, organisation noun, document
        if not _is_cap(last.text):
            owner = [w for w in words[:-1] if _name_word(w) and w.low not in DEMONYMS]
            owner_name = _owner_name(owner, art)
            if owner_name and len(owner) > 1:
                runs = _runs(art.narr, owner[0].start, owner[-1].start + len(owner[-1].text))
                org_runs = [r for r in runs if _org_like(r[2])]
                if org_runs:  # "A Department of Health spokesman"
                    owner_name = " ".join(_bare(w) for w in org_runs[-1][2])
            definite = np[0].low in ("the", "its", "their", "his", "her") or lows[0] in ("the",)
            if last.low in ROLES:
                if owner_name:
                    return owner_name, "org"
                if definite:
                    who = self._by_role(last.low, pos)
                    if who:
                        return who, "person"
                return _describe(words), "group"
            if last.low in GROUPS:
                if owner_name:
                    return owner_name, "org"
                org = self._group_org(last.low, pos)
                if org:
                    return org, "group"
                return _describe(words), "group"
            if last.low in ORG_NOUNS or last.low in DOC_NOUNS:
                if owner_name:
                    if last.low in DOC_NOUNS:
                        art.doc_owner[last.low] = owner_name  # "the IPAC report" … later "the report"
                    return owner_name, "org"
                org = self._org_by_noun(last.low, pos)
                if org:
                    return org, "org"
                return _describe(words), "org"
            first = np[0].low if np else ""
            if first == "the" and last.text.isalpha():
                who = self._by_role(last.low, pos)  # "the photographer" after "photographer Johan Bavman"
                if who:
                    return who, "person"
            if first == "the" and (last.low in PERSON_NOUNS or last.low.endswith("-year-old")):
                who, kind = self._pronoun("she" if last.low in FEMALE_NOUNS else "he", pos)
                if who:
                    return who, kind
            # a description we cannot resolve ("his mother"): better than nothing, never a guessed name
            return _describe([t for t in np if t.low not in ("the", "a", "an")]), "group"
        # the head is a name: take the last capitalised run
        a = words[0].start
        b = words[-1].start + len(words[-1].text)
        runs = _runs(art.narr, a, b)
        if not runs:
            return None, "unknown"
        pick = runs[-1]
        if len(runs) > 1:
            # "Senator Sheldon Whitehouse of Rhode Island": the person, not the affiliation after "of"
            link = art.narr[runs[-2][1] : runs[-1][0]].strip().lower()
            if link in ("of", "from", "at", "of the", "at the", "from the"):
                k_prev, _n, _r, _f = _classify_run(runs[-2][2], art)
                k_last, _n, _r, _f = _classify_run(runs[-1][2], art)
                if k_prev == "person" and k_last in ("place", "org", "unknown"):
                    pick = runs[-2]
        run = list(pick[2])
        while run and run[0].lower() in CAP_STOP:
            run = run[1:]
        if not run:
            return None, "unknown"
        if len(run) == 1 and len(words) == 1 and art.sentence_start(words[0].start) and art.used_lowercase(run[0]):
            return None, "unknown"  # a common word that starts the sentence ("Mother calls it …")
        kind, name, _roles, _female = _classify_run(run, art)
        if kind is None:
            return None, "unknown"
        if kind == "org":
            return self._org_name(name), "org"
        if kind == "place":
            return name, "place"
        return art.full_name(name, pos), kind if kind != "unknown" else "agent"

    def _org_name(self, name: str) -> str:
        return _strip_the(name)

    def _pronoun(self, pron: str, pos: int) -> tuple[str | None, str]:
        art = self.art
        if pron in ("he", "she"):
            want = ("person", "agent")
        elif pron == "it":
            want = ("org", "agent")
        else:
            want = ("group", "org")
        fallback: _Mention | None = None
        for k, ms in enumerate(art.all_mentions_before(pos, PRONOUN_SENTENCES + 2)):
            cands = [m for m in ms if m.kind in want and self._gender_ok(m, pron)]
            subj = [m for m in cands if m.subject]
            if subj and k <= PRONOUN_SENTENCES:
                if k == 0:
                    return subj[-1].name, subj[-1].kind
                speakers = [m for m in subj if art.is_speaker(m)]
                pick = speakers[-1] if speakers else subj[0]
                return pick.name, pick.kind
            if cands and fallback is None:
                fallback = cands[-1]
        if fallback:
            return fallback.name, fallback.kind
        if pron in ("he", "she") and art.p.title:
            for _s, _e, toks in _runs(art.p.title, 0, len(art.p.title)):
                kind, name, _r, _f = _classify_run(toks, art)
                if kind in ("person", "agent"):
                    return art.full_name(name, pos), "person"
        return None, "unknown"

    def _gender_ok(self, m: _Mention, pron: str) -> bool:
        female = self.art.gender.get(m.name)
        if female is None:
            female = m.female if m.female is not None else self.art.person(m.name.split()[-1]).female
        if female is None:
            return True
        return female == (pron == "she")

    def _last_two_people(self, pos: int) -> str | None:
        seen: list[str] = []
        for ms in self.art.all_mentions_before(pos, 3):
            for m in reversed(ms):
                if m.kind == "person" and m.name not in seen:
                    seen.append(m.name)
                if len(seen) == 2:
                    return f"{seen[1]} and {seen[0]}"
        return None

    def _by_role(self, role: str, pos: int) -> str | None:
        """The person last introduced with this role ("Yukos spokesman Alexander Shadrin", "Dmitry
        Lukashov, an analyst at …") before ``pos``."""
        art = self.art
        if not role.replace("-", "").isalpha():
            return None
        best = None
        for m in _role_pattern(role).finditer(art.narr, max(0, pos - ROLE_WINDOW), pos):
            best = m
        if best is None:
            return None
        name = best.group("a") or best.group("b")
        kind, nm, _r, _f = _classify_run(name.split(), art)
        if kind == "person" or (kind in ("agent", "unknown") and best.group("a")):
            return art.full_name(nm, best.start())
        return None

    def _group_org(self, group: str, pos: int) -> str | None:
        art = self.art
        best = None
        for p, g, org in art.group_orgs:
            if g == group and p < pos:
                best = org
        return best

    def _org_by_noun(self, noun: str, pos: int) -> str | None:
        """The organisation a description refers to: one named with that noun, the author of an earlier
        "X report", or the last organisation that spoke or acted."""
        art = self.art
        if noun in DOC_NOUNS and noun in art.doc_owner:
            return art.doc_owner[noun]
        fallback = None
        for ms in art.all_mentions_before(pos, 8):
            for m in reversed(ms):
                if m.kind != "org" and not (m.kind == "agent" and noun not in DOC_NOUNS):
                    continue
                if noun in m.name.lower().split():
                    return m.name
                if fallback is None and (m.subject or art.is_speaker(m)):
                    fallback = m.name
        return fallback


def _person_like(tok: str) -> bool:
    """A capitalised word that can end a person's name (not an organisation's or a title)."""
    return _name_shaped(tok) and _bare(tok) not in ORG_HEADS and _bare(tok) not in PLACES


def _strong_np(np: list[_Tok]) -> bool:
    """A speaker phrase that cannot be a noun phrase in front of a noun ("the caucus state"): a name,
    a pronoun, or a role, group or organisation noun at its end."""
    last = np[-1]
    if last.low in PRONOUNS or _common_head(last.low):
        return True
    return _name_word(last)


def _plain_word(t: _Tok) -> bool:
    """A lower-case word that can be part of a noun phrase (not a function word, verb or auxiliary)."""
    low = t.low
    return (
        t.text == low
        and (low.replace("-", "").isalpha() or low.endswith("-year-old"))
        and low not in _FUNCTION_WORDS
        and low not in CUE_VERBS
        and low not in AUX
        and low not in PRONOUNS
    )


@lru_cache(maxsize=256)
def _role_pattern(role: str) -> re.Pattern[str]:
    """ "role Name Surname" or "Name Surname, a … role" for one role word."""
    cap = r"[^\W\d_a-z][\w’'\-]*"
    particle = r"(?:(?:bin|ibn|al|de|da|van|von|der|du|la|le)[^\S\n]+)?"
    return re.compile(
        rf"(?<![\w\-])(?i:{role})s?[^\S\n]+(?P<a>(?:{cap}\.?[^\S\n]+{particle}){{0,3}}{cap})"
        rf"|(?P<b>{cap}(?:[^\S\n]+{cap}){{1,3}}),[^\S\n]+(?:an?|the)[^\S\n]+(?:[\w’'\-]+[^\S\n]+){{0,4}}?(?i:{role})\b"
    )


def _common_head(low: str) -> bool:
    return low in GROUPS or low in ROLES or low in ORG_NOUNS or low in DOC_NOUNS or low in PERSON_NOUNS


def _trim_np(np: list[_Tok]) -> list[_Tok]:
    """Drop sentence-initial words that are not part of a speaker's name ("But", "However")."""
    while len(np) > 1 and np[0].low in CAP_STOP and np[0].low not in DETERMINERS:
        np = np[1:]
    return np


def _owner_name(owner: list[_Tok], art: _Article) -> str | None:
    """Who a description belongs to: "Infineon’s spokesperson" → Infineon, "a Kremlin spokesman" → Kremlin."""
    poss = [k for k, t in enumerate(owner) if _is_possessive(t.text)]
    if poss:  # "Amnesty's Afghanistan researcher": the possessive run
        k = poss[-1]
        j = k
        while j > 0 and _is_cap(owner[j - 1].text) and not _is_possessive(owner[j - 1].text):
            j -= 1
        run = [_bare(t.text) for t in owner[j : k + 1]]
    else:
        run = [_bare(t.text) for t in owner if t.text not in PLACES and t.low not in DEMONYMS]
    return " ".join(run) if run else None


def _describe(words: list[_Tok]) -> str:
    return " ".join(w.text for w in words)


# --------------------------------------------------------------------------- classification


_CUE_WORD = re.compile(r"\b(?:" + "|".join(sorted(CUE_VERBS | {"according", "by"}, key=len, reverse=True)) + r")\b")


def _title_case(content: str) -> bool:
    ws = _WORD.findall(content)
    sig = [w for w in ws if w.lower() not in _SMALL_WORDS]
    return bool(sig) and all(w[:1].isupper() or w[:1].isdigit() for w in sig)


def _plausible(q: _Span, art: _Article) -> bool:
    """Cheap checks before attribution: not in a headline-like line, not a name or a title."""
    if art.headline[q.para]:
        return False
    lead = art.narr[max(art.paras[q.para][0], q.mark_start - 40) : q.mark_start]
    if _NAMING.search(lead):
        return False
    # a title or a name ("Bypassing the Blockade," "I Will Always Love You,")
    return not _title_case(art.text[q.start : min(q.end, q.start + 400)])


def _cue_near(art: _Article, q: _Span) -> bool:
    """Whether a speech verb stands in the quote's sentence (a short quote needs one)."""
    sa, sb = art.sentences[art.sentence_of(q.start)]
    a = max(sa, q.mark_start - BEFORE_CHARS)
    b = min(sb, q.mark_end + AFTER_CHARS)
    return _CUE_WORD.search(art.narr, a, b) is not None


def _keep(q: _Span, art: _Article, att: _Attribution | None, nw: int) -> bool:
    """A quote is speech: long enough, or attributed."""
    content = art.text[q.start : q.end].strip()
    if nw == 0:
        return False
    if nw >= SPEECH_WORDS:
        return True
    if att is None:
        return False
    if nw == 1 and not content[:1].islower():
        return False
    return att.cue.lower() not in WEAK_CUES or att.cue_pos < q.start or nw >= 2


# --------------------------------------------------------------------------- public API


def quotes_from_prepared(prepared: Prepared) -> list[Quote]:
    """Direct quotes of a prepared article with their speakers, in text order."""
    text = prepared.text
    if not text or getattr(prepared, "problem", None):
        return []
    if not any(c in text for c in "\"“”‘'"):
        return []
    art = _Article(prepared)
    if not art.spans:
        return []
    res = _Resolver(art)
    spans = [q for q in art.spans if _plausible(q, art)][:MAX_QUOTES]
    # pass 1: direct attributions (their speakers' names are "agents" for pronoun resolution)
    atts: list[_Attribution | None] = []
    for q in spans:
        nw = len(_WORD.findall(art.text, q.start, q.end))
        att = res.direct(q) if nw >= SPEECH_WORDS or _cue_near(art, q) else None
        atts.append(att)
        q.keep = _keep(q, art, att, nw)
        if att and q.keep:
            words = [t for t in att.np if _is_cap(t.text)]
            if words:
                art.agents.add(_bare(words[-1].text).lower())
    # pass 2: resolve in text order; carry over to quotes without an attribution
    out: list[Quote] = []
    prev: _Span | None = None
    for q, att in zip(spans, atts, strict=True):
        if not q.keep:
            continue
        si = art.sentence_of(q.start)
        q.sentence = art.sentences[si]
        if att is not None:
            speaker, kind = res.resolve(att.np, att.np[0].start if att.np else att.cue_pos)
            q.cue, q.cue_pos, q.speaker, q.kind = att.cue, att.cue_pos, speaker, kind
            q.mention = prepared.original_slice(att.np[0].start, att.np[-1].start + len(att.np[-1].text))
            q.direct = True
            if speaker and len(att.np) == 1 and att.np[0].low in ("he", "she"):
                art.gender.setdefault(speaker, att.np[0].low == "she")
            if speaker:
                art.add_speaker(_Mention(att.cue_pos, speaker, kind, True, art.sentence_of(att.cue_pos)))
        else:
            _carry_over(q, prev, art, res)
            if q.speaker:
                art.add_speaker(_Mention(q.start, q.speaker, q.kind or "agent", True, si))
        prev = q
        a, b = prepared.span(q.start, q.end)
        sa, sb = q.sentence
        sa, sb = max(sa, q.mark_start - SENTENCE_MAX), min(max(sb, q.mark_end), q.mark_end + SENTENCE_MAX)
        out.append(
            Quote(
                text=prepared.original_slice(q.start, q.end),
                speaker=q.speaker,
                cue=q.cue,
                sentence=prepared.original_slice(sa, sb).strip(),
                start=a,
                end=b,
                speaker_mention=q.mention,
            )
        )
    return out


def _carry_over(q: _Span, prev: _Span | None, art: _Article, res: _Resolver) -> None:
    """A quote without an attribution of its own continues the latest speaker before it.

    The window is the quote's paragraph, and the paragraph before when the quote opens its own
    (quote-only paragraphs continue the previous speaker). The later of the previous quote's
    attribution and the last speech verb in the narrative ("O’Sullivan acknowledged that …") wins.
    """
    pa = art.paras[q.para][0]
    lo = pa
    if q.para > 0 and not art.narr[pa : q.mark_start].replace(_PH, "").strip():
        k = q.para - 1
        while k > 0 and art.paras[k][0] == art.paras[k][1]:
            k -= 1
        if not art.headline[k]:
            lo = art.paras[k][0]
    si = art.sentence_of(q.start)
    lo = max(lo, q.mark_start - CARRY_CHARS, art.sentences[max(0, si - CARRY_SENTENCES)][0])
    best_pos = -1
    if prev is not None and prev.speaker and prev.mark_end > lo:
        best_pos = max(prev.cue_pos, prev.mark_start)
        q.speaker, q.cue, q.kind = prev.speaker, prev.cue, prev.kind
    toks = _tokens(art.narr[lo : q.mark_start], lo)
    for c in range(len(toks) - 1, -1, -1):
        t = toks[c]
        if t.start <= best_pos:
            return
        if _is_cue(t) and t.low not in WEAK_CUES and t.low not in TRAILING_ONLY and t.low not in NOUN_CUES:
            att = res._cue_at(toks, c)
            if att and att.np:
                speaker, kind = res.resolve(att.np, att.np[0].start)
                if speaker:
                    q.speaker, q.cue, q.kind = speaker, att.cue, kind
            return


def _only_quotes_between(art: _Article, a: _Span, b: _Span) -> bool:
    """True when nothing but quotes and blank lines stands between two quotes (BBC continuation paragraphs)."""
    between = art.narr[a.mark_end : b.mark_start]
    return not between.replace(_PH, "").strip(" \n,.;:") and b.para - a.para <= 2


def extract_quotes(text: str) -> list[Quote]:
    """Direct quotes of an article with their speakers."""
    return quotes_from_prepared(prepare(text))
