"""persons list: each person's latest accompaniment kept on the person's row by triggers, and indexed

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 21:40:00

The persons list filters and sorts a structure's files by their latest accompaniment (open, closed, none,
priority, planned end before, sorted by planned end or start). It looked it up for every file of the structure
at each request: 100–300 ms of database CPU at 16,490 files (docs/performance.md, « One million persons on
PostgreSQL »). The person's row now carries the latest accompaniment's id, start, current planned end, exit and
priority verdict (`persons.latest_*`), filled here, then kept by triggers on `accompaniments` (every kind of
write, on both databases: models/latest.py, whose DDL this migration repeats as it stood at this revision); two
indexes read a structure's files sorted by the planned end or the start, as ix_persons_structure_name does by
name. « Latest »: the greatest (start_on, id), open or closed, whatever its structure; none: NULL.

SQLite: a later migration that rebuilds `persons` (batch mode) must drop these triggers first and make them
again after (SQLite refuses to rename a table while a trigger names a missing one); one that rebuilds
`accompaniments` loses them silently — tests/test_migrations.py compares the migrated triggers with the models'.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

WHERE = sa.text('anonymised_at IS NULL')
INCLUDE = ['latest_accompaniment_id', 'latest_exit_on', 'latest_is_priority', 'status', 'protection_on']
INDEXES = {'ix_persons_structure_latest_end': 'latest_end_on', 'ix_persons_structure_latest_start': 'latest_start_on'}
COLUMNS = [('latest_accompaniment_id', sa.Integer), ('latest_start_on', sa.Date), ('latest_end_on', sa.Date),
           ('latest_exit_on', sa.Date), ('latest_is_priority', sa.Boolean)]
TRIGGERS = ('accompaniments_latest_insert', 'accompaniments_latest_update', 'accompaniments_latest_delete')

POSTGRESQL_FILL = """
UPDATE persons AS p
   SET (latest_accompaniment_id, latest_start_on, latest_end_on, latest_exit_on, latest_is_priority)
       = (a.id, a.start_on, a.current_end_on, a.exit_on, a.is_priority)
  FROM (SELECT DISTINCT ON (person_id) person_id, id, start_on, current_end_on, exit_on, is_priority
          FROM accompaniments ORDER BY person_id, start_on DESC, id DESC) AS a
 WHERE p.id = a.person_id"""

SQLITE_FILL = """
UPDATE persons SET (latest_accompaniment_id, latest_start_on, latest_end_on, latest_exit_on, latest_is_priority) =
  (SELECT id, start_on, current_end_on, exit_on, is_priority FROM accompaniments
    WHERE accompaniments.person_id = persons.id ORDER BY start_on DESC, id DESC LIMIT 1)
 WHERE id IN (SELECT person_id FROM accompaniments)"""

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION agir_keep_latest_accompaniment(person_ids integer[]) RETURNS void
LANGUAGE sql AS $$
UPDATE persons AS p
   SET (latest_accompaniment_id, latest_start_on, latest_end_on, latest_exit_on, latest_is_priority)
       = (a.id, a.start_on, a.current_end_on, a.exit_on, a.is_priority)
  FROM (SELECT DISTINCT unnest(person_ids) AS person_id) AS c
  LEFT JOIN LATERAL (SELECT id, start_on, current_end_on, exit_on, is_priority FROM accompaniments
                      WHERE accompaniments.person_id = c.person_id
                      ORDER BY start_on DESC, id DESC LIMIT 1) AS a ON true
 WHERE p.id = c.person_id
   AND (p.latest_accompaniment_id, p.latest_start_on, p.latest_end_on, p.latest_exit_on, p.latest_is_priority)
       IS DISTINCT FROM (a.id, a.start_on, a.current_end_on, a.exit_on, a.is_priority)
$$""",
    """CREATE OR REPLACE FUNCTION agir_latest_accompaniment_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM agir_keep_latest_accompaniment(ARRAY(SELECT person_id FROM new_rows));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM agir_keep_latest_accompaniment(ARRAY(SELECT person_id FROM new_rows
                                                 UNION SELECT person_id FROM old_rows));
  ELSE
    PERFORM agir_keep_latest_accompaniment(ARRAY(SELECT person_id FROM old_rows));
  END IF;
  RETURN NULL;
END
$$""",
    """CREATE TRIGGER accompaniments_latest_insert AFTER INSERT ON accompaniments
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agir_latest_accompaniment_trigger()""",
    """CREATE TRIGGER accompaniments_latest_update AFTER UPDATE ON accompaniments
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION agir_latest_accompaniment_trigger()""",
    """CREATE TRIGGER accompaniments_latest_delete AFTER DELETE ON accompaniments
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION agir_latest_accompaniment_trigger()""",
]

SQLITE = [
    # A row-value subquery with no row sets every column to NULL (the person has no accompaniment left).
    """CREATE TRIGGER accompaniments_latest_insert AFTER INSERT ON accompaniments BEGIN
UPDATE persons SET (latest_accompaniment_id, latest_start_on, latest_end_on, latest_exit_on, latest_is_priority) =
  (SELECT id, start_on, current_end_on, exit_on, is_priority FROM accompaniments
    WHERE accompaniments.person_id = persons.id ORDER BY start_on DESC, id DESC LIMIT 1)
 WHERE persons.id = NEW.person_id;
END""",
    """CREATE TRIGGER accompaniments_latest_update
AFTER UPDATE OF id, person_id, start_on, current_end_on, exit_on, is_priority ON accompaniments BEGIN
UPDATE persons SET (latest_accompaniment_id, latest_start_on, latest_end_on, latest_exit_on, latest_is_priority) =
  (SELECT id, start_on, current_end_on, exit_on, is_priority FROM accompaniments
    WHERE accompaniments.person_id = persons.id ORDER BY start_on DESC, id DESC LIMIT 1)
 WHERE persons.id = OLD.person_id;
UPDATE persons SET (latest_accompaniment_id, latest_start_on, latest_end_on, latest_exit_on, latest_is_priority) =
  (SELECT id, start_on, current_end_on, exit_on, is_priority FROM accompaniments
    WHERE accompaniments.person_id = persons.id ORDER BY start_on DESC, id DESC LIMIT 1)
 WHERE persons.id = NEW.person_id;
END""",
    """CREATE TRIGGER accompaniments_latest_delete AFTER DELETE ON accompaniments BEGIN
UPDATE persons SET (latest_accompaniment_id, latest_start_on, latest_end_on, latest_exit_on, latest_is_priority) =
  (SELECT id, start_on, current_end_on, exit_on, is_priority FROM accompaniments
    WHERE accompaniments.person_id = persons.id ORDER BY start_on DESC, id DESC LIMIT 1)
 WHERE persons.id = OLD.person_id;
END""",
]


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    # Plain ALTER TABLE on SQLite too: batch mode would rebuild persons without its expression indexes (0024).
    for name, kind in COLUMNS:  # a new Column each run (a Column belongs to one table once added)
        op.add_column('persons', sa.Column(name, kind(), nullable=True))
    op.execute(POSTGRESQL_FILL if _postgresql() else SQLITE_FILL)
    for name, column in INDEXES.items():
        # PostgreSQL: the first also carries what the list's filters read (a filtered count: an index-only scan).
        include = INCLUDE if name == 'ix_persons_structure_latest_end' else []
        op.create_index(name, 'persons', ['structure_id', column, sa.text('lower(last_name)'),
                                          sa.text('lower(first_name)'), 'id'],
                        unique=False, sqlite_where=WHERE, postgresql_where=WHERE, postgresql_include=include)
    for statement in POSTGRESQL if _postgresql() else SQLITE:
        op.execute(statement)


def downgrade():
    for name in TRIGGERS:
        op.execute(f'DROP TRIGGER IF EXISTS {name}' + (' ON accompaniments' if _postgresql() else ''))
    if _postgresql():
        op.execute('DROP FUNCTION IF EXISTS agir_latest_accompaniment_trigger()')
        op.execute('DROP FUNCTION IF EXISTS agir_keep_latest_accompaniment(integer[])')
    for name in INDEXES:
        op.drop_index(name, table_name='persons')
    for name, _kind in reversed(COLUMNS):
        if _postgresql():
            op.drop_column('persons', name)
        else:  # SQLite ≥ 3.35 drops a column in place (batch mode would lose the expression indexes of 0024)
            op.execute(f'ALTER TABLE persons DROP COLUMN {name}')
