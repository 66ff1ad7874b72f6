"""alerts badge kept a minute (issue 21 item 2, issue 15 item 8): the table alert_badge_counts — per structure
and role, the number of open alerts its users' inbox shows, when computed, until when it is read instead of
counted (the count of every open alert of a structure cost ~150 ms of database at 1,000,000 persons, on every
page of a social worker: docs/performance.md, « One million persons on PostgreSQL »)

Downgrading drops it: the badge is counted at every page again.

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-05 18:45:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "alert_badge_counts",
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("open_count", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["structure_id"], ["structures.id"],
                                name=op.f("fk_alert_badge_counts_structure_id_structures"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("structure_id", "role", name=op.f("pk_alert_badge_counts")),
    )


def downgrade():
    op.drop_table("alert_badge_counts")
