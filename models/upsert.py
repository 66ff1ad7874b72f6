"""INSERT … ON CONFLICT DO UPDATE that replaces a keyed row, on PostgreSQL and SQLite alike."""
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite


def replace_row(table: Table, values: dict, keys: list[str], dialect: str):
    """The statement writing `values` as the row of its `keys`, replacing every other column if it exists."""
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    stmt = insert(table).values(**values)
    return stmt.on_conflict_do_update(index_elements=keys,
                                      set_={name: stmt.excluded[name] for name in values if name not in keys})
