"""path records carry a version (optimistic locking) and the structure that recorded them (corrections)

Jobs, trainings, housing steps and accesses, events and notes get `version_id` (right steps,
referrals and participations had it already); these and the right steps get `structure_id`, the
structure that recorded the line (null for lines imported or recorded before this revision).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 12:40:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

VERSIONED = ('jobs', 'trainings', 'housing_steps', 'housing_accesses', 'events', 'notes')
RECORDED = VERSIONED + ('right_steps',)


def upgrade():
    for table in RECORDED:
        with op.batch_alter_table(table) as batch:
            if table in VERSIONED:
                batch.add_column(sa.Column('version_id', sa.Integer(), server_default='1', nullable=False))
            batch.add_column(sa.Column('structure_id', sa.Integer(), nullable=True))
            batch.create_foreign_key(f'fk_{table}_structure_id_structures', 'structures', ['structure_id'], ['id'],
                                     ondelete='SET NULL')


def downgrade():
    for table in reversed(RECORDED):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f'fk_{table}_structure_id_structures', type_='foreignkey')
            batch.drop_column('structure_id')
            if table in VERSIONED:
                batch.drop_column('version_id')
