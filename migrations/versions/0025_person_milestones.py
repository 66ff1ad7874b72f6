"""first dates of the cohort's milestones kept per person (issue 21 item 2): the table person_milestones —
(person_id, milestone, reached_on), one row per milestone a person reached with its first date — filled from the
source tables (right_steps obtained, permanent housing accesses, jobs and trainings, referrals to a programme
of a language theme), and the triggers that keep it equal to them on every write (PostgreSQL: statement-level
triggers with transition tables; SQLite: row triggers). The cohort and the comparison of departments read one
index range per member instead of five probes (docs/performance.md, « Milestones kept per person »). Two
indexes for the comparison's other per-person reads: ix_persons_id_department_id (each person's department,
index only) and ix_appointments_honoured_first_interviews (partial: each person's first honoured first
interview).

The trigger SQL is a frozen copy of models/milestones.py's (`create_statements`) of that day, the same the test
schema gets from create_all (tests/test_person_milestones.py compares them).
Downgrading drops the triggers, the functions and the table.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 21:40:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

# Frozen copy of models/milestones.py's SQL on the day of this migration (a migration must not change when
# the application's module does; tests/test_person_milestones.py checks the test schema's triggers equal these).
REBUILD = ['DELETE FROM person_milestones',
 'INSERT INTO person_milestones (person_id, milestone, reached_on) SELECT s.person_id, s.milestone, s.reached_on '
 'FROM (SELECT r.person_id AS person_id, r.kind AS milestone, min(r.obtained_on) AS reached_on FROM right_steps r '
 "WHERE r.kind IN ('health_insurance', 'caf_benefits', 'bank_account') AND r.state = 'obtained' AND r.obtained_on "
 "IS NOT NULL GROUP BY r.person_id, r.kind UNION ALL SELECT h.person_id, 'permanent_housing', min(h.access_on) "
 "FROM housing_accesses h WHERE h.kind IN ('social_rental', 'private_rental', 'iml_mandate') GROUP BY h.person_id "
 "UNION ALL SELECT w.person_id, 'job_or_training', min(w.start_on) FROM (SELECT person_id, start_on FROM jobs "
 'UNION ALL SELECT person_id, start_on FROM trainings) w WHERE true GROUP BY w.person_id UNION ALL SELECT '
 "f.person_id, 'language_referral', min(f.sent_on) FROM referrals f JOIN programmes p ON p.id = f.programme_id "
 "WHERE p.theme IN ('language', 'professional_french') GROUP BY f.person_id) s WHERE EXISTS (SELECT 1 FROM persons "
 'WHERE id = s.person_id)']
CREATE = {'postgresql': ['\n'
                'CREATE OR REPLACE FUNCTION person_milestones_refresh(persons integer[], names text[]) RETURNS '
                'void\n'
                'LANGUAGE plpgsql AS $body$\n'
                'BEGIN\n'
                '    DELETE FROM person_milestones m USING unnest(persons, names) AS a(person_id, milestone)\n'
                '        WHERE m.person_id = a.person_id AND m.milestone = a.milestone;\n'
                '    INSERT INTO person_milestones (person_id, milestone, reached_on)\n'
                '        WITH pairs AS MATERIALIZED (SELECT DISTINCT a.person_id, a.milestone\n'
                '                                    FROM unnest(persons, names) AS a(person_id, milestone))\n'
                '        SELECT s.person_id, s.milestone, s.reached_on FROM (SELECT r.person_id AS person_id, '
                'r.kind AS milestone, min(r.obtained_on) AS reached_on FROM right_steps r WHERE r.kind IN '
                "('health_insurance', 'caf_benefits', 'bank_account') AND r.state = 'obtained' AND r.obtained_on "
                'IS NOT NULL AND EXISTS (SELECT 1 FROM pairs a WHERE a.person_id = r.person_id AND a.milestone = '
                "r.kind) GROUP BY r.person_id, r.kind UNION ALL SELECT h.person_id, 'permanent_housing', "
                "min(h.access_on) FROM housing_accesses h WHERE h.kind IN ('social_rental', 'private_rental', "
                "'iml_mandate') AND EXISTS (SELECT 1 FROM pairs a WHERE a.person_id = h.person_id AND a.milestone "
                "= 'permanent_housing') GROUP BY h.person_id UNION ALL SELECT w.person_id, 'job_or_training', "
                'min(w.start_on) FROM (SELECT person_id, start_on FROM jobs UNION ALL SELECT person_id, start_on '
                'FROM trainings) w WHERE true AND EXISTS (SELECT 1 FROM pairs a WHERE a.person_id = w.person_id '
                "AND a.milestone = 'job_or_training') GROUP BY w.person_id UNION ALL SELECT f.person_id, "
                "'language_referral', min(f.sent_on) FROM referrals f JOIN programmes p ON p.id = f.programme_id "
                "WHERE p.theme IN ('language', 'professional_french') AND EXISTS (SELECT 1 FROM pairs a WHERE "
                "a.person_id = f.person_id AND a.milestone = 'language_referral') GROUP BY f.person_id) s\n"
                '        WHERE EXISTS (SELECT 1 FROM persons WHERE id = s.person_id);\n'
                'END\n'
                '$body$',
                '\n'
                'CREATE OR REPLACE FUNCTION person_milestones_right_steps() RETURNS trigger\n'
                'LANGUAGE plpgsql AS $body$\n'
                'DECLARE\n'
                '    persons integer[];\n'
                '    names text[];\n'
                'BEGIN\n'
                "    IF TG_OP = 'INSERT' THEN\n"
                '        -- New rows can only give a first date or an earlier one: an upsert of their minimum, no '
                'source read.\n'
                '        INSERT INTO person_milestones (person_id, milestone, reached_on)\n'
                '            SELECT y.person_id, y.milestone, min(y.reached_on) FROM\n'
                "                (SELECT x.person_id, CASE WHEN x.kind IN ('health_insurance', 'caf_benefits', "
                "'bank_account') THEN x.kind::text END AS milestone, CASE WHEN x.state = 'obtained' THEN "
                'x.obtained_on END AS reached_on\n'
                '                 FROM new_rows x) y\n'
                '            WHERE y.milestone IS NOT NULL AND y.reached_on IS NOT NULL\n'
                '            GROUP BY y.person_id, y.milestone\n'
                '        ON CONFLICT (person_id, milestone) DO UPDATE SET reached_on = EXCLUDED.reached_on\n'
                '            WHERE EXCLUDED.reached_on < person_milestones.reached_on;\n'
                '        RETURN NULL;\n'
                "    ELSIF TG_OP = 'UPDATE' THEN\n"
                '        -- The pairs (person, milestone) of the rows before and after, for the rows whose '
                'relevant columns changed.\n'
                '        WITH changed AS MATERIALIZED (\n'
                "            SELECT o.person_id AS old_person, CASE WHEN o.kind IN ('health_insurance', "
                "'caf_benefits', 'bank_account') THEN o.kind::text END AS old_milestone,\n"
                "                   n.person_id AS new_person, CASE WHEN n.kind IN ('health_insurance', "
                "'caf_benefits', 'bank_account') THEN n.kind::text END AS new_milestone\n"
                '            FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.person_id IS DISTINCT FROM '
                'n.person_id OR o.kind IS DISTINCT FROM n.kind OR o.state IS DISTINCT FROM n.state OR '
                'o.obtained_on IS DISTINCT FROM n.obtained_on)\n'
                '        SELECT array_agg(y.person_id), array_agg(y.milestone) INTO persons, names FROM (\n'
                '            SELECT old_person, old_milestone FROM changed UNION SELECT new_person, new_milestone '
                'FROM changed\n'
                '        ) y(person_id, milestone) WHERE y.milestone IS NOT NULL;\n'
                '    ELSE\n'
                '        SELECT array_agg(y.person_id), array_agg(y.milestone) INTO persons, names FROM (\n'
                "            SELECT DISTINCT x.person_id, CASE WHEN x.kind IN ('health_insurance', 'caf_benefits', "
                "'bank_account') THEN x.kind::text END AS milestone FROM old_rows x) y\n"
                '        WHERE y.milestone IS NOT NULL;\n'
                '    END IF;\n'
                '    IF persons IS NOT NULL THEN\n'
                '        PERFORM person_milestones_refresh(persons, names);\n'
                '    END IF;\n'
                '    RETURN NULL;\n'
                'END\n'
                '$body$',
                '\n'
                'CREATE OR REPLACE FUNCTION person_milestones_housing_accesses() RETURNS trigger\n'
                'LANGUAGE plpgsql AS $body$\n'
                'DECLARE\n'
                '    persons integer[];\n'
                '    names text[];\n'
                'BEGIN\n'
                "    IF TG_OP = 'INSERT' THEN\n"
                '        -- New rows can only give a first date or an earlier one: an upsert of their minimum, no '
                'source read.\n'
                '        INSERT INTO person_milestones (person_id, milestone, reached_on)\n'
                '            SELECT y.person_id, y.milestone, min(y.reached_on) FROM\n'
                "                (SELECT x.person_id, CASE WHEN x.kind IN ('social_rental', 'private_rental', "
                "'iml_mandate') THEN 'permanent_housing'::text END AS milestone, x.access_on AS reached_on\n"
                '                 FROM new_rows x) y\n'
                '            WHERE y.milestone IS NOT NULL AND y.reached_on IS NOT NULL\n'
                '            GROUP BY y.person_id, y.milestone\n'
                '        ON CONFLICT (person_id, milestone) DO UPDATE SET reached_on = EXCLUDED.reached_on\n'
                '            WHERE EXCLUDED.reached_on < person_milestones.reached_on;\n'
                '        RETURN NULL;\n'
                "    ELSIF TG_OP = 'UPDATE' THEN\n"
                '        -- The pairs (person, milestone) of the rows before and after, for the rows whose '
                'relevant columns changed.\n'
                '        WITH changed AS MATERIALIZED (\n'
                "            SELECT o.person_id AS old_person, CASE WHEN o.kind IN ('social_rental', "
                "'private_rental', 'iml_mandate') THEN 'permanent_housing'::text END AS old_milestone,\n"
                "                   n.person_id AS new_person, CASE WHEN n.kind IN ('social_rental', "
                "'private_rental', 'iml_mandate') THEN 'permanent_housing'::text END AS new_milestone\n"
                '            FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.person_id IS DISTINCT FROM '
                'n.person_id OR o.kind IS DISTINCT FROM n.kind OR o.access_on IS DISTINCT FROM n.access_on)\n'
                '        SELECT array_agg(y.person_id), array_agg(y.milestone) INTO persons, names FROM (\n'
                '            SELECT old_person, old_milestone FROM changed UNION SELECT new_person, new_milestone '
                'FROM changed\n'
                '        ) y(person_id, milestone) WHERE y.milestone IS NOT NULL;\n'
                '    ELSE\n'
                '        SELECT array_agg(y.person_id), array_agg(y.milestone) INTO persons, names FROM (\n'
                "            SELECT DISTINCT x.person_id, CASE WHEN x.kind IN ('social_rental', 'private_rental', "
                "'iml_mandate') THEN 'permanent_housing'::text END AS milestone FROM old_rows x) y\n"
                '        WHERE y.milestone IS NOT NULL;\n'
                '    END IF;\n'
                '    IF persons IS NOT NULL THEN\n'
                '        PERFORM person_milestones_refresh(persons, names);\n'
                '    END IF;\n'
                '    RETURN NULL;\n'
                'END\n'
                '$body$',
                '\n'
                'CREATE OR REPLACE FUNCTION person_milestones_jobs() RETURNS trigger\n'
                'LANGUAGE plpgsql AS $body$\n'
                'DECLARE\n'
                '    persons integer[];\n'
                '    names text[];\n'
                'BEGIN\n'
                "    IF TG_OP = 'INSERT' THEN\n"
                '        -- New rows can only give a first date or an earlier one: an upsert of their minimum, no '
                'source read.\n'
                '        INSERT INTO person_milestones (person_id, milestone, reached_on)\n'
                '            SELECT y.person_id, y.milestone, min(y.reached_on) FROM\n'
                "                (SELECT x.person_id, 'job_or_training'::text AS milestone, x.start_on AS "
                'reached_on\n'
                '                 FROM new_rows x) y\n'
                '            WHERE y.milestone IS NOT NULL AND y.reached_on IS NOT NULL\n'
                '            GROUP BY y.person_id, y.milestone\n'
                '        ON CONFLICT (person_id, milestone) DO UPDATE SET reached_on = EXCLUDED.reached_on\n'
                '            WHERE EXCLUDED.reached_on < person_milestones.reached_on;\n'
                '        RETURN NULL;\n'
                "    ELSIF TG_OP = 'UPDATE' THEN\n"
                '        -- The pairs (person, milestone) of the rows before and after, for the rows whose '
                'relevant columns changed.\n'
                '        WITH changed AS MATERIALIZED (\n'
                "            SELECT o.person_id AS old_person, 'job_or_training'::text AS old_milestone,\n"
                "                   n.person_id AS new_person, 'job_or_training'::text AS new_milestone\n"
                '            FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.person_id IS DISTINCT FROM '
                'n.person_id OR o.start_on IS DISTINCT FROM n.start_on)\n'
                '        SELECT array_agg(y.person_id), array_agg(y.milestone) INTO persons, names FROM (\n'
                '            SELECT old_person, old_milestone FROM changed UNION SELECT new_person, new_milestone '
                'FROM changed\n'
                '        ) y(person_id, milestone) WHERE y.milestone IS NOT NULL;\n'
                '    ELSE\n'
                '        SELECT array_agg(y.person_id), array_agg(y.milestone) INTO persons, names FROM (\n'
                "            SELECT DISTINCT x.person_id, 'job_or_training'::text AS milestone FROM old_rows x) y\n"
                '        WHERE y.milestone IS NOT NULL;\n'
                '    END IF;\n'
                '    IF persons IS NOT NULL THEN\n'
                '        PERFORM person_milestones_refresh(persons, names);\n'
                '    END IF;\n'
                '    RETURN NULL;\n'
                'END\n'
                '$body$',
                '\n'
                'CREATE OR REPLACE FUNCTION person_milestones_trainings() RETURNS trigger\n'
                'LANGUAGE plpgsql AS $body$\n'
                'DECLARE\n'
                '    persons integer[];\n'
                '    names text[];\n'
                'BEGIN\n'
                "    IF TG_OP = 'INSERT' THEN\n"
                '        -- New rows can only give a first date or an earlier one: an upsert of their minimum, no '
                'source read.\n'
                '        INSERT INTO person_milestones (person_id, milestone, reached_on)\n'
                '            SELECT y.person_id, y.milestone, min(y.reached_on) FROM\n'
                "                (SELECT x.person_id, 'job_or_training'::text AS milestone, x.start_on AS "
                'reached_on\n'
                '                 FROM new_rows x) y\n'
                '            WHERE y.milestone IS NOT NULL AND y.reached_on IS NOT NULL\n'
                '            GROUP BY y.person_id, y.milestone\n'
                '        ON CONFLICT (person_id, milestone) DO UPDATE SET reached_on = EXCLUDED.reached_on\n'
                '            WHERE EXCLUDED.reached_on < person_milestones.reached_on;\n'
                '        RETURN NULL;\n'
                "    ELSIF TG_OP = 'UPDATE' THEN\n"
                '        -- The pairs (person, milestone) of the rows before and after, for the rows whose '
                'relevant columns changed.\n'
                '        WITH changed AS MATERIALIZED (\n'
                "            SELECT o.person_id AS old_person, 'job_or_training'::text AS old_milestone,\n"
                "                   n.person_id AS new_person, 'job_or_training'::text AS new_milestone\n"
                '            FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.person_id IS DISTINCT FROM '
                'n.person_id OR o.start_on IS DISTINCT FROM n.start_on)\n'
                '        SELECT array_agg(y.person_id), array_agg(y.milestone) INTO persons, names FROM (\n'
                '            SELECT old_person, old_milestone FROM changed UNION SELECT new_person, new_milestone '
                'FROM changed\n'
                '        ) y(person_id, milestone) WHERE y.milestone IS NOT NULL;\n'
                '    ELSE\n'
                '        SELECT array_agg(y.person_id), array_agg(y.milestone) INTO persons, names FROM (\n'
                "            SELECT DISTINCT x.person_id, 'job_or_training'::text AS milestone FROM old_rows x) y\n"
                '        WHERE y.milestone IS NOT NULL;\n'
                '    END IF;\n'
                '    IF persons IS NOT NULL THEN\n'
                '        PERFORM person_milestones_refresh(persons, names);\n'
                '    END IF;\n'
                '    RETURN NULL;\n'
                'END\n'
                '$body$',
                '\n'
                'CREATE OR REPLACE FUNCTION person_milestones_referrals() RETURNS trigger\n'
                'LANGUAGE plpgsql AS $body$\n'
                'DECLARE\n'
                '    persons integer[];\n'
                '    names text[];\n'
                'BEGIN\n'
                "    IF TG_OP = 'INSERT' THEN\n"
                '        -- New rows can only give a first date or an earlier one: an upsert of their minimum, no '
                'source read.\n'
                '        INSERT INTO person_milestones (person_id, milestone, reached_on)\n'
                '            SELECT y.person_id, y.milestone, min(y.reached_on) FROM\n'
                "                (SELECT x.person_id, (SELECT 'language_referral'::text FROM programmes p WHERE "
                "p.id = x.programme_id AND p.theme IN ('language', 'professional_french')) AS milestone, x.sent_on "
                'AS reached_on\n'
                '                 FROM new_rows x) y\n'
                '            WHERE y.milestone IS NOT NULL AND y.reached_on IS NOT NULL\n'
                '            GROUP BY y.person_id, y.milestone\n'
                '        ON CONFLICT (person_id, milestone) DO UPDATE SET reached_on = EXCLUDED.reached_on\n'
                '            WHERE EXCLUDED.reached_on < person_milestones.reached_on;\n'
                '        RETURN NULL;\n'
                "    ELSIF TG_OP = 'UPDATE' THEN\n"
                '        -- The pairs (person, milestone) of the rows before and after, for the rows whose '
                'relevant columns changed.\n'
                '        WITH changed AS MATERIALIZED (\n'
                "            SELECT o.person_id AS old_person, (SELECT 'language_referral'::text FROM programmes p "
                "WHERE p.id = o.programme_id AND p.theme IN ('language', 'professional_french')) AS "
                'old_milestone,\n'
                "                   n.person_id AS new_person, (SELECT 'language_referral'::text FROM programmes p "
                "WHERE p.id = n.programme_id AND p.theme IN ('language', 'professional_french')) AS new_milestone\n"
                '            FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.person_id IS DISTINCT FROM '
                'n.person_id OR o.programme_id IS DISTINCT FROM n.programme_id OR o.sent_on IS DISTINCT FROM '
                'n.sent_on)\n'
                '        SELECT array_agg(y.person_id), array_agg(y.milestone) INTO persons, names FROM (\n'
                '            SELECT old_person, old_milestone FROM changed UNION SELECT new_person, new_milestone '
                'FROM changed\n'
                '        ) y(person_id, milestone) WHERE y.milestone IS NOT NULL;\n'
                '    ELSE\n'
                '        SELECT array_agg(y.person_id), array_agg(y.milestone) INTO persons, names FROM (\n'
                "            SELECT DISTINCT x.person_id, (SELECT 'language_referral'::text FROM programmes p "
                "WHERE p.id = x.programme_id AND p.theme IN ('language', 'professional_french')) AS milestone FROM "
                'old_rows x) y\n'
                '        WHERE y.milestone IS NOT NULL;\n'
                '    END IF;\n'
                '    IF persons IS NOT NULL THEN\n'
                '        PERFORM person_milestones_refresh(persons, names);\n'
                '    END IF;\n'
                '    RETURN NULL;\n'
                'END\n'
                '$body$',
                '\n'
                'CREATE OR REPLACE FUNCTION person_milestones_programmes() RETURNS trigger\n'
                'LANGUAGE plpgsql AS $body$\n'
                'DECLARE\n'
                '    persons integer[];\n'
                'BEGIN\n'
                "    -- A programme whose theme changes (or that goes): its referrals' persons' language referral "
                'again.\n'
                '    SELECT array_agg(DISTINCT f.person_id) INTO persons FROM referrals f\n'
                '        WHERE f.programme_id IN (SELECT o.id FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id\n'
                '                                 WHERE n.id IS NULL OR n.theme IS DISTINCT FROM o.theme);\n'
                '    IF persons IS NOT NULL THEN\n'
                "        PERFORM person_milestones_refresh(persons, array_fill('language_referral'::text,\n"
                '                                                              ARRAY[cardinality(persons)]));\n'
                '    END IF;\n'
                '    RETURN NULL;\n'
                'END\n'
                '$body$',
                '\n'
                'CREATE OR REPLACE FUNCTION person_milestones_programmes_gone() RETURNS trigger\n'
                'LANGUAGE plpgsql AS $body$\n'
                'DECLARE\n'
                '    persons integer[];\n'
                'BEGIN\n'
                '    SELECT array_agg(DISTINCT f.person_id) INTO persons FROM referrals f\n'
                '        WHERE f.programme_id IN (SELECT o.id FROM old_rows o);\n'
                '    IF persons IS NOT NULL THEN\n'
                "        PERFORM person_milestones_refresh(persons, array_fill('language_referral'::text,\n"
                '                                                              ARRAY[cardinality(persons)]));\n'
                '    END IF;\n'
                '    RETURN NULL;\n'
                'END\n'
                '$body$',
                '\n'
                'CREATE OR REPLACE FUNCTION person_milestones_persons() RETURNS trigger\n'
                'LANGUAGE plpgsql AS $body$\n'
                'BEGIN\n'
                '    DELETE FROM person_milestones m USING old_rows o WHERE m.person_id = o.id;\n'
                '    RETURN NULL;\n'
                'END\n'
                '$body$',
                'CREATE TRIGGER person_milestones_insert AFTER INSERT ON right_steps REFERENCING NEW TABLE AS '
                'new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_milestones_right_steps()',
                'CREATE TRIGGER person_milestones_update AFTER UPDATE ON right_steps REFERENCING OLD TABLE AS '
                'old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION '
                'person_milestones_right_steps()',
                'CREATE TRIGGER person_milestones_delete AFTER DELETE ON right_steps REFERENCING OLD TABLE AS '
                'old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_milestones_right_steps()',
                'CREATE TRIGGER person_milestones_insert AFTER INSERT ON housing_accesses REFERENCING NEW TABLE AS '
                'new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_milestones_housing_accesses()',
                'CREATE TRIGGER person_milestones_update AFTER UPDATE ON housing_accesses REFERENCING OLD TABLE AS '
                'old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION '
                'person_milestones_housing_accesses()',
                'CREATE TRIGGER person_milestones_delete AFTER DELETE ON housing_accesses REFERENCING OLD TABLE AS '
                'old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_milestones_housing_accesses()',
                'CREATE TRIGGER person_milestones_insert AFTER INSERT ON jobs REFERENCING NEW TABLE AS new_rows '
                'FOR EACH STATEMENT EXECUTE FUNCTION person_milestones_jobs()',
                'CREATE TRIGGER person_milestones_update AFTER UPDATE ON jobs REFERENCING OLD TABLE AS old_rows '
                'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_milestones_jobs()',
                'CREATE TRIGGER person_milestones_delete AFTER DELETE ON jobs REFERENCING OLD TABLE AS old_rows '
                'FOR EACH STATEMENT EXECUTE FUNCTION person_milestones_jobs()',
                'CREATE TRIGGER person_milestones_insert AFTER INSERT ON trainings REFERENCING NEW TABLE AS '
                'new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_milestones_trainings()',
                'CREATE TRIGGER person_milestones_update AFTER UPDATE ON trainings REFERENCING OLD TABLE AS '
                'old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_milestones_trainings()',
                'CREATE TRIGGER person_milestones_delete AFTER DELETE ON trainings REFERENCING OLD TABLE AS '
                'old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_milestones_trainings()',
                'CREATE TRIGGER person_milestones_insert AFTER INSERT ON referrals REFERENCING NEW TABLE AS '
                'new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_milestones_referrals()',
                'CREATE TRIGGER person_milestones_update AFTER UPDATE ON referrals REFERENCING OLD TABLE AS '
                'old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_milestones_referrals()',
                'CREATE TRIGGER person_milestones_delete AFTER DELETE ON referrals REFERENCING OLD TABLE AS '
                'old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_milestones_referrals()',
                'CREATE TRIGGER person_milestones_update AFTER UPDATE ON programmes REFERENCING OLD TABLE AS '
                'old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_milestones_programmes()',
                'CREATE TRIGGER person_milestones_delete AFTER DELETE ON programmes REFERENCING OLD TABLE AS '
                'old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_milestones_programmes_gone()',
                'CREATE TRIGGER person_milestones_delete AFTER DELETE ON persons REFERENCING OLD TABLE AS old_rows '
                'FOR EACH STATEMENT EXECUTE FUNCTION person_milestones_persons()'],
 'sqlite': ['CREATE TRIGGER person_milestones_right_steps_insert AFTER INSERT ON right_steps BEGIN DELETE FROM '
            'person_milestones WHERE person_id = NEW.person_id AND milestone = NEW.kind AND NEW.kind IN '
            "('health_insurance', 'caf_benefits', 'bank_account'); INSERT INTO person_milestones (person_id, "
            'milestone, reached_on) SELECT NEW.person_id, NEW.kind, s.reached_on FROM (SELECT min(obtained_on) AS '
            'reached_on FROM right_steps WHERE person_id = NEW.person_id AND kind = NEW.kind AND state = '
            "'obtained' AND obtained_on IS NOT NULL) s WHERE s.reached_on IS NOT NULL AND NEW.kind IN "
            "('health_insurance', 'caf_benefits', 'bank_account') AND EXISTS (SELECT 1 FROM persons WHERE id = "
            'NEW.person_id); END',
            'CREATE TRIGGER person_milestones_right_steps_update AFTER UPDATE OF person_id, kind, state, '
            'obtained_on ON right_steps BEGIN DELETE FROM person_milestones WHERE person_id = OLD.person_id AND '
            "milestone = OLD.kind AND OLD.kind IN ('health_insurance', 'caf_benefits', 'bank_account'); INSERT "
            'INTO person_milestones (person_id, milestone, reached_on) SELECT OLD.person_id, OLD.kind, '
            's.reached_on FROM (SELECT min(obtained_on) AS reached_on FROM right_steps WHERE person_id = '
            "OLD.person_id AND kind = OLD.kind AND state = 'obtained' AND obtained_on IS NOT NULL) s WHERE "
            "s.reached_on IS NOT NULL AND OLD.kind IN ('health_insurance', 'caf_benefits', 'bank_account') AND "
            'EXISTS (SELECT 1 FROM persons WHERE id = OLD.person_id); DELETE FROM person_milestones WHERE '
            "person_id = NEW.person_id AND milestone = NEW.kind AND NEW.kind IN ('health_insurance', "
            "'caf_benefits', 'bank_account'); INSERT INTO person_milestones (person_id, milestone, reached_on) "
            'SELECT NEW.person_id, NEW.kind, s.reached_on FROM (SELECT min(obtained_on) AS reached_on FROM '
            "right_steps WHERE person_id = NEW.person_id AND kind = NEW.kind AND state = 'obtained' AND "
            "obtained_on IS NOT NULL) s WHERE s.reached_on IS NOT NULL AND NEW.kind IN ('health_insurance', "
            "'caf_benefits', 'bank_account') AND EXISTS (SELECT 1 FROM persons WHERE id = NEW.person_id); END",
            'CREATE TRIGGER person_milestones_right_steps_delete AFTER DELETE ON right_steps BEGIN DELETE FROM '
            'person_milestones WHERE person_id = OLD.person_id AND milestone = OLD.kind AND OLD.kind IN '
            "('health_insurance', 'caf_benefits', 'bank_account'); INSERT INTO person_milestones (person_id, "
            'milestone, reached_on) SELECT OLD.person_id, OLD.kind, s.reached_on FROM (SELECT min(obtained_on) AS '
            'reached_on FROM right_steps WHERE person_id = OLD.person_id AND kind = OLD.kind AND state = '
            "'obtained' AND obtained_on IS NOT NULL) s WHERE s.reached_on IS NOT NULL AND OLD.kind IN "
            "('health_insurance', 'caf_benefits', 'bank_account') AND EXISTS (SELECT 1 FROM persons WHERE id = "
            'OLD.person_id); END',
            'CREATE TRIGGER person_milestones_housing_accesses_insert AFTER INSERT ON housing_accesses BEGIN '
            "DELETE FROM person_milestones WHERE person_id = NEW.person_id AND milestone = 'permanent_housing' AND "
            "NEW.kind IN ('social_rental', 'private_rental', 'iml_mandate'); INSERT INTO person_milestones "
            "(person_id, milestone, reached_on) SELECT NEW.person_id, 'permanent_housing', s.reached_on FROM "
            '(SELECT min(access_on) AS reached_on FROM housing_accesses WHERE person_id = NEW.person_id AND kind '
            "IN ('social_rental', 'private_rental', 'iml_mandate')) s WHERE s.reached_on IS NOT NULL AND NEW.kind "
            "IN ('social_rental', 'private_rental', 'iml_mandate') AND EXISTS (SELECT 1 FROM persons WHERE id = "
            'NEW.person_id); END',
            'CREATE TRIGGER person_milestones_housing_accesses_update AFTER UPDATE OF person_id, kind, access_on '
            'ON housing_accesses BEGIN DELETE FROM person_milestones WHERE person_id = OLD.person_id AND milestone '
            "= 'permanent_housing' AND OLD.kind IN ('social_rental', 'private_rental', 'iml_mandate'); INSERT INTO "
            "person_milestones (person_id, milestone, reached_on) SELECT OLD.person_id, 'permanent_housing', "
            's.reached_on FROM (SELECT min(access_on) AS reached_on FROM housing_accesses WHERE person_id = '
            "OLD.person_id AND kind IN ('social_rental', 'private_rental', 'iml_mandate')) s WHERE s.reached_on IS "
            "NOT NULL AND OLD.kind IN ('social_rental', 'private_rental', 'iml_mandate') AND EXISTS (SELECT 1 FROM "
            'persons WHERE id = OLD.person_id); DELETE FROM person_milestones WHERE person_id = NEW.person_id AND '
            "milestone = 'permanent_housing' AND NEW.kind IN ('social_rental', 'private_rental', 'iml_mandate'); "
            'INSERT INTO person_milestones (person_id, milestone, reached_on) SELECT NEW.person_id, '
            "'permanent_housing', s.reached_on FROM (SELECT min(access_on) AS reached_on FROM housing_accesses "
            "WHERE person_id = NEW.person_id AND kind IN ('social_rental', 'private_rental', 'iml_mandate')) s "
            "WHERE s.reached_on IS NOT NULL AND NEW.kind IN ('social_rental', 'private_rental', 'iml_mandate') AND "
            'EXISTS (SELECT 1 FROM persons WHERE id = NEW.person_id); END',
            'CREATE TRIGGER person_milestones_housing_accesses_delete AFTER DELETE ON housing_accesses BEGIN '
            "DELETE FROM person_milestones WHERE person_id = OLD.person_id AND milestone = 'permanent_housing' AND "
            "OLD.kind IN ('social_rental', 'private_rental', 'iml_mandate'); INSERT INTO person_milestones "
            "(person_id, milestone, reached_on) SELECT OLD.person_id, 'permanent_housing', s.reached_on FROM "
            '(SELECT min(access_on) AS reached_on FROM housing_accesses WHERE person_id = OLD.person_id AND kind '
            "IN ('social_rental', 'private_rental', 'iml_mandate')) s WHERE s.reached_on IS NOT NULL AND OLD.kind "
            "IN ('social_rental', 'private_rental', 'iml_mandate') AND EXISTS (SELECT 1 FROM persons WHERE id = "
            'OLD.person_id); END',
            'CREATE TRIGGER person_milestones_jobs_insert AFTER INSERT ON jobs BEGIN DELETE FROM person_milestones '
            "WHERE person_id = NEW.person_id AND milestone = 'job_or_training' AND 1; INSERT INTO "
            "person_milestones (person_id, milestone, reached_on) SELECT NEW.person_id, 'job_or_training', "
            's.reached_on FROM (SELECT min(d) AS reached_on FROM (SELECT start_on AS d FROM jobs WHERE person_id = '
            'NEW.person_id UNION ALL SELECT start_on FROM trainings WHERE person_id = NEW.person_id)) s WHERE '
            's.reached_on IS NOT NULL AND 1 AND EXISTS (SELECT 1 FROM persons WHERE id = NEW.person_id); END',
            'CREATE TRIGGER person_milestones_jobs_update AFTER UPDATE OF person_id, start_on ON jobs BEGIN DELETE '
            "FROM person_milestones WHERE person_id = OLD.person_id AND milestone = 'job_or_training' AND 1; "
            'INSERT INTO person_milestones (person_id, milestone, reached_on) SELECT OLD.person_id, '
            "'job_or_training', s.reached_on FROM (SELECT min(d) AS reached_on FROM (SELECT start_on AS d FROM "
            'jobs WHERE person_id = OLD.person_id UNION ALL SELECT start_on FROM trainings WHERE person_id = '
            'OLD.person_id)) s WHERE s.reached_on IS NOT NULL AND 1 AND EXISTS (SELECT 1 FROM persons WHERE id = '
            'OLD.person_id); DELETE FROM person_milestones WHERE person_id = NEW.person_id AND milestone = '
            "'job_or_training' AND 1; INSERT INTO person_milestones (person_id, milestone, reached_on) SELECT "
            "NEW.person_id, 'job_or_training', s.reached_on FROM (SELECT min(d) AS reached_on FROM (SELECT "
            'start_on AS d FROM jobs WHERE person_id = NEW.person_id UNION ALL SELECT start_on FROM trainings '
            'WHERE person_id = NEW.person_id)) s WHERE s.reached_on IS NOT NULL AND 1 AND EXISTS (SELECT 1 FROM '
            'persons WHERE id = NEW.person_id); END',
            'CREATE TRIGGER person_milestones_jobs_delete AFTER DELETE ON jobs BEGIN DELETE FROM person_milestones '
            "WHERE person_id = OLD.person_id AND milestone = 'job_or_training' AND 1; INSERT INTO "
            "person_milestones (person_id, milestone, reached_on) SELECT OLD.person_id, 'job_or_training', "
            's.reached_on FROM (SELECT min(d) AS reached_on FROM (SELECT start_on AS d FROM jobs WHERE person_id = '
            'OLD.person_id UNION ALL SELECT start_on FROM trainings WHERE person_id = OLD.person_id)) s WHERE '
            's.reached_on IS NOT NULL AND 1 AND EXISTS (SELECT 1 FROM persons WHERE id = OLD.person_id); END',
            'CREATE TRIGGER person_milestones_trainings_insert AFTER INSERT ON trainings BEGIN DELETE FROM '
            "person_milestones WHERE person_id = NEW.person_id AND milestone = 'job_or_training' AND 1; INSERT "
            "INTO person_milestones (person_id, milestone, reached_on) SELECT NEW.person_id, 'job_or_training', "
            's.reached_on FROM (SELECT min(d) AS reached_on FROM (SELECT start_on AS d FROM jobs WHERE person_id = '
            'NEW.person_id UNION ALL SELECT start_on FROM trainings WHERE person_id = NEW.person_id)) s WHERE '
            's.reached_on IS NOT NULL AND 1 AND EXISTS (SELECT 1 FROM persons WHERE id = NEW.person_id); END',
            'CREATE TRIGGER person_milestones_trainings_update AFTER UPDATE OF person_id, start_on ON trainings '
            "BEGIN DELETE FROM person_milestones WHERE person_id = OLD.person_id AND milestone = 'job_or_training' "
            'AND 1; INSERT INTO person_milestones (person_id, milestone, reached_on) SELECT OLD.person_id, '
            "'job_or_training', s.reached_on FROM (SELECT min(d) AS reached_on FROM (SELECT start_on AS d FROM "
            'jobs WHERE person_id = OLD.person_id UNION ALL SELECT start_on FROM trainings WHERE person_id = '
            'OLD.person_id)) s WHERE s.reached_on IS NOT NULL AND 1 AND EXISTS (SELECT 1 FROM persons WHERE id = '
            'OLD.person_id); DELETE FROM person_milestones WHERE person_id = NEW.person_id AND milestone = '
            "'job_or_training' AND 1; INSERT INTO person_milestones (person_id, milestone, reached_on) SELECT "
            "NEW.person_id, 'job_or_training', s.reached_on FROM (SELECT min(d) AS reached_on FROM (SELECT "
            'start_on AS d FROM jobs WHERE person_id = NEW.person_id UNION ALL SELECT start_on FROM trainings '
            'WHERE person_id = NEW.person_id)) s WHERE s.reached_on IS NOT NULL AND 1 AND EXISTS (SELECT 1 FROM '
            'persons WHERE id = NEW.person_id); END',
            'CREATE TRIGGER person_milestones_trainings_delete AFTER DELETE ON trainings BEGIN DELETE FROM '
            "person_milestones WHERE person_id = OLD.person_id AND milestone = 'job_or_training' AND 1; INSERT "
            "INTO person_milestones (person_id, milestone, reached_on) SELECT OLD.person_id, 'job_or_training', "
            's.reached_on FROM (SELECT min(d) AS reached_on FROM (SELECT start_on AS d FROM jobs WHERE person_id = '
            'OLD.person_id UNION ALL SELECT start_on FROM trainings WHERE person_id = OLD.person_id)) s WHERE '
            's.reached_on IS NOT NULL AND 1 AND EXISTS (SELECT 1 FROM persons WHERE id = OLD.person_id); END',
            'CREATE TRIGGER person_milestones_referrals_insert AFTER INSERT ON referrals BEGIN DELETE FROM '
            "person_milestones WHERE person_id = NEW.person_id AND milestone = 'language_referral' AND EXISTS "
            "(SELECT 1 FROM programmes p WHERE p.id = NEW.programme_id AND p.theme IN ('language', "
            "'professional_french')); INSERT INTO person_milestones (person_id, milestone, reached_on) SELECT "
            "NEW.person_id, 'language_referral', s.reached_on FROM (SELECT min(f.sent_on) AS reached_on FROM "
            'referrals f JOIN programmes p ON p.id = f.programme_id WHERE f.person_id = NEW.person_id AND p.theme '
            "IN ('language', 'professional_french')) s WHERE s.reached_on IS NOT NULL AND EXISTS (SELECT 1 FROM "
            "programmes p WHERE p.id = NEW.programme_id AND p.theme IN ('language', 'professional_french')) AND "
            'EXISTS (SELECT 1 FROM persons WHERE id = NEW.person_id); END',
            'CREATE TRIGGER person_milestones_referrals_update AFTER UPDATE OF person_id, programme_id, sent_on ON '
            'referrals BEGIN DELETE FROM person_milestones WHERE person_id = OLD.person_id AND milestone = '
            "'language_referral' AND EXISTS (SELECT 1 FROM programmes p WHERE p.id = OLD.programme_id AND p.theme "
            "IN ('language', 'professional_french')); INSERT INTO person_milestones (person_id, milestone, "
            "reached_on) SELECT OLD.person_id, 'language_referral', s.reached_on FROM (SELECT min(f.sent_on) AS "
            'reached_on FROM referrals f JOIN programmes p ON p.id = f.programme_id WHERE f.person_id = '
            "OLD.person_id AND p.theme IN ('language', 'professional_french')) s WHERE s.reached_on IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM programmes p WHERE p.id = OLD.programme_id AND p.theme IN ('language', "
            "'professional_french')) AND EXISTS (SELECT 1 FROM persons WHERE id = OLD.person_id); DELETE FROM "
            "person_milestones WHERE person_id = NEW.person_id AND milestone = 'language_referral' AND EXISTS "
            "(SELECT 1 FROM programmes p WHERE p.id = NEW.programme_id AND p.theme IN ('language', "
            "'professional_french')); INSERT INTO person_milestones (person_id, milestone, reached_on) SELECT "
            "NEW.person_id, 'language_referral', s.reached_on FROM (SELECT min(f.sent_on) AS reached_on FROM "
            'referrals f JOIN programmes p ON p.id = f.programme_id WHERE f.person_id = NEW.person_id AND p.theme '
            "IN ('language', 'professional_french')) s WHERE s.reached_on IS NOT NULL AND EXISTS (SELECT 1 FROM "
            "programmes p WHERE p.id = NEW.programme_id AND p.theme IN ('language', 'professional_french')) AND "
            'EXISTS (SELECT 1 FROM persons WHERE id = NEW.person_id); END',
            'CREATE TRIGGER person_milestones_referrals_delete AFTER DELETE ON referrals BEGIN DELETE FROM '
            "person_milestones WHERE person_id = OLD.person_id AND milestone = 'language_referral' AND EXISTS "
            "(SELECT 1 FROM programmes p WHERE p.id = OLD.programme_id AND p.theme IN ('language', "
            "'professional_french')); INSERT INTO person_milestones (person_id, milestone, reached_on) SELECT "
            "OLD.person_id, 'language_referral', s.reached_on FROM (SELECT min(f.sent_on) AS reached_on FROM "
            'referrals f JOIN programmes p ON p.id = f.programme_id WHERE f.person_id = OLD.person_id AND p.theme '
            "IN ('language', 'professional_french')) s WHERE s.reached_on IS NOT NULL AND EXISTS (SELECT 1 FROM "
            "programmes p WHERE p.id = OLD.programme_id AND p.theme IN ('language', 'professional_french')) AND "
            'EXISTS (SELECT 1 FROM persons WHERE id = OLD.person_id); END',
            'CREATE TRIGGER person_milestones_programmes_update AFTER UPDATE OF theme ON programmes WHEN OLD.theme '
            "IS NOT NEW.theme BEGIN DELETE FROM person_milestones WHERE milestone = 'language_referral' AND "
            'person_id IN (SELECT f.person_id FROM referrals f WHERE f.programme_id = OLD.id); INSERT INTO '
            "person_milestones (person_id, milestone, reached_on) SELECT f.person_id, 'language_referral', "
            'min(f.sent_on) FROM referrals f JOIN programmes p ON p.id = f.programme_id WHERE p.theme IN '
            "('language', 'professional_french') AND f.person_id IN (SELECT f.person_id FROM referrals f WHERE "
            'f.programme_id = OLD.id) AND EXISTS (SELECT 1 FROM persons WHERE id = f.person_id) GROUP BY '
            'f.person_id; END',
            'CREATE TRIGGER person_milestones_programmes_delete AFTER DELETE ON programmes BEGIN DELETE FROM '
            "person_milestones WHERE milestone = 'language_referral' AND person_id IN (SELECT f.person_id FROM "
            'referrals f WHERE f.programme_id = OLD.id); INSERT INTO person_milestones (person_id, milestone, '
            "reached_on) SELECT f.person_id, 'language_referral', min(f.sent_on) FROM referrals f JOIN programmes "
            "p ON p.id = f.programme_id WHERE p.theme IN ('language', 'professional_french') AND f.person_id IN "
            '(SELECT f.person_id FROM referrals f WHERE f.programme_id = OLD.id) AND EXISTS (SELECT 1 FROM persons '
            'WHERE id = f.person_id) GROUP BY f.person_id; END',
            'CREATE TRIGGER person_milestones_persons_delete AFTER DELETE ON persons BEGIN DELETE FROM '
            'person_milestones WHERE person_id = OLD.id; END']}
DROP = {'postgresql': ['DROP TRIGGER IF EXISTS person_milestones_delete ON housing_accesses',
                'DROP TRIGGER IF EXISTS person_milestones_insert ON housing_accesses',
                'DROP TRIGGER IF EXISTS person_milestones_update ON housing_accesses',
                'DROP TRIGGER IF EXISTS person_milestones_delete ON jobs',
                'DROP TRIGGER IF EXISTS person_milestones_insert ON jobs',
                'DROP TRIGGER IF EXISTS person_milestones_update ON jobs',
                'DROP TRIGGER IF EXISTS person_milestones_delete ON persons',
                'DROP TRIGGER IF EXISTS person_milestones_delete ON programmes',
                'DROP TRIGGER IF EXISTS person_milestones_update ON programmes',
                'DROP TRIGGER IF EXISTS person_milestones_delete ON referrals',
                'DROP TRIGGER IF EXISTS person_milestones_insert ON referrals',
                'DROP TRIGGER IF EXISTS person_milestones_update ON referrals',
                'DROP TRIGGER IF EXISTS person_milestones_delete ON right_steps',
                'DROP TRIGGER IF EXISTS person_milestones_insert ON right_steps',
                'DROP TRIGGER IF EXISTS person_milestones_update ON right_steps',
                'DROP TRIGGER IF EXISTS person_milestones_delete ON trainings',
                'DROP TRIGGER IF EXISTS person_milestones_insert ON trainings',
                'DROP TRIGGER IF EXISTS person_milestones_update ON trainings',
                'DROP FUNCTION IF EXISTS person_milestones_refresh(integer[], text[])',
                'DROP FUNCTION IF EXISTS person_milestones_right_steps()',
                'DROP FUNCTION IF EXISTS person_milestones_housing_accesses()',
                'DROP FUNCTION IF EXISTS person_milestones_jobs()',
                'DROP FUNCTION IF EXISTS person_milestones_trainings()',
                'DROP FUNCTION IF EXISTS person_milestones_referrals()',
                'DROP FUNCTION IF EXISTS person_milestones_programmes()',
                'DROP FUNCTION IF EXISTS person_milestones_programmes_gone()',
                'DROP FUNCTION IF EXISTS person_milestones_persons()'],
 'sqlite': ['DROP TRIGGER IF EXISTS person_milestones_right_steps_insert',
            'DROP TRIGGER IF EXISTS person_milestones_right_steps_update',
            'DROP TRIGGER IF EXISTS person_milestones_right_steps_delete',
            'DROP TRIGGER IF EXISTS person_milestones_housing_accesses_insert',
            'DROP TRIGGER IF EXISTS person_milestones_housing_accesses_update',
            'DROP TRIGGER IF EXISTS person_milestones_housing_accesses_delete',
            'DROP TRIGGER IF EXISTS person_milestones_jobs_insert',
            'DROP TRIGGER IF EXISTS person_milestones_jobs_update',
            'DROP TRIGGER IF EXISTS person_milestones_jobs_delete',
            'DROP TRIGGER IF EXISTS person_milestones_trainings_insert',
            'DROP TRIGGER IF EXISTS person_milestones_trainings_update',
            'DROP TRIGGER IF EXISTS person_milestones_trainings_delete',
            'DROP TRIGGER IF EXISTS person_milestones_referrals_insert',
            'DROP TRIGGER IF EXISTS person_milestones_referrals_update',
            'DROP TRIGGER IF EXISTS person_milestones_referrals_delete',
            'DROP TRIGGER IF EXISTS person_milestones_programmes_update',
            'DROP TRIGGER IF EXISTS person_milestones_programmes_delete',
            'DROP TRIGGER IF EXISTS person_milestones_persons_delete']}
CHECK_MILESTONE = ("milestone IN ('health_insurance', 'caf_benefits', 'bank_account', "
                   "'permanent_housing', 'job_or_training', 'language_referral')")


def upgrade():
    op.create_table(
        "person_milestones",
        sa.Column("person_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("milestone", sa.String(length=32), nullable=False),
        sa.Column("reached_on", sa.Date(), nullable=False),
        sa.CheckConstraint(CHECK_MILESTONE,
                           name=op.f("ck_person_milestones_milestone")),
        sa.PrimaryKeyConstraint("person_id", "milestone", name=op.f("pk_person_milestones"),
                                postgresql_include=["reached_on"]),
    )
    # The comparison's other per-person reads, index only: each person's department by id, each person's
    # first honoured first interview.
    op.create_index("ix_persons_id_department_id", "persons", ["id", "department_id"])
    honoured = sa.text("kind = 'first_interview' AND status = 'honoured'")
    op.create_index("ix_appointments_honoured_first_interviews", "appointments", ["person_id", "start_at"],
                    postgresql_where=honoured, sqlite_where=honoured)
    bind = op.get_bind()
    for sql in REBUILD:
        bind.exec_driver_sql(sql)
    for sql in CREATE[bind.dialect.name]:
        bind.exec_driver_sql(sql)
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql("ANALYZE person_milestones")


def downgrade():
    bind = op.get_bind()
    for sql in DROP[bind.dialect.name]:
        bind.exec_driver_sql(sql)
    op.drop_table("person_milestones")
    op.drop_index("ix_appointments_honoured_first_interviews", table_name="appointments")
    op.drop_index("ix_persons_id_department_id", table_name="persons")
