"""performance indexes (and no JIT compilation on PostgreSQL)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 00:40:00

Measured in tests/bench (docs/performance.md):
- persons (department_id, id): a department's persons as an index-only scan, joined by every
  department-scoped indicator, cohort and dashboard query (instead of a bitmap heap scan that
  reads most of the table's pages);
- accompaniments (person_id, start_on, id): a person's latest accompaniment (ORDER BY start_on
  DESC, id DESC LIMIT 1: the persons list) read from the end of the index, without a sort;
- PostgreSQL only: `jit = off` for the application's database. The JIT compiler fires on the
  planner's cost estimate and spends 100–450 ms compiling queries that run in 5–50 ms (the
  persons list, the dashboard): it doubled or tripled page times at 100,000 persons. Set only
  when the migrating role owns the database (or is a superuser); the downgrade resets it.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_OWNER = ("pg_has_role(current_user, (SELECT datdba FROM pg_database WHERE datname = current_database()), "
          "'MEMBER')")
JIT_OFF = f"""
DO $$
BEGIN
    IF {_OWNER} THEN
        EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
    END IF;
END $$;
"""
JIT_RESET = f"""
DO $$
BEGIN
    IF {_OWNER} THEN
        EXECUTE format('ALTER DATABASE %I RESET jit', current_database());
    END IF;
END $$;
"""


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    op.create_index('ix_persons_department_id_id', 'persons', ['department_id', 'id'], unique=False)
    op.create_index('ix_accompaniments_person_id_start_on', 'accompaniments', ['person_id', 'start_on', 'id'],
                    unique=False)
    if _postgresql():
        op.execute(JIT_OFF)


def downgrade():
    if _postgresql():
        op.execute(JIT_RESET)
    op.drop_index('ix_accompaniments_person_id_start_on', table_name='accompaniments')
    op.drop_index('ix_persons_department_id_id', table_name='persons')
