"""The pilot's cohort section (second version): members observed at each month, the Kaplan–Meier estimate
beside the share of the cohort, the median month of each milestone — observed on today's date."""
import html as markup
import re
from datetime import timedelta

import pytest

from agir.dates import add_months, today
from agir.extensions import db
from agir.indicators import CohortScope, compute_cohort
from tests import factories as f
from tests.indicators.helpers import accompaniment, person, right


@pytest.fixture
def recent_cohort(world):
    """Three members who entered 5 months, 1 month and 3 days ago: the later ones are censored early."""
    day = today()
    early, late, newest = add_months(day, -5), add_months(day, -1), day - timedelta(days=3)
    # early reaches health insurance at month 3, newest at entry, late never (and is observed 1 month only).
    for start, obtained in ((early, add_months(early, 2) + timedelta(days=1)), (late, None), (newest, newest)):
        p = person(world)
        accompaniment(p, world.agir, start)
        if obtained is not None:
            right(p, "health_insurance", obtained=obtained)
    db.session.commit()
    period = {"from": add_months(day, -6).isoformat(), "to": day.isoformat()}
    expected = compute_cohort(CohortScope(add_months(day, -6), day, world.department, as_of=day))
    return period, expected


def dashboard(client, period, **headers):
    assert f.login(client, "pilot@example.fr").status_code == 302
    response = client.get("/pilot/", query_string={**period, "recompute": "1"}, headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def table(html: str, key: str) -> list[list[str]]:
    """The body rows of a milestone's data table, as the cells' text."""
    body = html[html.index(f'data-cohort-table="{key}"'):]
    body = body[body.index("<tbody>"):body.index("</tbody>")]
    return [[markup.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_a_cohort_of_three_is_published_masked_month_by_month(client, recent_cohort):
    # Issue 19: counts of 1 to 4 are masked (« < 5 »), and so are the shares computed on them (« s »).
    period, expected = recent_cohort
    html = dashboard(client, period)
    assert expected["size"] == 3
    # 3 observed at month 0 (the newest entered 3 days ago), 2 at month 1, 1 up to month 5, nobody after.
    assert expected["observed"][:2] == [3, 2] and expected["observed"][6:] == [0] * 7
    # Month 3: 2 of the 3 members have reached it (66.7 %), but of those still observed (early) every one
    # has: the Kaplan–Meier estimate is 100 % (S = 2/3 after month 0, × 0/1 at month 3) — not published.
    assert expected["milestones"]["health_insurance"][3] == 0.6667 and expected["km"]["health_insurance"][3] == 1.0
    assert "<th scope=\"col\">Membres observés</th>" in html
    rows = table(html, "health_insurance")
    assert [row[0] for row in rows] == [str(m) for m in range(13)]
    for m, row in enumerate(rows):
        observed = expected["observed"][m]
        if observed:
            assert row[1:] == ["< 5", "s", "s", "s"], m
        else:  # nobody observed: no share, no estimate; the whole cohort's share stays masked
            assert row[1:] == ["0", "—", "—", "s"], m
    assert "100,0 %" not in html and "66,7 %" not in html


def test_median_month_per_milestone(client, recent_cohort):
    period, expected = recent_cohort
    html = dashboard(client, period)
    median = expected["median_months"]["health_insurance"]
    assert median is not None and 0 < expected["observed"][median] < 5
    table_html = html[html.index('id="cohorte-medianes"'):]
    table_html = table_html[:table_html.index("</table>")]
    # The median falls on a month of 1 to 4 members observed: masked; CAF is never reached.
    assert re.search(r'<td data-median="health_insurance"><abbr[^>]*>s</abbr></td>', table_html)
    assert '<td data-median="caf_benefits">Médiane non atteinte</td>' in table_html


def test_cohort_section_in_english(client, recent_cohort):
    period, _expected = recent_cohort
    html = dashboard(client, period, **{"Accept-Language": "en"})
    assert "Members observed" in html and "Median not reached" in html and "Kaplan–Meier estimate" in html
