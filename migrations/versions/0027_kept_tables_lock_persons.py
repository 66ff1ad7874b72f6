"""the kept tables lock the persons they recompute (PostgreSQL): no race between two writers of one person

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 01:00:00

Two transactions writing one person's records at once (two jobs deleted, an accompaniment corrected beside
another) ran the triggers of 0025 and 0026 on snapshots taken before the other committed: under READ COMMITTED
the second ended on a duplicate key of person_milestones, or wrote a stale latest accompaniment on the person
(tests/test_kept_races.py). The two functions that recompute now lock the persons first (SELECT … FOR NO KEY
UPDATE, in a statement of its own), so that the second transaction waits, then reads what the first committed;
the milestones' recomputation keeps the earlier date of a row another transaction's new records wrote meanwhile.
Only the function bodies change (the triggers call them by name); SQLite, one writer at a time, is unchanged.
The copies below are frozen as they stood at this revision (models/milestones.py, models/latest.py: a test
compares them); the downgrade puts back the copies of 0025 and 0026.
"""
import importlib.util
from pathlib import Path

from alembic import op

# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

MILESTONES_REFRESH = ('\n'
 'CREATE OR REPLACE FUNCTION person_milestones_refresh(persons integer[], names text[]) RETURNS void\n'
 'LANGUAGE plpgsql AS $body$\n'
 'BEGIN\n'
 '    -- Two transactions recomputing one person wait for each other here; the statements below then take a '
 'snapshot\n'
 '    -- that holds what the first committed (READ COMMITTED: each statement of the function takes its own).\n'
 '    PERFORM 1 FROM persons WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE;\n'
 '    DELETE FROM person_milestones m USING unnest(persons, names) AS a(person_id, milestone)\n'
 '        WHERE m.person_id = a.person_id AND m.milestone = a.milestone;\n'
 "    -- A row written meanwhile by another transaction's new records (their upsert takes no lock) keeps the "
 'earlier.\n'
 '    INSERT INTO person_milestones (person_id, milestone, reached_on)\n'
 '        WITH pairs AS MATERIALIZED (SELECT DISTINCT a.person_id, a.milestone\n'
 '                                    FROM unnest(persons, names) AS a(person_id, milestone))\n'
 '        SELECT s.person_id, s.milestone, s.reached_on FROM (SELECT r.person_id AS person_id, r.kind AS '
 "milestone, min(r.obtained_on) AS reached_on FROM right_steps r WHERE r.kind IN ('health_insurance', "
 "'caf_benefits', 'bank_account') AND r.state = 'obtained' AND r.obtained_on IS NOT NULL AND EXISTS (SELECT 1 FROM "
 'pairs a WHERE a.person_id = r.person_id AND a.milestone = r.kind) GROUP BY r.person_id, r.kind UNION ALL SELECT '
 "h.person_id, 'permanent_housing', min(h.access_on) FROM housing_accesses h WHERE h.kind IN ('social_rental', "
 "'private_rental', 'iml_mandate') AND EXISTS (SELECT 1 FROM pairs a WHERE a.person_id = h.person_id AND "
 "a.milestone = 'permanent_housing') GROUP BY h.person_id UNION ALL SELECT w.person_id, 'job_or_training', "
 'min(w.start_on) FROM (SELECT person_id, start_on FROM jobs UNION ALL SELECT person_id, start_on FROM trainings) '
 'w WHERE true AND EXISTS (SELECT 1 FROM pairs a WHERE a.person_id = w.person_id AND a.milestone = '
 "'job_or_training') GROUP BY w.person_id UNION ALL SELECT f.person_id, 'language_referral', min(f.sent_on) FROM "
 "referrals f JOIN programmes p ON p.id = f.programme_id WHERE p.theme IN ('language', 'professional_french') AND "
 "EXISTS (SELECT 1 FROM pairs a WHERE a.person_id = f.person_id AND a.milestone = 'language_referral') GROUP BY "
 'f.person_id) s\n'
 '        WHERE EXISTS (SELECT 1 FROM persons WHERE id = s.person_id)\n'
 '    ON CONFLICT (person_id, milestone) DO UPDATE SET reached_on = EXCLUDED.reached_on\n'
 '        WHERE EXCLUDED.reached_on < person_milestones.reached_on;\n'
 'END\n'
 '$body$')

KEEP_LATEST = ('CREATE OR REPLACE FUNCTION agir_keep_latest_accompaniment(person_ids integer[]) RETURNS void\n'
 'LANGUAGE sql AS $$\n'
 'SELECT 1 FROM persons WHERE id = ANY(person_ids) ORDER BY id FOR NO KEY UPDATE;\n'
 'UPDATE persons AS p\n'
 '   SET (latest_accompaniment_id, latest_start_on, latest_end_on, latest_exit_on, latest_is_priority)\n'
 '       = (a.id, a.start_on, a.current_end_on, a.exit_on, a.is_priority)\n'
 '  FROM (SELECT DISTINCT unnest(person_ids) AS person_id) AS c\n'
 '  LEFT JOIN LATERAL (SELECT id, start_on, current_end_on, exit_on, is_priority FROM accompaniments\n'
 '                      WHERE accompaniments.person_id = c.person_id\n'
 '                      ORDER BY start_on DESC, id DESC LIMIT 1) AS a ON true\n'
 ' WHERE p.id = c.person_id\n'
 '   AND (p.latest_accompaniment_id, p.latest_start_on, p.latest_end_on, p.latest_exit_on, p.latest_is_priority)\n'
 '       IS DISTINCT FROM (a.id, a.start_on, a.current_end_on, a.exit_on, a.is_priority)\n'
 '$$')


def _earlier(name: str):
    """A migration before this one, read from its file (its frozen copies of the functions)."""
    path = Path(__file__).resolve().parent / name
    spec = importlib.util.spec_from_file_location(f'migration_{path.stem}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(MILESTONES_REFRESH)
    op.execute(KEEP_LATEST)


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(_earlier('0025_person_milestones.py').CREATE['postgresql'][0])
    op.execute(_earlier('0026_persons_latest_accompaniment.py').POSTGRESQL[0])
