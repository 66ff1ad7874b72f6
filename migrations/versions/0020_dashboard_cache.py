"""dashboard cache shared by every web worker and host (issue 21 item 3): the table dashboard_cache (the hash of
a dashboard's key, its department, when its figures were computed, until when they are kept, the figures as JSON)

PostgreSQL only: `random_page_cost = 1.1` for the application's database (the usual value on SSD
storage; PostgreSQL's default, 4, prices a random read of a page four times a sequential one, as on
spinning disks). At 1,000,000 persons the persons list read every person of the database to find a
structure's files instead of fetching them by primary key: ~1.0 s → 0.47 s per statement in the
benchmark (docs/performance.md, « One million persons »). Set only when the migrating role owns the
database (or is a superuser), as migration 0002 does for `jit`.

Downgrading drops the table (the dashboards are computed again at their next request) and resets the setting.

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


_OWNER = ("pg_has_role(current_user, (SELECT datdba FROM pg_database WHERE datname = current_database()), "
          "'MEMBER')")
RANDOM_PAGE_COST = f"""
DO $$
BEGIN
    IF {_OWNER} THEN
        EXECUTE format('ALTER DATABASE %I SET random_page_cost = 1.1', current_database());
    END IF;
END $$;
"""
RANDOM_PAGE_COST_RESET = f"""
DO $$
BEGIN
    IF {_OWNER} THEN
        EXECUTE format('ALTER DATABASE %I RESET random_page_cost', current_database());
    END IF;
END $$;
"""


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


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
    if _postgresql():
        op.execute(RANDOM_PAGE_COST)


def downgrade():
    if _postgresql():
        op.execute(RANDOM_PAGE_COST_RESET)
    op.drop_index(op.f("ix_dashboard_cache_expires_at"), table_name="dashboard_cache")
    op.drop_index(op.f("ix_dashboard_cache_department_id"), table_name="dashboard_cache")
    op.drop_table("dashboard_cache")
