"""Finding 6 of issue 13: one bounded integer for every id and page — never a 500.

Every route of app.url_map is walked with a huge number in each of its <int:…> parts, and every
route without one is asked with huge numbers in the query string, and posted huge numbers in the
integer fields of the forms, by every role.
"""
import re

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from agir.extensions import db
from tests import factories

HUGE_VALUES = (str(10**20), str(2**31), str(10**30), "-1", "0")
ROLES = {"social_worker": "sw@example.fr", "referral_officer": "ro@example.fr", "pilot": "pilot@example.fr",
         "admin": "admin@example.fr"}
INT_NAMES = ("page", "department", "person", "person_id", "programme", "programme_id", "structure", "structure_id",
             "session", "target_beneficiaries", "max_months", "months", "wave", "agir_wave", "version_id", "version")


def _fill(rule, number: str, person_id: int | None = None) -> str:
    """The rule's URL with `number` in every integer part (the first one a real person when given)."""
    path = rule.rule
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            value = str(person_id) if person_id is not None and name == "person_id" else number
        elif hasattr(converter, "items") or "any" in type(converter).__name__.lower():
            value = sorted(getattr(converter, "items", None) or ["x"])[0]
        else:
            value = "x"
        path = re.sub(r"<(?:[^:<>]+:)?" + re.escape(name) + r"(?:\([^)]*\))?>", value, path)
    return path


def _rules(app, with_ints: bool):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        ints = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if bool(ints) == with_ints:
            yield rule


def test_the_int_converter_is_bounded(app):
    converter = app.url_map.converters["int"](app.url_map)
    assert isinstance(converter, IntegerConverter) and converter.max == 2**31 - 1
    adapter = app.url_map.bind("localhost")
    assert adapter.match(f"/persons/{2**31 - 1}")[0] == "persons.show"
    for number in (2**31, 10**20):
        with pytest.raises(NotFound):
            adapter.match(f"/persons/{number}")
    rules = list(_rules(app, with_ints=True))
    assert len(rules) > 30  # every <int:…> route is walked below


@pytest.mark.parametrize("role", ROLES)
def test_every_route_with_a_huge_id_is_a_404(client, world, role):
    person = factories.make_person(world.department, world.agir)
    db.session.commit()
    factories.login(client, ROLES[role])
    token = factories.csrf_token(client, "/account")
    seen = 0
    for rule in _rules(client.application, with_ints=True):
        for number in HUGE_VALUES[:3]:
            for url in {_fill(rule, number), _fill(rule, number, person.id)}:
                for method in sorted(rule.methods & {"GET", "POST"}):
                    response = client.open(url, method=method, data={"csrf_token": token})
                    assert response.status_code < 500, f"{method} {url} as {role}: {response.status_code}"
                    if url == _fill(rule, number):
                        assert response.status_code in (404, 403, 405), f"{method} {url} as {role}"
                    seen += 1
    assert seen > 100


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("number", HUGE_VALUES)
def test_huge_numbers_in_query_strings_and_forms_never_give_a_500(client, world, role, number):
    person = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(person, world.agir)
    db.session.commit()
    factories.login(client, ROLES[role])
    token = factories.csrf_token(client, "/account")
    query = "&".join(f"{name}={number}" for name in INT_NAMES)
    for rule in _rules(client.application, with_ints=False):
        base = _fill(rule, number)
        if base in ("/logout",):
            continue
        if "GET" in rule.methods:
            response = client.get(f"{base}?{query}")
            assert response.status_code < 500, f"GET {base}?{query} as {role}: {response.status_code}"
        if "POST" in rule.methods and base not in ("/login", "/langue"):
            data = {name: number for name in INT_NAMES} | {"csrf_token": token}
            response = client.post(f"{base}?person_id={person.id}", data=data)
            assert response.status_code < 500, f"POST {base} {data} as {role}: {response.status_code}"
    # the person's own pages with huge numbers in their forms
    for url in (f"/persons/{person.id}?{query}", f"/persons/{person.id}/history?page={number}",
                f"/referrals/new?person_id={person.id}&programme_id={number}"):
        assert client.get(url).status_code < 500, url


PREFIXES = ("", "new-", "enrol-", "extend-", "exit-", "followup-", "item-", "note-")


@pytest.mark.parametrize("number", HUGE_VALUES[:3])
def test_huge_numbers_in_the_forms_of_a_file_never_give_a_500(client, world, number):
    from tests.referrals_factories import make_referral
    person = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(person, world.agir)
    make_referral(person, world.programme, state="started", sender=world.agir)
    db.session.commit()
    data = {prefix + name: number for prefix in PREFIXES for name in INT_NAMES}
    for email in ("sw@example.fr", "ro@example.fr"):
        factories.login(client, email)
        data["csrf_token"] = factories.csrf_token(client, "/account")
        for rule in _rules(client.application, with_ints=True):
            ints = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
            if ints != ["person_id"]:
                continue
            url = _fill(rule, number, person.id)
            for method in sorted(rule.methods & {"GET", "POST"}):
                response = client.open(url + f"?{'&'.join(f'{n}={number}' for n in INT_NAMES)}", method=method,
                                       data=data if method == "POST" else None)
                assert response.status_code < 500, f"{method} {url} as {email}: {response.status_code}"
        client.post("/logout", data={"csrf_token": data["csrf_token"]})
