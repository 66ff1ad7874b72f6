"""The engagement contract (SPEC §4.5): its page on the accompaniment (print, record the signature, correct or
cancel it with a reason) and its PDF, French and the person's language side by side."""
from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField

from agir import contract
from agir import languages as iso
from agir.contract.catalogue import FRENCH_NAMES, catalogue
from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import lazy_gettext as _l
from agir.operations import contract as ops
from agir.safe_files import content_disposition
from blueprints._helpers import person_or_404, role_required
from blueprints.persons import bp
from blueprints.persons.common import ROLES, audit_view, commit, submit
from blueprints.persons.forms import VersionedForm, _correction_reason, _date
from blueprints.persons.presenters import PAGES
from models import Accompaniment

ENGLISH_NAMES = {"arb": "Arabic", "pus": "Pashto"}  # ISO 639-3 says « Standard Arabic », « Pushto »


def _name(code: str) -> str:
    """A contract language's name as the reader expects it (« Arabe », « Pachto »; "Arabic", "Pashto")."""
    locale = str(get_locale() or "fr")
    if locale.startswith("en"):
        return ENGLISH_NAMES.get(code) or iso.name(code, "en")
    french = FRENCH_NAMES.get(code) or ("français" if code == "fra" else None)
    return french.capitalize() if french else iso.name(code, locale)


def _language_choices():
    return [("", gettext("— Choisir —"))] + [(code, _name(code)) for code in ops.SIGNATURE_LANGUAGES]


class SignatureForm(VersionedForm):
    """The contract's signature: the day and the language of the version signed."""

    signed_on = _date(_l("Date de signature"), _l("La date de signature est obligatoire."))
    language = SelectField(_l("Langue du contrat signé (avec le français)"), validate_choice=False)


class SignatureCorrectionForm(SignatureForm):
    """Correct the recorded signature, and why."""

    correction_reason = _correction_reason()


class SignatureCancelForm(VersionedForm):
    correction_reason = _correction_reason(_l("Motif de l'annulation"))


class PrintForm(FlaskForm):
    """The language of the PDF's second column (a GET form: no token)."""

    class Meta:
        csrf = False

    lang = SelectField(_l("Langue à côté du français"), validate_choice=False)


def _accompaniment_or_404(person, accompaniment_id: int) -> Accompaniment:
    accompaniment = db.session.get(Accompaniment, accompaniment_id)
    if accompaniment is None or accompaniment.person_id != person.id:
        abort(404)
    return accompaniment


def _save(form, operation, *args, **kwargs):
    """submit(), with every violation the operation found at once, each next to its field."""
    found: list[RuleViolation] = []

    def run(*a, **k):
        try:
            return operation(*a, **k)
        except RuleViolation as exc:
            found[:] = getattr(exc, "violations", [exc])
            raise
    return submit(form, run, *args, also=lambda: list(found), **kwargs)


def _reviews() -> list[dict]:
    """Each language of the PDF and who reviewed its translation (docs/translations.md)."""
    return [{"code": code, "name": _name(code), "reviewed_by": catalogue(code).reviewed_by}
            for code in contract.LANGUAGES]


def _page(person, accompaniment, form, cancel_form, status=200):
    audit_view(person, PAGES["form"])
    print_form = PrintForm(formdata=None, data={"lang": contract.contract_language(accompaniment)})
    print_form.lang.choices = [(code, _name(code)) for code in contract.LANGUAGES]
    return render_template("persons/contract.html", person=person, accompaniment=accompaniment, form=form,
                           cancel_form=cancel_form, print_form=print_form, reviews=_reviews(),
                           language_name=lambda code: _name(code) if code else ""), status


@bp.route("/<int:person_id>/accompaniments/<int:accompaniment_id>/contract", methods=["GET", "POST"])
@role_required(*ROLES)
def contract_page(person_id: int, accompaniment_id: int):
    """Print the contract; record its signature, or correct the recorded one (with a reason)."""
    person = person_or_404(person_id)
    accompaniment = _accompaniment_or_404(person, accompaniment_id)
    signed = accompaniment.contract_signed_on is not None
    form_class = SignatureCorrectionForm if signed else SignatureForm
    if request.method == "GET":
        data: dict[str, object] = {"version": accompaniment.version_id}
        if signed:
            data.update(signed_on=accompaniment.contract_signed_on, language=accompaniment.contract_language)
        else:
            data["language"] = contract.contract_language(accompaniment)
        form = form_class(prefix="contract", data=data)
    else:
        form = form_class(prefix="contract")
    form.language.choices = _language_choices()
    cancel_form = SignatureCancelForm(prefix="cancel", formdata=None, data={"version": accompaniment.version_id})
    if form.is_submitted():
        if signed:
            _, ok = _save(form, ops.correct_signature, current_user, accompaniment, form.signed_on.data,
                          form.language.data or None, form.correction_reason.data, version=form.version_value)
        else:
            _, ok = _save(form, ops.record_signature, current_user, accompaniment, form.signed_on.data,
                          form.language.data or None, version=form.version_value)
        if ok:
            flash(gettext("La signature du contrat est enregistrée."), "success")
            return redirect(url_for("persons.contract_page", person_id=person.id, accompaniment_id=accompaniment.id))
    return _page(person, accompaniment, form, cancel_form)


@bp.route("/<int:person_id>/accompaniments/<int:accompaniment_id>/contract/cancel", methods=["POST"])
@role_required(*ROLES)
def contract_cancel(person_id: int, accompaniment_id: int):
    """Remove a signature recorded by mistake (with a reason)."""
    person = person_or_404(person_id)
    accompaniment = _accompaniment_or_404(person, accompaniment_id)
    cancel_form = SignatureCancelForm(prefix="cancel")
    _, ok = _save(cancel_form, ops.cancel_signature, current_user, accompaniment,
                  cancel_form.correction_reason.data, version=cancel_form.version_value)
    if ok:
        flash(gettext("La signature du contrat est annulée."), "success")
        return redirect(url_for("persons.contract_page", person_id=person.id, accompaniment_id=accompaniment.id))
    form = SignatureCorrectionForm(prefix="contract", formdata=None, data={
        "version": accompaniment.version_id, "signed_on": accompaniment.contract_signed_on,
        "language": accompaniment.contract_language})
    form.language.choices = _language_choices()
    return _page(person, accompaniment, form, cancel_form)


@bp.route("/<int:person_id>/accompaniments/<int:accompaniment_id>/contract.pdf")
@role_required(*ROLES)
def contract_pdf(person_id: int, accompaniment_id: int):
    """The contract's PDF (an attachment); `lang` chooses the second column (default: the person's)."""
    person = person_or_404(person_id)
    accompaniment = _accompaniment_or_404(person, accompaniment_id)
    lang = request.args.get("lang") or None
    if lang is not None and lang not in contract.LANGUAGES:
        abort(404)
    try:
        pdf, code = ops.generate_contract(current_user, accompaniment, current_app.config.get("CONTRACT_FONT_DIR"),
                                          lang)
    except contract.FontsMissing as exc:
        db.session.rollback()
        audit_view(person, PAGES["form"])
        return render_template("persons/contract_unavailable.html", person=person, accompaniment=accompaniment,
                               files=exc.files, package=exc.package), 503
    commit()
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    name = f"contrat-engagement-{person.last_name}-{person.first_name}-fra-{code}.pdf"
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Cache-Control"] = "no-store"
    return response
