"""The French login page in a real browser."""
from tests import factories
from tests.e2e.conftest import browser_login, shot


def test_login_page_renders_in_french_and_signs_in(page, world):
    page.goto(page.base + "/login")
    assert page.locator("h1").inner_text() == "Connexion à AGIR"
    shot(page, "login")
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    assert page.url.endswith("/persons/")


def test_login_failure_shows_french_message_next_to_field(page, world):
    browser_login(page, "sw@example.fr", "wrong password here")
    assert page.locator(".fr-error-text").inner_text() == "Adresse électronique ou mot de passe incorrect."
