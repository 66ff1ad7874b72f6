"""Builders for the referral tests (referrals in a given state, participations, events)."""
from datetime import date, timedelta

from agir.extensions import db
from agir.rules.path import REFERRAL_PATHS
from models import Referral
from tests import factories

# The steps of each state, one week apart from the sending date.
STEP_GAP = timedelta(days=7)


def make_referral(person, programme, state="sent", sender=None, sent_on=date(2022, 9, 1), need="Cours de français",
                  **kw):
    """A referral already in `state`, every step of its path dated one week after the previous one."""
    r = Referral(person=person, programme=programme, sender_structure=sender, need=need, state=state, **kw)
    for i, step in enumerate(REFERRAL_PATHS[state]):
        setattr(r, f"{step}_on", sent_on + i * STEP_GAP)
    if state == "refused":
        r.refusal_reason = kw.get("refusal_reason", "Complet")
    db.session.add(r)
    db.session.flush()
    return r


def client_for(app, email):
    """A fresh test client signed in as `email` through the real login form."""
    c = app.test_client()
    resp = factories.login(c, email)
    assert resp.status_code == 302, "login failed"
    return c


def html(resp) -> str:
    """The body of a response as text."""
    return resp.get_data(as_text=True)
