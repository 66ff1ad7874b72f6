"""Bulk inserts for the importer: ids reserved up front, then COPY (PostgreSQL) or executemany (SQLite).

Rows are dicts by column name. Column defaults of the models (version_id, created_at …) are applied
here, and values are converted as SQLAlchemy would store them, since these paths bypass its type
processing to go fast (20,000 persons with their whole path in seconds). Everything runs on the
session's connection, inside the caller's transaction.
"""
import json
from datetime import date
from operator import itemgetter

from sqlalchemy import JSON, Boolean, Date, DateTime, Table, text

IMPORT_CACHE_KIB = 200_000


class BulkLoader:
    """Writes lists of rows into tables of the session's database."""

    def __init__(self, session):
        self.conn = session.connection()
        self.postgresql = self.conn.dialect.name == "postgresql"
        self._next_id: dict[str, int] = {}
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
        getters = [self._getter(c, c.name not in rows[0]) for c in columns]
        values = [tuple([get(row) for get in getters]) for row in rows]
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

    def _getter(self, column, use_default: bool):
        """row → the value to write in the column: the row's, converted, or the model's default."""
        if use_default:
            default = column.default
            if default.is_callable:  # called per row: pseudonyms must differ
                return lambda row: default.arg(None)
            return lambda row: default.arg
        name, convert = column.name, self._converter(column)
        if convert is None:
            return itemgetter(name)
        return lambda row: None if row[name] is None else convert(row[name])

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
