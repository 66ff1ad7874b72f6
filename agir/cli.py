"""The `flask --app wsgi agir …` command group; each command lives in agir/commands/."""
from flask.cli import AppGroup

agir_cli = AppGroup("agir", help="Commandes AGIR : import, export, indicateurs, comptes, démo, tâches.")

# Importing the command modules registers their commands on the group.
from agir.commands import (  # noqa: E402,F401
    alerts,
    demo,
    documents,
    documents_verify,
    duplicates,
    indicators,
    interchange,
    retention,
    services,
    users,
)
