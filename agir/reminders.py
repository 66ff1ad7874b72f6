"""Appointment reminders to the person, by e-mail and SMS, in the person's language (issue 17, SPEC §4.6).

What a reminder says: the day, the time, the place and the structure's phone number — nothing else (no name of
the structure, no kind of appointment, no name of the référent): a phone is often shared. When: two days before
the appointment, and on its morning (before noon), only in the daytime (08:00–20:00, Paris time) and before the
appointment begins. Never twice: one row per appointment, moment, channel and date in `reminder_messages` (a
unique index), written before anything is sent; each row is claimed (pending → sending) by one atomic UPDATE
before it is sent. The job runs in the scheduler process under its database lock (agir.jobs.job_lock), every
15 minutes in the daytime. Opt-out: `Person.reminders_opt_out`.

Languages: gettext domain `reminders`, one .po per language in agir/translations/<locale>/LC_MESSAGES (French is
the source). The .po files are read as committed (babel's reader, no .mo); each carries its review record in the
header (X-Reviewed-By, X-Reviewed-On: empty until a translator checked it) — `review_record()`.

Delivery: e-mails through agir.mail's SMTP settings, SMS through agir.sms; without configuration the message is
written to the log and kept with the status `logged`. A failure that may pass (timeout, 5xx, 429, SMTP down) is
tried again later with a growing delay (BACKOFF), at most MAX_ATTEMPTS times; otherwise `failed`.
"""
import logging
import os
import re
import smtplib
from datetime import datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.messages.pofile import read_po
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from agir import mail, sms
from agir.extensions import db
from agir.rules.appointments import DAY_ENDS, DAY_STARTS
from models import Appointment, Person, PersonLanguage, ReminderMessage, Structure

log = logging.getLogger("agir.reminders")
PARIS, UTC = ZoneInfo("Europe/Paris"), ZoneInfo("UTC")
DOMAIN = "reminders"
TRANSLATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations")
# Reminder locale -> the CLDR locale that writes its dates.
LOCALES = {"fr": "fr_FR", "en": "en_GB", "ar": "ar", "prs": "fa_AF", "ps": "ps", "ti": "ti"}
ARABIC = frozenset(("ara", "arb", "apc", "apd", "afb", "ary", "arq", "aeb", "acm", "ajp", "ayl", "arz", "acq", "ars",
                    "shu", "ayp", "abv", "acx", "adf", "aec", "ayh", "ayn", "pga", "acw", "ssh", "avl", "auz", "abh"))
CODES = {"fra": "fr", "eng": "en", "fas": "prs", "pes": "prs", "prs": "prs", "pus": "ps", "pbt": "ps", "pbu": "ps",
         "pst": "ps", "tir": "ti"} | {code: "ar" for code in ARABIC}
MORNING_UNTIL = time(12, 0)
BACKOFF = (timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1), timedelta(hours=3))
MAX_ATTEMPTS = len(BACKOFF) + 1
BATCH = 500
LOCK = "reminders"

# The French source texts (msgids of the `reminders` domain).
SENTENCE = "Rappel : vous avez rendez-vous le %(day)s à %(time)s."
PLACE = "Lieu : %(place)s."
PLACES = {"phone": "par téléphone", "video": "en visioconférence", "home_visit": "à votre domicile"}
PHONE = "Pour prévenir ou changer de date : %(phone)s."
SUBJECT = "Rappel de rendez-vous"
FOOTER = "Message automatique. Pour ne plus recevoir de rappels, dites-le à votre référent·e."
MSGIDS = (SENTENCE, PLACE, *PLACES.values(), PHONE, SUBJECT, FOOTER)


# --- Catalogues ---------------------------------------------------------------------------------------------

def po_path(locale: str) -> str:
    return os.path.join(TRANSLATIONS, locale, "LC_MESSAGES", f"{DOMAIN}.po")


@cache
def _catalogue(locale: str, mtime: float) -> tuple[dict, str]:  # noqa: ARG001 - mtime: read again on change
    with open(po_path(locale), "rb") as f:
        catalog = read_po(f, domain=DOMAIN)
    with open(po_path(locale), encoding="utf-8") as f:
        reviewed = re.search(r'"X-Reviewed-By:([^"\\]*)', f.read())
    messages = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    return messages, (reviewed.group(1).strip() if reviewed else "")


def catalogue(locale: str) -> dict:
    """The translations of one reminder language ({} for French, the source)."""
    if locale == "fr":
        return {}
    return _catalogue(locale, os.path.getmtime(po_path(locale)))[0]


def review_record() -> dict[str, str]:
    """Who reviewed each language's reminders ('' : nobody yet — an unreviewed draft)."""
    return {locale: _catalogue(locale, os.path.getmtime(po_path(locale)))[1] for locale in LOCALES if locale != "fr"}


def _t(locale: str, msgid: str, **values) -> str:
    text = catalogue(locale).get(msgid) or msgid
    return text % values if values else text


def locale_of(interpreter: str | None, spoken: list[tuple[str, str]]) -> str:
    """The reminder's language: the interpreter's language when there is a catalogue for it, else the first
    language the person speaks natively, then fluently, that has one; otherwise French."""
    if interpreter in CODES:
        return CODES[interpreter]
    rank = {"native": 0, "fluent": 1}
    for code, _ in sorted((s for s in spoken if s[1] in rank), key=lambda s: rank[s[1]]):
        if code in CODES:
            return CODES[code]
    return "fr"


def texts(locale: str, start: datetime, mode: str, address: str | None, phone: str | None) -> tuple[str, str, str]:
    """(subject, e-mail body, SMS text) of a reminder: the day, the time, the place, the phone — nothing more."""
    cldr = LOCALES[locale]
    lines = [_t(locale, SENTENCE, day=format_date(start.date(), "full", locale=cldr),
                time=format_time(start.time(), "short", locale=cldr))]
    place = _t(locale, PLACES[mode]) if mode in PLACES else address
    if place:
        lines.append(_t(locale, PLACE, place=place))
    if phone:
        lines.append(_t(locale, PHONE, phone=phone))
    text = " ".join(lines)
    return _t(locale, SUBJECT), "\n".join(lines) + "\n\n" + _t(locale, FOOTER) + "\n", text


# --- The job ------------------------------------------------------------------------------------------------

def daytime(now: datetime) -> bool:
    """Reminders go out only between 08:00 and 20:00, Paris time."""
    return DAY_STARTS <= now.time() < DAY_ENDS


def _to_utc(local: datetime) -> datetime:
    return local.replace(tzinfo=PARIS).astimezone(UTC).replace(tzinfo=None)


def _due_appointments(now: datetime):
    """(kind, appointment, person, structure) of the planned appointments whose reminder is due now."""
    windows = [("two_days", now.date() + timedelta(days=2), None)]
    if now.time() < MORNING_UNTIL:
        windows.append(("morning", now.date(), now))
    for kind, day, after in windows:
        start = datetime.combine(day, time.min)
        stmt = (select(Appointment, Person, Structure).join(Person, Person.id == Appointment.person_id)
                .join(Structure, Structure.id == Appointment.structure_id)
                .where(Appointment.start_at >= max(start, after) if after else Appointment.start_at >= start,
                       Appointment.start_at < start + timedelta(days=1), Appointment.status == "planned",
                       Person.reminders_opt_out.is_(False), Person.anonymised_at.is_(None)))
        for appointment, person, structure in db.session.execute(stmt).all():
            yield kind, appointment, person, structure


def enqueue(now: datetime) -> int:
    """Write the reminder rows due now (each at most once: the unique index); the number written."""
    due = list(_due_appointments(now))
    if not due:
        return 0
    ids = {a.id for _, a, _, _ in due}
    existing = set(db.session.execute(select(ReminderMessage.appointment_id, ReminderMessage.kind,
                                             ReminderMessage.channel, ReminderMessage.start_at)
                                      .where(ReminderMessage.appointment_id.in_(ids))).all())
    spoken: dict[int, list] = {}
    for person_id, code, level in db.session.execute(
            select(PersonLanguage.person_id, PersonLanguage.code, PersonLanguage.level)
            .where(PersonLanguage.person_id.in_({p.id for _, _, p, _ in due}))):
        spoken.setdefault(person_id, []).append((code, level))
    rows = []
    for kind, appointment, person, structure in due:
        locale = locale_of(appointment.interpreter or person.interpreter, spoken.get(person.id, []))
        subject, body, text = texts(locale, appointment.start_at, appointment.mode, structure.address, structure.phone)
        channels = []
        if person.email:
            channels.append(("email", person.email.strip(), subject, body))
        number = sms.international(person.phone)
        if number:
            channels.append(("sms", number, None, text))
        for channel, recipient, subj, content in channels:
            if (appointment.id, kind, channel, appointment.start_at) in existing:
                continue
            rows.append({"appointment_id": appointment.id, "person_id": person.id, "start_at": appointment.start_at,
                         "kind": kind, "channel": channel, "locale": locale, "recipient": recipient, "subject": subj,
                         "body": content, "status": "pending", "attempts": 0, "next_attempt_at": _to_utc(now)})
    return _insert_new(rows)


def _insert_new(rows: list[dict]) -> int:
    """Insert the rows in a few statements; one written meanwhile by another process (the unique index) is left
    out — never twice. The number inserted."""
    if not rows:
        return 0
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    written = 0
    for start in range(0, len(rows), BATCH):
        stmt = insert(ReminderMessage.__table__).on_conflict_do_nothing().returning(ReminderMessage.id)
        written += len(db.session.execute(stmt, rows[start:start + BATCH]).all())
    return written


def _claim_all(row_ids: list[int]) -> list[int]:
    """pending → sending for a batch, in one atomic UPDATE: the rows this run (and no other) will send."""
    if not row_ids:
        return []
    return list(db.session.scalars(update(ReminderMessage)
                                   .where(ReminderMessage.id.in_(row_ids), ReminderMessage.status == "pending")
                                   .values(status="sending").returning(ReminderMessage.id)
                                   .execution_options(synchronize_session=False)))


def _still_valid(row: ReminderMessage, now: datetime) -> str | None:
    appointment = row.appointment
    if appointment is None or appointment.status != "planned":
        return "rendez-vous annulé ou déjà passé"
    if appointment.start_at != row.start_at:
        return "rendez-vous déplacé"
    if appointment.start_at <= now:
        return "rendez-vous commencé"
    if appointment.person.reminders_opt_out:
        return "la personne ne souhaite plus de rappels"
    return None


def _deliver_one(config, row: ReminderMessage) -> tuple[bool, str | None, bool, str | None]:
    """(sent, error, retry, provider id) — or logged when nothing is configured (sent False, error None)."""
    if row.channel == "sms":
        if not sms.configured(config):
            return False, None, False, None
        result = sms.send(config, row.recipient, row.body)
        return result.sent, result.error, result.retry, result.provider_id
    if not config.get("SMTP_HOST"):
        return False, None, False, None
    try:
        mail._send_smtp(config, row)
    except (OSError, smtplib.SMTPException) as exc:
        return False, str(exc)[:300], True, None
    return True, None, False, None


def deliver(config, now: datetime) -> dict[str, int]:
    """Send the pending reminders whose time has come; each row's status, attempts and next try updated."""
    counts = {"sent": 0, "logged": 0, "retry": 0, "failed": 0}
    now_utc = _to_utc(now)
    ids = db.session.scalars(select(ReminderMessage.id).where(ReminderMessage.status == "pending",
                                                              ReminderMessage.next_attempt_at <= now_utc)
                             .order_by(ReminderMessage.id).limit(BATCH)).all()
    claimed = _claim_all(list(ids))
    db.session.commit()  # the claims are visible to every other process before anything is sent
    if not claimed:
        return counts
    rows = db.session.scalars(
        select(ReminderMessage).where(ReminderMessage.id.in_(claimed)).order_by(ReminderMessage.id)
        .options(selectinload(ReminderMessage.appointment).selectinload(Appointment.person))
        .execution_options(populate_existing=True)).all()
    for row in rows:
        invalid = _still_valid(row, now)
        if invalid:
            row.status, row.last_error = "failed", invalid
            counts["failed"] += 1
            continue
        sent, error, retry, provider_id = _deliver_one(config, row)
        row.attempts += 1
        if sent:
            row.status, row.sent_at, row.provider_id, row.last_error = "sent", now_utc, provider_id, None
            counts["sent"] += 1
        elif error is None:
            log.info("Aucun fournisseur configuré pour les %s : rappel conservé (#%s).\nÀ : %s\n\n%s",
                     "SMS" if row.channel == "sms" else "courriels", row.id, row.recipient, row.body)
            row.status = "logged"
            counts["logged"] += 1
        elif retry and row.attempts < MAX_ATTEMPTS:
            row.status, row.last_error = "pending", error
            row.next_attempt_at = now_utc + BACKOFF[row.attempts - 1]
            counts["retry"] += 1
        else:
            row.status, row.last_error = "failed", error
            counts["failed"] += 1
        if sent or error is not None:
            db.session.commit()  # what a provider answered is kept at once; logged rows are kept at the end
    db.session.commit()
    return counts


def run(config, now: datetime) -> dict[str, int] | None:
    """One run (inside the job lock): nothing at night; otherwise write the due rows, then send."""
    if not daytime(now):
        return {"written": 0, "sent": 0, "logged": 0, "retry": 0, "failed": 0}
    written = enqueue(now)
    db.session.commit()
    return {"written": written} | deliver(config, now)
