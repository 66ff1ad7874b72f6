"""A social worker corrects an exit typed wrongly, in a real browser, and finds the correction in the file's
history (« Correction : sortie », the reason, the date before → after). Screenshot: /tmp/shot-corrections.png
and test-artifacts/corrections-history.png."""
import shutil
from datetime import date, timedelta

from playwright.sync_api import expect

from agir.dates import add_months
from agir.extensions import db
from agir.operations import accompaniments as acc_ops
from models import User
from tests import factories
from tests.e2e.conftest import browser_login, shot

TODAY = date.today()
START = add_months(TODAY, -9)
WRONG_EXIT = TODAY - timedelta(days=40)
RIGHT_EXIT = TODAY - timedelta(days=33)


def test_an_exit_typed_wrongly_is_corrected_and_the_history_shows_it(page, world):
    person = factories.make_person(world.department, world.agir, last_name="Haidari", first_name="Amina",
                                   protection_on=START - timedelta(days=30))
    acc = factories.make_accompaniment(person, world.agir, start=START, planned_end=add_months(START, 12))
    acc_ops.record_exit(world.users.social_worker, acc, WRONG_EXIT, "goals_reached", job_kind="cdd", job_months=3)
    db.session.get(User, world.users.social_worker.id).display_name = "Awa Diallo"
    db.session.commit()

    browser_login(page, "sw@example.fr", factories.PASSWORD)
    page.goto(f"{page.base}/persons/{person.id}#accompagnement")
    section = page.locator("#accompagnement")
    expect(section).to_contain_text("Sortie le")
    shot(page, "corrections-file")
    section.get_by_role("link", name="Corriger la sortie").first.click()
    expect(page.locator("h1")).to_have_text("Corriger la sortie")
    expect(page.locator("#date")).to_have_value(WRONG_EXIT.isoformat())

    # The reason forgotten: refused next to its field, nothing lost.
    page.fill("#date", RIGHT_EXIT.isoformat())
    page.select_option("#job_kind", "cdi")
    expect(page.locator("#months")).to_be_hidden()  # no length for a CDI
    page.get_by_role("button", name="Enregistrer la correction").click()
    expect(page.locator("#correction_reason-error")).to_have_text("Indiquez le motif de la correction.")
    expect(page.locator("#date")).to_have_value(RIGHT_EXIT.isoformat())

    page.fill("#correction_reason", "Date de sortie mal saisie : elle a signé son CDI le " f"{RIGHT_EXIT:%d/%m/%Y}")
    page.get_by_role("button", name="Enregistrer la correction").click()
    expect(page.get_by_role("status")).to_contain_text("La sortie est corrigée.")
    expect(section).to_contain_text(f"{RIGHT_EXIT.day}")

    # The file's history shows the change first; the full history too, views only behind the filter.
    history = page.locator("#historique")
    expect(history).to_contain_text("Correction : sortie")
    page.get_by_role("link", name="Tout l’historique").click()
    first = page.locator("tbody tr").first
    expect(first).to_contain_text("Correction : sortie")
    expect(first).to_contain_text("Awa Diallo")
    expect(first).to_contain_text("Motif : « Date de sortie mal saisie")
    expect(first).to_contain_text(f"date de sortie : {WRONG_EXIT:%d/%m/%Y} → {RIGHT_EXIT:%d/%m/%Y}")
    expect(first).to_contain_text("emploi à la sortie : CDD → CDI")
    expect(page.locator("tbody")).not_to_contain_text("Consultation")
    path = shot(page, "corrections-history")
    shutil.copy(path, "/tmp/shot-corrections.png")
    page.locator("label[for=consultations]").click()  # the DSFR checkbox is drawn by its label
    page.get_by_role("button", name="Appliquer").click()
    expect(page.locator("tbody")).to_contain_text("Consultation (dossier)")
