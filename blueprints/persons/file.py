"""Loading a whole file in a fixed number of queries, and the context of the file and summary pages."""
from datetime import date

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from agir.audit import trail as audit_trail
from agir.extensions import db
from agir.operations.accompaniments import proposed_planned_end, verdict_for
from agir.queries import persons as queries
from agir.queries.proofs import proofs_of
from agir.rules.eligibility import eligibility_closing_on, within_referral_window
from agir.rules.path import RIGHT_NEXT_STATES
from blueprints.persons.forms import (
    EnrolForm,
    EventForm,
    FollowUpForm,
    HousingForm,
    HousingStepForm,
    JobForm,
    NoteForm,
    RightForm,
    TrainingForm,
)
from blueprints.persons.presenters import clock_bar, followup_status, history_rows, right_lines, timeline
from models import Accompaniment, Alert, Exit, Participation, Person, Referral


def load_file(person_id: int) -> Person:
    """The person with every section of the path loaded (one query per relationship, not per line)."""
    return db.session.scalars(
        select(Person).where(Person.id == person_id).options(
            joinedload(Person.department), joinedload(Person.household), joinedload(Person.structure),
            selectinload(Person.accompaniments).options(
                selectinload(Accompaniment.extensions), joinedload(Accompaniment.structure),
                selectinload(Accompaniment.exit).selectinload(Exit.followup)),
            selectinload(Person.rights), selectinload(Person.housing_steps), selectinload(Person.housing),
            selectinload(Person.jobs), selectinload(Person.trainings), selectinload(Person.events),
            selectinload(Person.notes),
            selectinload(Person.referrals).options(joinedload(Referral.programme),
                                                   joinedload(Referral.sender_structure)),
            selectinload(Person.participations).joinedload(Participation.programme),
        ).execution_options(populate_existing=True)
    ).one()


def right_form(kind: str, step, formdata=None) -> RightForm:
    """The form of one right line, prefilled with its state and dates."""
    data = {"state": "todo", "version": 0}
    if step is not None:
        data = {"state": step.state, "requested": step.requested_on, "obtained": step.obtained_on,
                "refused": step.refused_on, "reason": step.refusal_reason, "version": step.version_id}
    form = RightForm(formdata=formdata, prefix=f"right-{kind}", data=data)
    allowed = RIGHT_NEXT_STATES.get(data["state"])  # a right moves forward only (agir.rules.path)
    if allowed:
        form.state.choices = [(v, text) for v, text in form.state.choices if v in allowed]
    return form


def translate_once(forms) -> None:
    """Each label and choice of the page's forms looked up in the catalogue once per request, not at each
    rendering: the nine rights' forms show the same texts, and every lookup of a lazy text goes through
    Flask-Babel's request context (~700 lookups a page: docs/performance.md, « One million persons on
    PostgreSQL »). The same texts, escaped the same way: the page's HTML does not change."""
    seen: dict[int, str] = {}

    def once(text):
        if isinstance(text, str):
            return text
        if id(text) not in seen:
            seen[id(text)] = str(text)
        return seen[id(text)]

    for form in forms:
        for field in form:
            field.label.text = once(field.label.text)
            if isinstance(getattr(field, "choices", None), list):
                field.choices = [(value, once(text), *rest) for value, text, *rest in field.choices]


def add_forms() -> dict:
    """Empty forms of the sections' "add" disclosures (prefixed: field ids stay unique on the page)."""
    return {"housing_step": HousingStepForm(formdata=None, prefix="housing_step"),
            "housing": HousingForm(formdata=None, prefix="housing"), "job": JobForm(formdata=None, prefix="job"),
            "training": TrainingForm(formdata=None, prefix="training"),
            "event": EventForm(formdata=None, prefix="event"), "note": NoteForm(formdata=None, prefix="note")}


def file_context(person: Person, today: date, forms: bool = True) -> dict:
    """Everything the file (or its printable summary) shows."""
    structure = current_user.structure
    department = person.department
    current = person.open_accompaniment
    latest = person.accompaniments[-1] if person.accompaniments else None
    members = queries.visible_members(current_user, person.household_id)
    ctx = dict(person=person, today=today, department=department, current=current, latest=latest,
               structure=structure, rights=right_lines(person), timeline=timeline(person),
               members=members, hidden_members=queries.hidden_member_count(person.household_id, members),
               followup=followup_status(latest, today) if current is None else None,
               referral_window=within_referral_window(person.reference_on, today),
               clock=clock_bar(current, today, department.max_months) if current else None,
               bars={a.id: clock_bar(a, today, department.max_months) for a in person.accompaniments},
               alerts=db.session.scalars(
                   select(Alert.kind).where(Alert.person_id == person.id, Alert.structure_id == structure.id,
                                            Alert.resolved_on.is_(None)).distinct().order_by(Alert.kind)).all())
    ctx["proofs"] = proofs_of(person, today)  # issue 18: expected proofs, one query for the documents
    if current is None:
        ctx["verdict"] = verdict_for(person, structure, today)
        ctx["proposed_end"] = proposed_planned_end(today, department.max_months)
        if person.is_bpi and person.protection_on:
            ctx["agir_until"] = eligibility_closing_on(person.protection_on)
    if forms:
        ctx["enrol_form"] = EnrolForm(formdata=None, prefix="enrol",
                                      data={"planned_end": proposed_planned_end(today, department.max_months)})
        ctx["right_forms"] = {kind: right_form(kind, step) for kind, step in ctx["rights"]}
        ctx["add_forms"] = add_forms()
        if ctx["followup"] and ctx["followup"]["is_due"]:
            ctx["followup_form"] = FollowUpForm(formdata=None, prefix="followup", data={"version": latest.version_id})
        translate_once([ctx["enrol_form"], *ctx["right_forms"].values(), *ctx["add_forms"].values()]
                       + ([ctx["followup_form"]] if "followup_form" in ctx else []))
        # The latest changes (consultations only on the history page, behind its filter).
        ctx["history"] = history_rows(audit_trail.person_history(person.id, limit=8)[0])
    return ctx
