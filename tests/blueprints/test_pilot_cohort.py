"""Cohort curves that tell the truth (issue 19 item 2), in every pilot's space: per milestone the members observed,
the share of them who reached it, the Kaplan–Meier estimate, the share of the whole cohort and the median month —
the very figures of `agir cohort` for the same scope and as-of date, with counts of 1 to 4 masked."""
import html as markup
import json
import re
from datetime import timedelta

import pytest

from agir.dates import add_months, today
from agir.extensions import db
from agir.indicators.cohort import MILESTONES
from agir.indicators.layout import format_value
from tests import factories as f
from tests.indicators.helpers import accompaniment, housing, person, right

MONTHS_AGO = (11, 10, 9, 8, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 1, 1, 0)  # entries, in months before today


@pytest.fixture
def cohort_world(world):
    """Seventeen members entered 0 to 11 months ago (so that the late months have 1 to 4 members observed), a
    member of another department of another region, and milestones reached at staggered months."""
    day = today()
    for n, ago in enumerate(MONTHS_AGO):
        start = add_months(day, -ago) - timedelta(days=1 + n % 3)
        p = person(world)
        accompaniment(p, world.agir, start)
        if n % 4 != 3:
            right(p, "health_insurance", obtained=start + timedelta(days=12 * (n % 5)))
        if n % 2:
            right(p, "bank_account", obtained=add_months(start, 1 + n % 3))
        if n % 3 == 0:
            housing(p, "social_rental", add_months(start, n % 6))
    elsewhere = f.make_department(code="13", name="Bouches-du-Rhône")
    other = person(world, department=elsewhere, structure=f.make_structure(elsewhere))
    accompaniment(other, world.agir, add_months(day, -3))
    db.session.commit()
    return world


def agir_cohort(runner, *scope) -> dict:
    """`flask agir cohort` for the last twelve months as of today, as the outside world runs it."""
    day = today()
    result = runner.invoke(args=["agir", "cohort", "--entry-from", (add_months(day, -12)).isoformat(),
                                 "--entry-to", day.isoformat(), "--as-of", day.isoformat(), *scope])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def page(client, url, email=None, **args) -> str:
    """The page for the last twelve months (signing in first when `email` is given)."""
    if email:
        assert f.login(client, email).status_code == 302
    day = today()
    response = client.get(url, query_string={"from": add_months(day, -12).isoformat(), "to": day.isoformat(),
                                             "recompute": "1", **args})
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def table(html: str, key: str) -> list[list[str]]:
    """The body rows of the data table beside a milestone's chart, as the cells' text."""
    body = html[html.index(f'data-cohort-table="{key}"'):]
    body = body[body.index("<tbody>"):body.index("</tbody>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [[markup.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def expected_rows(figures: dict, key: str) -> list[list[str]]:
    """The rows the page must show for `agir cohort`'s figures, masked by the rule of docs/rules.md."""
    rows = []
    for m in figures["months"]:
        observed = figures["observed"][m]
        small = 0 < observed < 5
        rows.append([str(m), "< 5" if small else format_value(observed),
                     "s" if small else format_value(figures["observed_shares"][key][m], "share", 1),
                     "s" if small else format_value(figures["km"][key][m], "share", 1),
                     "s" if 0 < figures["size"] < 5 else format_value(figures["milestones"][key][m], "share", 1)])
    return rows


def median_text(figures: dict, key: str) -> str:
    month = figures["median_months"][key]
    if month is not None and 0 < figures["observed"][month] < 5:
        return "s"
    return "Médiane non atteinte" if month is None else f"{month} mois"


def assert_page_equals_command(html: str, figures: dict) -> None:
    for key in MILESTONES:
        assert table(html, key) == expected_rows(figures, key), key
        cell = re.search(rf'<td data-median="{key}">(.*?)</td>', html, re.S).group(1)
        assert re.sub(r"<[^>]+>", "", cell).strip() == median_text(figures, key), key
    # The chart draws the same unmasked figures, in percent, and nothing where the table masks.
    data = json.loads(re.search(r'<script type="application/json" id="pilot-cohort-data">(.*?)</script>', html,
                                re.S).group(1))
    for key in MILESTONES:
        for m in figures["months"]:
            small = 0 < figures["observed"][m] < 5
            km = figures["km"][key][m]
            assert data["series"][key]["km"][m] == (None if small or km is None else round(km * 100, 2))
    assert data["observed"] == ["< 5" if 0 < n < 5 else format_value(n) for n in figures["observed"]]


def test_department_dashboard_shows_the_figures_of_agir_cohort(client, runner, cohort_world):
    figures = agir_cohort(runner, "--department", "33")
    assert figures["size"] == len(MONTHS_AGO)
    # The fixture gives both kinds of months: published ones and masked ones (1 to 4 members observed).
    assert any(n >= 5 for n in figures["observed"]) and any(0 < n < 5 for n in figures["observed"])
    html = page(client, "/pilot/", "pilot@example.fr")
    assert_page_equals_command(html, figures)
    # The estimate and the raw share differ where members are censored: the page tells both apart.
    assert any(figures["km"]["health_insurance"][m] != figures["observed_shares"]["health_insurance"][m]
               for m in figures["months"] if figures["observed"][m] >= 5)


def test_regional_pilot_sees_the_region_and_each_of_its_departments(client, runner, cohort_world):
    html = page(client, "/pilot/cohort", "regional@example.fr")
    assert "Cohortes — 75 Nouvelle-Aquitaine" in html
    assert_page_equals_command(html, agir_cohort(runner, "--region", "75"))
    html = page(client, "/pilot/cohort", department="33")
    assert_page_equals_command(html, agir_cohort(runner, "--department", "33"))


def test_regional_pilot_gets_404_for_a_department_of_another_region(client, cohort_world):
    assert f.login(client, "regional@example.fr").status_code == 302
    assert client.get("/pilot/cohort", query_string={"department": "13"}).status_code == 404
    assert client.get("/pilot/cohort", query_string={"department": "99"}).status_code == 404


def test_national_pilot_sees_every_department(client, runner, cohort_world):
    figures = agir_cohort(runner)
    assert figures["size"] == len(MONTHS_AGO) + 1  # the member of Bouches-du-Rhône too
    html = page(client, "/pilot/cohort", "national@example.fr")
    assert "Cohortes — France entière" in html
    assert_page_equals_command(html, figures)
    html = page(client, "/pilot/cohort", department="13")
    assert_page_equals_command(html, agir_cohort(runner, "--department", "13"))
    assert "<strong>&lt; 5</strong>" in html  # a cohort of one member: its size is masked too


@pytest.mark.parametrize("email", ["pilot@example.fr", "sw@example.fr", "ro@example.fr", "admin@example.fr"])
def test_other_roles_do_not_get_the_scope_cohort_page(client, cohort_world, email):
    assert f.login(client, email).status_code == 302
    assert client.get("/pilot/cohort").status_code in (403, 404)


def test_charts_point_to_their_table_and_tables_are_described(client, cohort_world):
    html = page(client, "/pilot/", "pilot@example.fr")
    for key in MILESTONES:
        canvas = re.search(rf'<canvas data-cohort-milestone="{key}"[^>]*>', html, re.S).group(0)
        assert 'role="img"' in canvas and f'aria-describedby="cohorte-{key}-desc"' in canvas
        description = html[html.index(f'id="cohorte-{key}-desc"'):]
        assert f'href="#cohorte-{key}-table"' in description[:description.index("</p>")]
        table_html = html[html.index(f'id="cohorte-{key}-table"'):]
        assert "<caption>" in table_html[:300] and table_html.count('scope="col"', 0, 1500) == 5


def test_cohort_page_in_english(client, cohort_world):
    assert f.login(client, "regional@example.fr").status_code == 302
    html = client.get("/pilot/cohort", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for text in ("Cohorts — 75 Nouvelle-Aquitaine", "Members observed", "Kaplan–Meier estimate",
                 "Share of the members observed", "Statistical secrecy"):
        assert text in html, text
