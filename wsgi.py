"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`.

Behind a reverse proxy, AGIR_TRUSTED_PROXIES=1 (the number of proxies in front) makes ProxyFix take the
client's address (written to the audit trail) and the scheme (https links) from X-Forwarded-*; never set
it when the application can be reached without the proxy (anyone could forge those headers).
"""
import os

from werkzeug.middleware.proxy_fix import ProxyFix

from agir.app import create_app

app = create_app()
_proxies = int(os.environ.get("AGIR_TRUSTED_PROXIES", "0"))
if _proxies:
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=_proxies, x_proto=_proxies, x_host=_proxies)
