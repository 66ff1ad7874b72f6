"""The demo: department 33 Gironde with a few dozen persons at every stage of the path, relative to today.

Built with the generator's building blocks (agir/demo/generator.py) and written through the importer
(`import_lines`), so the demo obeys the same validation as any import; then one account per role
is created with agir.operations.users.create_user. One commit, by the caller of `load_demo`.
"""
import os
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select, update

from agir import alerts
from agir.audit import record
from agir.dates import add_months, add_years
from agir.demo.generator import Dept, Generator, Timeline, to_line
from agir.demo.generator_path import ACCEPTED, UNANSWERED
from agir.errors import RuleViolation
from agir.extensions import db
from agir.interchange.importer import import_lines
from agir.operations.users import create_user
from models import Appointment, Department, Person, Structure, User

SEED = 2022
GIRONDE = ("33", "Gironde", "Bordeaux", 2022, 7, 5)
DEFAULT_PASSWORD = "demo-agir-2026!"
BACKGROUND_HOUSEHOLDS = 14
REGION = "75"  # Nouvelle-Aquitaine, Gironde's region: the demo's regional pilot


@dataclass(frozen=True)
class Account:
    """A demo account, printed at the end of `agir demo`."""

    label: str
    email: str
    role: str
    password: str


class DemoNotLoaded(Exception):
    """The demo could not be written (the database already holds its records, or an import error)."""


def demo_password() -> str:
    """The demo password (AGIR_DEMO_PASSWORD overrides it; 12 characters at least, as every password)."""
    return os.environ.get("AGIR_DEMO_PASSWORD") or DEFAULT_PASSWORD


def database_is_empty() -> bool:
    """No person, no account, and no department 33 yet (where the demo would go)."""
    return not (db.session.scalar(select(func.count(Person.id))) or db.session.scalar(select(func.count(User.id)))
                or db.session.scalar(select(Department.id).where(Department.code == GIRONDE[0])))


class DemoBuilder:
    """The demo department and its persons, each scenario named after what it shows."""

    def __init__(self, today: date | None = None):
        self.gen = Generator(SEED, today, years_back=3)
        self.today = self.gen.today
        self.dept: Dept = self.gen.department(GIRONDE)
        self.agir = self.dept.agir_ops[0]  # the social worker's structure
        self.language_school = self.dept.operators["language"]  # the referral officer's structure
        self.ofii = next(s for s in self.dept.structures if "OFII" in s["name"])
        self.persons: list[dict] = []
        self.opened: list[str] = []  # refs of persons opened by the AGIR operator, not yet enrolled

    def ago(self, days: int) -> date:
        """today − days."""
        return self.today - timedelta(days=days)

    # ---------------------------------------------------------------- one person
    def person(self, nationality: str, status: str, reference: date, timelines: list[Timeline] = (),
               household: str | None = None, relative_of: dict | None = None, **overrides) -> dict:
        """A person built by the generator, with the scenario's fixed values."""
        href = household or self.gen.new_household()
        person = self.gen.identity(self.dept, href, nationality, status, reference, relative_of=relative_of,
                                   **overrides)
        for t in timelines:
            self.gen.check_timeline(self.dept, t)
        anchor = timelines[0].start if timelines else self.gen.path.anchor(person)
        if relative_of:  # a household shares its housing
            housing = (relative_of["housing_steps"], relative_of["housing"])
        else:
            housing = self.gen.path.housing(self.dept, person, anchor)
        self.gen.fill(self.dept, person, list(timelines), anchor, housing, is_head=relative_of is None)
        self.persons.append(person)
        return person

    def set_senders(self, person: dict) -> None:
        """Referrals come from the structure holding the accompaniment, else from the OFII (primo-arrivants)."""
        held = person["accompaniments"]
        sender = held[0]["structure"] if held else self.ofii["ref"]
        for referral in person["referrals"]:
            referral["sender"] = sender

    def enrolled(self, start: date, months: int = 12, **kwargs) -> Timeline:
        """An accompaniment by the demo AGIR operator from `start`, planned for `months`."""
        return Timeline(self.agir, start, add_months(start, months), **kwargs)

    def refer(self, person: dict, theme: str, sent: date, fate: float) -> None:
        """One more referral of the person, to a programme of the theme running on `sent`."""
        programme = self.dept.programme_on(self.gen.rng, theme, sent)
        self.gen.path.referral(person, programme, sent, person["language_level"], fate=fate)

    # ---------------------------------------------------------------- the scenarios
    def build(self) -> list[str]:
        """Every line of the demo file."""
        self.not_yet_enrolled()
        self.enrolled_this_month()
        self.in_progress()
        self.near_the_end()
        self.overdue_and_over_limit()
        self.exits()
        self.alerts_on_time()
        self.entry_path()
        self.primo_arrivants()
        for _ in range(BACKGROUND_HOUSEHOLDS):
            self.persons += self.gen.household(self.dept)
        for person in self.persons:
            self.set_senders(person)
        lines = [to_line(self.dept.record())] + [to_line(s) for s in self.dept.structures]
        lines += [to_line(p) for programmes in self.dept.programmes.values() for p in programmes]
        return lines + [to_line(p) for p in self.persons]

    def not_yet_enrolled(self) -> None:
        """Files just opened by the AGIR operator: protected a few weeks ago, enrolment to come."""
        head = self.person("AFG", "refugee", self.ago(24), sex="M", first_name="Farid", last_name="Ahmadi",
                           arrival_date=self.ago(300).isoformat(), hosting="cph")
        self.person("AFG", "refugee", self.ago(24), household=head["household"], relative_of=head, sex="F",
                    first_name="Laila", last_name="Ahmadi")
        self.person("ERI", "refugee", self.ago(12), sex="F", first_name="Senait", last_name="Tesfay",
                    arrival_date=self.ago(400).isoformat(), hosting="dna")
        self.opened += [p["ref"] for p in self.persons[-3:]]

    def enrolled_this_month(self) -> None:
        """Enrolled since the first of the month (a couple of Sudanese refugees, a Syrian)."""
        start = max(self.today.replace(day=1), self.ago(4))
        t = self.enrolled(start)
        head = self.person("SDN", "refugee", self.ago(70), [t], sex="M", first_name="Abakar", last_name="Haroun",
                           arrival_date=self.ago(500).isoformat(), hosting="dna", language_level="pre_A1")
        self.person("SDN", "refugee", self.ago(70), [t], household=head["household"], relative_of=head, sex="F",
                    first_name="Hawa", last_name="Abakar")
        self.person("SYR", "subsidiary_protection", self.ago(45), [self.enrolled(self.ago(2))], sex="M",
                    first_name="Khaled", last_name="Haddad", arrival_date=self.ago(45).isoformat(),
                    hosting="third_party", language_level="A1")

    def in_progress(self) -> None:
        """Mid-path files: rights opening, housing applications, French courses under way. The first
        interview came within the month of the orientation for some, later for others; the contract was
        signed within the first month, or after it."""
        for nationality, status, sex, first, last, months_in, entry in (
                ("AFG", "subsidiary_protection", "M", "Jawad", "Karimi", 3, {"delay": 12, "signed": 9}),
                ("GIN", "refugee", "F", "Kadiatou", "Diallo", 5, {"delay": 45, "signed": 48}),
                ("SOM", "refugee", "F", "Hodan", "Warsame", 7, {"delay": 20, "signed": 14}),
                ("COD", "refugee", "M", "Héritier", "Mukendi", 8, {"delay": 38, "signed": 6}),
                ("IRN", "refugee", "F", "Narges", "Rezaei", 4, {"delay": 8, "signed": 40})):
            start = add_months(self.today, -months_in)
            person = self.person(nationality, status, start - timedelta(days=50),
                                 [self.enrolled(start, entry=entry)], sex=sex, first_name=first, last_name=last)
            if not person["referrals"]:
                self.refer(person, "language", start + timedelta(days=10), ACCEPTED)

    def near_the_end(self) -> None:
        """Planned end within 30 days (end_soon), one of them after an extension."""
        start = add_months(self.ago(-18), -12)
        self.person("ERI", "refugee", start - timedelta(days=60), [self.enrolled(start)], sex="M",
                    first_name="Dawit", last_name="Haile")
        start = add_months(self.today, -10)
        extended = self.enrolled(start, months=8, extensions=[(self.ago(75), self.ago(-25),
                                                               "Démarches de logement en cours")])
        self.person("AFG", "refugee", start - timedelta(days=40), [extended], sex="F", first_name="Mursal",
                    last_name="Noori")

    def overdue_and_over_limit(self) -> None:
        """An open file past its planned end, and one past start + 12 months (overdue and over limit)."""
        start = add_months(self.today, -11)
        self.person("SDN", "refugee", start - timedelta(days=90), [self.enrolled(start, months=10)], sex="M",
                    first_name="Yasir", last_name="Ibrahim")
        start = add_months(self.today, -13) - timedelta(days=10)
        self.person("SYR", "refugee", start - timedelta(days=30), [self.enrolled(start)], sex="F",
                    first_name="Rania", last_name="Khalil")

    def exits(self) -> None:
        """Exits: a CDD of 8 months with the follow-up due, a CDI followed up, a training, early and max exits."""
        exit_on = add_months(self.today, -6) - timedelta(days=10)
        start = add_months(exit_on, -11)
        self.person("AFG", "refugee", start - timedelta(days=30), [self.enrolled(
            start, exit=(exit_on, "goals_reached"), outcome={"job": ("cdd", 8)})],
            sex="M", first_name="Mustafa", last_name="Sultani")
        exit_on = add_months(self.today, -8)
        start = add_months(exit_on, -12)
        aya = self.person("CIV", "refugee", start - timedelta(days=60), [self.enrolled(
            start, exit=(exit_on, "goals_reached"),
            outcome={"job": ("cdi", None), "followup": (add_months(exit_on, 6) + timedelta(days=3), True)})],
            sex="F", first_name="Aya", last_name="Kouassi")
        # A CDI and a social home before the exit: a positive exit in the AGIR sense (exit_outcomes).
        aya["housing"] = [{"kind": "social_rental", "date": (exit_on - timedelta(days=40)).isoformat()}]
        exit_on = add_months(self.today, -2)
        start = add_months(exit_on, -10)
        self.person("TUR", "refugee", start - timedelta(days=20), [self.enrolled(
            start, exit=(exit_on, "goals_reached"), outcome={"training": "qualifying"})],
            sex="M", first_name="Baran", last_name="Aslan")
        start = add_months(self.today, -7)
        self.person("RUS", "subsidiary_protection", start - timedelta(days=80), [self.enrolled(
            start, exit=(start + timedelta(days=62), "moved_away"), outcome={})],
            sex="F", first_name="Madina", last_name="Umarova")
        exit_on = add_months(self.today, -9)
        start = add_months(exit_on, -12)
        self.person("SOM", "refugee", start - timedelta(days=45), [self.enrolled(
            start, exit=(exit_on, "max_duration"),
            outcome={"followup": (add_months(exit_on, 6) + timedelta(days=10), False)})],
            sex="M", first_name="Liban", last_name="Farah")

    def alerts_on_time(self) -> None:
        """A permit expiring soon, referrals unanswered for 20 days, a BPI whose eligibility is closing."""
        start = add_months(self.today, -6)
        naweed = self.person("AFG", "subsidiary_protection", start - timedelta(days=40), [self.enrolled(start)],
                             sex="M", first_name="Naweed", last_name="Safi", permit_expiry=self.ago(-45).isoformat())
        # The copy of that permit kept in the file expires with it (document_expiry).
        naweed["documents"] = [d for d in naweed["documents"] if d["kind"] != "residence_permit"] + [
            {"structure": self.agir["ref"], "kind": "residence_permit", "date": (start + timedelta(days=3)).isoformat(),
             "expires": naweed["permit_expiry"], "filename": "titre-de-sejour.pdf", "sha256": None}]
        naweed["documents"].sort(key=lambda d: d["date"])
        start = add_months(self.today, -2)
        person = self.person("ERI", "refugee", start - timedelta(days=30), [self.enrolled(start)], sex="F",
                             first_name="Rahwa", last_name="Berhane", language_level="A1")
        self.refer(person, "professional_french", self.ago(20), UNANSWERED)
        self.refer(person, "employment", self.ago(20), UNANSWERED)
        protection = add_years(self.today, -2) + timedelta(days=20)
        self.person("SYR", "refugee", protection, sex="M", first_name="Omar", last_name="Mansour",
                    arrival_date=(protection + timedelta(days=60)).isoformat(), hosting="third_party")
        self.opened.append(self.persons[-1]["ref"])

    def entry_path(self) -> None:
        """Oriented by the OFII to the AGIR operator and not enrolled yet: one missed the first interview more
        than a month after the orientation (first_interview_late, appointment_missed), one is expected soon."""
        holder = self.agir["ref"]
        for nationality, sex, first, last, protected, oriented, interview, status in (
                ("SOM", "M", "Abdirahman", "Hassan", 75, 50, 25, "missed"),
                ("AFG", "F", "Zahra", "Amiri", 30, 12, -6, "planned")):
            person = self.person(nationality, "refugee", self.ago(protected), sex=sex, first_name=first,
                                 last_name=last, arrival_date=self.ago(protected + 200).isoformat(), hosting="dna",
                                 language_level="pre_A1")
            person["orientation"] = {"date": self.ago(oriented).isoformat(), "source": "ofii", "structure": holder}
            person["appointments"] = []
            self.gen.entry.appointment(person, holder, self.ago(interview), "first_interview", status, 60)
            self.opened.append(person["ref"])

    def primo_arrivants(self) -> None:
        """Non-BPI newcomers referred by the OFII to French courses and other programmes."""
        for nationality, status, sex, first, last, days in (
                ("UKR", "other", "F", "Olena", "Kovalenko", 200), ("MAR", "family", "F", "Salma", "El Amrani", 320),
                ("DZA", "economic", "M", "Karim", "Benali", 150), ("SEN", "family", "F", "Awa", "Ndiaye", 90),
                ("GEO", "other", "M", "Giorgi", "Beridze", 400)):
            self.person(nationality, status, self.ago(days), sex=sex, first_name=first, last_name=last,
                        permit_expiry=add_years(self.ago(days), 1).isoformat() if days < 365 else None)


def load_demo(if_empty: bool = False, today: date | None = None) -> list[Account] | None:
    """Write the demo through the importer and create one account per role; None when skipped (--if-empty)."""
    if if_empty and not database_is_empty():
        return None
    if db.session.scalar(select(Department.id).where(Department.code == GIRONDE[0])):
        raise DemoNotLoaded("Le département 33 Gironde existe déjà dans la base : démo non chargée "
                            "(utilisez --if-empty pour ne rien faire dans ce cas).")
    builder = DemoBuilder(today)
    result = import_lines(builder.build(), today=builder.today)  # the demo's own today bounds its facts
    if result.errors:
        db.session.rollback()
        raise DemoNotLoaded("La démo n'a pas pu être chargée :\n" + "\n".join(result.errors[:10]))
    # Files opened by the AGIR operator before any enrolment are visible to its social workers
    # (the interchange format has no field for the structure that opened a file).
    structure_id = db.session.scalar(select(Structure.id).where(Structure.ref == builder.agir["ref"]))
    db.session.execute(update(Person).where(Person.ref.in_(builder.opened)).values(structure_id=structure_id))
    try:
        accounts = create_accounts(builder)
    except RuleViolation as exc:
        db.session.rollback()
        raise DemoNotLoaded(f"La démo n'a pas pu être chargée : {exc.message}") from None
    # The operator's appointments are the demo social worker's (the interchange names no référent): her week view,
    # « Mes rendez-vous » and her calendar feed are not empty.
    referent_id = db.session.scalar(select(User.id).where(User.email == accounts[0].email))
    db.session.execute(update(Appointment).where(Appointment.structure_id == structure_id,
                                                 Appointment.referent_id.is_(None)).values(referent_id=referent_id))
    # The alerts are there at once, as the nightly job would find them (same computation, same commit).
    alerts.sync_alerts(db.session, alerts.compute_alerts(db.session, builder.today), builder.today)
    record(None, "demo", detail=f"agir demo : {result.counts.get('person', 0)} personne(s)")
    db.session.commit()
    return accounts


def create_accounts(builder: DemoBuilder) -> list[Account]:
    """One account per role: social worker and referral officer of their structures, pilot, admin."""
    password = demo_password()
    wanted = (  # label, e-mail, role, structure, department, the name shown in the files' history
        ("Référente de parcours", "referente.parcours@demo.example.org", "social_worker", builder.agir["ref"], None,
         "Awa Diallo"),
        ("Chargé d'orientation", "charge.orientation@demo.example.org", "referral_officer",
         builder.language_school["ref"], None, "Julien Moreau"),
        ("Pilote départemental", "pilote.gironde@demo.example.org", "pilot", None, builder.dept.code,
         "Claire Dubois"),
        ("Pilote régional", "pilote.nouvelle-aquitaine@demo.example.org", "regional_pilot", None, None,
         "Marc Lefèvre"),
        ("Pilote national", "pilote.national@demo.example.org", "national_pilot", None, None, "Nadia Benali"),
        ("Administratrice", "admin@demo.example.org", "admin", None, None, "Sophie Martin"),
    )
    accounts = []
    for label, email, role, structure, department, display_name in wanted:
        create_user(email, role, password, structure_ref=structure, department_code=department,
                    display_name=display_name, region_code=REGION if role == "regional_pilot" else None)
        accounts.append(Account(label, email, role, password))
    return accounts
