"""CLI commands: `alerts` (the JSON list of INTERCHANGE.md), `run-jobs` and `scheduler`."""
import json
import logging
import sys

import click
from flask import current_app

from agir.cli import agir_cli
from agir.dates import parse_iso


def _as_of(value: str | None):
    from agir.jobs import paris_today
    if value is None:
        return paris_today()
    try:
        return parse_iso(value)
    except ValueError:
        click.echo(f"--as-of: date invalide « {value} » (attendu AAAA-MM-JJ).", err=True)
        sys.exit(1)


@agir_cli.command("alerts")
@click.option("--as-of", "as_of", default=None, help="Date de calcul (AAAA-MM-JJ), aujourd'hui par défaut.")
def alerts_command(as_of):
    """Affiche en JSON les alertes qui valent à la date donnée (sans modifier la base)."""
    from agir.alerts import as_interchange, compute_alerts
    from agir.extensions import db
    day = _as_of(as_of)
    items = as_interchange(db.session, compute_alerts(db.session, day))
    db.session.rollback()
    click.echo(json.dumps(items, ensure_ascii=False, indent=1))


@agir_cli.command("run-jobs")
@click.option("--as-of", "as_of", default=None, help="Date de calcul (AAAA-MM-JJ), aujourd'hui par défaut.")
@click.option("--only", type=click.Choice(["all", "alerts", "digest"]), default="all", show_default=True,
              help="Tâche à lancer.")
def run_jobs_command(as_of, only):
    """Lance maintenant le calcul des alertes puis le récapitulatif par courriel."""
    from agir import jobs
    day = _as_of(as_of)
    result = {}
    if only in ("all", "alerts"):
        result["alerts"] = jobs.run_alerts(day)
    if only in ("all", "digest"):
        result["digest"] = jobs.send_digests(day, current_app.config)
    for name, counts in result.items():
        if counts is None:
            click.echo(f"{name} : déjà en cours dans un autre processus, rien fait.")
        else:
            click.echo(f"{name} : " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@agir_cli.command("scheduler")
def scheduler_command():
    """Démarre le planificateur (alertes à 02:00, récapitulatif à 07:00, heure de Paris)."""
    from agir.scheduler import run_forever
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    click.echo("Planificateur AGIR démarré (Ctrl-C pour arrêter).")
    run_forever(current_app._get_current_object())
