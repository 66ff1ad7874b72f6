"""The entry path (SPEC §4.5): orientations to schedule, orientation, languages and interpreter, first
interview, diagnostic and action plan. Validate, load or 404, one operation, commit."""
from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from agir import access, languages
from agir.dates import today as paris_today
from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from agir.i18n import format_date
from agir.labels import label
from agir.operations import entry as ops
from agir.queries.entry import ORIENTATION_FILTERS, orientations_page
from blueprints._helpers import check_rules_too, int_arg, person_or_404, role_required
from blueprints.persons import bp
from blueprints.persons.common import ROLES, attach_error, audit_read, audit_view, commit, file_url
from blueprints.persons.file import load_file
from blueprints.persons.forms_entry import (
    DiagnosticForm,
    FirstInterviewForm,
    LanguagesForm,
    ObjectiveForm,
    OrientationForm,
)
from blueprints.persons.presenters import PAGES
from models import Structure
from models.entry import PlanObjective
from models.enums import AREAS

ORIENTATION_FIELDS = ("last_name", "first_name", "ref", "oriented_on", "interpreter", "languages")


def _locale() -> str:
    return str(get_locale() or "fr")


def attach_all(form, exc: RuleViolation) -> None:
    """Every violation of a refusal next to its field (languages-N-code: the row's field)."""
    for violation in getattr(exc, "violations", None) or [exc]:
        field = violation.field or ""
        if field.startswith("languages-"):
            _, n, name = field.split("-")
            sub = form.languages[int(n)][name]
            sub.errors = list(sub.errors or []) + [violation.message]
            form._errors = None
            continue
        attach_error(form, violation)


def run(form, operation, *args, **kwargs):
    """A POST: every field error and every rule refusal at once; the operation for real when the fields are
    valid. Returns (result, ok)."""
    if not form.validate():
        check_rules_too(form, attach_all, operation, *args, **kwargs)
        return None, False
    try:
        result = operation(*args, **kwargs)
        commit()
        return result, True
    except RuleViolation as exc:
        db.session.rollback()
        attach_all(form, exc)
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        attach_error(form, StaleRecord())
    return None, False


# ---------------------------------------------------------------- the list

@bp.get("/orientations")
@role_required(*ROLES)
def orientations():
    """Persons oriented to my structure without an honoured first interview, the nearest limit first."""
    q = (request.args.get("q") or "").strip()[:100]
    show = request.args.get("show") or ""
    show = show if show in ORIENTATION_FILTERS else ""
    today = paris_today()
    page = orientations_page(current_user, q, show, int_arg("page", 1) or 1, current_app.config.get("PER_PAGE", 25),
                             today)
    if page.rows:
        audit_read("orientations_list_viewed", fields=ORIENTATION_FIELDS,
                   detail=f"{len(page.rows)} dossiers affichés, page {page.page}" + (" (recherche)" if q else ""))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("persons/entry/orientations.html", page=page, q=q, show=show, args=args, today=today)


@bp.get("/languages.json")
@role_required("social_worker", "referral_officer")
def language_search():
    """Languages whose name (reader's language) or code matches what is typed: the autocomplete's list."""
    return jsonify([{"code": code, "name": name}
                    for code, name in languages.search(request.args.get("q", "")[:40], _locale())])


# ---------------------------------------------------------------- orientation

def _structures(person):
    """The holding structures (AGIR or structuring-project operators) of the person's department."""
    return db.session.scalars(select(Structure).where(
        Structure.department_id == person.department_id,
        Structure.kind.in_(("agir_operator", "project_operator"))).order_by(Structure.name)).all()


@bp.route("/<int:person_id>/orientation", methods=["GET", "POST"])
@role_required(*ROLES)
def orientation(person_id: int):
    """Record or correct the orientation (date, source, structure); cleared when all are emptied."""
    person = person_or_404(person_id)
    data = None
    if request.method == "GET":
        data = {"oriented_on": person.oriented_on, "orientation_source": person.orientation_source or "",
                "orientation_structure": str(person.orientation_structure_id or current_user.structure_id),
                "version": person.version_id}
    form = OrientationForm(data=data)
    structures = _structures(person)
    form.orientation_structure.choices = [("", gettext("Choisir"))] + [(str(s.id), s.name) for s in structures]
    if form.is_submitted():
        chosen = form.orientation_structure.data
        # Not one of the list: -1, refused next to the field by the operation.
        structure_id = next((s.id for s in structures if str(s.id) == chosen), -1 if chosen else None)
        _, ok = run(form, ops.record_orientation, current_user, person, form.oriented_on.data,
                    form.orientation_source.data or None, structure_id, version=form.version_value)
        if ok:
            flash(gettext("L'orientation est enregistrée."), "success")
            return redirect(file_url(person, "entree"))
    audit_view(person, PAGES["form"])
    return render_template("persons/entry/orientation.html", form=form, person=person)


# ---------------------------------------------------------------- languages

def _language_text(code: str | None) -> str:
    return f"{languages.name(code, _locale())} ({code})" if code else ""


@bp.route("/<int:person_id>/languages", methods=["GET", "POST"])
@role_required(*ROLES)
def person_languages(person_id: int):
    """The languages the person speaks, with levels, and the interpreter's language."""
    person = person_or_404(person_id)
    data = None
    if request.method == "GET":
        spoken = [{"code": lang.code, "level": lang.level} for lang in person.languages]
        data = {"languages": spoken + [{"code": "", "level": ""}] * (6 - len(spoken)),
                "interpreter": person.interpreter or "", "version": person.version_id}
    form = LanguagesForm(data=data)
    if form.is_submitted():
        rows = [(ops.resolve_language(entry.code.data), entry.level.data or None) for entry in form.languages]
        interpreter = ops.resolve_language(form.interpreter.data)
        _, ok = run(form, ops.set_languages, current_user, person, rows, interpreter, version=form.version_value)
        if ok:
            flash(gettext("Les langues sont enregistrées."), "success")
            return redirect(file_url(person, "entree"))
    audit_view(person, PAGES["form"])
    return render_template("persons/entry/languages.html", form=form, person=person,
                           common=languages.common(_locale()))


# ---------------------------------------------------------------- first interview

@bp.route("/<int:person_id>/first-interview", methods=["GET", "POST"])
@role_required(*ROLES)
def first_interview(person_id: int):
    """« Premier entretien réalisé le … »: an honoured first-interview appointment."""
    person = person_or_404(person_id)
    form = FirstInterviewForm()
    if form.is_submitted():
        _, ok = run(form, ops.record_first_interview, current_user, person, form.day.data, form.at_value)
        if ok:
            flash(gettext("Le premier entretien est enregistré."), "success")
            return redirect(file_url(person, "entree"))
    audit_view(person, PAGES["form"])
    return render_template("persons/entry/first_interview.html", form=form, person=person)


# ---------------------------------------------------------------- diagnostic and plan

def _current(person):
    """The open accompaniment held by my structure (the diagnostic and the plan are its own), else 404."""
    current = person.open_accompaniment
    if current is None or current.structure_id != current_user.structure_id:
        abort(404)
    return current


@bp.route("/<int:person_id>/diagnostic", methods=["GET", "POST"])
@role_required(*ROLES)
def diagnostic(person_id: int):
    """The diagnostic: date, and per area the need and a short text; a correction once recorded (reason)."""
    person_or_404(person_id)
    person = load_file(person_id)
    current = _current(person)
    data = None
    if request.method == "GET":
        data = {"diagnostic_on": current.diagnostic_on or paris_today(), "version": current.version_id}
        for row in current.diagnostic_areas:
            data[f"{row.area}_need"], data[f"{row.area}_text"] = row.need, row.text or ""
    form = DiagnosticForm(data=data)
    if form.is_submitted():
        areas = {a: (form[f"{a}_need"].data, form[f"{a}_text"].data) for a in AREAS}
        _, ok = run(form, ops.save_diagnostic, current_user, current, form.diagnostic_on.data, areas,
                    reason=form.correction_reason.data, version=form.version_value)
        if ok:
            flash(gettext("Le diagnostic est enregistré."), "success")
            return redirect(file_url(person, "entree"))
    audit_view(person, PAGES["form"])
    return render_template("persons/entry/diagnostic.html", form=form, person=person, current=current,
                           areas=AREAS, correcting=current.diagnostic_on is not None)


def link_label(key: str, fact) -> str:
    """What an objective's link shows: the fact and its state."""
    kind = key.split(":")[0]
    if kind == "right":
        return f"{label(fact.kind, 'right_kind')} — {label(fact.state, 'right_state')}"
    if kind == "housing":
        return f"{label(fact.kind, 'housing_step_kind')} — {format_date(fact.step_on)}"
    if kind == "referral":
        return f"{fact.programme.name} — {label(fact.state, 'referral_state')}"
    return f"{gettext('Formation')} {label(fact.level, 'training_level')} — {format_date(fact.start_on)}"


def _link_choices(person) -> list:
    return [("", gettext("Aucune"))] + [(key, link_label(key, fact))
                                         for key, fact in ops.link_choices(person).items()]


@bp.route("/<int:person_id>/objectives/new", methods=["GET", "POST"])
@bp.route("/<int:person_id>/objectives/<int:objective_id>", methods=["GET", "POST"])
@role_required(*ROLES)
def objective(person_id: int, objective_id: int | None = None):
    """Add an objective to the plan, or close / correct one (a correction says why)."""
    person_or_404(person_id)
    person = load_file(person_id)
    current = _current(person)
    item = None
    if objective_id is not None:
        item = db.session.get(PlanObjective, objective_id)
        if item is None or item.accompaniment_id != current.id:
            abort(404)
    data = None
    if request.method == "GET" and item is not None:
        data = {"area": item.area, "objective": item.objective, "due_on": item.due_on, "state": item.state,
                "closed_on": item.closed_on, "link": ops._objective_values(item)["link"] or "",
                "version": item.version_id}
    elif request.method == "GET":
        data = {"area": request.args.get("area", "") if request.args.get("area") in AREAS else ""}
    form = ObjectiveForm(data=data)
    form.link.choices = _link_choices(person)
    if form.is_submitted():
        if item is None:
            _, ok = run(form, ops.add_objective, current_user, current, form.values())
        else:
            _, ok = run(form, ops.update_objective, current_user, item, form.values(),
                        reason=form.correction_reason.data, version=form.version_value)
        if ok:
            flash(gettext("Le plan d'action est enregistré."), "success")
            return redirect(file_url(person, "entree"))
    audit_view(person, PAGES["form"])
    return render_template("persons/entry/objective.html", form=form, person=person, item=item)


def entry_url(person) -> str:
    return url_for("persons.show", person_id=person.id, _anchor="entree")


@bp.app_template_filter("language_name")
def language_name(code: str | None) -> str:
    """An ISO 639-3 code's name in the reader's language (every page: the file, the limited view, lists)."""
    return languages.name(code, _locale()) if code else "—"


@bp.app_template_global("entry_summary")
def entry_summary(person, today=None) -> dict:
    """What the file's « Parcours d'entrée » section shows: the timeline orientation → first interview →
    diagnostic → contract, and the action plan with its overdue objectives and the state of linked facts."""
    from agir.dates import add_months
    today = today or paris_today()
    accompaniment = person.open_accompaniment or (person.accompaniments[-1] if person.accompaniments else None)
    limit = add_months(person.oriented_on, 1) if person.oriented_on else None
    interviewed = ops.first_interview_on(person)
    facts = ops.link_choices(person)
    objectives = []
    for item in (accompaniment.plan if accompaniment else []):
        key = ops._objective_values(item)["link"]
        objectives.append({"item": item, "overdue": item.state == "open" and item.due_on is not None
                           and item.due_on < today,
                           "link": link_label(key, facts[key]) if key in facts else None})
    return {
        "accompaniment": accompaniment, "limit": limit, "interviewed": interviewed,
        "days": (interviewed - person.oriented_on).days if interviewed and person.oriented_on else None,
        "in_time": interviewed is not None and limit is not None and interviewed <= limit,
        "late_now": interviewed is None and limit is not None and today > limit,
        "days_late": (today - limit).days if limit and interviewed is None and today > limit else 0,
        "objectives": objectives, "overdue": sum(1 for o in objectives if o["overdue"]),
        "editable": accompaniment is not None and accompaniment.exit_on is None
        and accompaniment.structure_id == current_user.structure_id,
    }


def set_orientation_choices(form) -> None:
    """The new-person form's orientation structures: the holding structures of my department, mine first and
    chosen by default."""
    structure = current_user.structure
    if structure is None:
        return
    rows = list(db.session.scalars(select(Structure).where(
        Structure.department_id == structure.department_id,
        Structure.kind.in_(("agir_operator", "project_operator"))).order_by(Structure.name)))
    rows.sort(key=lambda s: s.id != structure.id)
    form.orientation_structure.choices = [(str(s.id), s.name) for s in rows]
    if not form.is_submitted():
        form.orientation_structure.data = str(structure.id)


def new_person_rules(form, person_rules):
    """Every refusal of the new-person form's rules: the person's (agir.rules.person) and the orientation's."""
    return lambda: list(person_rules()) + ops.new_orientation_violations(current_user, form.orientation())


@bp.app_template_global("overdue_objectives")
def overdue_objectives_global() -> dict:
    """The référent's inbox: the plan objectives past due (names shown: one audit entry)."""
    from agir.queries.entry import overdue_objectives
    if not access.can_edit_file(current_user) or not current_user.structure_id:
        return {"rows": [], "total": 0}
    today = paris_today()
    rows, total = overdue_objectives(current_user, today)
    if rows:
        audit_read("overdue_objectives_viewed", fields=("last_name", "first_name", "plan"),
                   detail=f"{len(rows)} objectifs affichés")
    return {"rows": [(item, person, (today - item.due_on).days) for item, person in rows], "total": total}
