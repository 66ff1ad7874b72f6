"""The pilot's pages: dashboard (aggregates and pseudonyms only), Annex sheets, exports, settings, tokens."""
import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from agir.extensions import db
from agir.indicators.cohort import MILESTONES
from models import Alert, AuditEntry, Department
from tests import factories as f
from tests.indicators.helpers import accompaniment, participation, person

SURNAME = "Zarkawiyan"


@pytest.fixture
def department(world):
    """Department 33 with a named person overdue, three other persons, alerts, and a department 2A person."""
    named = person(world, last_name=SURNAME, first_name="Amina", birth_on=date(1995, 3, 2), phone="0601020304",
                   email="amina@example.org", nationality="SYR")
    accompaniment(named, world.agir, date(2022, 1, 10), planned_end=date(2022, 12, 31))   # overdue, over limit
    for _ in range(3):
        p = person(world, nationality="AFG")
        accompaniment(p, world.agir, date(2022, 3, 1), planned_end=date(2023, 3, 1), exit_on=date(2022, 11, 2),
                      job="cdi")
        participation(p, world.programme, date(2022, 4, 1), date(2022, 9, 1), planned=10, attended=9,
                      level_start="A1", level_end="A2")
    db.session.add_all([
        Alert(kind="overdue", person=named, structure=world.agir, due_on=date(2023, 1, 1),
              first_seen_on=date(2023, 1, 1), last_seen_on=date(2023, 1, 1)),
        Alert(kind="over_limit", person=named, structure=world.agir, due_on=date(2023, 1, 11),
              first_seen_on=date(2023, 1, 11), last_seen_on=date(2023, 1, 11)),
        Alert(kind="end_soon", person=named, structure=world.agir, due_on=date(2022, 12, 1),
              first_seen_on=date(2022, 12, 1), last_seen_on=date(2022, 12, 1), resolved_on=date(2022, 12, 31)),
    ])
    corse = f.make_department(code="2A", name="Corse-du-Sud")
    agir_2a = f.make_structure(corse, "agir_operator", ref="S-2A")
    stranger = person(world, department=corse, structure=agir_2a, last_name="Etrangerdep")
    accompaniment(stranger, agir_2a, date(2022, 1, 10), planned_end=date(2022, 12, 31))
    db.session.add(Alert(kind="overdue", person=stranger, structure=agir_2a, due_on=date(2023, 1, 1),
                         first_seen_on=date(2023, 1, 1), last_seen_on=date(2023, 1, 1)))
    db.session.commit()
    return world


def pilot_client(client):
    assert f.login(client, "pilot@example.fr").status_code == 302
    return client


def test_dashboard_shows_figures_objectives_alerts_and_cohort_of_the_pilots_department(client, department):
    html = pilot_client(client).get("/pilot/?from=2022-01-01&to=2022-12-31").get_data(as_text=True)
    assert "Tableau de bord — 33 Gironde" in html
    assert "Du 01/01/2022 au 31/12/2022" in html
    assert all(f'data-cohort-milestone="{key}"' in html for key in MILESTONES)  # one chart per milestone
    assert 'id="pilot-cohort-data"' in html and "chart.umd.min.js" in html and "js/pilot.js" in html
    assert "Non atteint" in html                     # overdue = 1 > 0
    # Alerts: open ones of the department only (the resolved one and department 2A's are not counted).
    assert "<th scope=\"row\">Fin prévue dépassée</th><td>1</td>" in html
    assert "<th scope=\"row\">Fin proche</th><td>0</td>" in html
    assert "Etrangerdep" not in html


def test_dashboard_never_shows_a_name_birth_date_or_contact(client, department):
    named = db.session.scalar(select(f.Person).where(f.Person.last_name == SURNAME))
    html = pilot_client(client).get("/pilot/?from=2022-01-01&to=2022-12-31").get_data(as_text=True)
    assert named.pseudonym in html                          # the compliance list uses the pseudonym
    for secret in (SURNAME, "Amina", "0601020304", "amina@example.org", "02/03/1995", "1995-03-02"):
        assert secret not in html


def test_breakdowns_show_counts_under_5_as_less_than_5(client, department):
    html = pilot_client(client).get("/pilot/?from=2022-01-01&to=2022-12-31").get_data(as_text=True)
    assert '<th scope="row">Afghanistan</th><td>&lt; 5</td>' in html
    assert '<th scope="row">Syrie</th><td>&lt; 5</td>' in html


def test_a_bad_period_shows_a_french_error_and_the_current_year(client, department):
    html = pilot_client(client).get("/pilot/?from=2022-12-31&to=2022-01-01").get_data(as_text=True)
    assert "postérieure à la date de fin" in html
    assert f"Du 01/01/{date.today().year}" in html


def test_other_roles_get_403(client, department):
    for email in ("sw@example.fr", "ro@example.fr", "admin@example.fr"):
        c = client.application.test_client()
        f.login(c, email)
        for url in ("/pilot/", "/pilot/export.xlsx", "/pilot/settings", "/pilot/tokens", "/pilot/programmes/"):
            assert c.get(url).status_code == 403, (email, url)


def test_xlsx_export_has_the_annex_layout_and_is_audited(client, department):
    response = pilot_client(client).get("/pilot/export.xlsx?from=2022-01-01&to=2022-12-31")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = values.index(["Rubrique", "Indicateur", "Valeur", "Objectif", "Objectif atteint"])
    by_label = {row[1]: row for row in values[header + 1:]}
    assert by_label["Bénéficiaires (accompagnement ou programme sur la période)"][2] == 4
    assert by_label["Sorties en emploi durable (CDI ou contrat de plus de 6 mois)"][2] == 3
    assert by_label["Part de participants aux programmes non BPI"][2] == 0
    assert by_label["Accompagnements en cours au-delà de leur fin prévue"][3:] == ["aucun", "non"]
    assert by_label["Durée moyenne d'accompagnement (mois)"][2] == 8.1
    assert ["Département", "33 — Gironde", None, None, None] in values
    # Printed as the Annex form: A4 landscape, one page wide, the header row on every page.
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    header_row = next(row[0].row for row in sheet.iter_rows() if row[0].value == "Rubrique")
    assert sheet.print_title_rows == f"${header_row}:${header_row}"
    assert sheet.freeze_panes == f"A{header_row + 1}" and sheet.cell(header_row + 1, 1).value == "Public accompagné"
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export_indicators")).all()
    assert len(audit) == 1 and audit[0].detail.startswith("xlsx 33")


def test_csv_export_is_excel_french(client, department):
    response = pilot_client(client).get("/pilot/export.csv?from=2022-01-01&to=2022-12-31")
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Rubrique", "Indicateur", "Valeur", "Objectif", "Objectif atteint"]
    by_label = {row[1]: row for row in rows[1:]}
    assert by_label["Durée moyenne d'accompagnement (mois)"][2] == "8,1"
    assert by_label["Part de la subvention P104 consacrée à l'emploi"][2] == "0"
    assert by_label["Du"][2] == "01/01/2022"


def test_annex_sheet_shows_target_vs_achieved_and_exports(client, department):
    pilot_client(client)
    programme = department.programme   # target 20, 3 participants (A1 → A2, 90 % attended)
    html = client.get(f"/pilot/programmes/{programme.id}/annex?from=2022-01-01&to=2022-12-31").get_data(as_text=True)
    assert "Fiche annexe — Français pour tous" in html and "data-print" in html
    assert '<th scope="row">Bénéficiaires</th>\n      <td>20</td>\n      <td>3</td>' in html
    workbook = load_workbook(io.BytesIO(client.get(
        f"/pilot/programmes/{programme.id}/annex.xlsx?from=2022-01-01&to=2022-12-31").data))
    rows = [[c.value for c in row] for row in workbook.active.iter_rows()]
    assert ["Rubrique", "Indicateur", "Cible", "Réalisé"] in rows
    by_label = {row[1]: row for row in rows}
    assert by_label["Bénéficiaires"][2:] == [20, 3]
    assert by_label["Taux de réalisation de la cible"][3] == 0.15
    assert by_label["Participants ayant progressé d'au moins un niveau CECRL"][3] == 3
    assert by_label["Coût par bénéficiaire (€)"][3] == 3333.33
    csv_rows = list(csv.reader(io.StringIO(client.get(
        f"/pilot/programmes/{programme.id}/annex.csv").data.decode("utf-8-sig")), delimiter=";"))
    assert csv_rows[0] == ["Rubrique", "Indicateur", "Cible", "Réalisé"]


def test_annex_sheet_of_another_departments_programme_is_404(client, department):
    corse = db.session.scalar(select(Department).where(Department.code == "2A"))
    school = f.make_structure(corse, "programme_operator")
    foreign = f.make_programme(corse, school)
    db.session.commit()
    pilot_client(client)
    assert client.get(f"/pilot/programmes/{foreign.id}/annex").status_code == 404
    assert client.get(f"/pilot/programmes/{foreign.id}/annex.xlsx").status_code == 404


def test_all_annex_sheets_in_one_workbook(client, department):
    f.make_programme(department.department, department.school, theme="health", ref="PR-SANTE", name="Santé pour tous")
    db.session.commit()
    response = pilot_client(client).get("/pilot/programmes/annexes.xlsx?from=2022-01-01&to=2022-12-31")
    assert sorted(load_workbook(io.BytesIO(response.data)).sheetnames) == ["PR-LANG", "PR-SANTE"]
    assert "Santé pour tous" in client.get("/pilot/programmes/?from=2022-01-01&to=2022-12-31").get_data(as_text=True)


def _settings_form(client, **values):
    html = client.get("/pilot/settings").get_data(as_text=True)
    token = f.CSRF_RE.search(html).group(1)
    version = html.split('name="version_id" type="hidden" value="')[1].split('"')[0]
    data = {"csrf_token": token, "version_id": version, "agir_start_on": "2022-07-01", "agir_wave": "2022",
            "max_months": "12"}
    data.update(values)
    return data


def test_settings_save_max_months_within_6_to_18(client, department):
    pilot_client(client)
    response = client.post("/pilot/settings", data=_settings_form(client, max_months="18", agir_wave="2024"))
    assert response.status_code == 302
    db.session.expire_all()
    dep = db.session.get(Department, department.department.id)
    assert (dep.max_months, dep.agir_wave) == (18, 2024)
    html = client.post("/pilot/settings", data=_settings_form(client, max_months="19")).get_data(as_text=True)
    assert "La durée maximale doit être comprise entre 6 et 18 mois." in html
    assert 'value="19"' in html
    html = client.post("/pilot/settings", data=_settings_form(client, max_months="douze")).get_data(as_text=True)
    assert "Saisissez un nombre entier de mois." in html


def test_settings_refuse_a_stale_version(client, department):
    pilot_client(client)
    stale = _settings_form(client, max_months="15")
    assert client.post("/pilot/settings", data=_settings_form(client, max_months="14")).status_code == 302
    html = client.post("/pilot/settings", data=stale).get_data(as_text=True)
    assert "modifié par quelqu&#39;un d&#39;autre" in html
    db.session.expire_all()
    assert db.session.get(Department, department.department.id).max_months == 14


def test_dashboard_counts_open_accompaniments_and_pages_the_compliance_list(client, department):
    # Open today: the named person's accompaniment only (the three others exited, 2A is not the pilot's).
    html = pilot_client(client).get("/pilot/?from=2022-01-01&to=2022-12-31").get_data(as_text=True)
    assert ('<span class="agir-kpi__value">1</span>\n      <span class="agir-kpi__label">accompagnements en cours'
            in html)
    named = db.session.scalar(select(f.Person).where(f.Person.last_name == SURNAME))
    assert named.pseudonym in html
    # A page past the end of the list: no line, the same figures.
    past = client.get("/pilot/?from=2022-01-01&to=2022-12-31&page=9").get_data(as_text=True)
    assert named.pseudonym not in past
    assert ('<span class="agir-kpi__value">1</span>\n      <span class="agir-kpi__label">accompagnements en cours'
            in past)


# --- the short-lived cache of the dashboard's figures (docs/rules.md, Performance) ---------------------

OPEN_KPI = '<span class="agir-kpi__value">{}</span>\n      <span class="agir-kpi__label">accompagnements en cours'
YEAR_2022 = "/pilot/?from=2022-01-01&to=2022-12-31"


@pytest.fixture
def cache_on(app, monkeypatch):
    """The dashboard cache turned on (the test configuration turns it off), empty, of four entries."""
    from blueprints.pilot.cache import FiguresCache
    monkeypatch.setitem(app.config, "DASHBOARD_CACHE_SECONDS", 300)
    cache = FiguresCache(4, 300)
    monkeypatch.setitem(app.extensions, "agir_dashboard_cache", cache)
    return cache


def open_one_more(world):
    accompaniment(person(world), world.agir, date(2022, 6, 1), planned_end=date(2027, 5, 31))
    db.session.commit()


def test_without_the_cache_every_request_shows_the_live_figures(client, department):
    pilot_client(client)
    assert OPEN_KPI.format(1) in client.get(YEAR_2022).get_data(as_text=True)
    open_one_more(department)
    html = client.get(YEAR_2022).get_data(as_text=True)
    assert OPEN_KPI.format(2) in html
    assert "Chiffres calculés le " in html


def test_cached_figures_say_when_they_were_computed_and_can_be_computed_again(client, department, cache_on):
    pilot_client(client)
    first = client.get(YEAR_2022).get_data(as_text=True)
    assert OPEN_KPI.format(1) in first and len(cache_on) == 1
    stamp = re.search(r"Chiffres calculés le (\d\d/\d\d/\d{4}) à (\d\d:\d\d)\.", first)
    assert stamp, "the page says when its figures were computed"
    assert "recompute=1" in first and "Recalculer maintenant" in first
    open_one_more(department)
    again = client.get(YEAR_2022).get_data(as_text=True)
    assert OPEN_KPI.format(1) in again                      # the kept figures, and their time
    assert stamp.group(0) in again
    assert OPEN_KPI.format(2) in client.get(YEAR_2022 + "&recompute=1").get_data(as_text=True)
    assert OPEN_KPI.format(2) in client.get(YEAR_2022).get_data(as_text=True)  # kept again
    assert len(cache_on) == 1


def cache_rows():
    """(key_hash, department_id) of every entry of the shared table."""
    from models import DashboardCache
    return sorted(db.session.execute(select(DashboardCache.key_hash, DashboardCache.department_id)).all())


def test_the_cache_is_keyed_by_department_period_day_and_page(client, department, cache_on):
    from blueprints.pilot.cache import cached_figures, key_hash
    pilot_client(client)
    client.get(YEAR_2022)
    open_one_more(department)
    assert OPEN_KPI.format(2) in client.get("/pilot/?from=2022-01-01&to=2022-12-30").get_data(as_text=True)
    assert OPEN_KPI.format(2) in client.get(YEAR_2022 + "&page=2").get_data(as_text=True)
    assert len(cache_on) == 3
    department_id = db.session.scalar(select(Department.id).where(Department.code == "33"))
    key = (department_id, date(2022, 1, 1), date(2022, 12, 31), date.today(), 1)
    assert (key_hash(key), department_id) in cache_rows()
    assert {row[1] for row in cache_rows()} == {department_id}
    # Another as-of day is another key: computed, not read.
    tomorrow = key[:3] + (date.fromordinal(date.today().toordinal() + 1), 1)
    with client.application.app_context():
        assert cached_figures(tomorrow, lambda: "fresh")[0] == "fresh"
        assert cached_figures(tomorrow, lambda: "again")[0] == "fresh"


def test_a_page_read_from_the_cache_is_the_page_computed(client, department, cache_on):
    """What the table keeps (typed JSON: dates, tuples, numbered months, compliance lines) comes back equal."""
    pilot_client(client)
    computed = client.get(YEAR_2022).get_data(as_text=True)
    named = db.session.scalar(select(f.Person).where(f.Person.last_name == SURNAME))
    assert named.pseudonym in computed and "10/01/2022" in computed      # a compliance line, with its dates
    # (the CSRF token of the logout form is signed with the time: it changes when the second does)
    def without_token(html: str) -> str:
        return re.sub(r'(name="csrf_token" value|data-csrf-token)="[^"]*"', r'\1', html)
    assert without_token(client.get(YEAR_2022).get_data(as_text=True)) == without_token(computed)


def test_saving_the_department_settings_forgets_its_cached_dashboards(client, department, cache_on):
    from blueprints.pilot.cache import key_hash
    pilot_client(client)
    client.get(YEAR_2022)
    other = (-1, date(2022, 1, 1), date(2022, 12, 31), date.today(), 1)
    cache_on.put(other, {"kept": True})
    assert len(cache_rows()) == 2
    html = client.get("/pilot/settings").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    version = re.search(r'name="version_id"[^>]*value="([^"]+)"', html).group(1)
    response = client.post("/pilot/settings", data={"csrf_token": token, "version_id": version, "max_months": 12,
                                                     "agir_start_on": "", "agir_wave": ""})
    assert response.status_code == 302
    assert cache_rows() == [(key_hash(other), -1)]


def test_the_cache_keeps_a_bounded_number_of_fresh_entries(app_ctx):
    from blueprints.pilot.cache import FiguresCache
    start = datetime(2026, 1, 1, 12)
    now = [start]
    cache = FiguresCache(3, 300, clock=lambda: now[0])

    def at(seconds):
        now[0] = start + timedelta(seconds=seconds)

    for i in range(5):
        at(i)
        cache.put((1, i), i)
    assert len(cache) == 3 and cache.get((1, 0)) is None and cache.get((1, 1)) is None
    assert cache.get((1, 4)) == (datetime(2026, 1, 1, 12, 0, 4, tzinfo=UTC), 4)
    at(5)
    cache.put((1, 2), "again")                          # computed again: the newest, its entry replaced
    at(6)
    cache.put((2, 0), "b")                              # the oldest computed, (1, 3), leaves
    assert cache.get((1, 3)) is None and cache.get((1, 2))[1] == "again" and len(cache) == 3
    at(304.5)                                           # (1, 4) computed at 4 s: over at 304 s
    assert cache.get((1, 4)) is None and cache.get((1, 2))[1] == "again" and cache.get((2, 0))[1] == "b"
    at(306)
    assert cache.get((2, 0)) is None and cache.get((1, 2)) is None
    cache.prune()
    assert len(cache) == 0
    cache.put((1, 0), "a")
    cache.put((2, 0), "b")
    cache.forget(1)
    assert cache.get((1, 0)) is None and cache.get((2, 0))[1] == "b" and len(cache) == 1


def test_concurrent_recomputes_of_one_key_all_succeed_and_keep_one_entry(app, app_ctx):
    """Workers computing the same dashboard at once: each upsert succeeds, one entry stays (the last)."""
    import threading

    from blueprints.pilot.cache import FiguresCache
    errors, barrier = [], threading.Barrier(6)

    def worker(n):
        with app.app_context():
            cache = FiguresCache(64, 300)
            try:
                barrier.wait()
                for i in range(5):
                    cache.put((7, date(2022, 1, 1), "same"), {"worker": n, "round": i})
            except Exception as exc:  # noqa: BLE001 — reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    cache = FiguresCache(64, 300)
    assert len(cache) == 1 and cache.get((7, date(2022, 1, 1), "same"))[1]["round"] == 4
