"""Test data builders (plain functions: explicit, no magic) and form helpers."""
import itertools
import re
from datetime import date
from types import SimpleNamespace

from agir.extensions import db
from agir.operations.users import create_user
from models import Accompaniment, Department, Household, Person, Programme, Session, Structure

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def make_department(code="33", name="Gironde", agir_start=date(2022, 7, 1), wave=2022, max_months=12):
    """A department (AGIR deployed from agir_start)."""
    dep = Department(code=code, name=name, agir_start_on=agir_start, agir_wave=wave, max_months=max_months)
    db.session.add(dep)
    db.session.flush()
    return dep


def make_structure(department, kind="agir_operator", ref=None, name=None):
    """A structure of the department."""
    n = _n()
    s = Structure(ref=ref or f"S{n}", name=name or f"Structure {n}", department=department, kind=kind)
    db.session.add(s)
    db.session.flush()
    return s


def make_programme(department, structure, theme="language", ref=None, start=date(2022, 1, 1),
                   end=date(2023, 12, 31), carif="14_AF_0001", sessions=((date(2022, 9, 1), 3.0),), **kw):
    """A programme with sessions."""
    n = _n()
    p = Programme(ref=ref or f"PR{n}", name=kw.pop("name", f"Programme {n}"), theme=theme, structure=structure,
                  department=department, start_on=start, end_on=end, carif_oref_ref=carif,
                  target_beneficiaries=kw.pop("target", 20), total_cost=kw.pop("total_cost", 10000.0),
                  p104_subsidy=kw.pop("p104_subsidy", 8000.0), **kw)
    p.sessions = [Session(held_on=d, hours=h) for d, h in sessions]
    db.session.add(p)
    db.session.flush()
    return p


def make_person(department, structure=None, household=None, **kw):
    """A BPI person protected on 2022-03-01 unless told otherwise."""
    n = _n()
    values = dict(
        ref=f"P{n}", last_name=f"Nom{n}", first_name=f"Prénom{n}", sex="F", birth_on=date(1990, 1, 1),
        nationality="AFG", status="refugee", protection_on=date(2022, 3, 1), language_level="A1",
    )
    values.update(kw)
    if household is None:
        household = Household(ref=f"H{n}")
    p = Person(department=department, structure=structure, household=household, **values)
    db.session.add(p)
    db.session.flush()
    return p


def make_accompaniment(person, structure, start=date(2022, 9, 1), planned_end=date(2023, 8, 31), **kw):
    """An open accompaniment (no exit) unless exit_on is given."""
    kind = "agir" if structure.kind == "agir_operator" else "project"
    a = Accompaniment(person=person, structure=structure, kind=kind,
                      start_on=start, planned_end_on=planned_end, current_end_on=kw.pop("current_end", planned_end),
                      **kw)
    db.session.add(a)
    db.session.flush()
    return a


# Second factor (issue 20): administrators and pilots must have one; the factories enrol this known secret for
# them (totp=False: not enrolled) and `login` below sends its code, as a person with the application would.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def make_user(role, structure=None, department=None, email=None, password=PASSWORD, region=None, totp=None):
    """An account through the real operation (`region`: an INSEE region code, for a regional pilot)."""
    from agir.operations import totp as totp_ops
    user = create_user(email or f"{role}{_n()}@example.fr", role, password,
                       structure_ref=structure.ref if structure else None,
                       department_code=department.code if department else None, region_code=region)
    if totp or (totp is None and totp_ops.is_required(user)):
        totp_ops.enrol_for_tests_or_demo(user, TOTP_SECRET)
    return user


def totp_code(secret=TOTP_SECRET) -> str:
    import pyotp
    return pyotp.TOTP(secret).now()


def make_world(commit=True):
    """Department 33 with an AGIR operator, another AGIR operator, a language school, users of every role."""
    dep = make_department()
    agir = make_structure(dep, "agir_operator", ref="S-AGIR", name="Opérateur AGIR Bordeaux")
    other = make_structure(dep, "agir_operator", ref="S-OTHER", name="Autre opérateur AGIR")
    school = make_structure(dep, "programme_operator", ref="S-LANG", name="École de langue")
    programme = make_programme(dep, school, ref="PR-LANG", name="Français pour tous")
    users = SimpleNamespace(
        social_worker=make_user("social_worker", agir, email="sw@example.fr"),
        other_social_worker=make_user("social_worker", other, email="sw-other@example.fr"),
        referral_officer=make_user("referral_officer", school, email="ro@example.fr"),
        pilot=make_user("pilot", department=dep, email="pilot@example.fr"),
        admin=make_user("admin", email="admin@example.fr"),
        regional_pilot=make_user("regional_pilot", email="regional@example.fr", region="75"),
        national_pilot=make_user("national_pilot", email="national@example.fr"),
    )
    if commit:
        db.session.commit()
    return SimpleNamespace(department=dep, agir=agir, other=other, school=school, programme=programme, users=users)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url="/login") -> str:
    """The CSRF token of the form served at url."""
    html = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no csrf_token in {url}"
    return match.group(1)


def login(client, email, password=PASSWORD, query=""):
    """Sign in through the real login form; returns the response. An account with a second factor gets its code
    sent on the next page (the code's replay guard is cleared first: a test may sign one account in twice within
    30 seconds; tests/test_totp.py tests the guard itself)."""
    token = csrf_token(client, "/login")
    response = client.post("/login" + query, data={"email": email, "password": password, "csrf_token": token})
    if response.status_code == 302 and response.headers["Location"].endswith("/login/code"):
        forget_last_totp_step(email)
        token = csrf_token(client, "/login/code")
        response = client.post("/login/code", data={"code": totp_code(), "csrf_token": token})
    return response


def forget_last_totp_step(email):
    from sqlalchemy import update

    from models import User
    with db.engine.begin() as conn:
        conn.execute(update(User).where(User.email == email.lower()).values(totp_last_step=None))


# Contract v2 (issue 15): languages, orientation, appointments, documents, diagnostic, plan, contract ----

def add_language(person, code="prs", level="native"):
    """A language the person speaks (ISO 639-3 code)."""
    from models import PersonLanguage
    row = PersonLanguage(person=person, code=code, level=level)
    db.session.add(row)
    db.session.flush()
    return row


def orient(person, structure, on=date(2022, 8, 1), source="ofii"):
    """The person's orientation to a structure."""
    person.oriented_on, person.orientation_source, person.orientation_structure = on, source, structure
    db.session.flush()
    return person


def make_appointment(person, structure, start=None, minutes=60, kind="first_interview", mode="on_site",
                     status="honoured", interpreter=None, referent=None):
    """An appointment; `start` is the local Paris wall-clock time (a naive datetime)."""
    from datetime import datetime

    from models import Appointment
    row = Appointment(person=person, structure=structure, start_at=start or datetime(2022, 8, 20, 10, 0),
                      minutes=minutes, kind=kind, mode=mode, status=status, interpreter=interpreter,
                      referent=referent)
    db.session.add(row)
    db.session.flush()
    return row


def make_document(person, structure, kind="residence_permit", on=date(2022, 8, 20), expires=None,
                  filename=None, sha256=None):
    """Document metadata (no bytes)."""
    from models import Document
    row = Document(person=person, structure=structure, kind=kind, document_on=on, expires_on=expires,
                   filename=filename, sha256=sha256)
    db.session.add(row)
    db.session.flush()
    return row


def make_diagnostic(accompaniment, on=None, **needs):
    """The accompaniment's diagnostic: its six areas, need `none` unless told (area="high" or ("high", text))."""
    from models import DiagnosticArea
    from models.enums import AREAS
    accompaniment.diagnostic_on = on or accompaniment.start_on
    for area in AREAS:
        need, text = needs.get(area, "none"), None
        if isinstance(need, tuple):
            need, text = need
        accompaniment.diagnostic_areas.append(DiagnosticArea(area=area, need=need, text=text))
    db.session.flush()
    return accompaniment


def add_objective(accompaniment, area="housing", objective="Accéder à un logement", due=None, state="open",
                  closed=None):
    """An objective of the accompaniment's action plan (`closed` is set when the state is not open)."""
    from models import PlanObjective
    row = PlanObjective(accompaniment=accompaniment, area=area, objective=objective, due_on=due, state=state,
                        closed_on=closed)
    db.session.add(row)
    db.session.flush()
    return row


def sign_contract(accompaniment, on=None, language="fra"):
    """The engagement contract signed on a day (the start by default), in a language (ISO 639-3)."""
    accompaniment.contract_signed_on = on or accompaniment.start_on
    accompaniment.contract_language = language
    db.session.flush()
    return accompaniment
