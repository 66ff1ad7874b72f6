"""Text messages (SMS) through a French provider's HTTP API, behind one small adapter (issue 17).

Configured by the environment (agir/config.py): AGIR_SMS_PROVIDER (`brevo`: Brevo's transactional SMS API,
POST /v3/transactionalSMS/sms with the `api-key` header), AGIR_SMS_API_KEY, AGIR_SMS_SENDER (at most 11
letters and digits, as the operators require), AGIR_SMS_URL (the endpoint: Brevo's by default; the tests point
it at a local fake provider over real HTTP), AGIR_SMS_TIMEOUT (seconds). Without a provider nothing is sent: the
message is written to the log and kept in the reminders outbox with the status `logged`, as e-mails are.

`send` answers with a Result: sent (with the provider's message id), or failed, `retry` telling whether trying
again later may help (timeouts, network errors, 429 and 5xx answers) or not (a refused number, a bad key).
"""
import json
import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

log = logging.getLogger("agir.sms")
PROVIDERS = {"brevo": "https://api.brevo.com/v3/transactionalSMS/sms"}


@dataclass(frozen=True)
class Result:
    sent: bool
    provider_id: str | None = None
    error: str | None = None
    retry: bool = False


UNCERTAIN = "délai dépassé après l'envoi : remise incertaine, non renvoyé pour ne pas l'envoyer deux fois"


def configured(config) -> bool:
    """True when a provider is configured (otherwise the messages are logged and kept)."""
    return bool(config.get("SMS_PROVIDER")) and bool(config.get("SMS_API_KEY"))


def international(phone: str | None) -> str | None:
    """A phone number as the providers want it: digits with the country code, no « + » (06 12 34 56 78 →
    33612345678; +44 20… → 4420…). None when it cannot be a mobile number."""
    if not phone:
        return None
    text = phone.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        number = digits
    elif digits.startswith("00"):
        number = digits[2:]
    elif len(digits) == 10 and digits.startswith("0"):
        number = "33" + digits[1:]
    else:
        return None
    return number if 8 <= len(number) <= 15 else None


def send(config, recipient: str, text: str) -> Result:
    """Send one SMS through the configured provider (call only when `configured`)."""
    provider = config.get("SMS_PROVIDER")
    url = config.get("SMS_URL") or PROVIDERS.get(provider)
    if provider not in PROVIDERS or not url:
        return Result(False, error=f"fournisseur SMS inconnu : {provider}", retry=False)
    payload = {"sender": (config.get("SMS_SENDER") or "AGIR")[:11], "recipient": recipient, "content": text,
               "type": "transactional", "unicodeEnabled": True}
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"api-key": config.get("SMS_API_KEY") or "",
                                              "content-type": "application/json", "accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=float(config.get("SMS_TIMEOUT") or 10)) as response:
            body = response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        retry = exc.code == 429 or exc.code >= 500
        return Result(False, error=f"HTTP {exc.code}", retry=retry)
    except TimeoutError:
        # The request went out and no answer came: the provider may well have sent it. Trying again could send
        # the person a second SMS, so the message stays failed, for the référent to see in the outbox
        # (docs/rules.md, Rappels). A connection that never opened (URLError below) is tried again.
        return Result(False, error=UNCERTAIN, retry=False)
    except (urllib.error.URLError, OSError) as exc:
        return Result(False, error=f"réseau : {getattr(exc, 'reason', exc)}"[:300], retry=True)
    try:
        answer = json.loads(body) if body else {}
    except ValueError:
        answer = {}
    message_id = answer.get("messageId") or answer.get("reference")
    return Result(True, provider_id=str(message_id) if message_id is not None else None)
