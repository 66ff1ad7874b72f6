"""Probable duplicates in the database (SPEC §4.8): keys kept up to date, candidate pairs by SQL blocking, scores.

The rule itself (normalisation, birth dates, score) is agir/rules/duplicates.py. Here:
- the normalised columns of `persons` (name_key, name_day_key, last_key, first_key, search_text,
  phone_key) are set whenever a person is inserted or updated through the ORM (create_person,
  update_person, the tests' factories); the importer writes them in its rows (interchange/writer.py)
  and the anonymisation empties them;
- candidate pairs come from SQL self-joins by equality on one indexed key within one nationality —
  the same names and birth year, the same names and birth day (a year mistyped), the same birth year
  and last name or first name (the other name mistyped), names swapped between the fields —, never
  from all pairs in Python; only those candidates are scored;
- a close (not equal) birth date says less for a common name: the number of other files with the same
  names and nationality lowers the score (rules.common_name_penalty);
- `probable_duplicates` finds the files that look like a file about to be created, `import_warnings`
  the lines of an import that look like a file of the database or an earlier line.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, event, extract, func, or_, select, union

from agir.extensions import db
from agir.interchange.bulk import rows_where_in
from agir.rules.duplicates import THRESHOLD, date_score, name_skeleton, score, search_keys
from models import Accompaniment, Department, Person, Structure

KEY_COLUMNS = ("name_key", "name_day_key", "last_key", "first_key", "search_text", "phone_key")
SKELETON_FROM = 6  # name_key is "YYYY:<skeleton>": the skeleton starts at the 6th character (SQL substr)


def keys_of(last_name, first_name, phone, birth_on) -> dict:
    """The normalised columns of a person as a dict (for rows written without the ORM)."""
    keys = search_keys(last_name, first_name, phone, birth_on)
    return {name: getattr(keys, name) for name in KEY_COLUMNS}


def _set_keys(_mapper, _connection, person: Person) -> None:
    if person.anonymised_at is not None:
        return
    for name, value in keys_of(person.last_name, person.first_name, person.phone, person.birth_on).items():
        if getattr(person, name) != value:
            setattr(person, name, value)


if not event.contains(Person, "before_insert", _set_keys):
    event.listen(Person, "before_insert", _set_keys)
    event.listen(Person, "before_update", _set_keys)


@dataclass(frozen=True)
class Pair:
    """Two files that are probably one person, with the score."""

    a: dict
    b: dict
    score: float


IDENTITY = (Person.id, Person.ref, Person.last_name, Person.first_name, Person.sex, Person.birth_on,
            Person.nationality, Person.department_id, Person.structure_id)
IDENTITY_NAMES = ("id", "ref", "last_name", "first_name", "sex", "birth_on", "nationality", "department_id",
                  "structure_id")


def _identity(row) -> dict:
    return dict(zip(IDENTITY_NAMES, row, strict=True))


def _close_in_year(a, b):
    """SQL, for two files of one birth year: the same month, or day, or day and month swapped, or a 1 January."""
    month_a, day_a = extract("month", a.birth_on), extract("day", a.birth_on)
    month_b, day_b = extract("month", b.birth_on), extract("day", b.birth_on)
    return or_(month_a == month_b, day_a == day_b, and_(month_a == day_b, day_a == month_b),
               and_(month_a == 1, day_a == 1), and_(month_b == 1, day_b == 1))


def candidate_pairs(department_id: int | None = None) -> set[tuple[int, int]]:
    """(id, id) pairs of files of one nationality sharing a blocking key, lower id first."""
    a, b = Person.__table__.alias("a"), Person.__table__.alias("b")
    common = [a.c.nationality == b.c.nationality, a.c.anonymised_at.is_(None), b.c.anonymised_at.is_(None),
              a.c.id != b.c.id]
    if department_id is not None:
        # `+ 0`: the inner side is found by its key's index, then checked for the department (SQLite would
        # otherwise walk the department's index for every file of the department: quadratic).
        common += [a.c.department_id == department_id, b.c.department_id + 0 == department_id]
    pairs = [  # (key of a, key of b, more conditions); a key is None when it would pair nothing
        (a.c.name_key, b.c.name_key, a.c.id < b.c.id),
        (a.c.name_day_key, b.c.name_day_key, a.c.id < b.c.id),
        (a.c.last_key, b.c.last_key, _close_in_year(a.c, b.c), a.c.id < b.c.id),
        (a.c.first_key, b.c.first_key, _close_in_year(a.c, b.c), a.c.id < b.c.id),
        (a.c.last_key, b.c.first_key, _close_in_year(a.c, b.c)),  # names swapped between the fields
    ]
    statements = [select(a.c.id, b.c.id).select_from(a.join(b, and_(key_a == key_b, *common, *conditions)))
                  .where(key_a.is_not(None)) for key_a, key_b, *conditions in pairs]
    found = set()
    for x, y in db.session.execute(union(*statements)):
        found.add((x, y) if x < y else (y, x))
    return found


def name_counts(department_id: int | None = None, skeletons=None) -> Counter:
    """Files by (nationality, skeleton of the names), in the department or everywhere, counted by the database
    (only those counted more than twice: a commoner name than the pair itself)."""
    skeleton = func.substr(Person.name_key, SKELETON_FROM)
    query = (select(Person.nationality, skeleton, func.count()).where(Person.anonymised_at.is_(None),
                                                                       Person.name_key.is_not(None))
             .group_by(Person.nationality, skeleton).having(func.count() > 2))
    if department_id is not None:
        query = query.where(Person.department_id == department_id)
    if skeletons is not None:
        query = query.where(skeleton.in_(list(skeletons)))
    return Counter({(nat, skel): n for nat, skel, n in db.session.execute(query)})


def _others(counts: Counter, person: dict) -> int:
    """How many files besides a pair share this person's names and nationality."""
    return max(0, counts.get((person["nationality"], name_skeleton(person["last_name"], person["first_name"])), 0) - 2)


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
    counts = name_counts(department_id) if pairs else Counter()
    found = []
    for x, y in pairs:
        a, b = people[x], people[y]
        if date_score(a["birth_on"], b["birth_on"]) == 0.0:
            continue  # cheap test first: most candidates of a common name are born another day
        value = score(a, b, max(_others(counts, a), _others(counts, b)))
        if value >= THRESHOLD:
            a, b = (a, b) if a["ref"] < b["ref"] else (b, a)
            found.append(Pair(a, b, value))
    found.sort(key=lambda p: (-p.score, p.a["ref"], p.b["ref"]))
    return found


# One person against the database ------------------------------------------------------------------------

def probable_duplicates(values: dict, department_id: int, exclude_id: int | None = None) -> list[tuple[dict, float]]:
    """Files of the department that are probably the person described by `values` (form fields:
    last_name, first_name, birth_on, nationality, sex), highest score first: [(identity, score)]."""
    if not values.get("last_name") or not values.get("first_name") or not isinstance(values.get("birth_on"), date) \
            or not values.get("nationality"):
        return []
    born: date = values["birth_on"]
    keys = search_keys(values["last_name"], values["first_name"], None, born)
    nationality = values["nationality"].strip().upper()
    pairs = ((Person.name_key, keys.name_key), (Person.name_day_key, keys.name_day_key),
             (Person.last_key, keys.last_key), (Person.first_key, keys.first_key),
             (Person.last_key, keys.first_key), (Person.first_key, keys.last_key))
    # One indexed search per key (an OR of them would walk every file of the nationality).
    ids = [select(Person.id).where(Person.nationality == nationality, column == key)
           for column, key in pairs if key is not None]
    if not ids:
        return []
    query = select(*IDENTITY).where(Person.id.in_(union(*ids).scalar_subquery()),
                                    Person.department_id == department_id, Person.anonymised_at.is_(None))
    if exclude_id is not None:
        query = query.where(Person.id != exclude_id)
    candidate = {"last_name": values["last_name"], "first_name": values["first_name"], "birth_on": born,
                 "nationality": nationality, "sex": values.get("sex")}
    skeleton = name_skeleton(values["last_name"], values["first_name"])
    rows = [_identity(row) for row in db.session.execute(query.limit(500))]
    if not rows:
        return []
    counts = name_counts(department_id, {skeleton} | {name_skeleton(r["last_name"], r["first_name"]) for r in rows})
    if exclude_id is None:  # the file about to be created counts too
        counts[(nationality, skeleton)] += 1
    found = []
    for other in rows:
        value = score(candidate, other, max(_others(counts, candidate), _others(counts, other)))
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
    person_ids = list(person_ids)
    if not person_ids:
        return {}
    holders = dict(db.session.execute(select(Person.id, Person.structure_id).where(Person.id.in_(person_ids))).all())
    rows = db.session.execute(select(Accompaniment.person_id, Accompaniment.structure_id)
                              .where(Accompaniment.person_id.in_(person_ids))
                              .order_by(Accompaniment.person_id, Accompaniment.start_on, Accompaniment.id))
    holders.update(rows.all())  # in order: the latest accompaniment wins
    return holders


# Import -------------------------------------------------------------------------------------------------

@dataclass
class Identity:
    """What the importer keeps of a person line for the duplicate warnings."""

    line: int
    ref: str
    last_name: str
    first_name: str
    sex: str | None
    birth_on: date
    nationality: str

    def as_dict(self) -> dict:
        return {"last_name": self.last_name, "first_name": self.first_name, "sex": self.sex,
                "birth_on": self.birth_on, "nationality": self.nationality}


def identity_of(line: int, record) -> Identity:
    """The identity of a validated person record of the importer."""
    return Identity(line=line, ref=record["ref"], last_name=record["last_name"], first_name=record["first_name"],
                    sex=record["sex"], birth_on=record["birth_date"], nationality=record["nationality"])


def _blocks(nationality: str, keys) -> list[tuple]:
    """The blocking keys of a file, as candidate_pairs joins them (last and first names in one space, so that
    names swapped between the fields meet)."""
    out = [(nationality, "n", keys.name_key), (nationality, "d", keys.name_day_key),
           (nationality, "p", keys.last_key), (nationality, "p", keys.first_key)]
    return [block for block in out if block[2] is not None]


def _close(a: date, b: date) -> bool:
    """A cheap first test of two birth dates of one year (as `_close_in_year` in SQL)."""
    return (a.month == b.month or a.day == b.day or (a.month == b.day and a.day == b.month)
            or (a.month == 1 and a.day == 1) or (b.month == 1 and b.day == 1))


def import_warnings(identities: list[Identity]) -> list[tuple[int, str]]:
    """(line, message) for each line that is probably a file of the database or an earlier line (the likeliest)."""
    blocks: dict[tuple, list[int]] = defaultdict(list)
    counts: Counter = Counter()
    people = [ident.as_dict() for ident in identities]
    for index, ident in enumerate(identities):
        keys = search_keys(ident.last_name, ident.first_name, None, ident.birth_on)
        for block in _blocks(ident.nationality, keys):
            blocks[block].append(index)
        counts[(ident.nationality, name_skeleton(ident.last_name, ident.first_name))] += 1
    database = _database_candidates(blocks)
    if database:
        counts.update(name_counts(skeletons={skel for _, skel in counts}))
    best: dict[int, tuple[float, str]] = {}
    scored: set[tuple[int, int]] = set()

    def consider(j: int, _other: dict, value: float, message: str) -> None:
        if value >= THRESHOLD and value > best.get(j, (0.0, ""))[0]:
            best[j] = (value, message)

    for block, members in blocks.items():
        same_year = block[1] in ("n", "p")  # the "d" blocks share the day, not the year
        for pos, j in enumerate(members):
            b = people[j]
            for i in members[:pos]:
                a = people[i]
                if i == j or same_year and not _close(a["birth_on"], b["birth_on"]):
                    continue  # (a file whose last and first names share their key is twice in its block)
                if (i, j) in scored or date_score(a["birth_on"], b["birth_on"]) == 0.0:
                    continue
                scored.add((i, j))
                value = score(a, b, max(_others(counts, a), _others(counts, b)))
                consider(j, a, value, f"probablement la même personne que la ligne {identities[i].line} "
                                      f"({identities[i].ref}, score {value:.2f})")
            for person in database.get(block, ()):
                if date_score(b["birth_on"], person["birth_on"]) == 0.0:
                    continue
                value = score(b, person, max(_others(counts, b), _others(counts, person)))
                consider(j, person, value, f"probablement la même personne que le dossier {person['ref']} déjà "
                                           f"dans la base (score {value:.2f})")
    return [(identities[index].line, message) for index, (_, message) in sorted(best.items())]


def _database_candidates(blocks: dict) -> dict[tuple, list[dict]]:
    """Files of the database sharing a blocking key with a line, by block (nothing when the database holds
    nobody: the first import of a file costs nothing more)."""
    if db.session.scalar(select(Person.id).limit(1)) is None:
        return {}
    wanted: dict[str, set] = {"n": set(), "d": set(), "p": set()}
    for _, kind, key in blocks:
        wanted[kind].add(key)
    columns = IDENTITY + (Person.name_key, Person.name_day_key, Person.last_key, Person.first_key)
    found: dict[int, tuple] = {}
    for column, kind in ((Person.name_key, "n"), (Person.name_day_key, "d"), (Person.last_key, "p"),
                         (Person.first_key, "p")):
        for row in rows_where_in(db.session, columns, column, wanted[kind]):
            found[row[0]] = row
    by_block: dict[tuple, list[dict]] = defaultdict(list)
    for row in found.values():
        person = _identity(row[:len(IDENTITY)])
        name_key, name_day_key, last_key, first_key = row[len(IDENTITY):]
        nationality = person["nationality"]
        for kind, key in (("n", name_key), ("d", name_day_key), ("p", last_key), ("p", first_key)):
            if key is not None and (nationality, kind, key) in blocks:
                by_block[(nationality, kind, key)].append(person)
    return by_block
