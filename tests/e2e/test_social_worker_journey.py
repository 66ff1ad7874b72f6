"""A social worker follows a person from creation to the 6-month follow-up, in a real browser.

The path is recorded after the fact (as a worker catching up on a file would): entry 14 months ago,
exit 7 months ago with a CDD of 8 months, so that the follow-up is due today. Screenshots are kept
in test-artifacts/ (social-worker-*.png).
"""
from datetime import date

from playwright.sync_api import expect

from agir.dates import add_months
from agir.extensions import db
from models import Accompaniment, HousingAccess, Person, RightStep
from tests import factories
from tests.e2e.conftest import ARTIFACTS, browser_login, shot

TODAY = date.today()
PROTECTED = add_months(TODAY, -15)
START = add_months(TODAY, -14)
EXIT = add_months(TODAY, -7)


def iso(day: date) -> str:
    return day.isoformat()


def test_social_worker_follows_a_person_from_creation_to_follow_up(page, world):
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    expect(page.locator("h1")).to_have_text("Mes personnes")
    expect(page.get_by_text("Aucune personne suivie pour l’instant")).to_be_visible()

    # 1. A new person, in a new household; the verdict appears as the dates are typed.
    page.get_by_role("link", name="Nouvelle personne").click()
    page.fill("#last_name", "Haidari")
    page.fill("#first_name", "Amina")
    page.select_option("#sex", "F")
    page.fill("#birth_on", "1995-03-02")
    page.fill("#nationality", "AFG")
    page.select_option("#status", "refugee")
    expect(page.locator("#first_permit_on")).to_be_hidden()  # only for non-BPI
    page.fill("#protection_on", iso(PROTECTED))
    page.fill("#arrival_on", iso(add_months(PROTECTED, 1)))
    page.select_option("#hosting", "cph")
    page.select_option("#language_level", "A1")
    verdict = page.locator("#eligibility-verdict")
    expect(verdict).to_contain_text("Éligible à un accompagnement AGIR")
    expect(verdict).to_contain_text("Entrée en AGIR possible jusqu’au")
    shot(page, "social-worker-1-new-person")
    page.get_by_role("button", name="Créer le dossier").click()
    expect(page.get_by_role("status")).to_contain_text("Le dossier de HAIDARI Amina est créé.")

    # 2. Enrolment, back-dated: the verdict and the proposed planned end follow the entry date. The page asks
    # the server for the verdict at that date (after a short pause in typing) and then fills the planned end:
    # wait for that answer, then for the field to hold the value (no fixed delay, see tests/e2e/conftest.py).
    # The page's script listens for the typing only once it has run: under load the status message of the new file
    # can be in the DOM before the deferred scripts (a run of e2e under load lost the request that way).
    page.wait_for_load_state("load")
    with page.expect_response(lambda r: "/persons/eligibility" in r.url and f"on={iso(START)}" in r.url) as answer:
        page.fill("#enrol-start", iso(START))
    assert answer.value.ok
    page.wait_for_function("([id, value]) => document.getElementById(id).value === value",
                           arg=["enrol-planned_end", iso(add_months(START, 12))])
    expect(page.locator("#enrol-planned_end")).to_have_value(iso(add_months(START, 12)))
    expect(verdict).to_contain_text(f"Verdict au {START:%d/%m/%Y}")
    shot(page, "social-worker-2-enrol")
    page.get_by_role("button", name="Inscrire Amina").click()
    expect(page.get_by_role("status")).to_contain_text("L'inscription est enregistrée.")
    expect(page.locator("#accompagnement")).to_contain_text("Accompagnement AGIR en cours")

    # 3. Two rights: health insurance requested, CAF benefits requested then obtained.
    right = page.locator("#droit-health_insurance")
    right.locator("summary").click()
    page.select_option("#right-health_insurance-state", "requested")
    expect(page.locator("#right-health_insurance-obtained")).to_be_hidden()
    page.fill("#right-health_insurance-requested", iso(add_months(START, 1)))
    right.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#droit-health_insurance .fr-badge")).to_have_text("Demandé")

    right = page.locator("#droit-caf_benefits")
    right.locator("summary").click()
    page.select_option("#right-caf_benefits-state", "obtained")
    page.fill("#right-caf_benefits-requested", iso(add_months(START, 1)))
    page.fill("#right-caf_benefits-obtained", iso(add_months(START, 2)))
    right.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#droit-caf_benefits .fr-badge")).to_have_text("Obtenu")
    page.locator("#droits").screenshot(path=str(ARTIFACTS / "social-worker-3-rights.png"))

    # 4. Housing: access to a social rental (permanent housing).
    housing = page.locator("#logement")
    housing.get_by_text("Ajouter un accès au logement").click()
    page.select_option("#housing-kind", "social_rental")
    page.fill("#housing-date", iso(add_months(START, 5)))
    housing.locator("form[action$='/housing/new'] button[type=submit]").click()
    expect(page.locator("#logement")).to_contain_text("Logement pérenne depuis le")

    # 5. Exit with a CDD of 8 months.
    page.get_by_role("link", name="Enregistrer la sortie").click()
    page.fill("#date", iso(EXIT))
    page.select_option("#reason", "goals_reached")
    expect(page.locator("#months")).to_be_hidden()  # no job chosen yet
    page.select_option("#job_kind", "cdd")
    page.fill("#months", "8")
    shot(page, "social-worker-4-exit")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Le suivi à 6 mois sera à faire à partir du")

    # 6. The follow-up is due: on the file and in the list.
    accompaniment = page.locator("#accompagnement")
    expect(accompaniment).to_contain_text("Suivi à 6 mois à faire")
    expect(accompaniment).to_contain_text("CDD de 8 mois")
    shot(page, "social-worker-5-file-followup-due")
    accompaniment.screenshot(path=str(ARTIFACTS / "social-worker-5b-accompaniment.png"))
    page.get_by_role("link", name="Mes personnes").first.click()
    expect(page.locator("#persons-table")).to_contain_text("Suivi à 6 mois à faire")
    shot(page, "social-worker-6-list")

    person = db.session.scalars(db.select(Person).where(Person.last_name == "Haidari")).one()
    acc = db.session.scalars(db.select(Accompaniment).where(Accompaniment.person_id == person.id)).one()
    assert (acc.start_on, acc.exit_on, acc.exit.job_kind, acc.exit.job_months) == (START, EXIT, "cdd", 8)
    rights = dict(db.session.execute(db.select(RightStep.kind, RightStep.state)).all())
    assert rights == {"health_insurance": "requested", "caf_benefits": "obtained"}
    assert db.session.scalars(db.select(HousingAccess.kind)).all() == ["social_rental"]


def test_the_file_passes_an_automated_accessibility_check(page, world):
    person = factories.make_person(world.department, world.agir, protection_on=add_months(TODAY, -3))
    factories.make_accompaniment(person, world.agir, start=add_months(TODAY, -2), planned_end=add_months(TODAY, 10))
    db.session.commit()
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    for url in (f"/persons/{person.id}", "/persons/", "/persons/new"):
        page.goto(page.base + url)
        page.add_script_tag(url="/static/vendor/axe/axe.min.js")
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                               .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '));
        }""")
        assert result == [], (url, result)
