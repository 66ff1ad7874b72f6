"""CLI commands `indicators` and `cohort` (INTERCHANGE.md): print the JSON, exit 1 on a bad argument."""
import json
import sys

import click

from agir.cli import agir_cli
from agir.indicators import ScopeError, build_cohort_scope, build_scope, compute_cohort, compute_indicators


class ContractCommand(click.Command):
    """Any bad argument exits with 1, as INTERCHANGE.md says (click would use 2 for usage errors)."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            error.exit_code = 1
            raise


def _fail(error: ScopeError):
    click.echo(f"Erreur : {error.message}", err=True)
    sys.exit(1)


def _print(data: dict) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@agir_cli.command("indicators", cls=ContractCommand)
@click.option("--from", "start", metavar="DATE", help="Début de la période (AAAA-MM-JJ, inclus).")
@click.option("--to", "end", metavar="DATE", help="Fin de la période (AAAA-MM-JJ, incluse).")
@click.option("--department", metavar="CODE", help="Code INSEE du département.")
@click.option("--structure", metavar="REF", help="Référence de la structure.")
@click.option("--as-of", "as_of", metavar="DATE", help="Date d'arrêté des retards (défaut : aujourd'hui).")
@click.option("--region", metavar="CODE", help="Code INSEE de la région (ses départements).")
def indicators_command(start, end, department, structure, as_of, region):
    """Afficher les indicateurs de l'annexe (JSON) pour une période."""
    try:
        scope = build_scope(start, end, department, structure, as_of, region=region)
    except ScopeError as error:
        _fail(error)
    _print(compute_indicators(scope))


@agir_cli.command("cohort", cls=ContractCommand)
@click.option("--entry-from", "entry_from", metavar="DATE", help="Début de la période d'entrée (AAAA-MM-JJ).")
@click.option("--entry-to", "entry_to", metavar="DATE", help="Fin de la période d'entrée (AAAA-MM-JJ).")
@click.option("--department", metavar="CODE", help="Code INSEE du département.")
@click.option("--region", metavar="CODE", help="Code INSEE de la région (ses départements).")
@click.option("--as-of", "as_of", metavar="DATE", help="Date d'observation des membres (défaut : aujourd'hui).")
def cohort_command(entry_from, entry_to, department, region, as_of):
    """Afficher la progression d'une cohorte d'entrées (JSON), mois par mois."""
    try:
        scope = build_cohort_scope(entry_from, entry_to, department, region, as_of)
    except ScopeError as error:
        _fail(error)
    _print(compute_cohort(scope))
