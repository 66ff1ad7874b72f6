"""mypy's gate: the errors per file may only shrink.

    .venv/bin/python tools/mypy_baseline.py           # mypy (pyproject.toml's [tool.mypy]), compare, exit 1 on growth
    .venv/bin/python tools/mypy_baseline.py --update  # after fixing errors: write the smaller counts (never larger)

The committed baseline, tools/mypy-baseline.json, maps each file to its number of mypy errors. The gate fails when a
file has more errors than its baseline (a file absent from it counts 0), and when a package of STRICT has any error at
all. `--update` refuses to raise a count: a new error is fixed, not added to the baseline.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "tools" / "mypy-baseline.json"
# No error at all, ever (issue 14): the models, the rules and the indicators.
STRICT = ("models/", "agir/rules/", "agir/indicators/")
ERROR = re.compile(r"^(?P<path>[^:\s]+\.py):\d+(?::\d+)?: error: ")


def run_mypy() -> tuple[Counter, str]:
    """mypy over the configured files; the count of errors per file, and mypy's own output."""
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):  # 2: mypy itself failed (bad configuration, crash)
        sys.exit(f"mypy a échoué (code {done.returncode}) :\n{done.stdout}{done.stderr}")
    counts = Counter(m["path"] for m in map(ERROR.match, done.stdout.splitlines()) if m)
    return counts, done.stdout


def compare(counts: Counter, baseline: dict[str, int]) -> list[str]:
    """Every way `counts` is worse than the baseline or breaks STRICT, one sentence each."""
    problems = [f"{path}: {n} erreur(s) mypy, au plus {baseline.get(path, 0)} permise(s) par {BASELINE.name}"
                for path, n in sorted(counts.items()) if n > baseline.get(path, 0)]
    problems += [f"{path}: {n} erreur(s) mypy dans un paquet qui n'en admet aucune ({', '.join(STRICT)})"
                 for path, n in sorted(counts.items()) if path.startswith(STRICT) and n]
    return sorted(set(problems))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="write the smaller counts into the baseline")
    args = parser.parse_args(argv)
    baseline: dict[str, int] = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    counts, output = run_mypy()
    problems = compare(counts, baseline)
    if args.update:
        grown = [p for p in problems if "au plus" in p]
        if grown and BASELINE.exists():
            print(output, end="")
            print("\n".join(grown), file=sys.stderr)
            print("Refusé : la base ne peut que diminuer ; corrigez ces erreurs.", file=sys.stderr)
            return 1
        BASELINE.write_text(json.dumps(dict(sorted(counts.items())), indent=1) + "\n")
        print(f"{BASELINE.relative_to(ROOT)} : {sum(counts.values())} erreur(s) dans {len(counts)} fichier(s).")
        return 0
    if problems:
        print(output, end="")
        print("\n".join(problems), file=sys.stderr)
        return 1
    shrunk = sum(baseline.values()) - sum(counts.values())
    print(f"mypy : {sum(counts.values())} erreur(s) connue(s) dans {len(counts)} fichier(s), aucune nouvelle"
          + (f" ({shrunk} de moins que la base : lancez --update et validez)" if shrunk > 0 else "") + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main())
