"""alert kinds of the contract's second version: the CHECK on alerts.kind accepts first_interview_late,
appointment_missed and document_expiry (SPEC §4.4)

Downgrading deletes the alerts of those kinds (the nightly job computed them; the older schema cannot
hold them), then puts the former CHECK back.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 13:10:00
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BEFORE = ("end_soon", "overdue", "over_limit", "permit_expiry", "referral_unanswered", "followup_due", "inactive",
          "eligibility_closing")
ADDED = ("first_interview_late", "appointment_missed", "document_expiry")


def _in(values) -> str:
    return "kind IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _replace_check(values) -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint(op.f("ck_alerts_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_alerts_kind"), _in(values))


def upgrade():
    _replace_check(BEFORE + ADDED)


def downgrade():
    op.execute("DELETE FROM alerts WHERE " + _in(ADDED))
    _replace_check(BEFORE)
