"""A file's history: the changes by default (the consultations behind a filter), corrections read as such with
their reason and each changed field before → after (French labels, dates jj/mm/aaaa), authors by display name."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from agir.audit import record
from agir.dates import add_months
from agir.extensions import db
from agir.operations import accompaniments as acc_ops
from agir.operations import corrections as ops
from models import Accompaniment, Person, User
from tests import factories

TODAY = date.today()


def html(response):
    return response.get_data(as_text=True)


@pytest.fixture
def sw(client, world):
    factories.login(client, "sw@example.fr")
    return world


def exited_person(world):
    start = add_months(TODAY, -9)
    person = factories.make_person(world.department, world.agir, protection_on=start - timedelta(days=20))
    acc = factories.make_accompaniment(person, world.agir, start=start, planned_end=add_months(start, 12))
    acc_ops.record_exit(world.users.social_worker, acc, TODAY - timedelta(days=30), "goals_reached",
                        job_kind="cdd", job_months=3)
    db.session.commit()
    return person, acc


def rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r"<tr.*?</tr>", body, re.S)


def test_the_history_shows_the_changes_first_and_the_views_only_behind_the_filter(client, sw):
    person, acc = exited_person(sw)
    for _ in range(120):
        record(sw.users.social_worker, "view_person", person=person.id, detail="dossier")
    db.session.commit()
    page = html(client.get(f"/persons/{person.id}/history"))
    assert "Afficher aussi les consultations" in page
    # 120 views no longer drown the exit: only the change is listed.
    listed = rows(page)
    assert len(listed) == 1 and "Sortie d&#39;accompagnement" in listed[0]
    assert "Consultation" not in page and "1 entrée." in page
    with_views = html(client.get(f"/persons/{person.id}/history?consultations=1"))
    assert len(rows(with_views)) == 50 and "Consultation (dossier)" in with_views
    # The pages keep the filter.
    assert f"/persons/{person.id}/history?page=2&amp;consultations=1" in with_views
    assert "checked" in with_views.split('id="consultations"', 1)[1][:80]


def test_a_corrected_exit_reads_as_a_correction_with_its_reason_and_values(client, sw):
    person, acc = exited_person(sw)
    old_day, new_day = TODAY - timedelta(days=30), TODAY - timedelta(days=25)
    ops.correct_exit(sw.users.social_worker, db.session.get(Accompaniment, acc.id), new_day, "moved_away", "cdi",
                     None, None, "Date et motif mal saisis")
    db.session.commit()
    page = html(client.get(f"/persons/{person.id}/history"))
    first = rows(page)[0]
    assert "Correction : sortie" in first
    assert "Motif : « Date et motif mal saisis »" in first
    assert f"date de sortie : {old_day:%d/%m/%Y}" in first and f"{new_day:%d/%m/%Y}" in first
    assert re.search(r"motif de sortie : Objectifs atteints .*?Déménagement", first, re.S)
    assert re.search(r"emploi à la sortie : CDD .*?CDI", first, re.S)
    assert new_day.isoformat() not in first  # dates read jj/mm/aaaa
    # The file's own history section shows it too.
    assert "Correction : sortie" in html(client.get(f"/persons/{person.id}"))


def test_a_cancelled_extension_reads_as_a_cancellation_with_what_it_was(client, sw):
    start = TODAY - timedelta(days=60)
    person = factories.make_person(sw.department, sw.agir, protection_on=start - timedelta(days=20))
    acc = factories.make_accompaniment(person, sw.agir, start=start, planned_end=add_months(start, 8))
    ext = acc_ops.extend_accompaniment(sw.users.social_worker, acc, TODAY - timedelta(days=2), add_months(start, 10),
                                       "Attente d'un logement")
    db.session.commit()
    ops.cancel_extension(sw.users.social_worker, ext, "Prolongation saisie dans le mauvais dossier")
    db.session.commit()
    first = rows(html(client.get(f"/persons/{person.id}/history")))[0]
    assert "Annulation : prolongation" in first and "Prolongation saisie dans le mauvais dossier" in first
    assert f"fin prévue : {add_months(start, 10):%d/%m/%Y}" in first and "→" not in first


def test_the_history_names_the_author_by_display_name_else_the_email(client, sw):
    person, _ = exited_person(sw)
    page = html(client.get(f"/persons/{person.id}/history"))
    assert "sw@example.fr" in rows(page)[0]
    user = db.session.scalars(select(User).where(User.email == "sw@example.fr")).one()
    user.display_name = "Awa Diallo"
    db.session.commit()
    first = rows(html(client.get(f"/persons/{person.id}/history")))[0]
    assert "Awa Diallo" in first and "sw@example.fr" not in first
    assert db.session.get(Person, person.id) is not None


# ---- Display names: set by the administrator, by the holder, on the command line, for the demo ---------

def _post(client, url, data, form_url=None):
    token = factories.csrf_token(client, form_url or url)
    return client.post(url, data={"csrf_token": token, **data})


def test_the_administrator_gives_a_display_name_at_creation_and_changes_it(client, world):
    factories.login(client, "admin@example.fr")
    response = _post(client, "/admin/users/new", {"email": "awa@example.fr", "display_name": "  Awa   Diallo ",
                                                  "role": "social_worker", "structure": str(world.agir.id),
                                                  "department": ""})
    assert response.status_code == 200
    user = db.session.scalars(select(User).where(User.email == "awa@example.fr")).one()
    assert user.display_name == "Awa Diallo"
    url = f"/admin/users/{user.id}/edit"
    assert 'value="Awa Diallo"' in html(client.get(url))
    response = _post(client, url, {"display_name": "Awa Diallo-Sy", "role": "social_worker",
                                   "structure": str(world.agir.id), "department": ""})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.display_name == "Awa Diallo-Sy" and user.session_epoch == 0  # a new name ends no session
    too_long = _post(client, url, {"display_name": "x" * 121, "role": "social_worker",
                                   "structure": str(world.agir.id), "department": ""})
    assert "Le nom affiché fait au plus 120 caractères." in html(too_long)


def test_the_holder_sets_their_display_name_on_their_account_page(client, world):
    factories.login(client, "sw@example.fr")
    assert "Mon nom affiché" in html(client.get("/account"))
    response = _post(client, "/account/name", {"display_name": "Awa Diallo"}, form_url="/account")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(User).where(User.email == "sw@example.fr")).one().display_name == "Awa Diallo"
    assert "Awa Diallo" in html(client.get("/account"))
    # Emptied: the e-mail is shown again.
    _post(client, "/account/name", {"display_name": " "}, form_url="/account")
    db.session.expire_all()
    assert db.session.scalars(select(User).where(User.email == "sw@example.fr")).one().display_name is None


def test_create_user_takes_an_optional_display_name(runner, world):
    result = runner.invoke(args=["agir", "create-user", "cli@example.fr", "--role", "social_worker", "--structure",
                                 "S-AGIR", "--password-stdin", "--display-name", "Karim Benali"],
                           input="a-long-enough-password\n")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalars(select(User).where(User.email == "cli@example.fr")).one().display_name == "Karim Benali"


def test_the_demo_accounts_carry_display_names(app_ctx):
    from agir.demo.demo import load_demo
    load_demo()
    names = db.session.scalars(select(User.display_name).where(User.email.like("%@demo.example.org"))).all()
    assert len(names) == 6 and all(names)  # one account per role


def test_the_admin_audit_log_and_the_dpo_trail_name_corrections_as_such(client, world):
    person, acc = exited_person(world)
    ops.cancel_exit(world.users.social_worker, db.session.get(Accompaniment, acc.id), "Sortie saisie par erreur")
    db.session.commit()
    factories.login(client, "admin@example.fr")
    page = html(client.get("/admin/audit/"))
    assert "Annulation : sortie" in page and "Motif : « Sortie saisie par erreur »" in page
    trail = client.get(f"/admin/audit/persons/{person.id}.csv").get_data(as_text=True)
    assert ";Annulation : sortie;" in trail


def test_the_history_and_the_correction_pages_read_in_english(client, sw, app):
    person, acc = exited_person(sw)
    ops.correct_exit(sw.users.social_worker, db.session.get(Accompaniment, acc.id), TODAY - timedelta(days=29),
                     "goals_reached", "cdd", 3, None, "Un jour d'écart")
    db.session.commit()
    client.post("/langue", data={"locale": "en", "csrf_token": factories.csrf_token(client, "/persons/")})
    page = html(client.get(f"/persons/{person.id}/history"))
    assert "Correction: exit" in page and "Also show views" in page and "exit date: " in page
    assert "Reason: “Un jour d&#39;écart”" in page
    correct = html(client.get(f"/persons/{person.id}/accompaniments/{acc.id}/exit/correct"))
    assert "Correct the exit" in correct and "Reason for the correction" in correct


def test_a_corrected_job_of_the_path_reads_with_labels_not_codes(client, sw):
    from agir.operations import path as path_ops
    person, _ = exited_person(sw)
    job = path_ops.add_item(sw.users.social_worker, db.session.get(Person, person.id), "job",
                            {"kind": "cdd", "date": TODAY - timedelta(days=20), "months": 6})
    db.session.commit()
    path_ops.correct_item(sw.users.social_worker, job, {"kind": "interim", "date": TODAY - timedelta(days=20),
                                                        "months": 2}, "Intérim, pas CDD")
    db.session.commit()
    first = rows(html(client.get(f"/persons/{person.id}/history")))[0]
    assert "Correction : emploi" in first and "Intérim, pas CDD" in first
    assert re.search(r"contrat : CDD → (Intérim|Mission d)", first) and "durée (mois) : 6 → 2" in first
