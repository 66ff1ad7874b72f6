"""Department settings and personal API tokens of the pilot."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from agir.errors import RuleViolation
from agir.operations.api_tokens import TOKEN_ROLES, create_api_token, revoke_api_token, tokens_of
from agir.operations.reference import update_department
from blueprints._helpers import client_ip, role_required
from blueprints.pilot import bp
from blueprints.pilot.cache import forget_department
from blueprints.pilot.common import ROLES, commit, pilot_department, submit
from blueprints.pilot.forms import DepartmentSettingsForm, TokenForm


@bp.route("/settings", methods=["GET", "POST"])
@role_required(*ROLES)
def settings():
    """AGIR start date, wave and max_months of the pilot's department (optimistic version check)."""
    department = pilot_department()
    form = DepartmentSettingsForm()
    if not _posted():
        form.agir_start_on.data = department.agir_start_on
        form.agir_wave.data = str(department.agir_wave or "")
        form.max_months.data = department.max_months
        form.version_id.data = department.version_id
    if form.is_submitted():
        _, ok = submit(form, update_department, current_user, department, _int(form.version_id.data),
                      department.name, form.agir_start_on.data, _int(form.agir_wave.data), form.max_months.data)
        if ok:
            forget_department(department.id)  # its dashboard figures depend on max_months
            flash(gettext("Les paramètres du département sont enregistrés."), "success")
            return redirect(url_for("pilot.settings"))
    return render_template("pilot/settings.html", department=department, form=form)


def _posted() -> bool:
    return request.method == "POST"


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@bp.route("/tokens", methods=["GET", "POST"])
@role_required(*TOKEN_ROLES)
def tokens():
    """The pilot's API tokens; a new one is shown once, right after its creation."""
    form = TokenForm()
    created = None
    if form.is_submitted():
        result, ok = submit(form, create_api_token, current_user, form.name.data, client_ip())
        if ok:
            created = result[1]
            form = TokenForm(formdata=None)
    return render_template("pilot/tokens.html", form=form, created=created, tokens=tokens_of(current_user))


@bp.post("/tokens/<int:token_id>/revoke")
@role_required(*TOKEN_ROLES)
def revoke_token(token_id: int):
    """Revoke one of the pilot's tokens."""
    try:
        revoke_api_token(current_user, token_id, client_ip())
        commit()
        flash(gettext("Le jeton est révoqué : il ne donne plus accès à l'API."), "success")
    except RuleViolation as exc:
        flash(str(exc.message), "error")
    return redirect(url_for("pilot.tokens"))
