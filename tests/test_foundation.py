"""The skeleton: health check, French error pages, login, CSRF, security headers."""
from tests import factories


def test_healthz_answers_ok_once_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_unknown_page_is_a_french_404(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_login_page_is_french_with_dsfr(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="fr"' in html and "Connexion à AGIR" in html and "vendor/dsfr/dsfr.min.css" in html


def test_login_then_home_redirects_to_role_space(client, world):
    response = factories.login(client, "sw@example.fr")
    assert response.status_code == 302
    assert client.get("/").headers["Location"].endswith("/persons/")


def test_wrong_password_and_unknown_account_get_the_same_message(client, world):
    wrong = factories.login(client, "sw@example.fr", "not the right password").get_data(as_text=True)
    unknown = factories.login(client, "nobody@example.fr", "not the right password").get_data(as_text=True)
    message = "Adresse électronique ou mot de passe incorrect."
    assert message in wrong and message in unknown


def test_post_without_csrf_token_is_400(client, world):
    response = client.post("/login", data={"email": "sw@example.fr", "password": factories.PASSWORD})
    assert response.status_code == 400


def test_security_headers_are_set(client):
    headers = client.get("/login").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_logout_is_a_post_and_ends_the_session(client, world):
    factories.login(client, "sw@example.fr")
    assert client.get("/logout").status_code == 405
    token = factories.csrf_token(client, "/persons/")
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/persons/").status_code == 302
