"""The SQL indicators and cohort agree with a plain-Python reading of INTERCHANGE.md on generated data.

The oracle below walks every record in Python (fine in a test, never in the application) with
the rules of agir.dates and agir.rules; the application answers with SQL aggregates only. Both
must give the same JSON for many scopes: periods, departments, structures, as-of dates.
"""
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from agir.dates import add_months, age_on
from agir.demo.generator import generate_lines
from agir.extensions import db
from agir.indicators import build_cohort_scope, build_scope, compute_cohort, compute_indicators
from agir.interchange.importer import import_lines
from agir.rules.path import is_durable_job, progressed_one_level
from models import Accompaniment, Department, Exit, Participation, Person, Programme, Referral, Structure
from models.enums import BPI_STATUSES, EMPLOYMENT_SUBSIDY_THEMES, LANGUAGE_THEMES, PERMANENT_HOUSING_KINDS
from tests.indicators.test_v2_oracle import records_oracle

TODAY = date(2024, 6, 30)


def overlaps(start, end, first, last):
    return start <= last and (end is None or end >= first)


def half_up(value: Fraction, places: int) -> float | None:
    quantum = Decimal(1).scaleb(-places)
    return float((Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum, ROUND_HALF_UP))


def share(num, den):
    return None if not den else half_up(Fraction(num) / Fraction(den), 4)


def money(values):
    total = sum((Decimal(repr(v)) for v in values if v is not None), Decimal(0)).quantize(Decimal("0.01"))
    return int(total) if total == total.to_integral_value() else float(total)


def load_everything():
    """Every person and programme with their records, loaded once for the oracle."""
    persons = db.session.scalars(select(Person).options(
        selectinload(Person.accompaniments).selectinload(Accompaniment.extensions),
        selectinload(Person.accompaniments).selectinload(Accompaniment.exit).selectinload(Exit.followup),
        selectinload(Person.participations).selectinload(Participation.programme),
        selectinload(Person.referrals).selectinload(Referral.programme),
        selectinload(Person.housing), selectinload(Person.events), selectinload(Person.rights),
        selectinload(Person.jobs), selectinload(Person.trainings), selectinload(Person.department),
        selectinload(Person.appointments))).all()
    programmes = db.session.scalars(select(Programme).options(selectinload(Programme.sessions))).all()
    return persons, programmes


def oracle(everything, first, last, as_of, department=None, structure=None) -> dict:
    persons, programmes = everything

    def person_in(p):
        if department and p.department_id != department.id:
            return False
        if structure:
            return (any(a.structure_id == structure.id for a in p.accompaniments)
                    or any(pt.programme.structure_id == structure.id for pt in p.participations))
        return True

    def programme_in(pr):
        return (not department or pr.department_id == department.id) and (not structure or
                                                                          pr.structure_id == structure.id)

    persons = [p for p in persons if person_in(p)]
    programmes = [pr for pr in programmes if programme_in(pr)]
    public = Counter()
    for p in persons:
        starts = [a.start_on for a in p.accompaniments if overlaps(a.start_on, a.exit_on, first, last)]
        starts += [pt.start_on for pt in p.participations if overlaps(pt.start_on, pt.end_on, first, last)]
        if not starts:
            continue
        young, bpi = age_on(p.birth_on, min(starts)) < 25, p.status in BPI_STATUSES
        public.update({"beneficiaries": 1, "men": p.sex == "M", "women": p.sex == "F", "under_25": young,
                       "bpi": bpi, "bpi_men": bpi and p.sex == "M", "bpi_women": bpi and p.sex == "F",
                       "bpi_under_25": bpi and young})
    exits = [a for p in persons for a in p.accompaniments if a.exit and first <= a.exit.exit_on <= last]
    days = sum((a.exit.exit_on - a.start_on).days for a in exits)
    households = {p.household_id or ("alone", p.id) for p in persons for h in p.housing
                  if h.kind in PERMANENT_HOUSING_KINDS and first <= h.access_on <= last}
    hours = Counter()
    for pr in programmes:
        hours[pr.theme] += sum(Fraction(s.hours) for s in pr.sessions if first <= s.held_on <= last)
    language_parts = [(p, pt) for p in persons for pt in p.participations if pt.programme.theme in LANGUAGE_THEMES]
    assiduous = {p.id for p, pt in language_parts if overlaps(pt.start_on, pt.end_on, first, last)
                 and pt.planned_hours and pt.attended_hours is not None
                 and Fraction(pt.attended_hours) >= Fraction(4, 5) * Fraction(pt.planned_hours)}
    progressed = {p.id for p, pt in language_parts if pt.end_on and first <= pt.end_on <= last
                  and progressed_one_level(pt.level_start, pt.level_end)}
    events = [e for p in persons for e in p.events if first <= e.event_on <= last]
    kinds = Counter(e.kind for e in events)

    def distinct(kind):
        chosen = [e for e in events if e.kind == kind]
        return len({e.event_ref for e in chosen if e.event_ref}) + sum(1 for e in chosen if not e.event_ref)

    running = [pr for pr in programmes if overlaps(pr.start_on, pr.end_on, first, last)]
    subsidy = money(pr.p104_subsidy for pr in running)
    employment_subsidy = money(pr.p104_subsidy for pr in running if pr.theme in EMPLOYMENT_SUBSIDY_THEMES)
    participants = {p for p in persons for pt in p.participations if overlaps(pt.start_on, pt.end_on, first, last)}
    open_ones = [(p, a) for p in persons for a in p.accompaniments
                 if a.start_on <= as_of and (a.exit_on is None or a.exit_on > as_of)]
    latest = {a.id: max([a.planned_end_on] + [e.planned_end_on for e in a.extensions]) for _, a in open_ones}
    return {
        "public": {k: int(public[k]) for k in ("beneficiaries", "men", "women", "under_25", "bpi", "bpi_men",
                                               "bpi_women", "bpi_under_25")},
        "employment": {
            "exits": len(exits),
            "average_duration_months": half_up(Fraction(days) / (len(exits) * Fraction("30.4375")), 1)
            if exits else None,
            "positive_exits": sum(1 for a in exits if a.exit.job_kind or a.exit.training_level),
            "in_training": sum(1 for a in exits if a.exit.training_level),
            "durable_employment": sum(1 for a in exits if is_durable_job(a.exit.job_kind, a.exit.job_months)),
            "positive_at_6_months": sum(1 for a in exits if a.exit.followup and a.exit.followup.is_positive),
            "followup_missing": sum(1 for a in exits if a.exit.followup is None)},
        "housing": {"households_permanent_housing": len(households)},
        "language": {"training_hours": money(float(hours[t]) for t in LANGUAGE_THEMES),
                     "assiduous_participants": len(assiduous), "progressed_one_level": len(progressed)},
        "health": {"medical_consultations": kinds["medical_consultation"]},
        "digital": {"tools_provided": kinds["digital_tool"], "training_hours": money([float(hours["digital"])])},
        "mentoring": {"pairs": kinds["mentoring_pair"]},
        "sport_culture": {"sport_events": distinct("sport_event"), "cultural_events": distinct("cultural_event")},
        "republic_values": {"training_hours": money([float(hours["republic_values"])])},
        "finance": {"total_cost": money(pr.total_cost for pr in running), "p104_subsidy": subsidy},
        "compliance": {
            "non_bpi_share": share(sum(1 for p in participants if p.status not in BPI_STATUSES), len(participants)),
            "employment_subsidy_share": share(Fraction(str(employment_subsidy)), Fraction(str(subsidy))),
            "language_programmes_unreferenced": sum(1 for pr in running if pr.theme in LANGUAGE_THEMES
                                                    and not pr.carif_oref_ref),
            "overdue": sum(1 for _, a in open_ones if as_of > latest[a.id]),
            "over_limit": sum(1 for p, a in open_ones if as_of > add_months(a.start_on, p.department.max_months)),
            "ineligible_enrolments": sum(1 for p in persons for a in p.accompaniments if not a.is_eligible
                                         and overlaps(a.start_on, a.exit_on, first, last))},
    } | records_oracle(persons, first, last)   # exit_outcomes, entry, appointments (contract v2)


def cohort_oracle(everything, first, last, department=None) -> dict:
    months = department.max_months if department else max(d.max_months for d in db.session.scalars(
        select(Department)))
    members = []
    for p in everything[0]:
        starts = [a.start_on for a in p.accompaniments if first <= a.start_on <= last]
        if starts and (department is None or p.department_id == department.id):
            members.append((p, min(starts)))

    def right(p, kind):
        return [r.obtained_on for r in p.rights if r.kind == kind and r.state == "obtained" and r.obtained_on]

    reach = {
        "health_insurance": lambda p: right(p, "health_insurance"),
        "caf_benefits": lambda p: right(p, "caf_benefits"),
        "bank_account": lambda p: right(p, "bank_account"),
        "permanent_housing": lambda p: [h.access_on for h in p.housing if h.kind in PERMANENT_HOUSING_KINDS],
        "job_or_training": lambda p: [j.start_on for j in p.jobs] + [t.start_on for t in p.trainings],
        "language_referral": lambda p: [r.sent_on for r in p.referrals if r.programme.theme in LANGUAGE_THEMES],
    }
    curves = {}
    for name, dates in reach.items():
        firsts = [(min(dates(p)), entry) for p, entry in members if dates(p)]
        curves[name] = [share(sum(1 for d, entry in firsts if d <= add_months(entry, m)), len(members))
                        if members else 0.0 for m in range(months + 1)]
    return {"size": len(members), "months": list(range(months + 1)), "milestones": curves}


@pytest.fixture
def generated(app_ctx):
    result = import_lines(generate_lines(300, seed=11, departments=3, today=TODAY))
    assert not result.errors, result.errors[:5]
    db.session.commit()
    db.session.expire_all()
    return load_everything()


def test_indicators_match_the_oracle_on_generated_data(generated):
    departments = db.session.scalars(select(Department).order_by(Department.code)).all()
    structures = db.session.scalars(select(Structure).order_by(Structure.ref)).all()
    scopes = [(date(2022, 1, 1), date(2024, 12, 31), TODAY, None, None),
              (date(2023, 1, 1), date(2023, 12, 31), date(2023, 12, 31), None, None),
              (date(2023, 7, 1), date(2024, 3, 31), date(2024, 1, 15), departments[0], None),
              (date(2022, 9, 1), date(2023, 8, 31), TODAY, departments[-1], None)]
    scopes += [(date(2023, 1, 1), date(2024, 6, 30), TODAY, None, s) for s in structures[::4]]
    checked = Counter()
    for first, last, as_of, department, structure in scopes:
        got = compute_indicators(build_scope(first.isoformat(), last.isoformat(),
                                             department.code if department else None,
                                             structure.ref if structure else None, as_of.isoformat()))
        expected = oracle(generated, first, last, as_of, department, structure)
        for section, figures in expected.items():
            assert got[section] == figures, (section, first, last, department, structure)
        checked.update(k for k, v in got["public"].items() if v)
    assert checked["beneficiaries"] >= 4 and checked["under_25"] >= 2   # the data really exercised the figures


def test_cohort_matches_the_oracle_on_generated_data(generated):
    department = db.session.scalars(select(Department).order_by(Department.code)).first()
    for first, last, dep in ((date(2023, 1, 1), date(2023, 6, 30), None), (date(2022, 7, 1), date(2023, 12, 31),
                                                                             department)):
        got = compute_cohort(build_cohort_scope(first.isoformat(), last.isoformat(), dep.code if dep else None))
        expected = cohort_oracle(generated, first, last, dep)
        assert got["size"] == expected["size"] and got["size"] > 0
        assert got["months"] == expected["months"]
        assert got["milestones"] == expected["milestones"], (first, last, dep)
