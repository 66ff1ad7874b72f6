"""Rules of the référent's calendar feed (issue 17 item 4, docs/privacy.md « Flux d'agenda »). Pure functions.

What leaves the application: a feed is copied to phones, to third-party calendar clouds and shown on lock
screens, so an event says only who by INITIALS and FILE NUMBER (never a name, phone, address or nationality).
Which appointments: the référent's own at their structure, from 30 days back to 180 days ahead; planned,
honoured and missed ones as CONFIRMED; cancelled and excused ones (the slot is free) as CANCELLED, for 30 days
after the change (a calendar that read the appointment before removes it), then no more.
"""
import re
import secrets
from datetime import timedelta

DAYS_BEFORE, DAYS_AFTER = 30, 180
CANCELLED_KEPT = timedelta(days=30)
CANCELLED = ("cancelled", "excused")
TOKEN_BYTES = 32  # 256 random bits (the URL's secret; at least 128 asked)
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token() -> str:
    """A fresh secret for the feed's URL (URL-safe base64 of 32 random bytes: 43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def well_formed(token: str) -> bool:
    return bool(TOKEN_SHAPE.fullmatch(token or ""))


def ical_status(status: str) -> str:
    """RFC 5545 STATUS of an appointment: CANCELLED when its slot is free again, CONFIRMED otherwise."""
    return "CANCELLED" if status in CANCELLED else "CONFIRMED"


def initials(first_name: str | None, last_name: str | None) -> str:
    """« A. K. » for Ahmad KARIMI: the first letter of the first name and of the last name (each part of a
    compound last name is not spelt out: two letters say enough to the référent, little to anyone else)."""
    letters = [next((c for c in (name or "") if c.isalpha()), "") for name in (first_name, last_name)]
    return " ".join(f"{letter.upper()}." for letter in letters if letter) or "?"


def sequence(version_id: int | None) -> int:
    """RFC 5545 SEQUENCE: the appointment's row version less one (0 when booked; every move, cancellation or
    outcome bumps it, so calendars replace the copy they hold)."""
    return max((version_id or 1) - 1, 0)
