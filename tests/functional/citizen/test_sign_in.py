"""Citizen sign-in with OpenID Connect against the sandbox identity provider (its own process): authorization code
with PKCE, id_token checked with the provider's JWKS; "my dossiers" lists what is the citizen's and nothing else."""
from __future__ import annotations

from urllib.parse import urlsplit

import requests
from sqlalchemy import select

from app.citizen.models import Citizen
from app.extensions import db
from tests.functional.citizen.portal import AN, BINH, authorize, query, sign_in
from tests.functional.ui_world import WORK_PERMIT


def test_sign_in_sends_the_citizen_to_the_provider_with_pkce_state_and_nonce(client, sandboxes):
    response = client.get("/cong-dan/dang-nhap/vneid")
    assert response.status_code == 302 and response.location.startswith(f"{sandboxes.idp.url}/authorize?")
    params = query(response.location)
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) >= 43
    assert params["state"] and params["nonce"] and "openid" in params["scope"].split()
    assert params["redirect_uri"] == "http://localhost/cong-dan/dang-nhap/callback"


def test_a_verified_sign_in_records_the_citizen_and_opens_my_dossiers(client, sandboxes, world):
    response = sign_in(client, AN)
    assert response.status_code == 302 and response.location.endswith("/cong-dan/ho-so")
    citizen = db.session.scalar(select(Citizen).where(Citizen.id_number == AN))
    assert citizen.full_name == "Nguyễn Văn An" and citizen.subject != AN and citizen.issuer == sandboxes.idp.url
    page = client.get("/cong-dan/ho-so")
    assert page.status_code == 200 and "Nguyễn Văn An" in page.text and AN in page.text


def test_my_dossiers_lists_the_dossiers_filed_in_my_id_number_only(client, sandboxes, desk):
    mine = desk.receive(WORK_PERMIT).dossier  # the desk files in An's personal ID number
    sign_in(client, BINH)
    page = client.get("/cong-dan/ho-so")
    assert mine.code not in page.text and "my-dossiers-empty" in page.text
    assert client.get(f"/cong-dan/ho-so/{mine.code}").status_code == 404  # another citizen's dossier: unknown
    client.post("/cong-dan/dang-xuat")
    sign_in(client, AN)
    page = client.get("/cong-dan/ho-so")
    assert mine.code in page.text
    assert client.get(f"/cong-dan/ho-so/{mine.code}").status_code == 200


def test_the_portal_asks_anonymous_visitors_to_sign_in(client, sandboxes):
    response = client.get("/cong-dan/ho-so")
    assert response.status_code == 302 and "/cong-dan/dang-nhap" in response.location


def test_a_callback_with_a_forged_state_is_refused(client, sandboxes):
    _request, callback = authorize(client, AN)
    parts = urlsplit(callback)
    forged = parts.query.replace(f"state={query(callback)['state']}", "state=forged")
    response = client.get(f"{parts.path}?{forged}")
    assert response.status_code == 302 and response.location.endswith("/cong-dan/dang-nhap")
    assert client.get("/cong-dan/ho-so").status_code == 302  # not signed in
    assert db.session.scalar(select(Citizen)) is None


def test_a_code_cannot_be_redeemed_without_the_pkce_verifier(sandboxes, client):
    _request, callback = authorize(client, AN)
    answer = requests.post(f"{sandboxes.idp.url}/token", data={
        "grant_type": "authorization_code", "code": query(callback)["code"],
        "redirect_uri": "http://localhost/cong-dan/dang-nhap/callback", "code_verifier": "x" * 50},
        auth=("motcua", "motcua-sandbox-secret"), timeout=5)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_the_provider_refusing_consent_leaves_the_visitor_signed_out(client, sandboxes):
    _request, callback = authorize(client, AN, decision="deny")
    parts = urlsplit(callback)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 302 and response.location.endswith("/cong-dan/dang-nhap")
    assert client.get("/cong-dan/ho-so").status_code == 302


def test_an_unreachable_provider_is_a_clear_503(client, sandboxes, app, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_ISSUER", "http://127.0.0.1:9")
    response = client.get("/cong-dan/dang-nhap/vneid")
    assert response.status_code == 503 and "định danh" in response.text
