"""Letters printed for the person (issue 17 item 3): the convocation to an appointment, French and the person's
language side by side (agir.letters). Check, generate, audit; never commit."""
from datetime import datetime

from agir import letters
from agir.audit import record
from agir.dates import today as paris_today
from agir.rules.letters import check_convocation
from models import Appointment


def generate_convocation(actor, appointment: Appointment, now: datetime, fonts: str | None = None,
                         language: str | None = None) -> tuple[bytes, str]:
    """The convocation's PDF (French and `language`, else the interpreter's or the person's language) and that
    language; refused (RuleViolation) for an appointment that is not planned and ahead. One audit entry per
    generation, with the fields printed (never their values)."""
    check_convocation(appointment.status, appointment.start_at, now)
    pdf, code = letters.generate(appointment, paris_today(), fonts, language)
    record(actor, "convocation_pdf", appointment.person,
           fields=["last_name", "first_name", "appointments"],
           detail=f"appointment {appointment.id}, fra+{code}")
    return pdf, code
