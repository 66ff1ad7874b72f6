"""ISO 639-3 languages (SPEC §3): the whole standard from pycountry's maintained database, with the
English names and the French names of its gettext catalogue. Never a short list typed by hand."""
import gettext
from functools import cache

import pycountry


@cache
def _codes() -> frozenset:
    """Every ISO 639-3 code (individual languages, macrolanguages, special codes)."""
    return frozenset(language.alpha_3 for language in pycountry.languages)


def is_iso639_3(code) -> bool:
    """True for a code of ISO 639-3, written as the standard does (three lower-case letters)."""
    return isinstance(code, str) and len(code) == 3 and code in _codes()


@cache
def _catalogue(locale: str):
    try:
        return gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[locale])
    except OSError:
        return gettext.NullTranslations()


def name(code: str, locale: str = "fr") -> str:
    """The language's name in `locale` (French by default, English for "en"); the code itself if unknown."""
    language = pycountry.languages.get(alpha_3=code) if is_iso639_3(code) else None
    if language is None:
        return code
    lang = str(locale).split("_")[0]
    if code in USUAL_NAMES:
        return USUAL_NAMES[code][lang == "en"]
    english = language.name
    if lang == "en":
        return english
    return _catalogue(lang).gettext(english)


# Where ISO 639-3's reference name is not the one people use (pycountry says « Pushto » in both languages):
# (French, English), as OFII and OFPRA write them.
USUAL_NAMES = {"pus": ("Pachto", "Pashto")}


# Languages most often spoken by the refugees met in France (OFPRA/OFII reports): offered first in the
# lists, before the rest of ISO 639-3 (docs/rules.md « Parcours d'entrée »).
COMMON = ("prs", "pus", "arb", "apd", "tir", "amh", "pes", "ckb", "kmr", "som", "ara", "urd", "ben", "tam",
          "rus", "ukr", "kat", "hye", "aze", "tur", "sqi", "lin", "swh", "ful", "bam", "wol", "sus", "mya",
          "eng", "fra", "spa", "por")


@cache
def _by_name() -> dict:
    """Lower-cased French and English names → code (living individual languages and macrolanguages)."""
    out: dict[str, str] = {}
    for language in pycountry.languages:
        if getattr(language, "type", "L") not in ("L", "S") and getattr(language, "scope", "I") != "M":
            continue
        for locale in ("en", "fr"):
            out.setdefault(name(language.alpha_3, locale).casefold(), language.alpha_3)
        out.setdefault(language.name.casefold(), language.alpha_3)  # ISO's reference name too (« Pushto »)
    return out


def code_for_name(text: str) -> str | None:
    """The code of a language named exactly (case aside) in French or English, or None."""
    return _by_name().get((text or "").strip().casefold())


def common(locale: str = "fr") -> list[tuple[str, str]]:
    """(code, name) of the common languages, in the reader's language, in the order of COMMON."""
    return [(code, name(code, locale)) for code in COMMON if is_iso639_3(code)]


def search(text: str, locale: str = "fr", limit: int = 30) -> list[tuple[str, str]]:
    """(code, name) of the living languages whose name (reader's language) or code starts with, then
    contains, `text` — the common ones first."""
    needle = (text or "").strip().casefold()
    if len(needle) < 2:
        return []
    first, then = [], []
    for language in pycountry.languages:
        if getattr(language, "type", "L") not in ("L",) and getattr(language, "scope", "I") != "M":
            continue
        shown = name(language.alpha_3, locale)
        folded = shown.casefold()
        if folded.startswith(needle) or language.alpha_3 == needle:
            first.append((language.alpha_3 not in COMMON, shown, language.alpha_3))
        elif needle in folded:
            then.append((language.alpha_3 not in COMMON, shown, language.alpha_3))
    return [(code, shown) for _, shown, code in sorted(first) + sorted(then)][:limit]
