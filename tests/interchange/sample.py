"""Valid interchange records for the tests, and a tiny generator of many persons with full paths.

Every person here obeys SPEC §4 (checked by the importer in the tests); tests copy a record and
break one field to see its error.
"""
import copy
import json
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

DEPARTMENT = {"type": "department", "code": "33", "name": "Gironde", "agir_start": "2022-07-01",
              "agir_wave": 2022, "max_months": 12}
STRUCTURES = [
    {"type": "structure", "ref": "S1", "name": "Opérateur AGIR Bordeaux", "department": "33", "kind": "agir_operator"},
    {"type": "structure", "ref": "S2", "name": "École de français", "department": "33", "kind": "programme_operator"},
    {"type": "structure", "ref": "S3", "name": "Projet structurant", "department": "33", "kind": "project_operator"},
]
PROGRAMME = {"type": "programme", "ref": "PR1", "name": "Français pour tous", "theme": "language", "structure": "S2",
             "department": "33", "start": "2022-01-01", "end": "2022-12-31", "target_beneficiaries": 80,
             "total_cost": 120000.0, "p104_subsidy": 90000.0, "carif_oref_ref": "14_AF_0001",
             "sessions": [{"date": "2022-02-01", "hours": 3.0}, {"date": "2022-02-08", "hours": 2.5}]}
PERSON = {
    "type": "person", "ref": "P1", "department": "33", "household": "H1",
    "last_name": "Rahimi", "first_name": "Nadia", "sex": "F", "birth_date": "1995-03-02", "nationality": "AFG",
    "status": "refugee", "protection_date": "2021-09-15", "first_permit_date": None, "arrival_date": "2021-10-01",
    "cir_date": "2021-11-02", "permit_expiry": "2031-09-14", "hosting": "cph", "language_level": "A1",
    "prior_programme": None, "phone": "06 12 34 56 78", "email": "nadia@example.org",
    "accompaniments": [{"structure": "S1", "start": "2022-07-01", "planned_end": "2023-05-31",
                        "extensions": [{"date": "2023-05-01", "planned_end": "2023-06-30",
                                        "reason": "Recherche de logement"}],
                        "exit": {"date": "2023-06-15", "reason": "goals_reached",
                                 "job": {"kind": "cdd", "months": 8}, "training": None,
                                 "followup": {"date": "2023-12-20", "positive": True}}}],
    "rights": [{"kind": "health_insurance", "state": "obtained", "requested": "2022-07-05",
                "obtained": "2022-08-01", "refused": None, "reason": None},
               {"kind": "rsa", "state": "refused", "requested": "2022-07-05", "obtained": None,
                "refused": "2022-08-10", "reason": "Moins de 25 ans"},
               {"kind": "bank_account", "state": "requested", "requested": "2022-07-06", "obtained": None,
                "refused": None, "reason": None}],
    "housing_steps": [{"kind": "social_housing_application", "date": "2022-07-10", "number": "033-22-0001"}],
    "housing": [{"kind": "social_rental", "date": "2022-12-01"}],
    "jobs": [{"kind": "cdd", "start": "2023-01-01", "months": 8},
             {"kind": "cdi", "start": "2023-09-01", "months": None}],
    "trainings": [{"level": "qualifying", "start": "2022-10-01"}],
    "referrals": [{"programme": "PR1", "sent": "2022-07-20", "accepted": "2022-07-25", "refused": None,
                   "refusal_reason": None, "started": "2022-08-01", "completed": None, "dropped_out": None,
                   "cancelled": None, "need": "Apprendre le français", "sender": "S1"}],
    "participations": [{"programme": "PR1", "start": "2022-08-01", "end": "2022-12-15", "planned_hours": 100.0,
                        "attended_hours": 85.5, "level_start": "A1", "level_end": "A2"}],
    "events": [{"kind": "medical_consultation", "date": "2022-09-01", "event": None},
               {"kind": "sport_event", "date": "2022-09-10", "event": "EV1", "programme": "PR1"}],
    "notes": [{"date": "2022-07-01", "text": "Premier entretien : très motivée."}],
}


def person(**changes) -> dict:
    """A deep copy of PERSON with top-level changes."""
    record = copy.deepcopy(PERSON)
    record.update(changes)
    return record


def records(*persons) -> list[dict]:
    """The reference records, then the persons given (PERSON by default)."""
    return [DEPARTMENT, *STRUCTURES, PROGRAMME, *(persons or [PERSON])]


def dumps(items) -> list[str]:
    """JSON lines of records."""
    return [json.dumps(item, ensure_ascii=False) for item in items]


def write(path, items) -> str:
    """Write records as a JSON-Lines file; returns its path as a string."""
    path.write_text("\n".join(dumps(items)) + "\n", encoding="utf-8")
    return str(path)


def _iso(day: date) -> str:
    return day.isoformat()


def generated_person(n: int) -> dict:
    """Person number n: a full path whose dates shift with n (every rule of SPEC §4 holds)."""
    protection = date(2022, 1, 1) + timedelta(days=n % 300)
    start = max(protection + timedelta(days=30 + n % 60), date(2022, 7, 1))
    planned_end = start + relativedelta(months=10)
    extended = start + relativedelta(months=12)
    exit_on = start + relativedelta(months=11)
    bpi = n % 4 != 0
    record = person(ref=f"G{n}", household=f"GH{n // 3}", last_name=f"Nom{n}", first_name=f"Prénom{n}",
                    sex="FM"[n % 2], status="refugee" if bpi else "family",
                    protection_date=_iso(protection) if bpi else None,
                    first_permit_date=None if bpi else _iso(protection))
    if bpi:
        closed = {"structure": "S1", "start": _iso(start), "planned_end": _iso(planned_end),
                  "extensions": [{"date": _iso(start + relativedelta(months=9)), "planned_end": _iso(extended),
                                  "reason": "Prolongation"}],
                  "exit": {"date": _iso(exit_on), "reason": "goals_reached", "job": {"kind": "cdd", "months": 8},
                           "training": {"level": "qualifying"},
                           "followup": {"date": _iso(exit_on + relativedelta(months=6)), "positive": n % 3 == 0}}}
        reopened = {"structure": "S3", "start": _iso(exit_on), "planned_end": _iso(exit_on + relativedelta(months=6)),
                    "extensions": [], "exit": None}
        record["accompaniments"] = [closed, reopened] if n % 5 == 0 else [closed]
    else:
        record["accompaniments"] = []
    kinds = ("health_insurance", "complementary_health", "caf_benefits", "rsa", "employment_registration",
             "bank_account", "residence_permit", "civil_status", "driving_licence")
    requested = _iso(start + timedelta(days=3))
    record["rights"] = [
        {"kind": kind, "state": "obtained", "requested": requested, "obtained": _iso(start + timedelta(days=20 + i)),
         "refused": None, "reason": None} for i, kind in enumerate(kinds)]
    record["referrals"][0]["sent"] = _iso(start)
    for name, days in (("accepted", 5), ("started", 10)):
        record["referrals"][0][name] = _iso(start + timedelta(days=days))
    return record


def generated_lines(count: int) -> list[str]:
    """The reference records and `count` generated persons, as JSON lines."""
    return dumps([DEPARTMENT, *STRUCTURES, PROGRAMME, *(generated_person(n) for n in range(count))])
