"""Import of the JSON-Lines interchange file (INTERCHANGE.md): validate everything, then write all or nothing.

Passes over the file, read again each time (agir/interchange/source.py), so that memory holds
what cross-references need and never the file's lines nor its records:
1. scan, streaming: decode every line, validate every record against the schema, declare its ref
   (ref → line number); a reference to a ref already declared or in the database is settled there
   and then, only forward references wait for the end; a person whose department and structures
   are already known (from the database or earlier lines, the usual order of a file) is checked
   against the rules of SPEC §4 there and then (agir/interchange/checks.py, through agir/rules),
   and what the rules derived goes to a temporary file (FactsSpool);
2. check: refs already in the database, dangling refs, and the rules for the persons whose
   department or structures came later in the file (their lines read again from the file);
3. write (only when no error was found and not a dry run): the file read again, each person line
   normalised without being validated a second time, batched inserts (writer.py: COPY on
   PostgreSQL, executemany on SQLite), in the caller's one transaction.

Each person line is thus validated once. Errors are ordered by line, and within a line as they
would be found one pass after the other: decoding and duplicates, refs already in the database,
dangling refs, then the schema and the rules (RANK).

`import_lines` writes through db.session and never commits: the caller commits, or rolls back.
"""
import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from agir import dates
from agir.duplicates import identity_of
from agir.extensions import db
from agir.interchange import checks
from agir.interchange.bulk import rows_where_in
from agir.interchange.schema import KEY_FIELDS, RECORD_TYPES
from agir.interchange.scratch import Scratch
from agir.interchange.source import FactsSpool, LineSource, count_lines, line_source
from agir.interchange.validation import quote, usable, validate_record
from models import Department, Programme, Structure

Progress = Callable[[str, int, int], None]  # (phase, done, total)
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
NOT_AN_OBJECT = "un enregistrement doit être un objet JSON ({…})"


class DuplicateKey(ValueError):
    """A JSON object of the line names the same key twice (json.loads would silently keep the last value)."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _object(pairs: list) -> dict:
    """object_pairs_hook of every line: a dict, unless a key comes twice (DuplicateKey)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return obj


PHASES = {"scan": "Lecture", "check": "Vérification", "write": "Écriture"}  # what progress(phase, …) gets
# Order of a line's errors: decoding and duplicates, refs already in the database, dangling refs, schema and rules.
RANK = {"scan": 0, "existing": 1, "refs": 2, "rules": 3}


@dataclass
class ImportResult:
    """Errors as `line N: field.path: message` lines (empty when the import is valid) and counts by type."""

    errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # `line N: warning: …` lines (probable duplicates, SPEC §4.8): they never stop the import.
    warnings: list[str] = field(default_factory=list)

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


class ChangedFile(RuntimeError):
    """The file read again by a later pass is not the one the scan validated: nothing may be written."""


class ImportJob:
    """One import: where its lines are read from, what the scan learnt, and the errors found."""

    def __init__(self, lines: LineSource, progress: Progress | None = None, today: date | None = None):
        self.source = lines  # each call gives the lines again, from the first
        self.progress = progress
        self.today = today or dates.today()  # the day facts may not come after (Europe/Paris)
        self.errors: list[tuple[int, int, str, str]] = []  # (line, RANK, path, message)
        # Non-blank lines, the total of the scan's progress: one more pass over the file, unless the progress
        # shows only the writing (`scan_total = False`, the command off a terminal).
        wanted = progress is not None and getattr(progress, "scan_total", True)
        self.total = count_lines(lines) if wanted else 0
        self.persons = 0  # person lines
        # What the rules derived for each valid person (small tuples, in a temporary file), in line order:
        # the persons checked by the scan, and those left to the check pass.
        self.person_facts = FactsSpool()
        self.deferred_facts = FactsSpool()
        self.records: dict[str, dict] = {t: {} for t in RECORD_TYPES if t != "person"}
        # ref → line of the reference records; the persons' refs and identities go to a temporary database.
        self.declared: dict[str, dict[str, int]] = {t: {} for t in RECORD_TYPES if t != "person"}
        self.scratch = Scratch()
        # References to refs not declared yet when their line was read (forward references).
        self.pending_refs: list[tuple[int, str, str, str]] = []
        self.deferred: set[int] = set()  # lines of the persons whose department or structures were not yet known
        self.reference = Reference()

    def close(self) -> None:
        """Remove the temporary files."""
        self.person_facts.close()
        self.deferred_facts.close()
        self.scratch.close()

    def error(self, line: int, path: str, message: str, rank: str = "scan") -> None:
        """Keep one error of a line."""
        self.errors.append((line, RANK[rank], path, message))

    def tick(self, phase: str, done: int, total: int, force: bool = False) -> None:
        """Report progress every few hundred lines."""
        if self.progress is not None and (force or done % PROGRESS_EVERY == 0):
            self.progress(PHASES[phase], done, total)

    def lines(self, first_pass: bool = False) -> Iterator[tuple[int, str]]:
        """(line number, text) of the non-blank lines, read again from the source; the first pass reports
        the lines that are not UTF-8 (the later ones skip them: an import with errors writes nothing)."""
        for number, given in enumerate(self.source(), 1):
            raw = given
            if isinstance(raw, bytes):
                try:
                    raw = raw.decode("utf-8")
                except UnicodeDecodeError:
                    if first_pass:
                        self.error(number, "record", "encodage invalide (UTF-8 attendu)")
                    continue
            if number == 1:
                raw = raw.removeprefix("\ufeff")
            if raw.strip():
                yield number, raw

    def parse(self, number: int, text: str):
        """The decoded JSON object of a line, or None after recording the error (invalid JSON, a key twice
        in one object, a line that is not an object: `null`, a list, a number…)."""
        try:
            data = json.loads(text, object_pairs_hook=_object)
        except DuplicateKey as exc:
            self.error(number, "record", f"la clé « {exc.key} » est présente deux fois (une seule valeur par clé)")
        except json.JSONDecodeError as exc:
            reason = next((fr for en, fr in JSON_MESSAGES.items() if exc.msg.startswith(en)), "syntaxe invalide")
            self.error(number, "record", f"JSON invalide (colonne {exc.colno}) : {reason}")
        except ValueError:  # an integer too long to convert
            self.error(number, "record", "JSON invalide : nombre trop long")
        except RecursionError:
            self.error(number, "record", "JSON invalide : imbrication trop profonde")
        else:
            if isinstance(data, dict):
                return data
            self.error(number, "record", NOT_AN_OBJECT)
        return None

    # Pass 1 ------------------------------------------------------------------------------
    def scan(self) -> None:
        """Decode each line, register its ref, validate every record (streaming: nothing of a line is kept
        but its ref, the references still unknown, and what the rules derived)."""
        total = self.total
        index = -1
        for index, (number, text) in enumerate(self.lines(first_pass=True)):
            self.tick("scan", index, total)
            data = self.parse(number, text)
            if data is None:
                continue
            kind = data.get("type") if isinstance(data, dict) else None
            if kind == "person":
                self._declare(number, kind, data)
                self.persons += 1
                self.scan_person(number, data)
                continue
            found = validate_record(data)
            for path, message in found.errors:
                self.error(number, path, message)
            if found.type is None:
                continue
            self._declare(number, found.type, data)
            self._refer(number, found.refs)
            key = data.get(KEY_FIELDS[found.type])
            if found.record.ok and self.declared[found.type].get(key) == number:
                self.records[found.type][key] = (number, found.record)
                self._learn(found.type, found.record)
        for number, key, first in self.scratch.duplicate_refs():
            self.error(number, "ref", f"référence {quote(key)} en double dans le fichier (déjà ligne {first})")
        self.total = max(total, index + 1)
        self.tick("scan", self.total, self.total, force=True)

    def _refer(self, number: int, refs) -> None:
        """References of a line: those naming a ref already known are settled; the others wait for the end
        of the file (only they can be dangling: the order of their errors is the order they came in)."""
        self.pending_refs += [(number, path, target, value) for path, target, value in refs
                              if not self.known(target, value)]

    def scan_person(self, number: int, data) -> None:
        """Validate a person line; check its rules now if what they need is known, else in the check pass."""
        found = validate_record(data)
        self._refer(number, found.refs)
        for path, message in found.errors:
            self.error(number, path, message, "rules")
        if not found.errors:
            self.scratch.add_identity(identity_of(number, found.record))
        if not self._rules_ready(found.record):  # a "person" line always gives a record
            self.deferred.add(number)
            return
        self.apply_rules(self.person_facts, number, found.record, failed=bool(found.errors))

    def _rules_ready(self, record) -> bool:
        """The person's department and the structures of its accompaniments and appointments are already known."""
        if usable(record, "department") and record["department"] not in self.reference.departments:
            return False
        structures = self.reference.structures
        return all(item["structure"] in structures
                   for item in (*checks.items(record, "accompaniments"), *checks.items(record, "appointments"))
                   if usable(item, "structure"))

    def apply_rules(self, spool: FactsSpool, number: int, record, failed: bool) -> None:
        """SPEC §4 on one validated person; its facts are kept for the writer while the file is valid."""
        department = None
        if usable(record, "department"):
            department = self.reference.departments.get(record["department"])
        try:
            rule_errors, facts = checks.check_person(record, department, self.reference.structures, self.today)
        except (ValueError, OverflowError):  # date arithmetic at the edge of the calendar
            rule_errors = [("record", "dates hors des limites du calendrier")]
        for path, message in rule_errors:
            self.error(number, path, message, "rules")
        if not failed and not rule_errors and not self.errors:
            spool.add(number, facts)

    def _learn(self, kind: str, record) -> None:
        """A valid department or structure of the file, known to the rules from now on (the database's first)."""
        ref = self.reference
        if kind == "department" and usable(record, "agir_start", "agir_wave", "max_months"):
            months = record["max_months"] or checks.default_max_months(record["agir_wave"])
            ref.departments.setdefault(record["code"], checks.DepartmentInfo(record["agir_start"], months))
        elif kind == "structure":
            ref.structures.setdefault(record["ref"], checks.StructureInfo(record["kind"], record["department"]))

    def _declare(self, number: int, kind: str, data: dict) -> None:
        key_field = KEY_FIELDS[kind]
        key = data.get(key_field)
        if not isinstance(key, str):
            return  # the schema reports it
        if kind == "person":  # a ref twice: found by the scratch database at the end of the scan
            self.scratch.add_ref(key, number)
            return
        first = self.declared[kind].setdefault(key, number)
        if first != number:
            self.error(number, key_field, f"référence {quote(key)} en double dans le fichier (déjà ligne {first})")

    # Before and between the passes ------------------------------------------------------
    def find_existing(self) -> None:
        """Refs of the file already in the database are errors."""
        tables = {"department": Department.code, "structure": Structure.ref, "programme": Programme.ref}
        found = [(self.declared[kind][key], kind, key) for kind, column in tables.items()
                 for (key,) in rows_where_in(db.session, (column,), column, self.declared[kind])]
        found += [(line, "person", key) for key, line in self.scratch.existing_refs()]
        for line, kind, key in found:
            self.error(line, KEY_FIELDS[kind], f"{quote(key)} existe déjà dans la base (import déjà fait ?)",
                       "existing")

    def load_database(self) -> None:
        """The reference data of the database (before the scan: the file's own come as they are read)."""
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

    def known(self, kind: str, key: str) -> bool:
        """Declared in the file (valid or not) or present in the database."""
        return key in self.declared[kind] or key in self.reference.ids[kind]

    def check_refs(self, number: int, refs) -> None:
        """Each reference must name a record of the file or of the database."""
        for path, target, value in refs:
            if not self.known(target, value):
                self.error(number, path, f"référence inconnue {quote(value)} (ni dans le fichier ni dans la base)",
                           "refs")

    # Pass 2 ------------------------------------------------------------------------------
    def check(self) -> None:
        """Dangling refs, the rules of the reference records, and of the persons left for now by the scan."""
        for number, path, target, value in self.pending_refs:
            self.check_refs(number, [(path, target, value)])
        for number, dep in self.records["department"].values():
            for path, message in checks.check_department(dep):
                self.error(number, path, message, "rules")
        for number, programme in self.records["programme"].values():
            for path, message in checks.check_programme(programme):
                self.error(number, path, message, "rules")
        total = len(self.deferred)
        if total:
            done = 0
            for number, text in self.lines():
                if number not in self.deferred:
                    continue
                self.tick("check", done, total)
                done += 1
                found = validate_record(json.loads(text))  # decoded once already: it parses
                self.apply_rules(self.deferred_facts, number, found.record, failed=bool(found.errors))
            if done != total:
                raise ChangedFile(f"{done} of {total} deferred persons found again")
        self.tick("check", total, total, force=True)

    def person_lines(self) -> Iterator[tuple[int, dict, checks.PersonFacts]]:
        """The write pass: (line number, decoded person line, its facts), the file read again; ChangedFile if
        it is not the file the scan validated."""
        facts = _merged(iter(self.person_facts), iter(self.deferred_facts))
        count = 0
        for number, text in self.lines():
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("type") != "person":
                continue
            count += 1
            kept = next(facts, None)
            if kept is None or kept[0] != number:
                raise ChangedFile(f"line {number}: not the person line the scan validated")
            yield number, data, kept[1]
        if count != self.persons or next(facts, None) is not None:
            raise ChangedFile(f"{count} person lines, {self.persons} at the scan")

    def result(self) -> ImportResult:
        """The errors, formatted and ordered by line (and within a line by RANK)."""
        ordered = sorted(self.errors, key=lambda e: e[:2])
        return ImportResult(errors=[f"line {n}: {path}: {message}" for n, _, path, message in ordered])


def _merged(first: Iterator, second: Iterator) -> Iterator:
    """Two iterators of (line number, …) in line order, merged in line order."""
    a, b = next(first, None), next(second, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            yield a
            a = next(first, None)
        else:
            yield b
            b = next(second, None)


def import_lines(lines, *, dry_run: bool = False, progress: Progress | None = None,
                 today: date | None = None) -> ImportResult:
    """Validate the whole file, then (unless dry_run or invalid) write it through db.session, uncommitted.

    `lines`: a file (a pathlib.Path: read again by each pass, never held), or a callable giving the
    lines again at each call, or the lines themselves (str or UTF-8 bytes, one record each; a list,
    or a whole text split into lines); `progress(phase, done, total)` is called now and then with
    the French name of the phase; `today` (default agir.dates.today, Europe/Paris) is the day no
    fact of the file may come after. ChangedFile when the file read again is not the one validated
    (something may then have been written: the caller rolls back).
    """
    with _collector_paused():
        return _import(line_source(lines), dry_run, progress, today)


@contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off for the import, back as it was afterwards.

    An import allocates millions of short-lived dicts and lists (decoded lines, records, rows)
    and creates next to no reference cycles; each allocation burst set the collector off, and
    its full passes went over every live object of the process again and again — about a fifth
    of the client's CPU at 20,000 persons. Reference counting still frees everything as usual
    (the peak memory is the same); the few cycles left are collected once it is back on. The
    switch is process-wide: imports run in the `agir import` command and the demo, not in the
    threads of a web worker.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import(lines: LineSource, dry_run: bool, progress: Progress | None, today: date | None = None) -> ImportResult:
    job = ImportJob(lines, progress, today)
    try:
        return _run(job, dry_run)
    finally:
        job.close()


def _run(job: ImportJob, dry_run: bool) -> ImportResult:
    job.load_database()
    job.scan()
    job.find_existing()
    job.check()
    result = job.result()
    counts = {kind: len(job.declared[kind]) if kind != "person" else job.scratch.person_refs()
              for kind in RECORD_TYPES}
    if result.errors:
        return result
    result.warnings = [f"line {n}: warning: {message}" for n, message in job.scratch.warnings()]
    if dry_run:
        result.counts = counts
        return result
    from agir.interchange.writer import write_all
    result.counts = write_all(job)
    return result
