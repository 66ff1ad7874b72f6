"""programme session series and attendance (issue 17, item 5): the table session_series, the sessions' series_id
(nullable: sessions typed one by one or imported keep none) and start time, and session_attendances (who came to a
session, with the hours attended).

Downgrading drops the series and the attendance rows: the sessions stay, as single dated sessions; the
participations keep the attended hours the grid had filled.

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-05 15:30:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "session_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("first_on", sa.Date(), nullable=False),
        sa.Column("last_on", sa.Date(), nullable=False),
        sa.Column("weekdays", sa.String(length=16), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=True),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("skip_holidays", sa.Boolean(), nullable=False),
        sa.Column("exceptions", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"],
                                name=op.f("fk_session_series_programme_id_programmes"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_series")),
    )
    op.create_index(op.f("ix_session_series_programme_id"), "session_series", ["programme_id"], unique=False)
    with op.batch_alter_table("programme_sessions") as batch:
        batch.add_column(sa.Column("starts_at", sa.Time(), nullable=True))
        batch.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_programme_sessions_series_id_session_series"), "session_series",
                                 ["series_id"], ["id"], ondelete="SET NULL")
        batch.create_index(op.f("ix_programme_sessions_series_id"), ["series_id"], unique=False)
    op.create_table(
        "session_attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("participation_id", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.CheckConstraint("hours > 0", name=op.f("ck_session_attendances_hours_positive")),
        sa.ForeignKeyConstraint(["participation_id"], ["participations.id"],
                                name=op.f("fk_session_attendances_participation_id_participations"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["programme_sessions.id"],
                                name=op.f("fk_session_attendances_session_id_programme_sessions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_attendances")),
        sa.UniqueConstraint("session_id", "participation_id", name="uq_session_attendances_pair"),
    )
    op.create_index(op.f("ix_session_attendances_session_id"), "session_attendances", ["session_id"], unique=False)
    op.create_index(op.f("ix_session_attendances_participation_id"), "session_attendances", ["participation_id"],
                    unique=False)


def downgrade():
    op.drop_index(op.f("ix_session_attendances_participation_id"), table_name="session_attendances")
    op.drop_index(op.f("ix_session_attendances_session_id"), table_name="session_attendances")
    op.drop_table("session_attendances")
    with op.batch_alter_table("programme_sessions") as batch:
        batch.drop_index(op.f("ix_programme_sessions_series_id"))
        batch.drop_constraint(op.f("fk_programme_sessions_series_id_session_series"), type_="foreignkey")
        batch.drop_column("series_id")
        batch.drop_column("starts_at")
    op.drop_index(op.f("ix_session_series_programme_id"), table_name="session_series")
    op.drop_table("session_series")
