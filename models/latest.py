"""The latest accompaniment of each person, kept on the person's row by the database (migration 0026).

The persons list filters and sorts a structure's files by their latest accompaniment (« en cours », « prioritaire »,
sorted by planned end or start). Looked up for every file at each request, that cost 100–300 ms of database CPU
at 16,490 files (docs/performance.md, « One million persons on PostgreSQL »). The person's row now carries what
the list reads of it — its id, start, current planned end, exit and priority verdict — so that a filtered or
sorted page is an index range scan of persons cut at the page (indexes in models.person).

« Latest » is the definition the list always had (agir.queries.persons.latest_accompaniment_id): the person's
accompaniment with the greatest (start_on, id), open or closed, held by any structure; none: every column NULL.

Kept by triggers on `accompaniments`, on both databases, so that every write keeps it — the operations, the
corrections, a merge of duplicates (accompaniments moved to the kept person), the importer's COPY, the
anonymisation, a person's deletion, and any statement written by hand (docs/rules.md, « The latest
accompaniment kept on the person »). PostgreSQL: one statement-level trigger per kind of write, reading the
statement's transition tables (a COPY of 50,000 accompaniments recomputes its persons in one UPDATE, not one
per row); SQLite (no statement-level triggers): one row-level trigger per kind of write. Both recompute the
person's values from the accompaniments the statement leaves — never an increment — and PostgreSQL writes the
row only when a value changes.

The tests' schema is made by `create_all`: the DDL below is attached to the creation of `accompaniments`
(models.accompaniment), and migration 0026 writes the same (tests/test_migration_0026.py compares them).
"""
from sqlalchemy import DDL, event

# persons.latest_accompaniment_id, latest_start_on, latest_end_on, latest_exit_on, latest_is_priority keep the
# accompaniment's id, start_on, current_end_on, exit_on, is_priority.
POSTGRESQL = [
    # The persons of an array of ids: their latest accompaniment's values, written where they changed. The persons
    # are locked first, in a statement of their own: a second transaction recomputing one of them waits there, then
    # reads the accompaniments the first committed (migration 0027; tests/test_kept_races.py).
    """CREATE OR REPLACE FUNCTION agir_keep_latest_accompaniment(person_ids integer[]) RETURNS void
LANGUAGE sql AS $$
SELECT 1 FROM persons WHERE id = ANY(person_ids) ORDER BY id FOR NO KEY UPDATE;
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

TRIGGERS = ("accompaniments_latest_insert", "accompaniments_latest_update", "accompaniments_latest_delete")


def attach(table) -> None:
    """Create the triggers with the table (`create_all`: the tests' schema, a new database)."""
    for statement in POSTGRESQL:
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="postgresql"))
    for statement in SQLITE:
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
