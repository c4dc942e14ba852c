"""Issue 16: the statistics filters take dates as dd/mm/yyyy (text inputs: a date input shows the browser's
locale, mm/dd in Chromium), keep them in the URL, and say in Vietnamese when a date cannot be read."""
from __future__ import annotations

import re

import pytest

from tests.functional.ui_world import clock, desk, officials, world  # noqa: F401

PAGES = ("/thong-ke/", "/thong-ke/xep-hang", "/thong-ke/quy-trinh")
ERROR = "Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy."


def _input(html: str, name: str) -> str:
    return re.search(rf'<input [^>]*id="{name}"[^>]*>', html, re.S).group(0)


@pytest.mark.parametrize("path", PAGES)
def test_the_period_reads_and_shows_dd_mm_yyyy(officials, clock, path):  # noqa: F811
    clock("2026-04-15 09:00")
    client = officials.login("lanhdao.snv")
    html = client.get(f"{path}?from=01/03/2026&to=31/03/2026").get_data(as_text=True)
    for name, value in (("from", "01/03/2026"), ("to", "31/03/2026")):
        field = _input(html, name)
        assert 'type="text"' in field and 'placeholder="dd/mm/yyyy"' in field and f'value="{value}"' in field
    assert 'type="date"' not in html and ERROR not in html
    # the default period (the year up to today) is shown the same way
    default = client.get(path).get_data(as_text=True)
    assert 'value="01/01/2026"' in _input(default, "from") and 'value="15/04/2026"' in _input(default, "to")


@pytest.mark.parametrize("path", PAGES)
def test_an_unreadable_date_keeps_what_was_typed_and_says_why(officials, clock, path):  # noqa: F811
    clock("2026-04-15 09:00")
    html = officials.login("lanhdao.snv").get(f"{path}?from=31/02/2026&to=31/03/2026").get_data(as_text=True)
    field = _input(html, "from")
    assert 'is-invalid' in field and 'value="31/02/2026"' in field
    assert f'<div class="invalid-feedback" data-error="from">{ERROR}</div>' in html
    assert 'is-invalid' not in _input(html, "to") and 'value="31/03/2026"' in _input(html, "to")


def test_the_exports_keep_the_filters_of_the_url(officials, clock):  # noqa: F811
    clock("2026-04-15 09:00")
    client = officials.login("lanhdao.snv")
    html = client.get("/thong-ke/xep-hang?from=01%2F03%2F2026&to=31%2F03%2F2026").get_data(as_text=True)
    link = re.search(r'href="(/thong-ke/xep-hang\.csv\?[^"]+)"', html).group(1)
    assert "from=01%2F03%2F2026" in link
    reply = client.get(link.replace("&amp;", "&"))
    assert 'filename="xep-hang-20260301-20260331.csv"' in reply.headers["Content-Disposition"]
