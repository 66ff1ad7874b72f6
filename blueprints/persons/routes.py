"""My persons, a new person, the live eligibility verdict, the file, identity, household, summary, history."""
from datetime import date

from flask import current_app, flash, jsonify, redirect, render_template, request
from flask_babel import gettext
from flask_login import current_user

from agir.audit import trail as audit_trail
from agir.dates import parse_iso
from agir.dates import today as paris_today
from agir.i18n import format_date
from agir.operations import entry as entry_ops
from agir.operations import persons as ops
from agir.operations.accompaniments import proposed_planned_end
from agir.queries import persons as queries
from agir.rules import durations
from agir.rules.eligibility import check_eligibility, eligibility_closing_on, within_referral_window
from blueprints._helpers import attach_more, check_rules_too, int_arg, person_or_404, role_required
from blueprints.persons import bp
from blueprints.persons.common import (
    ROLES,
    apply,
    attach_error,
    audit_read,
    audit_view,
    file_url,
    person_rules,
    submit,
)
from blueprints.persons.file import file_context, load_file
from blueprints.persons.forms import FilterForm, HouseholdForm, NewPersonForm, PersonForm
from blueprints.persons.presenters import PAGES, history_rows
from blueprints.persons.routes_duplicates import duplicates_cleared
from blueprints.persons.routes_entry import new_person_rules, set_orientation_choices
from models.enums import ALERT_KINDS, BPI_STATUSES

LIST_FIELDS = ("last_name", "first_name", "ref", "accompaniment")  # what a row of the persons list shows


@bp.get("/")
@role_required(*ROLES)
def index():
    """The persons of my structure: search, filters, sort, pages; each row with its clock and what is pending."""
    form = FilterForm(formdata=request.args)  # not validated: unknown values fall back to no filter
    filters = queries.PersonFilters(
        q=(form.q.data or "").strip()[:100],
        accompaniment=form.accompaniment.data if form.accompaniment.data in queries.ACCOMPANIMENT_FILTERS else "",
        priority=form.priority.data == "1",
        alert=form.alert.data if form.alert.data in ("any",) + ALERT_KINDS else "",
        end_before=form.end_before.data,
        sort=form.sort.data if form.sort.data in queries.SORTS else "name",
        descending=form.dir.data == "desc",
    )
    page = queries.persons_page(current_user, filters, int_arg("page", 1),
                                current_app.config.get("PER_PAGE", 25), paris_today())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    if page.rows:  # names on screen: one audit entry per page shown (what was searched is not kept)
        audit_read("persons_list_viewed", fields=LIST_FIELDS,
                   detail=f"{len(page.rows)} dossiers affichés, page {page.page}"
                   + (" (recherche)" if filters.q else ""))
    return render_template("persons/index.html", form=form, page=page, args=args, filters=filters)


def _household_or_error(form):
    """The household to join, from its ref among my persons (None = a new one); False when not found."""
    if form.household_choice.data != "join":
        return None
    household = queries.household_for(current_user, form.household_ref.data)
    if household is None:
        form.household_ref.errors = [gettext("Choisissez un ménage dans la liste (référence H-… d'une personne "
                                             "que vous suivez).")]
        return False
    return household


@bp.route("/new", methods=["GET", "POST"])
@role_required(*ROLES)
def new():
    """Open a file: identity, status and dates, household; the eligibility verdict appears as dates are typed."""
    form = NewPersonForm()
    if request.method == "GET" and request.args.get("household"):
        form.household_choice.data, form.household_ref.data = "join", request.args["household"]
    set_orientation_choices(form)  # the orientation that brought the person (routes_entry)
    if form.is_submitted():
        valid = form.validate()  # every error at once: the rule checks run even when a field failed
        household = _household_or_error(form)
        also = new_person_rules(form, person_rules(form.values()))
        if not valid or household is False:
            check_rules_too(form, attach_error, entry_ops.create_oriented_person, current_user, form.values(),
                            household=household or None, orientation=form.orientation(), also=also)
        elif duplicates_cleared(form):  # probable duplicates are shown first (SPEC §4.8)
            person, ok = apply(form, entry_ops.create_oriented_person, current_user, form.values(),
                               household=household, orientation=form.orientation())
            if not ok:
                attach_more(form, attach_error, also())
            if ok:
                flash(gettext("Le dossier de %(name)s est créé.", name=person.full_name), "success")
                return redirect(file_url(person, "accompagnement"))
    households = queries.visible_households(current_user, form.household_ref.data or "")
    return render_template("persons/new.html", form=form, households=households)


def _date_arg(name: str) -> date | None:
    try:
        return parse_iso(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/eligibility")
@role_required(*ROLES)
def eligibility():
    """JSON verdict for the dates being typed: eligible or not with reasons, priority, planned-end proposal."""
    structure = current_user.structure
    status = request.args.get("status") or ""
    if structure is None:
        return jsonify(complete=False, message=gettext("Votre compte n'est rattaché à aucune structure."))
    department = structure.department
    protection_on = _date_arg("protection_on")
    on = _date_arg("on") or paris_today()
    if not status:
        return jsonify(complete=False, message=gettext("Indiquez le statut pour connaître l'éligibilité."))
    verdict = check_eligibility(status=status, protection_on=protection_on, on=on, structure_kind=structure.kind,
                                agir_start=department.agir_start_on,
                                prior_programme=(request.args.get("prior_programme") or "").strip() or None)
    reference_on = protection_on if status in BPI_STATUSES else _date_arg("first_permit_on")
    low, high = durations.planned_end_bounds(on, department.max_months)
    proposal = proposed_planned_end(on, department.max_months)
    closing = eligibility_closing_on(protection_on) if status in BPI_STATUSES and protection_on else None
    return jsonify(
        complete=True, eligible=verdict.eligible, kind=verdict.kind,
        # Completes a French sentence of persons.js (the live verdict is French-only, see docs/rules.md).
        kind_label={"agir": gettext("un accompagnement AGIR"),
                    "project": gettext("un projet structurant")}.get(verdict.kind, ""),
        on=on.isoformat(), on_fr=format_date(on), priority=verdict.priority,
        reasons=[str(r.message) for r in verdict.reasons], warnings=[str(w.message) for w in verdict.warnings],
        agir_until_fr=format_date(closing) if closing and verdict.kind == "agir" else None,
        referral_window=within_referral_window(reference_on, on) if reference_on else None,
        planned_end=proposal.isoformat(), planned_end_fr=format_date(proposal),
        min_end=low.isoformat(), min_end_fr=format_date(low), max_end=high.isoformat(),
        max_end_fr=format_date(high), max_months=department.max_months,
    )


@bp.get("/<int:person_id>")
@role_required(*ROLES)
def show(person_id: int):
    """The file: identity, household, accompaniment, rights, housing, employment, referrals, events, notes, timeline."""
    person_or_404(person_id)
    person = load_file(person_id)
    audit_view(person, PAGES["file"])
    return render_template("persons/show.html", **file_context(person, paris_today()))


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@role_required(*ROLES)
def edit(person_id: int):
    """Identity, status, dates, hosting, language level, contact (with the version seen)."""
    person = person_or_404(person_id)
    form = PersonForm(obj=person, data={"version": person.version_id} if request.method == "GET" else None)
    if form.is_submitted():
        _, ok = submit(form, ops.update_person, current_user, person, form.values(), version=form.version_value,
                       also=person_rules(form.values()))
        if ok:
            flash(gettext("L'identité est enregistrée."), "success")
            return redirect(file_url(person, "identite"))
    audit_view(person, PAGES["form"])  # a form shown again after a refused POST is a read too
    return render_template("persons/edit.html", form=form, person=person)


@bp.route("/<int:person_id>/household", methods=["GET", "POST"])
@role_required(*ROLES)
def household(person_id: int):
    """Join another household, or form one of one's own."""
    person = person_or_404(person_id)
    form = HouseholdForm(data={"version": person.version_id} if request.method == "GET" else None)
    if form.is_submitted():
        valid = form.validate()
        target = _household_or_error(form)
        if not valid or target is False:
            if target is not False:
                check_rules_too(form, attach_error, ops.change_household, current_user, person, target,
                                version=form.version_value)
        else:
            _, ok = apply(form, ops.change_household, current_user, person, target, version=form.version_value)
            if ok:
                flash(gettext("Le ménage est enregistré."), "success")
                return redirect(file_url(person, "identite"))
    audit_view(person, PAGES["form"])  # a form shown again after a refused POST is a read too
    households = [h for h in queries.visible_households(current_user, form.household_ref.data or "")
                  if h[0] != (person.household.ref if person.household else None)]
    return render_template("persons/household.html", form=form, person=person, households=households)


@bp.get("/<int:person_id>/summary")
@role_required(*ROLES)
def summary(person_id: int):
    """A printable summary of the path (no notes)."""
    person_or_404(person_id)
    person = load_file(person_id)
    audit_view(person, PAGES["summary"])
    return render_template("persons/summary.html", **file_context(person, paris_today(), forms=False))


@bp.get("/<int:person_id>/history")
@role_required(*ROLES)
def history(person_id: int):
    """Who changed this file, when, what (corrections with their reason and values); the consultations too
    with ?consultations=1."""
    person = person_or_404(person_id)
    page = max(1, int_arg("page", 1))
    per_page = 50
    with_views = request.args.get("consultations") == "1"
    rows, total = audit_trail.person_history(person.id, with_views=with_views, limit=per_page,
                                             offset=(page - 1) * per_page)
    audit_view(person, PAGES["history"])
    return render_template("persons/history.html", person=person, entries=history_rows(rows), page=page,
                           pages=max(1, -(-total // per_page)), total=total, with_views=with_views)

