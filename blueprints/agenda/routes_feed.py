"""The référent's personal calendar feed (issue 17 item 4): the panel that makes, shows once, regenerates and
revokes its secret URL, and the feed itself — /agenda/feed/<token>.ics, read by calendar applications without
signing in (they cannot), 404 for any token that does not open an enabled référent's feed."""
import hashlib
from datetime import UTC, datetime

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm

from agir.dates import PARIS
from agir.extensions import db
from agir.operations import appointments as appointment_ops
from agir.operations import calendar_feed as ops
from blueprints._helpers import role_required
from blueprints.agenda import bp
from blueprints.agenda.forms import KIND_LABELS, MODE_LABELS
from blueprints.agenda.routes import ROLES


class FeedForm(FlaskForm):
    """Make, regenerate or revoke the feed (a POST with its CSRF token, nothing else)."""


def _panel(token: str | None = None, status: int = 200):
    feed = ops.feed_of(current_user)
    url = url_for("agenda.feed", token=token, _external=True) if token else None
    response = make_response(render_template("agenda/feed.html", feed=feed, url=url, form=FeedForm()), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/feed")
@role_required(*ROLES)
def feed_panel():
    """Whether my feed exists, since when, when it was last read; the buttons to make, regenerate, revoke it."""
    return _panel()


@bp.post("/feed/new")
@role_required(*ROLES)
def feed_new():
    """Make (or regenerate) my feed's secret URL and show it once — never again: only its hash is kept."""
    form = FeedForm()
    if not form.validate():
        flash(gettext("Le formulaire a expiré : rechargez la page puis recommencez."), "error")
        return redirect(url_for("agenda.feed_panel"))
    token = ops.create_feed(current_user)
    db.session.commit()
    return _panel(token)


@bp.post("/feed/revoke")
@role_required(*ROLES)
def feed_revoke():
    """Revoke my feed: its URL answers 404 from now on."""
    form = FeedForm()
    if not form.validate():
        flash(gettext("Le formulaire a expiré : rechargez la page puis recommencez."), "error")
        return redirect(url_for("agenda.feed_panel"))
    if ops.revoke_feed(current_user):
        db.session.commit()
        flash(gettext("Le lien de votre agenda est révoqué : les applications qui le lisaient ne reçoivent plus "
                      "rien."), "success")
    return redirect(url_for("agenda.feed_panel"))


def uid_domain() -> str:
    """The right-hand side of the events' UIDs: the same whatever name the server was reached by (a calendar that
    saw two host names would otherwise show every appointment twice): AGIR_CALENDAR_UID_DOMAIN, else SERVER_NAME,
    else « agir »."""
    config = current_app.config
    return (config.get("CALENDAR_UID_DOMAIN") or config.get("SERVER_NAME") or "agir").split(":")[0]


@bp.app_template_filter("utc_to_paris")
def utc_to_paris(moment: datetime | None) -> datetime | None:
    """A stored UTC time (naive) as the wall-clock time in Paris."""
    return moment.replace(tzinfo=UTC).astimezone(PARIS).replace(tzinfo=None) if moment else None


def _describe(appointment) -> str:
    return f"{gettext(KIND_LABELS.get(appointment.kind, appointment.kind))} · " \
           f"{gettext(MODE_LABELS.get(appointment.mode, appointment.mode))}"


@bp.get("/feed/<token>.ics")
def feed(token: str):
    """The iCalendar feed (no session: the secret URL is the key). ETag: an unchanged feed answers 304."""
    found = ops.user_of_token(token)
    if found is None:
        abort(404)
    user, feed = found
    body = ops.read_feed(user, feed, appointment_ops.paris_now(), uid_domain(),
                         lambda person_id: url_for("agenda.person", person_id=person_id, _external=True),
                         _describe)
    db.session.commit()
    # DTSTAMP changes at every reading: the ETag is taken on the events without it.
    etag = hashlib.sha256(b"\n".join(line for line in body.splitlines() if not line.startswith(b"DTSTAMP"))
                          ).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        response = make_response(body)
        response.headers["Content-Type"] = "text/calendar; charset=utf-8"
        response.headers["Content-Disposition"] = 'inline; filename="agir.ics"'
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
