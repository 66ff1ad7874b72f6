"""Flask extensions, created unbound and wired in create_app."""
import sqlite3

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from models.base import db

login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
babel = Babel()

# SQLite reads its file through a memory map of up to this size instead of a read() per page missing from its
# 2 MiB page cache: at 100,000 persons (a 250 MB file) the random reads of persons by id made the national
# indicators grow faster than the data (docs/performance.md). The map is shared by every process (the OS's page
# cache); it costs address space, not memory.
SQLITE_MMAP_BYTES = 1 << 30


@event.listens_for(Engine, "connect")
def _sqlite_connection_settings(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")


__all__ = ["db", "login_manager", "csrf", "migrate", "babel"]
