"""ProConnect in a real browser (issue 20), against the OpenID Connect provider the test serves on 127.0.0.1
(tests/oidc_provider.py): the button, the round trip, the pilot's space, logout at the provider; then each refusal
on its French page — wrong signature, replayed state, wrong nonce, expired token, unknown e-mail."""
import pytest

from tests.e2e.conftest import shot
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider


@pytest.fixture
def provider(app, monkeypatch):
    p = Provider()
    p.start()
    monkeypatch.setitem(app.config, "PROCONNECT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setitem(app.config, "PROCONNECT_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setitem(app.config, "PROCONNECT_DISCOVERY_URL", p.discovery_url)
    yield p
    p.stop()


def click_proconnect(page):
    page.goto(page.base + "/login")
    with page.expect_navigation():
        page.get_by_role("link", name="S’identifier avec ProConnect").click()
    page.wait_for_load_state()


def test_a_pilot_signs_in_with_proconnect_and_out_at_the_provider_too(page, world, provider):
    page.goto(page.base + "/login")
    shot(page, "proconnect-login")
    click_proconnect(page)
    assert page.url == page.base + "/pilot/"  # its own space, no second factor asked on top of ProConnect
    assert "Erreur" not in page.title()
    shot(page, "proconnect-pilot")
    page.get_by_role("button", name="Se déconnecter").first.click()
    page.wait_for_url(page.base + "/login")  # through the provider's end_session
    assert provider.logouts and provider.logouts[-1]["post_logout_redirect_uri"] == page.base + "/login"
    page.goto(page.base + "/pilot/")
    assert page.url.startswith(page.base + "/login")


def refusal(page, text):
    assert page.locator("h1").inner_text() == "Connexion avec ProConnect refusée"
    assert text in page.get_by_test_id("proconnect-refusal").inner_text()
    page.goto(page.base + "/account")
    assert page.url.startswith(page.base + "/login")  # nobody signed in


@pytest.mark.parametrize("mode, text", [
    ("signature", "n’est pas signé par ProConnect"),
    ("nonce", "ne correspond pas à cette demande de connexion (nonce)"),
    ("expired", "Le jeton d’identité reçu a expiré"),
])
def test_a_wrong_id_token_gets_a_french_page(page, world, provider, mode, text):
    provider.misbehave = mode
    click_proconnect(page)
    shot(page, f"proconnect-refused-{mode}")
    refusal(page, text)


def test_an_unknown_email_gets_a_french_page(page, world, provider):
    provider.identity["email"] = "agent.inconnu@ddets.gouv.fr"
    click_proconnect(page)
    shot(page, "proconnect-refused-unknown")
    refusal(page, "Aucun compte AGIR actif n’est ouvert à l’adresse agent.inconnu@ddets.gouv.fr")


def test_a_replayed_state_gets_a_french_page(page, world, provider):
    click_proconnect(page)
    assert page.url == page.base + "/pilot/"
    callback = provider.last_redirect
    page.get_by_role("button", name="Se déconnecter").first.click()
    page.wait_for_url(page.base + "/login")  # through the provider's end_session
    page.goto(callback)  # the provider's answer, replayed
    shot(page, "proconnect-refused-replay")
    refusal(page, "déjà été utilisée")
