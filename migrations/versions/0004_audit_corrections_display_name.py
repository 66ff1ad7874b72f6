"""audit entries keep corrections (reason, before / after); accounts have a display name

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 12:30:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entries') as batch:
        batch.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch.add_column(sa.Column('changes', sa.JSON(), nullable=True))
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('display_name', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('display_name')
    with op.batch_alter_table('audit_entries') as batch:
        batch.drop_column('changes')
        batch.drop_column('reason')
