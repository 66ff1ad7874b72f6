"""Races: a row lock on the person before a rule that reads the file and then writes to it, and the
database's own unique indexes turned back into the rule's French message.

Two submissions of the same form a few milliseconds apart (a double click, two tabs, two colleagues)
both read the file before either writes. The database guarantees what matters most — one open
accompaniment per person, one open referral per person and programme (partial unique indexes,
migration 0005) — and the operations that read before they write take `lock_person` first, so that
the second submission waits for the first, then reads what it wrote and gets the rule's message.
"""
from sqlalchemy import Index, select, text
from sqlalchemy.exc import IntegrityError

from agir.extensions import db
from models import Accompaniment, Person


def lock_person(person: Person) -> None:
    """Hold the person's row until the end of the transaction, then read their accompaniments again.

    PostgreSQL: SELECT … FOR NO KEY UPDATE (a second locker waits; inserting rows that merely refer
    to the person, such as audit entries, does not). SQLite: a write on the person's row takes the
    database's write lock now, before anything is checked, so that the second transaction starts
    after the first has committed and sees its rows.
    """
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Person.id).where(Person.id == person.id).with_for_update(key_share=True))
    else:
        session.execute(text("UPDATE persons SET ref = ref WHERE id = :id"), {"id": person.id})
    # What the view read before the lock may predate the last writer's commit.
    fresh = session.scalars(select(Accompaniment).where(Accompaniment.person_id == person.id)
                            .execution_options(populate_existing=True)).all()
    for accompaniment in fresh:
        session.expire(accompaniment, ["exit", "extensions"])
    session.expire(person, ["accompaniments"])


def violates(exc: IntegrityError, index: Index) -> bool:
    """True when the IntegrityError was raised by this unique index (PostgreSQL names it; SQLite names its columns)."""
    orig = getattr(exc, "orig", None)
    diag = getattr(orig, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name == index.name
    columns = ", ".join(f"{index.table.name}.{column.name}" for column in index.columns)
    return str(orig) == f"UNIQUE constraint failed: {columns}"


def index_named(model, name: str) -> Index:
    """The index of a model's table by its name (the partial unique indexes of migration 0005)."""
    return next(index for index in model.__table__.indexes if index.name == name)
