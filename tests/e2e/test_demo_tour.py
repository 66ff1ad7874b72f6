"""A tour of the demo in a real browser: each demo account signs in and lands on its space, in French."""
import pytest

from agir.demo.demo import DEFAULT_PASSWORD, load_demo
from agir.extensions import db
from tests.e2e.conftest import browser_login, shot

ACCOUNTS = [
    ("referente.parcours@demo.example.org", "/persons/", "social_worker"),
    ("charge.orientation@demo.example.org", "/referrals/", "referral_officer"),
    ("pilote.gironde@demo.example.org", "/pilot/", "pilot"),
    ("admin@demo.example.org", "/admin/", "admin"),
]


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo()
        db.session.remove()


@pytest.mark.parametrize("email, space, role", ACCOUNTS)
def test_each_demo_account_lands_on_its_space(page, demo, email, space, role):
    browser_login(page, email, DEFAULT_PASSWORD)
    assert page.url.startswith(page.base + space)
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Erreur" not in page.title()
    shot(page, f"demo-{role}")


def test_the_social_worker_finds_demo_files_at_every_stage(page, demo):
    browser_login(page, ACCOUNTS[0][0], DEFAULT_PASSWORD)
    # Not enrolled yet, enrolled this month, over the maximum length, eligibility closing.
    for name in ("Ahmadi", "Haroun", "Mansour", "Khalil"):
        page.goto(page.base + "/persons/")
        page.get_by_label("Rechercher un nom").fill(name)
        page.get_by_role("button", name="Rechercher").click()
        page.wait_for_load_state()
        assert name.upper() in page.locator("main table").inner_text().upper(), name
    page.get_by_role("link", name="Khalil", exact=False).first.click()
    page.wait_for_load_state()
    assert "Durée maximale dépassée".upper() in page.locator("main").inner_text().upper()
    shot(page, "demo-social-worker-file")
