"""The pilot's dashboard and exports show the AGIR results (exit outcomes against the 80 % / 60 % targets,
entry path, appointments) beside the Annex tables."""
import csv
import io
from datetime import date, datetime

import pytest

from agir.extensions import db
from tests import factories as f
from tests.indicators.helpers import accompaniment, housing, person


@pytest.fixture
def results(world):
    """Two exits in 2022 (one housed with a CDI, one without housing), two oriented persons (first interviews
    after 10 and 45 days), a contract, a missed and three honoured appointments."""
    housed = person(world)
    a = accompaniment(housed, world.agir, date(2022, 2, 1), exit_on=date(2022, 10, 3), job="cdi")
    housing(housed, "social_rental", date(2022, 9, 1))
    f.sign_contract(a, on=date(2022, 2, 20))
    accompaniment(person(world), world.agir, date(2022, 2, 1), exit_on=date(2022, 10, 3), training="qualifying")
    for oriented_on, days in ((date(2022, 3, 1), 10), (date(2022, 5, 1), 45)):
        p = person(world)
        f.orient(p, world.agir, on=oriented_on)
        day = date.fromordinal(oriented_on.toordinal() + days)
        f.make_appointment(p, world.agir, start=datetime(day.year, day.month, day.day, 9, 30))
    f.make_appointment(housed, world.agir, start=datetime(2022, 6, 1, 14, 0), kind="follow_up", status="missed")
    db.session.commit()
    return world


def test_dashboard_shows_the_agir_results_and_their_targets(client, results):
    assert f.login(client, "pilot@example.fr").status_code == 302
    html = client.get("/pilot/?from=2022-01-01&to=2022-12-31").get_data(as_text=True)
    for caption in ("Résultats AGIR — situation à la sortie", "Résultats AGIR — entrée dans le parcours",
                    "Rendez-vous de la période"):
        assert f"<caption>{caption}</caption>" in html
    assert "Part des sorties avec un logement pérenne" in html and "au moins 80 %" in html
    assert "Délai médian de l&#39;orientation au premier entretien (jours)" in html
    assert "27,5" in html                                    # (10 + 45) / 2


def test_csv_export_carries_the_agir_results(client, results):
    assert f.login(client, "pilot@example.fr").status_code == 302
    response = client.get("/pilot/export.csv?from=2022-01-01&to=2022-12-31")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    by_label = {row[1]: row for row in rows[1:] if len(row) > 2}
    assert by_label["Part des sorties avec un logement pérenne"][2:] == ["0,5", "au moins 80 %", "non"]
    assert by_label["Part des sorties en emploi ou en formation"][2:] == ["1", "au moins 60 %", "oui"]
    assert by_label["Personnes orientées sur la période"][2] == "2"
    assert by_label["dont premier entretien dans le mois suivant l'orientation"][2] == "1"
    assert by_label["Délai médian de l'orientation au premier entretien (jours)"][2] == "27,5"
    assert by_label["Contrats d'engagement signés"][2] == "1"
    assert by_label["Rendez-vous honorés"][2] == "2" and by_label["Rendez-vous manqués"][2] == "1"
    assert by_label["Part des rendez-vous manqués (parmi les honorés et manqués)"][2] == "0,3333"
