"""Command modules of the `agir` CLI group."""
