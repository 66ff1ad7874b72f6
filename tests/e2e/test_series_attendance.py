"""Session series and attendance grid in a real browser (issue 17, item 5): the series form with its preview and
the attendance grid at 1366 px, in French and English, driven from the keyboard, axe-core clean (no serious or
critical violation). Screenshots in test-artifacts/."""
from datetime import date

from sqlalchemy import select

from agir.extensions import db
from models import Participation, Session
from models.programme import Attendance
from tests import factories
from tests.e2e.conftest import browser_login, shot
from tests.e2e.test_accessibility import FAILING, axe_page, describe, violations  # noqa: F401 (the fixture)


def _serious(page) -> list[dict]:
    return [v for v in violations(page) if v["impact"] in FAILING]


def test_series_preview_and_attendance_grid_by_keyboard_fr_en(axe_page, world):  # noqa: F811
    page = axe_page
    for last, first in (("Rahimi", "Amina"), ("Tesfay", "Yonas"), ("Haidari", "Zahra")):
        person = factories.make_person(world.department, world.agir, last_name=last, first_name=first)
        db.session.add(Participation(person=person, programme=world.programme, start_on=date(2022, 4, 1),
                                     planned_hours=60))
    db.session.commit()
    programme_id = world.programme.id
    browser_login(page, "ro@example.fr", factories.PASSWORD)
    failures = []

    page.goto(page.base + f"/referrals/programmes/{world.programme.id}/series/new")
    page.fill("#first_on", "2022-05-02")
    page.fill("#last_on", "2022-06-30")
    page.focus("#weekdays-0")
    page.keyboard.press("Space")   # Monday
    page.focus("#weekdays-3")
    page.keyboard.press("Space")   # Thursday
    page.fill("#starts_at", "09:30")
    page.fill("#hours", "2,5")
    page.fill("#exceptions", "20/06/2022 - 24/06/2022")
    page.focus("button[value=preview]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#preview-title").inner_text().startswith("Aperçu : ")
    assert "Ascension" in page.locator("#preview-skipped").inner_text()
    failures += [f"series fr:\n{describe(v)}" for v in [_serious(page)] if v]
    shot(page, "series-preview-fr")

    page.focus("#create-series")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "séances créées" in page.content()
    grid = page.locator("a:has-text('Présences')").first
    grid.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.focus("input[name^=present-] >> nth=0")
    page.keyboard.press("Space")
    page.focus("input[name^=present-] >> nth=1")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the hours of the second row
    page.keyboard.type("1,5")
    failures += [f"grid fr:\n{describe(v)}" for v in [_serious(page)] if v]
    shot(page, "attendance-grid-fr")
    page.focus("#attendance-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Feuille de présence enregistrée." in page.content()
    db.session.remove()
    assert sorted(a.hours for a in db.session.query(Attendance)) == [1.5, 2.5]

    with page.expect_navigation():  # the language switch is a form: wait for the page it loads
        page.click("footer button:has-text('English')")
    page.wait_for_load_state()
    failures += [f"grid en:\n{describe(v)}" for v in [_serious(page)] if v]
    assert "Attendance of" in page.locator("h1").inner_text()
    shot(page, "attendance-grid-en")
    page.goto(page.base + f"/referrals/programmes/{world.programme.id}/series/new")
    page.fill("#first_on", "2022-06-30")
    page.fill("#last_on", "2022-05-02")
    page.fill("#hours", "0")
    page.fill("#exceptions", "01/05/2022 - 10/05/2022\n05/05/2022")
    with page.expect_navigation():
        page.click("button[value=preview]")
    text = page.content()
    assert "Tick at least one day of the week." in text and "Line 2: this exception overlaps" in text
    failures += [f"series en errors:\n{describe(v)}" for v in [_serious(page)] if v]
    shot(page, "series-errors-en")
    page.fill("#first_on", "2022-09-01")
    page.fill("#last_on", "2022-11-30")
    page.fill("#hours", "3")
    page.fill("#exceptions", "")
    page.click("label[for=weekdays-1]")
    with page.expect_navigation():
        page.click("button[value=preview]")
    assert "All Saints" in page.locator("#preview-skipped").inner_text() or \
        "Saints" in page.locator("#preview-skipped").inner_text()
    failures += [f"series en:\n{describe(v)}" for v in [_serious(page)] if v]
    shot(page, "series-preview-en")
    page.goto(page.base + f"/referrals/programmes/{world.programme.id}/attendance")
    failures += [f"matrix en:\n{describe(v)}" for v in [_serious(page)] if v]
    shot(page, "attendance-matrix-en")
    session_id = db.session.scalar(select(Session.id).where(Session.series_id.is_not(None)).order_by(Session.id))
    page.goto(page.base + f"/referrals/programmes/{programme_id}/sessions/{session_id}/edit")
    assert page.locator("#scope-1").count() == 1  # « this session and the following ones »
    failures += [f"occurrence en:\n{describe(v)}" for v in [_serious(page)] if v]
    shot(page, "occurrence-en")
    assert not failures, "axe-core, violations graves :\n" + "\n".join(failures)
