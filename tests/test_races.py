"""Races (issue 13, item 3): six simultaneous submissions of one form, through a real HTTP server.

The application is served by Werkzeug's threaded server on a free port, on the test database
(SQLite file, or PostgreSQL with TEST_DATABASE_URL); six browsers (cookie jars) sign in, load the
form with its CSRF token, wait at a barrier and post at the same instant. Before issue 13 the
enrolment left two open accompaniments and the referral two open referrals.
"""
import html
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from agir.dates import today as paris_today
from agir.extensions import db
from models import Accompaniment, Referral
from models.enums import OPEN_REFERRAL_STATES
from tests import factories

N = 6
TWO_OPEN = "La personne a déjà un accompagnement en cours."
REFERRAL_OPEN = "Une orientation de cette personne vers ce programme est déjà en cours."
INPUT_RE = re.compile(r"<input[^>]*>", re.S)


@pytest.fixture
def live_server(app):
    """Base URL of the application served by a threaded HTTP server (same database as the test)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


class Browser:
    """One signed-in user agent: its own cookies, forms read from the pages (hidden fields included)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def open(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def hidden_fields(self, path: str) -> dict:
        """The hidden inputs (CSRF token…) of the page's forms, by name."""
        status, page = self.open(path)
        assert status == 200, (path, status)
        fields = {}
        for tag in INPUT_RE.findall(page):
            if 'type="hidden"' in tag:
                name = re.search(r'name="([^"]+)"', tag)
                value = re.search(r'value="([^"]*)"', tag)
                if name:
                    fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
        return fields

    def login(self, email: str) -> None:
        token = self.hidden_fields("/login")["csrf_token"]
        status, page = self.open("/login", {"email": email, "password": factories.PASSWORD, "csrf_token": token})
        assert status == 200 and 'name="password"' not in page, "the login failed"


def post_together(browsers, paths: list[str], forms: list[dict]) -> list[tuple[int, str]]:
    """Each browser loads its form (its own path), then all post at the same instant; their (status, page)."""
    prepared = [b.hidden_fields(path) | form for b, path, form in zip(browsers, paths, forms, strict=True)]
    barrier = threading.Barrier(len(browsers))
    results: list = [None] * len(browsers)

    def post(i):
        barrier.wait()
        results[i] = browsers[i].open(paths[i], prepared[i])

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(browsers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _simultaneously(browsers, path: str, form: dict) -> list[tuple[int, str]]:
    """Every browser loads the same form, then all post it at the same instant; their (status, page)."""
    return post_together(browsers, [path] * len(browsers), [form] * len(browsers))


def _browsers(live_server, email: str) -> list[Browser]:
    browsers = [Browser(live_server) for _ in range(N)]
    for b in browsers:
        b.login(email)
    return browsers


def _french(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _person(world):
    today = paris_today()
    person = factories.make_person(world.department, world.agir, protection_on=today - timedelta(days=200))
    db.session.commit()
    return person.id


def test_six_simultaneous_enrolments_leave_one_open_accompaniment(world, live_server):
    person_id = _person(world)
    browsers = _browsers(live_server, world.users.social_worker.email)
    today = paris_today()
    results = _simultaneously(browsers, f"/persons/{person_id}/enrol",
                              {"enrol-start": _french(today - timedelta(days=3)), "enrol-planned_end": ""})

    assert all(status < 500 for status, _ in results), [s for s, _ in results]
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Accompaniment).where(
        Accompaniment.person_id == person_id, Accompaniment.exit_on.is_(None))) == 1
    refused = [page for _, page in results if TWO_OPEN in html.unescape(page)]
    assert len(refused) == N - 1, [s for s, _ in results]


def test_six_simultaneous_referrals_leave_one_open_referral(world, live_server):
    person_id = _person(world)
    programme = factories.make_programme(world.department, world.school, ref="PR-RACE", end=None)
    db.session.commit()
    browsers = _browsers(live_server, world.users.social_worker.email)
    results = _simultaneously(browsers, f"/referrals/new?person_id={person_id}",
                              {"programme_id": str(programme.id), "need": "Apprendre le français pour travailler.",
                               "sent_on": _french(paris_today())})

    assert all(status < 500 for status, _ in results), [s for s, _ in results]
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Referral).where(
        Referral.person_id == person_id, Referral.programme_id == programme.id,
        Referral.state.in_(OPEN_REFERRAL_STATES))) == 1
    refused = [page for _, page in results if REFERRAL_OPEN in html.unescape(page)]
    assert len(refused) == N - 1, [s for s, _ in results]


# ---------------------------------------------------------------- the database's own guarantee

def test_the_database_refuses_a_second_open_accompaniment_and_the_operation_recognises_it(world):
    from sqlalchemy.exc import IntegrityError

    from agir.operations import accompaniments
    from agir.operations.locks import violates
    person = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(person, world.agir, start=date(2022, 9, 1), exit_on=date(2023, 1, 31))
    factories.make_accompaniment(person, world.other, start=date(2023, 2, 1))  # one closed, one open: fine
    db.session.commit()
    with pytest.raises(IntegrityError) as refused:
        factories.make_accompaniment(person, world.other, start=date(2023, 6, 1))
    assert violates(refused.value, accompaniments.OPEN_INDEX)
    db.session.rollback()


def test_the_database_refuses_a_second_open_referral_to_one_programme(world):
    from sqlalchemy.exc import IntegrityError

    from agir.operations import referrals
    from agir.operations.locks import violates
    from tests.referrals_factories import make_referral
    person = factories.make_person(world.department, world.agir)
    other = factories.make_programme(world.department, world.school, ref="PR-OTHER")
    for state in ("refused", "completed", "dropped_out", "cancelled"):  # closed ones do not count
        make_referral(person, world.programme, state=state)
    make_referral(person, world.programme, state="accepted")
    make_referral(person, other, state="sent")  # another programme
    db.session.commit()
    for state in OPEN_REFERRAL_STATES:
        with pytest.raises(IntegrityError) as refused:
            make_referral(person, world.programme, state=state)
        assert violates(refused.value, referrals.OPEN_INDEX)
        db.session.rollback()


def test_import_refuses_a_second_open_referral_to_one_programme_with_its_line(runner, tmp_path, app):
    import copy

    from tests.interchange import sample
    from tests.interchange.helpers import import_file, row_counts
    person = sample.person()
    second = copy.deepcopy(person["referrals"][0]) | {"accepted": None, "started": None, "sent": "2022-09-01"}
    closed = copy.deepcopy(person["referrals"][0]) | {"accepted": None, "started": None, "refused": "2022-07-22",
                                                      "refusal_reason": "Complet"}
    person["referrals"] = [closed, person["referrals"][0], second]  # a refused one does not count
    before = row_counts(app)
    result = import_file(runner, tmp_path, sample.records(person))
    assert result.exit_code == 1
    line = len(sample.records(person))
    assert f"line {line}: referrals[2].programme: {REFERRAL_OPEN}" in result.output
    assert "referrals[1]" not in result.output and "referrals[0]" not in result.output
    assert row_counts(app) == before
