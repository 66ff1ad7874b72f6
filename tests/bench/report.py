"""The README's performance tables, in Markdown, from BENCH_DIR/results.json (one run of run.py).

    .venv/bin/python tests/bench/report.py > /tmp/agir-bench/table.md
"""
import sys

import common

BACKENDS = (("sqlite", "SQLite"), ("postgresql", "PostgreSQL"))


def sec(value) -> str:
    """Seconds, three significant figures (ms below one second)."""
    if value is None:
        return "—"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.3g} s" if value < 100 else f"{value:.0f} s"


def ratio(a, b) -> str:
    return "—" if not a or not b else f"{a / b:.1f}×"


def load(entry) -> str:
    values = entry.get("load") if entry else None
    return "—" if not values else f"{min(values):.1f}–{max(values):.1f}"


class Report:
    def __init__(self, results: dict):
        self.r = results
        run = results.get("_run", {})
        sizes = sorted(run.get("sizes", [10_000, 100_000]))
        self.small, self.large = sizes[0], sizes[1]
        self.huge = sizes[2] if len(sizes) > 2 else None  # 1,000,000: PostgreSQL only (issue 21)
        self.sizes = sizes

    def get(self, *parts):
        return self.r.get("/".join(str(p) for p in parts))

    def header(self) -> list[str]:
        m, run = self.r.get("_machine", {}), self.r.get("_run", {})
        return [f"Measured {run.get('started_at', '?')[:10]} (commit {run.get('commit', '?')}, one run of "
                f"`make bench`, {run.get('minutes', '?')} min) on {m.get('cores')} cores of {m.get('cpu')}, "
                f"{m.get('memory_mib', 0) // 1024} GiB, Python {m.get('python')}, SQLite {m.get('sqlite')}, "
                f"PostgreSQL {m.get('postgresql')} (default settings; the migration turns JIT off). {self.quiet()}"
                f"The load average (1 min) is given with each figure; "
                f"CPU time (the process plus its PostgreSQL backend) is less sensitive to it than wall time.", ""]

    def quiet(self) -> str:
        """Whether the machine was quiet: the load at the start of the run (the benchmark's own processes load the
        2 cores up to about 2 during the pages' step)."""
        start = (self.r.get("_run", {}).get("load_at_start") or [99])[0]
        if start < 1.0:
            return ("Nothing else ran on the machine when the run started (the load comes from the benchmark "
                    "itself: wrk, gunicorn and PostgreSQL share the 2 cores). ")
        return f"The machine was shared with other work (load {start:.1f} when the run started). "

    def timings(self) -> list[str]:
        lines = ["| measure | persons | SQLite: median wall (p95) · CPU | PostgreSQL: median wall (p95) · CPU | "
                 "load |", "|---|---:|---|---|---|"]
        names = [("indicators_national", "indicators, national, 2 years (in process)"),
                 ("indicators_department", "indicators, one department"),
                 ("python_pass_national", "plain Python pass, national (records in memory)"),
                 ("cohort_national", "cohort, national, one year of entries"),
                 ("cohort_department", "cohort, one department"),
                 ("alerts_compute", "alerts (`agir alerts`: compute)"),
                 ("alerts_job", "alerts job, a night with nothing new (compute + sync + commit)")]
        for key, title in names:
            for size in self.sizes:
                cells, loads = [], []
                for backend, _ in BACKENDS:
                    e = self.get(key, backend, size)
                    cells.append("—" if not e else f"{sec(e['wall_median'])} ({sec(e['wall_p95'])}) · "
                                                   f"{sec(e['cpu_median'])}")
                    loads.append(load(e))
                lines.append(f"| {title} | {size:,} | {cells[0]} | {cells[1]} | {' / '.join(loads)} |")
        return lines

    def commands(self) -> list[str]:
        lines = ["| command (child process) | persons | SQLite: wall · CPU · peak RSS | "
                 "PostgreSQL: wall · CPU · peak RSS | load |", "|---|---:|---|---|---|"]
        rows = [("import", "`agir import` (generated file)"), ("export", "`agir export`"),
                ("indicators_command", "`agir indicators` (2 years)"), ("cohort_command", "`agir cohort`"),
                ("startup", "start-up only (`agir indicators`, bad argument)")]
        sizes = {"import": sorted({*self.sizes, 20_000})}
        for key, title in rows:
            for size in sizes.get(key, self.sizes):
                cells, loads = [], []
                for backend, _ in BACKENDS:
                    e = self.get(key, backend, size)
                    if e and key == "import":
                        runs = e["runs"]
                        loads.append(load({"load": [x for r in runs for x in r["load"]]}))
                    else:
                        loads.append(load(e))
                    cells.append("—" if not e else f"{sec(e['wall_median'])} · {sec(e['cpu_median'])} · "
                                                   f"{e['maxrss_mib']:.0f} MiB")
                lines.append(f"| {title} | {size:,} | {cells[0]} | {cells[1]} | {' / '.join(loads)} |")
            if key == "import":
                for size in sizes["import"]:
                    e = self.get("import", "bare", size)
                    if e:
                        lines.append(f"| bare SQLite `executemany` of the same {e['rows']:,} rows | {size:,} | "
                                     f"{sec(e['wall_median'])} · {sec(e['cpu_median'])} | | {load(e)} |")
        return lines

    def pages(self) -> list[str]:
        lines = ["| page (gunicorn, 2 workers; wrk) | persons | connections | SQLite: median · p95 · req/s | "
                 "PostgreSQL: median · p95 · req/s | load |", "|---|---:|---:|---|---|---|"]
        names = [("persons_list", "`/persons/` (structure of ~5,000 files at 100,000), first page"),
                 ("persons_list_mixed", "`/persons/`: pages, sorts, filters, searches in turn"),
                 ("person_file", "`/persons/<id>` (1,000 files in turn)"),
                 ("pilot", "`/pilot/` (department; figures kept 5 minutes)"),
                 ("pilot_recompute", "`/pilot/?recompute=1` (figures computed at every request)")]
        for key, title in names:
            for size in self.sizes:
                for connections, suffix in ((1, "/c1"), (2, "")):
                    cells, loads, files = [], [], None
                    for backend, _ in BACKENDS:
                        e = self.r.get(f"page_{key}/{backend}/{size}{suffix}")
                        if e:
                            files = e.get("files")
                            bad = f", {e['not_200']} not 200" if e.get("not_200") else ""
                            cells.append(f"{e['median_ms']:.0f} ms · **{e['p95_ms']:.0f} ms** · {e['rps']:.1f}{bad}")
                        else:
                            cells.append("—")
                        loads.append(load(e))
                    if cells == ["—", "—"]:
                        continue
                    detail = f" ({files:,} files)" if key.startswith("persons_list") and files else ""
                    lines.append(f"| {title}{detail} | {size:,} | {connections} | {cells[0]} | {cells[1]} | "
                                 f"{' / '.join(loads)} |")
        return lines

    def service(self) -> list[str]:
        lines = ["| page, one request at a time (in process) | persons | SQLite: wall · CPU | "
                 "PostgreSQL: wall · CPU of the application + of the database | load |", "|---|---:|---|---|---|"]
        names = [("persons_list", "`/persons/`, first page"), ("persons_list_mixed", "`/persons/`, variants"),
                 ("person_file", "`/persons/<id>`"), ("pilot", "`/pilot/` (kept figures)"),
                 ("pilot_recompute", "`/pilot/?recompute=1`")]
        for key, title in names:
            for size in self.sizes:
                lite, pg = self.get(f"service_{key}", "sqlite", size), self.get(f"service_{key}", "postgresql", size)
                if not (lite or pg):
                    continue
                a = "—" if not lite else f"{sec(lite['wall_median'])} · {sec(lite['cpu_median'])}"
                b = "—" if not pg else (f"{sec(pg['wall_median'])} · {sec(pg['app_cpu_median'])} + "
                                        f"{sec(pg['db_cpu_mean'])}")
                lines.append(f"| {title} | {size:,} | {a} | {b} | {load(lite)} / {load(pg)} |")
        return lines

    def targets(self) -> list[str]:
        s, L = self.small, self.large
        lines = ["| target | measured | met? |", "|---|---|---|"]
        for size in (20_000, L):
            bare = self.get("import", "bare", size)
            for backend, name in BACKENDS:
                e = self.get("import", backend, size)
                if e and bare:
                    w, c = e["wall_median"] / bare["wall_median"], e["cpu_median"] / bare["cpu_median"]
                    start = self.get("startup", backend, s)
                    net = "" if not start else (
                        f"; net of the command's start-up "
                        f"{(e['cpu_median'] - start['cpu_median']) / bare['cpu_median']:.1f}× CPU")
                    lines.append(f"| import ≤ 10× bare SQLite executemany ({name}, {size:,}) | {w:.1f}× wall, "
                                 f"{c:.1f}× CPU{net} | {'yes' if max(w, c) <= 10 else 'no'} |")
        for backend, name in BACKENDS:
            sql, py = self.get("indicators_national", backend, L), self.get("python_pass_national", backend, L)
            if sql and py:
                c, w = sql["cpu_median"] / py["cpu_median"], sql["wall_median"] / py["wall_median"]
                same = "same figures" if py.get("same_figures_as_sql") else "**figures differ**"
                lines.append(f"| national indicators ≤ plain Python pass ({name}, {L:,}; {same}) | {c:.2f}× CPU, "
                             f"{w:.2f}× wall | {'yes' if c <= 1 else 'no'} |")
        for key, title in (("export", "export"), ("indicators_command", "indicators")):
            for backend, name in BACKENDS:
                a, b = self.get(key, backend, s), self.get(key, backend, L)
                start = self.get("startup", backend, L)
                if a and b:
                    extra = f" (start-up alone {start['maxrss_mib']:.0f} MiB)" if start else ""
                    growth = b["maxrss_mib"] / a["maxrss_mib"]
                    lines.append(f"| {title} memory flat ({name}) | peak RSS {a['maxrss_mib']:.0f} → "
                                 f"{b['maxrss_mib']:.0f} MiB for {L // s}× the persons{extra} | "
                                 f"{'yes' if growth < 1.5 else 'no'} ({growth:.2f}×) |")
        for key, title, limit in (("person_file", "`/persons/<id>` p95 < 150 ms", 150),
                                  ("pilot", "`/pilot/` p95 < 500 ms (kept figures)", 500),
                                  ("pilot_recompute", "`/pilot/?recompute=1` p95 < 500 ms (computed)", 500)):
            for connections, suffix in ((2, ""), (1, "/c1")):
                e = self.r.get(f"page_{key}/postgresql/{L}{suffix}")
                if e:
                    lines.append(f"| {title} (PostgreSQL, {L:,}, {connections} connection(s), load {load(e)}) | "
                                 f"{e['p95_ms']:.0f} ms | {'yes' if e['p95_ms'] < limit else 'no'} |")
        return lines

    def growth(self) -> list[str]:
        s, L = self.small, self.large
        lines = [f"| cost at {L:,} ÷ cost at {s:,} ({L // s}× the persons) | SQLite wall · CPU | "
                 f"PostgreSQL wall · CPU |", "|---|---|---|"]
        for key, title in (("import", "import"), ("indicators_national", "indicators, national"),
                           ("indicators_department", "indicators, one department"),
                           ("cohort_national", "cohort, national"), ("alerts_compute", "alerts"),
                           ("export", "export (command)"), ("python_pass_national", "plain Python pass")):
            cells = []
            for backend, _ in BACKENDS:
                a, b = self.get(key, backend, s), self.get(key, backend, L)
                cells.append("—" if not (a and b) else f"{ratio(b['wall_median'], a['wall_median'])} · "
                                                        f"{ratio(b['cpu_median'], a['cpu_median'])}")
            lines.append(f"| {title} | {cells[0]} | {cells[1]} |")
        return lines

    def national(self) -> list[str]:
        """Issue 21 item 2: the targets at the national size, PostgreSQL (p95 of wrk; CPU ratios)."""
        L, H = self.large, self.huge
        lines = [f"| target at {H:,} persons (PostgreSQL) | measured | met? |", "|---|---|---|"]

        def page(key, title, limit_ms):
            for connections, suffix in ((1, "/c1"), (2, "")):
                e = self.r.get(f"page_{key}/postgresql/{H}{suffix}")
                if e:
                    lines.append(f"| {title} p95 < {limit_ms:,} ms ({connections} connection(s), load {load(e)}) | "
                                 f"{e['p95_ms']:.0f} ms | {'yes' if e['p95_ms'] < limit_ms else 'no'} |")
        page("person_file", "`/persons/<id>`", 150)
        page("persons_list", "`/persons/` (first page)", 150)
        page("persons_list_mixed", "`/persons/` (pages, sorts, filters, searches)", 150)
        page("pilot_recompute", "department dashboard computed (`/pilot/?recompute=1`)", 1000)
        sql, py = self.get("indicators_national", "postgresql", H), self.get("python_pass_national", "postgresql", H)
        if sql and py:
            c = sql["cpu_median"] / py["cpu_median"]
            same = "same figures" if py.get("same_figures_as_sql") else "**figures differ**"
            lines.append(f"| national indicators ≤ 1× the plain Python pass ({same}) | {c:.2f}× CPU, "
                         f"{sql['wall_median'] / py['wall_median']:.2f}× wall | {'yes' if c <= 1 else 'no'} |")
        job = self.get("alerts_job", "postgresql", H)
        if job:
            first = job.get("first_run", {})
            met = "yes" if max(job["wall_median"], first.get("wall", 0)) < 60 else "no"
            lines.append(f"| nightly alerts job < 60 s (first night: {sec(first.get('wall'))} wall, "
                         f"{sec(first.get('cpu'))} CPU) | {sec(job['wall_median'])} wall, {sec(job['cpu_median'])} "
                         f"CPU, load {load(job)} | {met} |")
        for key in ("export", "indicators_command"):
            a, b = self.get(key, "postgresql", L), self.get(key, "postgresql", H)
            if a and b:
                growth = b["maxrss_mib"] / a["maxrss_mib"]
                lines.append(f"| `{key.split('_')[0]}` memory flat ({L:,} → {H:,}) | peak RSS {a['maxrss_mib']:.0f} → "
                             f"{b['maxrss_mib']:.0f} MiB | {'yes' if growth < 1.5 else 'no'} ({growth:.2f}×) |")
        lines += ["", f"| cost at {H:,} ÷ cost at {L:,} ({H // L}× the persons), PostgreSQL | wall | CPU | "
                      f"≤ 11×? |", "|---|---|---|---|"]
        for key, title in (("import", "import"), ("indicators_national", "indicators, national"),
                           ("indicators_department", "indicators, one department"),
                           ("cohort_national", "cohort, national"), ("cohort_department", "cohort, one department"),
                           ("alerts_compute", "alerts (compute)"), ("alerts_job", "alerts job"),
                           ("export", "export (command)"), ("python_pass_national", "plain Python pass")):
            a, b = self.get(key, "postgresql", L), self.get(key, "postgresql", H)
            if a and b:
                c = b["cpu_median"] / a["cpu_median"] if a["cpu_median"] else None
                lines.append(f"| {title} | {ratio(b['wall_median'], a['wall_median'])} | "
                             f"{ratio(b['cpu_median'], a['cpu_median'])} | "
                             f"{'—' if c is None else 'yes' if c <= 11 else 'no'} |")
        for key, title in (("person_file", "`/persons/<id>` p95"), ("persons_list", "`/persons/` p95"),
                           ("pilot_recompute", "`/pilot/?recompute=1` p95")):
            a, b = self.r.get(f"page_{key}/postgresql/{L}/c1"), self.r.get(f"page_{key}/postgresql/{H}/c1")
            if a and b:
                g = b["p95_ms"] / a["p95_ms"]
                lines.append(f"| {title} (1 connection) | {g:.1f}× | | {'yes' if g <= 11 else 'no'} |")
        return lines

    def markdown(self) -> str:
        parts = [self.header(), ["#### Targets", ""], self.targets(), ["", "#### Cost growth", ""], self.growth(),
                 *([["", f"#### A national deployment: {self.huge:,} persons (PostgreSQL only)", ""], self.national()]
                   if self.huge else []),
                 ["", "#### Commands", ""], self.commands(), ["", "#### In process (net of start-up)", ""],
                 self.timings(), ["", "#### Pages under load", ""], self.pages(),
                 ["", "#### Cost of one page", ""], self.service()]
        return "\n".join(line for part in parts for line in part) + "\n"


def main() -> None:
    results = common.load_results()
    if not results:
        raise SystemExit(f"no results in {common.RESULTS}: run tests/bench/run.py first")
    text = Report(results).markdown()
    (common.BENCH_DIR / "table.md").write_text(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
