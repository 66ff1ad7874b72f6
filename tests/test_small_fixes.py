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


def test_pilot_figures_follow_the_reader_english_or_french(app):
    """The dashboard's figures were written the French way on English pages (« 0,0 % », pilots_cohort's report)."""
    figure, small = app.jinja_env.filters["pilot_figure"], app.jinja_env.filters["pilot_small_count"]
    with app.test_request_context("/"):
        assert figure(0.3333, "share") == "33,33 %" and figure(1234.5, "mean") == "1\u202f234,5"
        assert small(12345) == "12\u202f345" and small(3) == "< 5"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert figure(0.3333, "share") == "33.33%" and figure(1234.5, "mean") == "1,234.5"
        assert figure(13000.3, "money") == "13,000.30 €" and figure(6.5, "hours") == "6.5 h"
        assert small(12345) == "12,345" and small(3) == "< 5"


def test_the_english_dashboard_has_no_french_decimal(world, client, login):
    import re

    person = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(person, world.agir, start=date(2022, 9, 1), planned_end=date(2023, 8, 31))
    db.session.commit()
    login("pilot@example.fr")
    html = client.get("/pilot/?from=2022-01-01&to=2022-12-31", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Dashboard" in html or "dashboard" in html
    assert not re.search(r"\d,\d+\s?%", html)
    assert re.search(r"\d\.\d+%", html)


def test_fresh_eyes_findings_csv_type_favicon_and_english_colon(world, client, login):
    """fresh_eyes' walk on a fresh clone: the CSV said its charset twice, every page asked for /favicon.ico (404), and
    an English error summary read « Label : message » with the French space."""
    login("pilot@example.fr")
    csv = client.get("/pilot/export.csv?from=2022-01-01&to=2022-12-31")
    assert csv.status_code == 200 and csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    html = client.get("/pilot/").get_data(as_text=True)
    assert 'rel="icon"' in html and "favicon" in html
    assert client.get("/static/vendor/dsfr/favicon/favicon.svg").status_code == 200
    from flask import render_template_string
    from wtforms import Form, StringField
    template = '{% from "_macros/forms.html" import form_errors %}{{ form_errors(form) }}'

    class One(Form):
        name = StringField("Nom")

    with client.application.test_request_context("/", headers={"Accept-Language": "en"}):
        form = One()
        form.name.errors = ["Required."]
        assert "Nom: Required." in render_template_string(template, form=form)


def test_an_error_of_the_whole_form_is_not_announced_under_each_field(app):
    """« modifié par quelqu'un d'autre » was shown under a heading saying the errors are under each field, where there
    was none (fresh_eyes, two people moving one appointment)."""
    from flask import render_template_string
    from wtforms import Form, StringField

    class One(Form):
        name = StringField("Nom")

    template = '{% from "_macros/forms.html" import form_errors %}{{ form_errors(form) }}'
    with app.test_request_context("/"):
        whole = One()
        whole.form_errors.append("Ce rendez-vous a été modifié par quelqu'un d'autre.")
        html = render_template_string(template, form=whole)
        assert "modifié par quelqu&#39;un d&#39;autre" in html and "sous chaque champ" not in html
        both = One()
        both.name.errors = ["Requis."]
        both.form_errors.append("Ce rendez-vous a été modifié par quelqu'un d'autre.")
        assert "sous chaque champ" in render_template_string(template, form=both)
