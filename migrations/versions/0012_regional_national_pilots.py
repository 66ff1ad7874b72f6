"""regional and national pilots: users.region_id (a regional pilot's INSEE region) and the two new roles in
the named CHECKs of users.role and audit_entries.role

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 13:05:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OLD_ROLES = "('social_worker', 'referral_officer', 'pilot', 'admin')"
NEW_ROLES = "('social_worker', 'referral_officer', 'pilot', 'admin', 'regional_pilot', 'national_pilot')"
TABLES = ("users", "audit_entries")


def _role_check(table: str, roles: str) -> None:
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(op.f(f"ck_{table}_role"), type_="check")
        batch.create_check_constraint(op.f(f"ck_{table}_role"), f"role IN {roles}")


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("region_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_users_region_id"), ["region_id"], unique=False)
        batch.create_foreign_key(batch.f("fk_users_region_id_regions"), "regions", ["region_id"], ["id"])
    for table in TABLES:
        _role_check(table, NEW_ROLES)


def downgrade():
    conn = op.get_bind()
    # Nothing is changed while the narrower CHECKs would refuse a row: the accounts of those roles, and the
    # audit entries they wrote (the audit is append-only: its rows are never rewritten).
    for table, what in (("users", "des comptes"), ("audit_entries", "des entrées du journal d'audit")):
        found = conn.execute(sa.text(f"SELECT count(*) FROM {table} "
                                     "WHERE role IN ('regional_pilot', 'national_pilot')")).scalar()
        if found:
            raise RuntimeError(f"Retour à la révision 0011 impossible : {found} ligne(s) de {table} "
                               f"({what} de pilote régional ou national) ; rien n'a été modifié.")
    for table in reversed(TABLES):
        _role_check(table, OLD_ROLES)
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(batch.f("fk_users_region_id_regions"), type_="foreignkey")
        batch.drop_index(batch.f("ix_users_region_id"))
        batch.drop_column("region_id")
