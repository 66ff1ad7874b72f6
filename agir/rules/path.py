"""Rules of the path (SPEC §4.3): rights states, referral transitions, dates that never run backwards."""
import math
from datetime import date
from itertools import pairwise

from agir.errors import RuleViolation
from agir.i18n import N_, LazyDate, LazyText
from agir.i18n import lazy_gettext as _l
from agir.labels import label
from models.enums import EVENTS_WITH_ID, JOB_KINDS, LEVELS, OPEN_REFERRAL_STATES

RIGHT_STATE_DATES = {
    # state: (dates required, dates forbidden)
    "todo": ((), ("requested", "obtained", "refused")),
    "requested": (("requested",), ("obtained", "refused")),
    "obtained": (("obtained",), ("refused",)),
    "refused": (("refused",), ("obtained",)),
    "not_applicable": ((), ("requested", "obtained", "refused")),
}


# The same dates named in a sentence (msgids of their translations: « la date de refus » → "the refusal date").
DATES_NAMED = {
    "requested": N_("la date de demande"), "obtained": N_("la date d'obtention"), "refused": N_("la date de refus"),
    "sent": N_("la date d'envoi"), "accepted": N_("la date d'acceptation"), "started": N_("la date de démarrage"),
    "completed": N_("la date de fin"), "dropped_out": N_("la date d'abandon"), "cancelled": N_("la date d'annulation"),
}
# « Une date de refus ne va pas avec cet état. », one whole sentence per date of a right.
FORBIDDEN_DATE = {
    "requested": N_("Une date de demande ne va pas avec cet état."),
    "obtained": N_("Une date d'obtention ne va pas avec cet état."),
    "refused": N_("Une date de refus ne va pas avec cet état."),
}


def date_of(name: str):
    """The date named in a sentence, "de" elided before a vowel: la date d'obtention, la date de refus (lazy:
    French outside a request, the reader's language in one)."""
    return _l(DATES_NAMED[name])


def _upper_first(text) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def _capital(text):
    """First letter upper-cased (str.capitalize would lower the rest), lazily."""
    return LazyText(_upper_first, text)


def check_right(state: str, dates: dict[str, date | None], reason: str | None = None) -> None:
    """A right's dates match its state and never run backwards; a refusal carries its reason."""
    if state not in RIGHT_STATE_DATES:
        raise RuleViolation("right_state_unknown", _l("État de droit inconnu : %(state)s.", state=state), "state")
    required, forbidden = RIGHT_STATE_DATES[state]
    for name in required:
        if dates.get(name) is None:
            raise RuleViolation("right_date_missing", _l("%(value)s est requise.", value=_capital(date_of(name))), name)
    for name in forbidden:
        if dates.get(name) is not None:
            raise RuleViolation("right_date_forbidden",
                                _l(FORBIDDEN_DATE[name]), name)
    requested = dates.get("requested")
    for outcome in ("obtained", "refused"):
        outcome_on = dates.get(outcome)
        if requested and outcome_on and outcome_on < requested:
            raise RuleViolation("dates_backwards",
                                _l("%(value)s ne peut précéder la date de demande.",
                                   value=_capital(date_of(outcome))), outcome)
    if state == "refused" and not (reason or "").strip():
        raise RuleViolation("right_refusal_reason", _l("Le motif du refus est obligatoire."), "reason")


# A right moves forward only (docs/rules.md): once requested it cannot return to "à faire" or
# "non concerné", an obtained right stays obtained, a refused right may be requested again or
# obtained on appeal — never dated before the refusal.
RIGHT_NEXT_STATES = {
    "todo": ("todo", "requested", "obtained", "refused", "not_applicable"),
    "not_applicable": ("todo", "requested", "obtained", "refused", "not_applicable"),
    "requested": ("requested", "obtained", "refused"),
    "obtained": ("obtained",),
    "refused": ("refused", "requested", "obtained"),
}


def check_right_change(before_state: str, before_dates: dict[str, date | None],
                       after_state: str, after_dates: dict[str, date | None]) -> None:
    """A right's state never moves backwards, and a new step after a refusal is not dated before it."""
    if after_state not in RIGHT_NEXT_STATES.get(before_state, ()):
        raise RuleViolation("right_backwards",
                            _l("Un droit « %(value)s » ne peut pas revenir à l'état « %(value2)s ».",
                               value=label(before_state, 'right_state').lower(), value2=label(after_state,
                                                                                              'right_state').lower()),
                                                                                                  "state")
    refused_on = before_dates.get("refused")
    if before_state == "refused" and after_state != "refused" and refused_on is not None:
        for name in ("requested", "obtained"):
            after_on = after_dates.get(name)
            if after_on is not None and after_on < refused_on:
                raise RuleViolation("dates_backwards",
                                    _l("%(value)s ne peut précéder le refus du %(day)s.",
                                       value=_capital(date_of(name)), day=LazyDate(refused_on)), name)


# Referral life (SPEC §4.3): each state, and the states that may follow it.
REFERRAL_TRANSITIONS = {
    "sent": ("accepted", "refused", "cancelled"),
    "accepted": ("started",),
    "started": ("completed", "dropped_out"),
    "refused": (), "completed": (), "dropped_out": (), "cancelled": (),
}
REFERRAL_STATE_LABELS = {
    "sent": _l("envoyée"), "accepted": _l("acceptée"), "refused": _l("refusée"), "started": _l("démarrée"),
    "completed": _l("terminée"), "dropped_out": _l("abandonnée"), "cancelled": _l("annulée"),
}
# The dates a referral in each state carries, in order.
REFERRAL_PATHS = {
    "sent": ("sent",),
    "accepted": ("sent", "accepted"),
    "refused": ("sent", "refused"),
    "cancelled": ("sent", "cancelled"),
    "started": ("sent", "accepted", "started"),
    "completed": ("sent", "accepted", "started", "completed"),
    "dropped_out": ("sent", "accepted", "started", "dropped_out"),
}
REFERRAL_DATE_FIELDS = ("sent", "accepted", "refused", "started", "completed", "dropped_out", "cancelled")


def check_referral_transition(current: str, target: str) -> None:
    """Refuse a transition the referral's life does not allow, with an explanation."""
    for state in (current, target):
        if state not in REFERRAL_TRANSITIONS:
            raise RuleViolation("referral_state_unknown", _l("État d'orientation inconnu : %(state)s.", state=state),
                                "state")
    if target not in REFERRAL_TRANSITIONS[current]:
        allowed = REFERRAL_TRANSITIONS.get(current, ())
        hint = ", ".join(str(REFERRAL_STATE_LABELS[s]) for s in allowed) or _l("aucune (état final)")
        raise RuleViolation(
            "referral_transition",
            _l("Une orientation %(value)s ne peut pas devenir %(value2)s (suites possibles : %(hint)s).",
               value=REFERRAL_STATE_LABELS[current], value2=REFERRAL_STATE_LABELS[target], hint=hint), "state")


def referral_state(dates: dict[str, date | None]) -> str:
    """Derive the state from the dates present; raise when they form no valid path or run backwards."""
    present = tuple(name for name in REFERRAL_DATE_FIELDS if dates.get(name) is not None)
    state = next((s for s, path in REFERRAL_PATHS.items() if set(path) == set(present)), None)
    if state is None:
        if "sent" not in present:
            raise RuleViolation("referral_date_missing", _l("La date d'envoi est requise."), "sent")
        raise RuleViolation("referral_path", _l("Ces dates ne forment pas un parcours d'orientation possible "
                                                "(envoyée → acceptée ou refusée → démarrée → terminée ou "
                                                "abandonnée ; annulée seulement depuis envoyée)."), present[-1])
    for earlier, later in pairwise(REFERRAL_PATHS[state]):
        later_on, earlier_on = dates[later], dates[earlier]
        if later_on is not None and earlier_on is not None and later_on < earlier_on:
            raise RuleViolation("dates_backwards",
                                _l("%(value)s ne peut précéder %(value2)s.", value=_capital(date_of(later)),
                                   value2=date_of(earlier)), later)
    return state


def check_participation(start: date, end: date | None, planned: float | None, attended: float | None,
                        level_start: str | None, level_end: str | None) -> None:
    """Participation dates in order, hours non-negative."""
    if end is not None and end < start:
        raise RuleViolation("dates_backwards", _l("La date de fin ne peut précéder la date de début."), "end")
    for name, value in (("planned_hours", planned), ("attended_hours", attended)):
        if value is not None and not math.isfinite(value):
            raise RuleViolation("hours_invalid", _l("Le nombre d'heures doit être un nombre."), name)
        if value is not None and value < 0:
            raise RuleViolation("negative_hours", _l("Le nombre d'heures ne peut être négatif."), name)
    for name, level in (("level_start", level_start), ("level_end", level_end)):
        if level is not None and level not in LEVELS:
            raise RuleViolation("level_unknown", _l("Niveau CECRL inconnu : %(value)s.", value=level), name)


def level_rank(level: str | None) -> int | None:
    """Position of a CECRL level (pre_A1 = 0 … C2 = 6)."""
    return LEVELS.index(level) if level in LEVELS else None


def progressed_one_level(level_start: str | None, level_end: str | None) -> bool:
    """End level at least one step above the start level."""
    a, b = level_rank(level_start), level_rank(level_end)
    return a is not None and b is not None and b >= a + 1


def check_job(kind: str, months: int | None) -> None:
    """A CDI has no length; another job's length, when known, is at least one month."""
    if kind not in JOB_KINDS:
        raise RuleViolation("job_kind_unknown", _l("Type de contrat inconnu : %(kind)s.", kind=kind), "kind")
    if kind == "cdi":
        if months is not None:
            raise RuleViolation("cdi_months", _l("Un CDI n'a pas de durée en mois."), "months")
    elif months is not None and months < 1:
        raise RuleViolation("job_months", _l("La durée du contrat doit être d'au moins 1 mois."), "months")


def is_durable_job(kind: str | None, months: int | None) -> bool:
    """Durable employment: a CDI, or a job of more than 6 months (6 is not durable)."""
    return kind == "cdi" or (kind is not None and months is not None and months > 6)


def referral_already_open() -> RuleViolation:
    """The rule « one open referral (sent, accepted, started) per person and programme », as every form shows it."""
    return RuleViolation("referral_open", _l("Une orientation de cette personne vers ce programme est déjà en "
                                             "cours."),
                         "programme")


def second_open_referrals(referrals: list[tuple[object, str | None]]) -> list[int]:
    """The positions of the referrals (programme, state) that are a second open one to the same programme."""
    seen, second = set(), []
    for index, (programme, state) in enumerate(referrals):
        if state in OPEN_REFERRAL_STATES and programme is not None:
            if programme in seen:
                second.append(index)
            seen.add(programme)
    return second


def check_event_ref(kind: str, event_ref: str | None, field: str = "event_ref") -> None:
    """A sport or cultural event carries the id of the event attended (the same for everyone present);
    no other kind of event carries one. The forms of the file and of the programmes, and `agir import`."""
    if kind in EVENTS_WITH_ID and not (event_ref or "").strip():
        raise RuleViolation("event_ref_required", _l("L'identifiant de l'évènement est obligatoire pour un "
                                                     "évènement sportif ou culturel (le même pour toutes les "
                                                     "personnes présentes)."), field)
    if kind not in EVENTS_WITH_ID and event_ref is not None:
        raise RuleViolation("event_ref_forbidden",
                            _l("Seuls les évènements sportifs et culturels portent un identifiant d'évènement."), field)
