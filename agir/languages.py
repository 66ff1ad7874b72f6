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
    english = language.name
    if str(locale).split("_")[0] == "en":
        return english
    return _catalogue(str(locale).split("_")[0]).gettext(english)
