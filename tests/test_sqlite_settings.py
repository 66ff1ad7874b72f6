"""The SQLite connections of the application read the database file through a memory map."""
from sqlalchemy import create_engine, text

from agir.extensions import SQLITE_MMAP_BYTES


def test_sqlite_connections_map_the_database_file(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'agir.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA mmap_size")).scalar() == SQLITE_MMAP_BYTES
    engine.dispose()
