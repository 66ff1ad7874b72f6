"""The alerts inbox in a real browser: a social worker's alerts and badge, a referral officer's referrals."""
from agir import jobs
from tests import factories
from tests.e2e.conftest import browser_login, shot
from tests.jobs import scenario


def test_social_worker_reads_alerts_and_opens_a_file(page, world):
    people = scenario.build(world)
    jobs.run_alerts(scenario.AS_OF)
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    page.goto(page.base + "/alerts/")
    assert page.locator("h1").inner_text() == "Alertes"
    assert page.locator("#alerts-badge .fr-badge").inner_text() == "8"
    assert page.locator("#alerts-table tbody tr").count() == 8
    shot(page, "alerts-inbox-social-worker")
    page.select_option("#kind", "overdue")
    page.click("button:has-text('Filtrer')")
    assert page.locator("#alerts-table tbody tr").count() == 1
    shot(page, "alerts-inbox-filtered")
    link = page.locator("#alerts-table tbody tr a").first
    assert link.get_attribute("href") == f"/persons/{people.b.id}"


def test_referral_officer_sees_unanswered_referrals(page, world):
    scenario.build(world)
    jobs.run_alerts(scenario.AS_OF)
    browser_login(page, "ro@example.fr", factories.PASSWORD)
    page.goto(page.base + "/alerts/")
    assert page.locator("h1").inner_text() == "Orientations sans réponse"
    assert page.locator("#alerts-table tbody tr").count() == 1
    shot(page, "alerts-inbox-referral-officer")


def test_alerts_never_computed_can_be_computed_from_the_inbox(page, world, monkeypatch):
    scenario.build(world)
    monkeypatch.setattr("agir.jobs.paris_today", lambda: scenario.AS_OF)
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    page.goto(page.base + "/alerts/")
    assert "pas encore été calculées" in page.locator("main").inner_text()
    shot(page, "alerts-inbox-never-computed")
    page.click("button:has-text('Recalculer maintenant')")
    page.wait_for_load_state()
    assert page.locator("#alerts-table tbody tr").count() == 8
    assert page.locator("#alerts-badge .fr-badge").inner_text() == "8"
