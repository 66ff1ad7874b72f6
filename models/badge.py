"""The header's alerts badge kept a minute, shared by every web worker and host (agir/queries/inbox.py)."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import db


class AlertBadgeCount(db.Model):
    """The number of open alerts the inbox of a structure's users shows (per role: a social worker's and a
    referral officer's inboxes differ), as computed at `computed_at`, read instead of counted until `expires_at`.

    A copy of a count, never a name: the alerts job and the writes that delete alerts drop every row."""

    __tablename__ = "alert_badge_counts"
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    open_count: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime]
    expires_at: Mapped[datetime]


__all__ = ["AlertBadgeCount"]
