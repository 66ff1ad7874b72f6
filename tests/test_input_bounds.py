"""Numbers beyond a database INTEGER in URLs and query strings are refused or ignored, never a 500."""
import re

import pytest

from agir.extensions import db
from tests import factories

HUGE = str(10**20)


@pytest.mark.parametrize("email, url", [
    ("sw@example.fr", f"/persons/{HUGE}"),
    ("sw@example.fr", f"/persons/{HUGE}/summary"),
    ("ro@example.fr", f"/referrals/persons/{HUGE}"),
])
def test_a_huge_id_in_the_path_is_a_404(client, world, email, url):
    factories.login(client, email)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("email, url", [
    ("sw@example.fr", f"/persons/?page={HUGE}"),
    ("sw@example.fr", f"/alerts/?page={HUGE}"),
    ("ro@example.fr", f"/referrals/?page={HUGE}&programme={HUGE}"),
    ("ro@example.fr", "/referrals/?programme=-1"),
    ("admin@example.fr", f"/admin/users/?page={HUGE}"),
])
def test_a_huge_number_in_the_query_string_is_ignored(client, world, email, url):
    factories.login(client, email)
    assert client.get(url).status_code == 200


def test_a_huge_person_id_for_a_referral_is_a_404(client, world):
    factories.login(client, "sw@example.fr")
    assert client.get(f"/referrals/new?person_id={HUGE}").status_code == 404


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01", "31/12/9999"])
def test_a_date_outside_the_calendar_range_is_refused_next_to_the_field(client, world, value):
    person = factories.make_person(world.department, world.agir)
    db.session.commit()
    factories.login(client, "sw@example.fr")
    token = factories.csrf_token(client, f"/persons/{person.id}/enrol")
    response = client.post(f"/persons/{person.id}/enrol", data={"csrf_token": token, "enrol-start": value})
    assert response.status_code == 200
    assert "Date hors de la plage admise : entre le 01/01/1900 et le 31/12/2199." in response.get_data(as_text=True)


def test_the_eligibility_verdict_ignores_a_date_outside_the_range(client, world):
    factories.login(client, "sw@example.fr")
    response = client.get("/persons/eligibility?status=refugee&protection_on=2023-01-01&on=9999-12-31")
    assert response.status_code == 200 and response.get_json()["complete"] is True


def test_the_calendar_widget_offers_the_same_range(client, world):
    person = factories.make_person(world.department, world.agir)
    db.session.commit()
    factories.login(client, "sw@example.fr")
    page = client.get(f"/persons/{person.id}/enrol").get_data(as_text=True)
    tag = re.search(r'<input[^>]*name="enrol-start"[^>]*>', page).group(0)
    assert 'type="date"' in tag and 'min="1900-01-01"' in tag and 'max="2199-12-31"' in tag
