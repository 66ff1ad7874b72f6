"""The agenda in a real browser (issue 17): the week of a référent on a 1366 px laptop, axe-core clean (no serious
or critical violation) on the week, day, list, person and reminders pages, an appointment booked with its errors
next to the fields, and the outcome given from the keyboard alone."""
from datetime import timedelta

from agir.extensions import db
from agir.operations.appointments import paris_now
from tests import factories
from tests.e2e.conftest import browser_login
from tests.e2e.test_accessibility import FAILING, axe_page, describe, violations  # noqa: F401 (the fixture)

SHOT = "/tmp/shot-agenda.png"


def _week(world):
    now = paris_now()
    monday = (now - timedelta(days=now.weekday())).replace(hour=9, minute=0)
    colleague = factories.make_user("social_worker", world.agir, email="colleague@example.fr")
    colleague.display_name = "Claire Martin"
    world.users.social_worker.display_name = "Sami Benali"
    people = [factories.make_person(world.department, world.agir, last_name=name, first_name=first)
              for name, first in (("Rahimi", "Amina"), ("Haidari", "Zahra"), ("Tesfay", "Yonas"), ("Ahmadi", "Omid"))]
    rows = [(people[0], monday, 60, "first_interview", "on_site", "prs", world.users.social_worker),
            (people[1], monday + timedelta(days=1, hours=2), 45, "follow_up", "phone", None, world.users.social_worker),
            (people[2], monday + timedelta(days=2, hours=5), 90, "diagnostic", "on_site", "tir", colleague),
            (people[3], monday + timedelta(days=3, hours=1), 30, "contract_signature", "video", "pus",
             world.users.social_worker),
            (people[0], monday + timedelta(days=4, hours=4), 60, "follow_up", "home_visit", "prs", colleague)]
    made = []
    for person, start, minutes, kind, mode, interpreter, referent in rows:
        status = "planned"
        made.append(factories.make_appointment(person, world.agir, start=start, minutes=minutes, kind=kind,
                                               mode=mode, status=status, interpreter=interpreter, referent=referent))
    past = factories.make_appointment(people[1], world.agir, start=now - timedelta(hours=1), minutes=30,
                                      kind="follow_up", mode="on_site", status="planned",
                                      referent=world.users.social_worker)
    db.session.commit()
    return people, past


def test_week_of_the_structure_is_axe_clean_and_fits_a_laptop(axe_page, world):  # noqa: F811
    page = axe_page
    people, past = _week(world)
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    failures = []
    for url in ("/agenda/?view=week&scope=structure", "/agenda/?view=week", "/agenda/?view=day&scope=structure",
                "/agenda/?view=list&scope=structure", f"/agenda/persons/{people[0].id}", "/agenda/reminders",
                f"/agenda/appointments/{past.id}/move", f"/agenda/appointments/{past.id}/cancel",
                f"/persons/{people[0].id}"):
        response = page.goto(page.base + url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
        serious = [v for v in violations(page) if v["impact"] in FAILING]
        if serious:
            failures.append(f"{url}:\n{describe(serious)}")
    assert not failures, "axe-core, violations graves :\n" + "\n".join(failures)
    page.goto(page.base + "/agenda/?view=week&scope=structure")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=SHOT, full_page=True)
    # the week fits the laptop's width: no horizontal scroll
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    text = page.locator("#agenda-week").inner_text()
    assert "RAHIMI Amina" in text and "interprète : dari" in text.lower()
    assert "Claire Martin" in text


def test_book_with_errors_then_outcome_from_the_keyboard(page, world):
    people, past = _week(world)
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    page.goto(page.base + f"/agenda/persons/{people[3].id}")
    page.evaluate("document.getElementById('appointment-start').type = 'text'")
    page.fill("#appointment-start", (paris_now() - timedelta(days=2)).strftime("%d/%m/%Y %H:%M"))
    page.fill("#appointment-minutes", "600")
    page.fill("#appointment-interpreter", "zzz")
    with page.expect_navigation():
        page.click("button:has-text('Enregistrer le rendez-vous')")
    page.wait_for_load_state()
    assert "ne peut pas être fixé dans le passé" in page.locator("#appointment-start-error").inner_text()
    assert "5 à 480 minutes" in page.locator("#appointment-minutes-error").inner_text()
    assert "Langue inconnue" in page.locator("#appointment-interpreter-error").inner_text()
    # the outcome of the appointment that began an hour ago, with the keyboard only (its own day: between
    # midnight and 01:00 it began yesterday)
    page.goto(page.base + f"/agenda/?view=day&day={past.start_at.date().isoformat()}")
    button = page.locator(f"form[action='/agenda/appointments/{past.id}/outcome'] button[value=honoured]")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Issue du rendez-vous enregistrée : Honoré." in page.locator("body").inner_text()
    db.session.expire_all()
    db.session.refresh(past)
    assert past.status == "honoured"
