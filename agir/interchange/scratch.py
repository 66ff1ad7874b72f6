"""What the import must know of every person line, kept on disk: their refs and their identities.

A file of 1,000,000 persons would hold a million refs (duplicates, refs already in the database)
and a million identities (names, birth date, nationality: the duplicate warnings, SPEC §4.8) in
memory. The scan writes them instead into a temporary SQLite database (Python's sqlite3, a file
removed with the import), by batches, and the checks ask it by SQL: sorted and grouped there.

`warnings()` gives exactly what agir.duplicates.import_warnings gives for the same identities
(tests/interchange/test_scratch.py holds it as the oracle): the same blocks walked in the same
order (the order in which each block first appears in the file, its members in line order), the
same pairs scored once (in the first block of the walk that lets them through, found from their own
blocks rather than from a set of every pair scored, which grew with the file), the same best message per
line.
"""
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from itertools import groupby
from pathlib import Path

from sqlalchemy import select

from agir.duplicates import Identity, _blocks, _close, _database_candidates, name_counts
from agir.extensions import db
from agir.rules.duplicates import THRESHOLD, date_score, name_skeleton, score, search_keys
from models import Person

FLUSH = 5000  # rows written at once
CHUNK = 5000  # refs or keys asked of the application's database at once
CACHE_KIB = 8_000  # SQLite's page cache of the scratch database
WALK_CACHE = 16_384  # the walk's answers kept (block positions, name counts): full at 100,000 persons, then flat
BLOCKS_PER_PERSON = 4  # agir.duplicates._blocks gives at most four blocks
SEP = "\x1f"


class Scratch:
    """Person refs (with their line) and identities of one import, in a temporary SQLite file."""

    def __init__(self):
        self.directory = tempfile.TemporaryDirectory(prefix="agir-import-")  # removed by close()
        self.db = sqlite3.connect(Path(self.directory.name) / "scratch.db", isolation_level=None)
        # A page cache of 8 MB: 32 MB filled up to 300,000 persons (the import's memory grew with its file), for the
        # same CPU at 300,000 persons (the walk's sorts and indexes spill to temporary files either way).
        for pragma in ("journal_mode = OFF", "synchronous = OFF", f"cache_size = -{CACHE_KIB}", "temp_store = FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript("""
            CREATE TABLE refs (ref TEXT NOT NULL, line INTEGER NOT NULL);
            CREATE TABLE ident (idx INTEGER PRIMARY KEY, line INTEGER, ref TEXT, last_name TEXT, first_name TEXT,
                                sex TEXT, birth_on TEXT, nationality TEXT, skeleton TEXT);
            CREATE TABLE blk (bkey TEXT NOT NULL, seq INTEGER NOT NULL);
        """)
        self.refs: list[tuple[str, int]] = []
        self.idents: list[tuple] = []
        self.blocks: list[tuple[str, int]] = []
        self.identities = 0

    def close(self) -> None:
        """Remove the temporary database."""
        self.db.close()
        self.directory.cleanup()

    # Filled by the scan -----------------------------------------------------------------------
    def add_ref(self, ref: str, line: int) -> None:
        """A person line's ref (lines come in increasing order)."""
        self.refs.append((ref, line))
        if len(self.refs) >= FLUSH:
            self._flush()

    def add_identity(self, ident: Identity) -> None:
        """The identity of a valid person line, with the blocking keys of the duplicate search."""
        idx = self.identities
        self.identities += 1
        keys = search_keys(ident.last_name, ident.first_name, None, ident.birth_on)
        self.idents.append((idx, ident.line, ident.ref, ident.last_name, ident.first_name, ident.sex,
                            ident.birth_on.isoformat(), ident.nationality,
                            name_skeleton(ident.last_name, ident.first_name)))
        self.blocks += [(SEP.join(block), idx * BLOCKS_PER_PERSON + position)
                        for position, block in enumerate(_blocks(ident.nationality, keys))]
        if len(self.idents) >= FLUSH:
            self._flush()

    def _flush(self) -> None:
        execute = self.db.executemany
        self.db.execute("BEGIN")  # one transaction per batch (in autocommit, each row would be one)
        if self.refs:
            execute("INSERT INTO refs VALUES (?, ?)", self.refs)
            self.refs = []
        if self.idents:
            execute("INSERT INTO ident VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", self.idents)
            self.idents = []
        if self.blocks:
            execute("INSERT INTO blk VALUES (?, ?)", self.blocks)
            self.blocks = []
        self.db.execute("COMMIT")

    # Asked by the checks ----------------------------------------------------------------------
    def person_refs(self) -> int:
        """How many different person refs the file declares."""
        self._flush()
        return self.db.execute("SELECT count(DISTINCT ref) FROM refs").fetchone()[0]

    def duplicate_refs(self) -> Iterator[tuple[int, str, int]]:
        """(line, ref, first line) of each person line whose ref an earlier line declared."""
        self._flush()
        yield from self.db.execute("""
            SELECT r.line, r.ref, d.first FROM refs r
            JOIN (SELECT ref, min(line) AS first FROM refs GROUP BY ref HAVING count(*) > 1) d ON d.ref = r.ref
            WHERE r.line > d.first ORDER BY r.line""")

    def existing_refs(self) -> Iterator[tuple[str, int]]:
        """(ref, first line) of the person refs of the file already in the database."""
        from agir.interchange.bulk import rows_where_in
        self._flush()
        if db.session.scalar(select(Person.id).limit(1)) is None:
            return
        rows = self.db.execute("SELECT ref, min(line) FROM refs GROUP BY ref")
        while chunk := dict(rows.fetchmany(CHUNK)):
            for (ref,) in rows_where_in(db.session, (Person.ref,), Person.ref, list(chunk)):
                yield ref, chunk[ref]

    def warnings(self) -> list[tuple[int, str]]:
        """(line, message) for each line that is probably a file of the database or an earlier line."""
        self._flush()
        self.db.executescript("""
            BEGIN;
            CREATE TABLE firsts AS SELECT bkey, min(seq) AS first, count(*) AS n FROM blk GROUP BY bkey;
            CREATE INDEX ix_firsts ON firsts (bkey);
            CREATE TABLE counts AS SELECT nationality, skeleton, count(*) AS n FROM ident
                GROUP BY nationality, skeleton;
            CREATE TABLE db_counts (nationality TEXT, skeleton TEXT, n INTEGER);
            CREATE TABLE db_blocks (bkey TEXT PRIMARY KEY);
            COMMIT;
        """)
        database = self._database()
        self.db.executescript("""
            CREATE INDEX ix_counts ON counts (nationality, skeleton);
            CREATE INDEX ix_db_counts ON db_counts (nationality, skeleton);
            CREATE INDEX ix_blk ON blk (bkey, seq);
        """)
        totals = lru_cache(maxsize=WALK_CACHE)(self._total)

        def others(person: dict) -> int:
            return max(0, totals(person["nationality"], name_skeleton(person["last_name"], person["first_name"])) - 2)

        best: dict[int, tuple[float, str, int]] = {}  # idx → (value, message, line)
        first_of = lru_cache(maxsize=WALK_CACHE)(self._first)

        def blocks_of(person: dict) -> set[tuple]:
            keys = search_keys(person["last_name"], person["first_name"], None, person["birth_on"])
            return set(_blocks(person["nationality"], keys))

        def first_shared(a: dict, b: dict, close: bool) -> tuple:
            """The block, among those a and b share, where the walk scores them (instead of a set of every pair
            scored, which grows with the file): the first in the walk's order that lets them through."""
            shared = [block for block in blocks_of(a) & blocks_of(b) if close or block[1] == "d"]
            return min(shared, key=lambda block: first_of(SEP.join(block)))

        def consider(j: int, line: int, value: float, message: str) -> None:
            if value >= THRESHOLD and value > best.get(j, (0.0, "", 0))[0]:
                best[j] = (value, message, line)

        rows = self.db.execute("""
            SELECT f.first, f.bkey, b.seq / 4, i.line, i.ref, i.last_name, i.first_name, i.sex, i.birth_on,
                   i.nationality
            FROM firsts f JOIN blk b ON b.bkey = f.bkey JOIN ident i ON i.idx = b.seq / 4
            WHERE f.n > 1 OR f.bkey IN (SELECT bkey FROM db_blocks)
            ORDER BY f.first, b.seq""")
        for (_, bkey), group in groupby(rows, key=lambda row: row[:2]):
            block = tuple(bkey.split(SEP))
            members = [(row[2], row[3], row[4], {"last_name": row[5], "first_name": row[6], "sex": row[7],
                                                 "birth_on": date.fromisoformat(row[8]), "nationality": row[9]})
                       for row in group]
            same_year = block[1] in ("n", "p")  # the "d" blocks share the day, not the year
            # A file whose last and first names share their key is twice in its block: once here.
            unique: dict[int, tuple] = {}
            for member in members:
                unique.setdefault(member[0], member)
            ordered = list(unique.values())
            for pos, (_, line_j, _, b) in enumerate(ordered):
                j = ordered[pos][0]
                for _, line_i, ref_i, a in ordered[:pos]:
                    close = _close(a["birth_on"], b["birth_on"])
                    if same_year and not close or date_score(a["birth_on"], b["birth_on"]) == 0.0:
                        continue
                    if first_shared(a, b, close) != block:
                        continue  # scored in another block they share, earlier in the walk
                    value = score(a, b, max(others(a), others(b)))
                    consider(j, line_j, value, f"probablement la même personne que la ligne {line_i} "
                                               f"({ref_i}, score {value:.2f})")
                for person in database.get(block, ()):
                    if date_score(b["birth_on"], person["birth_on"]) == 0.0:
                        continue
                    value = score(b, person, max(others(b), others(person)))
                    consider(j, line_j, value, f"probablement la même personne que le dossier {person['ref']} déjà "
                                               f"dans la base (score {value:.2f})")
        return [(line, message) for _, (_, message, line) in sorted(best.items())]

    def _first(self, bkey: str) -> int:
        """The walk's position of a block (the first blocking key of the file that names it)."""
        return self.db.execute("SELECT first FROM firsts WHERE bkey = ?", (bkey,)).fetchone()[0]

    def _total(self, nationality: str, skeleton: str) -> int:
        """Files of the import and of the database (counted more than twice there) with these names."""
        found = self.db.execute(
            "SELECT (SELECT coalesce(sum(n), 0) FROM counts WHERE nationality = ? AND skeleton = ?)"
            " + (SELECT coalesce(sum(n), 0) FROM db_counts WHERE nationality = ? AND skeleton = ?)",
            (nationality, skeleton, nationality, skeleton)).fetchone()
        return found[0]

    def _database(self) -> dict[tuple, list[dict]]:
        """Files of the database sharing a block with a line (agir.duplicates._database_candidates, by chunks
        of blocks), and the database's counts of the file's names (name_counts, by chunks of skeletons)."""
        if db.session.scalar(select(Person.id).limit(1)) is None:
            return {}
        database: dict[tuple, list[dict]] = {}
        rows = self.db.execute("SELECT bkey FROM firsts")
        while chunk := rows.fetchmany(CHUNK):  # a block is in one chunk: all its files are found with it
            database.update(_database_candidates({tuple(bkey.split(SEP)): None for (bkey,) in chunk}))
        if database:
            counts = []
            skeletons = self.db.execute("SELECT DISTINCT skeleton FROM ident")
            while chunk := skeletons.fetchmany(CHUNK):
                found = name_counts(skeletons={s for (s,) in chunk})
                counts += [(nat, skel, n) for (nat, skel), n in found.items()]
            self.db.execute("BEGIN")
            self.db.executemany("INSERT INTO db_counts VALUES (?, ?, ?)", counts)
            self.db.executemany("INSERT OR IGNORE INTO db_blocks VALUES (?)", [(SEP.join(b),) for b in database])
            self.db.execute("COMMIT")
        return database
