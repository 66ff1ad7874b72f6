"""document bytes (issue 18, items 2-4): documents.scan_status (pending / clean / infected, named CHECK; null
while no bytes are held) and documents.scanned_at (when the virus scanner answered).

Downgrading drops both: which stored documents were scanned is forgotten (the rows and their bytes stay).

Revision ID: 0018
Revises: 0022
Create Date: 2026-12-05 15:40:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("scan_status", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("scanned_at", sa.DateTime(), nullable=True))
        batch.create_check_constraint(op.f("ck_documents_scan_status"),
                                      "scan_status IN ('pending', 'clean', 'infected')")


def downgrade():
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint(op.f("ck_documents_scan_status"), type_="check")
        batch.drop_column("scanned_at")
        batch.drop_column("scan_status")
