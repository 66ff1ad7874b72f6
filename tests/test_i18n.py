"""The UI in French (default) and English (Flask-Babel): locale choice, translated pages, complete catalogue."""
import os
from datetime import date, timedelta

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from markupsafe import escape

from agir import labels
from agir.extensions import db
from agir.i18n import gettext, lazy_gettext
from tests import factories

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PO = os.path.join(ROOT, "agir", "translations", "en", "LC_MESSAGES", "messages.po")
POT = os.path.join(ROOT, "agir", "translations", "messages.pot")


def _catalog(path=PO):
    with open(path, "rb") as f:
        return read_po(f, locale="en")


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue(app):
    """`make install` compiles the .mo (git-ignored); compile it here too when it is missing or older."""
    mo = PO[:-2] + "mo"
    if not os.path.exists(mo) or os.path.getmtime(mo) < os.path.getmtime(PO):
        tmp = f"{mo}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            write_mo(f, _catalog())
        os.replace(tmp, mo)  # atomic: the other test worker may do the same
    with app.app_context():  # translations loaded before the .mo existed would be cached empty
        app.extensions["babel"].instance.domain_instance.cache.clear()


def html(response):
    return response.get_data(as_text=True)


def choose(client, locale, page="/login"):
    """The footer button: POST /langue with the CSRF token of the page it is on."""
    token = factories.csrf_token(client, page)
    return client.post("/langue", data={"locale": locale, "csrf_token": token})


# ---- Choosing the language --------------------------------------------------------------------

def test_the_login_page_is_french_by_default(client):
    page = html(client.get("/login"))
    assert '<html lang="fr"' in page
    assert "<h1>Connexion à AGIR</h1>" in page and "Se connecter" in page
    assert "Log in to AGIR" not in page
    assert 'value="en" lang="en">English</button>' in page  # the switch offers the other language


def test_the_footer_button_switches_to_english_and_back(client):
    assert choose(client, "en").status_code == 302
    page = html(client.get("/login"))
    assert '<html lang="en"' in page
    assert "<h1>Log in to AGIR</h1>" in page and "Sign in with your work account" in page
    assert "Connexion à AGIR" not in page
    assert 'value="fr" lang="fr">Français</button>' in page
    choose(client, "fr")
    assert "<h1>Connexion à AGIR</h1>" in html(client.get("/login"))


def test_an_english_browser_gets_english_when_nothing_was_chosen(client):
    page = html(client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert '<html lang="en"' in page and "<h1>Log in to AGIR</h1>" in page
    # French preferred, or a language we do not have: French.
    assert "Connexion à AGIR" in html(client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"}))
    assert "Connexion à AGIR" in html(client.get("/login", headers={"Accept-Language": "de-DE"}))


def test_the_choice_made_with_the_button_beats_the_browser(client):
    choose(client, "fr")
    assert "Connexion à AGIR" in html(client.get("/login", headers={"Accept-Language": "en"}))


def test_an_unknown_locale_is_ignored(client):
    choose(client, "de")
    assert '<html lang="fr"' in html(client.get("/login"))


def test_the_choice_survives_the_login(client, world):
    choose(client, "en")
    factories.login(client, "sw@example.fr")
    page = html(client.get("/persons/"))
    assert '<html lang="en"' in page and "<h1 class=\"fr-mb-1w\">My persons</h1>" in page


# ---- Translated pages ---------------------------------------------------------------------------

@pytest.fixture
def english_sw(client, world):
    factories.login(client, "sw@example.fr")
    choose(client, "en", page="/persons/")
    return world


def test_a_file_in_english_translates_labels_enums_and_sections(client, english_sw):
    person = factories.make_person(english_sw.department, english_sw.agir,
                                   protection_on=date.today() - timedelta(days=100))
    db.session.commit()
    page = html(client.get(f"/persons/{person.id}"))
    assert "Identity and household" in page and "Access to rights" in page and "Timeline" in page
    assert ">Health insurance<" in page  # enum label (label filter)
    assert "Accès aux droits" not in page and "Identité et ménage" not in page


def test_form_labels_validation_messages_and_flashes_are_english(client, english_sw):
    token = factories.csrf_token(client, "/persons/new")
    bad = html(client.post("/persons/new", data={"csrf_token": token, "last_name": ""}))
    assert ">Last name *</label>" in bad  # lazy form label
    assert "The last name is required." in bad  # lazy validation message
    assert "<option value=\"refugee\">Refugee</option>" in bad  # lazy select choices
    person = factories.make_person(english_sw.department, english_sw.agir)
    db.session.commit()
    token = factories.csrf_token(client, f"/persons/{person.id}/notes/new")
    done = client.post(f"/persons/{person.id}/notes/new", follow_redirects=True,
                       data={"csrf_token": token, "note-csrf_token": token, "note-date": date.today().isoformat(),
                             "note-text": "RAS"})
    assert "The note is saved." in html(done)


def test_an_english_page_escapes_its_translations_like_french(client, english_sw):
    page = html(client.get("/persons/new"))
    assert "Join the household of a person already followed" in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_error_pages_are_translated(client):
    choose(client, "en")
    page = html(client.get("/nowhere"))
    assert "Page not found" in page and "Page introuvable" not in page


# ---- Helpers ------------------------------------------------------------------------------------

def test_outside_a_request_text_and_labels_stay_french():
    assert gettext("Mes personnes") == "Mes personnes"
    assert labels.label("todo", "right_state") == "À faire"
    assert str(lazy_gettext("Le compte %(email)s est réactivé.", email="a@b.fr")) == "Le compte a@b.fr est réactivé."


def test_labels_follow_the_locale_of_the_request(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert labels.label("todo", "right_state") == "To do"
        assert labels.label("unknown", "right_state") == "unknown" and labels.label(None, "right_state") == "—"
        assert [str(text) for _, text in labels.choices("sex", blank=lazy_gettext("Choisir"))] == \
            ["Choose", "Woman", "Man"]
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert labels.label("todo", "right_state") == "À faire"


def test_a_lazy_translation_is_escaped_in_html_like_a_plain_string():
    text = lazy_gettext("Annuler l'orientation")
    assert str(escape(text)) == "Annuler l&#39;orientation" == str(escape("Annuler l'orientation"))


# ---- The catalogue ------------------------------------------------------------------------------

def test_every_message_has_an_english_translation():
    catalog = _catalog()
    messages = [m for m in catalog if m.id]
    assert len(messages) > 1000
    missing = [m.id for m in messages
               if not (all(m.string) if isinstance(m.string, tuple) else m.string and m.string.strip())]
    assert missing == []
    assert not [m.id for m in messages if m.fuzzy]


def test_translations_keep_the_placeholders_they_use():
    problems = [(m.id, [str(e) for e in errors]) for m, errors in _catalog().check()]
    assert problems == []


def test_the_template_holds_every_string_marked_in_the_sources():
    method_map = [("agir/**.py", "python"), ("blueprints/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}
    found = set()
    for folder in ("agir", "blueprints", "templates"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                os.path.join(ROOT, folder), [(f"**{pattern.split('**', 1)[1]}", method)
                                             for pattern, method in method_map if pattern.startswith(folder)],
                keywords=keywords, directory_filter=lambda path: os.path.basename(path) != "__pycache__"):
            found.add(message if isinstance(message, str) else tuple(message))
    template = {m.id if isinstance(m.id, str) else tuple(m.id) for m in _catalog(POT) if m.id}
    assert found - template == set(), "re-extract the catalogue (see babel.cfg)"
    assert template - found == set(), "re-extract the catalogue (see babel.cfg)"


def test_the_catalogue_matches_the_template():
    template = {m.id if isinstance(m.id, str) else tuple(m.id) for m in _catalog(POT) if m.id}
    translated = {m.id if isinstance(m.id, str) else tuple(m.id) for m in _catalog() if m.id}
    assert template == translated  # run pybabel update after extracting (see babel.cfg)
