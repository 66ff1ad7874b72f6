"""Bulk inserts for the importer: ids reserved up front, then COPY (PostgreSQL) or executemany (SQLite).

Rows are dicts by column name. Column defaults of the models (version_id, created_at …) are applied
here, and values are converted as SQLAlchemy would store them, since these paths bypass its type
processing to go fast (20,000 persons with their whole path in seconds). Everything runs on the
session's connection, inside the caller's transaction.
"""
import json
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache

from sqlalchemy import JSON, Boolean, Date, DateTime, Table, any_, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY

IMPORT_CACHE_KIB = 200_000
CHUNK = 500  # values per IN (…) on SQLite


def rows_where_in(session, columns: tuple, key, values: Iterable) -> Iterator:
    """Rows of `columns` whose `key` column is one of `values` (refs, pseudonyms), in any order.

    On PostgreSQL the values go as one array parameter (`key = ANY(%s)`): an IN list of a
    thousand placeholders was parsed again by psycopg and by the server for each query (too
    long for psycopg's cache of parsed statements). SQLite gets IN lists of CHUNK values.

    The statement is built once per (columns, key, database) and the values go as its parameter:
    a statement built at each call left a dozen objects in reference cycles, holding the values,
    and the importer runs with the cyclic collector paused (a thousand such calls at 1,000,000
    persons: memory growing with the file).
    """
    values = list(values)
    if not values:
        return
    postgresql = session.get_bind().dialect.name == "postgresql"
    statement = _where_in(tuple(columns), key, postgresql)
    if postgresql:
        yield from session.execute(statement, {"values": values})
        return
    for start in range(0, len(values), CHUNK):
        yield from session.execute(statement, {"values": values[start:start + CHUNK]})


@lru_cache(maxsize=64)
def _where_in(columns: tuple, key, postgresql: bool):
    """SELECT columns WHERE key is one of :values — an array parameter on PostgreSQL, an expanding IN on SQLite."""
    if postgresql:
        return select(*columns).where(key == any_(bindparam("values", type_=ARRAY(key.type))))
    return select(*columns).where(key.in_(bindparam("values", expanding=True)))


class BulkLoader:
    """Writes lists of rows into tables of the session's database."""

    def __init__(self, session):
        self.conn = session.connection()
        self.postgresql = self.conn.dialect.name == "postgresql"
        self._next_id: dict[str, int] = {}
        self._makers: dict[tuple, object] = {}  # (table, keys of its rows) → compiled row maker
        self._cache_size = None
        if not self.postgresql:
            # Take SQLite's write lock now, so that no other writer moves max(id) under our reserved ids.
            self.conn.exec_driver_sql('DELETE FROM "households" WHERE 0')
            # A large page cache while the transaction grows spares spilling to disk (twice as fast).
            self._cache_size = self.conn.exec_driver_sql("PRAGMA cache_size").scalar()
            self.conn.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")

    def close(self) -> None:
        """Give SQLite its usual page cache back."""
        if self._cache_size is not None:
            self.conn.exec_driver_sql(f"PRAGMA cache_size = {int(self._cache_size)}")

    def reserve_ids(self, table: Table, count: int) -> list[int]:
        """`count` new primary keys for the table (from its sequence on PostgreSQL)."""
        if count == 0:
            return []
        if self.postgresql:
            query = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)")
            return list(self.conn.execute(query, {"table": table.name, "count": count}).scalars())
        start = self._next_id.get(table.name)
        if start is None:
            start = (self.conn.exec_driver_sql(f'SELECT max(id) FROM "{table.name}"').scalar() or 0) + 1
        self._next_id[table.name] = start + count
        return list(range(start, start + count))

    def insert(self, table: Table, rows: list[dict]) -> None:
        """Insert the rows (all with the same keys); missing columns get the model's default, else NULL."""
        if not rows:
            return
        columns = [c for c in table.columns if c.name in rows[0] or c.default is not None]
        values = list(map(self._row_maker(table, columns, rows[0]), rows))
        names = ", ".join(f'"{c.name}"' for c in columns)
        if self.postgresql:
            self._copy(table, names, values)
        else:
            marks = ", ".join("?" for _ in columns)
            self.conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', values)

    def _copy(self, table: Table, names: str, values: list[tuple]) -> None:
        cursor = self.conn.connection.dbapi_connection.cursor()
        try:
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for record in values:
                    copy.write_row(record)
        finally:
            cursor.close()

    def _row_maker(self, table: Table, columns: list, first: dict):
        """row → the tuple of its values in `columns` order, compiled once per table and set of keys.

        The function is generated, e.g. `lambda row: (row['person_id'], _2(row['fields']) if
        row['fields'] is not None else None, _3(None), _4)`: one call per row builds the whole tuple
        (350,000 rows at 20,000 persons), where a getter per column cost a call per value. A value
        is the row's, converted as SQLAlchemy would store it (_converter), or the column's default
        when the rows leave the column out: a callable default is called per row (pseudonyms and
        timestamps must be the row's own), a constant is used as is.
        """
        key = (table.name, tuple(first))
        maker = self._makers.get(key)
        if maker is not None:
            return maker
        names: dict = {}  # the converters and defaults the generated code refers to
        parts = []
        for index, column in enumerate(columns):
            if column.name not in first:
                names[f"_{index}"] = column.default.arg
                parts.append(f"_{index}(None)" if column.default.is_callable else f"_{index}")
                continue
            value = f"row[{column.name!r}]"  # names of the models' columns: plain identifiers
            convert = self._converter(column)
            if convert is None:
                parts.append(value)
            else:
                names[f"_{index}"] = convert
                parts.append(f"(_{index}({value}) if {value} is not None else None)")
        maker = self._makers[key] = eval(f"lambda row: ({', '.join(parts)},)", names)
        return maker

    def _converter(self, column):
        """How a Python value is written, as SQLAlchemy's types would store it (None: as is)."""
        kind = column.type
        if isinstance(kind, JSON):
            return json.dumps
        if self.postgresql:
            return None
        if isinstance(kind, DateTime):
            return lambda v: v.strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(kind, Date):
            return date.isoformat
        if isinstance(kind, Boolean):
            return int
        return None
