"""The JSON API: same JSON as the commands, for a pilot's session or personal token; 401 without, 403 elsewhere."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from agir.extensions import db
from agir.indicators import build_cohort_scope, build_scope, compute_cohort, compute_indicators
from agir.operations.api_tokens import hash_token
from models import ApiToken, AuditEntry
from tests import factories as f
from tests.indicators.helpers import accompaniment, person, right

TOKEN_RE = re.compile(r'<p class="agir-token" id="nouveau-jeton">([^<]+)</p>')


@pytest.fixture
def data(world):
    p = person(world)
    accompaniment(p, world.agir, date(2022, 9, 1), planned_end=date(2023, 3, 1))
    right(p, "health_insurance", obtained=date(2022, 10, 1))
    corse = f.make_department(code="2A", name="Corse-du-Sud")
    f.make_structure(corse, "agir_operator", ref="S-2A")
    db.session.commit()
    return world


def new_token(client, name="Tableur DDETS") -> str:
    """Create a token through the pilot's page; the page shows it once."""
    token = f.csrf_token(client, "/pilot/tokens")
    html = client.post("/pilot/tokens", data={"name": name, "csrf_token": token}).get_data(as_text=True)
    match = TOKEN_RE.search(html)
    assert match, "the new token is shown"
    return match.group(1)


def test_without_session_or_token_the_api_is_401(client, data):
    response = client.get("/api/v1/indicators?from=2022-01-01&to=2022-12-31")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authentification requise" in response.get_json()["error"]
    assert client.get("/api/v1/cohort?entry_from=2022-01-01&entry_to=2022-12-31").status_code == 401


def test_pilot_session_gets_the_same_json_as_the_command(client, data):
    f.login(client, "pilot@example.fr")
    response = client.get("/api/v1/indicators?from=2022-01-01&to=2022-12-31&as_of=2023-04-01")
    assert response.status_code == 200
    expected = compute_indicators(build_scope("2022-01-01", "2022-12-31", "33", None, "2023-04-01"))
    assert response.get_json() == expected
    assert expected["public"]["beneficiaries"] == 1 and expected["compliance"]["overdue"] == 1
    cohort = client.get("/api/v1/cohort?entry_from=2022-07-01&entry_to=2022-09-30").get_json()
    assert cohort == compute_cohort(build_cohort_scope("2022-07-01", "2022-09-30", "33"))
    assert cohort["milestones"]["health_insurance"][1] == 1.0
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "export_indicators"))


def test_token_works_is_stored_hashed_and_stops_when_revoked(client, data, app):
    f.login(client, "pilot@example.fr")
    raw = new_token(client)
    stored = db.session.scalars(select(ApiToken)).all()
    assert len(stored) == 1 and stored[0].token_hash == hash_token(raw) and raw not in stored[0].token_hash
    # The list page never shows it again.
    assert raw not in client.get("/pilot/tokens").get_data(as_text=True)
    anonymous = app.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    response = anonymous.get("/api/v1/indicators?from=2022-01-01&to=2022-12-31", headers=headers)
    assert response.status_code == 200 and response.get_json()["scope"]["department"] == "33"
    assert anonymous.get("/api/v1/cohort?entry_from=2022-07-01&entry_to=2022-09-30",
                         headers=headers).get_json()["size"] == 1
    db.session.expire_all()
    assert db.session.get(ApiToken, stored[0].id).last_used_at is not None
    revoke = client.post(f"/pilot/tokens/{stored[0].id}/revoke",
                         data={"csrf_token": f.csrf_token(client, "/pilot/tokens")})
    assert revoke.status_code == 302
    assert anonymous.get("/api/v1/indicators?from=2022-01-01&to=2022-12-31", headers=headers).status_code == 401


def test_wrong_token_is_401(client, data):
    for header in ("Bearer agir_notatoken", "Bearer ", "Basic cGlsb3Q6eA==", "agir_x"):
        response = client.get("/api/v1/indicators?from=2022-01-01&to=2022-12-31", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_another_department_or_its_structure_is_403(client, data):
    f.login(client, "pilot@example.fr")
    assert client.get("/api/v1/indicators?from=2022-01-01&to=2022-12-31&department=2A").status_code == 403
    assert client.get("/api/v1/indicators?from=2022-01-01&to=2022-12-31&structure=S-2A").status_code == 403
    assert client.get("/api/v1/cohort?entry_from=2022-01-01&entry_to=2022-12-31&department=2A").status_code == 403
    own = client.get("/api/v1/indicators?from=2022-01-01&to=2022-12-31&department=33&structure=S-AGIR")
    assert own.status_code == 200 and own.get_json()["scope"]["structure"] == "S-AGIR"


@pytest.mark.parametrize("email", ["sw@example.fr", "ro@example.fr", "admin@example.fr"])
def test_other_roles_are_403(client, data, email):
    f.login(client, email)
    assert client.get("/api/v1/indicators?from=2022-01-01&to=2022-12-31").status_code == 403


def test_bad_arguments_are_400_with_the_french_message(client, data):
    f.login(client, "pilot@example.fr")
    response = client.get("/api/v1/indicators?from=2022-02-30&to=2022-12-31")
    assert response.status_code == 400 and "Date invalide pour from" in response.get_json()["error"]
    response = client.get("/api/v1/indicators?to=2022-12-31")
    assert response.status_code == 400 and "from est obligatoire" in response.get_json()["error"]
    response = client.get("/api/v1/cohort?entry_from=2022-12-31&entry_to=2022-01-01")
    assert response.status_code == 400 and "postérieure" in response.get_json()["error"]


def test_token_creation_needs_a_name(client, data):
    f.login(client, "pilot@example.fr")
    html = client.post("/pilot/tokens", data={"name": "  ", "csrf_token": f.csrf_token(client, "/pilot/tokens")})
    assert "Donnez un nom à ce jeton" in html.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken.id)) is None


def test_a_pilot_cannot_revoke_someone_elses_token(client, data, app):
    other_pilot = f.make_user("pilot", department=data.department, email="pilot2@example.fr")
    db.session.add(ApiToken(user_id=other_pilot.id, name="autre", token_hash=hash_token("agir_other")))
    db.session.commit()
    token_id = db.session.scalar(select(ApiToken.id))
    f.login(client, "pilot@example.fr")
    client.post(f"/pilot/tokens/{token_id}/revoke", data={"csrf_token": f.csrf_token(client, "/pilot/tokens")})
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).revoked_at is None
