"""persons (department_id, id) index also carries the dashboard's columns (PostgreSQL)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 18:30:00

Measured in tests/bench (docs/performance.md, pilot's dashboard): the department-scoped statements
of `/pilot/` join a department's persons for their status, sex, birth date, nationality,
household or pseudonym. With only (department_id, id) in the index, PostgreSQL reads them from
the table: a bitmap heap scan over nearly every page of `persons` (a department's persons are
spread over the whole table), or one primary-key lookup per beneficiary. With those columns
INCLUDEd the join is an index-only scan: about 12 % less database CPU per dashboard at 100,000
persons (108.5 → 96.0 ms, department 44). SQLite has no INCLUDE; its index stays (department_id, id).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

NAME = 'ix_persons_department_id_id'
INCLUDED = ['status', 'sex', 'birth_on', 'nationality', 'household_id', 'pseudonym']


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    if _postgresql():
        op.drop_index(NAME, table_name='persons')
        op.create_index(NAME, 'persons', ['department_id', 'id'], unique=False, postgresql_include=INCLUDED)


def downgrade():
    if _postgresql():
        op.drop_index(NAME, table_name='persons')
        op.create_index(NAME, 'persons', ['department_id', 'id'], unique=False)
