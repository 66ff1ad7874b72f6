"""CLI command `agir retention`: anonymise the files past their retention, purge the old audit entries."""
import sys

import click
from flask import current_app

from agir.cli import agir_cli
from agir.dates import parse_iso


@agir_cli.command("retention")
@click.option("--as-of", "as_of", default=None, help="Date de référence (AAAA-MM-JJ), aujourd'hui par défaut.")
@click.option("--dry-run", is_flag=True, help="Affiche ce qui serait fait, sans rien modifier.")
def retention_command(as_of: str | None, dry_run: bool) -> None:
    """Anonymise les dossiers sans activité depuis RETENTION_YEARS ans après la fin de l'accompagnement
    et purge le journal d'audit de plus de AUDIT_RETENTION_DAYS jours."""
    from agir import jobs
    if as_of is None:
        day = jobs.paris_today()
    else:
        try:
            day = parse_iso(as_of)
        except ValueError:
            click.echo(f"--as-of : date invalide « {as_of} » (attendu AAAA-MM-JJ).", err=True)
            sys.exit(1)
    result = jobs.run_retention_job(day, dry_run=dry_run)
    if result is None:
        click.echo("La tâche de conservation est déjà en cours dans un autre processus : rien fait.", err=True)
        sys.exit(1)
    config = current_app.config
    verb = "seraient" if dry_run else "ont été"
    click.echo(f"Au {day:%d/%m/%Y} (conservation {config['RETENTION_YEARS']} an(s), "
               f"journal {config['AUDIT_RETENTION_DAYS']} jours) :")
    click.echo(f"- {result['anonymised']} dossier(s) {verb} anonymisé(s) ;")
    click.echo(f"- {result['audit_purged']} entrée(s) du journal d'audit {verb} supprimée(s) ;")
    click.echo(f"- {result['orphans_deleted']} fichier(s) de document sans document depuis plus d'un jour "
               f"{'seraient supprimé(s)' if dry_run else 'ont été supprimé(s)'}.")
    if dry_run:
        click.echo("Essai : rien n'a été modifié.")
