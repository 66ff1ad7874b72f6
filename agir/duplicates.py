"""Probable duplicates in the database (SPEC §4.8): keys kept up to date, candidate pairs by SQL blocking, scores.

The rule itself (normalisation, birth dates, score) is agir/rules/duplicates.py. Here:
- the normalised columns of `persons` (name_key, last_key, first_key, search_text, phone_key) are
  set whenever a person is inserted or its names or phone change through the ORM (create_person,
  update_person, tests' factories); the importer writes them in its rows (interchange/writer.py) and
  the anonymisation empties them;
- candidate pairs come from SQL self-joins on indexed keys of one nationality — same name key, or the
  same birth year and the same last-name or first-name key —, never from all pairs in Python;
  only those candidates are scored;
- `probable_duplicates` finds the files that look like a file about to be created, `import_warnings`
  the lines of an import that look like a file of the database or another line.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, event, extract, or_, select, union
from sqlalchemy.orm import aliased

from agir.extensions import db
from agir.interchange.bulk import rows_where_in
from agir.rules.duplicates import THRESHOLD, date_score, score, search_keys
from models import Department, Person, Structure

KEY_COLUMNS = ("name_key", "last_key", "first_key", "search_text", "phone_key")
SOURCE_FIELDS = ("last_name", "first_name", "phone")


def keys_of(last_name, first_name, phone) -> dict:
    """The normalised columns of a person as a dict (for rows written without the ORM)."""
    keys = search_keys(last_name, first_name, phone)
    return {name: getattr(keys, name) for name in KEY_COLUMNS}


def _set_keys(_mapper, _connection, person: Person) -> None:
    if person.anonymised_at is not None:
        return
    for name, value in keys_of(person.last_name, person.first_name, person.phone).items():
        if getattr(person, name) != value:
            setattr(person, name, value)


if not event.contains(Person, "before_insert", _set_keys):
    event.listen(Person, "before_insert", _set_keys)
    event.listen(Person, "before_update", _set_keys)


# Candidate pairs ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pair:
    """Two files that are probably one person, with the score."""

    a: dict
    b: dict
    score: float


IDENTITY = (Person.id, Person.ref, Person.last_name, Person.first_name, Person.sex, Person.birth_on,
            Person.nationality, Person.department_id, Person.structure_id)


def _identity(row) -> dict:
    return dict(zip(("id", "ref", "last_name", "first_name", "sex", "birth_on", "nationality", "department_id",
                     "structure_id"), row, strict=True))


def _dates_compatible(a, b):
    """SQL: birth dates that date_score may find close (same year, or same day and month)."""
    year = extract("year", a.birth_on) == extract("year", b.birth_on)
    same_day = and_(extract("month", a.birth_on) == extract("month", b.birth_on),
                    extract("day", a.birth_on) == extract("day", b.birth_on))
    return or_(year, same_day)


def _same_year_close(a, b):
    """SQL: same birth year, and the same month, or the same day, or day and month swapped, or a 1 January."""
    month_a, day_a = extract("month", a.birth_on), extract("day", a.birth_on)
    month_b, day_b = extract("month", b.birth_on), extract("day", b.birth_on)
    return and_(extract("year", a.birth_on) == extract("year", b.birth_on),
                or_(month_a == month_b, day_a == day_b, and_(month_a == day_b, day_a == month_b),
                    and_(month_a == 1, day_a == 1), and_(month_b == 1, day_b == 1)))


def candidate_pairs(department_id: int | None = None) -> set[tuple[int, int]]:
    """(id, id) pairs of files of one nationality sharing a blocking key, lower id first."""
    a, b = aliased(Person, name="a"), aliased(Person, name="b")
    common = [a.nationality == b.nationality, a.anonymised_at.is_(None), b.anonymised_at.is_(None), a.id != b.id]
    if department_id is not None:
        common += [a.department_id == department_id, b.department_id == department_id]
    pairs = [  # (key of a, key of b, more conditions); an empty key (a name of vowels only) blocks nothing
        (a.name_key, b.name_key, _dates_compatible(a, b), a.id < b.id),
        (a.last_key, b.last_key, _same_year_close(a, b), a.id < b.id),
        (a.first_key, b.first_key, _same_year_close(a, b), a.id < b.id),
        (a.last_key, b.first_key, _same_year_close(a, b)),  # names swapped between the fields, one mistyped
    ]
    statements = [select(a.id, b.id).join(b, and_(key_a == key_b, *common, *conditions)).where(key_a != "")
                  for key_a, key_b, *conditions in pairs]
    found = set()
    for x, y in db.session.execute(union(*statements)):
        found.add((x, y) if x < y else (y, x))
    return found


def find_duplicates(department_code: str | None = None) -> list[Pair]:
    """Every pair of probable duplicates (of one department, or all), highest score first."""
    department_id = None
    if department_code is not None:
        department_id = db.session.scalar(select(Department.id).where(Department.code == department_code))
        if department_id is None:
            return []
    pairs = candidate_pairs(department_id)
    ids = {i for pair in pairs for i in pair}
    people = {row[0]: _identity(row) for row in rows_where_in(db.session, IDENTITY, Person.id, ids)}
    found = []
    for x, y in pairs:
        a, b = people[x], people[y]
        if date_score(a["birth_on"], b["birth_on"]) == 0.0:
            continue  # cheap test first: most candidates of a common name are born another day
        value = score(a, b)
        if value >= THRESHOLD:
            a, b = (a, b) if a["ref"] < b["ref"] else (b, a)
            found.append(Pair(a, b, value))
    found.sort(key=lambda p: (-p.score, p.a["ref"], p.b["ref"]))
    return found


# One person against the database ------------------------------------------------------------------------

def probable_duplicates(values: dict, department_id: int, exclude_id: int | None = None) -> list[tuple[dict, float]]:
    """Files of the department that are probably the person described by `values` (form fields:
    last_name, first_name, birth_on, nationality, sex), highest score first: [(identity, score)]."""
    if not values.get("last_name") or not values.get("first_name") or not values.get("birth_on") \
            or not values.get("nationality"):
        return []
    keys = search_keys(values["last_name"], values["first_name"])
    born: date = values["birth_on"]
    nationality = values["nationality"].strip().upper()
    year = extract("year", Person.birth_on) == born.year
    same_day = and_(extract("month", Person.birth_on) == born.month, extract("day", Person.birth_on) == born.day)
    query = select(*IDENTITY).where(
        Person.department_id == department_id, Person.nationality == nationality, Person.anonymised_at.is_(None),
        or_(and_(Person.name_key == keys.name_key, or_(year, same_day)),
            and_(year, or_(Person.last_key == keys.last_key, Person.first_key == keys.first_key,
                           Person.last_key == keys.first_key, Person.first_key == keys.last_key))))
    if exclude_id is not None:
        query = query.where(Person.id != exclude_id)
    candidate = {"last_name": values["last_name"], "first_name": values["first_name"], "birth_on": born,
                 "nationality": nationality, "sex": values.get("sex")}
    found = []
    for row in db.session.execute(query.limit(500)):
        other = _identity(row)
        value = score(candidate, other)
        if value >= THRESHOLD:
            found.append((other, value))
    found.sort(key=lambda item: (-item[1], item[0]["ref"]))
    return found


def structure_names(ids) -> dict[int, str]:
    """Names of structures by id (to tell which structure holds a file the user may not open)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(Structure.id, Structure.name).where(Structure.id.in_(ids))).all())


def holder_structure_ids(person_ids) -> dict[int, int | None]:
    """The structure that holds each file: the one of its latest accompaniment, else the one that opened it."""
    from models import Accompaniment
    person_ids = list(person_ids)
    if not person_ids:
        return {}
    holders = {pid: sid for pid, sid in db.session.execute(
        select(Person.id, Person.structure_id).where(Person.id.in_(person_ids)))}
    rows = db.session.execute(select(Accompaniment.person_id, Accompaniment.structure_id)
                              .where(Accompaniment.person_id.in_(person_ids))
                              .order_by(Accompaniment.person_id, Accompaniment.start_on, Accompaniment.id))
    for pid, sid in rows:
        holders[pid] = sid  # the latest wins
    return holders


# Import -------------------------------------------------------------------------------------------------

@dataclass
class Identity:
    """What the importer keeps of a person line for the duplicate warnings."""

    line: int
    ref: str
    department: str
    last_name: str
    first_name: str
    sex: str | None
    birth_on: date
    nationality: str

    def as_dict(self) -> dict:
        return {"last_name": self.last_name, "first_name": self.first_name, "sex": self.sex,
                "birth_on": self.birth_on, "nationality": self.nationality}


def _blocks(ident: Identity, keys) -> list[tuple]:
    """The blocking keys of an import line (as candidate_pairs: name key, or year and last or first name key)."""
    out = [(ident.nationality, "n", keys.name_key)] if keys.name_key else []
    year = ident.birth_on.year
    out += [(ident.nationality, kind, year, key) for kind, key in (("l", keys.last_key), ("f", keys.first_key)) if key]
    return out


def import_warnings(identities: list[Identity]) -> list[tuple[int, str]]:
    """(line, message) for each line that is probably a file of the database or of an earlier line."""
    warnings: list[tuple[int, str]] = []
    blocks: dict[tuple, list[int]] = defaultdict(list)
    keyed = []
    for index, ident in enumerate(identities):
        keys = search_keys(ident.last_name, ident.first_name)
        keyed.append(keys)
        for block in _blocks(ident, keys):
            blocks[block].append(index)
    best: dict[int, tuple[float, str]] = {}
    seen = set()
    for members in blocks.values():
        for pos, j in enumerate(members):
            for i in members[:pos]:
                if (i, j) in seen:
                    continue
                seen.add((i, j))
                a, b = identities[i], identities[j]
                if date_score(a.birth_on, b.birth_on) == 0.0:
                    continue
                value = score(a.as_dict(), b.as_dict())
                if value >= THRESHOLD and value > best.get(j, (0.0, ""))[0]:
                    best[j] = (value, f"probablement la même personne que la ligne {a.line} "
                                      f"({a.ref}, score {value:.2f})")
    _against_database(identities, keyed, best)
    for index, (_, message) in sorted(best.items()):
        warnings.append((identities[index].line, message))
    return warnings


def _against_database(identities: list[Identity], keyed: list, best: dict) -> None:
    """Files already in the database sharing a blocking key with a line (skipped when it holds nobody)."""
    if db.session.scalar(select(Person.id).limit(1)) is None:
        return
    wanted = ({k.name_key for k in keyed} | {k.last_key for k in keyed} | {k.first_key for k in keyed}) - {""}
    rows = []
    for column in (Person.name_key, Person.last_key, Person.first_key):
        rows += [r for r in rows_where_in(db.session, IDENTITY + (Person.name_key, Person.last_key, Person.first_key),
                                          column, wanted)]
    by_key: dict[tuple, list[dict]] = defaultdict(list)
    done = set()
    for row in rows:
        if row[0] in done:
            continue
        done.add(row[0])
        person = _identity(row[:len(IDENTITY)])
        name_key, last_key, first_key = row[len(IDENTITY):]
        by_key[(person["nationality"], "n", name_key)].append(person)
        by_key[(person["nationality"], "l", person["birth_on"].year, last_key)].append(person)
        by_key[(person["nationality"], "f", person["birth_on"].year, first_key)].append(person)
    for index, (ident, keys) in enumerate(zip(identities, keyed, strict=True)):
        others = {}
        for block in _blocks(ident, keys):
            for person in by_key.get(block, ()):
                others[person["id"]] = person
        for person in others.values():
            if date_score(ident.birth_on, person["birth_on"]) == 0.0:
                continue
            value = score(ident.as_dict(), person)
            if value >= THRESHOLD and value > best.get(index, (0.0, ""))[0]:
                best[index] = (value, f"probablement la même personne que le dossier {person['ref']} déjà "
                                      f"dans la base (score {value:.2f})")


def identity_of(line: int, record) -> Identity:
    """The identity of a validated person record of the importer."""
    return Identity(line=line, ref=record["ref"], department=record["department"], last_name=record["last_name"],
                    first_name=record["first_name"], sex=record["sex"], birth_on=record["birth_date"],
                    nationality=record["nationality"])
