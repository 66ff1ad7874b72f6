"""Property: the person form (its field checks, then the operation's rules) and `agir import` (its schema, then
its rules) accept and refuse the same person values — one rule, one place (issue 13, item 4).

The form side is the real PersonForm posted in a request context, then the rules the operation applies
(agir.operations.persons.check_person, and check_enrolments_hold for an edit); the import side is the
importer's own validation of a person line (agir.interchange.validation) and its rules
(agir.interchange.checks.check_person). Values are generated as a person would type them: no surrounding
spaces (the form strips them, a convenience of the screen, not a rule).
"""
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from agir.dates import add_months
from agir.dates import today as paris_today
from agir.errors import RuleViolation
from agir.extensions import db
from agir.interchange import checks
from agir.interchange.validation import validate_record
from agir.operations import persons as person_ops
from agir.operations import referrals as referral_ops
from models.enums import STATUSES
from tests import factories

TODAY = paris_today()
DEPARTMENT = checks.DepartmentInfo(agir_start=date(2022, 7, 1), max_months=12)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Dates around the edges that matter: the birth, today, tomorrow.
days = st.one_of(st.dates(min_value=date(1900, 1, 1), max_value=TODAY + timedelta(days=800)),
                 st.sampled_from([TODAY, TODAY + timedelta(days=1), date(1995, 3, 2), date(1995, 3, 1)]))
maybe_day = st.none() | days
letters = st.characters(whitelist_categories=("Lu", "Ll"), max_codepoint=0x17F)
names = st.text(letters, min_size=1, max_size=130)
LOCAL = "abcdefghijklmnopqrstuvwxyz0123456789.-_+"
DOMAIN = "abcdefghijklmnopqrstuvwxyz0123456789.-"
emails = st.one_of(
    st.none(),
    st.builds(lambda local, domain, tld: f"{local}@{domain}{tld}", st.text(LOCAL, min_size=0, max_size=12),
              st.text(DOMAIN, min_size=0, max_size=12), st.sampled_from(["", ".fr", ".org", ".", ".test", ".f"])),
    st.text("ab@. ", min_size=1, max_size=8).filter(lambda s: s == s.strip()),
    st.just("x" * 190 + "@exemple.fr"),
)
persons = st.fixed_dictionaries({
    "last_name": names, "first_name": names, "sex": st.sampled_from(["F", "M"]), "birth_on": days,
    "nationality": st.sampled_from(["AFG", "SYR", "ERI", "SDN"]), "status": st.sampled_from(STATUSES),
    "protection_on": maybe_day, "first_permit_on": maybe_day, "arrival_on": maybe_day, "cir_on": maybe_day,
    "permit_expiry_on": st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2199, 12, 31)),
    "phone": st.none() | st.text("0123456789", min_size=1, max_size=45),
    "prior_programme": st.none() | st.text(letters, min_size=1, max_size=210),
    "email": emails,
})
INTERCHANGE_NAMES = {"birth_on": "birth_date", "protection_on": "protection_date",
                     "first_permit_on": "first_permit_date", "arrival_on": "arrival_date", "cir_on": "cir_date",
                     "permit_expiry_on": "permit_expiry"}


def form_accepts(app, values: dict) -> bool:
    """The person form posted with these values: its field checks, then the operation's rules."""
    from blueprints.persons.forms import PersonForm
    data = MultiDict({name: value.isoformat() if isinstance(value, date) else (value or "")
                      for name, value in values.items()})
    with app.test_request_context(method="POST", data=data):
        form = PersonForm(meta={"csrf": False})
        if not form.validate():
            return False
        try:
            person_ops.check_person(person_ops._clean(form.values()), TODAY)
        except RuleViolation:
            return False
    return True


def person_line(values: dict, accompaniments=()) -> dict:
    """The same person as a line of the interchange file."""
    line = {"type": "person", "ref": "P1", "department": "33", "household": "H1", "hosting": None,
            "language_level": None, "accompaniments": list(accompaniments)}
    for name, value in values.items():
        line[INTERCHANGE_NAMES.get(name, name)] = value.isoformat() if isinstance(value, date) else value
    return line


def import_accepts(line: dict, structures=None) -> bool:
    """`agir import`'s checks of a person line: the schema, then the rules (references known)."""
    found = validate_record(line)
    if found.errors:
        return False
    errors, _ = checks.check_person(found.record, DEPARTMENT, structures or {}, TODAY)
    return not errors


@SETTINGS
@given(values=persons)
def test_the_person_form_and_the_import_accept_and_refuse_the_same_person(app, values):
    assert form_accepts(app, values) == import_accepts(person_line(values))


def test_the_property_sees_both_outcomes(app):
    good = dict(last_name="Rahimi", first_name="Nadia", sex="F", birth_on=date(1995, 3, 2), nationality="AFG",
                status="refugee", protection_on=date(2021, 9, 15), first_permit_on=None, arrival_on=None, cir_on=None,
                permit_expiry_on=None, phone=None, prior_programme=None, email="nadia@exemple.fr")
    assert form_accepts(app, good) and import_accepts(person_line(good))
    for bad in (dict(birth_on=date(2031, 1, 1)), dict(cir_on=date(1990, 1, 1)), dict(email="nadia@exemple"),
                dict(arrival_on=date(2099, 1, 1)), dict(protection_on=None), dict(last_name="x" * 121)):
        assert not form_accepts(app, {**good, **bad}) and not import_accepts(person_line({**good, **bad}))


# ---- an edit of an enrolled person -----------------------------------------------------------------

edits = st.fixed_dictionaries({
    "status": st.sampled_from(STATUSES),
    "protection_on": st.none() | st.dates(min_value=date(2018, 1, 1), max_value=TODAY),
    "first_permit_on": st.none() | st.dates(min_value=date(2018, 1, 1), max_value=TODAY),
    "structure_kind": st.sampled_from(["agir_operator", "project_operator"]),
    "days_ago": st.integers(min_value=0, max_value=600),
})


@SETTINGS
@given(edit=edits)
def test_an_edit_of_an_enrolled_person_is_refused_by_the_form_exactly_when_import_would_refuse_its_file(
        app_ctx, edit):
    start = max(TODAY - timedelta(days=edit["days_ago"]), DEPARTMENT.agir_start)
    department = factories.make_department(agir_start=DEPARTMENT.agir_start)
    structure = factories.make_structure(department, edit["structure_kind"], ref="S1")
    actor = factories.make_user("social_worker", structure)
    person = factories.make_person(department, structure, birth_on=date(1990, 1, 1), protection_on=start)
    factories.make_accompaniment(person, structure, start=start, planned_end=add_months(start, 12))
    values = {name: getattr(person, name) for name in person_ops.PERSON_FIELDS}
    values.update(status=edit["status"], protection_on=edit["protection_on"],
                  first_permit_on=edit["first_permit_on"])
    nested = db.session.begin_nested()
    try:
        person_ops.update_person(actor, person, values, today=TODAY)
        form_ok = True
    except RuleViolation:
        form_ok = False
    finally:
        nested.rollback()
    db.session.rollback()  # the next example starts from an empty database again
    accompaniment = {"structure": "S1", "start": start.isoformat(),
                     "planned_end": add_months(start, 12).isoformat(), "extensions": [], "exit": None}
    line = person_line({k: v for k, v in values.items() if k not in ("hosting", "language_level")}, [accompaniment])
    structures = {"S1": checks.StructureInfo(edit["structure_kind"], "33")}
    assert form_ok == import_accepts(line, structures)


# ---- notes and referral needs ------------------------------------------------------------------------

def with_items(**lists) -> dict:
    """A valid person line (no accompaniment) carrying these lists."""
    values = dict(last_name="Rahimi", first_name="Nadia", sex="F", birth_on=date(1995, 3, 2), nationality="AFG",
                  status="family", protection_on=None, first_permit_on=date(2021, 9, 15), arrival_on=None,
                  cir_on=None, permit_expiry_on=None, phone=None, prior_programme=None, email=None)
    return {**person_line(values), **lists}


note_texts = st.one_of(st.text(st.characters(max_codepoint=0x17F, blacklist_categories=("Cs", "Cc")), max_size=40),
                       st.integers(min_value=4990, max_value=5010).map(lambda n: "n" * n))


@SETTINGS
@given(day=days, text=note_texts)
def test_a_note_is_accepted_by_the_note_form_exactly_when_import_accepts_it(app, day, text):
    from blueprints.persons.forms import NoteForm
    with app.test_request_context(method="POST", data=MultiDict({"date": day.isoformat(), "text": text})):
        form = NoteForm(meta={"csrf": False})
        form_ok = form.validate()
        if form_ok:
            try:
                person_ops._check_note(form.date.data, form.text.data, TODAY)
            except RuleViolation:
                form_ok = False
    line = with_items(notes=[{"date": day.isoformat(), "text": text}])
    assert form_ok == import_accepts(line)


WORDS = ["Apprendre", "le", "français", "crèche", "suivi", "de", "sa", "tuberculose", "VIH", "grossesse",
         "médicaments", "emploi", "logement", "Diabète", "mentorat", "stress", "post-traumatique", "  "]
needs = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join).filter(str.strip)


@SETTINGS
@given(need=needs | st.integers(min_value=295, max_value=305).map(lambda n: "b" * n))
def test_a_referral_need_is_accepted_by_the_referral_form_exactly_when_import_accepts_it(app, need):
    from blueprints.referrals.forms import ReferralForm
    with app.test_request_context(method="POST", data=MultiDict({"need": need})):
        form = ReferralForm(meta={"csrf": False})
        form_ok = form.need.validate(form)
        if form_ok:
            try:
                referral_ops.check_need(form.need.data)
            except RuleViolation:
                form_ok = False
    referral = {"programme": "PR1", "sent": "2022-07-20", "need": need}
    found = validate_record(with_items(referrals=[referral]))
    errors = found.errors or checks.check_person(found.record, DEPARTMENT, {}, TODAY)[0]
    assert form_ok == (not errors)


# ---- the dated lines of the path -----------------------------------------------------------------

PATH_LINES = {  # kind of line: (the form's values, the same line in the file)
    "housing_step": (lambda d: {"kind": "siao_application", "date": d, "number": None},
                     lambda d: ("housing_steps", {"kind": "siao_application", "date": d, "number": None})),
    "housing": (lambda d: {"kind": "social_rental", "date": d},
                lambda d: ("housing", {"kind": "social_rental", "date": d})),
    "job": (lambda d: {"kind": "cdd", "date": d, "months": 8},
            lambda d: ("jobs", {"kind": "cdd", "start": d, "months": 8})),
    "training": (lambda d: {"level": "qualifying", "date": d},
                 lambda d: ("trainings", {"level": "qualifying", "start": d})),
    "event": (lambda d: {"kind": "medical_consultation", "date": d, "event_ref": None},
              lambda d: ("events", {"kind": "medical_consultation", "date": d})),
}
near_today = st.integers(min_value=-3, max_value=3).map(lambda n: TODAY + timedelta(days=n)) | days


@SETTINGS
@given(kind=st.sampled_from(sorted(PATH_LINES)), day=near_today)
def test_a_dated_line_of_the_path_is_accepted_by_its_form_exactly_when_import_accepts_it(kind, day):
    from agir.operations.path import ITEMS
    form_values, file_line = PATH_LINES[kind]
    try:
        ITEMS[kind].check(form_values(day), TODAY)
        form_ok = True
    except RuleViolation:
        form_ok = False
    key, item = file_line(day.isoformat())
    assert form_ok == import_accepts(with_items(**{key: [item]}))
