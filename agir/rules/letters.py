"""Rules of the letters printed for the person (issue 17 item 3): which appointment gets a convocation.
Pure functions over plain values."""
from datetime import datetime

from agir.errors import RuleViolation
from agir.i18n import lazy_gettext as _l


def check_convocation(status: str, start: datetime, now: datetime) -> None:
    """A convocation is printed for a planned appointment still ahead (`now`: Paris wall-clock time): never for a
    cancelled one (the person would come for nothing), nor for one already held, missed, excused or begun."""
    if status == "cancelled":
        raise RuleViolation("convocation_cancelled",
                            _l("Ce rendez-vous est annulé : il n'a pas de convocation."), None)
    if status != "planned":
        raise RuleViolation("convocation_not_planned",
                            _l("Ce rendez-vous a déjà son issue : il n'a plus de convocation."), None)
    if start <= now:
        raise RuleViolation("convocation_past",
                            _l("Ce rendez-vous a déjà commencé : il n'a plus de convocation."), None)
