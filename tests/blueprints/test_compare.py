"""The regional and national pilots' comparison pages, exports and API (issue 19): scopes checked (another region
is 403, a person page 403/404 — the whole url_map walked), sort and filters kept, masked cells, export contents."""
import csv
import io
import json
from datetime import date
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from agir.extensions import db
from agir.operations.api_tokens import create_api_token
from models import AuditEntry, Department, Person, Region, Structure, User
from tests import factories
from tests.indicators.helpers import import_generated
from tests.test_access_inventory import ALLOW_LIST, build, roles_of, routes

YEAR = 2024


@pytest.fixture
def data(app_ctx, monkeypatch):
    """Generated persons over nine departments of six regions, then a regional pilot of 75 (Gironde, Vienne),
    a national pilot, the pilot of Gironde, a social worker and an administrator."""
    monkeypatch.setattr("blueprints.pilot.compare.paris_today", lambda: date(2025, 3, 1))
    monkeypatch.setattr("blueprints.api.routes.paris_today", lambda: date(2025, 3, 1))
    import_generated(500, seed=23, today=date(2025, 3, 1), departments=9)
    gironde = db.session.scalar(select(Department).where(Department.code == "33"))
    structure = db.session.scalar(select(Structure).where(Structure.department_id == gironde.id))
    users = {"regional": factories.make_user("regional_pilot", email="regional@example.fr", region="75"),
             "national": factories.make_user("national_pilot", email="national@example.fr"),
             "pilot": factories.make_user("pilot", department=gironde, email="pilot@example.fr"),
             "sw": factories.make_user("social_worker", structure, email="sw@example.fr"),
             "admin": factories.make_user("admin", email="admin@example.fr")}
    db.session.commit()
    return SimpleNamespace(department=gironde, users=users,
                           person=db.session.scalar(select(Person).where(Person.department_id == gironde.id)))


def signed_in(app, email):
    client = app.test_client()
    assert factories.login(client, email).status_code == 302
    return client


def test_the_regional_pilot_compares_the_departments_of_its_region_with_their_total(app, data):
    client = signed_in(app, "regional@example.fr")
    page = client.get(f"/pilot/compare?year={YEAR}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Pilotage régional — 75 Nouvelle-Aquitaine" in html
    assert "33 — Gironde" in html and "86 — Vienne" in html and "Rhône" not in html and "Haute-Garonne" not in html
    assert "Total du périmètre" in html and "Cible 80 %" in html and "Cible 60 %" in html
    assert f'<option value="{YEAR}" selected>' in html  # the form keeps the year chosen
    assert "données de la carte" in html  # the map's data table, always
    assert ("<map-chart" in html) != ("Aucune valeur à représenter" in html)  # a map only with something to draw


def test_the_former_scope_page_sends_to_the_comparison(app, data):
    client = signed_in(app, "national@example.fr")
    response = client.get("/pilot/scope")
    assert response.status_code == 302 and response.headers["Location"].endswith("/pilot/compare")


def test_sorting_by_a_column_works_without_javascript(app, data):
    client = signed_in(app, "national@example.fr")
    html = client.get(f"/pilot/compare?year={YEAR}&sort=exits&order=desc").get_data(as_text=True)
    table = html[html.index('id="comparaison"'):html.index("</tbody>", html.index('id="comparaison"'))]
    from agir.indicators import compare
    result = compare.compute(compare.for_year(YEAR, None, date(2025, 3, 1)))
    ranked = sorted((row for row in result["departments"] if row["exits"] is not None),
                    key=lambda row: (row["exits"], row["department"]), reverse=True)
    positions = [table.index(f"{row['department']} — {row['name']}") for row in ranked]
    assert positions == sorted(positions)
    assert 'aria-sort="descending"' in table
    assert "sort=exits&amp;order=asc" in table  # the link to sort the other way


def test_a_regional_pilot_gets_403_on_another_regions_figures(app, data):
    client = signed_in(app, "regional@example.fr")
    for url in ("/pilot/compare?region=76", "/pilot/compare.xlsx?region=76", "/pilot/compare.csv?region=84",
                f"/pilot/compare?region=76&year={YEAR}"):
        assert client.get(url).status_code == 403, url
    assert client.get("/pilot/compare?region=75").status_code == 200


def test_department_pilots_and_other_roles_do_not_get_the_comparison(app, data):
    for email in ("pilot@example.fr", "sw@example.fr", "admin@example.fr"):
        client = signed_in(app, email)
        for url in ("/pilot/compare", "/pilot/compare.xlsx", "/pilot/compare.csv"):
            assert client.get(url).status_code == 403, (email, url)


@pytest.mark.parametrize("email", ["regional@example.fr", "national@example.fr"])
def test_every_person_page_is_refused_to_regional_and_national_pilots(app, data, email):
    """The whole url_map walked: every page naming a person (or any page outside their space) is 403/404."""
    person = data.person
    client = signed_in(app, email)
    role = "regional_pilot" if email.startswith("regional") else "national_pilot"
    walked = 0
    for endpoint, method, rule in routes(app):
        if method != "GET" or endpoint in ALLOW_LIST or endpoint == "api.compare_departments":
            continue
        if role in (roles_of(app, endpoint) or ()):
            assert "person" not in rule.rule, rule.rule  # their own pages (comparison, tokens, account) only
            continue
        url = build(app, rule, person_id=person.id)
        status = client.get(url).status_code
        assert status in (403, 404), (url, status)
        walked += "person" in rule.rule
    assert walked > 30  # every page of a person file is among them


def test_national_pilot_sees_every_department_and_may_look_at_one_region(app, data):
    client = signed_in(app, "national@example.fr")
    html = client.get(f"/pilot/compare?year={YEAR}").get_data(as_text=True)
    assert "Pilotage national" in html and "69 — Rhône" in html and "974 — La Réunion" in html
    html = client.get(f"/pilot/compare?year={YEAR}&figure=exits").get_data(as_text=True)
    assert "<map-chart" in html and "&#34;69&#34;:" in html and '<option value="exits" selected>' in html
    html = client.get(f"/pilot/compare?year={YEAR}&region=84").get_data(as_text=True)
    assert "région 84" in html and "69 — Rhône" in html and "33 — Gironde" not in html
    assert client.get("/pilot/compare?region=99").status_code == 404


def test_a_year_not_closed_is_refused_with_a_message(app, data):
    client = signed_in(app, "national@example.fr")
    html = client.get("/pilot/compare?year=2025").get_data(as_text=True)
    assert "Seules les années civiles closes" in html and '<option value="2024" selected>' in html


def test_the_exports_carry_the_masked_comparison_with_dates_as_dates(app, data):
    from agir.indicators import compare
    result = compare.compute(compare.for_year(YEAR, None, date(2025, 3, 1)))
    client = signed_in(app, "national@example.fr")
    response = client.get(f"/pilot/compare.xlsx?year={YEAR}")
    assert response.status_code == 200 and "comparaison-agir-national-2024.xlsx" in response.headers[
        "Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.data)).active
    cells = {row[0]: row for row in ws.iter_rows(values_only=True) if row and row[0]}
    from datetime import datetime
    assert cells["Du"][1] == datetime(2024, 1, 1) and cells["Situation des accompagnements au"][1] == datetime(
        2024, 12, 31)
    header = next(row for row in ws.iter_rows(values_only=True) if row[0] == "Département")
    assert "Part en logement pérenne (cible 80 %)" in header
    exits_col = header.index("Sorties")
    for row in result["departments"]:
        line = cells[row["department"]]
        assert line[exits_col] == (row["exits"] if row["exits"] is not None else "masqué")
    text = client.get(f"/pilot/compare.csv?year={YEAR}").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][:3] == ["Département", "Nom", "Sorties"]
    assert ["Périmètre", "Du", "01/01/2024"] in lines
    masked = [row for row in result["departments"] if row["masked"]]
    assert masked, "the generated data have small counts to hide"
    by_code = {line[0]: line for line in lines}
    for row in masked:
        column = compare.COLUMNS.index(row["masked"][0]) if row["masked"][0] in compare.COLUMNS else None
        if column is not None:
            assert by_code[row["department"]][column + 2] == "masqué"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export_indicators")) is not None


# ---------------------------------------------------------------- API

def token_for(email: str) -> str:
    user = db.session.scalar(select(User).where(User.email == email))
    _, raw = create_api_token(user, "tableur")
    db.session.commit()
    return raw


def test_the_api_gives_the_comparison_to_regional_and_national_tokens(app, data):
    client = app.test_client()
    regional = {"Authorization": f"Bearer {token_for('regional@example.fr')}"}
    national = {"Authorization": f"Bearer {token_for('national@example.fr')}"}
    response = client.get(f"/api/v1/compare?year={YEAR}", headers=regional)
    assert response.status_code == 200
    body = response.get_json()
    assert [row["department"] for row in body["departments"]] == ["33", "86"]
    assert body["targets"] == {"housing_share": 0.8, "employment_share": 0.6} and body["scope"]["region"] == "75"
    assert client.get(f"/api/v1/compare?year={YEAR}&region=76", headers=regional).status_code == 403
    every = client.get(f"/api/v1/compare?year={YEAR}", headers=national).get_json()
    assert len(every["departments"]) == 9 and every["scope"]["region"] is None
    assert client.get(f"/api/v1/compare?year={YEAR}&region=84", headers=national).get_json()["scope"]["region"] == "84"
    assert client.get("/api/v1/compare?year=2025", headers=national).status_code == 400
    # A token opens the API only: with it, a person's pages are never served (the login page instead).
    for url in (f"/persons/{data.person.id}", f"/privacy/persons/{data.person.id}.json", "/persons/"):
        for headers in (regional, national):
            response = client.get(url, headers=headers)
            assert response.status_code in (302, 401, 403, 404), url
            assert "/login" in response.headers.get("Location", "/login"), url
    # The department pilot's endpoints stay the department pilot's.
    for url in ("/api/v1/indicators?from=2024-01-01&to=2024-12-31",
                "/api/v1/cohort?entry_from=2024-01-01&entry_to=2024-12-31"):
        assert client.get(url, headers=regional).status_code == 403
        assert client.get(url, headers=national).status_code == 403


def test_a_department_pilot_token_does_not_get_the_comparison(app, data):
    client = app.test_client()
    pilot = {"Authorization": f"Bearer {token_for('pilot@example.fr')}"}
    assert client.get(f"/api/v1/compare?year={YEAR}", headers=pilot).status_code == 403


def test_regional_and_national_pilots_create_tokens_on_their_tokens_page(app, data):
    client = signed_in(app, "regional@example.fr")
    token = factories.csrf_token(client, "/pilot/tokens")
    page = client.post("/pilot/tokens", data={"name": "tableur", "csrf_token": token}).get_data(as_text=True)
    assert "agir_" in page
    region = db.session.scalar(select(Region).where(Region.code == "75"))
    assert region is not None
    assert json.dumps  # noqa: B018
