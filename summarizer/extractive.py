"""Extractive summaries: our position-aware centrality ranker, Lead-k, and every sumy algorithm.

The default ranker is unsupervised and deterministic. Each sentence of the article's opening
(at most :data:`MAX_CANDIDATES` sentences) is scored by

    (centrality / max centrality + LEAD_WEIGHT * exp(-position / LEAD_DECAY)) * length prior

where centrality is a directed degree over TF-IDF cosine similarities (PacSum's idea: a sentence
matters when what follows it picks up its words, so edges to later sentences count fully and edges
to earlier ones by BACKWARD_WEIGHT), and the length prior is a wide Gaussian over the number of words
(ROUGE F1 and readers both prefer sentences of the reference's length). Sentences that open with a
quotation are weighed down (summaries report, they rarely quote). Headings, fragments, photo
captions (``Prepared.asides``) and pieces of a quotation split across sentences are never chosen, nor
a sentence that says again one chosen before it (``NEAR_DUPLICATE``). The best sentences come back in
document order.

sumy runs on our own sentences and words (``SumyTokenizer``, built on syntok), so no code path needs
NLTK's punkt data.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache
from typing import cast

import numpy as np

from .furniture import is_furniture_sentence
from .lexicon import stemmer, stop_words
from .models import Sentence, StoryArticle, Summary
from .text import Prepared, opens_mid_sentence, prepare, unbalanced_quote

DEFAULT_METHOD = "default"
SUMY_METHODS = ("lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic", "reduction", "edmundson")
METHODS = (DEFAULT_METHOD, "lead", *SUMY_METHODS)

# ---- quality-tuning constants (one place) ---------------------------------------------------------
# Chosen on shared/eval/summarization/dev.jsonl (150 CNN articles, 3 sentences, ROUGE F1 with
# stemming) by a small grid, then checked one constant at a time over the ranges in brackets: every
# such change keeps ROUGE-1 within 31.3-32.4 (chosen point 32.1, Lead-3 30.2), so none is a knife-edge
# and none was pushed to its DEV maximum. `python bench/quality.py` reproduces the chosen point.
LEAD_WEIGHT = 1.0  # weight of the position prior against normalised centrality [0.5, 2]
LEAD_DECAY = 3.0  # sentences; the position prior falls by e every LEAD_DECAY sentences [2, 6]
BACKWARD_WEIGHT = 0.5  # similarity to earlier sentences, relative to later ones [0, 1]
LENGTH_MEAN = 20.0  # words; centre of the length prior [15, 25]
LENGTH_SD = 15.0  # words; width of the length prior [10, 25]
QUOTE_PENALTY = 0.5  # factor for a sentence that opens with a quotation mark [0.3, 1]
DANGLING_PENALTY = 0.75  # factor for a sentence that opens leaning on the one before ("But ...", "It ...")
MAX_CANDIDATES = 60  # sentences of the opening considered (speed bound; a summary never reaches it)
MIN_WORDS = 4  # shorter "sentences" (fragments, captions) are never chosen
# A sentence whose words (numbers included, case and punctuation ignored) match one already chosen this closely
# (difflib ratio) says it again: a paragraph or a caption printed twice, a deck repeated as the lead. 0.9 lets one word
# in ten differ ("who"/"that" in a 24-word sentence: 0.96) and keeps "She thought she was dead." apart from "She
# thought he was dead." (0.8).
NEAR_DUPLICATE = 0.9
# ----------------------------------------------------------------------------------------------------

# (a quotation's opening word is the speaker's, and QUOTE_PENALTY weighs it already; "This week", "So far" and "His
# Excellency" lean on nothing)
_DANGLING = re.compile(
    r"\s*(?:And|But|So|Yet|Or|However|Instead|Still|Also|Meanwhile|That|This|These|Those|It|They|He|She|"
    r"His|Her|Their|Its|Such)\b"
    r"(?!\s+(?:week|weekend|month|year|morning|afternoon|evening|time|far|Excellency|Holiness|Majesty)\b)"
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# The same words in lower-case ASCII text, where a letter is a-z and ’ cannot occur; a plain range is
# much cheaper for the regex engine than the Unicode letter class.
_ASCII_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


def _lower_words(text: str) -> list[str]:
    """Lower-case words of ``text`` (letters, with inner apostrophes)."""
    low = text.lower()
    return (_ASCII_WORD if low.isascii() else _WORD).findall(low)


class _StemCache(dict[str, "str | None"]):
    """word -> its stem, or None for a stop word; filled on lookup, bounded so a long-running bot does not grow."""

    def __missing__(self, word: str) -> str | None:
        if len(self) >= _MAX_STEMS:
            self.clear()
        stem = None if word in stop_words() else stemmer()(word)
        self[word] = stem
        return stem


_MAX_STEMS = 200_000
_STEMS = _StemCache()


def _terms(words: Sequence[str]) -> list[str]:
    """Content-word stems of lower-case words (stop words left out)."""
    return [t for t in map(_STEMS.__getitem__, words) if t is not None]


def _tfidf(sentences: Sequence[str], words: Sequence[Sequence[str]] | None = None) -> np.ndarray:
    """Unit-length TF-IDF rows (sublinear tf, idf over the given sentences); ``words``: their lower-case words."""
    if words is None:
        words = [_lower_words(s) for s in sentences]
    terms = [_terms(ws) for ws in words]
    vocab: dict[str, int] = {}
    cols = [vocab.setdefault(t, len(vocab)) for ts in terms for t in ts]
    n, v = len(sentences), max(1, len(vocab))
    rows = np.repeat(np.arange(n, dtype=np.int64), [len(ts) for ts in terms])
    m = np.bincount(rows * v + np.asarray(cols, dtype=np.int64), minlength=n * v)
    m = m.reshape(n, v).astype(float)
    df = (m > 0).sum(axis=0)
    x = np.log1p(m) * np.log((n + 1) / (df + 0.5))
    norm = np.linalg.norm(x, axis=1)
    norm[norm == 0] = 1.0
    unit_rows: np.ndarray = x / norm[:, None]
    return unit_rows


_CLOSERS = '"”’)]'
_CLOSING_QUOTES = '"”’'
_ELLIPSES = ("...", "…")


def ends_like_a_sentence(text: str) -> bool:
    """. ! ? or … at the end, perhaps followed by closing quotes or brackets (no regex scan of the sentence); not a
    teaser cut off mid-sentence ("ABC, NBC, CBS, and CNN, citing unidentified law enforcement...").

    An ellipsis ends a sentence when a quotation trails off with it ('"It just seemed like (it) was regular ..."') or
    when a sentence ended before it ("And that's what Afghanistan was. ...", "curfew went into effect...."); after a
    word or a comma, it is where a feed or a photo caption cut the text.
    """
    t = text.rstrip()
    body = t.rstrip(_CLOSERS)
    if body[-1:] not in (".", "!", "?", "…"):
        return False
    if not body.endswith(_ELLIPSES) or any(q in t[len(body) :] for q in _CLOSING_QUOTES):
        return True
    before = body.removesuffix("...").removesuffix("…").rstrip()
    return before[-1:] in (".", "!", "?")


_OPENING_QUOTES = '"“'
_NEWLINE = re.compile("\n")


def _running_quotation(lines: Sequence[str]) -> list[bool]:
    """Which paragraphs belong to a quotation running over several paragraphs.

    News runs a long quotation over paragraphs by opening a quote mark at each paragraph and closing it at the last
    only: a paragraph is in such a run when it opens with a quote mark and either leaves it open before a paragraph
    that opens with one, or follows a paragraph that left one open.
    """
    opens = [line.lstrip()[:1] in _OPENING_QUOTES for line in lines]
    left_open = [o and unbalanced_quote(line) for o, line in zip(opens, lines, strict=True)]
    n = len(lines)
    return [
        opens[k] and ((left_open[k] and k + 1 < n and opens[k + 1]) or (k > 0 and left_open[k - 1])) for k in range(n)
    ]


def whole_quotes(prepared: Prepared, n: int) -> list[bool]:
    """Which of the first n sentences hold no piece of a quotation split across sentences (``unbalanced_quote``),
    the marks of a quotation running over paragraphs aside (:func:`_running_quotation`).

    Inside such a run a paragraph's opening mark belongs to the run, not to the sentence it touches: the sentences
    are the speaker's words, whole, and the paragraph's mark tells the reader they are quoted.
    """
    spans = prepared.sentence_spans[:n]
    if not spans:
        return []
    # the paragraphs (lines) of the prepared text, up to the one after the last sentence's
    text = prepared.text
    after = text.find("\n", spans[-1][1])
    last = -1 if after < 0 else text.find("\n", after + 1)
    text = text if last < 0 else text[:last]
    starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
    ends = [*(k - 1 for k in starts[1:]), len(text)]
    running = _running_quotation([text[a:b] for a, b in zip(starts, ends, strict=True)])
    out = []
    for a, b in spans:
        t = text[a:b].strip()
        if not unbalanced_quote(t):
            out.append(True)
            continue
        # a paragraph's own opening mark, in a run (its last paragraph, closed, is one sentence: the splitter keeps a
        # closed quotation whole)
        k = bisect_right(starts, a) - 1
        opener = running[k] and not text[starts[k] : a].strip() and t[:1] in _OPENING_QUOTES
        out.append(opener and not unbalanced_quote(t[1:]))
    return out


def _prose_mask(prepared: Prepared, n: int) -> list[bool]:
    """Which of the first n sentences are the story's prose (not photo captions)."""
    if not prepared.asides:
        return [True] * n
    return [not prepared.in_aside(a, b) for a, b in prepared.sentence_spans[:n]]


@lru_cache(maxsize=64)
def _triangles(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the cells on or below the diagonal and strictly below it, of an n x n matrix (read-only)."""
    masks = np.tri(n, n, 0, dtype=bool), np.tri(n, n, -1, dtype=bool)
    for m in masks:
        m.flags.writeable = False
    return masks


@lru_cache(maxsize=64)
def _position_prior(n: int) -> np.ndarray:
    """exp(-position / LEAD_DECAY) of n sentences (read-only)."""
    prior = np.exp(-np.arange(n) / LEAD_DECAY)
    prior.flags.writeable = False
    return prior


def _scores(
    sentences: Sequence[Sentence], prose: Sequence[bool] | None = None, whole: Sequence[bool] | None = None
) -> np.ndarray:
    """Position-aware centrality of each sentence (see the module docstring); -inf when not eligible.

    ``prose``: which sentences are the story's prose (:func:`_prose_mask`); ``whole``: which hold no piece of a
    quotation split across sentences (:func:`whole_quotes`; by default, ``not unbalanced_quote`` of each).
    """
    n = len(sentences)
    texts = [s.text for s in sentences]
    words = [_lower_words(t) for t in texts]
    x = _tfidf(texts, words)
    sim = x @ x.T
    np.fill_diagonal(sim, 0.0)
    on_or_below, below = _triangles(n)  # what np.triu(sim, 1) and np.tril(sim, -1) compute, masks built once
    later = np.where(on_or_below, 0.0, sim).sum(axis=1)
    earlier = np.where(below, sim, 0.0).sum(axis=1)
    centrality = later + BACKWARD_WEIGHT * earlier
    top = centrality.max() if n else 0.0
    if top > 0:
        centrality = centrality / top
    position = _position_prior(n)
    length = np.array([len(ws) for ws in words], dtype=float)
    prior = np.exp(-0.5 * ((length - LENGTH_MEAN) / LENGTH_SD) ** 2)
    quote = np.array([QUOTE_PENALTY if t.lstrip()[:1] in "\"“‘'" else 1.0 for t in texts])
    # a sentence that leans on the one before ("And ...", "But ...", "It ...") reads wrongly without it
    leans = np.array([1.0 if i == 0 or not _DANGLING.match(t) else DANGLING_PENALTY for i, t in enumerate(texts)])
    score = (centrality + LEAD_WEIGHT * position) * prior * quote * leans
    # eligible: ends like a sentence, has a few words, is not a fragment of a quotation or of a broken sentence
    # (furniture inside a paragraph is left out as the summary is chosen: summarize_prepared)
    ok = np.array(
        [
            len(ws) >= MIN_WORDS
            and ends_like_a_sentence(t)
            and (whole[i] if whole is not None else not unbalanced_quote(t))
            and not opens_mid_sentence(t)
            and (prose is None or prose[i])
            for i, (t, ws) in enumerate(zip(texts, words, strict=True))
        ],
        dtype=bool,
    )
    return np.where(ok, score, -np.inf)


def _check(sentences: int, method: str) -> None:
    if isinstance(sentences, bool) or not isinstance(sentences, int):
        raise TypeError(f"sentences must be int, not {type(sentences).__name__}")
    if sentences < 1:
        raise ValueError(f"sentences must be at least 1, got {sentences}")
    if method not in METHODS:
        raise ValueError(f"unknown summary method {method!r}; choose one of: {', '.join(METHODS)}")


def _empty_reason(prepared: Prepared) -> str | None:
    if prepared.problem:
        return prepared.problem
    if not prepared.text.strip():
        return "no article text left after removing site boilerplate" if prepared.original.strip() else "empty text"
    if not prepared.sentences:
        return "no sentences found"
    return None


def _tokens(text: str) -> list[str]:
    """Lower-case words and numbers of a sentence, in order (the near-duplicate test's units)."""
    return _TOKEN.findall(text.lower())


_TOKEN = re.compile(r"[^\W_]+")


def _says_again(tokens: Sequence[str], chosen: Sequence[Sequence[str]]) -> bool:
    """Whether a sentence's tokens repeat those of a sentence already chosen (``NEAR_DUPLICATE``)."""
    return any(difflib.SequenceMatcher(None, tokens, c, autojunk=False).ratio() >= NEAR_DUPLICATE for c in chosen)


def _news(order: Sequence[int], cand: Sequence[Sentence], k: int) -> list[int]:
    """The first k of ``order`` that are not page furniture inside a paragraph (summarizer.furniture: a tweet's embed
    notice, a sign-up box) nor a repeat of one taken before them; read lazily, as most are chosen before the furniture
    test has read many."""
    taken: list[int] = []
    said: list[list[str]] = []
    for i in order:
        if len(taken) == k:
            break
        if is_furniture_sentence(cand[i].text):
            continue
        tokens = _tokens(cand[i].text)
        if _says_again(tokens, said):
            continue
        taken.append(i)
        said.append(tokens)
    return taken


def summarize_prepared(prepared: Prepared, sentences: int = 3, method: str = DEFAULT_METHOD) -> Summary:
    """Summary of an already prepared article: ``sentences`` sentences in document order."""
    _check(sentences, method)
    reason = _empty_reason(prepared)
    if reason:
        return Summary(sentences=(), method=method, reason=reason)
    body = prepared.sentences
    if method == "lead":
        prose = _prose_mask(prepared, len(body))
        chosen = [s for s, ok in zip(body, prose, strict=True) if ok][:sentences]
    elif method == DEFAULT_METHOD:
        cand = body[:MAX_CANDIDATES]
        score = _scores(cand, _prose_mask(prepared, len(cand)), whole_quotes(prepared, len(cand)))
        ranked = np.argsort(-score, kind="stable")
        order: list[int] = ranked[np.isfinite(score[ranked])].tolist()
        picked = _news(order, cand, sentences)
        if not picked:  # nothing reads as a full sentence (headings only): the prose's lead
            picked = _news([i for i, ok in enumerate(_prose_mask(prepared, len(cand))) if ok], cand, sentences)
        chosen = [cand[i] for i in sorted(picked)]
    else:
        chosen = _sumy(body, sentences, method)
    return Summary(
        sentences=tuple(chosen), method=method, reason=_short_reason(len(chosen), sentences, len(body), method)
    )


def _short_reason(got: int, asked: int, total: int, method: str) -> str | None:
    """Why a summary has fewer sentences than asked: the article (its usable sentences, a repeat counted once), or
    the ranker reading only its first MAX_CANDIDATES sentences."""
    if got >= asked:
        return None
    usable = f"{got} distinct usable sentence{'s' if got != 1 else ''}"
    if method == DEFAULT_METHOD and total > MAX_CANDIDATES:
        return f"only {usable} in the first {MAX_CANDIDATES} of the article's {total} sentences (the summary reads no further)"
    return f"the article has only {usable}"


def summarize(text: str, sentences: int = 3, method: str = DEFAULT_METHOD) -> Summary:
    """Extractive summary of one article (raw text; boilerplate is removed first)."""
    _check(sentences, method)
    return summarize_prepared(prepare(text), sentences=sentences, method=method)


def summarize_story(articles: Sequence[StoryArticle], sentences: int = 3, words: int | None = None) -> Summary:
    """Summary of one story told by several outlets, without saying the same fact twice.

    A thin adapter over :func:`summarizer.story.summarize_members` (cluster-wide concept coverage; see
    that module) for callers holding :class:`StoryArticle`: ``Sentence.article`` says which input
    article each sentence came from and its offsets are into that article's text. Sentences come
    most agreed-on first. With ``words``, the best whole sentences fitting that many words.
    """
    from .story import StoryMember, summarize_members

    _check(sentences, DEFAULT_METHOD)
    if isinstance(articles, (str, bytes)) or not isinstance(articles, Sequence):
        raise TypeError("articles must be a sequence of StoryArticle")
    for k, article in enumerate(articles):
        if not isinstance(article, StoryArticle):
            raise TypeError(f"articles[{k}] must be StoryArticle, not {type(article).__name__}")
    members = [StoryMember(text=a.text, title=a.title, link=a.source) for a in articles]
    story = summarize_members(members, sentences=sentences if words is None else None, words=words)
    chosen = tuple(
        Sentence(text=s.text, start=s.start, end=s.end, index=s.index, article=s.doc) for s in story.sentences
    )
    return Summary(sentences=chosen, method=DEFAULT_METHOD, reason=story.reason)


# --------------------------------------------------------------------------- sumy


class SumyTokenizer:
    """sumy's tokenizer interface on our sentence splitter and syntok's word tokenizer (no NLTK data)."""

    _IS_WORD = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’-])*$")

    def __init__(self, language: str = "english") -> None:
        from syntok.tokenizer import Tokenizer

        self.language = language
        self._tokenizer = Tokenizer(replace_not_contraction=False)

    def to_sentences(self, text: str) -> tuple[str, ...]:
        """Sentences of a paragraph."""
        from .text import sentence_spans

        return tuple(text[a:b].strip() for a, b in sentence_spans(text))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """Words of a sentence (punctuation and numbers left out, as sumy's own tokenizer does)."""
        return tuple(t.value for t in self._tokenizer.tokenize(sentence) if self._IS_WORD.match(t.value))


@cache
def _sumy_summarizer(method: str) -> Callable[..., object]:
    """A configured sumy summarizer (built once per method)."""
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.edmundson import EdmundsonSummarizer
    from sumy.summarizers.kl import KLSummarizer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.reduction import ReductionSummarizer
    from sumy.summarizers.sum_basic import SumBasicSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    class _SortedLsa(LsaSummarizer):  # type: ignore[misc]  # sumy ships no type information
        """LSA with its dictionary in sorted order, so the result does not depend on the hash seed."""

        def _create_dictionary(self, document):  # type: ignore[no-untyped-def]
            words = (self.normalize_word(w) for w in document.words)
            unique = sorted({self.stem_word(w) for w in words if w not in self._stop_words})
            return {w: i for i, w in enumerate(unique)}

    classes = {
        "lexrank": LexRankSummarizer,
        "textrank": TextRankSummarizer,
        "lsa": _SortedLsa,
        "luhn": LuhnSummarizer,
        "kl": KLSummarizer,
        "sumbasic": SumBasicSummarizer,
        "reduction": ReductionSummarizer,
        "edmundson": EdmundsonSummarizer,
    }
    summarizer = classes[method](Stemmer("english"))
    stop = stop_words()
    if method == "edmundson":
        # Edmundson's location method (as the published baseline): null words are the stop words.
        summarizer.null_words = stop
        return cast(Callable[..., object], summarizer.location_method)
    summarizer.stop_words = stop
    return cast(Callable[..., object], summarizer)


def _sumy(body: Sequence[Sentence], sentences: int, method: str) -> list[Sentence]:
    """Run one sumy algorithm on our sentences; map its choice back to them."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph
    from sumy.models.dom import Sentence as SumySentence

    tokenizer = SumyTokenizer()
    objs = [SumySentence(s.text, tokenizer) for s in body]
    where = {id(o): i for i, o in enumerate(objs)}
    document = ObjectDocumentModel([Paragraph(objs)])
    picked = cast(Iterable[object], _sumy_summarizer(method)(document, sentences))
    idx = sorted({where[id(o)] for o in picked if id(o) in where})
    return [body[i] for i in idx]
