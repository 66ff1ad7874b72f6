"""Issue 13, item 6, in a real browser: a note typed while the session expires survives the re-login, and the idle
warning offers « Rester connecté », which keeps the session. Screenshots: /tmp/shot-draft.png, /tmp/shot-idle.png
(and test-artifacts/nothing-lost-*.png)."""
import json
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from agir.extensions import db
from agir.web import security
from models import Note
from tests import factories
from tests.e2e.conftest import browser_login, shot

NOTE = "Entretien du jour : dossier CAF complet, rendez-vous Pôle emploi à prendre."


def drafts(page) -> str:
    return page.evaluate("() => window.sessionStorage.getItem('agir-drafts') || ''")


def sign_in_again(page):
    """The login page the expired session led to: sign in there (it redirects to `next`)."""
    expect(page.locator("h1")).to_have_text("Connexion à AGIR")
    page.fill("input[name=email]", "sw@example.fr")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_load_state()


def notes_of(person_id: int) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Note.text).where(Note.person_id == person_id)))


def test_a_note_typed_while_the_session_expires_is_restored_after_login_and_saved(page, world, app, monkeypatch):
    person = factories.make_person(world.department, world.agir)
    db.session.commit()
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    page.goto(f"{page.base}/persons/{person.id}")
    page.locator("summary", has_text="Écrire une note").click()
    page.fill("#note-text", NOTE)
    stored = drafts(page)
    assert NOTE in stored and "csrf_token" not in stored  # kept as typed, never the token

    # The idle timeout passes while the note is being written; then it is sent.
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT", timedelta(0))
    page.locator("form[action$='/notes/new'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Votre session a expiré. Reconnectez-vous.")).to_be_visible()
    assert notes_of(person.id) == []
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT", timedelta(minutes=60))

    sign_in_again(page)
    assert page.url.split("#")[0].endswith(f"/persons/{person.id}")
    restored = page.locator("#agir-draft-restored")
    expect(restored).to_be_visible()
    expect(restored).to_contain_text("Votre saisie a été restaurée")
    expect(restored).to_be_focused()
    expect(page.locator("#note-text")).to_have_value(NOTE)
    page.screenshot(path="/tmp/shot-draft.png", full_page=False)
    shot(page, "nothing-lost-draft")

    page.locator("form[action$='/notes/new'] button[type=submit]").click()
    expect(page.get_by_role("status").filter(has_text="La note est enregistrée.")).to_be_visible()
    assert notes_of(person.id) == [NOTE]
    # The draft is forgotten once saved (by the script of the page the save led to).
    page.wait_for_function("() => !(window.sessionStorage.getItem('agir-drafts') || '').includes('Entretien')")
    page.reload()
    expect(page.locator("#agir-draft-restored")).to_have_count(0)


def test_a_form_sent_without_its_session_cookie_comes_back_filled(page, world):
    person = factories.make_person(world.department, world.agir)
    db.session.commit()
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    page.goto(f"{page.base}/persons/{person.id}/notes/new")
    page.fill("#note-date", "2024-03-05")
    page.fill("#note-text", NOTE)
    page.context.clear_cookies()  # the session is gone (browser restarted, cookie expired…)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    sign_in_again(page)
    assert page.url.endswith(f"/persons/{person.id}/notes/new")
    expect(page.locator("#note-text")).to_have_value(NOTE)
    expect(page.locator("#note-date")).to_have_value("2024-03-05")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status").filter(has_text="La note est enregistrée.")).to_be_visible()
    assert notes_of(person.id) == [NOTE]


def test_a_draft_is_never_restored_for_another_account(page, world):
    person = factories.make_person(world.department, world.agir)
    db.session.commit()
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    page.goto(f"{page.base}/persons/{person.id}/notes/new")
    page.fill("#note-text", NOTE)
    page.context.clear_cookies()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    # Someone else signs in on the same tab: the draft is not theirs.
    page.fill("input[name=email]", "ro@example.fr")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_load_state()
    assert NOTE not in drafts(page)


def test_the_idle_warning_appears_and_stay_signed_in_keeps_the_session(page, world, app, monkeypatch):
    # Idle timeout of 2 min 3 s: the warning (2 minutes before) appears 3 seconds after the page.
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT", timedelta(seconds=123))
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    page.goto(page.base + "/account")
    warning = page.locator("#agir-session")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Votre session va expirer dans 2 minutes")
    assert warning.get_attribute("role") == "alertdialog"
    stay = page.get_by_role("button", name="Rester connecté")
    expect(stay).to_be_focused()  # the focus goes to the way out
    page.screenshot(path="/tmp/shot-idle.png", full_page=False)
    shot(page, "nothing-lost-idle")

    # The server's clock moves on 100 s; « Rester connecté » then restarts the idle clock there.
    real = security._now
    monkeypatch.setattr(security, "_now", lambda: real() + 100)
    stay.click()
    expect(warning).to_be_hidden()
    # 200 s after the page: without the click the session (123 s) would have ended.
    monkeypatch.setattr(security, "_now", lambda: real() + 200)
    page.reload()
    expect(page.locator("h1")).not_to_have_text("Connexion à AGIR")
    assert "/login" not in page.url


def test_the_expired_notice_leads_to_login_and_back_with_the_draft(page, world, app, monkeypatch):
    person = factories.make_person(world.department, world.agir)
    db.session.commit()
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT", timedelta(seconds=3))
    page.goto(f"{page.base}/persons/{person.id}/notes/new")
    page.fill("#note-text", NOTE)
    again = page.get_by_role("link", name="Se reconnecter")
    expect(again).to_be_visible()  # after 3 s without a request: the session has ended
    expect(page.locator("#agir-session")).to_contain_text("Votre session a expiré")
    again.click()
    page.wait_for_load_state()
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT", timedelta(minutes=60))
    sign_in_again(page)
    assert page.url.endswith(f"/persons/{person.id}/notes/new")
    expect(page.locator("#note-text")).to_have_value(NOTE)
    assert json.loads(drafts(page))  # still kept until it is sent
