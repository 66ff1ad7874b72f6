"""CLI command: `duplicates [--department CODE]`, the JSON list of probable duplicates (INTERCHANGE.md)."""
import json

import click

from agir.cli import agir_cli


@agir_cli.command("duplicates")
@click.option("--department", "department_code", metavar="CODE", help="Code INSEE du département (ex. 33).")
def duplicates_command(department_code: str | None) -> None:
    """Affiche en JSON les paires de dossiers qui sont probablement la même personne (SPEC §4.8)."""
    from agir.duplicates import find_duplicates
    from agir.extensions import db
    pairs = find_duplicates(department_code)
    db.session.rollback()
    items = [{"persons": [p.a["ref"], p.b["ref"]], "score": p.score} for p in pairs]
    click.echo(json.dumps(items, ensure_ascii=False, indent=1))
