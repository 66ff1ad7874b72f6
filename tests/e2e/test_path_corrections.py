"""A social worker cancels a job recorded by mistake, in a real browser: the file links to a cancellation page
that shows the line, the reason is required next to its field, then the job leaves the file and the history keeps
it. Screenshots: /tmp/shot-path.png (the cancellation page) and test-artifacts/path-cancel-*.png."""
import shutil
from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import func, select

from agir.extensions import db
from agir.operations import path as path_ops
from models import AuditEntry, Job
from tests import factories
from tests.e2e.conftest import browser_login, shot
from tests.e2e.test_accessibility import FAILING, axe_page, describe, violations  # noqa: F401 (a fixture)

TODAY = date.today()
JOB_DAY = TODAY - timedelta(days=30)


def test_a_job_recorded_by_mistake_is_cancelled_with_a_reason(page, world):
    person = factories.make_person(world.department, world.agir, last_name="Haidari", first_name="Amina",
                                   protection_on=TODAY - timedelta(days=400))
    factories.make_accompaniment(person, world.agir, start=TODAY - timedelta(days=100),
                                 planned_end=TODAY + timedelta(days=200))
    path_ops.add_job(world.users.social_worker, person, kind="cdd", date=JOB_DAY, months=6)
    db.session.commit()

    browser_login(page, "sw@example.fr", factories.PASSWORD)
    page.goto(f"{page.base}/persons/{person.id}#emploi")
    section = page.locator("#emploi")
    expect(section).to_contain_text("CDD")
    section.get_by_role("link", name="Annuler").first.click()
    expect(page.locator("h1")).to_have_text("Annuler un emploi")
    expect(page.locator("#current-line")).to_contain_text(f"CDD, début le {JOB_DAY:%d/%m/%Y}, 6 mois")

    # No reason: refused next to its field, nothing cancelled.
    page.get_by_role("button", name="Confirmer l’annulation").click()
    expect(page.locator("#cancel-correction_reason-error")).to_have_text("Indiquez le motif de l'annulation.")
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1

    page.fill("#cancel-correction_reason", "Emploi de son conjoint, saisi dans le mauvais dossier")
    path = shot(page, "path-cancel-page")
    shutil.copy(path, "/tmp/shot-path.png")
    page.get_by_role("button", name="Confirmer l’annulation").click()
    expect(page.get_by_role("status")).to_contain_text("La ligne est annulée")
    expect(page.locator("#emploi")).to_contain_text("Aucun emploi enregistré.")
    shot(page, "path-cancel-done")

    db.session.expire_all()
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "cancel_record")).one()
    assert entry.reason == "Emploi de son conjoint, saisi dans le mauvais dossier"
    assert entry.changes["before"] == {"kind": "cdd", "date": JOB_DAY.isoformat(), "months": 6}


def test_axe_finds_no_serious_violation_on_the_correction_pages(axe_page, world):  # noqa: F811
    """The job correction page with its errors, the cancellation page, the right correction page and the
    referral page with its correction forms (the programme's side): no serious or critical axe violation."""
    from agir.operations import referrals as ref_ops
    from tests.referrals_factories import make_referral
    person = factories.make_person(world.department, world.agir, last_name="Haidari", first_name="Amina",
                                   protection_on=TODAY - timedelta(days=400))
    factories.make_accompaniment(person, world.agir, start=TODAY - timedelta(days=100),
                                 planned_end=TODAY + timedelta(days=200))
    job = path_ops.add_job(world.users.social_worker, person, kind="cdd", date=JOB_DAY, months=6)
    path_ops.set_right(world.users.social_worker, person, "rsa", "requested", requested=JOB_DAY)
    world.programme.end_on = TODAY + timedelta(days=300)
    referral = make_referral(person, world.programme, "sent", sender=world.agir, sent_on=JOB_DAY)
    ref_ops.move_referral(world.users.referral_officer, referral, "accepted", JOB_DAY + timedelta(days=2))
    other = factories.make_programme(world.department, world.school, ref="PR-OTHER", end=None)
    unanswered = make_referral(person, other, "sent", sender=world.agir, sent_on=JOB_DAY)
    db.session.commit()
    page = axe_page
    failures = []
    for email, urls in (("sw@example.fr", [f"/persons/{person.id}/jobs/{job.id}/edit",
                                           f"/persons/{person.id}/jobs/{job.id}/cancel",
                                           f"/persons/{person.id}/rights/rsa/correct",
                                           f"/referrals/{unanswered.id}"]),
                        ("ro@example.fr", [f"/referrals/{referral.id}"])):
        page.context.clear_cookies()
        browser_login(page, email, factories.PASSWORD)
        for url in urls:
            page.goto(page.base + url)
            if url.endswith("/edit"):
                page.get_by_role("button", name="Enregistrer la correction").click()  # with its errors
                expect(page.locator("#job-correction_reason-error")).to_be_visible()
            if url.startswith("/referrals/"):
                page.get_by_role("button", name="Corriger une étape enregistrée par erreur").click()
                expect(page.locator("#undo-form, #withdraw-form").first).to_be_visible()
                shot(page, f"path-referral-corrections-{email.split('@')[0]}")
            found = [v for v in violations(page) if v["impact"] in FAILING]
            if found:
                failures.append(f"{url}:\n{describe(found)}")
    assert not failures, "axe-core, violations graves :\n" + "\n".join(failures)
