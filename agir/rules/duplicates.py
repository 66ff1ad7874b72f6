"""Probable duplicates (SPEC §4.8): names compared across transliterations, birth dates with their usual errors.

Pure functions over plain values. Three things are derived from a person's names:
- *canonical tokens*: each word without accents, case, hyphens or apostrophes, the particles of Arabic
  names dropped (al-, el-), « Abdel Karim » joined as one name, the usual transliterations of one
  name brought to one spelling (Mohammad / Mohamed / Muhammad / Mouhamed → « muhamad ») and a light
  phonetic spelling (ou → u, y → i, sh / ch → x, a final silent e or h dropped, letters doubled once);
- *blocking keys* (stored in indexed columns of `persons`): the consonants of the canonical names,
  sorted, so that word order, compound names and vowel spellings give the same key;
- *search text* (stored too): the plain words and their canonical forms, so that the persons list
  finds « Héritier » from « heritier » and « Mohamed » from « Muhammad ».

`score(a, b)` compares two persons (dicts with last_name, first_name, birth_on, nationality and
optionally sex) and gives 0.0–1.0; `is_duplicate` is `score >= THRESHOLD` with names close enough.
"""
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from rapidfuzz.distance import Indel, JaroWinkler

THRESHOLD = 0.85
# The names alone must be this close (twins share a last name and a birth date, not a first name).
NAME_MIN = 0.8
NAME_WEIGHT, DATE_WEIGHT = 0.65, 0.35
# Different sex: very seldom a typing error, often a brother and a sister (twins): the score is lowered.
SEX_FACTOR = 0.9
# A birth date that is only close is worth less for a name many files share (see common_name_penalty).
COMMON_NAME_STEP = 0.04

DATE_EQUAL, DATE_SWAPPED, DATE_FIRST_JANUARY, DATE_TYPO, DATE_TRANSPOSED = 1.0, 0.9, 0.85, 0.8, 0.75

_SPECIAL = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "ı": "i", "đ": "d", "ð": "d",
                          "þ": "th", "ʼ": " ", "’": " ", "‘": " ", "`": " ", "´": " "})
_NOT_LETTER = re.compile(r"[^a-z0-9]+")
PARTICLES = frozenset({"al", "el", "ul", "ad", "ag", "ar", "as", "ash", "at", "az", "an"})
ABD_PREFIXES = ("abdoul", "abdul", "abdel", "abdal", "abdol", "abdur", "abdir", "abdou", "abdu", "abdi", "abd")

# The usual transliterations of one name, brought to one spelling (keys are plain lower-case words).
_VARIANTS = {
    "muhamad": "mohammad mohammed mohamed mohamad muhammad muhammed muhamed mouhamed mouhamad mohamud "
               "mohamoud mouhammad mouhammed mahamat mohammod mohd mahammad",
    "ahmad": "ahmad ahmed ahmet ahmat achmad ahmid",
    "husein": "hossein hussein husain hussain husein hosein houssein husseyn hüseyin huseyin hossain hosain "
              "housseyn huseen",
    "hasan": "hassan hasan hasen hassen hacene",
    "fatima": "fatima fatemeh fateme fatma fatmah fatouma fatoumata faadumo fadumo fatime fatimah",
    "yusuf": "yusuf youssef yousef yousif yussuf youssouf yusef yousouf youssif yosef yusif jusuf",
    "mamadu": "mamadou mamadu mamoudou mamudu",
    "usman": "ousmane usman othman osman uthman osmane ousman outhman othmane",
    "tesfai": "tesfaye tesfay tesfai tesfaie",
    "abdrahman": "abdirahman abdourahmane abdurrahman abderrahmane abdelrahman abdulrahman abdul-rahman "
                 "abdourahman abdoulrahmane abdurahman abderahman abdirahmaan abdelrahmane",
    "abdala": "abdullah abdallah abdulla abdalla abdullahi abdoulaye abdoulahi abdellah abdollah",
    "ibrahim": "ibrahim ibrahima ebrahim ibraheem brahim ibrahime",
    "ismail": "ismail ismael ismaila esmail ismaël",
    "musa": "musa moussa mousa",
    "isa": "isa issa eisa",
    "aisa": "aisha aicha aïcha aissa aïssa aysha aisatou aissatou aïssatou",
    "maryam": "maryam mariam mariama meryem maryame mariyam",
    "zainab": "zainab zeinab zaynab zeynab zenab",
    "khadija": "khadija khadidja kadija kadiatou khadijah",
    "omar": "omar umar omer oumar omaar",
    "ali": "ali aly alli",
    "mahmud": "mahmoud mahmud mahmood mahmut",
    "mustafa": "mustafa moustapha mostafa mustapha mustafe moustafa",
    "said": "said saïd saeed sayed sayyid saeid seid",
    "khalid": "khalid khaled khaleed kaled",
    "yakub": "yagoub yacoub yaqub yakub yacob yaqoob",
    "harun": "haroun harun haroon",
    "idris": "idris idriss driss drissa",
    "nur": "nur nour noor nuur",
    "jama": "jama jaamac",
    "amina": "amina aminata aminah",
    "hawa": "hawa hawaa",
    "rahim": "rahim rahime raheem",
    "karim": "karim kareem karime",
    "bashir": "bashir bachir bechir bashiir",
    "jawad": "jawad javad djawad",
    "hamid": "hamid hameed hamed",
    "farid": "farid fareed",
    "tekle": "tekle tecle teklay",
    "haile": "haile hailé haylé haile",
    "gebre": "gebre ghebre gebray",
    "yohanes": "yohannes yohanes yohannis yohana",
    "berhane": "berhane berhan birhane",
    "kidane": "kidane kidan",
    "sekou": "sekou sékou sekouba",
    "amadu": "amadou ahmadou amadu",
    "alfa": "alpha alfa",
    "tierno": "thierno tierno cerno",
    "bubakar": "boubacar boubakar abubakar aboubacar abubakr boubakary",
    "ahmadi": "ahmadi ahmady",
    "muhamadi": "mohammadi mohamadi muhammadi",
    "husaini": "hosseini husseini husaini hussaini hosaini",
    "karimi": "karimi kareemi",
    "hasimi": "hashimi hachimi hashemi",
    "heritier": "heritier héritier",
}
VARIANTS = {spelling: canon for canon, spellings in _VARIANTS.items() for spelling in spellings.split()}
VOWELS = frozenset("aeiouy")


@lru_cache(maxsize=65536)
def plain(text: str | None) -> str:
    """Lower case, no accents, every character that is not a letter or a digit turned into a space."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text.lower().translate(_SPECIAL))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _NOT_LETTER.sub(" ", text).strip()


def _phonetic(word: str) -> str:
    """A light phonetic spelling: the differences of French, English and Italian transliterations fade."""
    w = word
    for old, new in (("tch", "x"), ("sch", "x"), ("sh", "x"), ("ch", "x"), ("ph", "f"), ("kh", "k"), ("gh", "g"),
                     ("dh", "d"), ("th", "t"), ("dj", "j"), ("ck", "k"), ("q", "k"), ("c", "k"), ("ou", "u"),
                     ("oo", "u"), ("ee", "i"), ("w", "u"), ("y", "i"), ("o", "u"), ("ai", "e"), ("ei", "e"),
                     ("ae", "a")):
        w = w.replace(old, new)
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w.endswith("h") and w[-2] in VOWELS:
        w = w[:-1]
    return re.sub(r"(.)\1+", r"\1", w)


@lru_cache(maxsize=65536)
def canonical_word(word: str) -> str:
    """One plain word in its canonical spelling (the table of transliterations first, then the phonetics)."""
    if word in VARIANTS:
        return _phonetic(VARIANTS[word])
    for prefix in ABD_PREFIXES:  # Abdelkarim, Abdoulkarim, Abdikarim → abd + karim
        rest = word[len(prefix):]
        if word.startswith(prefix) and len(rest) >= 3:
            rest = rest[1:] if rest[:2] in ("rr", "ll") else rest
            return "abd" + canonical_word(rest)
    return _phonetic(word)


@lru_cache(maxsize=65536)
def canonical_tokens(name: str | None) -> tuple[str, ...]:
    """The canonical words of one name field, particles dropped and « Abd el Karim » joined."""
    words = plain(name).split()
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in PARTICLES and i + 1 < len(words):
            i += 1
            continue
        if word in ("abd", "abdel", "abdul", "abdoul", "abdou", "abdu", "abdal", "abdol") and i + 1 < len(words):
            nxt = i + 1
            if words[nxt] in PARTICLES and nxt + 1 < len(words):
                nxt += 1
            out.append(canonical_word(word + words[nxt]))
            i = nxt + 1
            continue
        if word.startswith(("al", "el")) and len(word) >= 6:  # Alhassan, Eltayeb, Elamin: al- written joined
            word = word[2:]
        out.append(canonical_word(word))
        i += 1
    return tuple(t for t in out if t)


def skeleton(tokens) -> str:
    """Blocking key: the consonants of the canonical words, sorted (order, compounds and vowels fade)."""
    return "".join(sorted(c for c in "".join(tokens) if c not in VOWELS))[:120]


@dataclass(frozen=True)
class SearchKeys:
    """The normalised columns of a person (agir/duplicates.py keeps them up to date).

    The blocking keys carry a part of the birth date, so that the database pairs files by equality on
    one indexed column: `name_key` the year and every name, `name_day_key` the day and month and every
    name (a year mistyped), `last_key` and `first_key` the year and one name field. A key is None when
    the date or the consonants are missing (it then pairs nothing)."""

    name_key: str | None
    name_day_key: str | None
    last_key: str | None
    first_key: str | None
    search_text: str
    phone_key: str | None


def phone_digits(phone: str | None) -> str | None:
    """A phone number as its digits, in the national form: « +33 6 12… », « 0033 6… », « 06.12… » → 0612…"""
    digits = re.sub(r"\D", "", phone or "")
    if (phone or "").strip().startswith("+33") or digits.startswith("0033"):
        digits = "0" + digits[4:] if digits.startswith("0033") else "0" + digits[2:]
    return digits or None


def _key(prefix: str | None, skel: str) -> str | None:
    return f"{prefix}:{skel}" if prefix is not None and skel else None


def name_skeleton(last_name: str | None, first_name: str | None) -> str:
    """The blocking skeleton of all the names (the part of `name_key` after the year)."""
    return _name_parts(last_name, first_name)[1]


def search_keys(last_name: str | None, first_name: str | None, phone: str | None = None,
                birth_on: date | None = None) -> SearchKeys:
    """Every normalised column of a person, from the names, the birth date and the phone number."""
    text, everything, last, first = _name_parts(last_name, first_name)
    year = f"{birth_on.year:04d}" if birth_on else None
    day = f"{birth_on.month:02d}{birth_on.day:02d}" if birth_on else None
    return SearchKeys(name_key=_key(year, everything), name_day_key=_key(day, everything),
                      last_key=_key(year, last), first_key=_key(year, first),
                      search_text=text, phone_key=phone_digits(phone))


@lru_cache(maxsize=65536)
def _name_parts(last_name: str | None, first_name: str | None) -> tuple[str, str, str, str]:
    """(search text, skeleton of all the names, of the last name, of the first name): names repeat, so cached."""
    last, first = canonical_tokens(last_name), canonical_tokens(first_name)
    words = plain(f"{last_name or ''} {first_name or ''}").split()
    text = " ".join(dict.fromkeys(words + list(last) + list(first)))
    return f" {text} "[:600], skeleton(last + first), skeleton(last), skeleton(first)


def search_words(q: str) -> list[tuple[str, ...]]:
    """For each word of a search, the forms to look for in the search text (plain and canonical)."""
    forms = []
    for word in plain(q).split():
        canon = canonical_word(word)
        forms.append(tuple(dict.fromkeys((word, canon))))
    return forms


# Birth dates --------------------------------------------------------------------------------------------

def _digits(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def date_score(a: date | None, b: date | None) -> float:
    """1 equal; 0.9 day and month swapped; 0.85 a 1 January standing for an unknown day of the same year;
    0.8 one digit typed wrong; 0.75 two neighbouring digits swapped; else 0."""
    if a is None or b is None:
        return 0.0
    if a == b:
        return DATE_EQUAL
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return DATE_SWAPPED
    if a.year == b.year and ((a.month, a.day) == (1, 1) or (b.month, b.day) == (1, 1)):
        return DATE_FIRST_JANUARY
    da, db_ = _digits(a), _digits(b)
    diff = [i for i in range(8) if da[i] != db_[i]]
    if len(diff) == 1:
        return DATE_TYPO
    if len(diff) == 2 and diff[1] == diff[0] + 1 and da[diff[0]] == db_[diff[1]] and da[diff[1]] == db_[diff[0]]:
        return DATE_TRANSPOSED
    return 0.0


# Names ------------------------------------------------------------------------------------------------

def _similar(x: str, y: str) -> float:
    """Two canonical spellings: mean of the edit similarity and Jaro-Winkler (short names stay strict)."""
    if x == y:
        return 1.0
    if not x or not y:
        return 0.0
    return (Indel.normalized_similarity(x, y) + JaroWinkler.similarity(x, y)) / 2


def _field(a: tuple, b: tuple) -> float:
    """One name field against another: word order and compound spellings fade."""
    if not a or not b:
        return 0.0
    return max(_similar("".join(a), "".join(b)), _similar("".join(sorted(a)), "".join(sorted(b))))


def _words(a: tuple, b: tuple) -> float:
    """All the words of both names, whatever the field: the worst match of the shorter list's words,
    each of the longer list's words used at most once; a word missing counts for little."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if not short:
        return 0.0
    left = list(long_)
    worst = 1.0
    for word in short:
        best, where = 0.0, -1
        for i, other in enumerate(left):
            s = _similar(word, other)
            if s > best:
                best, where = s, i
        worst = min(worst, best)
        if where >= 0:
            left.pop(where)
    return worst * (0.95 if left else 1.0)


def _combine(s_last: float, s_first: float) -> float:
    return 0.5 * min(s_last, s_first) + 0.5 * (s_last + s_first) / 2


# Names repeat, so pairs of names do: an import's duplicate walk asks the same pair again and again. An entry
# (four names and the score) takes about 400 bytes: 32,768 of them 13 MiB, reached at about 60,000 persons, so
# that an import's memory stays the same from there (issue 21). 262,144 held 105 MiB at 1,000,000 persons; at
# 300,000 persons the walk takes 12 % more CPU with 32,768 and its own caches at 16,384 (the import 1 % more).
@lru_cache(maxsize=32768)
def name_score(a_last: str, a_first: str, b_last: str, b_first: str) -> float:
    """0–1: the two persons' names, compared field by field, fields swapped, or word by word — in their
    canonical spellings, or as typed (a typo in a name of the table stays close to the name typed)."""
    canonical = _name_score(canonical_tokens(a_last), canonical_tokens(a_first), canonical_tokens(b_last),
                            canonical_tokens(b_first))
    if canonical == 1.0:
        return 1.0
    typed = _name_score(*(tuple(plain(n).split()) for n in (a_last, a_first, b_last, b_first)))
    return max(canonical, typed)


def _name_score(al: tuple, af: tuple, bl: tuple, bf: tuple) -> float:
    direct = _combine(_field(al, bl), _field(af, bf))
    swapped = _combine(_field(al, bf), _field(af, bl))
    return max(direct, swapped, _words(al + af, bl + bf))


def common_name_penalty(others: int) -> float:
    """What a birth date that is only close (not equal) is worth less when the name is common: `others`
    files besides the two compared carry the same names and nationality. 0 for a rare name, 0.04 for
    1 other, 0.09 for 4, 0.16 for 15, 0.24 for 60."""
    return COMMON_NAME_STEP * math.log2(1 + max(0, others))


def score(a: dict, b: dict, others: int = 0) -> float:
    """0.0–1.0: how probably two files are the same person (names, birth date, nationality, sex); `others`:
    how many other files have the same names and nationality (a close birth date then says less)."""
    if (a.get("nationality") or "") != (b.get("nationality") or ""):
        return 0.0
    names = name_score(a["last_name"], a["first_name"], b["last_name"], b["first_name"])
    dates = date_score(a.get("birth_on"), b.get("birth_on"))
    value = NAME_WEIGHT * names + DATE_WEIGHT * dates
    if dates < DATE_EQUAL:
        value -= common_name_penalty(others)
    if names < NAME_MIN or dates == 0.0:
        value = min(value, THRESHOLD - 0.01)  # shown as a look-alike, never as a probable duplicate
    if a.get("sex") and b.get("sex") and a["sex"] != b["sex"]:
        value *= SEX_FACTOR
    return round(max(0.0, min(1.0, value)), 3)


def is_duplicate(a: dict, b: dict, others: int = 0) -> bool:
    """True when the score reaches the threshold."""
    return score(a, b, others) >= THRESHOLD
