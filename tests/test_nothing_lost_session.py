"""Issue 13, item 6, server side of « a session that expires while a note is typed loses the note »:
« Rester connecté » (a POST with the CSRF token) moves the idle clock; a form sent after the session ended goes to
the login page with next = the form's page (where the draft script restores what was typed), whether the session
timed out or its cookie is gone — before, the first came back to the POST's URL (405 after login) and the second
was a bare 400 page."""
from urllib.parse import parse_qs, urlsplit

import pytest

from agir.extensions import db
from tests import factories

PAGE = "/account"


def shift(client, key: str, seconds: float) -> None:
    with client.session_transaction() as session:
        session[key] = session[key] - seconds


def signed_in(client) -> bool:
    return client.get(PAGE).status_code == 200


def keep_alive(client, token):
    return client.post("/session/keep-alive", headers={"X-CSRFToken": token, "Accept": "application/json"})


def next_of(response) -> str | None:
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    return parse_qs(location.query).get("next", [None])[0]


@pytest.fixture
def person(world):
    p = factories.make_person(world.department, world.agir)
    db.session.commit()
    return p


def test_every_signed_in_page_carries_the_idle_warning(client, world):
    factories.login(client, "sw@example.fr")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Votre session va expirer dans 2 minutes" in page and "Rester connecté" in page
    assert 'data-idle-seconds="3600"' in page and 'data-keep-alive-url="/session/keep-alive"' in page
    assert "js/session.js" in page and "js/drafts.js" in page
    assert "<script>" not in page  # no inline script (CSP)


def test_stay_signed_in_moves_the_idle_clock(client, world):
    factories.login(client, "sw@example.fr")
    token = factories.csrf_token(client, PAGE)
    shift(client, "seen_at", 58 * 60)            # the warning shows at 58 minutes of an hour
    response = keep_alive(client, token)
    assert response.status_code == 200 and response.get_json() == {"expired": False, "idle_seconds": 3600}
    shift(client, "seen_at", 58 * 60)            # 116 minutes after the last page: still in, thanks to the click
    assert signed_in(client)


def test_stay_signed_in_needs_the_csrf_token(client, world):
    factories.login(client, "sw@example.fr")
    assert client.post("/session/keep-alive", headers={"Accept": "application/json"}).status_code == 400


def test_stay_signed_in_too_late_says_the_session_has_ended(client, world):
    factories.login(client, "sw@example.fr")
    token = factories.csrf_token(client, PAGE)
    shift(client, "seen_at", 61 * 60)
    response = keep_alive(client, token)
    assert response.status_code == 401 and response.get_json()["expired"] is True
    assert not signed_in(client)


def test_a_note_sent_after_the_idle_timeout_goes_to_login_then_back_to_the_file(client, world, person):
    factories.login(client, "sw@example.fr")
    file_page = f"/persons/{person.id}"
    token = factories.csrf_token(client, file_page)
    shift(client, "seen_at", 61 * 60)
    response = client.post(f"/persons/{person.id}/notes/new", headers={"Referer": f"http://localhost{file_page}"},
                           data={"csrf_token": token, "note-date": "2024-03-05", "note-text": "Entretien"})
    assert response.status_code == 302 and next_of(response) == file_page
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Votre session a expiré" in login_page and "data-agir-login" in login_page
    # Signing in again comes back to the form's page (where drafts.js puts the note back).
    token = factories.csrf_token(client, response.headers["Location"])
    again = client.post(response.headers["Location"], data={"csrf_token": token, "email": "sw@example.fr",
                                                             "password": factories.PASSWORD})
    assert again.status_code == 302 and again.headers["Location"] == file_page


def test_a_note_sent_without_its_session_cookie_goes_to_login_not_to_a_400(client, world, person):
    factories.login(client, "sw@example.fr")
    form_page = f"/persons/{person.id}/notes/new"
    token = factories.csrf_token(client, form_page)
    client.delete_cookie("session")
    response = client.post(form_page, headers={"Referer": f"http://localhost{form_page}"},
                           data={"csrf_token": token, "note-date": "2024-03-05", "note-text": "Entretien"})
    assert response.status_code == 302 and next_of(response) == form_page


def test_the_form_page_is_only_taken_from_this_site(client, world, person):
    factories.login(client, "sw@example.fr")
    token = factories.csrf_token(client, PAGE)
    shift(client, "seen_at", 61 * 60)
    response = client.post(f"/persons/{person.id}/notes/new", headers={"Referer": "https://evil.example/persons/1"},
                           data={"csrf_token": token, "note-text": "x"})
    assert response.status_code == 302 and next_of(response) is None


def test_a_post_without_token_while_signed_in_is_still_a_400(client, world, person):
    factories.login(client, "sw@example.fr")
    response = client.post(f"/persons/{person.id}/notes/new", data={"note-text": "x"})
    assert response.status_code == 400

