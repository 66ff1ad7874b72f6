"""Batched writes of a validated import: lists of rows per table, ids reserved where children need them.

Persons are written a thousand at a time (their lines read again from the file, parsed and
normalised, not validated again: the scan did; so memory stays flat);
everything goes through the session's connection (agir/interchange/bulk.py), in the caller's
transaction, never committed here.
"""
from sqlalchemy import select

from agir.duplicates import keys_of
from agir.extensions import db
from agir.interchange import checks
from agir.interchange.bulk import BulkLoader, rows_where_in
from agir.interchange.validation import normalise_valid
from agir.reference_geo import REGIONS, region_of
from models import (
    Accompaniment,
    Appointment,
    AuditEntry,
    Department,
    DiagnosticArea,
    Document,
    Event,
    Exit,
    Extension,
    FollowUp,
    Household,
    HousingAccess,
    HousingStep,
    Job,
    Note,
    Participation,
    Person,
    PersonLanguage,
    PlanObjective,
    Programme,
    Referral,
    Region,
    RightStep,
    Session,
    Structure,
    Training,
)
from models.person import new_pseudonym

BATCH = 1000
HOUSEHOLDS_KEPT = 50_000  # household ids kept between batches (memory flat in the size of the file)
# What an objective of the plan may point to (interchange field → table).
OBJECTIVE_LINKS = ("right", "housing_step", "referral", "training")
LINKED_BY_POSITION = {"housing_step": HousingStep, "referral": Referral, "training": Training}
LINKED = (RightStep, HousingStep, Referral, Training)  # their ids are reserved when a plan points to them


class Writer:
    """Writes the records of one ImportJob whose validation found no error."""

    def __init__(self, job):
        self.job = job
        self.loader = BulkLoader(db.session)
        self.ids = job.reference.ids
        self.households: dict[str, int] = {}
        self.counts = {"department": 0, "structure": 0, "programme": 0, "person": 0, "household": 0}

    def insert(self, model, rows: list[dict], returning: bool = False) -> list[int]:
        """Insert the rows; with `returning`, give each a reserved id first and return the ids in order."""
        table = model.__table__
        ids = []
        if returning:
            ids = self.loader.reserve_ids(table, len(rows))
            for row, id_ in zip(rows, ids, strict=True):
                row["id"] = id_
        self.loader.insert(table, rows)
        return ids

    def reference_records(self) -> None:
        """Departments, structures, programmes and their sessions."""
        deps = [d for _, d in self.job.records["department"].values()]
        regions = self.region_ids() if deps else {}
        ids = self.insert(Department, [
            {"code": d["code"], "name": d["name"], "agir_start_on": d["agir_start"], "agir_wave": d["agir_wave"],
             "max_months": d["max_months"] or checks.default_max_months(d["agir_wave"]),
             # The region is the code's own (checked by the scan when the file gives it).
             "region_id": regions.get(region_of(d["code"]))} for d in deps], True)
        self.ids["department"].update(zip((d["code"] for d in deps), ids, strict=True))
        structures = [s for _, s in self.job.records["structure"].values()]
        ids = self.insert(Structure, [
            {"ref": s["ref"], "name": s["name"], "department_id": self.ids["department"][s["department"]],
             "kind": s["kind"]} for s in structures], True)
        self.ids["structure"].update(zip((s["ref"] for s in structures), ids, strict=True))
        programmes = [p for _, p in self.job.records["programme"].values()]
        ids = self.insert(Programme, [
            {"ref": p["ref"], "name": p["name"], "theme": p["theme"],
             "structure_id": self.ids["structure"][p["structure"]],
             "department_id": self.ids["department"][p["department"]], "start_on": p["start"], "end_on": p["end"],
             "target_beneficiaries": p["target_beneficiaries"], "total_cost": p["total_cost"],
             "p104_subsidy": p["p104_subsidy"], "carif_oref_ref": p["carif_oref_ref"]} for p in programmes], True)
        self.ids["programme"].update(zip((p["ref"] for p in programmes), ids, strict=True))
        self.insert(Session, [{"programme_id": id_, "held_on": s["date"], "hours": s["hours"]}
                              for id_, p in zip(ids, programmes, strict=True) for s in p["sessions"]])
        self.counts.update(department=len(deps), structure=len(structures), programme=len(programmes))

    def region_ids(self) -> dict[str, int]:
        """The ids of the INSEE regions, the missing ones inserted (a database built without migration 0011's seed)."""
        known = dict(db.session.execute(select(Region.code, Region.id)).all())
        missing = [code for code in REGIONS if code not in known]
        ids = self.insert(Region, [{"code": code, "name": REGIONS[code]} for code in missing], True)
        known.update(zip(missing, ids, strict=True))
        return known

    def persons(self) -> None:
        """Every person line, read again from the file, BATCH at a time."""
        job = self.job
        total, done = job.persons, 0
        batch = []
        for number, data, facts in job.person_lines():
            batch.append((number, normalise_valid(data), facts))
            if len(batch) == BATCH:
                done += len(batch)
                self.write_batch(batch)
                batch = []
                job.tick("write", done, total, force=True)
        if batch:
            done += len(batch)
            self.write_batch(batch)
            job.tick("write", done, total, force=True)
        self.counts["person"] = total

    def write_batch(self, batch: list) -> None:
        """Persons of one batch, then their accompaniments, then the rest of their path."""
        self.resolve_households([r["household"] for _, r, _ in batch if r["household"] is not None])
        pseudonyms = self.pseudonyms(len(batch))
        rows = [self.person_row(r, p) for (_, r, _), p in zip(batch, pseudonyms, strict=True)]
        person_ids = self.insert(Person, rows, True)
        objectives = self.accompaniments(batch, person_ids)
        rows = {model: [] for model in (RightStep, HousingStep, HousingAccess, Job, Training, Referral,
                                        Participation, Event, Note, PersonLanguage, Appointment, Document,
                                        AuditEntry)}
        for (number, record, facts), person_id in zip(batch, person_ids, strict=True):
            for model, row in self.path_rows(record, facts, person_id):
                rows[model].append(row)
            rows[AuditEntry].append({
                "person_id": person_id, "action": "import", "detail": f"agir import, ligne {number}",
                "fields": sorted(k for k, v in record.items() if v not in (None, []))})
        linked = any(o["links"] for o in objectives)
        for model, model_rows in rows.items():
            self.insert(model, model_rows, linked and model in LINKED)
        self.insert(PlanObjective, self.objective_rows(objectives, rows) if linked else
                    [o["row"] for o in objectives])

    @staticmethod
    def objective_rows(objectives: list[dict], rows: dict) -> list[dict]:
        """The plan's rows, each link resolved to the id given to the right (by kind) or to the item (by
        position in the person's list, the order of the line) it names."""
        rights = {(r["person_id"], r["kind"]): r["id"] for r in rows[RightStep]}
        positions = {}
        for model in (HousingStep, Referral, Training):
            by_person = positions[model] = {}
            for row in rows[model]:
                by_person.setdefault(row["person_id"], []).append(row["id"])
        out = []
        for o in objectives:
            row, person_id = o["row"], o["person_id"]
            for name, value in o["links"].items():
                if name == "right":
                    row["right_step_id"] = rights[(person_id, value)]
                else:
                    row[f"{name}_id"] = positions[LINKED_BY_POSITION[name]][person_id][value]
            for name in ("right_step_id", "housing_step_id", "referral_id", "training_id"):
                row.setdefault(name, None)  # every row of one insert has the same keys
            out.append(row)
        return out

    def resolve_households(self, refs: list[str]) -> None:
        """Households already in the database are joined; the others are created."""
        if len(self.households) > HOUSEHOLDS_KEPT:  # those of the earlier batches are found again in the database
            self.households.clear()
        missing = sorted(set(refs) - self.households.keys())
        self.households.update(rows_where_in(db.session, (Household.ref, Household.id), Household.ref, missing))
        new = [ref for ref in missing if ref not in self.households]
        self.households.update(zip(new, self.insert(Household, [{"ref": ref} for ref in new], True), strict=True))
        self.counts["household"] += len(new)

    def pseudonyms(self, count: int) -> list[str]:
        """Random pseudonyms, unique among themselves and against the database."""
        chosen: set[str] = set()
        while len(chosen) < count:
            candidates = {new_pseudonym() for _ in range(count - len(chosen))} - chosen
            taken = {p for (p,) in rows_where_in(db.session, (Person.pseudonym,), Person.pseudonym, candidates)}
            chosen |= candidates - taken
        return list(chosen)

    def person_row(self, r, pseudonym: str) -> dict:
        """The persons row of a record."""
        accompaniments = sorted(r["accompaniments"], key=lambda a: a["start"])
        opener = r["opened_by"] or (accompaniments[-1]["structure"] if accompaniments else None)
        return {
            "ref": r["ref"], "pseudonym": pseudonym, "department_id": self.ids["department"][r["department"]],
            "household_id": self.households.get(r["household"]),
            # Unless told, the structure holding the latest accompaniment opened the file (it sees the person).
            "structure_id": self.ids["structure"][opener] if opener else None,
            "last_name": r["last_name"], "first_name": r["first_name"], "sex": r["sex"], "birth_on": r["birth_date"],
            "nationality": r["nationality"], "status": r["status"], "protection_on": r["protection_date"],
            "first_permit_on": r["first_permit_date"], "arrival_on": r["arrival_date"], "cir_on": r["cir_date"],
            "permit_expiry_on": r["permit_expiry"], "hosting": r["hosting"], "language_level": r["language_level"],
            "prior_programme": r["prior_programme"], "phone": r["phone"], "email": r["email"],
            "interpreter": r["interpreter"], **self.orientation(r["orientation"]),
            # The normalised keys of the duplicate search and of the persons list (agir/duplicates.py).
            **keys_of(r["last_name"], r["first_name"], r["phone"], r["birth_date"]),
        }

    def orientation(self, o) -> dict:
        """The orientation columns of the persons row."""
        if o is None:
            return {"oriented_on": None, "orientation_source": None, "orientation_structure_id": None}
        return {"oriented_on": o["date"], "orientation_source": o["source"],
                "orientation_structure_id": self.ids["structure"][o["structure"]]}

    def accompaniments(self, batch: list, person_ids: list[int]) -> list[dict]:
        """Accompaniments with their verdict, then extensions, exits, follow-ups and diagnostics; returns
        the plan's objectives still to write."""
        accs = [(person_id, acc, fact) for (_, record, facts), person_id in zip(batch, person_ids, strict=True)
                for acc, fact in zip(record["accompaniments"], facts.accompaniments, strict=True)]
        ids = self.insert(Accompaniment, [{
            "person_id": person_id, "structure_id": self.ids["structure"][acc["structure"]], "kind": fact.kind,
            "start_on": acc["start"], "planned_end_on": acc["planned_end"], "current_end_on": fact.current_end,
            "exit_on": acc["exit"]["date"] if acc["exit"] else None, "is_eligible": fact.is_eligible,
            "is_priority": fact.is_priority, "eligibility_reasons": list(fact.reasons),
            "diagnostic_on": acc["diagnostic"]["date"] if acc["diagnostic"] else None,
            "contract_signed_on": acc["contract"]["signed"] if acc["contract"] else None,
            "contract_language": acc["contract"]["language"] if acc["contract"] else None}
            for person_id, acc, fact in accs], True)
        self.insert(DiagnosticArea, [
            {"accompaniment_id": id_, "area": area, "need": value["need"], "text": value["text"]}
            for id_, (_, acc, _) in zip(ids, accs, strict=True) if acc["diagnostic"]
            for area, value in acc["diagnostic"]["areas"].items()])
        # The plan is written after the rest of the path, which its objectives may point to.
        objectives = [
            {"person_id": person_id, "links": {name: o[name] for name in OBJECTIVE_LINKS if o[name] is not None},
             "row": {"accompaniment_id": id_, "area": o["area"], "objective": o["objective"], "due_on": o["due"],
                     "state": o["state"], "closed_on": o["closed"]}}
            for id_, (person_id, acc, _) in zip(ids, accs, strict=True) for o in acc["plan"]]
        self.insert(Extension, [
            {"accompaniment_id": id_, "decided_on": e["date"], "planned_end_on": e["planned_end"],
             "reason": e["reason"]}
            for id_, (_, acc, _) in zip(ids, accs, strict=True) for e in acc["extensions"]])
        exits = [(id_, acc["exit"]) for id_, (_, acc, _) in zip(ids, accs, strict=True) if acc["exit"]]
        exit_ids = self.insert(Exit, [{
            "accompaniment_id": id_, "exit_on": x["date"], "reason": x["reason"],
            "job_kind": x["job"]["kind"] if x["job"] else None, "job_months": x["job"]["months"] if x["job"] else None,
            "training_level": x["training"]["level"] if x["training"] else None} for id_, x in exits], True)
        self.insert(FollowUp, [
            {"exit_id": id_, "followup_on": x["followup"]["date"], "is_positive": x["followup"]["positive"]}
            for id_, (_, x) in zip(exit_ids, exits, strict=True) if x["followup"]])
        return objectives

    def path_rows(self, r, facts, person_id: int):
        """(model, row) of every other line of the person's path."""
        for x in r["rights"]:
            yield RightStep, {"person_id": person_id, "kind": x["kind"], "state": x["state"],
                              "requested_on": x["requested"], "obtained_on": x["obtained"],
                              "refused_on": x["refused"], "refusal_reason": x["reason"]}
        for x in r["housing_steps"]:
            yield HousingStep, {"person_id": person_id, "kind": x["kind"], "step_on": x["date"], "number": x["number"]}
        for x in r["housing"]:
            yield HousingAccess, {"person_id": person_id, "kind": x["kind"], "access_on": x["date"]}
        for x in r["jobs"]:
            yield Job, {"person_id": person_id, "kind": x["kind"], "start_on": x["start"], "months": x["months"]}
        for x in r["trainings"]:
            yield Training, {"person_id": person_id, "level": x["level"], "start_on": x["start"]}
        for x, state in zip(r["referrals"], facts.referral_states, strict=True):
            yield Referral, {
                "person_id": person_id, "programme_id": self.ids["programme"][x["programme"]],
                "sender_structure_id": self.ids["structure"][x["sender"]] if x["sender"] else None,
                "state": state, "need": x["need"], "sent_on": x["sent"], "accepted_on": x["accepted"],
                "refused_on": x["refused"], "refusal_reason": x["refusal_reason"], "started_on": x["started"],
                "completed_on": x["completed"], "dropped_out_on": x["dropped_out"], "cancelled_on": x["cancelled"]}
        for x in r["participations"]:
            yield Participation, {
                "person_id": person_id, "programme_id": self.ids["programme"][x["programme"]],
                "start_on": x["start"], "end_on": x["end"], "planned_hours": x["planned_hours"],
                "attended_hours": x["attended_hours"], "level_start": x["level_start"], "level_end": x["level_end"]}
        for x in r["events"]:
            yield Event, {"person_id": person_id, "kind": x["kind"], "event_on": x["date"], "event_ref": x["event"],
                          "programme_id": self.ids["programme"][x["programme"]] if x["programme"] else None}
        for x in r["notes"]:
            yield Note, {"person_id": person_id, "noted_on": x["date"], "text": x["text"]}
        for x in r["languages"]:
            yield PersonLanguage, {"person_id": person_id, "code": x["code"], "level": x["level"]}
        for x in r["appointments"]:
            yield Appointment, {
                "person_id": person_id, "structure_id": self.ids["structure"][x["structure"]], "start_at": x["start"],
                "minutes": x["minutes"], "kind": x["kind"], "mode": x["mode"], "interpreter": x["interpreter"],
                "status": x["status"]}
        for x in r["documents"]:
            yield Document, {
                "person_id": person_id, "structure_id": self.ids["structure"][x["structure"]], "kind": x["kind"],
                "document_on": x["date"], "expires_on": x["expires"], "filename": x["filename"],
                "sha256": x["sha256"]}


def write_all(job) -> dict[str, int]:
    """Write a validated import; returns the counts by type (and households created)."""
    writer = Writer(job)
    try:
        writer.reference_records()
        writer.persons()
    finally:
        writer.loader.close()
    return writer.counts
