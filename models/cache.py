"""The dashboard figures kept for a few minutes, shared by every web worker and host (blueprints/pilot/cache.py)."""
from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import db


class DashboardCache(db.Model):
    """One computed dashboard: its key's hash, its department, when computed, until when kept, its figures (JSON).

    No foreign key on the department: an entry is a copy of figures, dropped when the department's settings
    change and pruned when expired; it never holds a person's name."""

    __tablename__ = "dashboard_cache"
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, index=True)
    computed_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    figures: Mapped[str] = mapped_column(Text)


__all__ = ["DashboardCache"]
