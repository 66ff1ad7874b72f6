"""Session series and attendance grid (issue 17, item 5) through the real forms."""
import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from agir.extensions import db
from agir.interchange.exporter import iter_export_lines
from models import AuditEntry, Participation, Session
from models.programme import Attendance, SessionSeries
from tests import factories
from tests.referrals_factories import client_for, html

NEW = "/referrals/programmes/{id}/series/new"


def _series(ro, programme, **kw):
    url = NEW.format(id=programme.id)
    data = {"csrf_token": factories.csrf_token(ro, url), "first_on": "2022-05-01", "last_on": "2022-06-30",
            "weekdays": ["0", "3"], "starts_at": "09:30", "hours": "2,5", "skip_holidays": "y",
            "exceptions": "09/06/2022\n20/06/2022 - 24/06/2022", "action": "preview"}
    data.update(kw)
    return ro.post(url, data=data)


def _count(model, **where):
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_preview_lists_the_dates_and_writes_nothing_then_create_writes_them_all(app, world):
    ro = client_for(app, "ro@example.fr")
    before = _count(Session, programme_id=world.programme.id)
    page = html(_series(ro, world.programme))
    # Mondays and Thursdays of May-June 2022: Ascension (26/05) and Whit Monday (06/06) skipped, 09/06 typed,
    # 20-24/06 typed as a period.
    assert "Ascension" in page and "Lundi de Pentecôte" in page and "exception ligne 2" in page
    shown = re.findall(r"<td>(\d\d/\d\d/2022)</td>", page)
    assert "26/05/2022" not in shown and "06/06/2022" not in shown and "09/06/2022" not in shown
    assert "20/06/2022" not in shown and "02/05/2022" in shown and "30/06/2022" in shown
    assert f"Créer les {len(shown)} séances" in page
    assert _count(Session, programme_id=world.programme.id) == before and _count(SessionSeries) == 0
    resp = _series(ro, world.programme, action="create")
    assert resp.status_code == 302
    series = db.session.scalar(select(SessionSeries))
    created = sorted(s.held_on.strftime("%d/%m/%Y") for s in series.sessions)
    assert len(created) == len(shown) and all(s.hours == 2.5 and s.starts_at.hour == 9 for s in series.sessions)
    assert series.weekdays == "0,3"
    assert _count(AuditEntry, action="session_series_created") == 1
    # The interchange is unchanged: one dated session each, {"date", "hours"} only.
    programme_line = next(json.loads(line) for line in iter_export_lines()
                          if '"programme"' in line and world.programme.ref in line)
    assert {"date": "2022-05-02", "hours": 2.5} in programme_line["sessions"]
    assert all(set(s) == {"date", "hours"} for s in programme_line["sessions"])


def test_bad_series_every_error_next_to_its_field_nothing_written(app, world):
    ro = client_for(app, "ro@example.fr")
    for action in ("preview", "create"):
        resp = _series(ro, world.programme, action=action, first_on="2023-12-01", last_on="2024-01-31",
                       weekdays=[], hours="0", exceptions="01/01/2024 - 10/01/2024\n05/01/2024")
        page = html(resp)
        assert resp.status_code == 200
        assert 'id="weekdays-error"' in page and "Cochez au moins un jour de la semaine." in page
        assert re.search(r'id="hours-error" class="fr-error-text">La durée d&#39;une séance', page)
        assert re.search(r'id="last_on-error" class="fr-error-text">La série se termine après le programme', page)
        assert "Ligne 2 : cette exception chevauche celle de la ligne 1." in page
        assert 'value="2023-12-01"' in page  # kept as typed
    resp = _series(ro, world.programme, first_on="2022-06-30", last_on="2022-05-01")
    assert "La date de fin de la série ne peut précéder sa date de début." in html(resp)
    assert _count(SessionSeries) == 0 and _count(Session, programme_id=world.programme.id) == 1


def test_social_worker_and_other_structures_cannot_create_series(app, world):
    sw = client_for(app, "sw@example.fr")
    assert sw.get(NEW.format(id=world.programme.id)).status_code == 403


def _made_series(ro, programme):
    assert _series(ro, programme, action="create", exceptions="").status_code == 302
    return db.session.scalar(select(SessionSeries))


def test_edit_one_occurrence_or_the_rest_and_cancel_the_rest(app, world):
    ro = client_for(app, "ro@example.fr")
    series = _made_series(ro, world.programme)
    days = list(series.sessions)
    third, fifth = days[2], days[4]
    url = f"/referrals/programmes/{world.programme.id}/sessions/{third.id}/edit"
    assert re.search(r'<input[^>]*id="hours"[^>]*value="2,5"', html(ro.get(url)))  # as the French write it
    resp = ro.post(url, data={"csrf_token": factories.csrf_token(ro, url), "scope": "one", "held_on": "2022-05-10",
                              "starts_at": "14:00", "hours": "3"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Session, third.id).held_on == date(2022, 5, 10)
    assert db.session.get(Session, days[3].id).hours == 2.5
    url = f"/referrals/programmes/{world.programme.id}/sessions/{fifth.id}/edit"
    resp = ro.post(url, data={"csrf_token": factories.csrf_token(ro, url), "scope": "rest", "starts_at": "",
                              "hours": "2"})
    assert resp.status_code == 302
    db.session.expire_all()
    hours = [s.hours for s in db.session.get(SessionSeries, series.id).sessions]
    assert hours[:4] == [2.5, 2.5, 3.0, 2.5] and hours[4:] and all(h == 2.0 for h in hours[4:])
    assert db.session.get(Session, days[3].id).hours == 2.5
    # Bad edit: 0 hours, no date, all at once, nothing written.
    url = f"/referrals/programmes/{world.programme.id}/sessions/{third.id}/edit"
    page = html(ro.post(url, data={"csrf_token": factories.csrf_token(ro, url), "scope": "one", "held_on": "",
                                   "hours": "0"}))
    assert "La date de la séance est requise." in page and "La durée d&#39;une séance" in page
    # Cancel the rest of the series from the fifth on: the series now ends on the fourth's day.
    url = f"/referrals/programmes/{world.programme.id}/sessions/{fifth.id}/cancel"
    edit = f"/referrals/programmes/{world.programme.id}/sessions/{fifth.id}/edit"
    resp = ro.post(url, data={"cancel-csrf_token": _cancel_token(ro, edit), "cancel-scope": "rest"})
    assert resp.status_code == 302
    db.session.expire_all()
    kept = db.session.get(SessionSeries, series.id)
    assert len(kept.sessions) == 4 and kept.last_on == max(s.held_on for s in kept.sessions)


def _cancel_token(client, url):
    return re.search(r'name="cancel-csrf_token"[^>]*value="([^"]+)"', html(client.get(url))).group(1)


@pytest.fixture
def class_of_three(world):
    people = [factories.make_person(world.department, world.agir, last_name=name, first_name="Ana")
              for name in ("Bernard", "Abdi", "Carvalho")]
    ended = factories.make_person(world.department, world.agir, last_name="Zed")
    parts = [Participation(person=p, programme=world.programme, start_on=date(2022, 5, 1), planned_hours=20,
                           attended_hours=7.0) for p in people]
    parts.append(Participation(person=ended, programme=world.programme, start_on=date(2022, 1, 1),
                               end_on=date(2022, 3, 1)))
    db.session.add_all(parts)
    db.session.commit()
    return parts


def _grid_url(programme, session):
    return f"/referrals/programmes/{programme.id}/sessions/{session.id}/attendance"


def test_attendance_grid_fills_attended_hours_with_the_sum_of_presences(app, world, class_of_three):
    ro = client_for(app, "ro@example.fr")
    series = _made_series(ro, world.programme)
    first, second = series.sessions[0], series.sessions[1]
    bernard, abdi, carvalho, ended = class_of_three
    page = html(ro.get(_grid_url(world.programme, first)))
    assert page.index("ABDI Ana") < page.index("BERNARD Ana") < page.index("CARVALHO Ana")
    assert "ZED" not in page  # participation over before the session
    token = factories.csrf_token(ro, _grid_url(world.programme, first))
    resp = ro.post(_grid_url(world.programme, first), data={
        "csrf_token": token, f"present-{bernard.id}": "1", f"was-{bernard.id}": "",
        f"present-{abdi.id}": "1", f"hours-{abdi.id}": "1,5", f"was-{abdi.id}": "", f"was-{carvalho.id}": ""})
    assert resp.status_code == 302
    resp = ro.post(_grid_url(world.programme, second), data={
        "csrf_token": token, f"present-{bernard.id}": "1", f"was-{bernard.id}": ""})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Participation, bernard.id).attended_hours == 5.0   # 2.5 + 2.5
    assert db.session.get(Participation, abdi.id).attended_hours == 1.5
    assert db.session.get(Participation, carvalho.id).attended_hours == 7.0  # untouched: never ticked
    assert _count(AuditEntry, action="attendance_recorded", person_id=bernard.person_id) == 2
    assert _count(AuditEntry, action="attendance_grid_viewed") >= 1
    # Unticking Bernard at the first session: 2.5 left.
    resp = ro.post(_grid_url(world.programme, first), data={"csrf_token": token, f"was-{bernard.id}": "2.5",
                                                             f"present-{abdi.id}": "1", f"hours-{abdi.id}": "1,5",
                                                             f"was-{abdi.id}": "1.5"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Participation, bernard.id).attended_hours == 2.5
    matrix = html(ro.get(f"/referrals/programmes/{world.programme.id}/attendance"))
    assert "BERNARD Ana" in matrix and "1,5 h" in matrix
    # A session with presences is not cancelled.
    edit = f"/referrals/programmes/{world.programme.id}/sessions/{first.id}/edit"
    page = html(ro.post(f"/referrals/programmes/{world.programme.id}/sessions/{first.id}/cancel",
                        data={"cancel-csrf_token": _cancel_token(ro, edit), "cancel-scope": "one"}))
    assert "Des présences sont enregistrées pour la séance du 02/05/2022" in page
    assert db.session.get(Session, first.id) is not None


def test_bad_hours_in_the_grid_refused_on_their_row_nothing_written(app, world, class_of_three):
    ro = client_for(app, "ro@example.fr")
    session = world.programme.sessions[0]  # 01/09/2022, 3 h
    bernard, abdi, *_ = class_of_three
    url = _grid_url(world.programme, session)
    resp = ro.post(url, data={"csrf_token": factories.csrf_token(ro, url),
                              f"present-{bernard.id}": "1", f"hours-{bernard.id}": "0", f"was-{bernard.id}": "",
                              f"present-{abdi.id}": "1", f"hours-{abdi.id}": "4", f"was-{abdi.id}": ""})
    page = html(resp)
    assert resp.status_code == 422
    assert f'id="hours-{bernard.id}-error"' in page and f'id="hours-{abdi.id}-error"' in page
    assert "Les heures suivies sont comprises entre 0 (exclu) et la durée de la séance (3 h)." in page
    assert f'id="hours-{abdi.id}" value="4"' in page  # kept as typed
    assert _count(Attendance) == 0


@pytest.mark.parametrize("email", ["sw@example.fr", "admin@example.fr", "other-ro@example.fr"])
def test_only_the_structures_referral_officers_see_the_grid(app, world, class_of_three, email):
    factories.make_user("referral_officer", world.other, email="other-ro@example.fr")
    db.session.commit()
    client = client_for(app, email)
    url = _grid_url(world.programme, world.programme.sessions[0])
    assert client.get(url).status_code in (403, 404)
    assert client.get(f"/referrals/programmes/{world.programme.id}/attendance").status_code in (403, 404)
    assert "ABDI" not in html(client.get(url))
    if email != "sw@example.fr":  # role allowed to the blueprint, refused for this programme: written down
        assert _count(AuditEntry, action="access_refused") >= 1


def test_a_presence_changed_meanwhile_is_named_in_a_sentence_that_agrees_with_it(app, world, class_of_three):
    """Two officers save the same grid: the second one's rows changed meanwhile are kept as the first left them and
    named — « sa présence » for one person, « leur présence » for several (was « leur présence » even for one)."""
    ro = client_for(app, "ro@example.fr")
    session = world.programme.sessions[0]  # 3 h
    bernard, abdi, *_ = class_of_three
    url = _grid_url(world.programme, session)
    token = factories.csrf_token(ro, url)
    first = {"csrf_token": token, f"present-{bernard.id}": "1", f"hours-{bernard.id}": "1", f"was-{bernard.id}": "",
             f"present-{abdi.id}": "1", f"hours-{abdi.id}": "1", f"was-{abdi.id}": ""}
    assert ro.post(url, data=first).status_code == 302
    # The second grid was opened before: Bernard unticked on it.
    stale = dict(first, **{f"hours-{bernard.id}": "2", f"hours-{abdi.id}": ""})
    stale[f"present-{abdi.id}"] = "1"
    page = html(ro.post(url, data={k: v for k, v in stale.items() if k != f"hours-{abdi.id}"}, follow_redirects=True))
    assert "sauf pour ABDI Ana, BERNARD Ana : quelqu&#39;un d&#39;autre a modifié leur présence" in page
    one = {"csrf_token": token, f"present-{bernard.id}": "1", f"hours-{bernard.id}": "2", f"was-{bernard.id}": ""}
    page = html(ro.post(url, data=one, follow_redirects=True))
    assert "sauf pour BERNARD Ana : quelqu&#39;un d&#39;autre a modifié sa présence entre-temps" in page
    db.session.expire_all()
    assert sorted(a.hours for a in db.session.scalars(select(Attendance))) == [1.0, 1.0]


def test_no_presence_is_recorded_for_a_session_not_held_yet(app, world, class_of_three):
    """fresh_eyes: the grid took presences for next week's session; who came is known from the session's day."""
    from datetime import timedelta

    from agir import dates

    ahead = Session(programme=world.programme, held_on=dates.today() + timedelta(days=7), hours=2.0)
    db.session.add(ahead)
    db.session.commit()
    ro = client_for(app, "ro@example.fr")
    bernard = class_of_three[0]
    url = _grid_url(world.programme, ahead)
    resp = ro.post(url, data={"csrf_token": factories.csrf_token(ro, url), f"present-{bernard.id}": "1",
                              f"was-{bernard.id}": ""})
    assert "n&#39;a pas encore eu lieu" in html(resp)
    assert _count(Attendance) == 0
    db.session.expire_all()
    assert db.session.get(Participation, bernard.id).attended_hours == 7.0
