"""persons list: index (structure_id, lower(last_name), lower(first_name), id) of the files not anonymised, and
accompaniments (structure_id, person_id)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 18:40:00

The persons list (`GET /persons/`) shows a structure's files 25 at a time in name order. It read every
file of the structure (16,490 at 1,000,000 persons), sorted them and kept 25. With this index the structure's
own persons come in name order from an index range scan, merged with the few persons of its accompaniments
it did not open (agir.access.held_persons): the first page reads 25 index entries, and the count is an
index-only scan (docs/performance.md, « One million persons on PostgreSQL »). Partial: the anonymised
files are never listed. The persons of the structure's accompaniments it did not open are found by two
index-only scans (accompaniments (structure_id, person_id) EXCEPT the structure's persons).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

NAME = 'ix_persons_structure_name'
WHERE = sa.text('anonymised_at IS NULL')


ACCOMPANIMENTS = 'ix_accompaniments_structure_id_person_id'


def upgrade():
    op.create_index(NAME, 'persons', ['structure_id', sa.text('lower(last_name)'), sa.text('lower(first_name)'), 'id'],
                    unique=False, sqlite_where=WHERE, postgresql_where=WHERE)
    op.create_index(ACCOMPANIMENTS, 'accompaniments', ['structure_id', 'person_id'], unique=False)


def downgrade():
    op.drop_index(ACCOMPANIMENTS, table_name='accompaniments')
    op.drop_index(NAME, table_name='persons')
