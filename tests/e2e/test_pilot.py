"""The pilot's dashboard in a real browser: figures, objectives, cohort charts drawn by Chart.js, Annex sheet."""
from datetime import date, timedelta

import pytest

from agir.dates import add_months
from agir.extensions import db
from tests import factories
from tests.e2e.conftest import browser_login, shot
from tests.indicators.helpers import accompaniment, housing, job, participation, person, referral, right


@pytest.fixture
def department(world):
    """Thirty persons entered in 2022 at staggered dates, reaching milestones month after month."""
    health = factories.make_programme(world.department, world.school, theme="health", ref="PR-SANTE",
                                      name="Santé et bien-être", carif=None)
    for n in range(30):
        start = date(2022, 1, 3) + timedelta(days=11 * n)
        p = person(world, last_name=f"Secretnom{n}", sex="F" if n % 2 else "M",
                   nationality=("AFG", "SYR", "ERI", "UKR")[n % 4], birth_on=date(1990 + n % 12, 5, 1),
                   status="refugee" if n % 5 else "family", first_permit_on=date(2021, 6, 1))
        exit_on = add_months(start, 7) if n % 3 == 0 else None
        accompaniment(p, world.agir, start, planned_end=add_months(start, 6 + n % 6), exit_on=exit_on,
                      job="cdi" if n % 6 == 0 else None)
        right(p, "health_insurance", obtained=start + timedelta(days=10 + 6 * n))
        if n % 2:
            right(p, "caf_benefits", obtained=start + timedelta(days=40 + 9 * n))
        if n % 3:
            right(p, "bank_account", obtained=start + timedelta(days=20 + 4 * n))
        if n % 4 == 0:
            housing(p, "social_rental", add_months(start, 2 + n % 9))
        if n % 3 == 1:
            job(p, add_months(start, 3 + n % 7))
        referral(p, world.programme if n % 4 else health, start + timedelta(days=5 + 3 * n))
        participation(p, world.programme, start + timedelta(days=30), start + timedelta(days=150),
                      planned=100, attended=60 + n, level_start="A1", level_end="A2" if n % 2 else "A1")
    db.session.commit()
    return world


def test_pilot_sees_the_dashboard_with_cohort_charts(page, department):
    browser_login(page, "pilot@example.fr", factories.PASSWORD)
    page.goto(page.base + "/pilot/?from=2022-01-01&to=2022-12-31")
    assert page.locator("h1").inner_text() == "Tableau de bord — 33 Gironde"
    charts = page.locator("canvas[data-cohort-milestone]")
    assert charts.count() == 6  # one per milestone: observed share and Kaplan–Meier estimate
    page.wait_for_selector("canvas[data-drawn='true']")
    assert page.locator("canvas[data-drawn='true']").count() == 6
    box = charts.first.bounding_box()
    assert box["width"] > 300 and box["height"] > 200
    # Chart.js drew pixels: the canvas is not blank.
    assert page.evaluate("""() => {
        const c = document.querySelector('canvas[data-cohort-milestone]');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; }
        return false; }""")
    assert page.locator("text=Non atteint").count() >= 1
    assert "Secretnom" not in page.content()
    shot(page, "pilot-dashboard")


def test_pilot_prints_an_annex_sheet(page, department):
    browser_login(page, "pilot@example.fr", factories.PASSWORD)
    page.goto(page.base + "/pilot/programmes/?from=2022-01-01&to=2022-12-31")
    shot(page, "pilot-programmes")
    page.click("text=Fiche annexe de Français pour tous")
    assert page.locator("h1").inner_text() == "Fiche annexe — Français pour tous"
    shot(page, "pilot-annex")
    page.emulate_media(media="print")
    assert not page.locator("button[data-print]").is_visible()
    shot(page, "pilot-annex-print")


def test_the_pilots_pages_pass_an_automated_accessibility_check(page, department):
    browser_login(page, "pilot@example.fr", factories.PASSWORD)
    for url in ("/pilot/?from=2022-01-01&to=2022-12-31", "/pilot/programmes/?from=2022-01-01&to=2022-12-31",
                f"/pilot/programmes/{department.programme.id}/annex", "/pilot/settings", "/pilot/tokens"):
        page.goto(page.base + url)
        page.add_script_tag(url="/static/vendor/axe/axe.min.js")
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                               .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '));
        }""")
        assert result == [], (url, result)
