"""Issue 13, item 6: a form that fails keeps every value as typed — an unreadable date included (before, it went
back into a date input, which browsers show empty: « 31/02/2024 » was lost) — and the referral form starts on
« Choisir un programme » (before, the first programme of the list was pre-selected)."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from agir.dates import today
from agir.extensions import db
from models import Note, Person, Referral
from tests import factories


def html(response):
    return response.get_data(as_text=True)


def post(client, url, data, page=None):
    return client.post(url, data={"csrf_token": factories.csrf_token(client, page or url), **data})


def input_tag(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    assert match, f"no input {name}"
    return match.group(0)


@pytest.fixture
def sw(client, world):
    factories.login(client, "sw@example.fr")
    return client


@pytest.fixture
def person(world):
    p = factories.make_person(world.department, world.agir)
    db.session.commit()
    return p


@pytest.mark.parametrize("typed", ["31/02/2024", "12/13/2020", "hier"])
def test_an_unreadable_date_comes_back_as_typed_in_a_box_that_can_show_it(sw, person, typed):
    response = post(sw, f"/persons/{person.id}/notes/new", {"note-date": typed, "note-text": "Entretien CAF"})
    page = html(response)
    tag = input_tag(page, "note-date")
    assert f'value="{typed}"' in tag
    assert 'type="text"' in tag  # a date input would show it empty
    assert "Date invalide : utilisez le format jj/mm/aaaa." in page
    assert "Entretien CAF</textarea>" in page  # the other field too
    assert db.session.scalar(select(func.count()).select_from(Note)) == 0


def test_a_date_out_of_range_also_comes_back_as_typed(sw, person):
    response = post(sw, f"/persons/{person.id}/notes/new", {"note-date": "01/01/2300", "note-text": "x"})
    tag = input_tag(html(response), "note-date")
    assert 'value="01/01/2300"' in tag and 'type="text"' in tag


def test_a_readable_date_typed_dd_mm_yyyy_is_kept_when_another_field_fails(sw, person):
    # The date parsed: it goes back into the calendar widget, which reads only AAAA-MM-JJ.
    response = post(sw, f"/persons/{person.id}/notes/new", {"note-date": "05/03/2024", "note-text": ""})
    tag = input_tag(html(response), "note-date")
    assert 'type="date"' in tag and 'value="2024-03-05"' in tag


def test_every_field_of_the_new_person_form_is_kept(sw):
    typed = {"last_name": "Haidari", "first_name": "Zahra", "sex": "F", "birth_on": "12/13/1990",
             "nationality": "AFG", "status": "refugee", "protection_on": "01/02/2024", "arrival_on": "hier",
             "prior_programme": "Accelair", "phone": "06 01 02 03 04", "email": "zahra@example.fr",
             "household_choice": "new"}
    page = html(post(sw, "/persons/new", typed))
    assert 'value="Haidari"' in input_tag(page, "last_name")
    assert 'value="Zahra"' in input_tag(page, "first_name")
    assert 'value="12/13/1990"' in input_tag(page, "birth_on")
    assert 'value="2024-02-01"' in input_tag(page, "protection_on")
    assert 'value="hier"' in input_tag(page, "arrival_on")
    assert 'value="Accelair"' in input_tag(page, "prior_programme")
    assert 'value="06 01 02 03 04"' in input_tag(page, "phone")
    assert 'value="zahra@example.fr"' in input_tag(page, "email")
    assert re.search(r'<option selected value="refugee">', page)
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


# ---- the referral form starts on « Choisir un programme » --------------------------------------------------

@pytest.fixture
def referable(world):
    world.programme.end_on = today() + timedelta(days=365)  # still running: one may refer to it
    p = factories.make_person(world.department, world.agir, protection_on=today() - timedelta(days=400))
    db.session.commit()
    return p


def test_the_referral_form_preselects_no_programme(sw, world, referable):
    page = html(sw.get(f"/referrals/new?person_id={referable.id}"))
    select_html = re.search(r'<select[^>]*name="programme_id".*?</select>', page, re.S).group(0)
    assert re.search(r'<option selected value="">Choisir un programme</option>', select_html)
    assert select_html.count("selected") == 1


def test_typing_only_the_need_refers_nobody_and_asks_for_the_programme(sw, world, referable):
    url = f"/referrals/new?person_id={referable.id}"
    response = post(sw, url, {"programme_id": "", "need": "Cours de français", "sent_on": today().isoformat()})
    page = html(response)
    assert response.status_code == 200
    assert "Choisissez le programme vers lequel orienter la personne." in page
    assert "Cours de français</textarea>" in page
    assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


def test_a_programme_given_in_the_link_is_still_preselected(sw, world, referable):
    page = html(sw.get(f"/referrals/new?person_id={referable.id}&programme_id={world.programme.id}"))
    assert re.search(rf'<option selected value="{world.programme.id}">', page)
