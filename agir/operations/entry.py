"""The entry path on the file (SPEC §3, §4.5): orientation, languages and interpreter, first interview,
diagnostic, action plan. Check (agir.rules.entry, the same rules as `agir import`), mutate, flush, audit;
never commit. Every function raises CorrectionRefused with every violation at once."""
from datetime import date, datetime, time

from sqlalchemy.orm.attributes import flag_modified

from agir import languages
from agir.audit import record, record_correction
from agir.dates import today as paris_today
from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import format_date
from agir.i18n import lazy_gettext as _l
from agir.operations.corrections import CorrectionRefused
from agir.operations.locks import lock_person
from agir.operations.persons import check_version
from agir.rules import entry as rules
from agir.rules.corrections import check_reason, snapshot
from agir.rules.person import not_after_today, not_before_birth
from agir.rules.text import check_length
from models import Appointment, Person
from models.entry import DiagnosticArea, PersonLanguage, PlanObjective
from models.enums import AREAS, LANGUAGE_LEVELS, NEEDS, OBJECTIVE_STATES, ORIENTATION_SOURCES

MAX_LANGUAGES = 6
FIRST_INTERVIEW_MINUTES = 60
# The kinds of facts an objective may be linked to, and the person's relationship holding them.
LINK_KINDS = {"right": "rights", "housing": "housing_steps", "referral": "referrals", "training": "trainings"}
LINK_COLUMNS = {"right": "right_step_id", "housing": "housing_step_id", "referral": "referral_id",
                "training": "training_id"}


def _raise(found: list[RuleViolation]) -> None:
    if found:
        raise CorrectionRefused(found)


def _check(found: list, check) -> None:
    try:
        check()
    except RuleViolation as exc:
        found.extend(getattr(exc, "violations", None) or [exc])


def _holder(actor) -> int | None:
    return getattr(actor, "structure_id", None)


# ---------------------------------------------------------------- orientation

def orientation_violations(person: Person | None, oriented_on: date | None, source: str | None,
                           structure_id: int | None, today: date) -> list[RuleViolation]:
    """An orientation: a date (not after today, not before birth), a known source, the structure it was made to.
    All empty: no orientation (cleared)."""
    if oriented_on is None and not source:
        return []
    found = []
    if oriented_on is None:
        found.append(RuleViolation("required", _l("La date d'orientation est obligatoire."), "oriented_on"))
    else:
        _check(found, lambda: not_after_today(oriented_on, "oriented_on", "La date d'orientation", today))
        if person is not None:
            _check(found, lambda: not_before_birth(oriented_on, person.birth_on, "oriented_on",
                                                   "La date d'orientation"))
    if not source:
        found.append(RuleViolation("required", _l("Indiquez qui a orienté la personne."), "orientation_source"))
    elif source not in ORIENTATION_SOURCES:
        found.append(RuleViolation("enum", _l("Origine de l'orientation inconnue."), "orientation_source"))
    if structure_id is None and oriented_on is not None:
        found.append(RuleViolation("required", _l("Indiquez la structure vers laquelle la personne est orientée."),
                                   "orientation_structure"))
    return found


def record_orientation(actor, person: Person, oriented_on: date | None, source: str | None,
                       structure_id: int | None, version: int | None = None, today: date | None = None) -> Person:
    """Record (or correct) the orientation that brought the person to a structure."""
    today = today or paris_today()
    lock_person(person)
    check_version(person, version)
    found = orientation_violations(person, oriented_on, source or None, structure_id, today)
    if structure_id is not None and structure_id not in holding_structure_ids(person.department_id):
        found.append(RuleViolation("enum", _l("Choisissez une structure de la liste."), "orientation_structure"))
    _raise(found)
    before = snapshot({"oriented_on": person.oriented_on, "orientation_source": person.orientation_source,
                       "orientation_structure_id": person.orientation_structure_id})
    person.oriented_on = oriented_on
    person.orientation_source = source or None
    person.orientation_structure_id = structure_id if oriented_on is not None else None
    after = snapshot({"oriented_on": person.oriented_on, "orientation_source": person.orientation_source,
                      "orientation_structure_id": person.orientation_structure_id})
    db.session.flush()
    record(actor, "orientation_recorded", person, [k for k in after if after[k] != before[k]] or ["oriented_on"])
    return person


# ---------------------------------------------------------------- languages and interpreter

def resolve_language(text: str | None) -> str | None:
    """A code typed or chosen from the list: the ISO 639-3 code itself, or a language's exact name in French
    or English (compared without case). None when empty; the text itself when unknown (the rule then refuses
    it)."""
    text = (text or "").strip()
    if not text:
        return None
    if languages.is_iso639_3(text.lower()):
        return text.lower()
    return languages.code_for_name(text) or text


def language_violations(rows: list[tuple[str | None, str | None]], interpreter: str | None) -> list[RuleViolation]:
    """Each row (code, level): both given, a known ISO 639-3 code, a known level, each language once; the
    interpreter's language a known code. Fields: languages-N-code / languages-N-level, interpreter."""
    found, seen = [], set()
    for n, (code, level) in enumerate(rows):
        if not code and not level:
            continue
        if not code:
            found.append(RuleViolation("required", _l("Indiquez la langue."), f"languages-{n}-code"))
        else:
            _check(found, lambda c=code, n=n: rules.check_language(c, f"languages-{n}-code"))
            if code in seen:
                found.append(RuleViolation("language_twice", _l("Cette langue figure déjà dans la liste."),
                                           f"languages-{n}-code"))
            seen.add(code)
        if not level:
            found.append(RuleViolation("required", _l("Indiquez le niveau."), f"languages-{n}-level"))
        elif level not in LANGUAGE_LEVELS:
            found.append(RuleViolation("enum", _l("Niveau inconnu."), f"languages-{n}-level"))
    if interpreter:
        _check(found, lambda: rules.check_language(interpreter, "interpreter"))
    return found


def set_languages(actor, person: Person, rows: list[tuple[str | None, str | None]], interpreter: str | None,
                  version: int | None = None) -> Person:
    """Replace the languages the person speaks and the interpreter's language (the person's version checked)."""
    lock_person(person)
    check_version(person, version)
    _raise(language_violations(rows, interpreter))
    wanted = {code: level for code, level in rows if code}
    current = {lang.code: lang for lang in person.languages}
    for code, lang in list(current.items()):
        if code not in wanted:
            person.languages.remove(lang)
    for code, level in wanted.items():
        if code in current:
            current[code].level = level
        else:
            person.languages.append(PersonLanguage(code=code, level=level))
    person.interpreter = interpreter or None
    # The languages are a part of the person: saving them bumps the person's version (« modifiée par
    # quelqu'un d'autre » for a form loaded before).
    flag_modified(person, "interpreter")
    db.session.flush()
    record(actor, "languages_updated", person, ["languages", "interpreter"])
    return person


# ---------------------------------------------------------------- first interview

def first_interview_on(person: Person) -> date | None:
    """The first interview (SPEC §4.6): the earliest honoured appointment of kind first_interview dated on or
    after the orientation (any one when no orientation is recorded)."""
    days = [a.start_at.date() for a in person.appointments
            if a.kind == "first_interview" and a.status == "honoured"
            and (person.oriented_on is None or a.start_at.date() >= person.oriented_on)]
    return min(days) if days else None


def record_first_interview(actor, person: Person, day: date | None, at: time | None,
                           today: date | None = None) -> Appointment:
    """« Premier entretien réalisé le … »: an honoured appointment of kind first_interview at the actor's
    structure, with the person's interpreter language."""
    today = today or paris_today()
    lock_person(person)
    found = []
    if day is None:
        found.append(RuleViolation("required", _l("La date du premier entretien est obligatoire."), "day"))
    else:
        _check(found, lambda: not_after_today(day, "day", "La date du premier entretien", today))
        if person.oriented_on is not None and day < person.oriented_on:
            found.append(RuleViolation("before_orientation",
                                       _l("Le premier entretien ne peut précéder l'orientation du %(day)s.",
                                          day=format_date(person.oriented_on)), "day"))
    if at is None:
        found.append(RuleViolation("required", _l("L'heure est obligatoire (HH:MM)."), "at"))
    structure = actor.structure
    if day is not None and at is not None:
        start = datetime.combine(day, at)
        _check(found, lambda: rules.check_appointment(
            start, FIRST_INTERVIEW_MINUTES, "honoured", structure.kind, structure.department.code,
            person.department.code, today))
    _raise([v if v.field not in ("start", "structure") else RuleViolation(v.code, v.message,
                                                                          "at" if v.field == "start" else None)
            for v in found])
    if day is None or at is None:  # refused above already: for the type checker
        raise CorrectionRefused([RuleViolation("required", _l("La date du premier entretien est obligatoire."), "day")])
    appointment = Appointment(person=person, structure_id=structure.id, start_at=datetime.combine(day, at),
                              minutes=FIRST_INTERVIEW_MINUTES, kind="first_interview", mode="on_site",
                              referent_id=actor.id, interpreter=person.interpreter, status="honoured")
    db.session.add(appointment)
    db.session.flush()
    record(actor, "first_interview_recorded", person, ["appointment"])
    return appointment


# ---------------------------------------------------------------- diagnostic

def diagnostic_violations(accompaniment, on: date | None, areas: dict, today: date) -> list[RuleViolation]:
    """The diagnostic: dated (not before the accompaniment's start, not after today), every area with a known
    need, texts short and without any medical word. Fields: diagnostic_on, <area>_need, <area>_text."""
    found = []
    if on is None:
        found.append(RuleViolation("required", _l("La date du diagnostic est obligatoire."), "diagnostic_on"))
    else:
        _check(found, lambda: rules.check_not_before_start(on, accompaniment.start_on, "diagnostic_on",
                                                           "La date du diagnostic"))
        _check(found, lambda: not_after_today(on, "diagnostic_on", "La date du diagnostic", today))
    for area in AREAS:
        need, text = areas.get(area, (None, None))
        if not need:
            found.append(RuleViolation("required", _l("Indiquez le besoin."), f"{area}_need"))
        elif need not in NEEDS:
            found.append(RuleViolation("enum", _l("Besoin inconnu."), f"{area}_need"))
        _check(found, lambda t=text, a=area: check_length(t, "diagnostic.text", f"{a}_text"))
        _check(found, lambda t=text, a=area: rules.check_no_medical_text(t, f"{a}_text"))
    return found


def _diagnostic_values(accompaniment) -> dict:
    values = {"diagnostic_on": accompaniment.diagnostic_on}
    for row in accompaniment.diagnostic_areas:
        values[f"{row.area}_need"] = row.need
        values[f"{row.area}_text"] = row.text
    return snapshot(values)


def save_diagnostic(actor, accompaniment, on: date | None, areas: dict, reason: str | None = None,
                    version: int | None = None, today: date | None = None):
    """Record the diagnostic; once recorded, changing it is a correction with a reason (audited before/after)."""
    today = today or paris_today()
    person = accompaniment.person
    lock_person(person)
    if accompaniment.structure_id != _holder(actor):
        raise RuleViolation("not_holder", _l("Seule la structure qui porte cet accompagnement peut établir "
                                                  "son diagnostic."), None)
    check_version(accompaniment, version)
    areas = {a: (need or None, (" ".join((text or "").split()) or None)) for a, (need, text) in areas.items()}
    found = diagnostic_violations(accompaniment, on, areas, today)
    correcting = accompaniment.diagnostic_on is not None
    if correcting:
        _check(found, lambda: check_reason(reason))
    _raise(found)
    before = _diagnostic_values(accompaniment)
    accompaniment.diagnostic_on = on
    rows = {row.area: row for row in accompaniment.diagnostic_areas}
    for area in AREAS:
        need, text = areas[area]
        row = rows.get(area)
        if row is None:
            accompaniment.diagnostic_areas.append(DiagnosticArea(area=area, need=need, text=text))
        else:
            row.need, row.text = need, text
    flag_modified(accompaniment, "diagnostic_on")  # the areas are part of it: the version moves
    db.session.flush()
    after = snapshot({"diagnostic_on": on, **{f"{a}_need": areas[a][0] for a in AREAS},
                      **{f"{a}_text": areas[a][1] for a in AREAS}})
    if correcting:
        if before == after:
            raise CorrectionRefused([RuleViolation("nothing_changed", _l(
                "Rien n'a changé : modifiez au moins un champ pour corriger le diagnostic."), None)])
        record_correction(actor, person, "diagnostic", before, after, check_reason(reason))
    else:
        record(actor, "diagnostic_recorded", person, ["diagnostic"])
    return accompaniment


# ---------------------------------------------------------------- action plan

def link_choices(person: Person) -> dict[str, object]:
    """Every fact of the file an objective may be linked to, by key « kind:id »."""
    out = {}
    for kind, relation in LINK_KINDS.items():
        for fact in getattr(person, relation):
            out[f"{kind}:{fact.id}"] = fact
    return out


def objective_violations(accompaniment, values: dict, today: date) -> list[RuleViolation]:
    """An objective: a known area, a text (500 characters, no medical word), a due date not before the
    accompaniment's start, a state and its closing date (agir.rules.entry.check_objective), a link to a fact
    of this person's file."""
    found = []
    if not values.get("area"):
        found.append(RuleViolation("required", _l("Indiquez le domaine."), "area"))
    elif values["area"] not in AREAS:
        found.append(RuleViolation("enum", _l("Domaine inconnu."), "area"))
    text = values.get("objective")
    if not text:
        found.append(RuleViolation("required", _l("L'objectif est obligatoire."), "objective"))
    else:
        _check(found, lambda: check_length(text, "plan.objective", "objective"))
        _check(found, lambda: rules.check_no_medical_text(text, "objective"))
    if values.get("due_on") is not None:
        _check(found, lambda: rules.check_not_before_start(values["due_on"], accompaniment.start_on, "due_on",
                                                           "L'échéance"))
    state = values.get("state") or "open"
    if state not in OBJECTIVE_STATES:
        found.append(RuleViolation("enum", _l("État inconnu."), "state"))
    else:
        _check(found, lambda: rules.check_objective(state, values.get("closed_on"), accompaniment.start_on, today))
    link = values.get("link")
    if link and link not in link_choices(accompaniment.person):
        found.append(RuleViolation("link_unknown", _l("Choisissez une démarche de ce dossier."), "link"))
    return [RuleViolation(v.code, v.message, "closed_on" if v.field == "closed" else v.field) for v in found]


def _objective_values(objective: PlanObjective) -> dict:
    link = None
    for kind, column in LINK_COLUMNS.items():
        if getattr(objective, column) is not None:
            link = f"{kind}:{getattr(objective, column)}"
    return {"area": objective.area, "objective": objective.objective, "due_on": objective.due_on,
            "state": objective.state, "closed_on": objective.closed_on, "link": link}


def _apply(objective: PlanObjective, values: dict) -> None:
    objective.area = values["area"]
    objective.objective = values["objective"]
    objective.due_on = values.get("due_on")
    objective.state = values.get("state") or "open"
    objective.closed_on = values.get("closed_on") if objective.state != "open" else None
    link = values.get("link")
    for kind, column in LINK_COLUMNS.items():
        setattr(objective, column, int(link.split(":")[1]) if link and link.startswith(kind + ":") else None)


def _clean_objective(values: dict) -> dict:
    out = dict(values)
    out["objective"] = " ".join((values.get("objective") or "").split()) or None
    out["link"] = values.get("link") or None
    out["state"] = values.get("state") or "open"
    return out


def add_objective(actor, accompaniment, values: dict, today: date | None = None) -> PlanObjective:
    """A new objective of the action plan."""
    today = today or paris_today()
    lock_person(accompaniment.person)
    if accompaniment.structure_id != _holder(actor):
        raise RuleViolation("not_holder", _l("Seule la structure qui porte cet accompagnement peut modifier "
                                                  "son plan d'action."), None)
    values = _clean_objective(values)
    _raise(objective_violations(accompaniment, values, today))
    objective = PlanObjective(accompaniment=accompaniment, structure_id=_holder(actor))
    _apply(objective, values)
    db.session.add(objective)
    db.session.flush()
    record(actor, "objective_added", accompaniment.person, ["plan"])
    return objective


# What changes an objective's content (a correction: reason required); closing it is its progress.
CONTENT_FIELDS = ("area", "objective", "due_on", "link")


def update_objective(actor, objective: PlanObjective, values: dict, reason: str | None = None,
                     version: int | None = None, today: date | None = None) -> PlanObjective:
    """Close an objective (done or dropped, dated) or correct it: changing its area, text, due date or link is
    a correction with a reason, audited before/after."""
    today = today or paris_today()
    accompaniment = objective.accompaniment
    lock_person(accompaniment.person)
    if accompaniment.structure_id != _holder(actor):
        raise RuleViolation("not_holder", _l("Seule la structure qui porte cet accompagnement peut modifier "
                                                  "son plan d'action."), None)
    check_version(objective, version)
    values = _clean_objective(values)
    found = objective_violations(accompaniment, values, today)
    before = snapshot(_objective_values(objective))
    after = snapshot({k: values.get(k) for k in before})
    if after.get("state") == "open":
        after["closed_on"] = None
    corrected = any(before[k] != after[k] for k in CONTENT_FIELDS)
    if corrected:
        _check(found, lambda: check_reason(reason))
    if before == after:
        found.append(RuleViolation("nothing_changed", _l("Rien n'a changé : modifiez au moins un champ."), None))
    _raise(found)
    _apply(objective, values)
    db.session.flush()
    if corrected:
        record_correction(actor, accompaniment.person, "plan_objective", before, after, check_reason(reason))
    else:
        record(actor, "objective_updated", accompaniment.person, [k for k in after if after[k] != before[k]])
    return objective


def overdue_objectives(accompaniment, today: date) -> list[PlanObjective]:
    """Open objectives whose due date has passed (shown on the file and in the référent's inbox)."""
    if accompaniment is None:
        return []
    return [o for o in accompaniment.plan if o.state == "open" and o.due_on is not None and o.due_on < today]


def holding_structure_ids(department_id: int) -> set[int]:
    """The structures a person of the department may be oriented to (AGIR and structuring-project operators)."""
    from sqlalchemy import select

    from models import Structure
    return set(db.session.scalars(select(Structure.id).where(
        Structure.department_id == department_id, Structure.kind.in_(rules.HOLDING_KINDS))))


def new_orientation_violations(actor, orientation: tuple, today: date | None = None) -> list[RuleViolation]:
    """The orientation typed on the new-person form: the orientation's rules, and a structure of the actor's
    department that holds accompaniments."""
    oriented_on, source, structure_id = orientation
    found = orientation_violations(None, oriented_on, source, structure_id, today or paris_today())
    structure = getattr(actor, "structure", None)
    if structure_id is not None and structure is not None and structure_id not in holding_structure_ids(
            structure.department_id):
        found.append(RuleViolation("enum", _l("Choisissez une structure de la liste."), "orientation_structure"))
    return found


def create_oriented_person(actor, values: dict, household=None, orientation: tuple = (None, None, None),
                           today: date | None = None) -> Person:
    """Open a file (agir.operations.persons.create_person) with the orientation that brought the person, in one
    unit of work: the person's first refusal and every refusal of the orientation at once."""
    from agir.operations.persons import create_person
    today = today or paris_today()
    found = new_orientation_violations(actor, orientation, today)
    try:
        person = create_person(actor, values, household=household, today=today)
    except RuleViolation as exc:
        raise CorrectionRefused([exc] + found) from None
    _raise(found)
    oriented_on, source, structure_id = orientation
    if oriented_on is not None:
        _raise([v for v in orientation_violations(person, oriented_on, source, structure_id, today)])
        person.oriented_on, person.orientation_source = oriented_on, source
        person.orientation_structure_id = structure_id
        db.session.flush()
        record(actor, "orientation_recorded", person, ["oriented_on", "orientation_source",
                                                       "orientation_structure_id"])
    return person
