"""A citizen signing in to the portal through the sandbox identity provider, as a browser would (test client for
our pages, plain HTTP for the provider's)."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import requests

AN = "038090001234"  # Nguyễn Văn An (tools/sandboxes/citizens.json)
BINH = "038185002345"  # Trần Thị Bình


def idp_form_fields(html: str) -> dict[str, str]:
    return {m[0]: unescape(m[1]) for m in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)}


def authorize(client, id_number: str = AN, decision: str = "allow"):
    """Start the sign-in on our site, confirm at the provider, return the provider's redirect back to us."""
    start = client.get("/cong-dan/dang-nhap/vneid")
    assert start.status_code == 302, start.text
    page = requests.get(start.location, timeout=5)
    assert page.status_code == 200, page.text
    answer = requests.post(start.location.split("?")[0], data={**idp_form_fields(page.text), "id_number": id_number,
                                                              "decision": decision},
                           allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return start.location, answer.headers["Location"]


def sign_in(client, id_number: str = AN):
    """The whole sign-in; returns our answer to the callback (a redirect to the citizen's dossiers)."""
    _request, callback = authorize(client, id_number)
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
