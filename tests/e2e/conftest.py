"""End-to-end fixtures: the app served on a free port in a thread, and Debian's Chromium driven by Playwright.

Without /usr/bin/chromium the browser tests skip locally, but fail when AGIR_E2E_REQUIRED=1 (CI).
Screenshots are kept in test-artifacts/ for a human to look at.

Waits: a test never sleeps; it waits for the condition it needs (an element's text or value, a response, a URL)
through Playwright's auto-waiting `expect`, `wait_for_*` and `expect_response`. Each wait ends as soon as its
condition holds; WAIT_MS is only the bound after which a condition that never comes is reported, generous so
that a loaded machine (two cores shared with a benchmark) does not fail a correct page. One value for the
actions, the navigations and `expect` (whose own default, 5 s, is what made the journey flaky under load).
"""
import os
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("AGIR_CHROMIUM", "/usr/bin/chromium")
WAIT_MS = int(os.environ.get("AGIR_E2E_WAIT_MS", "60000"))
expect.set_options(timeout=WAIT_MS)


def wait_bounds(page) -> None:
    """The same bound for every kind of wait of this page (see the module's docstring)."""
    page.set_default_timeout(WAIT_MS)
    page.set_default_navigation_timeout(WAIT_MS)


@pytest.fixture
def live_server(app):
    """Base URL of the app served from a background thread (same database as the test)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium (never a browser downloaded by Playwright)."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("AGIR_E2E_REQUIRED") == "1":
            pytest.fail(f"Chromium introuvable ({CHROMIUM}) alors que AGIR_E2E_REQUIRED=1")
        pytest.skip("Chromium absent : apt-get install chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=fr-FR",
        ])
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page (French locale, laptop-sized window) with `page.base` = the live URL."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    wait_bounds(pg)
    pg.base = live_server
    yield pg
    context.close()


def shot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artefact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def browser_login(page, email: str, password: str) -> None:
    """Sign in through the login page."""
    page.goto(page.base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():  # the POST's answer, whatever it is (a wrong password stays on /login)
        page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_load_state()
    pass_second_factor(page, email)


def pass_second_factor(page, email: str) -> None:
    """Administrators and pilots (issue 20): the test factories' accounts type their code; an account not enrolled
    yet (the demo's) enrols through the page, reading the key shown for manual entry, and goes on."""
    import pyotp

    from tests import factories
    if page.url.endswith("/login/code"):
        factories.forget_last_totp_step(email)
        page.fill("input[name=code]", factories.totp_code())
        with page.expect_navigation():
            page.click("button[type=submit]:has-text('Valider le code')")
        page.wait_for_load_state()
    elif page.url.endswith("/account/totp") and page.locator("[data-testid=totp-secret]").count():
        secret = page.locator("[data-testid=totp-secret]").inner_text().replace(" ", "")
        page.fill("input[name=code]", pyotp.TOTP(secret).now())
        with page.expect_navigation():
            page.click("button[type=submit]:has-text('Activer')")
        with page.expect_navigation():
            page.click("text=J’ai noté mes codes, continuer")
        page.wait_for_load_state()
