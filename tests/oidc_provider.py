"""A small OpenID Connect provider run by the tests on 127.0.0.1 (a free port), shaped like ProConnect: discovery
document, JWKS, authorize (code flow, PKCE S256 required), token (client_secret_post), userinfo answered as a signed
JWT, end_session. Keys and tokens come from joserfc (Authlib's JOSE library).

`provider.identity` is who signs in at the provider; `provider.misbehave` makes its next ID token wrong on purpose:
"signature" (signed by another key under the same kid), "nonce", "expired", "issuer", "acr", "audience".
"""
import base64
import hashlib
import secrets
import threading
import time
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CLIENT_ID = "agir-test-client"
CLIENT_SECRET = "agir-test-secret-0123456789"


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class Provider:
    """The provider; `start()` serves it in a thread and returns its base URL, `stop()` ends it."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "proconnect-test-1", "use": "sig", "alg": "RS256"},
                                       private=True)
        self.rogue = RSAKey.generate_key(2048, parameters={"kid": "proconnect-test-1"}, private=True)
        self.identity = {"sub": "pc-sub-0001", "email": "pilot@example.fr", "given_name": "Paule",
                         "usual_name": "Pilote"}
        self.misbehave: str | None = None
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.logouts: list[dict] = []
        self.requests: list[str] = []
        self.last_redirect = ""
        self.base = ""
        self._server = None

    # serving ---------------------------------------------------------------------------------------------------
    def start(self) -> str:
        self._server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.base = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.base

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()

    @property
    def discovery_url(self) -> str:
        return f"{self.base}/.well-known/openid-configuration"

    def wsgi(self, environ, start_response):
        request = Request(environ)
        self.requests.append(request.path)
        handler = {"/.well-known/openid-configuration": self.discovery, "/jwks": self.jwks,
                   "/authorize": self.authorize, "/token": self.token, "/userinfo": self.userinfo,
                   "/session/end": self.end_session}.get(request.path)
        response = handler(request) if handler else Response("not found", 404)
        return response(environ, start_response)

    # endpoints -------------------------------------------------------------------------------------------------
    def discovery(self, request):
        return self._json({
            "issuer": self.base, "authorization_endpoint": f"{self.base}/authorize",
            "token_endpoint": f"{self.base}/token", "userinfo_endpoint": f"{self.base}/userinfo",
            "jwks_uri": f"{self.base}/jwks", "end_session_endpoint": f"{self.base}/session/end",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "given_name", "usual_name"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "acr_values_supported": ["eidas1", "eidas2", "eidas3"],
        })

    def jwks(self, request):
        return self._json(KeySet([self.key]).as_dict(private=False))

    def authorize(self, request):
        args = request.args
        if (args.get("client_id") != CLIENT_ID or args.get("response_type") != "code"
                or args.get("code_challenge_method") != "S256" or not args.get("code_challenge")
                or "openid" not in (args.get("scope") or "").split() or not args.get("state")):
            return Response("invalid_request", 400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"redirect_uri": args["redirect_uri"], "nonce": args.get("nonce"),
                            "challenge": args["code_challenge"], "acr_values": args.get("acr_values"),
                            "scope": args.get("scope"), "identity": dict(self.identity)}
        query = urlencode({"code": code, "state": args["state"]})
        self.last_redirect = f"{args['redirect_uri']}?{query}"
        return Response(status=302, headers={"Location": self.last_redirect})

    def token(self, request):
        form = request.form
        grant = self.codes.pop(form.get("code", ""), None)  # a code is used once
        if (form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET or grant is None
                or form.get("redirect_uri") != grant["redirect_uri"]
                or _s256(form.get("code_verifier", "")) != grant["challenge"]):
            return self._json({"error": "invalid_grant"}, 400)
        now = int(time.time())
        claims = {"iss": self.base, "sub": grant["identity"]["sub"], "aud": CLIENT_ID, "iat": now,
                  "exp": now + 60, "nonce": grant["nonce"], "acr": "eidas1", "amr": ["pwd"]}
        mode, key = self.misbehave, self.key
        if mode == "signature":
            key = self.rogue
        elif mode == "nonce":
            claims["nonce"] = "not-the-nonce-of-this-request"
        elif mode == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        elif mode == "issuer":
            claims["iss"] = "https://evil.example.org"
        elif mode == "acr":
            claims["acr"] = "eidas0"
        elif mode == "audience":
            claims["aud"] = "another-client"
        id_token = jwt.encode({"alg": "RS256", "kid": "proconnect-test-1"}, claims, key)
        access = secrets.token_urlsafe(24)
        self.tokens[access] = grant["identity"]
        return self._json({"access_token": access, "token_type": "Bearer", "expires_in": 60, "id_token": id_token,
                           "scope": grant["scope"]})

    def userinfo(self, request):
        header = request.headers.get("Authorization", "")
        identity = self.tokens.get(header.removeprefix("Bearer ").strip()) if header.startswith("Bearer ") else None
        if identity is None:
            return Response("", 401)
        signed = jwt.encode({"alg": "RS256", "kid": "proconnect-test-1"},
                            {**identity, "iss": self.base, "aud": CLIENT_ID}, self.key)
        return Response(signed, 200, content_type="application/jwt")

    def end_session(self, request):
        self.logouts.append(dict(request.args))
        target = request.args.get("post_logout_redirect_uri")
        return Response(status=302, headers={"Location": target}) if target else Response("déconnecté", 200)

    @staticmethod
    def _json(data, status=200):
        import json
        return Response(json.dumps(data), status, content_type="application/json")
