"""The contract's languages and their catalogues (gettext domain `contract`, one .po per language).

The .po files are read as they are committed (babel's reader, no compiled .mo needed): each gives the
translations and its review record, the header `X-Reviewed-By` (the translator's name and the date of the
review; empty: nobody has checked the translation, and the PDF says so in both languages). The workflow
is in docs/translations.md.
"""
import os
import re
from dataclasses import dataclass
from functools import cache

from babel.messages.pofile import read_po

from agir.contract import texts

TRANSLATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "translations")
DOMAIN = "contract"


@dataclass(frozen=True)
class ContractLanguage:
    """A second column of the contract: ISO 639-3 code, gettext locale, writing direction, font family."""

    code: str
    locale: str
    rtl: bool
    font: str  # a key of agir.contract.fonts.FAMILIES
    script: str | None = None  # ISO 15924 tag given to HarfBuzz
    hb_language: str | None = None  # the language tag given to HarfBuzz (Pashto and Dari letters differ)


LANGUAGES = {
    "eng": ContractLanguage("eng", "en", False, "latin"),
    "arb": ContractLanguage("arb", "ar", True, "arabic", "arab", "ar"),
    "prs": ContractLanguage("prs", "prs", True, "arabic", "arab", "fa"),
    "pus": ContractLanguage("pus", "ps", True, "arabic", "arab", "ps"),
    "tir": ContractLanguage("tir", "ti", False, "ethiopic", "ethi", "ti"),
}
# Arabic varieties (ISO 639-3 individual languages of the macrolanguage `ara`) read the Arabic contract.
ARABIC_VARIETIES = frozenset(("ara", "arb", "apc", "apd", "afb", "ary", "arq", "aeb", "acm", "ajp", "ayl", "arz",
                              "acq", "ars", "shu", "ayp", "abv", "acx", "adf", "aec", "afb", "ayh", "ayn", "pga",
                              "acw", "ssh", "avl", "auz", "abh", "aao"))
# Persian varieties close enough to read the Dari contract (Dari is Afghan Persian).
PERSIAN_VARIETIES = frozenset(("fas", "pes", "prs"))
PASHTO_VARIETIES = frozenset(("pus", "pbt", "pbu", "pst"))
FALLBACK = "eng"


def contract_code(code: str | None) -> str | None:
    """The contract language that a speaker of `code` reads (None: the PDF has no such language)."""
    if code in ARABIC_VARIETIES:
        return "arb"
    if code in PERSIAN_VARIETIES:
        return "prs"
    if code in PASHTO_VARIETIES:
        return "pus"
    return code if code in LANGUAGES else None


def choose_language(recorded: str | None, spoken: list[tuple[str, str]]) -> str:
    """The second column: the language recorded at signature when the PDF has it, else the first language the
    person speaks natively, then fluently, then at all that the PDF has; otherwise English (the French column
    is always there)."""
    chosen = contract_code(recorded)
    if chosen:
        return chosen
    rank = {"native": 0, "fluent": 1, "basic": 2}
    for code, _level in sorted(spoken, key=lambda s: rank.get(s[1], 3)):
        chosen = contract_code(code)
        if chosen:
            return chosen
    return FALLBACK


@dataclass(frozen=True)
class Catalogue:
    """One language's translations of the contract texts and who reviewed them ('' : nobody)."""

    language: ContractLanguage
    messages: dict
    reviewed_by: str

    @property
    def reviewed(self) -> bool:
        return bool(self.reviewed_by)

    def gettext(self, msgid: str, **values) -> str:
        """The translation (the French text when the catalogue has none: never an empty box)."""
        text = self.messages.get(msgid) or msgid
        return text % values if values else text


def po_path(locale: str, domain: str = DOMAIN) -> str:
    return os.path.join(TRANSLATIONS, locale, "LC_MESSAGES", f"{domain}.po")


def _read(path: str, domain: str = DOMAIN):
    with open(path, "rb") as f:
        return read_po(f, domain=domain)


def reviewed_by(path: str) -> str:
    """The `X-Reviewed-By` header of a catalogue ('' when absent or empty; babel's reader drops the headers
    it does not know, so the header entry is read here)."""
    with open(path, encoding="utf-8") as f:
        head = f.read().split("\n\n", 1)[0]
    match = re.search(r'^"X-Reviewed-By:(.*?)\\n"$', head, re.MULTILINE)
    return match.group(1).strip() if match else ""


@cache
def _load(code: str, domain: str, mtime: float) -> Catalogue:  # noqa: ARG001 — the file's mtime is the cache key
    language = LANGUAGES[code]
    path = po_path(language.locale, domain)
    catalog = _read(path, domain)
    messages = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    return Catalogue(language, messages, reviewed_by(path))


def catalogue(code: str, domain: str = DOMAIN) -> Catalogue:
    """The catalogue of a contract language (read again when its file changes); `domain`: another document
    printed with the same machinery and languages (`letters`: the convocation letter, agir.letters)."""
    path = po_path(LANGUAGES[code].locale, domain)
    return _load(code, domain, os.path.getmtime(path))


# The names a French reader expects (ISO 639-3's French catalogue says « arabe standard », « pushto »).
FRENCH_NAMES = {"eng": "anglais", "arb": "arabe", "prs": "dari", "pus": "pachto", "tir": "tigrigna"}


def french_name(code: str) -> str:
    """The language's name in French, for the note « rédigé en français et en … »."""
    from agir.languages import name
    return FRENCH_NAMES.get(code) or name(code, "fr").lower()


def missing_translations(code: str) -> list[str]:
    """The contract texts a catalogue does not translate (checked by the tests)."""
    messages = catalogue(code).messages
    return [m for m in texts.all_msgids() if not messages.get(m)]
