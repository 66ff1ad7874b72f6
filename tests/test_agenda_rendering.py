"""The structure's week (issue 17 speed target): the page's words are translated and its URLs built once per page,
not once per appointment. Before, each card looked its labels up in the translation catalogue (about 30 lookups a
card) and built its URLs with url_for (3 a card): most of the CPU of a busy week (600 cards)."""
from datetime import datetime, timedelta

import flask_babel
import pytest
from werkzeug.routing import MapAdapter

from agir.extensions import db
from tests import factories
from tests.referrals_factories import client_for

MONDAY = datetime(2026, 3, 2, 9, 0)


def _book(world, count: int, first: int = 0) -> None:
    for i in range(first, first + count):
        person = factories.make_person(world.department, world.agir, last_name=f"Nom{i}")
        # Planned, some before « now » (outcome buttons), some after (convocation), one duration, one interpreter.
        factories.make_appointment(person, world.agir, start=MONDAY + timedelta(days=i % 5, minutes=15 * (i // 5)),
                                   minutes=30, kind="follow_up", mode="phone", status="planned", interpreter="prs",
                                   referent=world.users.social_worker if i % 2 else None)
    db.session.commit()


def _lookups(client, path: str, monkeypatch) -> tuple[int, int, str]:
    """(translation lookups, URLs built, page) of one request."""
    counts = {"translations": 0, "urls": 0}
    get_translations, build = flask_babel.Domain.get_translations, MapAdapter.build

    def counting_translations(self):
        counts["translations"] += 1
        return get_translations(self)

    def counting_build(self, *args, **kwargs):
        counts["urls"] += 1
        return build(self, *args, **kwargs)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", counting_translations)
    monkeypatch.setattr(MapAdapter, "build", counting_build)
    try:
        response = client.get(path, headers={"Accept-Language": "en"})
    finally:
        monkeypatch.setattr(flask_babel.Domain, "get_translations", get_translations)
        monkeypatch.setattr(MapAdapter, "build", build)
    assert response.status_code == 200
    return counts["translations"], counts["urls"], response.get_data(as_text=True)


@pytest.mark.parametrize("scope", ["structure", "me"])
def test_the_week_translates_its_words_and_builds_its_urls_once_per_page(app, world, monkeypatch, scope):
    from agir.operations import appointments as ops
    monkeypatch.setattr(ops, "paris_now", lambda: datetime(2026, 3, 4, 12, 0))
    path = f"/agenda/?view=week&scope={scope}&day=2026-03-02"
    _book(world, 10)
    client = client_for(app, "sw@example.fr")
    translations, urls, page = _lookups(client, path, monkeypatch)
    _book(world, 30, first=10)
    more_translations, more_urls, more_page = _lookups(client, path, monkeypatch)
    shown = 40 if scope == "structure" else 20
    assert more_page.count('class="agir-appt agir-appt--planned"') == shown
    # The same words and links as before, in the reader's language, on each card.
    assert more_page.count("Interpreter: Dari") == shown and more_page.count("30 min") >= shown
    assert more_page.count(" — NOM37 Prénom") == 3  # honoured, missed, excused: 4 March 10:45, past
    assert 'action="/agenda/appointments/' in more_page and 'href="/agenda/persons/' in more_page
    assert "Appointment letter (PDF)" in more_page  # Thursday and Friday are ahead
    # 30 more appointments: not one more lookup nor URL.
    assert (more_translations, more_urls) == (translations, urls)
