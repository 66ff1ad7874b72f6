"""The référent's personal calendar feed (issue 17 item 4): an iCalendar (RFC 5545) file of their appointments at
a secret URL (/agenda/feed/<token>.ics) that calendar applications read without signing in.

The token (256 random bits) is shown once, when made; the database keeps only its SHA-256, so a copy of the
database gives no URL. Looking a token up compares hashes (the index finds the row by the hash, and the stored
hash is compared again in constant time). Revoking deletes the row: the old URL answers 404, as a wrong token or
a disabled account does. Making, regenerating and revoking are audited; reading is audited at most once an hour
per feed (calendar applications read every few minutes). The rules of what a feed shows: agir.rules.calendar_feed.
"""
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from flask_babel import force_locale, gettext
from icalendar import Calendar, Event
from sqlalchemy import or_, select

from agir.audit import record
from agir.dates import PARIS
from agir.extensions import db
from agir.rules import calendar_feed as rules
from models import Appointment, CalendarFeed, Person, Structure, User
from models.base import utcnow

FEED_ROLES = ("social_worker",)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def feed_of(user) -> CalendarFeed | None:
    return db.session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == user.id)).first()


def create_feed(actor) -> str:
    """A new secret URL for the actor's feed (the previous one, if any, stops answering); the token, to show once."""
    token = rules.new_token()
    feed = feed_of(actor)
    action = "calendar_feed_regenerated" if feed else "calendar_feed_created"
    if feed is None:
        feed = CalendarFeed(user_id=actor.id)
        db.session.add(feed)
    feed.token_hash, feed.created_at, feed.last_read_at = token_hash(token), utcnow(), None
    db.session.flush()
    record(actor, action, detail=f"user {actor.id}")
    return token


def revoke_feed(actor) -> bool:
    """The actor's feed URL stops answering (404). False when there was none."""
    feed = feed_of(actor)
    if feed is None:
        return False
    db.session.delete(feed)
    db.session.flush()
    record(actor, "calendar_feed_revoked", detail=f"user {actor.id}")
    return True


def user_of_token(token: str) -> tuple[User, CalendarFeed] | None:
    """The enabled référent whose feed the token opens, else None (malformed, unknown, revoked, disabled)."""
    if not rules.well_formed(token):
        return None
    digest = token_hash(token)
    row = db.session.execute(select(CalendarFeed, User).join(User, User.id == CalendarFeed.user_id)
                             .where(CalendarFeed.token_hash == digest)).first()
    if row is None:
        return None
    feed, user = row
    if not hmac.compare_digest(feed.token_hash, digest) or not user.is_enabled or user.role not in FEED_ROLES:
        return None
    return user, feed


def _rows(user, now: datetime):
    """(appointment, first name, last name, file number, structure name, address) the feed carries."""
    kept_since = utcnow() - rules.CANCELLED_KEPT
    stmt = (select(Appointment, Person.first_name, Person.last_name, Person.ref, Structure.name, Structure.address)
            .join(Person, Person.id == Appointment.person_id)
            .join(Structure, Structure.id == Appointment.structure_id)
            .where(Appointment.referent_id == user.id, Appointment.structure_id == user.structure_id,
                   Appointment.start_at >= now - timedelta(days=rules.DAYS_BEFORE),
                   Appointment.start_at < now + timedelta(days=rules.DAYS_AFTER),
                   Person.anonymised_at.is_(None),
                   or_(Appointment.status.not_in(rules.CANCELLED), Appointment.updated_at >= kept_since))
            .order_by(Appointment.start_at, Appointment.id))
    return db.session.execute(stmt).all()


def _utc(moment: datetime | None) -> datetime:
    return (moment or utcnow()).replace(tzinfo=UTC)


def build(user, now: datetime, host: str, link, describe) -> tuple[bytes, int]:
    """The feed's iCalendar bytes and the number of events. `now`: Paris wall-clock time; `host`: the UIDs'
    domain; `link(person_id)`: the address of the person's agenda page (it asks to sign in);
    `describe(appointment)`: the event's description (kind and mode, in the référent's language)."""
    calendar = Calendar()
    calendar.add("prodid", "-//AGIR//Agenda des référents//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", gettext("AGIR — mes rendez-vous"))
    calendar.add("x-wr-timezone", "Europe/Paris")
    calendar.add("refresh-interval", timedelta(minutes=30), parameters={"VALUE": "DURATION"})
    stamp = datetime.now(UTC).replace(microsecond=0)
    rows = _rows(user, now)
    for appointment, first_name, last_name, ref, structure, address in rows:
        start = appointment.start_at.replace(tzinfo=PARIS)
        event = Event()
        event.add("uid", f"appointment-{appointment.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=appointment.minutes))
        event.add("summary", gettext("RDV %(initials)s — dossier %(ref)s",
                                     initials=rules.initials(first_name, last_name), ref=ref))
        event.add("location", ", ".join(x for x in (structure, address) if x))
        event.add("description", describe(appointment))
        event.add("url", link(appointment.person_id))
        event.add("status", rules.ical_status(appointment.status))
        event.add("sequence", rules.sequence(appointment.version_id))
        event.add("last-modified", _utc(appointment.updated_at).replace(microsecond=0))
        event.add("class", "PRIVATE")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical(), len(rows)


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def read_feed(user, feed: CalendarFeed, now: datetime, host: str, link, describe) -> bytes:
    """The feed as a calendar application reads it; the reading is noted (last read, and the audit at most once
    an hour per feed: « N rendez-vous »)."""
    with force_locale(user.locale or "fr"):
        body, count = build(user, now, host, link, describe)
    last = feed.last_read_at
    feed.last_read_at = utcnow()
    if last is None or _hour(last) != _hour(feed.last_read_at):  # once per clock hour of reading
        record(user, "calendar_feed_read", fields=["appointments"], detail=f"{count} rendez-vous")
    return body
