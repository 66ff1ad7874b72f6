"""The alerts inbox (/alerts/): a social worker's open alerts, a referral officer's unanswered referrals."""
from datetime import timedelta
from math import ceil
from zoneinfo import ZoneInfo

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, select

from agir import jobs
from agir.extensions import db
from agir.i18n import format_date
from agir.jobs import last_run_at, paris_today
from agir.operations.users import set_digest
from agir.queries import inbox as queries
from blueprints._helpers import audit_event, int_arg, role_required
from blueprints.alerts import bp, presenters
from models import Alert
from models.base import utcnow

ROLES = ("social_worker", "referral_officer")
PARIS = ZoneInfo("Europe/Paris")
REFRESH_PAUSE = timedelta(minutes=5)


def _page_of(stmt, page: int, per_page: int):
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, ceil(total / per_page))
    page = max(1, min(page, pages))
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total, page, pages


def _last_run_text() -> str | None:
    at = last_run_at()
    if at is None:  # synced without the job (demo data): the last day an alert was seen
        seen = db.session.scalar(select(func.max(Alert.last_seen_on)))
        return format_date(seen) if seen else None
    local = at.replace(tzinfo=ZoneInfo("UTC")).astimezone(PARIS)
    return gettext("%(day)s à %(time)s", day=format_date(local), time=f"{local:%H:%M}")


@bp.get("/")
@role_required(*ROLES)
def index():
    """Open alerts of my structure, filtered by kind, longest-due first, each with its action and link."""
    kinds = queries.kinds_for(current_user)
    kind = request.args.get("kind") if request.args.get("kind") in kinds else None
    counts = queries.inbox_counts(db.session, current_user)
    rows, total, page, pages = _page_of(queries.inbox_query(current_user, kind),
                                        int_arg("page", 1), current_app.config["PER_PAGE"])
    today, role = paris_today(), current_user.role
    subjects = queries.subjects_of(db.session, [a for a, _ in rows])
    items = [{"alert": a, "person": p, "situation": presenters.situation(a, today, subjects.get(a.subject_key)),
              "action": presenters.action(a, role), "link": presenters.link(a, role),
              "person_href": presenters.person_href(p.id, role)} for a, p in rows]
    referrals = queries.referrals_of(db.session, [a for a, _ in rows])
    if items:  # names on screen: one audit entry per page shown
        audit_event("alerts_viewed", fields=["last_name", "first_name", "alerts"],
                    detail=f"{len(items)} alertes affichées, page {page}")
        db.session.commit()
    return render_template("alerts/index.html", items=items, total=total, page=page, pages=pages, kind=kind,
                           kinds=kinds, counts=counts, referrals=referrals, last_run=_last_run_text())


@bp.post("/refresh")
@role_required(*ROLES)
def refresh():
    """Recompute the alerts now (SPEC §4.4: "and on demand"), at most once every five minutes."""
    at = last_run_at()
    if at is not None and utcnow() - at < REFRESH_PAUSE:
        flash(gettext("Les alertes viennent d'être recalculées : réessayez dans quelques minutes."), "info")
    elif jobs.run_alerts() is None:
        flash(gettext("Le calcul des alertes est déjà en cours : rechargez la page dans un instant."), "info")
    else:
        flash(gettext("Les alertes ont été recalculées."), "success")
    return redirect(url_for("alerts.index", kind=request.form.get("kind") or None))


@bp.post("/digest")
@role_required(*ROLES)
def digest():
    """Subscribe to, or leave, the daily e-mail digest (also offered on the account page)."""
    wants = request.form.get("wants_digest") == "1"
    set_digest(current_user._get_current_object(), wants)
    db.session.commit()
    flash(gettext("Vous recevrez chaque matin le récapitulatif de vos alertes par courriel.") if wants
          else gettext("Vous ne recevrez plus le récapitulatif quotidien."), "success")
    return redirect(url_for("alerts.index"))


@bp.app_context_processor
def _badge():
    # A callable, so that the count is queried only where the header badge is rendered.
    def alerts_badge_count() -> int:
        if not current_user.is_authenticated or not queries.kinds_for(current_user):
            return 0
        return queries.kept_badge_count(db.session, current_user)
    return {"alerts_badge_count": alerts_badge_count}

