"""English outside the templates: audit labels, pending tags, long dates, right-of-access texts, pilot pages."""
import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from agir import privacy
from agir.audit import trail as audit_trail
from agir.extensions import db
from agir.queries.persons import PersonRow, describe_pending
from agir.web.templating import date_long
from tests import factories
from tests.indicators.helpers import accompaniment, participation
from tests.test_i18n import choose, compiled_catalogue, html  # noqa: F401 — the fixture compiles the .mo


def test_audit_action_labels_follow_the_locale(app):
    assert audit_trail.action_label("referral_sent") == "Orientation envoyée"  # outside a request: French
    assert audit_trail.action_label("add_housing_step") == "Ajout : démarche logement"
    assert audit_trail.action_label("mystery") == "mystery" and audit_trail.action_label(None) == "—"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert audit_trail.action_label("referral_sent") == "Referral sent"
        assert audit_trail.action_label("add_housing_step") == "Added: housing step"
        assert audit_trail.action_label("delete_job") == "Deleted: job"
        assert audit_trail.action_label("referral_sent", translate=False) == "Orientation envoyée"
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert audit_trail.action_label("update_training") == "Correction : formation"


def test_the_admin_audit_view_names_actions_in_english(client, world):
    factories.login(client, "admin@example.fr")
    choose(client, "en", page="/admin/audit/")
    page = html(client.get("/admin/audit/"))
    assert '<html lang="en"' in page
    assert "<td>Log in</td>" in page and "<td>Connexion</td>" not in page


def test_the_long_date_in_english_and_french(app):
    day = date(2026, 3, 5)
    assert date_long(day) == "5 mars 2026" and date_long(date(2026, 3, 1)) == "1er mars 2026"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert date_long(day) == "5 March 2026" and date_long(date(2026, 3, 1)) == "1 March 2026"
        assert date_long(None) == "—"
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert date_long(day) == "5 mars 2026"


class _Person:
    department = None


def _pending(requested, accompaniment=None):
    row = PersonRow(person=_Person(), accompaniment=accompaniment)
    return [text for text, _level in describe_pending(row, requested, set(), date(2026, 3, 5))]


def test_pending_tags_in_english_with_plurals(app):
    assert _pending(1) == ["Pas encore inscrit·e", "1 droit en attente de réponse"]
    assert _pending(3)[1] == "3 droits en attente de réponse"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert _pending(1) == ["Not enrolled yet", "1 right awaiting an answer"]
        assert _pending(2)[1] == "2 rights awaiting an answer"
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert _pending(2) == ["Pas encore inscrit·e", "2 droits en attente de réponse"]


def test_the_persons_list_shows_pending_tags_in_english(client, world):
    person = factories.make_person(world.department, world.agir)
    db.session.commit()
    factories.login(client, "sw@example.fr")
    assert "Pas encore inscrit·e" in html(client.get("/persons/"))
    choose(client, "en", page="/persons/")
    page = html(client.get("/persons/"))
    assert person.last_name.upper() in page.upper()
    assert "Not enrolled yet" in page and "Pas encore inscrit·e" not in page


def test_right_of_access_page_in_english_json_stays_french(client, world):
    person = factories.make_person(world.department, world.agir, protection_on=date.today() - timedelta(days=100))
    db.session.commit()
    factories.login(client, "sw@example.fr")
    french = html(client.get(f"/privacy/persons/{person.id}"))
    assert "Mission d&#39;intérêt public" in french
    choose(client, "en", page="/persons/")
    page = html(client.get(f"/privacy/persons/{person.id}"))
    assert "Task carried out in the public interest" in page and "Mission d&#39;intérêt public" not in page
    assert "the access log is kept for" in page
    data = client.get(f"/privacy/persons/{person.id}.json").get_json()
    assert data["processing"]["legal_basis"].startswith("Mission d'intérêt public")


def test_processing_texts_are_french_by_default(app):
    info = privacy.processing_information(3, 365)
    assert "depuis 3 ans" in info["retention"] and "conservé 365 jours" in info["retention"]
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert privacy.processing_information(3, 365)["retention"].startswith("Le dossier")
        english = privacy.processing_information(3, 365, translate=True)["retention"]
        assert "3 years" in english and "365 days" in english


# ---- The pilot's dashboard and Annex sheets ------------------------------------------------------

@pytest.fixture
def english_pilot(client, world):
    person = factories.make_person(world.department, world.agir, protection_on=date(2021, 6, 1), nationality="SYR")
    accompaniment(person, world.agir, date(2022, 3, 1), planned_end=date(2023, 3, 1), exit_on=date(2022, 11, 2))
    participation(person, world.programme, date(2022, 4, 1), date(2022, 9, 1), planned=10, attended=9,
                  level_start="A1", level_end="A2")
    db.session.commit()
    factories.login(client, "pilot@example.fr")
    french = html(client.get(PERIOD))
    choose(client, "en", page="/pilot/")
    return french


PERIOD = "/pilot/?from=2022-01-01&to=2022-12-31"


def test_the_dashboard_in_english(client, english_pilot):
    french = english_pilot
    assert "<caption>Public accompagné</caption>" in french and "Objectif : au moins 30 %" in french
    page = html(client.get(PERIOD))
    assert '<html lang="en"' in page
    assert "<caption>People accompanied</caption>" in page and "Public accompagné" not in page
    assert "Share of programme participants who are not BPI" in page and "Target: at least 30 %" in page
    assert "Regular participants (at least 80 % of the planned hours)" in page
    assert "Sorties d&#39;accompagnement" in french and "Exits from accompaniment" in page
    assert '<th scope="row">Syrie</th>' in french and '<th scope="row">Syria</th>' in page  # by nationality


def test_exports_stay_french_in_an_english_session(client, english_pilot):
    rows = list(csv.reader(io.StringIO(client.get("/pilot/export.csv?from=2022-01-01&to=2022-12-31")
                                       .data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Rubrique", "Indicateur", "Valeur", "Objectif", "Objectif atteint"]
    labels_ = [row[1] for row in rows]
    assert "Participants assidus (au moins 80 % des heures prévues)" in labels_
    assert ["Conformité (§3.4, §3.5, §4.1)", "Part de participants aux programmes non BPI", "0", "au moins 30 %",
            "non"] in rows
    assert "People accompanied" not in str(rows)


def test_the_annex_sheet_in_english_its_files_in_french(client, world, english_pilot):
    url = f"/pilot/programmes/{world.programme.id}/annex"
    page = html(client.get(f"{url}?from=2022-01-01&to=2022-12-31"))
    assert '<th scope="row">Period evaluated</th><td>from 1 Jan 2022 to 31 Dec 2022</td>' in page
    assert '<th scope="row">Target achievement rate</th>' in page and "Sessions held" in page
    assert "Participants who progressed by at least one CEFR level" in page and "Séances tenues" not in page
    workbook = load_workbook(io.BytesIO(client.get(f"{url}.xlsx?from=2022-01-01&to=2022-12-31").data))
    cells = [[c.value for c in row] for row in workbook.active.iter_rows()]
    assert ["Rubrique", "Indicateur", "Cible", "Réalisé"] in cells
    assert any(row[:2] == ["Période évaluée", "du 01/01/2022 au 31/12/2022"] for row in cells)
    assert any(row[1] == "Taux de réalisation de la cible" for row in cells)


def _js_strings(page: str) -> dict:
    import json
    import re
    match = re.search(r'<script type="application/json" id="agir-i18n">(.*?)</script>', page, re.S)
    assert match, "the page carries no translations block for its scripts"
    return json.loads(match.group(1))


def test_page_scripts_get_their_strings_in_english_and_nothing_in_french(client, world):
    factories.login(client, "sw@example.fr")
    assert _js_strings(html(client.get("/persons/new"))) == {}
    choose(client, "en", page="/persons/new")
    strings = _js_strings(html(client.get("/persons/new")))
    assert strings["Éligible à {kind}"] == "Eligible for {kind}"
    assert strings["Part de la cohorte (%)"] == "Share of the cohort (%)"
    assert all(value and value != key for key, value in strings.items())  # every one translated
    assert len(strings) == len(__import__("agir.i18n", fromlist=["JS_STRINGS"]).JS_STRINGS)
