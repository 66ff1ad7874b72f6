"""contract v2: regions (seeded) and each department's region; person languages, interpreter and
orientation; appointments; document metadata; diagnostic areas, plan objectives and contract

The 18 INSEE regions are inserted from models/geo.py and every department already there
gets the region of its code (a code outside the 101 departments keeps a null region). Every
enumerated column has its named CHECK, and an appointment's minutes stay within 5..480.

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-05 12:52:16
"""

import sqlalchemy as sa
from alembic import op

ORIENTATION_SOURCES = ("ofii", "siao", "operator", "self", "other")


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("code", name=op.f("uq_regions_code")),
    )
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("referent_id", sa.Integer(), nullable=True),
        sa.Column("interpreter", sa.String(length=3), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('first_interview', 'diagnostic', 'follow_up', 'contract_signature', 'exit_interview', 'other')",
            name=op.f("ck_appointments_kind"),
        ),
        sa.CheckConstraint("mode IN ('on_site', 'phone', 'video', 'home_visit')", name=op.f("ck_appointments_mode")),
        sa.CheckConstraint(
            "status IN ('planned', 'honoured', 'missed', 'excused', 'cancelled')", name=op.f("ck_appointments_status")
        ),
        sa.CheckConstraint("minutes BETWEEN 5 AND 480", name=op.f("ck_appointments_minutes")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_appointments_person_id_persons"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["referent_id"], ["users.id"], name=op.f("fk_appointments_referent_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"], ["structures.id"], name=op.f("fk_appointments_structure_id_structures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index("ix_appointments_person_id_start_at", ["person_id", "start_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointments_referent_id"), ["referent_id"], unique=False)
        batch_op.create_index("ix_appointments_structure_id_start_at", ["structure_id", "start_at"], unique=False)

    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("document_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("storage_key", sa.String(length=255), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('identity', 'residence_permit', 'caf', 'health_insurance', 'bank_details', 'diploma', 'lease', 'employment_contract', 'other')",
            name=op.f("ck_documents_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_documents_person_id_persons"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["structure_id"], ["structures.id"], name=op.f("fk_documents_structure_id_structures")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_expires_on"), ["expires_on"], unique=False)
        batch_op.create_index("ix_documents_person_id_kind", ["person_id", "kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_structure_id"), ["structure_id"], unique=False)

    op.create_table(
        "person_languages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.CheckConstraint("level IN ('native', 'fluent', 'basic')", name=op.f("ck_person_languages_level")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_person_languages_person_id_persons"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_languages")),
        sa.UniqueConstraint("person_id", "code", name=op.f("uq_person_languages_person_id")),
    )
    with op.batch_alter_table("person_languages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_languages_person_id"), ["person_id"], unique=False)

    op.create_table(
        "diagnostic_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("accompaniment_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("need", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "area IN ('rights', 'housing', 'employment', 'language', 'mobility', 'childcare')",
            name=op.f("ck_diagnostic_areas_area"),
        ),
        sa.CheckConstraint("need IN ('none', 'low', 'high')", name=op.f("ck_diagnostic_areas_need")),
        sa.ForeignKeyConstraint(
            ["accompaniment_id"],
            ["accompaniments.id"],
            name=op.f("fk_diagnostic_areas_accompaniment_id_accompaniments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diagnostic_areas")),
        sa.UniqueConstraint("accompaniment_id", "area", name=op.f("uq_diagnostic_areas_accompaniment_id")),
    )
    with op.batch_alter_table("diagnostic_areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_diagnostic_areas_accompaniment_id"), ["accompaniment_id"], unique=False)

    op.create_table(
        "plan_objectives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("accompaniment_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("objective", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("right_step_id", sa.Integer(), nullable=True),
        sa.Column("housing_step_id", sa.Integer(), nullable=True),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("training_id", sa.Integer(), nullable=True),
        sa.Column("structure_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "area IN ('rights', 'housing', 'employment', 'language', 'mobility', 'childcare')",
            name=op.f("ck_plan_objectives_area"),
        ),
        sa.CheckConstraint("state IN ('open', 'done', 'dropped')", name=op.f("ck_plan_objectives_state")),
        sa.ForeignKeyConstraint(
            ["accompaniment_id"],
            ["accompaniments.id"],
            name=op.f("fk_plan_objectives_accompaniment_id_accompaniments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["housing_step_id"],
            ["housing_steps.id"],
            name=op.f("fk_plan_objectives_housing_step_id_housing_steps"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_plan_objectives_referral_id_referrals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["right_step_id"],
            ["right_steps.id"],
            name=op.f("fk_plan_objectives_right_step_id_right_steps"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structures.id"],
            name=op.f("fk_plan_objectives_structure_id_structures"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["training_id"],
            ["trainings.id"],
            name=op.f("fk_plan_objectives_training_id_trainings"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_objectives")),
    )
    with op.batch_alter_table("plan_objectives", schema=None) as batch_op:
        batch_op.create_index("ix_plan_objectives_accompaniment_id", ["accompaniment_id"], unique=False)

    with op.batch_alter_table("accompaniments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("diagnostic_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("contract_signed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("contract_language", sa.String(length=3), nullable=True))
        batch_op.create_index(batch_op.f("ix_accompaniments_contract_signed_on"), ["contract_signed_on"], unique=False)

    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_departments_region_id"), ["region_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_departments_region_id_regions"), "regions", ["region_id"], ["id"])

    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("interpreter", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("oriented_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("orientation_source", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("orientation_structure_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_persons_orientation_structure_id"), ["orientation_structure_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_persons_oriented_on"), ["oriented_on"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_persons_orientation_structure_id_structures"),
            "structures",
            ["orientation_structure_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            op.f("ck_persons_orientation_source"),
            "orientation_source IN (" + ", ".join(f"'{v}'" for v in ORIENTATION_SOURCES) + ")",
        )

    _seed_regions()


def _seed_regions():
    """The 18 INSEE regions, and the region of every department already recorded."""
    from models.geo import DEPARTMENT_REGIONS, REGIONS

    bind = op.get_bind()
    regions = sa.table(
        "regions", sa.column("id", sa.Integer), sa.column("code", sa.String), sa.column("name", sa.String)
    )
    departments = sa.table(
        "departments", sa.column("id", sa.Integer), sa.column("code", sa.String), sa.column("region_id", sa.Integer)
    )
    op.bulk_insert(regions, [{"code": code, "name": name} for code, name in REGIONS.items()])
    region_ids = dict(bind.execute(sa.select(regions.c.code, regions.c.id)).all())
    for department_id, code in bind.execute(sa.select(departments.c.id, departments.c.code)).all():
        region = DEPARTMENT_REGIONS.get(code)
        if region is not None:
            bind.execute(
                departments.update().where(departments.c.id == department_id).values(region_id=region_ids[region])
            )


def downgrade():
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_persons_orientation_source"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_persons_orientation_structure_id_structures"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_persons_oriented_on"))
        batch_op.drop_index(batch_op.f("ix_persons_orientation_structure_id"))
        batch_op.drop_column("orientation_structure_id")
        batch_op.drop_column("orientation_source")
        batch_op.drop_column("oriented_on")
        batch_op.drop_column("interpreter")

    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_departments_region_id_regions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_departments_region_id"))
        batch_op.drop_column("region_id")

    with op.batch_alter_table("accompaniments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accompaniments_contract_signed_on"))
        batch_op.drop_column("contract_language")
        batch_op.drop_column("contract_signed_on")
        batch_op.drop_column("diagnostic_on")

    with op.batch_alter_table("plan_objectives", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_objectives_accompaniment_id")

    op.drop_table("plan_objectives")
    with op.batch_alter_table("diagnostic_areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_diagnostic_areas_accompaniment_id"))

    op.drop_table("diagnostic_areas")
    with op.batch_alter_table("person_languages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_languages_person_id"))

    op.drop_table("person_languages")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_structure_id"))
        batch_op.drop_index("ix_documents_person_id_kind")
        batch_op.drop_index(batch_op.f("ix_documents_expires_on"))

    op.drop_table("documents")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_structure_id_start_at")
        batch_op.drop_index(batch_op.f("ix_appointments_referent_id"))
        batch_op.drop_index("ix_appointments_person_id_start_at")

    op.drop_table("appointments")
    op.drop_table("regions")
