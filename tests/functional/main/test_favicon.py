"""Every page names its icon, and the browser's own /favicon.ico request finds it (it was a 404)."""
from __future__ import annotations


def test_pages_link_the_icon_and_favicon_ico_leads_to_it(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon"' in page and "favicon.svg" in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.location.endswith("/static/favicon.svg")
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
