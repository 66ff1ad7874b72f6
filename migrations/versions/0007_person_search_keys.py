"""persons: normalised search and duplicate keys (name_key, name_day_key, last_key, first_key, search_text, phone_key)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 13:00:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade():
    with op.batch_alter_table('persons') as batch:
        batch.add_column(sa.Column('name_key', sa.String(length=130), nullable=True))
        batch.add_column(sa.Column('name_day_key', sa.String(length=130), nullable=True))
        batch.add_column(sa.Column('last_key', sa.String(length=130), nullable=True))
        batch.add_column(sa.Column('first_key', sa.String(length=130), nullable=True))
        batch.add_column(sa.Column('search_text', sa.String(length=600), nullable=True))
        batch.add_column(sa.Column('phone_key', sa.String(length=40), nullable=True))
        batch.create_index('ix_persons_phone_key', ['phone_key'], unique=False)
        batch.create_index('ix_persons_nationality_name_key', ['nationality', 'name_key'], unique=False)
        batch.create_index('ix_persons_nationality_last_key', ['nationality', 'last_key'], unique=False)
        batch.create_index('ix_persons_nationality_first_key', ['nationality', 'first_key'], unique=False)
        batch.create_index('ix_persons_nationality_name_day_key', ['nationality', 'name_day_key'], unique=False)
    _fill_keys()


def _fill_keys():
    """The keys of the files already there, computed by the same rule as the application's."""
    from agir.rules.duplicates import search_keys
    bind = op.get_bind()
    persons = sa.table('persons', sa.column('id', sa.Integer), sa.column('last_name', sa.String),
                       sa.column('first_name', sa.String), sa.column('phone', sa.String),
                       sa.column('birth_on', sa.Date), sa.column('name_day_key', sa.String),
                       sa.column('anonymised_at', sa.DateTime), sa.column('name_key', sa.String),
                       sa.column('last_key', sa.String), sa.column('first_key', sa.String),
                       sa.column('search_text', sa.String), sa.column('phone_key', sa.String))
    last_id = 0
    while True:
        rows = bind.execute(sa.select(persons.c.id, persons.c.last_name, persons.c.first_name, persons.c.phone,
                                      persons.c.birth_on)
                            .where(persons.c.id > last_id, persons.c.anonymised_at.is_(None))
                            .order_by(persons.c.id).limit(BATCH)).all()
        if not rows:
            return
        values = []
        for id_, last, first, phone, born in rows:
            keys = search_keys(last, first, phone, born)
            values.append({"pid": id_, "name_key": keys.name_key, "name_day_key": keys.name_day_key,
                           "last_key": keys.last_key,
                           "first_key": keys.first_key, "search_text": keys.search_text,
                           "phone_key": keys.phone_key})
        bind.execute(persons.update().where(persons.c.id == sa.bindparam("pid")).values(
            name_key=sa.bindparam("name_key"), name_day_key=sa.bindparam("name_day_key"),
            last_key=sa.bindparam("last_key"),
            first_key=sa.bindparam("first_key"), search_text=sa.bindparam("search_text"),
            phone_key=sa.bindparam("phone_key")), values)
        last_id = rows[-1][0]


def downgrade():
    with op.batch_alter_table('persons') as batch:
        batch.drop_index('ix_persons_nationality_name_day_key')
        batch.drop_index('ix_persons_nationality_first_key')
        batch.drop_index('ix_persons_nationality_last_key')
        batch.drop_index('ix_persons_nationality_name_key')
        batch.drop_index('ix_persons_phone_key')
        batch.drop_column('phone_key')
        batch.drop_column('search_text')
        batch.drop_column('first_key')
        batch.drop_column('last_key')
        batch.drop_column('name_day_key')
        batch.drop_column('name_key')
