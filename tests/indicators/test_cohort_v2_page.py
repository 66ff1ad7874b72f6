"""The pilot's cohort section (second version): members observed at each month, the Kaplan–Meier estimate
beside the share of the cohort, the median month of each milestone — observed on today's date."""
import re
from datetime import timedelta

import pytest

from agir.dates import add_months, today
from agir.extensions import db
from agir.indicators import CohortScope, compute_cohort
from agir.indicators.layout import format_value
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


def test_rights_table_shows_observed_members_share_and_estimate_month_by_month(client, recent_cohort):
    period, expected = recent_cohort
    html = dashboard(client, period)
    assert expected["size"] == 3
    # 3 observed at month 0 (the newest entered 3 days ago), 2 at month 1, 1 up to month 5, nobody after.
    assert expected["observed"][:2] == [3, 2] and expected["observed"][6:] == [0] * 7
    # Month 3: 2 of the 3 members have reached it (66.7 %), but of those still observed (early) every one
    # has: the Kaplan–Meier estimate is 100 % (S = 2/3 after month 0, × 0/1 at month 3).
    assert expected["milestones"]["health_insurance"][3] == 0.6667 and expected["km"]["health_insurance"][3] == 1.0
    assert "<th scope=\"col\" rowspan=\"2\">Membres observés</th>" in html
    rows = re.findall(r"<tr><th scope=\"row\">(\d+)</th><td>([^<]*)</td>\s*((?:<td>[^<]*</td>)+)</tr>", html)
    rights = rows[:13]                                 # the first table: health insurance, CAF, bank account
    assert [int(month) for month, _observed, _cells in rights] == list(range(13))
    for (month, observed, cells) in rights:
        m = int(month)
        assert observed == format_value(expected["observed"][m])
        shown = re.findall(r"<td>([^<]*)</td>", cells)
        wanted = []
        for key in ("health_insurance", "caf_benefits", "bank_account"):
            wanted += [format_value(expected["milestones"][key][m], "share", 1),
                       format_value(expected["km"][key][m], "share", 1)]
        assert shown == wanted, m
    assert rights[12][2].count("<td>—</td>") == 3      # no member observed at month 12: no estimate


def test_median_month_per_milestone(client, recent_cohort):
    period, expected = recent_cohort
    html = dashboard(client, period)
    median = expected["median_months"]["health_insurance"]
    assert median is not None
    table = html[html.index('id="cohorte-medianes"'):]
    table = table[:table.index("</table>")]
    assert f'<th scope="row">Assurance maladie</th>\n        <td>{median} mois</td>' in table
    assert '<th scope="row">CAF</th>\n        <td>Médiane non atteinte</td>' in table


def test_cohort_section_in_english(client, recent_cohort):
    period, _expected = recent_cohort
    html = dashboard(client, period, **{"Accept-Language": "en"})
    assert "Members observed" in html and "Median not reached" in html and "Kaplan–Meier estimate" in html
