"""The agenda's appointments made ready for the templates once per request (issue 17 speed target).

A structure's busiest week shows 600+ appointments. Rendered with a macro per piece, each card looked up its
labels in the translation catalogue (about 30 lookups a card), built three URLs with url_for, formatted its date in
the reader's language three times and called csrf_token() — most of the page's CPU. Here the words, the URL
prefixes and the dates are worked out once per request (once per distinct duration, language or day), and each
appointment becomes a `Card` of plain strings that the templates (templates/agenda/_macros.html) only print.
The markup does not change.
"""
from datetime import date, datetime

from flask import request, url_for
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from agir import languages
from agir.i18n import format_date, gettext
from models import Appointment

_STATUS_CLASSES = {"planned": "fr-badge--info", "honoured": "fr-badge--success", "missed": "fr-badge--error",
                   "excused": "fr-badge--warning", "cancelled": "fr-badge--no-icon"}
_SENTINEL = 987654321
# What a card reads of an appointment (the week's query selects these columns, not whole rows).
CARD_COLUMNS = (Appointment.id, Appointment.start_at, Appointment.minutes, Appointment.kind, Appointment.mode,
                Appointment.status, Appointment.interpreter)


def _prefix(endpoint: str, **values) -> tuple[str, str]:
    """The URL of `endpoint` around its id, built once: (before, after)."""
    before, after = url_for(endpoint, **values).split(str(_SENTINEL))
    return before, after


class Words:
    """What every card of one page shares: its words in the reader's language, URL prefixes, CSRF token, `next`."""

    def __init__(self, labels: dict, now: datetime, back: str | None = None):
        self.labels, self.now = labels, now
        self.kind, self.mode, self.status = labels["kind"], labels["mode"], labels["status"]
        # The outcome buttons say the status they set (attributes: no failed attribute lookup per card in Jinja).
        self.honoured, self.missed, self.excused = (self.status[k] for k in ("honoured", "missed", "excused"))
        self.convocation = gettext("Convocation (PDF)")
        self.no_referent = gettext("sans référent·e")
        self.csrf = generate_csrf()
        self.back = request.full_path if back is None else back
        self.locale = str(get_locale() or "fr")
        self._person = _prefix("agenda.person", person_id=_SENTINEL)
        self._outcome = _prefix("agenda.outcome", appointment_id=_SENTINEL)
        self._convocation = _prefix("agenda.convocation", appointment_id=_SENTINEL)
        self._minutes: dict[int, str] = {}
        self._interpreters: dict[str, tuple[str, str]] = {}
        self._days: dict[date, str] = {}

    def minutes(self, n: int) -> str:
        if n not in self._minutes:
            self._minutes[n] = gettext("%(minutes)s min", minutes=n)
        return self._minutes[n]

    def interpreter(self, code: str | None) -> tuple[str, str]:
        """The interpreter's language and its badge (« Interprète : dari »), or two empty strings."""
        if not code:
            return "", ""
        if code not in self._interpreters:
            name = languages.name(code, self.locale)
            self._interpreters[code] = name, gettext("Interprète : %(language)s", language=name)
        return self._interpreters[code]

    def day(self, day: date) -> str:
        """date_short (05/03/2026 or 5 Mar 2026), once per day."""
        if day not in self._days:
            self._days[day] = format_date(day)
        return self._days[day]

    def row(self, row) -> "Card":
        """A card of the agenda's query (blueprints/agenda/routes.py `_agenda_rows`): CARD_COLUMNS, the person's
        id and name, the référent's name and e-mail."""
        who = f"{row.last_name.upper()} {row.first_name}"  # as Person.full_name
        referent = (row.referent_name or row.referent_email) if row.referent_email else None
        return Card(self, row, row.person_id, who, referent, None)

    def card(self, a, who: str, convocation_who: str | None = None) -> "Card":
        """A card of an Appointment (a person's page); `who` names it for screen readers after the outcome
        buttons, `convocation_who` after the convocation's."""
        return Card(self, a, None, who, None, convocation_who)


class Card:
    """One appointment's printable pieces (plain strings: the template escapes them)."""

    __slots__ = ("id", "status", "status_class", "status_label", "time", "start_day", "minutes",
                 "kind", "mode", "referent", "language", "interpreter", "who", "person_url", "sr", "outcome_url",
                 "closable",
                 "convocation_url", "convocation_sr")

    def __init__(self, words: Words, a, person_id: int | None, who: str, referent: str | None,
                 convocation_who: str | None):
        start = a.start_at
        self.id, self.status = a.id, a.status
        self.status_class, self.status_label = _STATUS_CLASSES[a.status], words.status[a.status]
        self.time = f"{start:%H:%M}"
        self.start_day = start.date()
        self.minutes = words.minutes(a.minutes)
        self.kind, self.mode = words.kind[a.kind], words.mode[a.mode]
        self.referent = referent
        self.language, self.interpreter = words.interpreter(a.interpreter)
        self.who = who
        self.person_url = f"{words._person[0]}{person_id}{words._person[1]}" if person_id is not None else None
        # « — NOM Prénom, 05/03/2026 14:30 »: what each button says to a screen reader after its label.
        when = f"{words.day(self.start_day)} {self.time}"
        self.sr = f" — {self.who}, {when}"
        self.convocation_sr = self.sr if convocation_who is None else f" — {convocation_who}, {when}"
        planned = a.status == "planned"
        self.outcome_url = f"{words._outcome[0]}{a.id}{words._outcome[1]}" if planned else None
        self.closable = planned and start <= words.now
        self.convocation_url = (f"{words._convocation[0]}{a.id}{words._convocation[1]}"
                                if planned and start > words.now else None)
