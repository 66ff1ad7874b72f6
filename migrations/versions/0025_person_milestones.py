"""first dates of the cohort's milestones kept per person (issue 21 item 2): the table person_milestones —
(person_id, milestone, reached_on), one row per milestone a person reached with its first date — filled from the
source tables (right_steps obtained, permanent housing accesses, jobs and trainings, referrals to a programme
of a language theme), and the triggers that keep it equal to them on every write (PostgreSQL: statement-level
triggers with transition tables; SQLite: row triggers). The cohort and the comparison of departments read one
index range per member instead of five probes (docs/performance.md, « Milestones kept per person »). Two
indexes for the comparison's other per-person reads: ix_persons_id_department_id (each person's department,
index only) and ix_appointments_honoured_first_interviews (partial: each person's first honoured first
interview).

The trigger SQL is models/milestones.py's (`create_statements`), the same the test schema gets from create_all.
Downgrading drops the triggers, the functions and the table.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 21:40:00
"""
import sqlalchemy as sa
from alembic import op

from models import milestones

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "person_milestones",
        sa.Column("person_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("milestone", sa.String(length=32), nullable=False),
        sa.Column("reached_on", sa.Date(), nullable=False),
        sa.CheckConstraint(milestones.in_list_sql("milestone", milestones.MILESTONES),
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
    for sql in milestones.rebuild_sql():
        bind.exec_driver_sql(sql)
    for sql in milestones.create_statements(bind.dialect.name):
        bind.exec_driver_sql(sql)
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql("ANALYZE person_milestones")


def downgrade():
    bind = op.get_bind()
    for sql in milestones.drop_statements(bind.dialect.name):
        bind.exec_driver_sql(sql)
    op.drop_table("person_milestones")
    op.drop_index("ix_appointments_honoured_first_interviews", table_name="appointments")
    op.drop_index("ix_persons_id_department_id", table_name="persons")
