"""document history (issue 18): documents.replaced_by_id — the document that replaced this one (a renewed
permit, a new certificate). A replaced document stays in the file (its history) but is no longer a proof:
the checklist of expected proofs and the document_expiry alert look only at current documents.

Downgrading drops the column: which document replaced which is forgotten (the documents stay).

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-05 15:45:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("replaced_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_documents_replaced_by_id_documents"), "documents",
                                 ["replaced_by_id"], ["id"], ondelete="SET NULL")
        batch.create_index(op.f("ix_documents_replaced_by_id"), ["replaced_by_id"], unique=False)


def downgrade():
    with op.batch_alter_table("documents") as batch:
        batch.drop_index(op.f("ix_documents_replaced_by_id"))
        batch.drop_constraint(op.f("fk_documents_replaced_by_id_documents"), type_="foreignkey")
        batch.drop_column("replaced_by_id")
