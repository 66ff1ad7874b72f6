"""Races on the agenda (issue 17, item 1): six browsers book the same référent at overlapping times at the same
instant, through a real threaded HTTP server — one appointment is written, the five others get the overlap
message next to the field. Without the lock on the référent's row, several would pass the check together."""
import html
from datetime import timedelta

from sqlalchemy import func, select

from agir.extensions import db
from agir.operations.appointments import paris_now
from models import Appointment
from tests import factories
from tests.test_races import N, _browsers, _simultaneously, live_server  # noqa: F401 (the fixture)

OVERLAP = "deux rendez-vous prévus d'un·e même référent·e ne peuvent pas se chevaucher"


def test_six_simultaneous_bookings_of_one_referent_leave_one_appointment(world, live_server):  # noqa: F811
    persons = [factories.make_person(world.department, world.agir) for _ in range(2)]
    db.session.commit()
    referent = world.users.social_worker.id
    start = (paris_now() + timedelta(days=5)).replace(hour=10, minute=0)
    browsers = _browsers(live_server, world.users.social_worker.email)
    # every browser books a different person (or the same one) at 10:00, 10:10 … 10:50: all overlap
    prepared = []
    for i, browser in enumerate(browsers):
        path = f"/agenda/persons/{persons[i % 2].id}"
        prepared.append((browser, path, {"appointment-start": (start + timedelta(minutes=10 * i)).strftime(
            "%d/%m/%Y %H:%M"), "appointment-minutes": "60", "appointment-kind": "follow_up",
            "appointment-mode": "on_site", "appointment-referent": str(referent), "appointment-interpreter": ""}))
    import threading
    barrier = threading.Barrier(len(prepared))
    forms = [b.hidden_fields(path) | form for b, path, form in prepared]
    results = [None] * len(prepared)

    def post(i):
        barrier.wait()
        browser, path, _ = prepared[i]
        results[i] = browser.open(path, forms[i])

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(prepared))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(status < 500 for status, _ in results), [s for s, _ in results]
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 1
    refused = [page for _, page in results if OVERLAP in html.unescape(page)]
    assert len(refused) == N - 1, [s for s, _ in results]


def test_same_slot_for_two_referents_at_once_both_accepted(world, live_server):  # noqa: F811
    person = factories.make_person(world.department, world.agir)
    colleague = factories.make_user("social_worker", world.agir, email="colleague@example.fr")
    db.session.commit()
    start = (paris_now() + timedelta(days=6)).replace(hour=15, minute=0).strftime("%d/%m/%Y %H:%M")
    browsers = _browsers(live_server, world.users.social_worker.email)[:2]
    path = f"/agenda/persons/{person.id}"
    results = []
    for browser, referent in zip(browsers, (world.users.social_worker.id, colleague.id), strict=True):
        results += _simultaneously([browser], path, {
            "appointment-start": start, "appointment-minutes": "45", "appointment-kind": "follow_up",
            "appointment-mode": "phone", "appointment-referent": str(referent), "appointment-interpreter": "ara"})
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 2
