"""The right-of-access page in a real browser: the social worker prints it (only the content goes to paper)
and downloads the JSON file."""
import json
from datetime import date

from agir.extensions import db
from models import Exit, Note
from tests import factories
from tests.e2e.conftest import browser_login, shot


def test_social_worker_prints_and_downloads_a_persons_data(page, world):
    person = factories.make_person(world.department, world.agir, last_name="Haidari", first_name="Amina",
                                   phone="06 12 34 56 78")
    acc = factories.make_accompaniment(person, world.agir, exit_on=date(2023, 6, 30))
    acc.exit = Exit(exit_on=date(2023, 6, 30), reason="goals_reached")
    db.session.add(Note(person=person, noted_on=date(2022, 9, 2), text="Premier entretien."))
    db.session.commit()
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    page.goto(page.base + f"/privacy/persons/{person.id}")
    assert page.locator("h1").inner_text() == "Vos données personnelles dans AGIR"
    assert "Premier entretien." in page.locator("main").inner_text()
    shot(page, "privacy-access-page")

    page.emulate_media(media="print")
    assert not page.locator("header.fr-header").is_visible()
    assert not page.locator("button[data-action=print]").is_visible()
    assert page.locator("h2:has-text('Le traitement de vos données')").is_visible()
    shot(page, "privacy-access-page-print")
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.click("a:has-text('Télécharger les données (JSON)')")
    assert download.value.suggested_filename == f"agir-droit-acces-{person.ref}.json"
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert (data["person"]["last_name"], data["person"]["phone"]) == ("Haidari", "06 12 34 56 78")
