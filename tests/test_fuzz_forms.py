"""Robustness of the forms: random and malformed values, posted with a valid CSRF token by the role that uses
each form, never get a 500 (nor an exception: TESTING propagates them, so hypothesis shows the example).

The forms are not listed by hand: each page below is fetched as its role and every <form> found on it is
fuzzed at its real action (the URL the browser would post to), with the fields the page declares — so a
new field or a new form on these pages is fuzzed too. Forms of the same endpoint with the same fields
(the nine rights of the file, for instance) are fuzzed once; the file page holds the rights, path items and
notes forms, so their own pages are not listed.
"""
from datetime import date
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import MethodNotAllowed, NotFound

from agir.extensions import db
from models import Exit, Referral
from tests import factories

EXAMPLES = 25
SKIPPED_ACTIONS = ("/logout", "/langue")  # the header's forms: they would end the session under test
EMAILS = {"social_worker": "sw@example.fr", "referral_officer": "ro@example.fr", "pilot": "pilot@example.fr",
          "admin": "admin@example.fr"}
PAGES = [
    ("anonymous", "/login"),
    ("social_worker", "/persons/"),
    ("social_worker", "/persons/new"),
    ("social_worker", "/persons/{person}"),
    ("social_worker", "/persons/{person}/edit"),
    ("social_worker", "/persons/{person}/household"),
    ("social_worker", "/persons/{newcomer}/enrol"),
    ("social_worker", "/persons/{person}/accompaniments/{accompaniment}/extend"),
    ("social_worker", "/persons/{person}/accompaniments/{accompaniment}/exit"),
    ("social_worker", "/persons/{leaver}/accompaniments/{closed}/followup"),
    ("social_worker", "/referrals/new?person_id={person}"),
    # The entry path (issue 16).
    ("social_worker", "/persons/orientations"),
    ("social_worker", "/persons/{person}/orientation"),
    ("social_worker", "/persons/{person}/languages"),
    ("social_worker", "/persons/{person}/first-interview"),
    ("social_worker", "/persons/{person}/diagnostic"),
    ("social_worker", "/persons/{person}/objectives/new"),
    ("referral_officer", "/referrals/"),
    ("referral_officer", "/referrals/{referral}"),
    ("referral_officer", "/referrals/persons/{person}"),
    ("referral_officer", "/referrals/programmes/new"),
    ("referral_officer", "/referrals/programmes/{programme}"),
    ("referral_officer", "/referrals/programmes/{programme}/edit"),
    ("pilot", "/pilot/"),
    ("pilot", "/pilot/settings"),
    ("admin", "/admin/users/new"),
    ("admin", "/admin/users/{account}/edit"),
    ("admin", "/admin/structures/new"),
    ("admin", "/admin/departments/{department}/edit"),
]

NASTY = st.sampled_from([
    "", " ", "0", "-1", "1.5", "1e309", "NaN", "-inf", "9" * 40, "2023-02-30", "2024-02-29", "31/12/2023",
    "0000-00-00", "9999-12-31", "10000-01-01", "1899-12-31", "<script>alert(1)</script>", "' OR 1=1 --",
    "é" * 3000, "\U0001d518\U0001d52b\U0001d526", "\r\n", "null", "[]", "{}", "%00", "nul\x00byte", "../../etc/passwd",
])
TEXT = st.text(max_size=40)
DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(date.isoformat)
NUMBERS = st.one_of(st.integers(-10**12, 10**12).map(str), st.floats(allow_nan=True).map(str))


class FormScanner(HTMLParser):
    """The <form>s of a page: action, method, and fields (inputs, selects with their options, textareas)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select = [], None, None

    def _field(self, name: str, kind: str, value: str = "") -> dict:
        choice = kind in ("radio", "checkbox")
        for existing in self._form["fields"]:
            if choice and existing["name"] == name:
                existing["options"].append(value)
                return existing
        field = {"name": name, "type": kind, "value": value, "options": [value] if choice else []}
        self._form["fields"].append(field)
        return field

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": (a.get("method") or "get").lower(), "fields": []}
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            self._field(a["name"], (a.get("type") or "text").lower(), a.get("value", ""))
        elif tag == "select":
            self._select = self._field(a["name"], "select")
        elif tag == "textarea":
            self._field(a["name"], "textarea")
        elif tag == "button":
            self._field(a["name"], "submit", a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_of(html: str) -> list[dict]:
    """The forms of a page, but the header's logout and language forms."""
    scanner = FormScanner()
    scanner.feed(html)
    return [f for f in scanner.forms if not any(f["action"].startswith(s) for s in SKIPPED_ACTIONS)]


def value_strategy(field: dict):
    """Plausible and malformed values for a field, by its type."""
    kind = field["type"]
    if kind in ("hidden", "submit"):
        return st.one_of(st.just(field["value"]), NASTY, TEXT) if field["name"] != "csrf_token" else None
    if kind == "date":
        return st.one_of(DATES, NASTY, TEXT)
    if kind == "number":
        return st.one_of(NUMBERS, NASTY, TEXT)
    if field["options"]:
        return st.one_of(st.sampled_from(field["options"]), NASTY, TEXT)
    return st.one_of(TEXT, NASTY, DATES, NUMBERS)


def payloads(form: dict):
    """A payload for the form: each field given a value or left out, the CSRF token always valid."""
    parts = {}
    for field in form["fields"]:
        if field["name"] == "csrf_token":
            parts[field["name"]] = st.just(field["value"])
            continue
        strategy = value_strategy(field)
        parts[field["name"]] = st.one_of(st.none(), strategy)  # None: the field is not sent
    return st.fixed_dictionaries(parts).map(lambda d: {k: v for k, v in d.items() if v is not None})


@pytest.fixture
def places(world):
    """Ids to fill the URLs: an open file, a newcomer, a closed accompaniment, a referral, the programme."""
    person = factories.make_person(world.department, world.agir, phone="0600000000")
    accompaniment = factories.make_accompaniment(person, world.agir)
    newcomer = factories.make_person(world.department, world.agir, protection_on=date.today().replace(day=1))
    leaver = factories.make_person(world.department, world.agir)
    closed = factories.make_accompaniment(leaver, world.agir, start=date(2022, 9, 1), planned_end=date(2023, 6, 30),
                                          exit_on=date(2023, 6, 30))
    closed.exit = Exit(exit_on=date(2023, 6, 30), reason="goals_reached")
    factories.make_programme(world.department, world.school, ref="PR-NOW", start=date.today().replace(day=1),
                             end=date.today().replace(day=1).replace(year=date.today().year + 1))
    referral = Referral(person=person, programme=world.programme, sender_structure=world.agir, state="sent",
                        sent_on=date(2022, 10, 3))
    db.session.add(referral)
    db.session.commit()
    return SimpleNamespace(person=person.id, accompaniment=accompaniment.id, newcomer=newcomer.id, leaver=leaver.id,
                           closed=closed.id, referral=referral.id, programme=world.programme.id,
                           department=world.department.id, account=world.users.social_worker.id)


def endpoint_of(app, method: str, url: str) -> str:
    parts = urlsplit(url)
    try:
        return app.url_map.bind("localhost").match(parts.path, method=method.upper())[0]
    except (NotFound, MethodNotAllowed):
        return f"(unrouted) {parts.path}"


@pytest.mark.parametrize("role, page", PAGES, ids=[f"{r}:{p}" for r, p in PAGES])
def test_random_and_malformed_form_values_never_give_a_500(app, client, places, role, page):
    if role != "anonymous":
        assert factories.login(client, EMAILS[role]).status_code == 302
    url = page.format(**vars(places))
    response = client.get(url)
    assert response.status_code == 200, f"{url} → {response.status_code}"
    forms, seen = forms_of(response.get_data(as_text=True)), set()
    assert forms, f"no form found on {url}"
    for form in forms:
        action = form["action"] or url
        names = tuple(sorted(f["name"].rsplit("-", 1)[-1] for f in form["fields"]))  # prefix-free: 9 rights, 1 form
        key = (endpoint_of(app, form["method"], action), form["method"], names)
        if key in seen:
            continue
        seen.add(key)
        _fuzz(client, form, action)


def _send_without_500(client, form: dict, action: str, payload: dict) -> None:
    """Submit the form with this payload (POST body or GET query); never a 500 nor a traceback."""
    if form["method"] == "post":
        response = client.post(action, data=payload)
    else:
        response = client.get(action, query_string=payload)
    assert response.status_code < 500, f"{form['method'].upper()} {action} {payload!r} → {response.status_code}"
    assert b"Traceback" not in response.data


def _fuzz(client, form: dict, action: str) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(payloads(form))
    def post(payload):
        _send_without_500(client, form, action, payload)

    post()



EDGE_DATES = ("9999-12-31", "0001-01-01", "2199-12-31", "1900-01-01", "31/12/9999")


def _defaults(form: dict) -> dict:
    """The form as the page offers it: each field at its value, a select or a choice at its first option."""
    return {f["name"]: f["value"] or (f["options"][0] if f["options"] else "") for f in form["fields"]}


@pytest.mark.parametrize("role, page", PAGES, ids=[f"{r}:{p}" for r, p in PAGES])
def test_every_date_field_at_the_edges_of_the_calendar_never_gives_a_500(app, client, places, role, page):
    """Deterministic companion of the fuzzing above: each date field alone at the calendar's edges
    (CI once found 9999-12-31 + 6 months overflowing in the enrolment form)."""
    if role != "anonymous":
        assert factories.login(client, EMAILS[role]).status_code == 302
    url = page.format(**vars(places))
    forms = forms_of(client.get(url).get_data(as_text=True))
    for form in forms:
        action = form["action"] or url
        for field in (f for f in form["fields"] if f["type"] == "date"):
            for value in EDGE_DATES:
                _send_without_500(client, form, action, {**_defaults(form), field["name"]: value})
