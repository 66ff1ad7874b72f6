"""The agenda at scale (issue 17): the structure's week view and the reminders job, on generated data.

1. the week view of the structure holding about 5,000 files (`/agenda/?view=week&scope=structure`, one of its
   référents signed in), under wrk against gunicorn (2 workers) like bench_pages.py: target p95 < 150 ms at
   100,000 persons on PostgreSQL; plus its CPU per request, in process, one at a time;
2. the reminders job (`agir.jobs.run_reminders`: write the reminders due, then « send » them — no SMTP nor SMS
   provider configured: logged and kept) at 09:00 on the busiest day of planned appointments of the generated
   data, then at 09:15 (nothing new: the « never twice » path): target under a minute for 100,000 persons.

The database is the one bench_import.py / bench_pages.py use (agir_bench_<size>): made here when missing
(migrated, the generated file imported, ANALYZE). Results in BENCH_DIR/results.json (agenda_week/…,
reminders_job/…).

    .venv/bin/python tests/bench/bench_agenda.py --sizes 100000 --backends postgresql
"""
import os
import random
import time
from datetime import datetime, timedelta
from pathlib import Path

import bench_pages
import common

SCENARIO = "agenda_week"


def ensure_database(backend: str, size: int) -> str:
    """The benchmark database of that size, imported once (kept between runs)."""
    from sqlalchemy import create_engine, text

    url = common.database_url(backend, size)
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            count = conn.scalar(text("SELECT count(*) FROM persons"))
            head = conn.scalar(text("SELECT version_num FROM alembic_version"))
        engine.dispose()
        if count and count >= size * 0.99:
            common.log(f"{url}: {count} persons (revision {head}), reused")
            run = common.flask(["db", "upgrade"], url, capture=True)
            if run.returncode != 0:
                raise RuntimeError(run.stderr[-2000:])
            return url
    except Exception as exc:  # noqa: BLE001 - missing database or tables: made below
        common.log(f"{url}: not ready ({type(exc).__name__}), importing")
    path = common.data_file(size)
    url = common.reset_database(backend, size)
    run = common.flask(["agir", "import", str(path)], url, capture=True)
    if run.returncode != 0:
        raise RuntimeError(f"import failed: {run.stderr[-2000:]}")
    common.log(f"imported {size} persons into {url} in {run.wall:.0f} s")
    common.analyze(url)
    return url


def prepare(url: str) -> dict:
    """The structure with about 5,000 files, a référent of it, the weeks with the most appointments."""
    from sqlalchemy import func, select

    from agir.extensions import db
    from models import Appointment, User

    ctx = bench_pages.prepare(url)
    app = common.make_app(url)
    with app.app_context():
        structure_id = db.session.scalar(select(User.structure_id).where(User.email == ctx["emails"]["social_worker"]))
        day = func.date(Appointment.start_at)
        busiest = db.session.execute(
            select(day, func.count()).where(Appointment.structure_id == structure_id).group_by(day)
            .order_by(func.count().desc()).limit(8)).all()
        planned_day = db.session.execute(
            select(day, func.count()).where(Appointment.status == "planned").group_by(day)
            .order_by(func.count().desc()).limit(1)).first()
        weeks = sorted({str(d) for d, _ in busiest})
        ctx.update(weeks=weeks, busiest=[(str(d), n) for d, n in busiest],
                   planned_day=str(planned_day[0]) if planned_day else None,
                   planned_that_day=planned_day[1] if planned_day else 0,
                   appointments=db.session.scalar(select(func.count()).select_from(Appointment)),
                   structure_appointments=db.session.scalar(
                       select(func.count()).select_from(Appointment).where(Appointment.structure_id == structure_id)))
        db.session.remove()
        db.engine.dispose()
    common.log(f"structure {ctx['structure']}: {ctx['structure_appointments']} appointments of "
               f"{ctx['appointments']}; busiest days {ctx['busiest'][:3]}; most planned on {ctx['planned_day']} "
               f"({ctx['planned_that_day']})")
    return ctx


def week_view(url: str, ctx: dict, backend: str, size: int, seconds: int) -> None:
    paths = [f"/agenda/?view=week&scope=structure&day={d}" for d in ctx["weeks"]] or ["/agenda/?scope=structure"]
    random.Random(size).shuffle(paths)
    bench_pages.service(url, ctx, {SCENARIO: ("social_worker", paths)}, backend, size)
    server = bench_pages.start_server(url)
    try:
        cookie = bench_pages.login(ctx["emails"]["social_worker"], url)
        status, _, html = bench_pages.get(paths[0], cookie)
        if status != 200:
            raise RuntimeError(f"{paths[0]}: HTTP {status}")
        bench_pages.wrk(paths, cookie, 3)  # warm-up
        result = bench_pages.wrk(paths, cookie, seconds)
        result.update(structure=ctx["structure"], files=ctx["files"], weeks=len(paths),
                      html_kib=round(len(html.encode()) / 1024, 1),
                      structure_appointments=ctx["structure_appointments"])
        common.save(f"page_{SCENARIO}/{backend}/{size}", result)
        common.log(f"page {SCENARIO} on {backend}/{size}: {result}")
    finally:
        bench_pages.stop_server(server)


def reminders_job(url: str, ctx: dict, backend: str, size: int) -> None:
    """The job at 09:00 two days before the busiest planned day (the two-day reminders), then 15 minutes later."""
    from sqlalchemy import delete, func, select

    from agir import jobs
    from agir.extensions import db
    from models import ReminderMessage

    if not ctx["planned_day"]:
        common.log("no planned appointment in the data: reminders job not measured")
        return
    target = datetime.fromisoformat(ctx["planned_day"])
    app = common.make_app(url)
    with app.app_context():
        server = common.ServerCpu(db.engine)
        db.session.execute(delete(ReminderMessage))
        db.session.commit()
        for label, now in (("first", target - timedelta(days=2) + timedelta(hours=9)),
                           ("again", target - timedelta(days=2) + timedelta(hours=9, minutes=15)),
                           ("morning", target + timedelta(hours=8, minutes=5))):
            with common.measure(server) as m:
                counts = jobs.run_reminders(now=now)
            written = db.session.scalar(select(func.count()).select_from(ReminderMessage))
            result = dict(m, counts=counts, reminder_rows=written, now=now.isoformat())
            common.save(f"reminders_job_{label}/{backend}/{size}", result)
            common.log(f"reminders job ({label}, {now}) on {backend}/{size}: {result}")
        db.session.execute(delete(ReminderMessage))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], sizes=(100_000,), extra=[
        ("--only", "week,reminders (default both)")])
    seconds = int(os.environ.get("AGIR_BENCH_SECONDS", "20"))
    only = set((args.only or "week,reminders").split(","))
    for size in args.sizes:
        for backend in args.backends:
            url = ensure_database(backend, size)
            ctx = prepare(url)
            if "week" in only:
                week_view(url, ctx, backend, size, seconds)
            if "reminders" in only:
                reminders_job(url, ctx, backend, size)


if __name__ == "__main__":
    Path(common.BENCH_DIR).mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    main()
    common.log(f"bench_agenda done in {time.perf_counter() - started:.0f} s")
