"""appointment reminders (issue 17): the reminders outbox (one row per appointment, moment and channel —
a unique index, so that a reminder is never sent twice), the person's opt-out, the structure's phone and
address (what a reminder tells the person), and an index on appointments.start_at (the reminders job
reads two days of appointments)

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-05 13:45:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("structures") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("address", sa.String(length=300), nullable=True))
    with op.batch_alter_table("persons") as batch:
        batch.add_column(sa.Column("reminders_opt_out", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("appointments") as batch:
        batch.create_index("ix_appointments_start_at", ["start_at"], unique=False)
    op.create_table(
        "reminder_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("provider_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('two_days', 'morning')", name=op.f("ck_reminder_messages_kind")),
        sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f("ck_reminder_messages_channel")),
        sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'logged', 'failed')",
                           name=op.f("ck_reminder_messages_status")),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointments.id"],
                                name=op.f("fk_reminder_messages_appointment_id_appointments"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"],
                                name=op.f("fk_reminder_messages_person_id_persons"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_messages")),
    )
    with op.batch_alter_table("reminder_messages") as batch:
        batch.create_index("uq_reminder_messages_appointment_kind_channel", ["appointment_id", "kind", "channel",
                                                                          "start_at"],
                           unique=True)
        batch.create_index("ix_reminder_messages_status_next_attempt_at", ["status", "next_attempt_at"],
                           unique=False)
        batch.create_index(batch.f("ix_reminder_messages_person_id"), ["person_id"], unique=False)


def downgrade():
    op.drop_table("reminder_messages")
    with op.batch_alter_table("appointments") as batch:
        batch.drop_index("ix_appointments_start_at")
    with op.batch_alter_table("persons") as batch:
        batch.drop_column("reminders_opt_out")
    with op.batch_alter_table("structures") as batch:
        batch.drop_column("address")
        batch.drop_column("phone")
