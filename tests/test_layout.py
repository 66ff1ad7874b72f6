"""The shape of the code and of its documents (issue 14, items 1 and 2): folders that name the domain,
Flask's request state only in agir/web, rules only in agir/rules, no dead code, and a repository where
every « SPEC § » of the code, every command and every field of the contract has its text."""
import ast
import re
import tomllib
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
AGIR = ROOT / "agir"


def _modules(folder: Path):
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path):
    """(module, name) for every `from module import name` and (module, None) for `import module`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                yield node.module, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None


def test_agir_folders_name_the_domain():
    moved = ["generator.py", "generator_path.py", "generator_reference.py", "generator_data.py",
             "generator_entry.py", "demo.py", "queries.py", "referral_queries.py", "audit.py", "audit_trail.py",
             "security.py", "templating.py"]
    assert [name for name in moved if (AGIR / name).exists()] == []
    for package, modules in {"demo": ["demo.py", "generator.py", "generator_path.py", "generator_reference.py",
                                      "generator_data.py", "generator_entry.py"],
                             "queries": ["persons.py", "referrals.py", "inbox.py"],
                             "audit": ["__init__.py", "trail.py"],
                             "web": ["security.py", "templating.py", "locale.py"]}.items():
        assert (AGIR / package / "__init__.py").exists(), package
        assert [m for m in modules if not (AGIR / package / m).exists()] == [], package


def test_only_agir_web_touches_the_request_state():
    request_state = {("flask", "request"), ("flask", "session"), ("flask", "g"),
                     ("flask_login", "current_user"), ("flask_login", "login_user"), ("flask_login", "logout_user")}
    found = [f"{path.relative_to(ROOT)}: {module}.{name}"
             for path in _modules(AGIR) if "web" not in path.relative_to(AGIR).parts[:1]
             for module, name in _imports(path) if (module, name) in request_state]
    assert found == []


def test_the_alert_inbox_is_a_query_and_the_alerts_module_computes_only():
    from agir import alerts
    from agir.queries import inbox
    for name in ("open_alert_person_ids", "kinds_for", "inbox_condition", "inbox_query", "inbox_counts",
                 "badge_count", "department_counts", "subjects_of", "referrals_of"):
        assert callable(getattr(inbox, name)) and not hasattr(alerts, name), name


def test_rules_are_never_imported_from_operations():
    """Queries, indicators, the interchange, the alerts and the rules themselves take rules from agir/rules
    (the jobs and the commands may call operations: they own a transaction, like a view)."""
    readers = [p for p in _modules(AGIR) if str(p.relative_to(AGIR)).startswith(
               ("rules/", "queries", "indicators/", "interchange/", "alerts.py", "access.py"))]
    found = [f"{path.relative_to(ROOT)}: {module}" for path in readers
             for module, _ in _imports(path) if module.startswith("agir.operations")]
    assert readers and found == []


def _used_outside(name: str, module: Path) -> bool:
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    for folder, suffix in ((AGIR, ".py"), (ROOT / "blueprints", ".py"), (ROOT / "templates", ".html")):
        for path in folder.rglob(f"*{suffix}"):
            if path != module and pattern.search(path.read_text(encoding="utf-8")):
                return True
    return len(pattern.findall(module.read_text(encoding="utf-8"))) > 1  # used in its own module


def test_no_dead_function_in_jobs_access_and_queries():
    """Every public function of these modules is called by the application (tests do not count)."""
    modules = [AGIR / "jobs.py", AGIR / "access.py", *_modules(AGIR / "queries")]
    dead = [f"{path.relative_to(ROOT)}: {node.name}" for path in modules
            for node in ast.parse(path.read_text(encoding="utf-8")).body
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
            and not _used_outside(node.name, path)]
    assert dead == []
    assert "importlib" not in (AGIR / "queries" / "persons.py").read_text(encoding="utf-8")


def _sections(markdown: str) -> set[str]:
    return set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", markdown, flags=re.M))


def test_every_spec_section_cited_by_the_code_is_in_the_repository():
    cited = set()
    for folder in ("agir", "blueprints", "models", "templates", "migrations"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".html") and "__pycache__" not in path.parts:
                cited |= set(re.findall(r"SPEC(?:\.md)? ?§ ?(\d+(?:\.\d+)?)", path.read_text(encoding="utf-8")))
    ours = (ROOT / "docs" / "specification.md").read_text(encoding="utf-8")
    verbatim = (ROOT / "docs" / "spec" / "SPEC.md").read_text(encoding="utf-8")
    assert {"1", "4.2", "4.4", "4.8", "5"} <= cited
    assert sorted(cited - _sections(ours)) == []
    assert sorted(cited - _sections(verbatim)) == []
    assert "docs/spec/SPEC.md" in ours.replace("(spec/SPEC.md)", "docs/spec/SPEC.md")


def test_the_interchange_document_names_every_command_field_and_message():
    from agir.cli import agir_cli
    from agir.interchange import schema

    doc = (ROOT / "docs" / "interchange.md").read_text(encoding="utf-8")
    commands = [name for name, command in agir_cli.commands.items() if isinstance(command, click.Command)]
    assert {"import", "export", "indicators", "cohort", "alerts", "duplicates", "create-user"} <= set(commands)
    assert [c for c in commands if f"`{c}" not in doc] == []
    options = [f"--{opt.lstrip('-')}" for name in commands for param in agir_cli.commands[name].params
               if isinstance(param, click.Option) for opt in param.opts]
    assert [o for o in options if o not in doc] == []

    def fields(record: dict):
        for name, spec in record.items():
            yield name
            if spec.schema is not None:
                yield from fields(spec.schema)

    assert [f for kind in schema.RECORD_TYPES for f in fields(schema.SCHEMAS[kind]) if f"`{f}`" not in doc] == []
    assert [m for m in schema.MESSAGES.values() if m not in doc] == []


def test_licence_contributing_and_changelog():
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "SPDX-License-Identifier: EUPL-1.2" in licence
    assert "https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12" in licence
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == {"text": "EUPL-1.2"}
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for heading in ("### add a rule", "### add a page", "### add a migration", "### add a translation",
                    "## Lint, types and tests"):
        assert heading in contributing
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Issue 13" in changelog and "## Issue 15" in changelog
