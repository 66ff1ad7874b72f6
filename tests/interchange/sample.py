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


# Contract v2 ---------------------------------------------------------------------------------
# What `export` writes for a record that left out the fields of the second version.
V2_PERSON_DEFAULTS = {"languages": [], "interpreter": None, "orientation": None, "appointments": [], "documents": []}
V2_ACCOMPANIMENT_DEFAULTS = {"diagnostic": None, "plan": [], "contract": None}


def exported(items) -> list[dict]:
    """The records as `export` gives them back: the v2 fields a record left out, with their empty value,
    and each department's region derived from its code."""
    from agir.reference_geo import region_of
    out = []
    for item in copy.deepcopy(list(items)):
        if item["type"] == "department":
            item.setdefault("region", region_of(item["code"]))
        elif item["type"] == "person":
            for key, value in V2_PERSON_DEFAULTS.items():
                item.setdefault(key, copy.deepcopy(value))
            for acc in item.get("accompaniments") or []:
                for key, value in V2_ACCOMPANIMENT_DEFAULTS.items():
                    acc.setdefault(key, copy.deepcopy(value))
        out.append(item)
    return out


def diagnostic(date_: str, **needs) -> dict:
    """A diagnostic with its six areas (need `none` and no text unless told: area=(need, text))."""
    areas = {area: {"need": "none", "text": None}
             for area in ("rights", "housing", "employment", "language", "mobility", "childcare")}
    for area, (need, text) in needs.items():
        areas[area] = {"need": need, "text": text}
    return {"date": date_, "areas": areas}


def v2_person(**changes) -> dict:
    """PERSON with every field of the second version filled (orientation, appointments, documents, and a
    diagnostic, a plan and a contract on its accompaniment)."""
    record = person(**changes)
    record.update({
        "languages": [{"code": "prs", "level": "native"}, {"code": "fra", "level": "basic"},
                      {"code": "pus", "level": "fluent"}],
        "interpreter": "prs",
        "orientation": {"date": "2022-06-10", "source": "ofii", "structure": "S1"},
        "appointments": [
            {"structure": "S1", "start": "2022-06-20T10:00", "minutes": 60, "kind": "first_interview",
             "mode": "on_site", "interpreter": "prs", "status": "honoured"},
            {"structure": "S1", "start": "2022-07-05T14:30", "minutes": 90, "kind": "diagnostic", "mode": "video",
             "interpreter": None, "status": "honoured"},
            {"structure": "S3", "start": "2022-07-12T09:15", "minutes": 5, "kind": "contract_signature",
             "mode": "home_visit", "interpreter": "prs", "status": "excused"},
            {"structure": "S1", "start": "2022-08-01T08:00", "minutes": 480, "kind": "follow_up", "mode": "phone",
             "interpreter": None, "status": "missed"},
            {"structure": "S1", "start": "2022-09-01T11:00", "minutes": 45, "kind": "exit_interview",
             "mode": "on_site", "interpreter": None, "status": "cancelled"},
            {"structure": "S1", "start": "2023-06-14T16:45", "minutes": 30, "kind": "other", "mode": "on_site",
             "interpreter": None, "status": "planned"}],
        "documents": [
            {"structure": "S1", "kind": "residence_permit", "date": "2022-06-20", "expires": "2031-09-14",
             "filename": "titre-séjour.pdf", "sha256": "a" * 64},
            {"structure": "S2", "kind": "identity", "date": "2022-06-21", "expires": None, "filename": None,
             "sha256": None},
            *({"structure": "S1", "kind": kind, "date": "2022-07-01", "expires": None, "filename": f"{kind}.pdf",
               "sha256": None}
              for kind in ("caf", "health_insurance", "bank_details", "diploma", "lease", "employment_contract",
                           "other"))],
    })
    acc = record["accompaniments"][0]
    acc["diagnostic"] = diagnostic("2022-07-05", rights=("high", "Ouvrir les droits CAF et santé"),
                                   housing=("high", "Hébergée en CPH, demande de logement social"),
                                   employment=("low", "Expérience de couturière"),
                                   language=("high", "Niveau A1 à l'oral"))
    acc["plan"] = [
        {"area": "housing", "objective": "Accéder à un logement social", "due": "2022-12-31", "state": "done",
         "closed": "2022-12-01", "housing_step": 0},
        {"area": "language", "objective": "Atteindre le niveau A2", "due": None, "state": "dropped",
         "closed": "2023-03-01", "referral": 0},
        {"area": "employment", "objective": "Trouver un emploi durable", "due": "2023-06-30", "state": "open",
         "closed": None, "training": 0},
        {"area": "rights", "objective": "Ouvrir l'assurance maladie", "due": None, "state": "done",
         "closed": "2022-08-01", "right": "health_insurance"},
        *({"area": area, "objective": f"Objectif {area}", "due": None, "state": "open", "closed": None}
          for area in ("mobility", "childcare"))]
    acc["contract"] = {"signed": "2022-07-12", "language": "prs"}
    return record
