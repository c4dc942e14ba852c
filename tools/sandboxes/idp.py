"""Sandbox identity provider modelled on VNeID / the national portal's single sign-on (OpenID Connect).

Authorization code flow with PKCE (S256 only), a confidential client (client_secret_basic or _post), RS256 id_tokens
signed with a key published at the JWKS endpoint, `nonce` echoed, one-time codes that expire after a minute, and a
userinfo endpoint. Instead of the VNeID app's QR confirmation the citizen picks one of the demo citizens
(citizens.json) and confirms. Clients come from SANDBOX_IDP_CLIENTS: "client_id:secret:redirect_uri[,...]" entries
separated by spaces (default: the demo client of `make run` and the tests, any 127.0.0.1 redirect).
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from common import demo_people, env, new_app, parse_args, serve
from flask import abort, jsonify, redirect, render_template, request
from joserfc import jwt
from joserfc.jwk import RSAKey

app = new_app("sandbox-idp")
KEY = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(4), "use": "sig", "alg": "RS256"})
CODE_SECONDS, TOKEN_SECONDS = 60, 600
_codes: dict[str, dict[str, Any]] = {}
_tokens: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()


def _clients() -> dict[str, tuple[str, list[str]]]:
    spec = env("SANDBOX_IDP_CLIENTS", "motcua:motcua-sandbox-secret:http://127.0.0.1:*,http://localhost:*")
    clients = {}
    for entry in spec.split():
        client_id, secret, uris = entry.split(":", 2)
        clients[client_id] = (secret, uris.split(","))
    return clients


def _redirect_allowed(client_id: str, uri: str) -> bool:
    client = _clients().get(client_id)
    if client is None:
        return False
    for allowed in client[1]:
        if allowed.endswith(":*"):  # a sandbox convenience: any port of that host (tests use free ports)
            parts, base = urlsplit(uri), urlsplit(allowed[:-2] + ":1")
            if (parts.scheme, parts.hostname) == (base.scheme, base.hostname):
                return True
        elif uri == allowed:
            return True
    return False


def issuer() -> str:
    return request.host_url.rstrip("/")


def _person(id_number: str) -> dict[str, Any] | None:
    return next((p for p in demo_people()["people"] if p["id_number"] == id_number), None)


@app.get("/.well-known/openid-configuration")
def discovery():
    base = issuer()
    return jsonify(issuer=base, authorization_endpoint=f"{base}/authorize", token_endpoint=f"{base}/token",
                   userinfo_endpoint=f"{base}/userinfo", jwks_uri=f"{base}/jwks", response_types_supported=["code"],
                   grant_types_supported=["authorization_code"], subject_types_supported=["pairwise"],
                   id_token_signing_alg_values_supported=["RS256"], code_challenge_methods_supported=["S256"],
                   token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
                   scopes_supported=["openid", "profile", "email", "phone"],
                   claims_supported=["sub", "name", "id_number", "birthdate", "gender", "email", "phone_number",
                                     "address"])


@app.get("/jwks")
def jwks():
    return jsonify(keys=[KEY.as_dict(private=False)])


def _authorize_params() -> dict[str, str]:
    names = ("response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge",
             "code_challenge_method")
    return {n: (request.values.get(n) or "") for n in names}


def _check_request(params: dict[str, str]) -> str | None:
    """The error code of an invalid authorization request (None: valid)."""
    if params["response_type"] != "code":
        return "unsupported_response_type"
    if "openid" not in params["scope"].split():
        return "invalid_scope"
    if params["code_challenge_method"] != "S256" or len(params["code_challenge"]) < 43:
        return "invalid_request"  # PKCE is mandatory
    return None


@app.route("/authorize", methods=["GET", "POST"])
def authorize():
    params = _authorize_params()
    if not _redirect_allowed(params["client_id"], params["redirect_uri"]):
        abort(400, "unknown client or redirect_uri")  # never redirect to an unregistered address
    error = _check_request(params)
    if error:
        return redirect(f"{params['redirect_uri']}?{urlencode({'error': error, 'state': params['state']})}")
    if request.method == "GET":
        return render_template("idp_login.html", params=params, people=demo_people()["people"])
    if request.form.get("decision") != "allow":
        return redirect(f"{params['redirect_uri']}?{urlencode({'error': 'access_denied', 'state': params['state']})}")
    person = _person(request.form.get("id_number", ""))
    if person is None:
        abort(400, "unknown citizen")
    code = secrets.token_urlsafe(24)
    with _lock:
        _codes[code] = {**params, "person": person, "expires": time.time() + CODE_SECONDS}
    return redirect(f"{params['redirect_uri']}?{urlencode({'code': code, 'state': params['state']})}")


def _client_credentials() -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        return client_id, secret
    return request.form.get("client_id", ""), request.form.get("client_secret", "")


def _token_error(error: str, status: int = 400):
    return jsonify(error=error), status


def _pkce_ok(challenge: str, verifier: str) -> bool:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge


def subject(client_id: str, id_number: str) -> str:
    """Pairwise subject: stable per citizen and client, not the ID number itself."""
    return hashlib.sha256(f"{client_id}:{id_number}:sandbox-salt".encode()).hexdigest()[:32]


def _claims(person: dict[str, Any], client_id: str) -> dict[str, Any]:
    return {"sub": subject(client_id, person["id_number"]), "name": person["full_name"],
            "id_number": person["id_number"], "birthdate": person["birth_date"], "gender": person["gender"],
            "email": person["email"], "phone_number": person["phone"], "address": person["address"]}


@app.post("/token")
def token():
    client_id, secret = _client_credentials()
    client = _clients().get(client_id)
    if client is None or not secrets.compare_digest(client[0], secret):
        return _token_error("invalid_client", 401)
    if request.form.get("grant_type") != "authorization_code":
        return _token_error("unsupported_grant_type")
    with _lock:
        grant = _codes.pop(request.form.get("code", ""), None)  # one use only
    if (grant is None or grant["expires"] < time.time() or grant["client_id"] != client_id
            or grant["redirect_uri"] != request.form.get("redirect_uri")):
        return _token_error("invalid_grant")
    if not _pkce_ok(grant["code_challenge"], request.form.get("code_verifier", "")):
        return _token_error("invalid_grant")
    now = int(time.time())
    claims = _claims(grant["person"], client_id)
    id_token = jwt.encode({"alg": "RS256", "kid": KEY.kid},
                          {**claims, "iss": issuer(), "aud": client_id, "iat": now, "exp": now + TOKEN_SECONDS,
                           "auth_time": now, "nonce": grant["nonce"], "acr": "vneid-level2"}, KEY)
    access = secrets.token_urlsafe(32)
    with _lock:
        _tokens[access] = {"claims": claims, "expires": now + TOKEN_SECONDS}
    return jsonify(access_token=access, token_type="Bearer",  # noqa: S106 (the token type, not a secret)
                   expires_in=TOKEN_SECONDS, id_token=id_token,
                   scope=grant["scope"])


@app.get("/userinfo")
def userinfo():
    header = request.headers.get("Authorization", "")
    grant = _tokens.get(header[7:]) if header.startswith("Bearer ") else None
    if grant is None or grant["expires"] < time.time():
        return jsonify(error="invalid_token"), 401
    return jsonify(grant["claims"])


if __name__ == "__main__":
    args = parse_args(__doc__.splitlines()[0], 5101)
    serve(app, args.host, args.port)
