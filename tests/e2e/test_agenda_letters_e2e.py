"""The convocation button and the calendar feed panel in a real browser (issue 17 items 3 and 4), at 1366 px:
axe-core clean (no serious or critical violation) on the pages that show them; the button downloads the PDF with
its safe name; the feed's URL is shown once, copied by « Copier », answers an .ics, and 404s once revoked."""
from datetime import timedelta

from playwright.sync_api import expect

from agir.extensions import db
from agir.operations.appointments import paris_now
from tests import factories
from tests.e2e.conftest import browser_login, shot
from tests.e2e.test_accessibility import FAILING, axe_page, describe, violations  # noqa: F401 (the fixture)


def _axe(page, failures, label):
    serious = [v for v in violations(page) if v["impact"] in FAILING]
    if serious:
        failures.append(f"{label}:\n{describe(serious)}")


def test_convocation_button_and_feed_panel(axe_page, world):  # noqa: F811
    page = axe_page
    start = (paris_now() + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    person = factories.make_person(world.department, world.agir, last_name="Karimi", first_name="Ahmad")
    factories.add_language(person, "arb")
    appointment = factories.make_appointment(person, world.agir, start=start, minutes=45, status="planned",
                                             interpreter="prs", referent=world.users.social_worker)
    db.session.commit()
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    failures: list[str] = []

    page.goto(page.base + f"/agenda/?view=week&day={start.date().isoformat()}")
    button = page.locator(f"a[data-convocation='{appointment.id}']")
    expect(button).to_contain_text("Convocation (PDF)")
    _axe(page, failures, "semaine")
    shot(page, "agenda-convocation-week")
    page.goto(page.base + f"/agenda/persons/{person.id}")
    _axe(page, failures, "rendez-vous de la personne")
    shot(page, "agenda-convocation-person")
    with page.expect_download() as download:
        page.locator(f"a[data-convocation='{appointment.id}']").click()
    assert download.value.suggested_filename == f"convocation-Karimi-Ahmad-{start:%Y-%m-%d}-fra-prs.pdf"
    page.goto(page.base + f"/persons/{person.id}")
    expect(page.locator(f"a[data-convocation='{appointment.id}']")).to_be_visible()
    _axe(page, failures, "dossier")

    page.goto(page.base + "/agenda/")
    page.get_by_role("link", name="Mon agenda dans mon téléphone").click()
    expect(page.locator("#feed-state")).to_contain_text("pas de lien d’agenda actif")
    _axe(page, failures, "flux (sans lien)")
    page.get_by_role("button", name="Créer mon lien d’agenda").click()
    field = page.locator("#feed-url")
    url = field.input_value()
    assert "/agenda/feed/" in url and url.endswith(".ics")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base)
    page.wait_for_load_state("load")  # copy.js listens once it has run: under load the button came first
    page.get_by_role("button", name="Copier").click()
    expect(page.locator("#feed-copy-status")).to_have_text("Lien copié.")
    assert page.evaluate("navigator.clipboard.readText()") == url
    _axe(page, failures, "flux (lien créé)")
    shot(page, "agenda-feed-created")
    ics = page.request.get(url)
    assert ics.status == 200 and "BEGIN:VCALENDAR" in ics.text() and "A. K." in ics.text()
    assert "Karimi" not in ics.text()

    page.goto(page.base + "/agenda/feed")
    assert url not in page.content()  # shown once
    expect(page.locator("#feed-state")).to_contain_text("Lien actif depuis le")
    _axe(page, failures, "flux (actif)")
    shot(page, "agenda-feed-active")
    page.get_by_role("button", name="Révoquer le lien").click()
    expect(page.locator("#feed-state")).to_contain_text("pas de lien d’agenda actif")
    assert page.request.get(url).status == 404
    assert not failures, "axe-core, violations graves :\n" + "\n".join(failures)
