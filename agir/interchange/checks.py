"""SPEC §4 rules applied to an imported record, through agir/rules (never re-implemented here).

`check_person` takes a person normalised by schema.validate_record and the reference data it
points to (its department, the structures holding its accompaniments); it returns the errors as
(field.path, French message) and what the importer stores beside the record (accompaniment kind,
eligibility verdict, current planned end, referral states).
"""
from dataclasses import dataclass, field
from datetime import date

from agir import dates
from agir.errors import RuleViolation
from agir.interchange.validation import INVALID, usable
from agir.rules.durations import (
    check_exit,
    check_extension,
    check_followup,
    check_max_months,
    check_no_overlap,
    check_planned_end,
)
from agir.rules.eligibility import check_eligibility
from agir.rules.entry import (
    check_appointment,
    check_document,
    check_no_medical_text,
    check_not_before_start,
    check_objective,
    check_region,
)
from agir.rules.path import (
    REFERRAL_DATE_FIELDS,
    check_event_ref,
    check_job,
    check_participation,
    check_right,
    referral_already_open,
    referral_state,
    second_open_referrals,
)
from agir.rules.person import not_after_today, person_violations
from agir.rules.text import check_no_medical_detail

DEFAULT_MAX_MONTHS = 12
WAVE_2024_MAX_MONTHS = 18
# The person's fields as agir.rules.person names them (the model's columns) → their interchange names.
PERSON_FIELDS = {
    "status": "status", "birth_on": "birth_date", "protection_on": "protection_date",
    "first_permit_on": "first_permit_date", "arrival_on": "arrival_date", "cir_on": "cir_date", "email": "email",
}
REFERENCE_CODES = ("protection_required", "first_permit_required")
# Dated facts of the path, as the forms refuse them after today: (list, field, « La date … »).
FACT_DATES = {
    "rights": (("requested", "La date de demande"), ("obtained", "La date d'obtention"),
               ("refused", "La date de refus")),
    "housing_steps": (("date", "La date de la démarche"),), "housing": (("date", "La date d'entrée dans le logement"),),
    "jobs": (("start", "La date de début du contrat"),), "trainings": (("start", "La date de début de la formation"),),
    "events": (("date", "La date de l'évènement"),), "notes": (("date", "La date de la note"),),
    "referrals": tuple((name, "La date") for name in REFERRAL_DATE_FIELDS),
    "documents": (("date", "La date du document"),),
}


@dataclass(frozen=True)
class DepartmentInfo:
    """What the rules need of a department."""

    agir_start: date | None
    max_months: int


@dataclass(frozen=True)
class StructureInfo:
    """What the rules need of a structure."""

    kind: str
    department: str


@dataclass
class AccompanimentFacts:
    """Stored with an accompaniment: kind and eligibility verdict at enrolment, current planned end."""

    kind: str | None = None
    is_eligible: bool = True
    is_priority: bool = False
    reasons: list = field(default_factory=list)
    current_end: date | None = None


@dataclass
class PersonFacts:
    """Everything check_person derived, indexed like the record's lists."""

    accompaniments: list[AccompanimentFacts] = field(default_factory=list)
    referral_states: list[str | None] = field(default_factory=list)


def default_max_months(wave: int | None) -> int:
    """12 months, or 18 where the department's wave is 2024 (SPEC §2, §3.4 b)."""
    return WAVE_2024_MAX_MONTHS if wave == 2024 else DEFAULT_MAX_MONTHS


def check_department(record) -> list[tuple[str, str]]:
    """The maximum length stays within 6..18 months; the region, when given, is the code's own."""
    errors = []
    if usable(record, "code", "region"):
        errors += _rule("", check_region, record["code"], record["region"])
    if not usable(record, "max_months") or record["max_months"] is None:
        return errors
    return errors + _rule("", check_max_months, record["max_months"])


def check_programme(record) -> list[tuple[str, str]]:
    """A programme does not end before it starts."""
    if usable(record, "start", "end") and record["end"] is not None and record["end"] < record["start"]:
        return [("end", "La date de fin ne peut précéder la date de début.")]
    return []


def check_person(person, department: DepartmentInfo | None, structures: dict[str, StructureInfo],
                 today: date | None = None) -> tuple[list[tuple[str, str]], PersonFacts]:
    """Every rule of SPEC §4 on one person's file; unknown references are the caller's to report.

    `today` (Europe/Paris by default, agir.dates.today) bounds the dates of facts, as in the forms.
    """
    errors: list[tuple[str, str]] = []
    facts = PersonFacts()
    today = today or dates.today()
    _check_person_values(person, today, errors)
    _check_fact_dates(person, today, errors)
    accompaniments = items(person, "accompaniments")
    for index, acc in enumerate(accompaniments):
        facts.accompaniments.append(
            _check_accompaniment(person, acc, f"accompaniments[{index}]", department, structures, errors, today))
    periods = [(acc["start"], acc["exit"]["date"] if acc["exit"] else None) for acc in accompaniments
               if usable(acc, "start", "exit") and (acc["exit"] is None or usable(acc["exit"], "date"))]
    if len(periods) == len(accompaniments):
        errors += _rule("accompaniments", check_no_overlap, periods, keep_field=False)
    _check_rights(items(person, "rights"), errors)
    for index, job in enumerate(items(person, "jobs")):
        if usable(job, "kind", "months"):
            errors += _rule(f"jobs[{index}]", check_job, job["kind"], job["months"])
    for index, referral in enumerate(items(person, "referrals")):
        facts.referral_states.append(_check_referral(referral, f"referrals[{index}]", errors))
    programmes = [r.get("programme") if isinstance(r, dict) and usable(r, "programme") else None
                  for r in items(person, "referrals")]
    for index in second_open_referrals(list(zip(programmes, facts.referral_states, strict=True))):
        errors.append((f"referrals[{index}].programme", referral_already_open().message))
    for index, part in enumerate(items(person, "participations")):
        if usable(part, "start", "end", "planned_hours", "attended_hours", "level_start", "level_end"):
            errors += _rule(f"participations[{index}]", check_participation, part["start"], part["end"],
                            part["planned_hours"], part["attended_hours"], part["level_start"], part["level_end"])
    _check_v2(person, department_code(person), structures, today, errors)
    for index, event in enumerate(items(person, "events")):
        if usable(event, "kind", "event"):
            errors += _rule(f"events[{index}]", check_event_ref, event["kind"], event["event"], "event")
    return errors, facts


def department_code(person) -> str | None:
    """The person's department code, when valid."""
    return person["department"] if usable(person, "department") else None


def _check_v2(person, department: str | None, structures: dict[str, StructureInfo], today: date,
              errors: list) -> None:
    """Contract v2 of a person: languages, orientation, appointments, documents (SPEC §3, §4.6, §4.7)."""
    seen: dict[str, int] = {}
    for index, language in enumerate(items(person, "languages")):
        if not usable(language, "code"):
            continue
        if language["code"] in seen:
            errors.append((f"languages[{index}].code",
                           f"Langue déjà indiquée pour cette personne (languages[{seen[language['code']]}])."))
        seen.setdefault(language["code"], index)
    orientation = person.get("orientation")
    if isinstance(orientation, dict):
        _not_future(errors, "orientation", orientation, "date", "La date d'orientation", today)
    for index, appointment in enumerate(items(person, "appointments")):
        if not usable(appointment, "structure", "start", "minutes", "status"):
            continue
        # Without a valid department, only the structure's existence is checked (by the refs).
        structure = structures.get(appointment["structure"]) if department is not None else None
        errors += _rule(f"appointments[{index}]", check_appointment, appointment["start"], appointment["minutes"],
                        appointment["status"], structure.kind if structure else None,
                        structure.department if structure else None, department, today)
    for index, document in enumerate(items(person, "documents")):
        if usable(document, "date", "expires"):
            errors += _rule(f"documents[{index}]", check_document, document["date"], document["expires"])


# The lists an objective may point into by position, and what one item of each is called.
OBJECTIVE_LINKS = (("housing_step", "housing_steps", "démarche de logement"), ("referral", "referrals", "orientation"),
                   ("training", "trainings", "formation"))


def _check_links(person, objective, where: str, errors: list) -> None:
    """An objective's links name a right of the file (by kind) or an item of its lists (by position)."""
    if usable(objective, "right") and objective.get("right") is not None:
        kinds = {r["kind"] for r in items(person, "rights") if usable(r, "kind")}
        if objective["right"] not in kinds:
            errors.append((f"{where}.right", "Ce droit n'est pas suivi dans le dossier (aucune ligne de ce type "
                                             "dans rights)."))
    for name, key, what in OBJECTIVE_LINKS:
        position = objective.get(name) if usable(objective, name) else None
        if position is not None and position >= len(items(person, key)):
            errors.append((f"{where}.{name}", f"Aucune {what} n° {position} dans le dossier ({key} en compte "
                                              f"{len(items(person, key))}, numérotées à partir de 0)."))


def _check_entry(person, acc, path: str, today: date, errors: list) -> None:
    """An accompaniment's diagnostic, plan and contract (SPEC §4.5): not before its start, not after today,
    `closed` exactly when an objective is no longer open, never a medical detail."""
    start = acc["start"] if usable(acc, "start") else None
    diagnostic = acc.get("diagnostic")
    if isinstance(diagnostic, dict):
        where = f"{path}.diagnostic"
        if start is not None and usable(diagnostic, "date"):
            errors += _rule(where, check_not_before_start, diagnostic["date"], start, "date",
                            "La date du diagnostic")
        _not_future(errors, where, diagnostic, "date", "La date du diagnostic", today)
        areas = diagnostic.get("areas")
        if isinstance(areas, dict):
            for area, value in areas.items():
                if isinstance(value, dict) and isinstance(value.get("text"), str):
                    errors += _rule(f"{where}.areas.{area}", check_no_medical_text, value["text"], "text")
    for index, objective in enumerate(items(acc, "plan")):
        where = f"{path}.plan[{index}]"
        if not isinstance(objective, dict):
            continue
        if isinstance(objective.get("objective"), str):
            errors += _rule(where, check_no_medical_text, objective["objective"], "objective")
        _check_links(person, objective, where, errors)
        if start is not None and usable(objective, "state", "closed"):
            errors += _rule(where, check_objective, objective["state"], objective["closed"], start, today)
    contract = acc.get("contract")
    if isinstance(contract, dict):
        where = f"{path}.contract"
        if start is not None and usable(contract, "signed"):
            errors += _rule(where, check_not_before_start, contract["signed"], start, "signed",
                            "La date de signature du contrat")
        _not_future(errors, where, contract, "signed", "La date de signature du contrat", today)


def items(node, key) -> list:
    """The items of a list field ([] when the list itself was invalid)."""
    value = node.get(key)
    return value if isinstance(value, list) else []


def _rule(prefix: str, check, *args, keep_field: bool = True, **kwargs) -> list[tuple[str, str]]:
    """Run one rule; a RuleViolation becomes an error at prefix.field."""
    return _outcome(prefix, check, *args, keep_field=keep_field, **kwargs)[0]


def _outcome(prefix: str, check, *args, keep_field: bool = True, **kwargs) -> tuple[list[tuple[str, str]], object]:
    """Run one rule: (its errors as _rule gives them, what it returned — None on a violation)."""
    try:
        return [], check(*args, **kwargs)
    except RuleViolation as exc:
        name = exc.field if keep_field and exc.field else ""
        path = ".".join(p for p in (prefix, name) if p) or "record"
        return [(path, exc.message)], None


def _check_person_values(person, today: date, errors: list) -> None:
    """The person rules the forms apply too (agir.rules.person): BPI / first permit, not after today,
    not before birth, e-mail. Lengths are the schema's (agir.rules.text.MAX_LENGTHS); an invalid value
    is left out (its error is already reported)."""
    values = {}
    for name, key in PERSON_FIELDS.items():
        value = person.get(key)
        values[name] = None if value is INVALID else value
    # The BPI / first-permit requirement says nothing while one of its dates (or the status) is invalid.
    reference_known = usable(person, "status", "protection_date", "first_permit_date")
    for violation in person_violations(values, today, lengths=False):
        if violation.code in REFERENCE_CODES and not reference_known:
            continue
        errors.append((PERSON_FIELDS.get(violation.field, violation.field), violation.message))


def _check_fact_dates(person, today: date, errors: list) -> None:
    """The dates of what happened are not after today, as the forms refuse them (the planned end, the
    permit expiry and a participation's end may be later: they are not facts yet). A path is only
    written for a date refused (this runs on every line of an import)."""
    for index, acc in enumerate(items(person, "accompaniments")):
        if not isinstance(acc, dict):
            continue  # an item that is not an object: already reported
        path = f"accompaniments[{index}]"
        _not_future(errors, path, acc, "start", "La date d'entrée", today)
        for number, ext in enumerate(items(acc, "extensions")):
            _not_future(errors, f"{path}.extensions[{number}]", ext, "date", "La date de décision", today)
        exit_ = acc.get("exit")
        if isinstance(exit_, dict):
            _not_future(errors, f"{path}.exit", exit_, "date", "La date de sortie", today)
            if isinstance(exit_.get("followup"), dict):
                _not_future(errors, f"{path}.exit.followup", exit_["followup"], "date", "La date du suivi", today)
    for key, fields in FACT_DATES.items():
        values = person.get(key)
        if not values or not isinstance(values, list):
            continue
        for index, item in enumerate(values):
            if not isinstance(item, dict):
                continue
            for name, what in fields:
                day = item.get(name)
                if day is not None and day is not INVALID and day > today:
                    errors += _rule(f"{key}[{index}]", not_after_today, day, name, what, today)


def _not_future(errors: list, prefix: str, node, name: str, what: str, today: date) -> None:
    day = node.get(name) if isinstance(node, dict) else None
    if isinstance(day, date) and day > today:
        errors += _rule(prefix, not_after_today, day, name, what, today)


def _check_accompaniment(person, acc, path: str, department: DepartmentInfo | None,
                         structures: dict[str, StructureInfo], errors: list, today: date) -> AccompanimentFacts:
    facts = AccompanimentFacts()
    if isinstance(acc, dict):
        _check_entry(person, acc, path, today, errors)
    if not usable(acc, "structure", "start", "planned_end", "exit"):
        return facts
    start = acc["start"]
    structure = structures.get(acc["structure"])
    if structure is not None and department is not None and usable(person, "status", "protection_date",
                                                                   "prior_programme"):
        verdict = check_eligibility(
            status=person["status"], protection_on=person["protection_date"], on=start,
            structure_kind=structure.kind, agir_start=department.agir_start,
            prior_programme=person["prior_programme"])
        facts.kind, facts.is_eligible, facts.is_priority = verdict.kind, verdict.eligible, verdict.priority
        facts.reasons = verdict.codes
        for reason in verdict.reasons:
            if reason.code == "missing_protection_date":
                continue  # reported once, on the person's protection_date
            where = "structure" if reason.code == "structure_cannot_hold" else "start"
            errors.append((f"{path}.{where}", reason.message))
    exit_ = acc["exit"]
    exit_on = exit_["date"] if exit_ is not None and usable(exit_, "date") else None
    facts.current_end = acc["planned_end"]
    if department is not None:
        errors += _rule(path, check_planned_end, start, acc["planned_end"], department.max_months)
        facts.current_end = _check_extensions(acc, path, department.max_months, exit_on, errors)
    else:
        facts.current_end = _latest_end(acc)
    if exit_ is not None:
        _check_exit(start, exit_, f"{path}.exit", errors)
    return facts


def _latest_end(acc) -> date:
    """The planned end after the latest extension (by decision date), else the planned end."""
    valid = [e for e in items(acc, "extensions") if usable(e, "date", "planned_end")]
    return max(valid, key=lambda e: e["date"])["planned_end"] if valid else acc["planned_end"]


def _check_extensions(acc, path: str, max_months: int, exit_on: date | None, errors: list) -> date:
    current = acc["planned_end"]
    # Extensions are decisions in time: check each against the planned end it moved.
    ordered = sorted((e["date"], i, e) for i, e in enumerate(items(acc, "extensions"))
                     if usable(e, "date", "planned_end"))
    for _, index, ext in ordered:
        found = _rule(f"{path}.extensions[{index}]", check_extension,
                      start=acc["start"], current_end=current, decided_on=ext["date"], new_end=ext["planned_end"],
                      max_months=max_months, reason=ext["reason"] if ext["reason"] is not INVALID else "x",
                      exit_on=exit_on)
        errors += found
        current = ext["planned_end"] if not found else current
    return _latest_end(acc)


def _check_exit(start: date, exit_, path: str, errors: list) -> None:
    if usable(exit_, "date", "reason"):
        errors += _rule(path, check_exit, start, exit_["date"], exit_["reason"])
    job = exit_.get("job")
    if job is not None and usable(job, "kind", "months"):
        errors += _rule(f"{path}.job", check_job, job["kind"], job["months"])
    followup = exit_.get("followup")
    if followup is not None and usable(followup, "date") and usable(exit_, "date"):
        # check_followup names its field "followup.date", relative to the exit.
        errors += _rule(path, check_followup, exit_["date"], followup["date"])


def _check_rights(rights: list, errors: list) -> None:
    seen: dict[str, int] = {}
    for index, right in enumerate(rights):
        path = f"rights[{index}]"
        if not usable(right, "kind", "state", "requested", "obtained", "refused", "reason"):
            continue
        if right["kind"] in seen:
            errors.append((f"{path}.kind", f"Un seul suivi par droit et par personne "
                                           f"(déjà présent en rights[{seen[right['kind']]}])."))
        seen.setdefault(right["kind"], index)
        dates = {name: right[name] for name in ("requested", "obtained", "refused")}
        errors += _rule(path, check_right, right["state"], dates, right["reason"])


def _check_referral(referral, path: str, errors: list) -> str | None:
    need = referral.get("need") if isinstance(referral, dict) else None
    if isinstance(need, str):  # the referral form's medical-word check (agir.rules.text), on the words typed
        errors += _rule(path, check_no_medical_detail, " ".join(need.split()), "need")
    names = ("sent", "accepted", "refused", "started", "completed", "dropped_out", "cancelled")
    if not usable(referral, *names):
        return None
    found, state = _outcome(path, referral_state, {name: referral[name] for name in names})
    errors += found
    return state
