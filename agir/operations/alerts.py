"""Operations of the alerts area: the opt-in to the daily e-mail digest."""
from agir import audit
from agir.extensions import db


def set_digest_preference(actor, wants: bool):
    """The user subscribes to (or leaves) the daily digest of their alerts; flush, no commit."""
    actor.wants_digest = bool(wants)
    db.session.flush()
    audit.record(actor, "digest_preference", fields=["wants_digest"])
    return actor
