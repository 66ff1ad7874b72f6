"""A contract type for import-linter: which modules may use Flask's request state.

`from flask import request` imports the package `flask`, not a module `flask.request`, so import-linter's own
contracts cannot see it. This one reads the source of every module of the graph's root package and reports each
use of the named attributes (`from flask import request, session, g`, `from flask_login import current_user`,
`flask.request`…) outside the allowed packages. Declared in .importlinter under [importlinter:contract:…].
"""
from __future__ import annotations

import ast
import importlib.util

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


class NamesContract(Contract):
    """Only `allowed_modules` (and their submodules) of `source_package` may use `forbidden_names`."""

    source_package = fields.StringField()
    allowed_modules = fields.ListField(subfield=fields.StringField())
    forbidden_names = fields.ListField(subfield=fields.StringField())  # "flask.request", "flask_login.current_user"

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:  # noqa: ARG002 - import-linter's signature
        forbidden = {tuple(name.rsplit(".", 1)) for name in self.forbidden_names}
        allowed = tuple(self.allowed_modules)
        found = []
        for module in sorted(graph.find_descendants(self.source_package) | {self.source_package}):
            if module == allowed or any(module == a or module.startswith(a + ".") for a in allowed):
                continue
            spec = importlib.util.find_spec(module)
            if spec is None or not spec.origin or not spec.origin.endswith(".py"):
                continue
            with open(spec.origin, encoding="utf-8") as source:
                tree = ast.parse(source.read(), spec.origin)
            found += [f"{module}:{line} uses {name}" for line, name in _uses(tree, forbidden)]
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["found"]:
            output.print_error(f"- {line}", bold=False)
        output.new_line()


def _uses(tree: ast.AST, forbidden: set[tuple[str, str]]):
    """(line, "package.name") for each import or attribute access of a forbidden name."""
    aliases = {}  # local name of a package -> package ("import flask as f")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if (node.module, alias.name) in forbidden:
                    yield node.lineno, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            package = aliases.get(node.value.id)
            if package and (package, node.attr) in forbidden:
                yield node.lineno, f"{package}.{node.attr}"
