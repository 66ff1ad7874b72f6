"""Helpers of the interchange tests: run the real commands, count rows, canonical JSON."""
import json

from sqlalchemy import func, select, text

from agir.extensions import db
from tests.interchange import sample


def import_file(runner, tmp_path, items, *options, name="import.jsonl"):
    """Write records (dicts) or raw lines (str) to a file and run `agir import` on it."""
    lines = [item if isinstance(item, str) else json.dumps(item, ensure_ascii=False) for item in items]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return runner.invoke(args=["agir", "import", str(path), *options])


def export(runner, *options) -> list[dict]:
    """Run `agir export` and decode its lines."""
    result = runner.invoke(args=["agir", "export", *options])
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def row_counts(app) -> dict[str, int]:
    """Rows of every table (to prove that a refused import wrote nothing)."""
    with app.app_context():
        counts = {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}
        db.session.remove()
    return counts


def empty_database(app) -> None:
    """Delete every row (as the conftest does between tests)."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(text(f'DELETE FROM "{table.name}"'))


def canonical(records) -> set[str]:
    """Records as a set of canonical JSON strings (order of lines and keys aside)."""
    return {json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records}


def seeded(runner, tmp_path, app) -> dict[str, int]:
    """Import a valid base file (other refs) and return the row counts after it."""
    others = [sample.person(ref=f"B{n}", household=f"BH{n}") for n in range(2)]
    result = import_file(runner, tmp_path, sample.records(*others), name="base.jsonl")
    assert result.exit_code == 0, result.stderr
    return row_counts(app)
