"""Admin space: overview and accounts (list, create, disable/enable, reset password). Never a person's file."""
from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from agir import access
from agir.audit import trail as audit_trail
from agir.errors import RuleViolation
from agir.extensions import db
from agir.operations.users import (
    ADMIN_ON_SERVER,
    change_attachment,
    create_user,
    disable_user,
    enable_user,
    generate_password,
    reset_password,
    set_display_name,
)
from blueprints._helpers import role_required, validate_with_rules
from blueprints.admin import bp
from blueprints.admin.common import ADMIN, int_or_none, page_args, paginate, show_violation
from blueprints.admin.forms import (
    ActionForm,
    UserAttachmentForm,
    UserCreateForm,
    UserFilterForm,
    department_choices,
    structure_choices,
)
from models import AuditEntry, Department, LoginThrottle, Region, Structure, User
from models.base import utcnow


@bp.get("/")
@role_required(*ADMIN)
def index():
    """Overview: accounts by role, reference data, recent failed logins (all counted in SQL)."""
    now = utcnow()
    by_role = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    counts = {
        "disabled": db.session.scalar(select(func.count()).select_from(User).where(User.is_enabled.is_(False))),
        "structures": db.session.scalar(select(func.count()).select_from(Structure)),
        "departments": db.session.scalar(select(func.count()).select_from(Department)),
        "failed_logins": db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "login_failed", AuditEntry.at >= now - timedelta(days=1))),
        "locked": db.session.scalar(select(func.count()).select_from(LoginThrottle).where(
            LoginThrottle.locked_until > now)),
    }
    from agir import oidc
    return render_template("admin/index.html", by_role=by_role, counts=counts,
                           proconnect_configured=oidc.configured())


def _filtered_users(form: UserFilterForm):
    query = select(User).options(selectinload(User.structure), selectinload(User.department),
                                 selectinload(User.region))
    if form.q.data:
        query = query.where(func.lower(User.email).contains(form.q.data.strip().lower(), autoescape=True))
    if form.role.data:
        query = query.where(User.role == form.role.data)
    if structure_id := int_or_none(form.structure.data):
        query = query.where(User.structure_id == structure_id)
    if department_id := int_or_none(form.department.data):
        in_structure = select(Structure.id).where(Structure.department_id == department_id)
        query = query.where(or_(User.department_id == department_id, User.structure_id.in_(in_structure)))
    if form.state.data in ("enabled", "disabled"):
        query = query.where(User.is_enabled.is_(form.state.data == "enabled"))
    return query.order_by(User.email)


@bp.get("/users/")
@role_required(*ADMIN)
def users():
    """Accounts, filtered and paginated."""
    form = UserFilterForm(request.args)
    form.structure.choices = structure_choices(gettext("Toutes les structures"))
    form.department.choices = department_choices(gettext("Tous les départements"))
    form.validate()
    return render_template("admin/users.html", form=form, pagination=paginate(_filtered_users(form)),
                           args=page_args())


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(*ADMIN)
def user_new():
    """Create an account; its provisional password is shown once."""
    form = UserCreateForm()
    structure = db.session.get(Structure, int_or_none(form.structure.data) or 0)
    department = db.session.get(Department, int_or_none(form.department.data) or 0)
    region = db.session.get(Region, int_or_none(form.region.data) or 0)
    password = generate_password()

    def create():
        return create_user(form.email.data or "", form.role.data, password,
                           structure_ref=structure.ref if structure else None,
                           department_code=department.code if department else None, actor=current_user,
                           provisional=True, display_name=form.display_name.data,
                           region_code=region.code if region else None)
    # Every error at once: the rule checks run even when a field failed.
    if form.is_submitted() and validate_with_rules(form, show_violation, create):
        try:
            user = create()
        except RuleViolation as exc:
            db.session.rollback()
            for violation in getattr(exc, "violations", None) or [exc]:  # every broken rule at once
                show_violation(form, violation)
        else:
            db.session.commit()
            return render_template("admin/user_password.html", user=user, password=password, created=True)
    return render_template("admin/user_form.html", form=form)


def _user_or_404(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _refused(account: User, exc: RuleViolation):
    """An action the operation refused: its French message; refused outright (403, on the account's page)
    when it touches another administrator's account."""
    db.session.rollback()
    flash(str(exc.message), "error")
    if exc.code == "admin_on_admin":
        return user(account.id), 403
    return redirect(url_for("admin.user", user_id=account.id))


@bp.get("/users/<int:user_id>")
@role_required(*ADMIN)
def user(user_id: int):
    """One account: attachment, state, last actions; buttons to disable/enable and reset the password."""
    account = _user_or_404(user_id)
    recent = db.session.scalars(select(AuditEntry).where(AuditEntry.user_id == account.id)
                                .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(10)).all()
    return render_template("admin/user.html", account=account, recent=recent, action_form=ActionForm(),
                           action_label=audit_trail.action_label)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(*ADMIN)
def user_edit(user_id: int):
    """Change an account's role or attachment; its sessions end (what it may see changes)."""
    account = _user_or_404(user_id)
    if access.is_admin(account):
        flash(gettext(ADMIN_ON_SERVER), "error")
        return redirect(url_for("admin.user", user_id=user_id))
    # As on the creation form, the department is the pilot's: a structure's staff take their structure's.
    department_id = account.department_id if access.sees_aggregates(account) else None
    form = UserAttachmentForm(data={"role": account.role, "structure": str(account.structure_id or ""),
                                    "department": str(department_id or ""), "display_name": account.display_name,
                                    "region": str(account.region_id or "")}
                              if request.method == "GET" else None)
    structure = db.session.get(Structure, int_or_none(form.structure.data) or 0)
    department = db.session.get(Department, int_or_none(form.department.data) or 0)
    region = db.session.get(Region, int_or_none(form.region.data) or 0)

    def change():
        renamed = set_display_name(current_user, account, form.display_name.data)
        return change_attachment(current_user, account, form.role.data, structure.ref if structure else None,
                                 department.code if department else None, region.code if region else None) \
            or (["display_name"] if renamed else [])
    if form.is_submitted() and validate_with_rules(form, show_violation, change):
        try:
            changed = change()
        except RuleViolation as exc:
            db.session.rollback()
            for violation in getattr(exc, "violations", None) or [exc]:  # every broken rule at once
                show_violation(form, violation)
        else:
            db.session.commit()
            if changed == ["display_name"]:
                flash(gettext("Le nom affiché de %(email)s est enregistré.", email=account.email), "success")
            elif changed:
                flash(gettext("Le compte %(email)s est modifié ; ses sessions ont été fermées.",
                              email=account.email), "success")
            else:
                flash(gettext("Aucune modification."), "info")
            return redirect(url_for("admin.user", user_id=user_id))
    return render_template("admin/user_edit.html", form=form, account=account)


@bp.post("/users/<int:user_id>/disable")
@role_required(*ADMIN)
def user_disable(user_id: int):
    """Disable the account: its sessions end at once."""
    account = _user_or_404(user_id)
    try:
        disable_user(current_user, account)
    except RuleViolation as exc:
        return _refused(account, exc)
    db.session.commit()
    flash(gettext("Le compte %(email)s est désactivé ; ses sessions ont été fermées.", email=account.email), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/enable")
@role_required(*ADMIN)
def user_enable(user_id: int):
    """Enable the account again."""
    account = _user_or_404(user_id)
    try:
        enable_user(current_user, account)
    except RuleViolation as exc:
        return _refused(account, exc)
    db.session.commit()
    flash(gettext("Le compte %(email)s est réactivé.", email=account.email), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/password")
@role_required(*ADMIN)
def user_password(user_id: int):
    """Give the account a new provisional password (shown once); its sessions end."""
    account = _user_or_404(user_id)
    try:
        password = reset_password(current_user, account)
    except RuleViolation as exc:
        return _refused(account, exc)
    db.session.commit()
    return render_template("admin/user_password.html", user=account, password=password, created=False)


@bp.post("/users/<int:user_id>/totp-reset")
@role_required(*ADMIN)
def user_totp_reset(user_id: int):
    """Remove the account's second factor (lost phone): its sessions end; it enrols a new one at its next sign-in."""
    from agir.operations.totp import reset_totp
    account = _user_or_404(user_id)
    try:
        reset_totp(current_user, account)
    except RuleViolation as exc:
        return _refused(account, exc)
    db.session.commit()
    flash(gettext("La double authentification de %(email)s est réinitialisée ; ses sessions ont été fermées.",
                  email=account.email), "success")
    return redirect(url_for("admin.user", user_id=user_id))
