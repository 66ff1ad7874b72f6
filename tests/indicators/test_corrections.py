"""The indicators follow the corrected data by themselves (SQL over the tables): an exit corrected or cancelled
through agir.operations.corrections changes what `agir indicators` prints (SPEC §4.8)."""
import json
from datetime import date

from agir.extensions import db
from agir.operations import accompaniments as acc_ops
from agir.operations import corrections
from models import Accompaniment
from tests import factories

ARGS = ["agir", "indicators", "--from", "2024-01-01", "--to", "2024-12-31", "--department", "33",
        "--as-of", "2025-06-30"]


def indicators(runner) -> dict:
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_an_exit_corrected_then_cancelled_changes_the_indicators(runner, world):
    person = factories.make_person(world.department, world.agir, protection_on=date(2024, 1, 10))
    acc = acc_ops.enrol_person(world.users.social_worker, person, date(2024, 2, 1), date(2024, 12, 1),
                               today=date(2025, 6, 30))
    # Typed wrongly: an exit in 2024 with a CDI, when the person left in January 2025 without a job.
    acc_ops.record_exit(world.users.social_worker, acc, date(2024, 12, 20), "goals_reached", job_kind="cdi",
                        today=date(2025, 6, 30))
    db.session.commit()
    before = indicators(runner)["employment"]
    assert (before["exits"], before["positive_exits"], before["durable_employment"]) == (1, 1, 1)

    corrections.correct_exit(world.users.social_worker, db.session.get(Accompaniment, acc.id), date(2024, 11, 29),
                             "goals_reached", None, None, None, "Sans emploi à la sortie", today=date(2025, 6, 30))
    db.session.commit()
    corrected = indicators(runner)["employment"]
    assert (corrected["exits"], corrected["positive_exits"], corrected["durable_employment"]) == (1, 0, 0)

    corrections.cancel_exit(world.users.social_worker, db.session.get(Accompaniment, acc.id),
                            "Sortie enregistrée par erreur : toujours accompagnée")
    db.session.commit()
    cancelled = indicators(runner)
    assert cancelled["employment"]["exits"] == 0
    # Open again and past its planned end (01/12/2024) on 30/06/2025: overdue.
    assert cancelled["compliance"]["overdue"] == 1
