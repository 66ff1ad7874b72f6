"""CLI commands: import and export of the JSON-Lines interchange file (see INTERCHANGE.md)."""
import shutil
import sys
import tempfile
from itertools import islice
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from agir.audit import record
from agir.cli import agir_cli
from agir.extensions import db
from agir.interchange.exporter import UnknownDepartment, iter_export_lines
from agir.interchange.importer import ChangedFile, import_lines
from agir.interchange.source import file_lines

# From this many lines, progress is shown even when stderr is not a terminal (writing phase only).
BIG_FILE_LINES = 2000
TYPE_LABELS = {"department": "département(s)", "structure": "structure(s)", "programme": "programme(s)",
               "person": "personne(s)", "household": "ménage(s) créé(s)"}
WRITING = "Écriture"


class StderrProgress:
    """Progress on stderr, never stdout: a "\\r… %" line on a terminal, a line every 10 % otherwise.

    Off a terminal only the writing phase is shown: it starts once the file is known valid, so the
    stderr of a refused import holds nothing but its `line N: …` errors.
    """

    def __init__(self, tty: bool):
        self.tty = tty
        self.scan_total = tty  # the importer counts the lines first only when the scan's progress is shown
        self.last = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.tty and phase != WRITING:
            return
        percent = 100 if not total else done * 100 // total
        step = percent if self.tty else percent // 10 * 10
        if (phase, step) == self.last:
            return
        self.last = (phase, step)
        end = "\n" if not self.tty or percent == 100 else ""
        click.echo(f"\r{phase} : {percent:3d} % ({done}/{total})" + end, err=True, nl=False)


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(message, err=True)
    raise SystemExit(1)


@agir_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Valide le fichier sans rien écrire.")
def import_command(file, dry_run: bool) -> None:
    """Importe un fichier JSON Lines (FILE, ou - pour l'entrée standard) : tout ou rien."""
    with tempfile.TemporaryDirectory(prefix="agir-import-") as spool:
        _import(_readable_again(file, Path(spool)), dry_run)


def _readable_again(file, spool: Path) -> Path:
    """The path of the file, read again by each pass of the import (never held in memory); the standard
    input (or a pipe) is first copied to a temporary file."""
    name = getattr(file, "name", None)
    if isinstance(name, str) and name != "-" and Path(name).is_file():
        file.close()
        return Path(name)
    path = spool / "stdin.jsonl"
    with open(path, "wb") as out:
        shutil.copyfileobj(file, out, 1 << 20)
    return path


def _import(path: Path, dry_run: bool) -> None:
    tty = sys.stderr.isatty()
    big = sum(1 for _ in islice(file_lines(path), BIG_FILE_LINES)) >= BIG_FILE_LINES
    progress = StderrProgress(tty) if tty or big else None
    try:
        result = import_lines(path, dry_run=dry_run, progress=progress)
    except SQLAlchemyError as exc:  # e.g. the same ref written meanwhile by someone else
        _fail(f"Erreur de la base de données, rien n'a été écrit : {exc.__class__.__name__}")
    except ChangedFile:
        _fail("Le fichier a changé pendant l'import, rien n'a été écrit.")
    if result.errors:
        # Nothing but the errors on stderr: one `line N: field.path: message` each.
        _fail("\n".join(result.errors) + (f"\n{len(result.errors)} erreur(s) : rien n'a été écrit." if tty else ""))
    if result.warnings:  # probable duplicates (SPEC §4.8): said, never refused
        click.echo("\n".join(result.warnings), err=True)
    summary = ", ".join(f"{n} {TYPE_LABELS[k]}" for k, n in result.counts.items() if k in TYPE_LABELS)
    if dry_run:
        db.session.rollback()
        click.echo(f"Fichier valide (rien n'a été écrit) : {summary}.", err=True)
        return
    record(None, "import", detail=f"agir import : {summary}"[:300])
    try:
        db.session.commit()
    except SQLAlchemyError as exc:
        _fail(f"Erreur de la base de données, rien n'a été écrit : {exc.__class__.__name__}")
    click.echo(f"Import terminé : {summary}.", err=True)


@agir_cli.command("export")
@click.option("--department", "department_code", metavar="CODE", help="Code INSEE du département (ex. 33).")
def export_command(department_code: str | None) -> None:
    """Écrit sur la sortie standard tous les enregistrements, en JSON Lines."""
    # UTF-8 bytes whatever the locale of the terminal (names are French, Arabic, Cyrillic …).
    out = getattr(sys.stdout, "buffer", None)
    count = 0
    try:
        for line in iter_export_lines(department_code):
            if out is not None:
                out.write(line.encode("utf-8") + b"\n")
            else:
                sys.stdout.write(line + "\n")
            count += 1
    except UnknownDepartment:
        click.echo(f"Département inconnu : {department_code}", err=True)
        raise SystemExit(1) from None
    (out or sys.stdout).flush()
    db.session.rollback()
    record(None, "export", detail=f"agir export : {count} enregistrement(s)"
           + (f", département {department_code}" if department_code else ""))
    db.session.commit()
