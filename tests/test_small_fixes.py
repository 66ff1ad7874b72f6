"""Small things seen in the fourth session's screenshots (its closing note): the header names the person signed in,
Pashto is called Pashto, the orientation source is not wrapped in two pairs of parentheses."""
from datetime import date

from agir import languages
from agir.extensions import db
from tests import factories


def test_pashto_is_named_as_people_name_it_in_both_languages():
    assert languages.name("pus", "fr") == "Pachto"
    assert languages.name("pus", "en") == "Pashto"
    # Every way of writing it finds the code, ISO's own « Pushto » included.
    for typed in ("Pashto", "pachto", "PUSHTO"):
        assert languages.code_for_name(typed) == "pus"


def test_header_shows_the_display_name_not_the_email(world, client, login):
    world.users.social_worker.display_name = "Camille Martin"
    db.session.commit()
    login("sw@example.fr")
    html = client.get("/persons/").get_data(as_text=True)
    header = html.split("</header>")[0]
    assert "Camille Martin" in header
    assert "sw@example.fr" not in header


def test_header_falls_back_to_the_email_without_a_display_name(world, client, login):
    world.users.social_worker.display_name = None
    db.session.commit()
    login("sw@example.fr")
    header = client.get("/persons/").get_data(as_text=True).split("</header>")[0]
    assert "sw@example.fr" in header


def test_orientation_source_is_not_in_doubled_parentheses(world, client, login):
    person = factories.make_person(world.department, world.agir)
    factories.orient(person, world.agir, on=date(2022, 8, 1), source="ofii")
    db.session.commit()
    login("sw@example.fr")
    html = client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert "OFII (signature du CIR)" in html
    assert "(OFII (signature du CIR))" not in html
    assert "))" not in html.split("OFII (signature du CIR)")[1][:2]
