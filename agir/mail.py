"""Outgoing e-mail: every message is kept in the outbox; sent through SMTP when it is configured,
otherwise written to the log, so that nothing is lost (SMTP settings: AGIR_SMTP_* in agir/config.py).

E-mails carry no personal data: counts and a link to the application, never a name (docs/rules.md).
"""
import logging
import smtplib
from email.message import EmailMessage

from models import OutboxMessage
from models.base import utcnow

log = logging.getLogger("agir.mail")


def _send_smtp(config, message: OutboxMessage) -> None:
    email = EmailMessage()
    email["From"] = config.get("MAIL_FROM") or "agir@localhost"
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    port = int(config.get("SMTP_PORT") or 25)
    smtp_class = smtplib.SMTP_SSL if port == 465 else smtplib.SMTP
    with smtp_class(config["SMTP_HOST"], port, timeout=30) as smtp:
        if port == 587:
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        smtp.send_message(email)


def deliver(session, config, *, recipient: str, subject: str, body: str, user_id: int | None = None) -> OutboxMessage:
    """Keep the message in the outbox, then send it by SMTP (sent_at set) or write it to the log."""
    message = OutboxMessage(user_id=user_id, recipient=recipient, subject=subject, body=body)
    session.add(message)
    session.flush()
    if not config.get("SMTP_HOST"):
        log.info("Aucun serveur SMTP configuré : message conservé dans la boîte d'envoi (#%s).\n"
                 "À : %s\nObjet : %s\n\n%s", message.id, recipient, subject, body)
        return message
    try:
        _send_smtp(config, message)
    except (OSError, smtplib.SMTPException) as exc:
        # Kept unsent in the outbox: a later run or an administrator can send it again.
        log.error("Échec d'envoi du message #%s à %s : %s", message.id, recipient, exc)
        return message
    message.sent_at = utcnow()
    session.flush()
    return message
