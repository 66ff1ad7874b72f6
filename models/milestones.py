"""Each person's first date of each cohort milestone (SPEC §5, agir.indicators.cohort), kept by the database.

`person_milestones` holds one row (person_id, milestone, reached_on) per milestone a person reached, with the
first date — the rows the cohort computed before from five tables (a right obtained, a permanent housing
access, a job or a training, a referral to a programme of a language theme). The cohort and the comparison
of departments read one index range per member instead of five probes (docs/performance.md, « Milestones kept
per person »).

The table always equals its recomputation from those tables (`first_reached_sql`), whatever writes them:
triggers of the database recompute the rows of the (person, milestone) pairs a statement touched — on the
five tables, on `programmes` (a programme's theme changes) and on `persons` (a person deleted). They are
created by the migration (0025) and, for the schemas built by `create_all` (tests, demo), by the metadata's
`after_create` event below. PostgreSQL: statement-level triggers with transition tables (a COPY of the
importer is one set-based upsert); SQLite: row triggers. docs/rules.md « Milestones kept per person » says
why triggers rather than the writes of the application.
"""
from datetime import date

from sqlalchemy import Date, Integer, PrimaryKeyConstraint, String, event
from sqlalchemy.orm import Mapped, mapped_column

from models.base import db
from models.enums import LANGUAGE_THEMES, PERMANENT_HOUSING_KINDS, check_in, in_list_sql

MILESTONES = ("health_insurance", "caf_benefits", "bank_account", "permanent_housing", "job_or_training",
              "language_referral")
RIGHT_MILESTONES = MILESTONES[:3]


class PersonMilestone(db.Model):
    """The first date a person reached a milestone (no row: not reached). Written only by the database's
    triggers; no foreign key, so that the merges and deletions that walk the tables pointing at persons leave
    it to the triggers (a person deleted: the persons trigger removes their rows)."""

    __tablename__ = "person_milestones"
    __table_args__ = (PrimaryKeyConstraint("person_id", "milestone", postgresql_include=["reached_on"]),
                      check_in("milestone", MILESTONES))

    person_id: Mapped[int] = mapped_column(Integer, autoincrement=False)
    milestone: Mapped[str] = mapped_column(String(32))
    reached_on: Mapped[date] = mapped_column(Date)


# --- what the table equals ---------------------------------------------------------------------------

RIGHTS = in_list_sql("kind", RIGHT_MILESTONES)
PERMANENT = in_list_sql("kind", PERMANENT_HOUSING_KINDS)
LANGUAGE = in_list_sql("theme", LANGUAGE_THEMES)


def first_reached_sql(pairs: str | None = None) -> str:
    """SELECT person_id, milestone, reached_on: every person's first date of every milestone reached, from the
    source tables (as agir.indicators.cohort.first_reached_from_sources) — or only for the (person_id,
    milestone) rows of the relation `pairs` (a table or CTE name)."""
    def among(alias: str, milestone: str | None) -> str:
        if pairs is None:
            return ""
        name = f"{alias}.kind" if milestone is None else f"'{milestone}'"
        return (f" AND EXISTS (SELECT 1 FROM {pairs} a WHERE a.person_id = {alias}.person_id"
                f" AND a.milestone = {name})")

    return (
        "SELECT r.person_id AS person_id, r.kind AS milestone, min(r.obtained_on) AS reached_on FROM right_steps r"
        f" WHERE r.{RIGHTS} AND r.state = 'obtained' AND r.obtained_on IS NOT NULL{among('r', None)}"
        " GROUP BY r.person_id, r.kind"
        " UNION ALL SELECT h.person_id, 'permanent_housing', min(h.access_on) FROM housing_accesses h"
        f" WHERE h.{PERMANENT}{among('h', 'permanent_housing')} GROUP BY h.person_id"
        " UNION ALL SELECT w.person_id, 'job_or_training', min(w.start_on) FROM"
        " (SELECT person_id, start_on FROM jobs UNION ALL SELECT person_id, start_on FROM trainings) w"
        f" WHERE true{among('w', 'job_or_training')} GROUP BY w.person_id"
        " UNION ALL SELECT f.person_id, 'language_referral', min(f.sent_on) FROM referrals f"
        f" JOIN programmes p ON p.id = f.programme_id WHERE p.{LANGUAGE}{among('f', 'language_referral')}"
        " GROUP BY f.person_id")


def rebuild_sql() -> list[str]:
    """The statements that fill the table from nothing (the migration)."""
    return ["DELETE FROM person_milestones",
            f"INSERT INTO person_milestones (person_id, milestone, reached_on) SELECT s.person_id, s.milestone,"
            f" s.reached_on FROM ({first_reached_sql()}) s WHERE EXISTS (SELECT 1 FROM persons WHERE id = s.person_id)"]


# --- PostgreSQL: statement-level triggers with transition tables ---------------------------------------

# Per source table: the milestone a row counts for (SQL on the row alias {x}; NULL when it counts for none),
# the date it gives (NULL when none) and the columns whose change matters.
SOURCES = {
    "right_steps": (f"CASE WHEN {{x}}.{RIGHTS} THEN {{x}}.kind::text END",
                    "CASE WHEN {x}.state = 'obtained' THEN {x}.obtained_on END",
                    ("person_id", "kind", "state", "obtained_on")),
    "housing_accesses": (f"CASE WHEN {{x}}.{PERMANENT} THEN 'permanent_housing'::text END", "{x}.access_on",
                         ("person_id", "kind", "access_on")),
    "jobs": ("'job_or_training'::text", "{x}.start_on", ("person_id", "start_on")),
    "trainings": ("'job_or_training'::text", "{x}.start_on", ("person_id", "start_on")),
    "referrals": ("(SELECT 'language_referral'::text FROM programmes p WHERE p.id = {x}.programme_id"
                  f" AND p.{LANGUAGE})", "{x}.sent_on", ("person_id", "programme_id", "sent_on")),
}

PG_REFRESH = f"""
CREATE OR REPLACE FUNCTION person_milestones_refresh(persons integer[], names text[]) RETURNS void
LANGUAGE plpgsql AS $body$
BEGIN
    -- Two transactions recomputing one person wait for each other here; the statements below then take a snapshot
    -- that holds what the first committed (READ COMMITTED: each statement of the function takes its own).
    PERFORM 1 FROM persons WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM person_milestones m USING unnest(persons, names) AS a(person_id, milestone)
        WHERE m.person_id = a.person_id AND m.milestone = a.milestone;
    -- A row written meanwhile by another transaction's new records (their upsert takes no lock) keeps the earlier.
    INSERT INTO person_milestones (person_id, milestone, reached_on)
        WITH pairs AS MATERIALIZED (SELECT DISTINCT a.person_id, a.milestone
                                    FROM unnest(persons, names) AS a(person_id, milestone))
        SELECT s.person_id, s.milestone, s.reached_on FROM ({first_reached_sql('pairs')}) s
        WHERE EXISTS (SELECT 1 FROM persons WHERE id = s.person_id)
    ON CONFLICT (person_id, milestone) DO UPDATE SET reached_on = EXCLUDED.reached_on
        WHERE EXCLUDED.reached_on < person_milestones.reached_on;
END
$body$"""


def _pg_source_function(table: str) -> str:
    milestone, reached, columns = SOURCES[table]
    changed = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in columns)
    return f"""
CREATE OR REPLACE FUNCTION person_milestones_{table}() RETURNS trigger
LANGUAGE plpgsql AS $body$
DECLARE
    persons integer[];
    names text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- New rows can only give a first date or an earlier one: an upsert of their minimum, no source read.
        INSERT INTO person_milestones (person_id, milestone, reached_on)
            SELECT y.person_id, y.milestone, min(y.reached_on) FROM
                (SELECT x.person_id, {milestone.format(x="x")} AS milestone, {reached.format(x="x")} AS reached_on
                 FROM new_rows x) y
            WHERE y.milestone IS NOT NULL AND y.reached_on IS NOT NULL
            GROUP BY y.person_id, y.milestone
        ON CONFLICT (person_id, milestone) DO UPDATE SET reached_on = EXCLUDED.reached_on
            WHERE EXCLUDED.reached_on < person_milestones.reached_on;
        RETURN NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        -- The pairs (person, milestone) of the rows before and after, for the rows whose relevant columns changed.
        WITH changed AS MATERIALIZED (
            SELECT o.person_id AS old_person, {milestone.format(x="o")} AS old_milestone,
                   n.person_id AS new_person, {milestone.format(x="n")} AS new_milestone
            FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {changed})
        SELECT array_agg(y.person_id), array_agg(y.milestone) INTO persons, names FROM (
            SELECT old_person, old_milestone FROM changed UNION SELECT new_person, new_milestone FROM changed
        ) y(person_id, milestone) WHERE y.milestone IS NOT NULL;
    ELSE
        SELECT array_agg(y.person_id), array_agg(y.milestone) INTO persons, names FROM (
            SELECT DISTINCT x.person_id, {milestone.format(x="x")} AS milestone FROM old_rows x) y
        WHERE y.milestone IS NOT NULL;
    END IF;
    IF persons IS NOT NULL THEN
        PERFORM person_milestones_refresh(persons, names);
    END IF;
    RETURN NULL;
END
$body$"""


PG_PROGRAMMES = """
CREATE OR REPLACE FUNCTION person_milestones_programmes() RETURNS trigger
LANGUAGE plpgsql AS $body$
DECLARE
    persons integer[];
BEGIN
    -- A programme whose theme changes (or that goes): its referrals' persons' language referral again.
    SELECT array_agg(DISTINCT f.person_id) INTO persons FROM referrals f
        WHERE f.programme_id IN (SELECT o.id FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
                                 WHERE n.id IS NULL OR n.theme IS DISTINCT FROM o.theme);
    IF persons IS NOT NULL THEN
        PERFORM person_milestones_refresh(persons, array_fill('language_referral'::text,
                                                              ARRAY[cardinality(persons)]));
    END IF;
    RETURN NULL;
END
$body$"""

PG_PROGRAMMES_DELETE = """
CREATE OR REPLACE FUNCTION person_milestones_programmes_gone() RETURNS trigger
LANGUAGE plpgsql AS $body$
DECLARE
    persons integer[];
BEGIN
    SELECT array_agg(DISTINCT f.person_id) INTO persons FROM referrals f
        WHERE f.programme_id IN (SELECT o.id FROM old_rows o);
    IF persons IS NOT NULL THEN
        PERFORM person_milestones_refresh(persons, array_fill('language_referral'::text,
                                                              ARRAY[cardinality(persons)]));
    END IF;
    RETURN NULL;
END
$body$"""

PG_PERSONS = """
CREATE OR REPLACE FUNCTION person_milestones_persons() RETURNS trigger
LANGUAGE plpgsql AS $body$
BEGIN
    DELETE FROM person_milestones m USING old_rows o WHERE m.person_id = o.id;
    RETURN NULL;
END
$body$"""

PG_FUNCTIONS = ("person_milestones_refresh(integer[], text[])",
                *(f"person_milestones_{table}()" for table in (*SOURCES, "programmes", "programmes_gone", "persons")))


def _pg_trigger(table: str, operation: str, function: str) -> str:
    transition = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                  "DELETE": "OLD TABLE AS old_rows"}[operation]
    return (f"CREATE TRIGGER person_milestones_{operation.lower()} AFTER {operation} ON {table}"
            f" REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {function}()")


def _pg_triggers() -> list[tuple[str, str]]:
    """(table, CREATE TRIGGER) of every trigger."""
    found = [(table, _pg_trigger(table, operation, f"person_milestones_{table}"))
             for table in SOURCES for operation in ("INSERT", "UPDATE", "DELETE")]
    found.append(("programmes", _pg_trigger("programmes", "UPDATE", "person_milestones_programmes")))
    found.append(("programmes", _pg_trigger("programmes", "DELETE", "person_milestones_programmes_gone")))
    found.append(("persons", _pg_trigger("persons", "DELETE", "person_milestones_persons")))
    return found


# --- SQLite: row triggers ----------------------------------------------------------------------------

def _sqlite_first(table: str, person: str, milestone: str) -> str:
    """SELECT of the first date of the pair (`person`, `milestone`: SQL on OLD or NEW) from the source tables."""
    if table == "right_steps":
        return (f"SELECT min(obtained_on) AS reached_on FROM right_steps WHERE person_id = {person}"
                f" AND kind = {milestone} AND state = 'obtained' AND obtained_on IS NOT NULL")
    if table == "housing_accesses":
        return f"SELECT min(access_on) AS reached_on FROM housing_accesses WHERE person_id = {person} AND {PERMANENT}"
    if table in ("jobs", "trainings"):
        return (f"SELECT min(d) AS reached_on FROM (SELECT start_on AS d FROM jobs WHERE person_id = {person}"
                f" UNION ALL SELECT start_on FROM trainings WHERE person_id = {person})")
    return (f"SELECT min(f.sent_on) AS reached_on FROM referrals f JOIN programmes p ON p.id = f.programme_id"
            f" WHERE f.person_id = {person} AND p.{LANGUAGE}")


def _sqlite_milestone(table: str, row: str) -> tuple[str, str]:
    """(milestone, guard: whether the row counts for it) of a row of the table (SQL on OLD or NEW)."""
    if table == "right_steps":
        return f"{row}.kind", f"{row}.{RIGHTS}"
    if table == "housing_accesses":
        return "'permanent_housing'", f"{row}.{PERMANENT}"
    if table in ("jobs", "trainings"):
        return "'job_or_training'", "1"
    return ("'language_referral'",
            f"EXISTS (SELECT 1 FROM programmes p WHERE p.id = {row}.programme_id AND p.{LANGUAGE})")


def _sqlite_recompute(table: str, row: str) -> str:
    """The statements recomputing the (person, milestone) pair of the OLD or NEW row, when it counts for one."""
    person = f"{row}.person_id"
    milestone, guard = _sqlite_milestone(table, row)
    return (f"DELETE FROM person_milestones WHERE person_id = {person} AND milestone = {milestone} AND {guard};"
            f" INSERT INTO person_milestones (person_id, milestone, reached_on)"
            f" SELECT {person}, {milestone}, s.reached_on"
            f" FROM ({_sqlite_first(table, person, milestone)}) s"
            f" WHERE s.reached_on IS NOT NULL AND {guard} AND EXISTS (SELECT 1 FROM persons WHERE id = {person});")


def _sqlite_triggers() -> list[tuple[str, str]]:
    found = []
    for table, (_, _, columns) in SOURCES.items():
        found.append((table, f"CREATE TRIGGER person_milestones_{table}_insert AFTER INSERT ON {table} BEGIN"
                             f" {_sqlite_recompute(table, 'NEW')} END"))
        found.append((table, f"CREATE TRIGGER person_milestones_{table}_update"
                             f" AFTER UPDATE OF {', '.join(columns)} ON {table} BEGIN"
                             f" {_sqlite_recompute(table, 'OLD')} {_sqlite_recompute(table, 'NEW')} END"))
        found.append((table, f"CREATE TRIGGER person_milestones_{table}_delete AFTER DELETE ON {table} BEGIN"
                             f" {_sqlite_recompute(table, 'OLD')} END"))
    persons = "SELECT f.person_id FROM referrals f WHERE f.programme_id = OLD.id"
    refresh = ("DELETE FROM person_milestones WHERE milestone = 'language_referral'"
               f" AND person_id IN ({persons});"
               " INSERT INTO person_milestones (person_id, milestone, reached_on)"
               " SELECT f.person_id, 'language_referral', min(f.sent_on) FROM referrals f"
               f" JOIN programmes p ON p.id = f.programme_id WHERE p.{LANGUAGE} AND f.person_id IN ({persons})"
               " AND EXISTS (SELECT 1 FROM persons WHERE id = f.person_id) GROUP BY f.person_id;")
    found.append(("programmes", "CREATE TRIGGER person_milestones_programmes_update AFTER UPDATE OF theme"
                                f" ON programmes WHEN OLD.theme IS NOT NEW.theme BEGIN {refresh} END"))
    found.append(("programmes", f"CREATE TRIGGER person_milestones_programmes_delete AFTER DELETE ON programmes"
                                f" BEGIN {refresh} END"))
    found.append(("persons", "CREATE TRIGGER person_milestones_persons_delete AFTER DELETE ON persons BEGIN"
                             " DELETE FROM person_milestones WHERE person_id = OLD.id; END"))
    return found


# --- DDL ---------------------------------------------------------------------------------------------

TRIGGER_TABLES = (*SOURCES, "programmes", "persons")


def create_statements(dialect: str) -> list[str]:
    """The functions and triggers that keep the table (after every table exists)."""
    if dialect == "postgresql":
        return [PG_REFRESH, *(_pg_source_function(table) for table in SOURCES), PG_PROGRAMMES, PG_PROGRAMMES_DELETE,
                PG_PERSONS,
                *(sql for _, sql in _pg_triggers())]
    return [sql for _, sql in _sqlite_triggers()]


def drop_statements(dialect: str) -> list[str]:
    """The statements that remove the triggers and functions (the tables stay)."""
    if dialect == "postgresql":
        names = sorted({(table, sql.split()[2]) for table, sql in _pg_triggers()})
        return [*(f"DROP TRIGGER IF EXISTS {name} ON {table}" for table, name in names),
                *(f"DROP FUNCTION IF EXISTS {function}" for function in PG_FUNCTIONS)]
    return [f"DROP TRIGGER IF EXISTS {sql.split()[2]}" for _, sql in _sqlite_triggers()]


@event.listens_for(db.metadata, "after_create")
def _create_triggers(_metadata, connection, tables=(), **_):
    """create_all (tests, demo): the triggers once every table they read and write exists."""
    names = {table.name for table in tables}
    if "person_milestones" not in names:
        return
    for sql in create_statements(connection.dialect.name):
        connection.exec_driver_sql(sql)


@event.listens_for(db.metadata, "before_drop")
def _drop_triggers(_metadata, connection, tables=(), **_):
    """drop_all: the triggers (and PostgreSQL's functions) go first."""
    if "person_milestones" not in {table.name for table in tables}:
        return
    existing = set(db.inspect(connection).get_table_names())
    if not {"person_milestones", *TRIGGER_TABLES} <= existing:
        return
    for sql in drop_statements(connection.dialect.name):
        connection.exec_driver_sql(sql)
