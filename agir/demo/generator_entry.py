"""The second version of the data generator (issue 15, item 6): languages spoken and the interpreter needed,
the orientation (OFII at the CIR signature, mostly) before the accompaniment, appointments (first interview
within a month or late, diagnostic, contract signature, follow-ups honoured, missed, excused or cancelled,
the next one planned), documents (a residence permit expiring with the person's permit), and per
accompaniment the diagnostic, the action plan and the engagement contract (signed within the first month
or after it). Facts are never after `today`; only planned appointments may be (see agir/demo/generator.py).

Kept cheap: the generator is used by the benchmarks (one random draw per choice, no date library call).
"""
from datetime import date, timedelta

from agir.demo import generator_data as data
from models.enums import BPI_STATUSES

ONE_DAY = timedelta(days=1)
# Languages of a nationality: ((native codes, weight), …); a second code is spoken fluently. ISO 639-3 codes
# that the importer accepts (agir/languages.py, the whole standard from pycountry).
LANGUAGES = {
    "AFG": ((("prs",), 55), (("pus",), 30), (("prs", "pus"), 15)),
    "SYR": ((("apc", "arb"), 80), (("kmr", "apc"), 20)),
    "KWT": ((("afb", "arb"), 1),),
    "ERI": ((("tir",), 80), (("tig", "tir"), 10), (("tir", "arb"), 10)),
    "SDN": ((("apd", "arb"), 75), (("fvr", "apd"), 15), (("mls", "apd"), 10)),
    "GIN": ((("fuf",), 55), (("sus",), 30), (("emk",), 15)),
    "CIV": ((("dyu",), 55), (("bci",), 45)),
    "SOM": ((("som",), 1),),
    "TUR": ((("kmr", "tur"), 55), (("tur",), 45)),
    "COD": ((("lin",), 60), (("swc", "lin"), 25), (("lua", "lin"), 15)),
    "RUS": ((("che", "rus"), 65), (("rus",), 35)),
    "BGD": ((("ben",), 1),),
    "IRN": ((("pes",), 80), (("kmr", "pes"), 20)),
    "HTI": ((("hat",), 1),),
    "PAK": ((("urd",), 50), (("pnb", "urd"), 30), (("pus", "urd"), 20)),
    "MMR": ((("rhg",), 1),),
    "UKR": ((("ukr", "rus"), 70), (("rus", "ukr"), 30)),
    "MAR": ((("ary",), 80), (("zgh", "ary"), 20)),
    "DZA": ((("arq",), 75), (("kab", "arq"), 25)),
    "TUN": ((("aeb",), 1),),
    "SEN": ((("wol",), 80), (("fuc", "wol"), 20)),
    "GEO": ((("kat", "rus"), 1),),
    "ALB": ((("als",), 1),),
}
_LANGUAGE_CHOICES = {nationality: (tuple(o[0] for o in options), tuple(o[1] for o in options))
                     for nationality, options in LANGUAGES.items()}
# Countries where French is commonly spoken besides the native language (at least a basic level).
FRANCOPHONE = frozenset(("GIN", "CIV", "COD", "HTI", "SEN", "MAR", "DZA", "TUN"))
# Languages of the engagement contract's PDF (SPEC §4.5); Arabic varieties sign the Arabic version.
CONTRACT_LANGUAGES = frozenset(("prs", "pus", "tir", "arb", "eng", "fra"))
ARABIC = frozenset(("apc", "apd", "afb", "ary", "arq", "aeb"))
# Interpreter needed at positioning level: share of persons.
INTERPRETER_SHARE = {"pre_A1": 0.9, "A1": 0.7, "A2": 0.25}
ORIENTATION_SOURCES = ("ofii", "siao", "operator", "self", "other")
ORIENTATION_WEIGHTS = (76, 8, 7, 6, 3)
MODES = ("on_site", "phone", "video", "home_visit")
MODE_WEIGHTS = (74, 14, 4, 8)
FOLLOW_UP_STATUSES = ("honoured", "missed", "excused", "cancelled")
FOLLOW_UP_WEIGHTS = (80, 9, 6, 5)
HOUSING_NEED = {"homeless": "high", "general_shelter": "high", "dna": "high", "cph": "high",
                "third_party": "high", "own_housing": "none"}
LANGUAGE_NEED = {"pre_A1": "high", "A1": "high", "A2": "low", "B1": "low"}
NEEDS3 = ("high", "low", "none")
PERMANENT = frozenset(("social_rental", "private_rental", "iml_mandate"))


# Working hours of appointments (local Paris time), and the areas of a diagnostic by need (shared values).
HOURS = tuple(f"T{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30))
AREA_VALUES = {area: {need: {"need": need, "text": None if need == "none" else data.DIAGNOSTIC_TEXTS[area][need]}
                      for need in NEEDS3} for area in data.DIAGNOSTIC_TEXTS}


class EntryBuilder:
    """Adds the fields of the contract's second version to a person line (the generator's random stream)."""

    def __init__(self, generator):
        self.gen = generator
        self.rng = generator.rng

    @property
    def today(self) -> date:
        return self.gen.today

    # ---------------------------------------------------------------- languages
    def languages(self, person: dict) -> None:
        """Languages from the nationality (native, a second one fluent), French from the positioning level,
        and the interpreter needed by those who speak little French."""
        rng = self.rng
        options = _LANGUAGE_CHOICES.get(person["nationality"])
        if options is None:
            person["languages"], person["interpreter"] = [{"code": "arb", "level": "native"}], None
            return
        codes = options[0][0] if len(options[0]) == 1 else rng.weighted(*options)
        spoken = [{"code": codes[0], "level": "native"}]
        if len(codes) > 1:
            spoken.append({"code": codes[1], "level": "fluent"})
        level = person["language_level"]
        if level in ("B2", "C1", "C2"):
            spoken.append({"code": "fra", "level": "fluent"})
        elif level != "pre_A1" or person["nationality"] in FRANCOPHONE:
            spoken.append({"code": "fra", "level": "basic"})
        if rng.random() < 0.12:
            spoken.append({"code": "eng", "level": "fluent" if rng.random() < 0.5 else "basic"})
        person["languages"] = spoken
        share = INTERPRETER_SHARE.get(level, 0.0)
        if person["nationality"] in FRANCOPHONE:
            share /= 3
        person["interpreter"] = codes[0] if share and rng.random() < share else None

    def contract_language(self, person: dict) -> str:
        """The language of the contract's second column: the person's own when the PDF has it."""
        native = person["languages"][0]["code"] if person["languages"] else "fra"
        native = "arb" if native in ARABIC else native
        if any(x["code"] == "fra" and x["level"] == "fluent" for x in person["languages"]):
            return "fra"
        if native in CONTRACT_LANGUAGES:
            return native
        for spoken in person["languages"][1:]:
            code = "arb" if spoken["code"] in ARABIC else spoken["code"]
            if code in CONTRACT_LANGUAGES:
                return code
        return "fra"

    # ---------------------------------------------------------------- appointments
    def _weekday(self, day: date, low: date, high: date) -> date:
        """A working day near `day` within [low, high] (the day itself when no weekday fits)."""
        wd = day.weekday()
        if wd < 5:
            return day
        forward = day + timedelta(days=7 - wd)
        if forward <= high:
            return forward
        back = day - timedelta(days=wd - 4)
        return back if back >= low else day

    def appointment(self, person: dict, structure: str, on: date, kind: str, status: str,
                    minutes: int = 60) -> dict:
        """One appointment line (local Paris time on a working-day hour)."""
        r = self.rng.random()
        record = {"structure": structure, "start": on.isoformat() + HOURS[int(r * 16)], "minutes": minutes,
                  "kind": kind, "mode": self.rng.weighted(MODES, MODE_WEIGHTS) if kind in ("follow_up", "other")
                  else "on_site",
                  "interpreter": person["interpreter"] if r < 0.92 else None, "status": status}
        person["appointments"].append(record)
        return record

    # ---------------------------------------------------------------- a whole person
    def fill(self, dept, person: dict, timelines: list) -> None:
        """Languages, orientation, appointments, documents; diagnostic, plan and contract of each accompaniment."""
        self.languages(person)
        person["orientation"] = None
        person["appointments"] = []
        person["documents"] = []
        for acc in person["accompaniments"]:
            acc["diagnostic"], acc["plan"], acc["contract"] = None, [], None
        if timelines:
            self.enrolled(dept, person, timelines)
        elif person["status"] in BPI_STATUSES:
            self.oriented_not_enrolled(dept, person)
        if len(person["appointments"]) > 1:
            person["appointments"].sort(key=lambda a: a["start"])
        if len(person["documents"]) > 1:
            person["documents"].sort(key=lambda d: d["date"])

    def oriented_not_enrolled(self, dept, person: dict) -> None:
        """A BPI protected lately, oriented by the OFII and not enrolled yet: the first interview is planned,
        was missed, or has not been set (late once the month is over)."""
        rng, today = self.rng, self.today
        protection = date.fromisoformat(person["protection_date"])
        if (today - protection).days > 150 or rng.random() < 0.2:
            return
        oriented = protection + timedelta(days=5 + int(rng.random() * 40))
        if oriented > today:
            return
        holders = dept.agir_ops if dept.agir_start and oriented >= dept.agir_start else dept.project_ops
        if not holders:
            return
        holder = rng.choice(holders)["ref"]
        person["orientation"] = {"date": oriented.isoformat(), "source": "ofii", "structure": holder}
        r = rng.random()
        if r < 0.45:
            on = today + timedelta(days=1 + int(rng.random() * 25))
            self.appointment(person, holder, self._weekday(on, today + ONE_DAY, on + timedelta(days=7)),
                             "first_interview", "planned", 60)
        elif r < 0.7:
            on = oriented + timedelta(days=7 + int(rng.random() * 18))
            if on < today:
                self.appointment(person, holder, self._weekday(on, oriented, today - ONE_DAY), "first_interview",
                                 "missed" if rng.random() < 0.8 else "excused", 60)

    def enrolled(self, dept, person: dict, timelines: list) -> None:
        """An enrolled person: orientation and first interview before the first accompaniment, then each
        accompaniment's appointments, diagnostic, plan and contract; documents in the file."""
        rng = self.rng
        first = timelines[0]
        holder = first.holder["ref"]
        # The first interview comes a few days before the enrolment; the orientation before it, within a month
        # for most, beyond it for about a third.
        chosen = first.entry or {}
        interview = self._weekday(first.start - timedelta(days=int(rng.random() * 10)),
                                  first.start - timedelta(days=14), first.start)
        delay = 3 + int(rng.random() * 27) if rng.random() < 0.68 else 32 + int(rng.random() * 50)
        if "delay" in chosen:
            interview, delay = first.start, chosen["delay"]
        oriented = interview - timedelta(days=delay)
        protection = date.fromisoformat(person["protection_date"])
        if oriented < protection:
            oriented = protection
            interview = max(interview, oriented)
        person["orientation"] = {"date": oriented.isoformat(),
                                 "source": rng.weighted(ORIENTATION_SOURCES, ORIENTATION_WEIGHTS),
                                 "structure": holder}
        if rng.random() < 0.14 and (interview - oriented).days > 9:  # a first date missed or excused
            self.appointment(person, holder, oriented + timedelta(days=3 + int(rng.random() * ((interview - oriented)
                                                                                             .days - 6))),
                             "first_interview", "missed" if rng.random() < 0.7 else "excused", 60)
        self.appointment(person, holder, interview, "first_interview", "honoured", 60 if rng.random() < 0.6 else 90)
        for t, acc in zip(timelines, person["accompaniments"], strict=True):
            self.accompaniment(dept, person, t, acc)
        self.documents(person, first)

    def accompaniment(self, _dept, person: dict, t, acc: dict) -> None:
        """Diagnostic, plan, contract and appointments of one accompaniment."""
        rng, today = self.rng, self.today
        holder = t.holder["ref"]
        end = min(today, t.exit[0]) if t.exit else today
        diagnosed = t.start + timedelta(days=int(rng.random() * 20))
        if diagnosed > end:
            if not t.exit:  # the diagnostic interview is planned
                self.appointment(person, holder, self._weekday(diagnosed, today + ONE_DAY, diagnosed
                                                               + timedelta(days=5)), "diagnostic", "planned", 90)
            return
        diagnosed = self._weekday(diagnosed, t.start, end)
        self.appointment(person, holder, diagnosed, "diagnostic", "honoured", 90 if rng.random() < 0.7 else 120)
        needs = self.diagnostic(person, acc, diagnosed)
        if rng.random() < 0.78:
            signed = diagnosed + timedelta(days=int(rng.random() * 10))
        else:  # signed after the first month
            signed = t.start + timedelta(days=33 + int(rng.random() * 45))
        if t.entry and "signed" in t.entry:
            signed = t.start + timedelta(days=t.entry["signed"])
        last = diagnosed
        if signed <= end:
            signed = self._weekday(signed, min(signed, diagnosed), end)
            self.appointment(person, holder, signed, "contract_signature", "honoured", 60)
            acc["contract"] = {"signed": signed.isoformat(), "language": self.contract_language(person)}
            last = signed
        self.plan(acc, needs, t, diagnosed, end)
        # Follow-ups every month or two until the exit (or today).
        on = last + timedelta(days=25 + int(rng.random() * 40))
        count = 0
        while on < end and count < 3:
            on = self._weekday(on, last, end)
            status = rng.weighted(FOLLOW_UP_STATUSES, FOLLOW_UP_WEIGHTS)
            # Now and then another kind of meeting (going with the person to an office, a household visit).
            self.appointment(person, holder, on, "other" if rng.random() < 0.06 else "follow_up", status,
                             30 if rng.random() < 0.3 else 45 if rng.random() < 0.5 else 60)
            count += 1
            on += timedelta(days=45 + int(rng.random() * 60))
        if t.exit:
            exit_on, reason = t.exit
            if reason == "dropped_out" and person["appointments"][-1]["kind"] in ("follow_up", "other"):
                person["appointments"][-1]["status"] = "missed"  # they stopped coming
            elif reason in ("goals_reached", "max_duration", "autonomous", "other") and exit_on <= today:
                self.appointment(person, holder, exit_on, "exit_interview", "honoured", 60)
            return
        r = rng.random()
        if r < 0.78:  # the next appointment is planned
            on = today + timedelta(days=1 + int(rng.random() * 35))
            self.appointment(person, holder, self._weekday(on, today + ONE_DAY, on + timedelta(days=7)),
                             "follow_up", "planned", 45)
        elif r < 0.9 and person["appointments"][-1]["kind"] in ("follow_up", "other") \
                and person["appointments"][-1]["start"] < today.isoformat():
            # Missed, or still « planned » after its day: the social worker has to call the person again.
            person["appointments"][-1]["status"] = "missed" if r < 0.87 else "planned"

    def diagnostic(self, person: dict, acc: dict, on: date) -> dict:
        """The six areas: the need follows the person's situation; a short text without medical detail."""
        rng = self.rng
        needs = {
            "rights": "high" if rng.random() < 0.55 else "low",
            "housing": HOUSING_NEED.get(person["hosting"], "low") if rng.random() < 0.85 else "low",
            "employment": rng.weighted(NEEDS3, (50, 35, 15)),
            "language": LANGUAGE_NEED.get(person["language_level"], "none"),
            "mobility": rng.weighted(NEEDS3, (10, 30, 60)),
            "childcare": rng.weighted(NEEDS3, (12, 13, 75)),
        }
        acc["diagnostic"] = {"date": on.isoformat(), "areas": {area: AREA_VALUES[area][need]
                                                               for area, need in needs.items()}}
        return needs

    def plan(self, acc: dict, needs: dict, t, diagnosed: date, end: date) -> None:
        """Objectives for the areas in need, done or dropped (dated) as time goes, the rest open (dropped at
        the exit for some)."""
        rng = self.rng
        plan = []
        for area, need in needs.items():
            if need == "none" or (need == "low" and rng.random() < 0.7):
                continue
            due = diagnosed + timedelta(days=60 + int(rng.random() * 240))
            state, closed = "open", None
            done_on = diagnosed + timedelta(days=20 + int(rng.random() * 260))
            if done_on <= end:
                state, closed = ("done" if rng.random() < 0.75 else "dropped"), done_on
            elif t.exit and rng.random() < 0.5:
                state, closed = "dropped", end
            plan.append({"area": area, "objective": rng.choice(data.PLAN_OBJECTIVES[area]),
                         "due": due.isoformat(), "state": state, "closed": closed and closed.isoformat()})
        acc["plan"] = plan

    def documents(self, person: dict, first) -> None:
        """Proofs kept in the file by the holding structure: residence permit (expiring with the person's
        permit), identity, rights certificates, bank details, lease of a permanent home."""
        rng, today = self.rng, self.today
        holder = first.holder["ref"]
        docs = person["documents"]
        collected = min(today, first.start + timedelta(days=int(rng.random() * 15)))
        started = first.start.isoformat()

        def add(kind: str, on: date, expires: date | None, filename: str) -> None:
            docs.append({"structure": holder, "kind": kind, "date": on.isoformat(),
                         "expires": expires and expires.isoformat(), "filename": filename,
                         # The bytes come later (SPEC §4.7): a digest only for the few files already scanned in.
                         "sha256": f"{rng.getrandbits(256):064x}" if rng.random() < 0.15 else None})

        expiry = person["permit_expiry"]
        if expiry and rng.random() < 0.92:
            add("residence_permit", collected, date.fromisoformat(expiry), "titre-de-sejour.pdf")
        if rng.random() < 0.5:
            add("identity", collected, None, "acte-etat-civil-ofpra.pdf")
        for right in person["rights"]:
            if right["state"] != "obtained":
                continue
            kind = right["kind"]
            if kind == "health_insurance" and rng.random() < 0.4:
                obtained = date.fromisoformat(right["obtained"])
                add("health_insurance", obtained, obtained + timedelta(days=365), "attestation-droits-ameli.pdf")
            elif kind == "caf_benefits" and rng.random() < 0.3:
                add("caf", date.fromisoformat(right["obtained"]), None, "attestation-caf.pdf")
            elif kind == "bank_account" and rng.random() < 0.3:
                add("bank_details", date.fromisoformat(right["obtained"]), None, "rib.pdf")
        for access in person["housing"]:
            if access["kind"] in PERMANENT and access["date"] >= started and rng.random() < 0.4:
                add("lease", date.fromisoformat(access["date"]), None, "bail.pdf")
        for job in person["jobs"]:
            if job["start"] >= started and rng.random() < 0.25:
                add("employment_contract", date.fromisoformat(job["start"]), None, "contrat-de-travail.pdf")
        r = rng.random()
        if r < 0.04:  # a diploma of the country of origin, kept for its recognition
            add("diploma", collected, None, "diplome.pdf")
        elif r < 0.07:
            add("other", collected, None, "attestation-hebergement.pdf")
