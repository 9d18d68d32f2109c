"""What figures.py reads numbers with: number words, magnitudes, currencies, units and the regexes built
from them (the scanner and its importance scoring stay in :mod:`summarizer.figures`).

Word lists are data (``summarizer/data/figure_lexicon.txt``); the tables here map words to values and
the regexes are the anchored readers :func:`summarizer.figures._scan` applies at each number.
"""

from __future__ import annotations

import re

from .wordlists import sections

_L = sections("figure_lexicon")  # word lists: summarizer/data/figure_lexicon.txt


def _wordset(words: str) -> frozenset[str]:
    """A set of the whitespace-separated words of a string (keeps long word lists readable)."""
    return frozenset(words.split())


_NUM_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1, "dozen": 12,
}  # fmt: skip
_MAGNITUDES = {
    "hundred": 1e2, "thousand": 1e3, "k": 1e3, "lakh": 1e5, "lakhs": 1e5, "million": 1e6, "mn": 1e6, "mln": 1e6,
    "m": 1e6, "crore": 1e7, "crores": 1e7, "billion": 1e9, "bn": 1e9, "bln": 1e9, "b": 1e9, "trillion": 1e12,
    "tn": 1e12, "trn": 1e12,
    # Russian's abbreviated magnitudes, as Russian outlets and their English copies write them ("₽10 трлн")
    "тыс": 1e3, "млн": 1e6, "млрд": 1e9, "трлн": 1e12,
}  # fmt: skip
_FRACTIONS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5,
    "sixth": 6, "sixths": 6, "seventh": 7, "sevenths": 7, "eighth": 8, "eighths": 8, "ninth": 9, "ninths": 9,
    "tenth": 10, "tenths": 10,
}  # fmt: skip
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
_SYMBOLS = {
    "US$": "USD", "U.S.$": "USD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD", "HK$": "HKD",
    "S$": "SGD", "NZ$": "NZD", "R$": "BRL", "$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₽": "RUB",
    "₹": "INR", "₩": "KRW", "₺": "TRY", "₴": "UAH", "Rs": "INR", "Rs.": "INR",
}  # fmt: skip
_CODES = sorted(_wordset(_L["codes"]))
_CURRENCY_WORDS = {
    "dollar": "USD", "euro": "EUR", "pound": "GBP", "sterling": "GBP", "rouble": "RUB", "ruble": "RUB",
    "yen": "JPY", "yuan": "CNY", "renminbi": "CNY", "rupee": "INR", "penny": "GBX", "pence": "GBX", "cent": "USD",
    "lira": "TRY", "hryvnia": "UAH", "hryvna": "UAH", "franc": "CHF", "won": "KRW", "rand": "ZAR", "riyal": "SAR",
    "dirham": "AED", "reais": "BRL", "zloty": "PLN", "krona": "SEK", "kronor": "SEK", "krone": "NOK",
    "kroner": "NOK", "p": "GBX", "buck": "USD",
}  # fmt: skip
# Currencies divided into cents: an amount in cents takes the text's currency among these (figures._cents_currency).
_CENT_CURRENCIES = frozenset(("USD", "EUR", "AUD", "CAD", "HKD", "SGD", "NZD", "TWD", "ZAR"))
_CENTS = re.compile(r"(?i)(?<![a-z])cents?\b")
_DOLLAR_NATIONS = {
    "us": "USD", "u.s.": "USD", "american": "USD", "australian": "AUD", "canadian": "CAD", "hong kong": "HKD",
    "singapore": "SGD", "new zealand": "NZD", "taiwan": "TWD",
}  # fmt: skip

# Measured units: (pattern, canonical unit, multiplier). Longer spellings first.
_UNIT_TABLE: list[tuple[str, str, float]] = [
    (r"square\s+kilomet(?:er|re)s?|square\s+km|sq\.?\s?km|km2|km²", "square kilometre", 1),
    (r"square\s+miles?|sq\.?\s?mi(?:les?)?", "square mile", 1),
    (r"square\s+met(?:er|re)s?|sq\.?\s?m|m²", "square metre", 1),
    (r"square\s+(?:feet|foot)|sq\.?\s?ft|ft²", "square foot", 1),
    (r"cubic\s+met(?:er|re)s?|cu\.?\s?m|m³", "cubic metre", 1),
    (r"bcm", "cubic metre", 1e9),
    (r"tcm", "cubic metre", 1e12),
    (r"barrels?\s+(?:of\s+(?:crude\s+)?oil\s+)?(?:a|per|each)\s+day|bpd|b/d", "barrels per day", 1),
    (r"mb/d|mbpd|mbd", "barrels per day", 1e6),
    (r"barrels?|bbl", "barrel", 1),
    (r"hectares?", "hectare", 1),
    (r"acres?", "acre", 1),
    (r"kilomet(?:er|re)s?|km", "kilometre", 1),
    (r"centimet(?:er|re)s?|cm", "centimetre", 1),
    (r"millimet(?:er|re)s?|mm", "millimetre", 1),
    (r"met(?:er|re)s?", "metre", 1),
    (r"miles?", "mile", 1),
    (r"feet|foot|ft", "foot", 1),
    (r"inch(?:es)?", "inch", 1),
    (r"metric\s+tons?|metric\s+tonnes?|tonnes?|tons?|t", "tonne", 1),
    (r"kilograms?|kilos?|kg", "kilogram", 1),
    (r"grams?", "gram", 1),
    (r"ounces?|oz", "ounce", 1),
    (r"lbs?|pounds?", "pound", 1),
    (r"litres?|liters?", "litre", 1),
    (r"gallons?", "gallon", 1),
    (r"terawatt[- ]hours?|TWh", "terawatt hour", 1),
    (r"gigawatt[- ]hours?|GWh", "gigawatt hour", 1),
    (r"megawatt[- ]hours?|MWh", "megawatt hour", 1),
    (r"kilowatt[- ]hours?|kWh", "kilowatt hour", 1),
    (r"gigawatts?|GW", "gigawatt", 1),
    (r"megawatts?|MW", "megawatt", 1),
    (r"kilowatts?|kW", "kilowatt", 1),
    (r"degrees?(?:\s+(?:Celsius|Fahrenheit|C|F))?|°C|°F", "degree", 1),
    (r"km/h|kph", "kilometre per hour", 1),
    (r"mph", "mile per hour", 1),
    (r"yards?|yds?", "yard", 1),
    (r"knots", "knot", 1),
    (r"points?|pts", "point", 1),
    (r"years?|yrs", "year", 1),
    (r"months?", "month", 1),
    (r"weeks?", "week", 1),
    (r"days?", "day", 1),
    (r"nights?", "night", 1),
    (r"hours?|hrs", "hour", 1),
    (r"minutes?|mins?", "minute", 1),
    (r"seconds?|secs", "second", 1),
    (r"decades?", "decade", 1),
    (r"centuries|century", "century", 1),
]
_DURATIONS = _wordset(_L["durations"])
# Short unit spellings that must touch the number or be followed by a non-letter to count ("5 t", "5t").
_PER_UNITS = (
    "barrel|bbl|tonne|ton|ounce|oz|share|kilogram|kg|kilo|litre|liter|gallon|megawatt[- ]hour|MWh|person|head|"
    "unit|month|year|week|day|hour|square\\s+met(?:re|er)|square\\s+(?:foot|feet)|sq\\.?\\s?(?:m|ft)|1,000\\s+cubic\\s+met(?:re|er)s|thousand\\s+cubic\\s+met(?:re|er)s|"
    "cubic\\s+met(?:re|er)"
)
_PER_CANON = {"bbl": "barrel", "ton": "tonne", "oz": "ounce", "kg": "kilogram", "kilo": "kilogram", "liter": "litre"}


def _square_unit(u: str) -> str | None:
    """The canonical name of an area unit written after "per" ("square meter", "sq ft"), else None."""
    if u.startswith(("square met", "sq m", "sq. m")):
        return "square metre"
    if u.startswith(("square f", "sq ft", "sq. ft", "sqft")):
        return "square foot"
    return None


# ---- regexes ------------------------------------------------------------------------------------

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?![a-z])\.?)"
)
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
# Regexes that scan the whole text start with a literal, a character class or a (?=...) guard, so
# the regex engine skips to candidate positions quickly (a leading \b or (?i:...) makes it try each one).
_DATE_M = re.compile(
    rf"""
    (?P<md>(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})(?:\s*(?:[-–—]|and|to|&)\s*(?:{_MONTH}\s+)?{_DAY})?(?![\d:,.]\d)
        (?:,?\s+(?P<y1>{_YEAR})(?!\d))?)
   |(?P<my>(?P<m3>{_MONTH})\s+(?:of\s+)?(?P<y3>{_YEAR})(?!\d))
    """,
    re.X,
)
_DATE_D = re.compile(
    rf"""(?=\d)(?<![\w.,])(?:
    (?P<dm>(?P<d2>{_DAY})(?:\s*(?:[-–—]|and|to)\s*{_DAY})?\s+(?:of\s+)?(?P<m2>{_MONTH})(?:,?\s+(?P<y2>{_YEAR})(?!\d))?)
   |(?P<iso>(?P<iy>{_YEAR})-(?P<im>0[1-9]|1[0-2])-(?P<id>0[1-9]|[12]\d|3[01])\b))
    """,
    re.X,
)
_JUNK_DIGIT = re.compile(
    r"""(?=[\d+(−])(?<![\w.,%])(?:
        (?P<numdate>(?P<n1>\d{1,2})([/.])(?P<n2>\d{1,2})\3(?P<n3>(?:19|20)\d{2})(?![\d/]|\.\d))
       |        (?P<phone>(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)\s?)?\d{2,5}(?:[\s.-]\d{2,5}){1,4}(?![\w,]|\.\d))
       |\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?i:[ap]\.?m\.?)(?!\w))?
       |\d{1,2}(?:\.\d{2})?\s*(?i:[ap]\.m\.|[ap]m\b|o['’]clock)
       |(?P<signed>[+−]\d+(?:[.,]\d+)?\s*%)
       |\d+\s*(?i:min|mins|minutes?)\s+(?i:read)\b
       |\d[\d,.]*\s*[KkM]?\s+(?i:views|comments|likes|reads)\b
       |\d{7,}(?![\d,])
        )""",
    re.X,
)
# What before a signed percentage ("−0.3%", "+12%") makes it prose, read as a figure: a word in lower case, maybe with
# an opening bracket or quote ("growth was −0.3%", "sales rose +12%", "shrank (−0.5%)"). Anywhere else (a line's start,
# after a price or a ticker's name: "USD/TRY 43.96 +0.08%") it is a market ticker's change: page junk (_JUNK_DIGIT).
_SIGNED_PROSE_LEFT = re.compile(r"(?<![\w'’&/.-])[a-z][a-z'’]*[ \t]+[(\[“‘\"']?\Z")
_JUNK_TEXT = (
    re.compile(r"(?=[hw\]])(?:https?://|www\.|\]\()[^\s)]*\)?"),
    re.compile(
        r"""(?=[©(cCGUA-Z])(?:(?:©|\((?i:c)\)\s*\d|(?i:copyright)\s+(?:©\s*)?\d)[^\n]*
       |(?:GMT|UTC)\s*[+-−]?\s*\d{1,2}(?::\d{2})?
       |[A-Z]{3}/[A-Z]{3}\b[\s\d.,+\-−%]*)""",
        re.X,
    ),
    re.compile(r"(?=[Rr])(?i:reading\s+time)[\s:]*\d+\s*(?i:min\w*)?"),
    re.compile(r"^\s*(?i:updated\s+)?\d+\s+(?i:hours?|hrs?|minutes?|mins?|days?|weeks?)\s+(?i:ago)\s*$", re.M),
    # datelines and caption dates opening a paragraph: "MOSCOW, Feb 24 (Reuters) -", "March 8, 2023 — "
    re.compile(
        r"^[ \t]*(?:[A-Z][A-Z .'’-]+,?[ \t]+)?(?:[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2}(?:,?[ \t]+\d{4})?|\d{1,2}[ \t]+"
        r"[A-Z][a-z]{2,8}\.?(?:[ \t]+\d{4})?)[ \t]*(?:\([^)\n]{1,40}\))?[ \t]*[-–—]",
        re.M,
    ),
)
# A photo caption: a short line with a photo credit ("… speaks in Brasilia. (Photo by Reuters)", "(AFP Photo)").
# GUIDELINES.md labels its figures (key: false), so they are kept but never key.
_CAPTION = re.compile(
    r"^[^\n]{0,400}?(?:\((?i:file\s+)?(?i:photo|image|picture|credit)\b|\b(?i:photo(?:graph)?)\s*(?:by\b|:)"
    r"|\bGetty\s+Images\b|\b(?:AP|AFP|EPA|Reuters|REUTERS)\s*(?:Photo\b|/))[^\n]{0,400}$",
    re.M,
)
_NW_SMALL = "two|three|four|five|six|seven|eight|nine"
_NW_TEEN = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_NW_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_NW = rf"(?:(?:{_NW_TENS})(?:[- ](?:one|{_NW_SMALL}))?|{_NW_TEEN}|{_NW_SMALL})"
_MAGW = "hundred|thousand|million|billion|trillion"
_FRAC = "|".join(_FRACTIONS)
_SMALL_NUM = rf"(?:\d{{1,3}}|{_NW}|one)"
# Words after a bare "half" / "a third" that end the figure ("more than half by 2030", "over half do").
_QFRAC_NEXT = (
    "by|in|on|at|to|for|from|since|across|over|under|within|during|do|does|did|are|were|was|is|have|has|had|will|"
    "would|could|can|and|or|but|than"
)
_COMPARATIVES = "less|more|fewer|lower|higher|smaller|larger|bigger|greater|cheaper|faster|slower"
_PERCENT_WORD = r"per\s?cent|percent|percentage"  # "half a percentage point", "a quarter percent"
# Thousands grouped by spaces (NBSP and thin spaces are spaces by now: text.normalize): "1 234", "12 345 678". Only a
# head of 1-3 digits (not 0) and groups of exactly three, with no digit after them ("1 234 5678") nor a hyphenated word
# ("2 100-year-old houses", "5 100-metre races": two numbers as often as one). The scanner starts no number one space
# after 1-3 digits (figures._NUMBER_LEFT), so a run that is no grouping gives no figure rather than its last part
# ("1 234 5678 tonnes" is not "5678 tonnes"; "12 34 tonnes" not "34 tonnes").
_SPACE_GROUPED = r"[1-9]\d{0,2}(?:[ ]\d{3})+(?![ ]?\d|[-‐‑][A-Za-z])"
# A decimal comma before a scale word: "€1,2 billion", "1,5 million refugees". Anywhere else a comma and one or two
# digits after a number ("€1,2", "2,5%") leave it unread: no figure rather than "€1".
_DECIMAL_SCALE = r"\s?(?i:million|billion|trillion|bn|bln|mn|mln|tn|trn)\b"
_CORE = re.compile(
    rf"""
    (?P<frac>(?i:(?<![-‐‑])\b(?:one|two|three|four|five|six|seven|eight|nine|a)-(?:{_FRAC})\b
        |\b(?:one|two|three|four|a)\s(?:{_FRAC})(?=\s+(?:of|as|{_COMPARATIVES}|{_PERCENT_WORD})\b|[.,;:)]|$)
        |\bhalf(?=\s+(?:of|the|its|their|all|as|an?\s+(?:{_PERCENT_WORD}))\b)
        |(?P<qfrac>\b(?:half|an?\s(?:{_FRAC}))(?=\s*[.,;:)!?]|\s+(?:{_QFRAC_NEXT})\b|$))))
   |(?P<words>(?i:\b(?:(?:half\s+)?an?\s+dozen
        |(?:{_NW})(?:\s+dozen)?(?:(?:[\s-]+(?:{_MAGW}))+(?:\s+and\s+{_NW}(?:[\s-]+(?:{_MAGW}))*)?)?
        |(?:an?|one|half[\s-]+an?)(?:[\s-]+(?:{_MAGW}))+(?:\s+and\s+{_NW}(?:[\s-]+(?:{_MAGW}))*)?
        |one(?=\s+in\s+(?:every\s+)?{_SMALL_NUM}\b))\b))
   |(?P<num>(?<![\w.,])(?:\d{{1,3}}(?:,\d{{3}})+|{_SPACE_GROUPED}|\d+(?P<dcomma>,\d{{1,2}}(?={_DECIMAL_SCALE}))?)
        (?:\.\d+)?(?!\d|,\d))
    """,
    re.X,
)  # used anchored (.match) at the positions _HIT finds
_HIT = re.compile(r"[A-Za-z]+|\d")
_HIT_WORDS = _wordset(_L["hit_words"]) | set(_FRACTIONS) | {"hundred", "thousand", "million", "billion", "trillion"}
_MONTH_WORDS = _wordset(_L["month_words"])
_HIT_OR_MONTH = _HIT_WORDS | _MONTH_WORDS
_LEAD_IN = re.compile(
    r"(?i)(?:\b(?:half[\s-]+)?an?|\bone|\btwo|\bthree|\bfour|\bfive|\bsix|\bseven|\beight|\bnine)[\s-]+$"
)

# Words before a number that change what it means; kept in the surface ("up to $500 billion").
_QUALIFIERS = frozenset(
    """up to|more than|less than|fewer than|just over|just under|well over|well under|over|under|nearly|almost|about|
    around|approximately|roughly|some|at least|at most|as many as|as much as|as few as|as little as|close to|below|
    above|in excess of|upwards of|a maximum of|a minimum of|no more than|no fewer than|no less than|not more than|
    barely|circa|between|an estimated|estimated""".replace("\n", "")
    .replace("    ", "")
    .split("|")
)
# The qualifiers that bound a figure from one side: a figure told as more than a value and one told as less than it
# are two quantities, whatever their number (summarizer.merge); "about" and none bound nothing, and merge with either.
_QUALIFIER_BOUNDS = dict.fromkeys(
    ("over", "more than", "above", "at least", "in excess of", "upwards of", "just over", "well over", "no fewer than",
     "no less than", "a minimum of"),
    "above",
) | dict.fromkeys(
    ("under", "less than", "below", "at most", "up to", "nearly", "almost", "fewer than", "just under", "well under",
     "no more than", "not more than", "a maximum of", "as many as", "as much as"),
    "below",
)  # fmt: skip
# Symbols before a number that qualify it as words do (">400 kg", "<$5 million", "~5,000 people", "c. 500 hectares"):
# each stands for the worded qualifier it is read as, so it shows in the surface and bounds the figure in merge alike.
_SYMBOL_QUALIFIERS = {
    ">": "more than", "<": "less than", "≥": "at least", ">=": "at least", "≤": "at most", "<=": "at most",
    "~": "about", "≈": "about", "c.": "circa", "ca.": "circa",
}  # fmt: skip
# "+" or "-plus" after a number ("20+ years", "1,000+", "26,000-plus followers") reads as "more than".
_PLUS_QUALIFIER = "more than"
# The symbol right before a figure, at most one space apart. Not one glued to a word, a number or another symbol:
# "p<0.05", "<b>20%", "->7%", "=>", ">>", "/~user/2024" (HTML remnants, arrows and URLs).
_SYMBOL_QUALIFIER = re.compile(r"(?:(?<![\w<>=~≈/–—-])(>=|<=|[<>≥≤~≈])|(?<![\w.])(ca?\.)) ?\Z")
# What before a symbol makes it an operator between two terms, not a qualifier: a number ("5 > 3", "$5bn > $3bn") or a
# one-letter variable ("p < 0.05", "n > 30"; not the article "a").
_SYMBOL_OPERAND = re.compile(r"(?:\d[\w.,%]*|(?<![\w.])[B-HJ-Zb-z])[ \t]*\Z")
_TAG_OPEN = re.compile(r"<[A-Za-z/!][^<>\n]*\Z")  # a ">" that closes an HTML tag left in the text (`<a href="x">`)
# A minus sign right before a number in digits or its currency symbol ("-40 degrees", "(−0.5%)", "lost –$3 billion",
# "minus 40 degrees"): a hyphen, minus or en dash with a space, a bracket, a quote or nothing before it, or the word
# "minus". Not one glued to a word or number before it, which joins ("COVID-19", "F-35", "5-10%", "Real 2-1",
# "2024-05-06"), nor the "-" of "+/-3" or the "minus" of "plus or minus 3 points", margins of error either way.
_MINUS_SIGN = re.compile(r"(?:(?<![^\s(\[{“‘\"'])([-−–])|(?i:(?<![\w/-])(?<!\bor\s)minus)\s+)\Z")
_SYMBOL_CHARS = frozenset("$£€¥₽₹₩₺₴")
_PREFIX_CUR = re.compile(
    r"(?:(US\$|U\.S\.\$|A\$|AU\$|C\$|CA\$|HK\$|S\$|NZ\$|R\$|[$£€¥₽₹₩₺₴]) ?|\b(Rs\.?|" + "|".join(_CODES) + r")\s?)\Z"
)
# A symbol written after its number ("25 € 300 seats left"): the next number does not take it across the space.
_POSTFIX_SYMBOL = re.compile(r"\d ?[$£€¥₽₹₩₺₴] \Z")
# A currency symbol then a minus sign before the number: "$-4.5 billion" (the symbol not glued to a word before it).
_SYMBOL_MINUS = re.compile(r"(?<![\w.,])(US\$|U\.S\.\$|A\$|AU\$|C\$|CA\$|HK\$|S\$|NZ\$|R\$|[$£€¥₽₹₩₺₴])[-−–]\Z")
_HYPHEN_WORD = re.compile(r"([A-Za-z]+)[-‐‑]$")
# People named right before "under 29" / "over 60": the number bounds their age ("voters under 29", "those over 60").
_AGE_GROUP_LEFT = re.compile(r"(?i)\b(?:" + "|".join(sorted(_wordset(_L["age_groups"]))) + r")\s+$")
_AGE_LEFT = re.compile(r"(?:[A-Z][\w'’.-]+,\s|\baged\s)$")
_THE_LEFT = re.compile(r"(?i)\b(?:the|these|those|both|all)\s+$")  # "the two countries"; "their two kids" counts
_FROM_LEFT = re.compile(r"(?i)\bfrom\s+\S*$")

_MAG_ATTACHED = re.compile(
    r"(million|billion|trillion|Million|Billion|Trillion|MILLION|BILLION|TRILLION|bn|bln|mn|mln|tn|trn|m|b|k|K|M|B)"
    r"(?![A-Za-z])"
)  # "$37BILLION" as a tabloid's headline writes it
# A second scale word after an abbreviated one: "Rs 45k cr" (45 thousand crore), "$5k mn" (5 thousand million), as
# Indian and wire headlines write them; "cr" is crore's abbreviation, read only here and after a currency ("Rs 500 cr").
_MAG_SECOND = re.compile(r" ?(crores?|cr|lakhs?|mn|mln|million|billion|bn|bln)\b", re.I)
_CRORE_ABBREV = re.compile(r" ?(cr)\b", re.I)
_MAG_SPACED = re.compile(r"[ -](hundred|thousand|million|billion|trillion|crores?|lakhs?|тыс|млн|млрд|трлн)\b", re.I)
_ORDINAL = re.compile(r"(?:st|nd|rd|th|s)\b")  # "28th", "the 1990s" (but "2022's invasion" is a year)
_RANGE = re.compile(r"\s*(?:[-–—]|\bto\b|\band\b|\bor\b)\s*")
_RANGE_NUM = re.compile(
    rf"(?:US\$|[$£€¥₽₹])?((?:\d{{1,3}}(?:,\d{{3}})+|{_SPACE_GROUPED}|\d+)(?:\.\d+)?(?!\d)|(?i:{_NW}))"
    r"(?:\s?(bn|bln|mn|m|tn|k)(?![A-Za-z])|\s(million|billion|trillion|thousand)\b)?"
)
_YEAR_RANGE = re.compile(r"[-–/](\d{4}|\d{2})(?!\d)")
_PERCENT = re.compile(
    r"\s?(%|per\s?cent\b|percent\b|pct\b|pc\b)|\s(percentage\s+points?|basis\s+points?|bps)\b|(pp)\b", re.I
)
_CUR_WORD = re.compile(
    r"\s(?:(US|U\.S\.|American|Australian|Canadian|Hong\s+Kong|Singapore|New\s+Zealand|Taiwan)\s+)?"
    r"(dollars?|euros?|pounds?(?:\s+sterling)?|sterling|roubles?|rubles?|yen|yuan|renminbi|rupees?|pence|pennies|"
    # (slang "bucks" only in lower case and not as animals or a team: "12 bucks and 30 does", "Three Bucks players")
    r"cents?|(?-i:bucks?)(?!\s+(?:and|or|players?|fans?|grazing)\b)|liras?|hryvnias?|hryvnas?|(?:Swiss\s+)?francs?|won|rand|riyals?|dirhams?|reais|zloty|zlotys|kronor|"
    r"krona|kroner|krone)\b"
    r"|\s?(" + "|".join(_CODES) + r")\b|(p)\b",
    re.I,
)
_UNIT = re.compile(
    r"(?:\s|(?=[a-zA-Z²°]))(?:"
    + "|".join(f"(?P<u{i}>{p})" for i, (p, _, _) in enumerate(_UNIT_TABLE))
    + r")(?![\w/-])",
    re.I,
)
_HYPHEN_UNIT = re.compile(r"[-‐‑](year|month|week|day|hour|minute|decade)s?(?:[-‐‑](old))?(?![\w-])", re.I)
_YEARS_OLD = re.compile(r"\s(?:years?|yrs)[\s-]old\b", re.I)
_PER = re.compile(rf"(?:[\s-]+(?:a|an|per|each|every)[\s-]+|\s?/\s?)({_PER_UNITS})\b", re.I)
_RATE = re.compile(r"[\s-]+(?:a|per|each|every)[\s-]+(day|week|month|year)\b|\s?/\s?(day|week|month|year)\b", re.I)
_IN_N = re.compile(rf"\s+in\s+(?:every\s+)?(\d{{1,3}}|{_NW})\b", re.I)
_TOKEN = re.compile(r"[ \t]+([A-Za-z][\w'’&-]*(?:\.[A-Za-z]+\.?)?)")
_OF_DET = re.compile(r"\s+of\s+(?:those|these|the|them|its|their|our|his|her|whom|which)\b", re.I)
_OF = re.compile(r"\s+of\b")
_MULTIPLIER = re.compile(r"(?i)\s+(?:as|more|less|higher|lower|larger|bigger|greater|smaller|the|that|over)\b")
_MORE = re.compile(r"(?i)\s+(more)\b(?!\s+than)")
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s")
_TO_GAP = re.compile(r"\s+to\s+(?:(?:just\s+|well\s+)?(?:about|around|roughly|nearly|almost|over|under|some)\s+)?")
_UNIT_REACH = 300  # characters back to the count whose noun an elided-noun count borrows
_FOUR_DIGITS = re.compile(r"\d{4}(?![\d,])")
_PLUS = re.compile(r"\+(?![\w+/])|[-‐‑]plus\b", re.I)  # not "+/-" (plus or minus)
_COMPOUND = re.compile(r"[-‐‑]([a-z]{3,})(?![\w‐‑-])")
_NOT_COMPOUND = _wordset(_L["not_compound"])
_TALLY = re.compile(r"\s*(?:[-–—]|\bto\b)\s*(\d{1,3})(?!\d|[,.]\d|\s*(?:%|per\s?cent|percent))")
_VOTE_LEFT = re.compile(
    r"(?i)\b(?:passed|approved|adopted|rejected|defeated|voted|ruled|split|votes?\s+of|margin\s+of|ballot)\s+(?:by\s+)?$"
)
_VOTE_RIGHT = re.compile(r"(?i)\s+(?:vote|votes|ruling|decision|majority)\b")
_BARE_MORE = re.compile(r"(?i)\s+more(?=\s+than\b)")
_BARE_STOP = re.compile(r"[\w%$£€¥₽&@#*/:°'’‐‑–—-]|\.\d|,\d")  # glued to a word, code, score, time or formula
# Words after a bare number that show it is no count: "10 times", "11 o'clock", "5 p.m.", "4 in the morning".
_BARE_FOLLOW_STOP = re.compile(
    r"(?i)\s*(?:times|o['’]clock|[ap]\.?m\b|out\s+of|of\s+\d|in\s+the\s+(?:morning|afternoon|evening))"
)
_BARE_AGE_LEFT = re.compile(
    r"(?:\b(?i:was|is|were|are|be|been|being|turned|turns|turning|age|ages|aged|now|died\s+at)"
    r"|\b[A-Z][\w'’.-]+,)\s+(?:[a-z]+\s+)?$"
)
_BARE_EVENT = re.compile(
    r"(?i)\s+(?:were\s+|have\s+been\s+|had\s+been\s+)?(?:killed|dead|died|wounded|injured|rescued|arrested|"
    r"detained|missing|evacuated|displaced|infected|executed|hospitali[sz]ed)\b"
)
_BARE_COMPARE_LEFT = re.compile(r"(?i)\b(?:compared\s+(?:to|with)|versus|vs\.?|from|to|at|of)\s+$")
_BARE_IN_YEAR = re.compile(r"\s+in\s+(?:1[89]\d\d|20\d\d)\b")  # "from 39 in 2013 to 35 in 2014"
_AS_MUCH = re.compile(r"\s+as\s+(?:much|many)\b", re.I)  # "half as much coal"
_BARE_TOTAL = re.compile(
    r"(?i)\b(?:number|total|tally|toll|count)\b|\d\s+(?:[a-z-]+\s+){0,2}(?:people|persons|cases|deaths)\b"
)
_OF_A_MAG = re.compile(r"\s+of\s+an?\s+(million|billion|trillion|thousand)\b", re.I)
_OF_A = re.compile(r"\s+of\s+an?\b", re.I)
# A fraction of one point: "one-half of 1 percent" is 0.5%, "half a percentage point" 0.5 points (not 50%).
_OF_ONE_PERCENT = re.compile(
    r"(?:\s+of)?\s+(?:(?:an?|one|1)\s+)?(?:(per\s?cent|percent)|(percentage(?:\s+points?)?))\b|\s+of\s+1\s?%", re.I
)
_DURATION_WORDS = "years?|months?|weeks?|days?|hours?|minutes?|decades?|centur(?:y|ies)"
_AND_HALF_LEFT = re.compile(rf"(?i)\b(an?|one|{_NW}|\d{{1,3}})\s+({_DURATION_WORDS})\s+and\s+$")
_UNIT_CANON_DURATION = {
    "year": "year", "month": "month", "week": "week", "day": "day", "hour": "hour", "minute": "minute",
    "decade": "decade", "century": "century", "centurie": "century",
}  # fmt: skip
_AND_HALF_RIGHT = re.compile(r"\s+and\s+a\s+half\b", re.I)
# "the past year and a half", "the last decade and a half": a span of time without its count, no share
_SPAN_AND = re.compile(rf"(?i)\b(?:{_DURATION_WORDS})\s+and\s+$")
_SPAN_AFTER = re.compile(r"\s+an?\s|[-‐‑]")  # "half an hour", "half a day", "half-time": not shares
_BY_LEFT = re.compile(r"(?i)\bby\s+$")
_NUM_AFTER_AND = re.compile(r"\s*(?:\d|\$|£|€)")

_STOP = _wordset(_L["stop"])
_IRREGULAR_PLURALS = _wordset(_L["irregular_plurals"])
_NOT_PLURAL = _wordset(_L["not_plural"])
# Plural words that often modify a following noun ("arms dealers", "human rights groups").
_PLURAL_MODIFIERS = _wordset(_L["plural_modifiers"])
_CONTAINERS = _wordset(_L["containers"])
# Capitalised words after which a number is still a figure (not part of a name like "Chapter 11").
_CAP_OK = _wordset(_L["cap_ok_0"]) | _wordset(_L["cap_ok_1"])
# Lower-case words that make the next number a name or a label ("chapter 11", "page 3").
_LABEL_WORDS = _wordset(_L["label_words"])
_YEAR_PREFIXES = _wordset(_L["year_prefixes"])
_NEWS_VERBS = re.compile(
    r"(?i)\b(?:paid|pay|pays|paying|bought|buy|buys|sold|sell|sells|raised|raise|raises|fell|fall|falls|rose|rise|"
    r"rises|dropped|drop|gained|gain|lost|lose|shed|slid|slump\w*|climbed|jumped|surged|soared|plunged|tumbled|"
    r"cut|cuts|worth|deal|deals|sanction\w*|fine[ds]?|seized|pledged|pledge|invest\w*|lent|lend|loan\w*|borrow\w*|"
    r"approved|owe[ds]?|valued|cost[s]?|revenue|profit\w*|spend|spent|budget|bid|offer\w*|demand\w*|killed|"
    r"died|dead|wounded|injured|casualt\w*|launched|fired|shot\s+down|destroyed|controls?|account\w*|estimated|"
    r"increase[ds]?|decrease[ds]?|grow\w*|grew|export\w*|import\w*|produc\w*|shipped|supplied|reserves?|stake|"
    r"share|market|aid|tariffs?|jobs?)\b"
)
_COMPARISON_LEFT = re.compile(
    r"(?i)(?:\b(?:from|than|compared\s+(?:with|to)|versus|vs\.?|against|above|below|previous(?:ly)?|earlier|prior|"
    r"start(?:ing)?\s+price)\b(?:\s+[^\s.,;:!?]+){0,3}|\b(?:aged|founded\s+in|born\s+in|since))\s+$"
)
_COMPARISON_RIGHT = re.compile(
    r"(?i)^\s*(?:a\s+year\s+(?:earlier|ago|before)|in\s+the\s+same\s+period|the\s+previous|ago)\b"
)
_PRICE_LEVEL_LEFT = re.compile(r"(?i)\d\s*(?:%|per\s?cent|percent)\s+(?:to|at)\s+$")
_CASUALTY = re.compile(
    r"(?i)\b(?:killed|kill(?:ing|s)?|dead|died|deaths?|wounded|injured|injuries|casualt\w*|victims|missing|"
    r"fatalit\w*|slain|executed|displaced|evacuated|hostages?|prisoners?|captives?)\b"
)
_DEADLINE_LEFT = re.compile(
    r"(?i)\b(?:by|until|till|deadline(?:\s+(?:of|on|is))?|midnight(?:\s+(?:of|on))?|expires?(?:\s+on)?|"
    r"due(?:\s+on)?|starting|effective(?:\s+from)?|no\s+later\s+than|takes?\s+effect(?:\s+on)?)\s+(?:on\s+)?$"
)
_DEADLINE_RIGHT = re.compile(r"(?i)\s*deadline\b")
# A target year: "by 2030" in a sentence about an aim, a plan or a pledge (GUIDELINES.md: a deadline is key).
_GOAL = re.compile(
    r"(?i)\b(?:aim(?:s|ed|ing)?|plan(?:s|ned|ning)?|goal|target(?:s|ed|ing)?|pledge[ds]?|pledging|commit\w*|"
    r"promise[ds]?|vow(?:s|ed)?|hope[ds]?|intend(?:s|ed)?|deadline)\b"
)
# The sample of a study or survey: "a review of four trials ... in 1,766 children", "surveyed 2,000 adults".
_STUDY_LEFT = re.compile(
    r"(?i)\b(?:trials?|stud(?:y|ies)|survey\w*|polls?|sample|review|experiments?)\b[^.;]{0,80}"
    r"\b(?:in|of|involving|among|with|on)\s+$|\b(?:surveyed|polled|interviewed|questioned|recruited|enrolled)\s+$"
)
_EVERY_RIGHT = re.compile(r"(?i)[^.;]{0,60}?\b(?:for|out\s+of|of|in)\s+every\b")
_EVERY_LEFT = re.compile(r"(?i)\b(?:for|out\s+of|of|in)\s+every\s+$")
# A short quoted span around a number ("“American Skin (41 Shots)”"): a title when its words are capitalised.
_QUOTE_OPEN = re.compile(r"[\"“][^\"“”\n]{0,60}\Z")
_QUOTE_CLOSE = re.compile(r"[^\"“”\n]{0,60}[\"”]")
_TITLE_SMALL = _wordset("a an the of and or in on at to for by with from")
_LABEL_BRACKET = re.compile(r"\b[A-Z][\w'’.-]*\s\($")  # "Iran (289+)": the bracket gives the named one's figure
_DASH = re.compile(r"\s[-–—]\s|—")
_FURNITURE_SENTENCE = re.compile(
    r"(?i)^\W*(?:help\s+us|support\s+(?:us|our)|donate|subscribe|sign\s+up|get\s+our|become\s+a\s+(?:member|patron)|"
    r"advertisement|follow\s+us|read\s+more|also\s+read|read\s+also|see\s+also|related|watch)\b"
)
_CONVERSION_GAP = re.compile(r"\s*[(\[]\s*|\s*(?:,|--|[–—])?\s*or\s+(?:about\s+|around\s+)?|\s*(?:--|[–—])\s*")
_CONVERSION_NEXT = re.compile(r"\s*(?:[:;,/]|\bor\b|,\s*or\b)\s*")
