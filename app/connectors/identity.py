"""Citizen sign-in through the national identity provider (VNeID-style OpenID Connect) with Authlib's Flask client.

Authorization code flow with PKCE (S256), state and nonce kept in the session by Authlib; the id_token is checked
against the provider's JWKS (signature, issuer, audience, expiry, nonce) before its claims are used.
"""
from __future__ import annotations

from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app

from app.connectors.http import ServiceNotConfiguredError, ServiceUnavailableError

SETTINGS = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")
SCOPES = "openid profile email phone"
_KEY = "motcua.identity"

__all__ = ["OAuthError", "authorize_redirect", "finish_sign_in"]


def _client() -> Any:
    config = current_app.config
    values = tuple(config.get(s) for s in SETTINGS)
    if not all(values):
        raise ServiceNotConfiguredError("identity")
    cached = current_app.extensions.get(_KEY)
    if cached is None or cached[0] != values:
        oauth = OAuth(current_app)
        issuer, client_id, secret = values
        client = oauth.register("vneid", client_id=client_id, client_secret=secret,
                                server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
                                client_kwargs={"scope": SCOPES, "code_challenge_method": "S256",
                                               "default_timeout": config["EXTERNAL_TIMEOUT"]})
        cached = current_app.extensions[_KEY] = (values, client)
    return cached[1]


def authorize_redirect(redirect_uri: str) -> Any:
    """The redirect to the provider's sign-in page (state, nonce and PKCE verifier stored in the session)."""
    try:
        return _client().authorize_redirect(redirect_uri)
    except requests.RequestException as error:
        raise ServiceUnavailableError("identity", str(error)) from error


def finish_sign_in() -> dict[str, Any]:
    """Exchange the callback's code for tokens and return the verified id_token claims.

    :raises OAuthError: the provider refused, or the state, nonce or id_token did not check out.
    """
    try:
        token = _client().authorize_access_token()
    except requests.RequestException as error:
        raise ServiceUnavailableError("identity", str(error)) from error
    claims = token.get("userinfo")
    if not claims:
        raise OAuthError(error="missing_id_token")
    return dict(claims)
