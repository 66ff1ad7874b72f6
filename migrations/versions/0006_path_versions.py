"""path records carry a version (optimistic locking): jobs, trainings, housing steps and accesses, events, notes

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

TABLES = ('jobs', 'trainings', 'housing_steps', 'housing_accesses', 'events', 'notes')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('version_id', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('version_id')
