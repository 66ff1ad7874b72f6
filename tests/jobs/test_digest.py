"""The daily e-mail digest: opt-in, counts without names, kept in the outbox, sent once a day."""
import logging
import smtplib

from sqlalchemy import select

from agir import jobs
from agir.extensions import db
from models import OutboxMessage
from tests.jobs import scenario


def _opt_in(*users):
    for user in users:
        user.wants_digest = True
    db.session.commit()


def _prepared(world):
    people = scenario.build(world)
    jobs.run_alerts(scenario.AS_OF)
    return people


def test_without_smtp_the_digest_is_logged_and_kept_in_the_outbox(world, app, caplog):
    _prepared(world)
    _opt_in(world.users.social_worker)
    config = dict(app.config, SMTP_HOST=None)
    with caplog.at_level(logging.INFO, logger="agir.mail"):
        counts = jobs.send_digests(scenario.AS_OF, config)
    assert counts == {"sent": 0, "kept": 1, "skipped": 0}
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.recipient == "sw@example.fr" and message.user_id == world.users.social_worker.id
    assert message.sent_at is None
    assert message.subject == "AGIR — vos alertes du 15/06/2023"
    assert "- Fin prévue dépassée : 1 alerte(s) (dont 1 nouvelle(s))" in message.body
    assert "- Orientation sans réponse : 1 alerte(s)" in message.body
    assert message.body in caplog.text


def test_the_digest_names_nobody(world, app):
    people = _prepared(world)
    _opt_in(world.users.social_worker)
    jobs.send_digests(scenario.AS_OF, dict(app.config, SMTP_HOST=None))
    body = db.session.scalars(select(OutboxMessage.body)).one()
    for person in (people.a, people.b, people.c, people.d):
        assert person.last_name not in body and person.first_name not in body and person.ref not in body


def test_only_users_who_opted_in_get_a_digest(world, app):
    _prepared(world)
    jobs.send_digests(scenario.AS_OF, dict(app.config, SMTP_HOST=None))
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_a_second_run_the_same_day_sends_nothing_more(world, app):
    _prepared(world)
    _opt_in(world.users.social_worker)
    config = dict(app.config, SMTP_HOST=None)
    jobs.send_digests(scenario.AS_OF, config)
    assert jobs.send_digests(scenario.AS_OF, config) == {"sent": 0, "kept": 0, "skipped": 1}
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_officer_and_pilot_digests_show_their_own_counts(world, app):
    _prepared(world)
    _opt_in(world.users.referral_officer, world.users.pilot, world.users.admin)
    counts = jobs.send_digests(scenario.AS_OF, dict(app.config, SMTP_HOST=None))
    assert counts == {"sent": 0, "kept": 2, "skipped": 1}  # nothing for the admin
    bodies = dict(db.session.execute(select(OutboxMessage.recipient, OutboxMessage.body)).all())
    officer = bodies["ro@example.fr"]
    assert "Orientation sans réponse : 1 alerte(s)" in officer and "Fin prévue dépassée" not in officer
    assert "Dossier inactif : 2 personne(s)" in bodies["pilot@example.fr"]


def test_no_digest_when_nothing_is_open(world, app):
    _opt_in(world.users.social_worker)
    assert jobs.send_digests(scenario.AS_OF, dict(app.config, SMTP_HOST=None))["skipped"] == 1
    assert db.session.scalar(select(OutboxMessage.id)) is None


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def login(self, user, password):
        self.user = user

    def send_message(self, message):
        FakeSMTP.sent.append((self.host, message["To"], message["Subject"], message.get_content()))


def test_with_smtp_the_digest_is_sent_and_marked(world, app, monkeypatch):
    _prepared(world)
    _opt_in(world.users.social_worker)
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    counts = jobs.send_digests(scenario.AS_OF, dict(app.config, SMTP_HOST="smtp.example.fr", SMTP_PORT=25))
    assert counts["sent"] == 1
    assert FakeSMTP.sent[0][:3] == ("smtp.example.fr", "sw@example.fr", "AGIR — vos alertes du 15/06/2023")
    assert db.session.scalars(select(OutboxMessage)).one().sent_at is not None


def test_a_failing_smtp_server_keeps_the_message_unsent(world, app, monkeypatch):
    _prepared(world)
    _opt_in(world.users.social_worker)

    class Down(FakeSMTP):
        def __enter__(self):
            raise ConnectionRefusedError("no server")

    monkeypatch.setattr(smtplib, "SMTP", Down)
    counts = jobs.send_digests(scenario.AS_OF, dict(app.config, SMTP_HOST="smtp.example.fr", SMTP_PORT=25))
    assert counts == {"sent": 0, "kept": 1, "skipped": 0}
    assert db.session.scalars(select(OutboxMessage)).one().sent_at is None
