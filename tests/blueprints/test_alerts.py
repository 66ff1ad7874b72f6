"""The alerts inbox /alerts/ and the header badge: who sees what, filters, pages, links, digest opt-in."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from agir import jobs
from agir.extensions import db
from models import Alert, User
from tests import factories
from tests.jobs import scenario


@pytest.fixture
def alerted(world):
    """The scenario's alerts, synced on its day (social worker of S-AGIR, another of S-OTHER, officer of S-LANG)."""
    people = scenario.build(world)
    jobs.run_alerts(scenario.AS_OF)
    return people


def _rows(html):
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


@pytest.mark.parametrize("email, status", [
    ("pilot@example.fr", 403), ("admin@example.fr", 403),
])
def test_other_roles_are_refused(client, world, email, status):
    factories.login(client, email)
    assert client.get("/alerts/").status_code == status


def test_anonymous_is_sent_to_login(client, world):
    response = client.get("/alerts/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_social_worker_sees_the_open_alerts_of_their_structure_only(client, alerted):
    factories.login(client, "sw@example.fr")
    html = client.get("/alerts/").get_data(as_text=True)
    assert len(_rows(html)) == 8  # every alert of S-AGIR; P-H has no structure, P-X is S-OTHER's
    for name in ("ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO", "FOXTROT", "GOLF"):
        assert name in html
    assert "XRAY" not in html and "HOTEL" not in html
    assert "Fin prévue dépassée depuis le 30/04/2023" in html
    assert "Enregistrer le suivi à 6 mois" in html
    assert "Programme : Français pour tous" in html  # two referrals of a day stay distinguishable
    assert f'href="/persons/{alerted.b.id}"' in html
    assert f'href="/referrals/{alerted.d_referral.id}"' in html


def test_the_other_structure_sees_its_own_alert_and_nothing_else(client, alerted):
    factories.login(client, "sw-other@example.fr")
    html = client.get("/alerts/").get_data(as_text=True)
    rows = _rows(html)
    assert len(rows) == 1 and "XRAY" in rows[0] and "Dossier inactif" in rows[0]


def test_an_alert_of_a_person_not_visible_is_never_shown(client, alerted):
    # Even if a row were (wrongly) filed for S-OTHER about a person it does not follow.
    db.session.add(Alert(kind="overdue", person_id=alerted.a.id, structure_id=alerted.x.structure_id,
                         subject_key="manual", due_on=scenario.AS_OF, first_seen_on=scenario.AS_OF,
                         last_seen_on=scenario.AS_OF))
    db.session.commit()
    factories.login(client, "sw-other@example.fr")
    html = client.get("/alerts/").get_data(as_text=True)
    assert "ALPHA" not in html and len(_rows(html)) == 1


def test_filter_by_kind(client, alerted):
    factories.login(client, "sw@example.fr")
    html = client.get("/alerts/?kind=overdue").get_data(as_text=True)
    rows = _rows(html)
    assert len(rows) == 1 and "BRAVO" in rows[0]
    assert '<option value="overdue" selected>Fin prévue dépassée (1)</option>' in html
    assert len(_rows(client.get("/alerts/?kind=nonsense").get_data(as_text=True))) == 8


def test_pages_of_the_inbox(client, alerted, app, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 3)
    factories.login(client, "sw@example.fr")
    first = client.get("/alerts/").get_data(as_text=True)
    third = client.get("/alerts/?page=3").get_data(as_text=True)
    assert len(_rows(first)) == 3 and len(_rows(third)) == 2
    assert 'aria-current="page"' in third and "fr-pagination" in first
    assert len(_rows(client.get("/alerts/?page=99").get_data(as_text=True))) == 2  # clamped to the last page


def test_referral_officer_sees_only_unanswered_referrals_of_their_structure(client, alerted):
    factories.login(client, "ro@example.fr")
    html = client.get("/alerts/").get_data(as_text=True)
    rows = _rows(html)
    assert len(rows) == 1
    assert "DELTA" in rows[0] and "Français pour tous" in rows[0] and "Accepter ou refuser" in rows[0]
    for other in ("BRAVO", "ALPHA", "Dossier inactif", "Fin prévue"):
        assert other not in html


@pytest.mark.parametrize("email, count", [("sw@example.fr", 8), ("sw-other@example.fr", 1), ("ro@example.fr", 1)])
def test_badge_counts_open_alerts_for_the_user(client, alerted, email, count):
    factories.login(client, email)
    html = client.get("/alerts/").get_data(as_text=True)
    badge = html.split('id="alerts-badge"', 1)[1].split("</a>", 1)[0]
    assert f">{count}</span>" in badge


def test_no_badge_for_roles_without_an_inbox(client, alerted):
    factories.login(client, "pilot@example.fr")
    html = client.get("/alerts/").get_data(as_text=True)  # the 403 page, in the full layout
    assert "Se déconnecter" in html and 'id="alerts-badge"' not in html


def test_resolved_alerts_leave_the_inbox(client, alerted):
    scenario.exit_(alerted.a.accompaniments[0], date(2023, 6, 16))
    db.session.commit()
    jobs.run_alerts(date(2023, 6, 17))
    factories.login(client, "sw@example.fr")
    html = client.get("/alerts/").get_data(as_text=True)
    assert "ALPHA" not in html and "BRAVO" in html  # the end-soon alert is resolved by the exit


def test_digest_opt_in_from_the_inbox(client, world):
    factories.login(client, "sw@example.fr")
    token = factories.csrf_token(client, "/alerts/")
    response = client.post("/alerts/digest", data={"csrf_token": token, "wants_digest": "1"})
    assert response.status_code == 302
    assert db.session.get(User, world.users.social_worker.id).wants_digest is True
    assert "Ne plus recevoir" in client.get("/alerts/").get_data(as_text=True)
    client.post("/alerts/digest", data={"csrf_token": token, "wants_digest": "0"})
    db.session.expire_all()
    assert db.session.get(User, world.users.social_worker.id).wants_digest is False


def test_digest_opt_in_needs_the_csrf_token(client, world):
    factories.login(client, "sw@example.fr")
    assert client.post("/alerts/digest", data={"wants_digest": "1"}).status_code == 400


def test_refresh_computes_the_alerts_on_demand_once_every_few_minutes(client, world, monkeypatch):
    people = scenario.build(world)
    monkeypatch.setattr("agir.jobs.paris_today", lambda: scenario.AS_OF)
    factories.login(client, "sw@example.fr")
    html = client.get("/alerts/").get_data(as_text=True)
    assert "pas encore été calculées" in html and len(_rows(html)) == 0
    token = factories.csrf_token(client, "/alerts/")
    response = client.post("/alerts/refresh", data={"csrf_token": token}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Les alertes ont été recalculées." in html and len(_rows(html)) == 8
    scenario.exit_(db.session.get(type(people.a), people.a.id).accompaniments[0], date(2023, 6, 14))
    db.session.commit()
    html = client.post("/alerts/refresh", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "recalculées : réessayez dans quelques minutes" in html and len(_rows(html)) == 8  # not recomputed yet


def test_refresh_needs_the_csrf_token_and_the_role(client, world):
    factories.login(client, "pilot@example.fr")
    assert client.post("/alerts/refresh").status_code in (400, 403)
    assert db.session.scalar(select(Alert.id)) is None
