"""Corrections and cancellations of recorded facts of the path (SPEC §4.8): the reason, who may, what is kept.

Pure functions over plain values; the operations (agir.operations.path, persons, referrals) call them.
"""
from datetime import date

from agir.errors import RuleViolation
from agir.i18n import lazy_gettext as _l

REASON_MAX = 500


def check_reason(reason: str | None, cancel: bool = False) -> str:
    """A correction or a cancellation always says why, in 500 characters at most (spaces collapsed)."""
    reason = " ".join((reason or "").split())
    if not reason:
        what = _l("l'annulation") if cancel else _l("la correction")
        raise RuleViolation("reason_required", _l("Indiquez le motif de %(what)s.", what=what), "correction_reason")
    if len(reason) > REASON_MAX:
        raise RuleViolation("reason_too_long", _l("Le motif fait au plus %(reason_max)s caractères.",
                                                  reason_max=REASON_MAX), "correction_reason")
    return reason


def recorder_structure(recorded_by: int | None, holder: int | None) -> int | None:
    """The structure answerable for a line: the one that recorded it, else (imported line) the file's holder."""
    return recorded_by if recorded_by is not None else holder


def check_recorder(actor_structure: int | None, recorded_by: int | None, holder: int | None) -> None:
    """Only the structure that recorded a line corrects or cancels it."""
    if actor_structure is None or actor_structure != recorder_structure(recorded_by, holder):
        raise RuleViolation("not_recorder", _l("Seule la structure qui a enregistré cette ligne peut la "
                                               "corriger ou l'annuler."), None)


def plain(value):
    """A value as the audit keeps it: dates as ISO text, the rest as it is (JSON)."""
    return value.isoformat() if isinstance(value, date) else value


def snapshot(values: dict) -> dict:
    """Field name → plain value, for record_correction's before / after."""
    return {name: plain(value) for name, value in values.items()}


def check_changed(before: dict, after: dict) -> None:
    """A correction that changes nothing is refused (nothing would be written, the reason would be lost)."""
    if before == after:
        raise RuleViolation("nothing_changed", _l("Rien n'a changé : modifiez au moins un champ pour corriger "
                                                  "cette ligne."), None)


def violations_of(*checks) -> list[RuleViolation]:
    """Run every check (a callable raising RuleViolation) and return what they refuse, all of them."""
    found: list[RuleViolation] = []
    for check in checks:
        try:
            check()
        except RuleViolation as exc:
            found.extend(getattr(exc, "violations", [exc]))
    return found


def refuse_all(found: list[RuleViolation]) -> None:
    """Raise the first violation carrying all of them (`violations`): a form shows every error at once."""
    if found:
        first = found[0]
        first.violations = list(found)
        raise first
