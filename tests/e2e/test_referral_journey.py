"""A referral travels from the social worker to the language school and back, in a real browser."""
from datetime import date, timedelta

from sqlalchemy import select

from agir.extensions import db
from models import Event, Participation, Referral
from tests import factories
from tests.e2e.conftest import browser_login, shot

TODAY = date.today()


def _logout(page):
    page.click("button:has-text('Se déconnecter')")
    page.wait_for_load_state()


def _dsfr_ready(page):
    """DSFR's script marks the root once its components (accordions…) are wired."""
    page.wait_for_selector("html[data-fr-js='true']", state="attached")


def _setup(world):
    world.programme.end_on = TODAY + timedelta(days=200)
    world.programme.sessions[0].held_on = TODAY - timedelta(days=20)
    person = factories.make_person(world.department, world.agir, last_name="Ahmadi", first_name="Farida",
                                   protection_on=TODAY - timedelta(days=300), phone="0611223344",
                                   language_level="A1")
    factories.make_accompaniment(person, world.agir, start=TODAY - timedelta(days=200),
                                 planned_end=TODAY + timedelta(days=150))
    db.session.commit()
    return person


def test_referral_journey_from_social_worker_to_programme_and_back(page, world):
    person = _setup(world)

    # The social worker refers Farida to the French course, from her file.
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    page.goto(f"{page.base}/persons/{person.id}")
    page.locator("a:has-text('Orienter vers un programme')").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/referrals/new?person_id={person.id}")
    assert page.locator("h1").inner_text() == "Orienter AHMADI Farida vers un programme"
    page.select_option("select[name=programme_id]", str(world.programme.id))
    page.fill("textarea[name=need]", "Cours de français pour préparer une formation d'aide à domicile")
    assert "caractères restants" in page.locator("[data-counter-for=need]").inner_text()
    shot(page, "referral-1-new-social-worker")
    page.click("button:has-text(\"Envoyer l'orientation\")")
    page.wait_for_load_state()
    assert "Orientation envoyée à École de langue" in page.locator(".fr-alert--success").inner_text()
    assert page.locator("[data-state=sent]").first.is_visible()
    _logout(page)

    # The referral officer finds it first in the queue, accepts and starts it.
    browser_login(page, "ro@example.fr", factories.PASSWORD)
    page.goto(f"{page.base}/referrals/")
    first_row = page.locator("#queue tbody tr").first
    assert "AHMADI Farida" in first_row.inner_text() and first_row.get_attribute("data-state") == "sent"
    shot(page, "referral-2-queue-referral-officer")
    first_row.locator("a:has-text('Répondre')").click()
    page.wait_for_load_state()
    page.click("form[action$='/accepted'] button[type=submit]")
    page.wait_for_load_state()
    assert "Orientation acceptée." in page.locator(".fr-alert--success").inner_text()
    page.click("form[action$='/started'] button[type=submit]")
    page.wait_for_load_state()
    assert "Participation démarrée." in page.locator(".fr-alert--success").inner_text()
    shot(page, "referral-3-started")

    # On the limited view, the school records hours and levels, and a cultural outing.
    page.click("#person-link")
    page.wait_for_load_state()
    part_id = db.session.scalar(select(Participation.id).where(Participation.person_id == person.id))
    _dsfr_ready(page)
    page.click(f"button[aria-controls=edit-{part_id}]")
    page.locator(f"input[name=p{part_id}-planned_hours]").wait_for(state="visible")
    page.fill(f"input[name=p{part_id}-planned_hours]", "100")
    page.fill(f"input[name=p{part_id}-attended_hours]", "85")
    page.select_option(f"select[name=p{part_id}-level_end]", "A2")
    page.click("button:has-text('Enregistrer la participation')")
    page.wait_for_load_state()
    card = page.locator(f"#participation-{part_id}")
    assert "85 h suivies sur 100 h prévues" in card.inner_text() and card.locator("[data-assiduous]").is_visible()
    assert "A1 → A2" in card.inner_text()
    event_ref = page.locator("[data-event-ref]")
    page.select_option("select[name=kind]", "medical_consultation")
    assert not event_ref.is_visible()  # only sport and cultural events carry an id
    page.select_option("select[name=kind]", "cultural_event")
    assert event_ref.is_visible()
    page.fill("input[name=event_ref]", "MUSEE-AQUITAINE")
    page.click("button:has-text(\"Enregistrer l'événement\")")
    page.wait_for_load_state()
    assert "MUSEE-AQUITAINE" in page.locator("#events").inner_text()
    shot(page, "referral-4-limited-view-hours-levels")
    assert "Notes" not in page.locator("main").inner_text()

    # Back on the referral: completed.
    page.click("a.fr-btn:has-text('Ouvrir')")
    page.wait_for_load_state()
    page.click("form[action$='/completed'] button[type=submit]")
    page.wait_for_load_state()
    assert "Participation terminée." in page.locator(".fr-alert--success").inner_text()
    _logout(page)

    # The social worker sees every step of the referral.
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    page.goto(f"{page.base}/referrals/")
    row = page.locator("#queue tbody tr").first
    assert row.get_attribute("data-state") == "completed"
    row.locator("a:has-text('Ouvrir')").click()
    page.wait_for_load_state()
    steps = page.locator("#steps").inner_text()
    for state in ("Envoyée", "Acceptée", "Démarrée", "Terminée"):
        assert state in steps
    outcome = page.locator("#participation").inner_text()
    assert "85 h suivies sur 100 h prévues" in outcome and "A1 → A2" in outcome
    shot(page, "referral-5-completed-social-worker")

    db.session.expire_all()
    referral = db.session.scalar(select(Referral))
    participation = db.session.get(Participation, part_id)
    assert (referral.state, referral.completed_on) == ("completed", TODAY)
    assert (participation.end_on, participation.attended_hours, participation.level_end) == (TODAY, 85, "A2")
    assert db.session.scalar(select(Event.programme_id).where(Event.event_ref == "MUSEE-AQUITAINE")) == \
        world.programme.id


def test_catalogue_referral_officer_adds_a_programme_and_its_sessions(page, world):
    browser_login(page, "ro@example.fr", factories.PASSWORD)
    page.goto(f"{page.base}/referrals/programmes")
    assert "Français pour tous" in page.locator("#catalogue").inner_text()
    page.click("a:has-text('Nouveau programme')")
    page.wait_for_load_state()
    page.fill("input[name=name]", "Français à visée professionnelle — BTP")
    page.select_option("select[name=theme]", "professional_french")
    page.fill("input[name=start_on]", "2026-01-05")
    page.fill("input[name=end_on]", "2026-12-18")
    page.fill("input[name=target_beneficiaries]", "24")
    page.fill("input[name=total_cost]", "48000")
    page.fill("input[name=p104_subsidy]", "36000")
    shot(page, "referral-6-new-programme")
    page.click("button:has-text('Enregistrer')")
    page.wait_for_load_state()
    assert page.locator("#carif-warning").is_visible()  # no CARIF-OREF reference: flagged (§3.5)
    page.fill("input[name=held_on]", "2026-02-02")
    page.fill("input[name=hours]", "3.5")
    page.click("button:has-text('Ajouter la séance')")
    page.wait_for_load_state()
    assert "02/02/2026" in page.locator("#sessions").inner_text()
    assert "3,5 h au total" in page.locator("main").inner_text()
    shot(page, "referral-7-programme-sessions")
    page.goto(f"{page.base}/referrals/programmes")
    row = page.locator("#catalogue tr", has_text="BTP")
    assert "RÉFÉRENCE MANQUANTE" in row.inner_text().upper()
    shot(page, "referral-8-catalogue")
