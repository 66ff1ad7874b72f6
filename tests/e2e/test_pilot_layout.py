"""The department pilot's dashboard on a 1366 × 768 laptop (issue 19 item 3): the compliance table's « Constat »
column and the « Bénéficiaires par structure » counts were cut off (the tables were wider than their column and
their last cells hidden past the right edge). Every cell of those tables now lies inside its table's container,
and the container does not need a horizontal scroll."""
from datetime import date, timedelta

import pytest

from agir.dates import add_months, today
from agir.extensions import db
from tests import factories
from tests.e2e.conftest import ARTIFACTS, browser_login, wait_bounds
from tests.e2e.test_accessibility import FAILING, describe, violations
from tests.indicators.helpers import accompaniment, participation, person

LONG_NAME = "Plateforme AGIR Bordeaux Métropole – Association Horizons Solidaires pour l'insertion"

CUT_CELLS = """(selector) => {
    const table = document.querySelector(selector);
    const box = table.closest('.fr-table__container');
    const edge = box.getBoundingClientRect();
    const cut = [];
    if (box.scrollWidth > box.clientWidth + 1) cut.push('container scrolls: ' + box.scrollWidth);
    table.querySelectorAll('th, td').forEach((cell) => {
        const r = cell.getBoundingClientRect();
        if (r.right > edge.right + 1 || r.left < edge.left - 1 || r.right > window.innerWidth)
            cut.push(cell.textContent.trim().slice(0, 40) + ' ends at ' + Math.round(r.right));
        if (cell.scrollWidth > cell.clientWidth + 1) cut.push(cell.textContent.trim().slice(0, 40) + ' overflows');
    });
    return cut;
}"""


@pytest.fixture
def crowded(world):
    """Open accompaniments past their planned end and their maximum length, in structures with long names."""
    long_structure = factories.make_structure(world.department, "agir_operator", ref="S-LONG", name=LONG_NAME)
    operator = factories.make_structure(world.department, "programme_operator", ref="S-LONG-2",
                                        name="Centre communautaire de santé et d'accès aux droits de Bordeaux Nord")
    programme = factories.make_programme(world.department, operator, theme="health", ref="PR-LONG",
                                         name="Santé pour tous", carif=None)
    day = today()
    for n in range(6):
        p = person(world, structure=long_structure, first_permit_on=date(2010, 1, 1) if n % 2 else None)
        start = add_months(day, -14 - n)
        accompaniment(p, long_structure, start, planned_end=add_months(start, 6))
        participation(p, programme, day - timedelta(days=60), day - timedelta(days=10), planned=10, attended=9)
    db.session.commit()
    return world


def test_compliance_and_structure_tables_are_not_cut_at_1366(browser, live_server, crowded):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.base = live_server
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        browser_login(page, "pilot@example.fr", factories.PASSWORD)
        page.goto(page.base + f"/pilot/?from={today().year}-01-01&to={today().year}-12-31")
        assert page.locator("#conformite-table tbody tr").count() >= 6
        assert page.locator("#structures-table tbody tr").count() >= 2
        cut = {}
        for selector, name in (("#conformite-table", "compliance"), ("#structures-table", "structures")):
            page.locator(selector).scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"pilot-dashboard-{name}-1366x768.png"))  # kept for a human
            cut[selector] = page.evaluate(CUT_CELLS, selector)
        assert cut == {"#conformite-table": [], "#structures-table": []}
    finally:
        context.close()


@pytest.fixture
def laptop(browser, live_server):
    """A 1366 × 768 page that lets axe-core be injected (as tests/e2e/test_accessibility.py)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 768}, bypass_csp=True)
    page = context.new_page()
    wait_bounds(page)
    page.base = live_server
    yield page
    context.close()


def test_scope_cohort_page_draws_its_charts_and_passes_axe_in_french_and_english(laptop, crowded):
    """A regional pilot's cohort page: six charts drawn, nothing cut at 1366 px, no serious axe-core violation."""
    page = laptop
    browser_login(page, "regional@example.fr", factories.PASSWORD)
    for language in ("fr", "en"):
        if language == "en":
            with page.expect_navigation():  # the language switch is a form: wait for the page it loads
                page.click("footer button:has-text('English')")
            page.wait_for_load_state()
        page.goto(page.base + "/pilot/cohort?department=33")
        page.wait_for_selector("canvas[data-drawn='true']")
        assert page.locator("canvas[data-drawn='true']").count() == 6
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        for key in ("health_insurance", "language_referral"):
            assert page.evaluate(CUT_CELLS, f"#cohorte-{key}-table") == []
        found = [v for v in violations(page) if v["impact"] in FAILING]
        assert found == [], describe(found)
        page.screenshot(path=str(ARTIFACTS / f"pilot-cohort-{language}.png"), full_page=True)
