"""Duplicates in the pages (SPEC §4.8): the warning before a second file is created, what another structure's file
may reveal, the duplicate list and the merge of a file, and the persons list's search (accents, transliterations,
word order, phone number, birth date, file reference)."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from agir.extensions import db
from models import AuditEntry, Person
from tests import factories

TODAY = date.today()
PERSON = dict(last_name="Haidari", first_name="Fatemeh", sex="F", birth_on="1995-03-02", nationality="AFG",
              status="refugee", protection_on=(TODAY - timedelta(days=30)).isoformat(), hosting="cph",
              language_level="A1", household_choice="new")


def post(client, url, data):
    return client.post(url, data={"csrf_token": factories.csrf_token(client, "/persons/"), **data})


def html(response):
    return response.get_data(as_text=True)


@pytest.fixture
def sw(client, world):
    factories.login(client, "sw@example.fr")
    return world


def existing(world, structure, **kw):
    values = dict(last_name="HAIDARI", first_name="Fatima", birth_on=date(1995, 2, 3), nationality="AFG",
                  phone="06 12 34 56 78")
    values.update(kw)
    person = factories.make_person(world.department, structure, **values)
    db.session.commit()
    return person


def persons():
    return db.session.scalar(select(func.count()).select_from(Person))


# ---- Creation ---------------------------------------------------------------------------------------

def test_a_probable_duplicate_of_my_structure_is_shown_in_full_before_a_second_file(client, sw):
    mine = existing(sw, sw.agir)
    response = post(client, "/persons/new", PERSON)
    page = html(response)
    assert response.status_code == 200 and persons() == 1  # nothing created yet
    assert "Cette personne a peut-être déjà un dossier" in page
    assert f'href="/persons/{mine.id}"' in page and "HAIDARI Fatima" in page and mine.ref in page
    assert "03/02/1995" in page
    assert 'name="not_duplicate" value="1"' in page and "Ce n’est pas la même personne, créer le dossier" in page
    assert 'value="Fatemeh"' in page  # what was typed is kept
    shown = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "duplicate_shown")).all()
    assert [e.person_id for e in shown] == [mine.id]
    # The user confirms: the file is created, and the dismissal is audited on the other file.
    response = post(client, "/persons/new", dict(PERSON, not_duplicate="1"))
    assert response.status_code == 302 and persons() == 2
    dismissed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "duplicate_dismissed")).all()
    assert [e.person_id for e in dismissed] == [mine.id]


def test_a_file_of_another_structure_shows_only_that_it_exists_and_who_holds_it(client, sw):
    theirs = existing(sw, sw.other, phone="07 00 00 00 01", email="fatima@example.org")
    page = html(post(client, "/persons/new", PERSON))
    assert persons() == 1
    assert "Un dossier existe déjà à la structure « Autre opérateur AGIR »" in page
    for secret in ("HAIDARI Fatima", "Fatima", theirs.ref, "03/02/1995", f"/persons/{theirs.id}", "07 00 00 00 01"):
        assert secret not in page
    assert db.session.scalar(select(AuditEntry.person_id).where(AuditEntry.action == "duplicate_shown")) == theirs.id


def test_look_alikes_do_not_stop_the_creation(client, sw):
    existing(sw, sw.agir, first_name="Zahra", birth_on=date(1995, 3, 2))  # her twin sister
    existing(sw, sw.agir, first_name="Fatemeh", birth_on=date(1971, 8, 19))  # her aunt, born another year
    response = post(client, "/persons/new", PERSON)
    assert response.status_code == 302 and persons() == 3


# ---- Duplicate list and merge ------------------------------------------------------------------------

def test_the_duplicates_of_a_file_lead_to_the_merge_page_and_the_merge(client, sw):
    keep = existing(sw, sw.agir, first_name="Fatemeh", phone=None)
    gone = existing(sw, sw.agir)
    theirs = existing(sw, sw.other, first_name="Fatma")
    page = html(client.get(f"/persons/{keep.id}/duplicates"))
    assert f'href="/persons/{keep.id}/merge/{gone.id}"' in page
    assert "Autre opérateur AGIR" in page and theirs.ref not in page and f"/persons/{theirs.id}" not in page
    page = html(client.get(f"/persons/{keep.id}/merge/{gone.id}"))
    assert "Les deux dossiers côte à côte" in page and keep.ref in page and gone.ref in page
    assert f"Fusionner {gone.ref} dans {keep.ref}" in page
    response = post(client, f"/persons/{keep.id}/merge/{gone.id}", {})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/persons/{keep.id}")
    keep_ref, gone_ref, gone_id = keep.ref, gone.ref, gone.id
    db.session.expire_all()
    assert db.session.get(Person, gone_id) is None
    assert db.session.get(Person, keep.id).phone == "06 12 34 56 78"
    assert f"Le dossier {gone_ref} est fusionné dans le dossier {keep_ref}." in html(client.get(f"/persons/{keep.id}"))
    # Another structure's file can be neither compared nor merged.
    assert client.get(f"/persons/{keep.id}/merge/{theirs.id}").status_code == 404
    assert post(client, f"/persons/{keep.id}/merge/{theirs.id}", {}).status_code == 404
    assert db.session.get(Person, theirs.id) is not None


def test_a_merge_the_rules_refuse_shows_every_reason_and_writes_nothing(client, sw):
    keep = existing(sw, sw.agir, first_name="Fatemeh")
    gone = existing(sw, sw.agir)
    factories.make_accompaniment(keep, sw.agir, start=TODAY - timedelta(days=60))
    factories.make_accompaniment(gone, sw.agir, start=TODAY - timedelta(days=30))
    db.session.commit()
    page = html(client.get(f"/persons/{keep.id}/merge/{gone.id}"))
    assert "enregistrez d'abord la sortie" in page.replace("&#39;", "'")
    assert f"Fusionner {gone.ref} dans {keep.ref}" not in page
    response = post(client, f"/persons/{keep.id}/merge/{gone.id}", {})
    assert response.status_code == 200 and "enregistrez d'abord la sortie" in html(response).replace("&#39;", "'")
    db.session.expire_all()
    assert db.session.get(Person, gone.id) is not None


# ---- Search ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["heritier", "HÉRITIER", "mukendi heritier", "Heritier Mukendi", "06 12 34 56 78",
                               "+33612345678", "0612345678", "12 34 56", "14/07/1990", "P-DUP1"])
def test_search_finds_names_without_accents_in_any_order_phones_birth_dates_and_refs(client, sw, q):
    existing(sw, sw.agir, ref="P-DUP1", last_name="Mukendi", first_name="Héritier", nationality="COD",
             birth_on=date(1990, 7, 14))
    existing(sw, sw.agir, ref="P-DUP2", last_name="Kabila", first_name="Trésor", nationality="COD",
             birth_on=date(1991, 7, 14), phone="07 98 76 54 32")
    page = html(client.get("/persons/", query_string={"q": q}))
    assert "MUKENDI Héritier" in page and "KABILA" not in page


@pytest.mark.parametrize("q", ["Mohammad", "muhammad", "Mouhamed", "karimi mohamed"])
def test_search_finds_the_usual_transliterations(client, sw, q):
    existing(sw, sw.agir, last_name="Karimi", first_name="Mohamed", phone=None)
    existing(sw, sw.agir, last_name="Karimi", first_name="Ahmad", phone=None)
    page = html(client.get("/persons/", query_string={"q": q}))
    assert "KARIMI Mohamed" in page and "KARIMI Ahmad" not in page


def test_search_never_shows_another_structures_files(client, sw):
    existing(sw, sw.other, last_name="Mukendi", first_name="Héritier")
    page = html(client.get("/persons/", query_string={"q": "06 12 34 56 78"}))
    assert "MUKENDI" not in page
    assert re.search(r"0\s*personne", page) or "Aucune personne" in page
