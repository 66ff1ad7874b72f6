"""dashboard cache shared by every web worker and host (issue 21 item 3): the table dashboard_cache (the hash of
a dashboard's key, its department, when its figures were computed, until when they are kept, the figures as JSON)

Downgrading drops the table: the dashboards are computed again at their next request.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 15:30:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dashboard_cache",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_dashboard_cache")),
    )
    op.create_index(op.f("ix_dashboard_cache_department_id"), "dashboard_cache", ["department_id"], unique=False)
    op.create_index(op.f("ix_dashboard_cache_expires_at"), "dashboard_cache", ["expires_at"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_dashboard_cache_expires_at"), table_name="dashboard_cache")
    op.drop_index(op.f("ix_dashboard_cache_department_id"), table_name="dashboard_cache")
    op.drop_table("dashboard_cache")
