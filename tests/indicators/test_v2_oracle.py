"""Property: the SQL figures of exit_outcomes, entry and appointments equal a plain Python reading of
INTERCHANGE.md over random files, for random periods and scopes (national, region, department, structure).

The files are drawn as plain values (dates around month ends, February included); the oracle computes
from those values alone, with agir.dates.add_months for the calendar step; the application answers
from the database with SQL aggregates.
"""
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agir.dates import add_months
from agir.extensions import db
from agir.indicators import build_scope, compute_indicators
from models import Exit, HousingAccess
from tests import factories as f
from tests.indicators.helpers import accompaniment

FIRST_DAY = date(2023, 12, 1)
DAYS = 150                                    # to the end of April 2024: a leap February and five month ends
PERMANENT = ("social_rental", "private_rental", "iml_mandate")

day = st.integers(0, DAYS).map(lambda n: FIRST_DAY + timedelta(days=n))
appointment = st.fixed_dictionaries({
    # a day of its own, or (for an oriented person) a number of days after the orientation, -2 to 40
    "day": day, "after_orientation": st.one_of(st.integers(-2, 40), st.none()),
    "hour": st.integers(0, 23), "minute": st.sampled_from([0, 59]),
    "kind": st.sampled_from(["first_interview", "first_interview", "follow_up", "diagnostic"]),
    "status": st.sampled_from(["honoured", "honoured", "missed", "planned", "excused", "cancelled"]),
    "at_other": st.booleans(),
})
# (hypothesis favours the first branches of one_of: the interesting ones come first, none last)
exit_situation = st.one_of(
    st.tuples(st.sampled_from(["cdd", "interim", "subsidised"]), st.sampled_from([5, 6, 7]),
              st.sampled_from([None, None, "pre_qualifying", "diploma"])),
    st.tuples(st.none(), st.none(), st.sampled_from(["pre_qualifying", "qualifying", "certifying", "diploma"])),
    st.tuples(st.just("cdi"), st.none(), st.sampled_from([None, "pre_qualifying", "qualifying"])),
    st.tuples(st.none(), st.none(), st.none()),
)
file = st.fixed_dictionaries({
    "department": st.sampled_from(["33", "24", "2A"]),
    "oriented": st.one_of(day, st.none()),
    "appointments": st.lists(appointment, min_size=1, max_size=4),
    # housing: a kind and a day, or (for an exit) a number of days from the exit, -1 to 1
    "housing": st.lists(st.tuples(st.sampled_from(PERMANENT + ("iml_sublet", "temporary")), day,
                                  st.one_of(st.integers(-1, 1), st.none())),
                        min_size=1, max_size=2),
    # accompaniment: start, days to the contract (None: none), days to the exit (None: open), situation
    "accompaniment": st.one_of(st.tuples(day, st.one_of(st.integers(0, 45), st.none()),
                                         st.one_of(st.integers(0, 90), st.none()), exit_situation), st.none()),
    "held_by_other": st.booleans(),
})
period = st.one_of(st.just((FIRST_DAY, FIRST_DAY + timedelta(days=DAYS))), st.tuples(day, day).map(sorted))
scope_kind = st.sampled_from(["national", "region:75", "region:94", "department:33", "department:2A",
                              "structure:A33", "structure:B33"])

SETTINGS = settings(max_examples=50, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def half_up(value: Fraction, places: int) -> float:
    quantum = Decimal(1).scaleb(-places)
    return float((Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum, ROUND_HALF_UP))


def share(numerator, denominator):
    return None if not denominator else half_up(Fraction(numerator, denominator), 4)


def median(values):
    if not values:
        return None
    values = sorted(values)
    middle = len(values) // 2
    pair = values[middle - 1] + values[middle] if len(values) % 2 == 0 else 2 * values[middle]
    return half_up(Fraction(pair, 2), 1)


def concrete(files: list[dict]) -> list[dict]:
    """The drawn files with every day resolved: appointments relative to the orientation, housing relative to
    the exit (so that the boundaries are often met)."""
    out = []
    for spec in files:
        spec = dict(spec)
        if spec["accompaniment"]:
            start, contract, after, situation = spec["accompaniment"]
            spec["exit_on"] = start + timedelta(days=after) if after is not None else None
            spec["contract_on"] = start + timedelta(days=contract) if contract is not None else None
        else:
            spec["exit_on"] = spec["contract_on"] = None
        spec["appointments"] = [dict(a, day=spec["oriented"] + timedelta(days=a["after_orientation"]))
                                if spec["oriented"] and a["after_orientation"] is not None else a
                                for a in spec["appointments"]]
        spec["housing"] = [(kind, spec["exit_on"] + timedelta(days=shift) if spec["exit_on"] and shift is not None
                            else on) for kind, on, shift in spec["housing"]]
        out.append(spec)
    return out


def moment(a: dict) -> datetime:
    return datetime(a["day"].year, a["day"].month, a["day"].day, a["hour"], a["minute"])


def in_scope(spec: dict, kind: str) -> bool:
    what, _, value = kind.partition(":")
    if what == "region":
        return {"33": "75", "24": "75", "2A": "94"}[spec["department"]] == value
    if what == "department":
        return spec["department"] == value
    if what == "structure":       # held by the structure (the files here hold no participation)
        return (spec["accompaniment"] is not None and spec["department"] == "33"
                and spec["held_by_other"] == (value == "B33"))
    return True


def oracle(files: list[dict], first: date, last: date, kind: str) -> dict:
    files = [spec for spec in files if in_scope(spec, kind)]
    exits = []
    for spec in files:
        if spec["exit_on"] is not None:
            job, months, training = spec["accompaniment"][3]
            exit_on = spec["exit_on"]
            if first <= exit_on <= last:
                housed = any(k in PERMANENT and on <= exit_on for k, on in spec["housing"])
                good = job == "cdi" or (job is not None and months >= 6) or training in ("qualifying", "certifying",
                                                                                          "diploma")
                exits.append((housed, bool(job or training), housed and good))
    n = len(exits)
    housed, positive, agir = (sum(1 for e in exits if e[i]) for i in range(3))
    oriented = [spec for spec in files if spec["oriented"] and first <= spec["oriented"] <= last]
    delays, within = [], 0
    for spec in oriented:
        o = spec["oriented"]
        firsts = [moment(a).date() for a in spec["appointments"]
                  if a["kind"] == "first_interview" and a["status"] == "honoured" and a["day"] >= o]
        if firsts:
            delays.append((min(firsts) - o).days)
            within += min(firsts) <= add_months(o, 1)
    contracts = [(spec["accompaniment"][0], spec["contract_on"]) for spec in files if spec["contract_on"]]
    signed = [(start, on) for start, on in contracts if first <= on <= last]
    dated = [a["status"] for spec in files for a in spec["appointments"] if first <= a["day"] <= last]
    honoured, missed = dated.count("honoured"), dated.count("missed")
    return {
        "exit_outcomes": {"exits": n, "permanent_housing": housed, "employment_or_training": positive,
                          "agir_positive": agir, "housing_share": share(housed, n),
                          "employment_share": share(positive, n), "agir_positive_share": share(agir, n)},
        "entry": {"orientations": len(oriented), "first_interview_within_month": within,
                  "median_days_to_first_interview": median(delays), "contracts_signed": len(signed),
                  "contract_within_month": sum(1 for start, on in signed if on <= add_months(start, 1))},
        "appointments": {"honoured": honoured, "missed": missed, "missed_share": share(missed, honoured + missed)},
    }


@pytest.fixture
def places(world):
    """Departments 33 and 24 (region 75) and 2A (region 94), two AGIR operators in each (A…, B…)."""
    departments = {"33": world.department, "24": f.make_department(code="24", name="Dordogne"),
                   "2A": f.make_department(code="2A", name="Corse-du-Sud")}
    structures = {code: (f.make_structure(dep, ref=f"A{code}"), f.make_structure(dep, ref=f"B{code}"))
                  for code, dep in departments.items()}
    db.session.commit()
    return departments, structures


def write(files: list[dict], departments, structures) -> None:
    """The random files in the database (never committed: each example is rolled back)."""
    for spec in files:
        mine, other = structures[spec["department"]]
        holder = other if spec["held_by_other"] else mine
        p = f.make_person(departments[spec["department"]], holder)
        if spec["oriented"]:
            f.orient(p, holder, on=spec["oriented"])
        for a in spec["appointments"]:
            f.make_appointment(p, other if a["at_other"] else mine, start=moment(a), kind=a["kind"],
                               status=a["status"])
        for kind, on in spec["housing"]:
            db.session.add(HousingAccess(person=p, kind=kind, access_on=on))
        if spec["accompaniment"]:
            start, _, _, (job, months, training) = spec["accompaniment"]
            acc = accompaniment(p, holder, start, planned_end=start + timedelta(days=365))
            if spec["contract_on"] is not None:
                f.sign_contract(acc, on=spec["contract_on"])
            if spec["exit_on"] is not None:
                acc.exit_on = spec["exit_on"]
                acc.exit = Exit(exit_on=acc.exit_on, reason="goals_reached", job_kind=job, job_months=months,
                                training_level=training)
    db.session.flush()


@SETTINGS
@given(files=st.lists(file, min_size=6, max_size=14), when=period, kind=scope_kind)
def test_v2_sections_equal_a_plain_computation(places, files, when, kind):
    departments, structures = places
    first, last = when
    files = concrete(files)
    try:
        write(files, departments, structures)
        what, _, value = kind.partition(":")
        scope = build_scope(first.isoformat(), last.isoformat(), value if what == "department" else None,
                            value if what == "structure" else None, "2024-06-30",
                            region=value if what == "region" else None)
        got = compute_indicators(scope)
        expected = oracle(files, first, last, kind)
        for section, figures in expected.items():
            assert got[section] == figures, (section, kind, first, last)
    finally:
        db.session.rollback()


# --- on generated data (agir generate: realistic v2 files) -----------------------------------------------

def records_oracle(persons, first: date, last: date) -> dict:
    """The three sections from ORM records walked in Python (persons: those of the scope)."""
    exits = [(p, a) for p in persons for a in p.accompaniments if a.exit and first <= a.exit.exit_on <= last]

    def housed(p, on):
        return any(h.kind in PERMANENT and h.access_on <= on for h in p.housing)

    def good(e):
        return e.job_kind == "cdi" or (e.job_kind is not None and (e.job_months or 0) >= 6) or e.training_level in (
            "qualifying", "certifying", "diploma")

    housed_n = sum(1 for p, a in exits if housed(p, a.exit.exit_on))
    positive = sum(1 for _, a in exits if a.exit.job_kind or a.exit.training_level)
    agir = sum(1 for p, a in exits if housed(p, a.exit.exit_on) and good(a.exit))
    oriented = [p for p in persons if p.oriented_on and first <= p.oriented_on <= last]
    delays, within = [], 0
    for p in oriented:
        days = [ap.start_at.date() for ap in p.appointments if ap.kind == "first_interview"
                and ap.status == "honoured" and ap.start_at.date() >= p.oriented_on]
        if days:
            delays.append((min(days) - p.oriented_on).days)
            within += min(days) <= add_months(p.oriented_on, 1)
    signed = [a for p in persons for a in p.accompaniments
              if a.contract_signed_on and first <= a.contract_signed_on <= last]
    statuses = [ap.status for p in persons for ap in p.appointments if first <= ap.start_at.date() <= last]
    honoured, missed = statuses.count("honoured"), statuses.count("missed")
    n = len(exits)
    return {
        "exit_outcomes": {"exits": n, "permanent_housing": housed_n, "employment_or_training": positive,
                          "agir_positive": agir, "housing_share": share(housed_n, n),
                          "employment_share": share(positive, n), "agir_positive_share": share(agir, n)},
        "entry": {"orientations": len(oriented), "first_interview_within_month": within,
                  "median_days_to_first_interview": median(delays), "contracts_signed": len(signed),
                  "contract_within_month": sum(1 for a in signed if a.contract_signed_on <= add_months(a.start_on, 1))},
        "appointments": {"honoured": honoured, "missed": missed, "missed_share": share(missed, honoured + missed)},
    }


def test_v2_sections_match_on_generated_data(app_ctx):
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from agir.demo.generator import generate_lines
    from agir.interchange.importer import import_lines
    from models import Accompaniment, Department, Person, Structure
    result = import_lines(generate_lines(400, seed=21, departments=4, today=date(2024, 6, 30)))
    assert not result.errors, result.errors[:3]
    db.session.commit()
    persons = db.session.scalars(select(Person).options(
        selectinload(Person.accompaniments).selectinload(Accompaniment.exit), selectinload(Person.housing),
        selectinload(Person.appointments), selectinload(Person.department).selectinload(Department.region),
        selectinload(Person.participations))).all()
    departments = db.session.scalars(select(Department).order_by(Department.code)).all()
    structures = db.session.scalars(select(Structure).where(Structure.kind == "agir_operator")
                                    .order_by(Structure.ref)).all()
    scopes = [("2022-01-01", "2024-06-30", {}), ("2023-01-31", "2023-02-28", {}),
              ("2023-07-01", "2024-06-30", {"department": departments[0].code}),
              ("2023-01-01", "2024-06-30", {"region": departments[-1].region.code}),
              ("2023-01-01", "2024-06-30", {"structure": structures[0].ref})]
    seen = set()
    for first, last, where in scopes:
        got = compute_indicators(build_scope(first, last, where.get("department"), where.get("structure"),
                                             "2024-06-30", region=where.get("region")))

        def chosen(p, where=where):
            if "department" in where:
                return p.department.code == where["department"]
            if "region" in where:
                return p.department.region.code == where["region"]
            if "structure" in where:
                ref = where["structure"]
                return (any(a.structure.ref == ref for a in p.accompaniments)
                        or any(pt.programme.structure.ref == ref for pt in p.participations))
            return True

        expected = records_oracle([p for p in persons if chosen(p)], date.fromisoformat(first),
                                  date.fromisoformat(last))
        for section, figures in expected.items():
            assert got[section] == figures, (section, first, last, where)
            seen.update(f"{section}.{key}" for key, value in figures.items() if value)
    # The generated data reaches every figure.
    assert {"exit_outcomes.agir_positive", "entry.first_interview_within_month", "entry.contract_within_month",
            "entry.median_days_to_first_interview", "appointments.missed"} <= seen
