"""A référent's personal calendar feed (issue 17 item 4): the secret of the URL /agenda/feed/<token>.ics, kept
only as its SHA-256 (the token itself is shown once, at creation). One feed per user; revoking deletes the row
(the old URL then answers 404), regenerating replaces the hash."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db, utcnow


class CalendarFeed(db.Model):
    """The hashed secret of one user's iCalendar feed, when it was made and last read."""

    __tablename__ = "calendar_feeds"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # hex SHA-256 of the token (256 random bits): a copy of the database does not give the URLs.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The last time a calendar application read the feed (shown to the référent: a feed read that they do not
    # recognise is revoked); the audit gets one entry per hour of reading at most.
    last_read_at: Mapped[datetime | None]

    user = relationship("User")
