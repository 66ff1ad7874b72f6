"""second factor and ProConnect (issue 20): users.totp_secret (encrypted), totp_enabled_at, totp_last_step,
oidc_subject (unique); the table totp_recovery_codes (argon2 hashes of the ten single-use recovery codes)

Downgrading drops them: every second factor and every ProConnect link is forgotten (the accounts and their
passwords stay).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 13:50:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("totp_enabled_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch.create_unique_constraint(op.f("uq_users_oidc_subject"), ["oidc_subject"])
    op.create_table(
        "totp_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_totp_recovery_codes_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_totp_recovery_codes")),
    )
    op.create_index(op.f("ix_totp_recovery_codes_user_id"), "totp_recovery_codes", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_totp_recovery_codes_user_id"), table_name="totp_recovery_codes")
    op.drop_table("totp_recovery_codes")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("uq_users_oidc_subject"), type_="unique")
        batch.drop_column("oidc_subject")
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_enabled_at")
        batch.drop_column("totp_secret")
