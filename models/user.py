"""Accounts, API tokens and the login throttle."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db, utcnow
from models.enums import ROLES, check_in


class User(UserMixin, db.Model):
    """A person who signs in: social worker, referral officer, pilot or admin."""

    __tablename__ = "users"
    __table_args__ = (check_in("role", ROLES),)
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    # The name shown in a file's history instead of the e-mail (« Awa Diallo »); None: the e-mail is shown.
    display_name: Mapped[str | None] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    # A regional pilot's region (issue 15); none for every other role.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped at logout, password change and disabling: sessions carrying an older value end.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    locale: Mapped[str | None] = mapped_column(String(5))
    wants_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # When the holder last chose their password; None while it is a provisional one given by an
    # administrator (account created or password reset in the admin space): it must be changed first.
    password_changed_at: Mapped[datetime | None]
    # Second factor (issue 20): the TOTP secret, encrypted (agir.operations.totp), set once enrolment is confirmed;
    # the last time step accepted (a code is never accepted twice). ProConnect: the provider's subject.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)

    structure = relationship("Structure")
    department = relationship("Department")
    region = relationship("Region")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_enabled

    def get_id(self) -> str:  # Flask-Login: the epoch is part of the id, so old sessions stop loading
        return f"{self.id}:{self.session_epoch}"

    @property
    def has_totp(self) -> bool:
        """A second factor is enrolled (a code is asked after the password)."""
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    @property
    def has_provisional_password(self) -> bool:
        """The password was given by an administrator and not yet changed by its holder."""
        return self.password_changed_at is None

    @property
    def effective_department_id(self) -> int | None:
        """The department the user works in: their own, or their structure's."""
        if self.department_id:
            return self.department_id
        return self.structure.department_id if self.structure else None


class ApiToken(db.Model):
    """A personal API token (only its hash is kept)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user = relationship("User")


class LoginThrottle(db.Model):
    """Failed-login counter per key (an e-mail, known or not, or an IP address)."""

    __tablename__ = "login_throttles"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]


class TotpRecoveryCode(db.Model):
    """One of the ten single-use recovery codes of a second factor (only its argon2 hash is kept)."""

    __tablename__ = "totp_recovery_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
