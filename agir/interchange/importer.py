"""Import of the JSON-Lines interchange file (INTERCHANGE.md): validate everything, then write all or nothing.

Three passes over the lines, so that memory holds the raw text and the small reference data only:
1. scan: decode every line, validate departments, structures and programmes, collect every ref
   declared in the file (references may point forward);
2. check: refs already in the database, dangling refs, and every person against the schema and
   the rules of SPEC §4 (agir/interchange/checks.py, through agir/rules);
3. write (only when no error was found and not a dry run): batched inserts (writer.py).

`import_lines` writes through db.session and never commits: the caller commits, or rolls back.
"""
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from agir.extensions import db
from agir.interchange import checks
from agir.interchange.schema import KEY_FIELDS, RECORD_TYPES
from agir.interchange.validation import quote, usable, validate_record
from models import Department, Person, Programme, Structure

Progress = Callable[[str, int, int], None]  # (phase, done, total)
CHUNK = 500  # refs per IN (…) query
PROGRESS_EVERY = 500
JSON_MESSAGES = {
    "Expecting value": "valeur attendue",
    "Expecting ':' delimiter": "« : » attendu",
    "Expecting ',' delimiter": "« , » attendu",
    "Expecting property name": "nom de champ entre guillemets attendu",
    "Unterminated string": "chaîne de caractères non terminée",
    "Extra data": "données en trop après l'enregistrement",
    "Invalid control character": "caractère de contrôle interdit dans une chaîne",
    "Invalid \\escape": "séquence d'échappement invalide",
    "Invalid \\uXXXX escape": "séquence \\uXXXX invalide",
    "Unexpected UTF-8 BOM": "marque d'ordre d'octets (BOM) inattendue",
}
PHASES = {"scan": "Lecture", "check": "Vérification", "write": "Écriture"}  # what progress(phase, …) gets


@dataclass
class ImportResult:
    """Errors as `line N: field.path: message` lines (empty when the import is valid) and counts by type."""

    errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no error was found."""
        return not self.errors


@dataclass
class Reference:
    """Departments, structures and programmes known from the file or already in the database."""

    departments: dict[str, checks.DepartmentInfo] = field(default_factory=dict)
    structures: dict[str, checks.StructureInfo] = field(default_factory=dict)
    # ids of the records already in the database, by ref (the writer adds the new ones).
    ids: dict[str, dict[str, int]] = field(default_factory=lambda: {t: {} for t in RECORD_TYPES})


class ImportJob:
    """One import: the lines, what the scan learnt, and the errors found."""

    def __init__(self, lines: Iterable, progress: Progress | None = None):
        self.progress = progress
        self.errors: list[tuple[int, str, str]] = []
        self.lines: list[tuple[int, str]] = []  # (line number, text) of non-blank lines
        self.person_lines: list[int] = []  # indexes in self.lines
        # What the rules derived for each valid person (small), so the write pass need not apply them again.
        self.person_facts: dict[int, checks.PersonFacts] = {}
        self.records: dict[str, dict] = {t: {} for t in RECORD_TYPES if t != "person"}
        self.declared: dict[str, dict[str, int]] = {t: {} for t in RECORD_TYPES}
        self.pending_refs: list[tuple[int, str, str, str]] = []
        self.reference = Reference()
        self._read(lines)

    def error(self, line: int, path: str, message: str) -> None:
        """Keep one error of a line."""
        self.errors.append((line, path, message))

    def tick(self, phase: str, done: int, total: int, force: bool = False) -> None:
        """Report progress every few hundred lines."""
        if self.progress is not None and (force or done % PROGRESS_EVERY == 0):
            self.progress(PHASES[phase], done, total)

    def _read(self, lines: Iterable) -> None:
        for number, raw in enumerate(lines, 1):
            if isinstance(raw, bytes):
                try:
                    raw = raw.decode("utf-8")
                except UnicodeDecodeError:
                    self.error(number, "record", "encodage invalide (UTF-8 attendu)")
                    continue
            if number == 1:
                raw = raw.removeprefix("\ufeff")
            if raw.strip():
                self.lines.append((number, raw))

    def parse(self, number: int, text: str):
        """The decoded JSON of a line, or None after recording the error."""
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            reason = next((fr for en, fr in JSON_MESSAGES.items() if exc.msg.startswith(en)), "syntaxe invalide")
            self.error(number, "record", f"JSON invalide (colonne {exc.colno}) : {reason}")
        except ValueError:  # an integer too long to convert
            self.error(number, "record", "JSON invalide : nombre trop long")
        except RecursionError:
            self.error(number, "record", "JSON invalide : imbrication trop profonde")
        return None

    # Pass 1 ------------------------------------------------------------------------------
    def scan(self) -> None:
        """Decode each line, register its ref, validate the reference records."""
        total = len(self.lines)
        for index, (number, text) in enumerate(self.lines):
            self.tick("scan", index, total)
            data = self.parse(number, text)
            if data is None:
                continue
            kind = data.get("type") if isinstance(data, dict) else None
            if kind == "person":
                self._declare(number, kind, data)
                self.person_lines.append(index)
                continue
            found = validate_record(data)
            for path, message in found.errors:
                self.error(number, path, message)
            if found.type is None:
                continue
            self._declare(number, found.type, data)
            self.pending_refs += [(number, path, target, value) for path, target, value in found.refs]
            key = data.get(KEY_FIELDS[found.type])
            if found.record.ok and self.declared[found.type].get(key) == number:
                self.records[found.type][key] = (number, found.record)
        self.tick("scan", total, total, force=True)

    def _declare(self, number: int, kind: str, data: dict) -> None:
        key_field = KEY_FIELDS[kind]
        key = data.get(key_field)
        if not isinstance(key, str):
            return  # the schema reports it
        first = self.declared[kind].setdefault(key, number)
        if first != number:
            self.error(number, key_field, f"référence {quote(key)} en double dans le fichier (déjà ligne {first})")

    # Between the passes ------------------------------------------------------------------
    def load_database(self) -> None:
        """Refs of the file already in the database are errors; load the reference data of the database."""
        tables = {"department": Department.code, "structure": Structure.ref, "programme": Programme.ref,
                  "person": Person.ref}
        for kind, column in tables.items():
            refs = list(self.declared[kind])
            for start in range(0, len(refs), CHUNK):
                for key in db.session.scalars(select(column).where(column.in_(refs[start:start + CHUNK]))):
                    self.error(self.declared[kind][key], KEY_FIELDS[kind],
                               f"{quote(key)} existe déjà dans la base (import déjà fait ?)")
        ref = self.reference
        for dep in db.session.scalars(select(Department)):
            ref.departments[dep.code] = checks.DepartmentInfo(dep.agir_start_on, dep.max_months)
            ref.ids["department"][dep.code] = dep.id
        rows = db.session.execute(select(Structure.ref, Structure.id, Structure.kind, Department.code)
                                  .join(Department, Structure.department_id == Department.id))
        for key, id_, kind, code in rows:
            ref.structures[key] = checks.StructureInfo(kind, code)
            ref.ids["structure"][key] = id_
        ref.ids["programme"].update(db.session.execute(select(Programme.ref, Programme.id)).all())
        for _, dep in self.records["department"].values():
            if usable(dep, "agir_start", "agir_wave", "max_months"):
                months = dep["max_months"] or checks.default_max_months(dep["agir_wave"])
                ref.departments.setdefault(dep["code"], checks.DepartmentInfo(dep["agir_start"], months))
        for _, structure in self.records["structure"].values():
            ref.structures.setdefault(structure["ref"], checks.StructureInfo(structure["kind"],
                                                                             structure["department"]))

    def known(self, kind: str, key: str) -> bool:
        """Declared in the file (valid or not) or present in the database."""
        return key in self.declared[kind] or key in self.reference.ids[kind]

    def check_refs(self, number: int, refs) -> None:
        """Each reference must name a record of the file or of the database."""
        for path, target, value in refs:
            if not self.known(target, value):
                self.error(number, path, f"référence inconnue {quote(value)} (ni dans le fichier ni dans la base)")

    # Pass 2 ------------------------------------------------------------------------------
    def check(self) -> None:
        """Dangling refs and the rules, for every record."""
        for number, path, target, value in self.pending_refs:
            self.check_refs(number, [(path, target, value)])
        for number, dep in self.records["department"].values():
            for path, message in checks.check_department(dep):
                self.error(number, path, message)
        for number, programme in self.records["programme"].values():
            for path, message in checks.check_programme(programme):
                self.error(number, path, message)
        total = len(self.person_lines)
        for done, index in enumerate(self.person_lines):
            self.tick("check", done, total)
            checked = self.check_person(*self.lines[index])
            if checked is not None and not self.errors:
                self.person_facts[index] = checked[1]
        self.tick("check", total, total, force=True)

    def check_person(self, number: int, text: str):
        """Validate one person line; returns (record, facts) when it is valid, else None."""
        data = self.parse(number, text)
        if data is None:
            return None
        found = validate_record(data)
        self.check_refs(number, found.refs)
        department = None
        if found.record is not None and usable(found.record, "department"):
            department = self.reference.departments.get(found.record["department"])
        failures = list(found.errors)
        facts = None
        if found.record is not None:
            try:
                rule_errors, facts = checks.check_person(found.record, department, self.reference.structures)
            except (ValueError, OverflowError):  # date arithmetic at the edge of the calendar
                rule_errors = [("record", "dates hors des limites du calendrier")]
            failures += rule_errors
        for path, message in failures:
            self.error(number, path, message)
        return (found.record, facts) if not failures else None

    def result(self) -> ImportResult:
        """The errors, formatted and ordered by line."""
        ordered = sorted(self.errors, key=lambda e: e[0])
        return ImportResult(errors=[f"line {n}: {path}: {message}" for n, path, message in ordered])


def import_lines(lines: Iterable, *, dry_run: bool = False, progress: Progress | None = None) -> ImportResult:
    """Validate the whole file, then (unless dry_run or invalid) write it through db.session, uncommitted.

    `lines` are str or UTF-8 bytes, one record each (a whole text is split into lines);
    `progress(phase, done, total)` is called now and then with the French name of the phase.
    """
    if isinstance(lines, str | bytes):
        lines = lines.splitlines()
    job = ImportJob(lines, progress)
    job.scan()
    job.load_database()
    job.check()
    result = job.result()
    counts = {kind: len(job.declared[kind]) for kind in RECORD_TYPES}
    if result.errors:
        return result
    if dry_run:
        result.counts = counts
        return result
    from agir.interchange.writer import write_all
    result.counts = write_all(job)
    return result
