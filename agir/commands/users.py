"""CLI commands: users (see INTERCHANGE.md)."""
from agir.cli import agir_cli  # noqa: F401
