"""Translation helpers: the French text is the msgid, English comes from agir/translations (Flask-Babel).

- `gettext` translates for the current request; outside a request (CLI, jobs, scheduler, pure rule
  tests) the text stays French, since Flask-Babel's locale selector reads the session.
- `lazy_gettext` is for class-level and module-level text (form labels, validation messages,
  titles): translated each time it is turned into a string. Unlike Flask-Babel's LazyString, it is
  escaped in HTML like any str, so a French page stays byte-for-byte what it was (an apostrophe
  still comes out as &#39;) and a translation can never inject markup.
- `N_` only marks a string for extraction (dict values translated later with gettext).
"""
from flask import has_request_context
from flask_babel import gettext as _babel_gettext
from flask_babel import ngettext as _babel_ngettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape


def gettext(msgid: str, **variables) -> str:
    """The text in the reader's language (French outside a request), %(name)s filled from variables."""
    if has_request_context():
        return _babel_gettext(msgid, **variables)
    return msgid % variables if variables else msgid


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """gettext with a plural form chosen by num (available as %(num)d); French outside a request."""
    if has_request_context():
        return _babel_ngettext(singular, plural, num, **variables)
    variables.setdefault("num", num)
    return (singular if num == 1 else plural) % variables


class LazyText(LazyString):
    """A lazy translation that HTML-escapes like a plain string."""

    def __html__(self) -> Markup:
        return escape(str(self))


def lazy_gettext(msgid: str, **variables) -> LazyText:
    """A translation resolved when used (form labels and messages defined at import time)."""
    return LazyText(gettext, msgid, **variables)


def N_(msgid: str) -> str:  # noqa: N802 — the usual name of the extraction marker
    """Mark a string for extraction only; translate it later with gettext(value)."""
    return msgid


# Strings the page scripts (agir/static/js) write themselves. The page carries their translations in a
# JSON block (templates/base.html, CSP-safe) that agir/static/js/i18n.js reads; {name} marks a value.
JS_STRINGS = (
    N_("Éligible à {kind}"), N_("Non éligible au {date}"), N_("Verdict au {date}."), N_("Public prioritaire"),
    N_(" : protection obtenue il y a moins de 12 mois."), N_("Entrée en AGIR possible jusqu’au {date}."),
    N_("Attention : {text}"),
    N_("Plus de cinq ans depuis la protection ou le premier titre : les programmes spécialisés ne sont "
       "en principe plus ouverts."),
    N_("Fin prévue entre le {min} et le {max} (proposée : {planned}, 12 mois)."),
    N_("Part de la cohorte (%%)"), N_("Mois depuis l'entrée en accompagnement"),
    N_("{n} caractères restants"), N_("{n} caractère restant"), N_("{n} caractère(s) de trop"),
)


def js_translations() -> dict[str, str]:
    """French string → its translation in the current locale (empty in French: the scripts' text is French)."""
    from flask_babel import get_locale
    if str(get_locale() or "fr") == "fr":
        return {}
    return {msgid.replace("%%", "%"): str(gettext(msgid)).replace("%%", "%") for msgid in JS_STRINGS}


# ---- Dates in the reader's language ---------------------------------------------------------------
# French: 05/03/2026 and « 5 mars 2026 » (« 1er mars »). English: the British way, day before month, with
# the month in letters so that no reader can take 05/03 for May 3rd: « 5 Mar 2026 » and « 5 March 2026 ».
MONTHS_EN = ("January", "February", "March", "April", "May", "June",
             "July", "August", "September", "October", "November", "December")


def reader_is_english() -> bool:
    """True inside a request whose reader chose (or whose browser asks for) English."""
    if not has_request_context():
        return False
    from flask_babel import get_locale
    return str(get_locale() or "fr") == "en"


def format_date(day, long: bool = False) -> str:
    """A date as the reader reads it: 05/03/2026 or 5 Mar 2026 (long: 5 mars 2026 or 5 March 2026); — if None."""
    from agir.dates import format_fr
    if day is None or not reader_is_english():
        return format_fr(day, long=long)
    month = MONTHS_EN[day.month - 1]
    return f"{day.day} {month if long else month[:3]} {day.year}"


def format_datetime(moment, seconds: bool = False) -> str:
    """A local date and time: 05/03/2026 14:30 or 5 Mar 2026 14:30."""
    if moment is None:
        return "—"
    day = format_date(moment.date())
    return f"{day} {moment:%H:%M:%S}" if seconds else f"{day} {moment:%H:%M}"


class LazyDate:
    """A date put into a lazy message (lazy_gettext(..., day=LazyDate(d))): formatted in the reader's language
    when the message is turned into text, French outside a request (importer, CLI, jobs)."""

    __slots__ = ("day", "long")

    def __init__(self, day, long: bool = False):
        self.day, self.long = day, long

    def __str__(self) -> str:
        return format_date(self.day, long=self.long)

    def __eq__(self, other) -> bool:
        return str(self) == other

    def __hash__(self) -> int:
        return hash(str(self))


def _join_translated(items, sep: str) -> str:
    return sep.join(gettext(str(item)) for item in items)


def lazy_join(items, sep: str = ", ") -> LazyText:
    """Marked phrases (N_) joined in the reader's language when shown: « une prolongation, une sortie »."""
    return LazyText(_join_translated, list(items), sep)
